#!/usr/bin/env bash
# Mutation testing of the security core (make mutation): a pinned gremlins changes the code
# one small way at a time (a condition negated, a boundary moved, an operator swapped) and
# runs the package's tests against each change; a change no test notices "lives".
#
# For each package below it fails when the efficacy (killed / (killed + lived)) is under the
# package's threshold or cannot be measured (no mutant killed or lived), or when a mutant
# lives that mutation/equivalent.txt does not list as equivalent (code that behaves the same
# either way), with one line of why. Entries name the file, the mutator and the source line's
# text, not its number, so they survive edits elsewhere in the file; a listed mutant that no
# longer lives is reported as stale.
#
# Usage: scripts/mutation.sh [package ...]   (default: all of them)
# Not part of make test: it takes minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
go="${GO:-go}"
gremlins_version=v0.6.0

# package, efficacy threshold (percent), the only files to mutate (space-separated; none
# listed: the whole package). httpapi's security core is its guard code: the strict JSON
# bodies and the origin checks; its handlers are covered by the flows' own tests.
packages=(
  "internal/allowlist 100"
  "internal/cookie 97"
  "internal/base64url 95"
  "internal/seal 88"
  "internal/token 90"
  "internal/tokencache 85"
  "pkg/monbanauth 95"
  "internal/httpapi 90 post.go origin.go"
)

bin="$PWD/.tools/bin"
# A go-installed gremlins reports its version as "dev": the installed version is recorded
# beside it instead.
if [[ ! -x "$bin/gremlins" || "$(cat "$bin/gremlins.version" 2>/dev/null)" != "$gremlins_version" ]]; then
  echo "mutation: installing gremlins $gremlins_version into .tools/bin"
  GOBIN="$bin" "$go" install "github.com/go-gremlins/gremlins/cmd/gremlins@$gremlins_version"
  echo "$gremlins_version" >"$bin/gremlins.version"
fi

selected=("$@")
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
failed=0
for entry in "${packages[@]}"; do
  read -r pkg threshold only <<<"$entry"
  if [[ ${#selected[@]} -gt 0 ]] && ! printf '%s\n' "${selected[@]}" | grep -qx "$pkg"; then
    continue
  fi
  echo "mutation: $pkg (efficacy >= $threshold%)"
  # A loaded machine slows the tests down: a generous timeout keeps mutants from "timing
  # out" (which counts neither way) instead of being killed.
  # Not --silent: when gremlins cannot run the package's tests at all (its coverage run),
  # what the tests printed is only in its log, which is shown then.
  args=(unleash --timeout-coefficient 10 --output "$out/result.json")
  if [[ -n "$only" ]]; then
    # gremlins can only leave files out: every other source file of the package is. It
    # matches --exclude-files against paths relative to the package's directory (it walks
    # os.DirFS of it), e.g. "post.go", not "internal/httpapi/post.go".
    for f in "$pkg"/*.go; do
      f="${f##*/}"
      [[ "$f" == *_test.go || " $only " == *" $f "* ]] && continue
      args+=(--exclude-files "^${f//./\\.}\$")
    done
    args+=(--exclude-files "_test\.go$")
  fi
  # A result left by the package before must never be read as this one's.
  rm -f "$out/result.json"
  if ! "$bin/gremlins" "${args[@]}" "./$pkg" >"$out/log" 2>&1 || [[ ! -s "$out/result.json" ]]; then
    if grep -q "No results to report" "$out/log"; then
      echo "  FAIL: gremlins found nothing to mutate"
    else
      # When the tests fail, the log is little more than their output: all of it, or its
      # first and last lines (a panic's message, then where it happened).
      echo "  FAIL: gremlins did not finish; its log:"
      if [[ $(wc -l <"$out/log") -le 120 ]]; then
        sed 's/^/    /' "$out/log"
      else
        head -n 60 "$out/log" | sed 's/^/    /'
        echo "    ..."
        tail -n 60 "$out/log" | sed 's/^/    /'
      fi
    fi
    failed=1
    continue
  fi
  if ! python3 - "$pkg" "$threshold" "$out/result.json" mutation/equivalent.txt <<'PY'; then failed=1; fi
import json, sys

pkg, threshold, result, listed_path = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
try:
    data = json.load(open(result))
except ValueError as e:
    print(f"  no result from gremlins: {e}")
    sys.exit(1)

def key(file, kind, line):
    try:
        text = open(f"{pkg}/{file}").read().splitlines()[line - 1].strip()
    except (OSError, IndexError):
        text = "?"
    return f"{pkg}/{file} | {kind} | {text}"

listed = {}
for raw in open(listed_path):
    raw = raw.rstrip("\n")
    if not raw.strip() or raw.startswith("#"):
        continue
    k, _, why = raw.partition(" # ")
    listed.setdefault(k.strip(), []).append(why.strip())

killed = lived = 0
survivors = {}
for f in data.get("files", []):
    for m in f.get("mutations", []):
        if m["status"] == "KILLED":
            killed += 1
        elif m["status"] == "LIVED":
            lived += 1
            k = key(f["file_name"], m["type"], m["line"])
            survivors.setdefault(k, []).append(f"{f['file_name']}:{m['line']}:{m['column']}")
total = killed + lived
if not total:
    print("  FAIL: no mutant was killed or lived (all not covered or timed out)")
    sys.exit(1)
efficacy = 100.0 * killed / total
ok = True
print(f"  killed {killed}, lived {lived}, efficacy {efficacy:.1f}%")
if efficacy + 1e-9 < threshold:
    print(f"  FAIL: efficacy under {threshold:g}%")
    ok = False
for k, where in sorted(survivors.items()):
    if k not in listed:
        print(f"  FAIL: a mutant lives that is not listed as equivalent: {k}  ({', '.join(where)})")
        ok = False
for k in sorted(listed):
    if k.startswith(pkg + "/") and k not in survivors:
        print(f"  stale entry in {listed_path} (the mutant no longer lives): {k}")
sys.exit(0 if ok else 1)
PY
done
if [[ $failed -ne 0 ]]; then
  echo "mutation: FAIL (a package whose tests fail cannot be measured; otherwise kill the survivors with tests, or list a truly equivalent one in mutation/equivalent.txt with why)" >&2
  exit 1
fi
echo "mutation: OK"
