#!/usr/bin/env bash
# Measures monban beside the references of SPEC §8 on the same machine in one run, and prints
# one markdown table whose ratios come from that run only. Go and Node are measured in
# interleaved rounds (bench/interleave.mjs): each round runs every measurement once, briefly,
# the Go side from a test binary built beforehand and the Node side in its own process, so
# machine load hits both alike; the table gives the median over the rounds, the fastest and
# slowest round, and the ratio of the medians (bench/report.mjs). Like is compared with like:
# the same token, key set and cookie on both sides (bench/cmd/fixtures). Progress goes to
# stderr, the table to stdout. Benchmarks measure, they do not assert: this is not part of
# `make test` or CI. `make sizes` prints the binary sizes.
#
# Usage: bench/run.sh   (or `make bench`; about 3 to 5 minutes on 2 cores)
#   BENCH_ROUNDS=7   interleaved rounds per measurement (at least 5 for a median worth having)
#   BENCHTIME=300ms  length of one round of a micro-benchmark, each side (go test -benchtime)
#   COLDSTARTS=5     process starts per side per round for the cold-start row
#   BENCH_ALL_FUNCTIONS=0  skip the start-to-first-response of every function (builds them all)
#   BENCH_OUT=dir    keep the raw results (results.json, test binaries) there
set -uo pipefail
cd "$(dirname "$0")/.."

if [ -n "${BENCH_OUT:-}" ]; then
  out="$BENCH_OUT"
  mkdir -p "$out"
else
  out="$(mktemp -d)"
  trap 'rm -rf "$out"' EXIT
fi
step() { printf '\n== %s\n' "$*" >&2; }

step "dependencies (pinned Node packages, Go modules)"
make --no-print-directory deps >&2 || exit 1

step "fixtures: one RSA key, JWKS, access token, session and its cookie for both languages"
go run ./bench/cmd/fixtures "$out/fixtures.json" || exit 1

# interleave.mjs reports a failed round and carries on; the table shows what was measured.
failed=0
node bench/interleave.mjs "$out" || failed=1
step "results"
node bench/report.mjs "$out" || failed=1
exit "$failed"
