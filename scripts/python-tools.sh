#!/usr/bin/env bash
# Makes the Python tools the tests need available, at the versions requirements-test.txt
# pins: moto_server (moto with its server extra: the e2e tests' stricter emulator), cfn-lint,
# and aws-sam-translator importable by python3 (scripts/validate-template.sh). `make deps`
# runs it; the Makefile puts the project venv's bin/ first on PATH, so whatever this script
# settles on is what the tests find.
#
# In this order:
#   1. the project venv (.venv-test/), when it exists and holds the pinned versions: used;
#   2. the tools on PATH (the venv left out), when moto, cfn-lint and aws-sam-translator
#      are exactly the pinned versions: used, nothing installed (a stale venv that would
#      shadow them is removed);
#   3. otherwise the venv is built afresh (python3 -m venv) and the pinned set installed into
#      it with pip, which honours PIP_INDEX_URL, PIP_FIND_LINKS, PIP_NO_INDEX and the rest.
# When that cannot be done (no Python 3.11+, no venv module, the index out of reach, pip
# failing) it prints one message saying what is missing and how to install it, removes the
# half-built venv and exits 1. pip's network waits are bounded (--timeout, --retries) and
# the whole install by PYTHON_TOOLS_TIMEOUT seconds (when `timeout` exists); pip never
# prompts.
#
# Env: PYTHON (default python3), PYTHON_TOOLS_VENV (default <repo>/.venv-test),
#      PYTHON_TOOLS_TIMEOUT (default 900). Tested by internal/devtools.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
req="$root/requirements-test.txt"
python="${PYTHON:-python3}"
venv="${PYTHON_TOOLS_VENV:-$root/.venv-test}"
venv="${venv%/}"
show_venv="${venv#"$root"/}" # as the user sees it from the repository root
log="$venv.log"
install_timeout="${PYTHON_TOOLS_TIMEOUT:-900}"

say() { echo "python-tools: $*"; }

[[ -f "$req" ]] || { echo "python-tools: $req not found" >&2; exit 1; }

