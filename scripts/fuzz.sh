#!/usr/bin/env bash
# Runs every fuzz target of the module for a bounded time each (default 10s), one after
# the other, and fails on the first target that finds a failing input (Go writes it under
# the package's testdata/fuzz/, where it becomes a regression case of the normal tests).
#
# Usage: scripts/fuzz.sh [FUZZTIME]   e.g. scripts/fuzz.sh 30s
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${1:-10s}"
go="${GO:-go}"

targets=0
while IFS=: read -r file name; do
  pkg="./$(dirname "$file")"
  echo "fuzz: $name in $pkg for $fuzztime"
  "$go" test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg"
  targets=$((targets + 1))
done < <(git ls-files '*_test.go' | xargs grep -oE '^func (Fuzz[A-Za-z0-9_]+)' | sed -E 's/func //' | sort)

[[ $targets -gt 0 ]] || { echo "fuzz: no fuzz targets found" >&2; exit 1; }
echo "fuzz: $targets targets, $fuzztime each, no failing input"
