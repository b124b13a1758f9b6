#!/usr/bin/env bash
# Runs every benchmark of SPEC §8 in one go and prints one markdown table: monban next to
# the reference it is measured against, with ratios from this run's numbers only.
# Progress and the raw outputs go to stderr, the table to stdout. Benchmarks measure, they
# do not assert: this is not part of `make test` or CI.
#
# Usage: bench/run.sh   (or `make bench`)
#   BENCHTIME=1s   go test -benchtime for the micro-benchmarks
#   COLDSTARTS=20  process starts per function for the cold-start benchmark
#   BENCH_SCALE=1  multiplies the Node scripts' iteration counts
set -uo pipefail
cd "$(dirname "$0")/.."

benchtime="${BENCHTIME:-1s}"
coldstarts="${COLDSTARTS:-20}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
failed=0
step() { printf '\n== %s\n' "$*" >&2; }

step "dependencies (pinned Node packages, Go modules)"
make --no-print-directory deps >&2 || exit 1

step "fixtures: one RSA key, JWKS, access token and session for both languages"
go run ./bench/cmd/fixtures "$out/fixtures.json" || exit 1
export MONBAN_BENCH_FIXTURES="$out/fixtures.json"

# A failed step is reported and leaves its cells empty; the other steps still run.
# Everything runs one thing at a time, and one go test per package, so that no compile or
# other benchmark shares the two cores with the one being timed. A package not in the tree
# is skipped.
step "Go micro-benchmarks (-benchtime $benchtime)"
for p in bench internal/token internal/tokencache internal/seal internal/httpapi; do
  [ -d "$p" ] || continue
  go test -run '^$' -bench '^Benchmark(Compare|VerifyAccess|VerifyID|RSAVerifyFloor|Seal|Open|SessionHandler)' \
    -benchmem -count=1 -benchtime "$benchtime" "./$p" 2>&1 | tee -a "$out/go.txt" >&2 || failed=1
done

step "cold starts: start each bootstrap, answer its first event ($coldstarts times each)"
go test -run '^$' -bench '^BenchmarkColdStart' -count=1 -benchtime "${coldstarts}x" \
  ./internal/lambdaruntime 2>&1 | tee "$out/coldstart.txt" >&2 || failed=1

step "Node $(node --version): aws-jwt-verify"
node bench/jwt-verify.mjs "$out/fixtures.json" | tee "$out/jwt-verify.json" >&2 || failed=1
step "Node $(node --version): Auth.js session decode"
node bench/session-decode.mjs "$out/fixtures.json" | tee "$out/session-decode.json" >&2 || failed=1

step "binary sizes (make build: linux/arm64 as deployed)"
{ make --no-print-directory build && bash scripts/binary-sizes.sh bin; } 2>&1 | tee "$out/sizes.txt" >&2 || failed=1

step "results"
{ go version; echo "node $(node --version)"; echo "cpus $(nproc)"; } >"$out/env.txt"
node bench/report.mjs "$out" || failed=1
exit "$failed"