# pin NAME: the version requirements-test.txt pins NAME to (name==version, extras allowed).
pin() {
  local v
  v="$(sed -n "s/^$1\(\[[^]]*\]\)\{0,1\}==\([^[:space:];#]*\).*/\2/p" "$req")"
  [[ -n "$v" ]] || { echo "python-tools: requirements-test.txt pins no version of $1" >&2; exit 1; }
  printf '%s' "$v"
}
moto_pin="$(pin moto)"
cfn_lint_pin="$(pin cfn-lint)"
sam_pin="$(pin aws-sam-translator)"
pinned="moto[server]==$moto_pin, cfn-lint==$cfn_lint_pin, aws-sam-translator==$sam_pin"

# lookpath NAME DIRS: the first executable NAME in the colon-separated DIRS.
lookpath() {
  local dir IFS=:
  [[ "$1" == */* ]] && { [[ -x "$1" && ! -d "$1" ]] && printf '%s' "$1"; return 0; }
  for dir in $2; do
    [[ -n "$dir" && -x "$dir/$1" && ! -d "$dir/$1" ]] && { printf '%s' "$dir/$1"; return 0; }
  done
  return 0
}

# probe PY NAME...: "python X.Y.Z", then "NAME VERSION" (or "NAME -") for each distribution
# as PY sees it. Run from / so nothing in the working tree shadows an installed package.
probe() {
  local py="$1"
  shift
  (cd / && "$py" -c '
import sys, importlib.metadata as md
print("python", ".".join(map(str, sys.version_info[:3])))
for name in sys.argv[1:]:
    try:
        print(name, md.version(name))
    except md.PackageNotFoundError:
        print(name, "-")
' "$@" 2>/dev/null)
}

# field OUTPUT NAME: NAME's version in a probe's output.
field() { sed -n "s/^$2 //p" <<<"$1" | head -n1; }

# interpreter SCRIPT DEFAULT: the Python a console script runs with (its #! line), so a tool
# installed with another Python (pipx, a venv) is asked about its own packages; DEFAULT when
# the script is a wrapper (a pyenv shim, say).
interpreter() {
  local first=""
  IFS= read -r first <"$1" 2>/dev/null || true
  if [[ "$first" =~ ^#![[:space:]]*(/[^[:space:]]*python[0-9.]*)[[:space:]]*$ && -x "${BASH_REMATCH[1]}" ]]; then
    printf '%s' "${BASH_REMATCH[1]}"
  else
    printf '%s' "$2"
  fi
}

# is VERSION: a probe's version as words.
is() { case "$1" in -) echo "not installed" ;; "") echo "of unknown version" ;; *) echo "$1" ;; esac; }

# check DIRS PYTHON: whether the tools found in DIRS (PYTHON, cfn-lint, moto_server) are the
# pinned ones; what is wrong goes to problems[].
problems=()
check() {
  local dirs="$1" name="$2" py out tout v bin tpy
  problems=()
  py="$(lookpath "$name" "$dirs")"
  if [[ -z "$py" ]]; then
    problems+=("$name (Python 3.11+) not found")
    return 1
  fi
  if ! out="$(probe "$py" aws-sam-translator cfn-lint moto flask flask-cors)"; then
    problems+=("$py does not run")
    return 1
  fi
  v="$(field "$out" python)"
  if [[ ! "$v" =~ ^3\.([0-9]+) ]] || ((BASH_REMATCH[1] < 11)); then
    problems+=("$py is Python ${v:-?}, 3.11 or later is needed")
    return 1
  fi
  v="$(field "$out" aws-sam-translator)"
  [[ "$v" == "$sam_pin" ]] || problems+=("aws-sam-translator $(is "$v") for $name ($sam_pin pinned)")

  bin="$(lookpath cfn-lint "$dirs")"
  if [[ -z "$bin" ]]; then
    problems+=("cfn-lint not on PATH")
  else
    tpy="$(interpreter "$bin" "$py")"
    tout="$out"
    [[ "$tpy" == "$py" ]] || tout="$(probe "$tpy" cfn-lint || true)"
    v="$(field "$tout" cfn-lint)"
    [[ "$v" == "$cfn_lint_pin" ]] || problems+=("cfn-lint on PATH is $(is "$v") ($cfn_lint_pin pinned)")
  fi

  bin="$(lookpath moto_server "$dirs")"
  if [[ -z "$bin" ]]; then
    problems+=("moto_server not on PATH")
  else
    tpy="$(interpreter "$bin" "$py")"
    tout="$out"
    [[ "$tpy" == "$py" ]] || tout="$(probe "$tpy" moto flask flask-cors || true)"
    v="$(field "$tout" moto)"
    if [[ "$v" != "$moto_pin" ]]; then
      problems+=("moto behind moto_server is $(is "$v") ($moto_pin pinned)")
    elif [[ "$(field "$tout" flask)" == - || "$(field "$tout" flask-cors)" == - ]]; then
      problems+=("moto_server without moto's server extra (flask, flask-cors)")
    fi
  fi
  ((${#problems[@]} == 0))
}

joined() { local IFS=';'; printf '%s' "${problems[*]}" | sed 's/;/; /g'; }

# fail CAUSE HOW: the one message, then exit 1; the half-built venv goes.
fail() {
  rm -rf "$venv"
  {
    echo "python-tools: cannot install the Python test tools: $1."
    echo "  missing: $missing"
    echo "  needed:  $pinned, with the dependencies pinned in requirements-test.txt"
    echo "  install: $2"
  } >&2
  exit 1
}

# PATH without the venv's bin/ (the Makefile puts it first).
outside=""
IFS=: read -r -a dirs <<<"$PATH"
for d in "${dirs[@]}"; do
  [[ "${d%/}" == "$venv/bin" ]] || outside="${outside:+$outside:}$d"
done

# 1. The venv, as built by an earlier run from this very requirements-test.txt (it keeps a
# copy), so that a changed dependency pin rebuilds it too.
stamp="$venv/requirements-test.txt"
if [[ -x "$venv/bin/python3" ]]; then
  if [[ ! -f "$stamp" || "$(<"$stamp")" != "$(<"$req")" ]]; then
    stale="requirements-test.txt changed since it was built"
  elif check "$venv/bin" python3; then
    say "using $pinned from $show_venv"
    exit 0
  else
    stale="$(joined)"
  fi
fi

# 2. The tools on PATH.
if check "$outside" "$python"; then
  if [[ -e "$venv" ]]; then
    say "removing $show_venv, which no longer matches requirements-test.txt (${stale:-incomplete})"
    rm -rf "$venv"
  fi
  say "using $pinned from PATH"
  exit 0
fi
missing="$(joined)"

# 3. Build the venv and install the pinned set into it.
py="$(lookpath "$python" "$outside")"
os_hint="Debian/Ubuntu: sudo apt-get install python3 python3-venv; macOS: brew install python@3.11"
if [[ -z "$py" ]] || [[ "$missing" == *"3.11 or later is needed"* ]] || [[ "$missing" == *"does not run"* ]]; then
  fail "no usable Python to install them with" "Python 3.11 or later as $python ($os_hint), then make again"
fi
manual="or install them for $python yourself: $python -m pip install -r requirements-test.txt"

rm -rf "$venv" "$log"
trap 'rm -rf "$venv"; exit 130' INT TERM
say "${stale:+$show_venv is stale ($stale); }$missing; installing $pinned and their pinned dependencies into $show_venv (pip's output: $show_venv.log)"
if ! "$py" -m venv "$venv" >"$log" 2>&1; then
  fail "$python -m venv could not create $show_venv ($(grep -v '^[[:space:]]*$' "$log" | tail -n1 | cut -c1-200))" \
    "the venv module ($os_hint), then make again; $manual"
fi

pip=("$venv/bin/python3" -m pip install --no-input --disable-pip-version-check --progress-bar off
  --timeout 15 --retries 2 -r "$req")
if command -v timeout >/dev/null 2>&1; then
  pip=(timeout "$install_timeout" "${pip[@]}")
fi
# In the background, so that an interrupt (whose trap removes the venv) also stops pip, which
# `timeout` keeps out of the terminal's process group.
"${pip[@]}" >>"$log" 2>&1 </dev/null &
pip_pid=$!
trap 'kill "$pip_pid" 2>/dev/null; rm -rf "$venv"; exit 130' INT TERM
status=0
wait "$pip_pid" || status=$?
trap - INT TERM
if ((status != 0)); then
  index="${PIP_INDEX_URL:-the package index}"
  how="run make again once $index is reachable (PIP_INDEX_URL=<mirror> make test for a mirror, PIP_NO_INDEX=1 PIP_FIND_LINKS=<folder of wheels> offline); $manual"
  if ((status == 124)); then
    cause="pip did not finish within ${install_timeout}s (PYTHON_TOOLS_TIMEOUT)"
  elif ! grep -q 'require a different python version' "$log" &&
    grep -qE 'NewConnectionError|ConnectTimeout|ReadTimeout|ProxyError|SSLError|Name or service not known|Temporary failure in name resolution|nodename nor servname|Network is unreachable|Connection refused|Could not fetch URL|from versions: none' "$log"; then
    cause="$index could not be reached"
  else
    cause="pip could not install them ($(grep '^ERROR:' "$log" | tail -n1 | cut -c1-200))"
    how="see the log for pip's reason, then make again; $manual"
  fi
  fail "$cause (pip's output: $show_venv.log)" "$how"
fi

if ! check "$venv/bin" python3; then
  missing="$(joined)"
  fail "pip installed requirements-test.txt into $show_venv, yet its tools are not the pinned ones" "$manual"
fi
cp "$req" "$stamp"
rm -f "$log"
say "installed; the tests use $show_venv/bin (first on PATH under make)"
