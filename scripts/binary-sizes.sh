#!/usr/bin/env bash
# Prints a markdown table of the Lambda binaries' sizes, for the README: each
# bin/<function>/bootstrap as `make build` leaves it (linux/arm64, stripped,
# -tags lambda.norpc), and its deflate-compressed size (gzip -9), close to what
# the deployment zip holds and Lambda fetches at a cold start.
#
# Usage: scripts/binary-sizes.sh [bin-dir]   (default: bin; run `make build` first,
#        or `make sizes`, which does both)
set -euo pipefail

dir="${1:-bin}"
shopt -s nullglob
binaries=("$dir"/*/bootstrap)
if [ ${#binaries[@]} -eq 0 ]; then
  echo "binary-sizes: no $dir/*/bootstrap; run make build first" >&2
  exit 1
fi

mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }

echo "| function | bootstrap | compressed |"
echo "|---|---:|---:|"
for bin in "${binaries[@]}"; do
  fn="$(basename "$(dirname "$bin")")"
  size="$(wc -c <"$bin" | tr -d ' ')"
  packed="$(gzip -9 -c "$bin" | wc -c | tr -d ' ')"
  echo "| $fn | $(mib "$size") ($size bytes) | $(mib "$packed") |"
done
