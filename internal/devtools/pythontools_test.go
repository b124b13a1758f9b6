package devtools

import (
	"bufio"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

var (
	root, _      = filepath.Abs(filepath.Join("..", ".."))
	requirements = filepath.Join(root, "requirements-test.txt")
	script       = filepath.Join(root, "scripts", "python-tools.sh")
)

// A pinned line of requirements-test.txt: name, optional [extras], ==version, optional comment.
var pinLine = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[a-z0-9,-]+\])?==([0-9][0-9A-Za-z.+!-]*)(\s+#.*)?$`)

type pin struct{ name, version string }

// pins reads requirements-test.txt: every requirement in it must be pinned to one version.
func pins(t *testing.T) []pin {
	t.Helper()
	f, err := os.Open(requirements)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []pin
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if trimmed := strings.TrimSpace(line); trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		m := pinLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("requirements-test.txt:%d: %q is not name==version", n, line)
		}
		out = append(out, pin{strings.ToLower(m[1]), m[3]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func version(ps []pin, name string) string {
	for _, p := range ps {
		if p.name == name {
			return p.version
		}
	}
	return ""
}

// TestRequirementsArePinned: the three tools, with moto's server extra, and nothing unpinned
// or twice.
func TestRequirementsArePinned(t *testing.T) {
	src, err := os.ReadFile(requirements)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^moto\[server\]==`).Match(src) {
		t.Error("requirements-test.txt must pin moto with its server extra (moto[server]==...)")
	}
	ps := pins(t)
	for _, name := range []string{"moto", "cfn-lint", "aws-sam-translator", "flask", "flask-cors", "pyyaml"} {
		if version(ps, name) == "" {
			t.Errorf("requirements-test.txt does not pin %s", name)
		}
	}
	seen := map[string]bool{}
	for _, p := range ps {
		if seen[p.name] {
			t.Errorf("requirements-test.txt pins %s twice", p.name)
		}
		seen[p.name] = true
	}
}

// stubPython stands in for python3 on the fake machine. It answers the script's version probe
// (-c CODE NAME...) from the "installed" file of its prefix (the folder above its bin/),
// builds a venv as a copy of itself, and plays pip against a stub index: the folder
// PIP_INDEX_URL names (file://...), with one file per distribution holding the version it
// serves; a missing folder is an index out of reach, answered as pip does (with a traceback
// thrown in, which must not reach the user). Each venv and pip call is logged to STUB_LOG.
const stubPython = `#!/usr/bin/env bash
prefix="$(cd "$(dirname "$0")/.." && pwd)"
case "$1 $2" in
"-c "*)
  echo "python ${STUB_PYTHON_VERSION:-3.11.7}"
  shift 2
  for name in "$@"; do
    v="$(sed -n "s/^$name==//p" "$prefix/installed" 2>/dev/null | head -n1)"
    echo "$name ${v:--}"
  done
  ;;
"-m venv")
  echo "venv $3" >>"$STUB_LOG"
  if [ -n "$STUB_NO_VENV" ]; then
    echo "Error: Command '[...bin/python3', '-m', 'ensurepip', '--upgrade', '--default-pip']' returned non-zero exit status 1."
    echo "The virtual environment was not created successfully because ensurepip is not available. On Debian/Ubuntu systems, you need to install the python3-venv package."
    exit 1
  fi
  mkdir -p "$3/bin" && cp "$0" "$3/bin/python3" && : >"$3/installed"
  ;;
"-m pip")
  shift 2
  echo "pip $*" >>"$STUB_LOG"
  [ -z "$STUB_PIP_HANGS" ] || sleep 60
  req=""
  while [ $# -gt 0 ]; do [ "$1" = -r ] && req="$2"; shift; done
  index="${PIP_INDEX_URL#file://}"
  if [ ! -d "$index" ]; then
    echo "WARNING: Retrying (Retry(total=1, connect=None, read=None, redirect=None, status=None)) after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object at 0x7f>: Failed to establish a new connection: [Errno 111] Connection refused')': /simple/moto/"
    echo "Traceback (most recent call last):"
    echo '  File "pip/_internal/network/session.py", line 1, in send'
    echo "ERROR: Could not find a version that satisfies the requirement moto[server]==5.2.1 (from versions: none)" >&2
    echo "ERROR: No matching distribution found for moto[server]==5.2.1" >&2
    exit 1
  fi
  sed -n 's/^\([A-Za-z0-9._-]*\)\(\[[^]]*\]\)\{0,1\}==\([^[:space:]]*\).*/\1 \3/p' "$req" | while read -r name version; do
    if [ "$(cat "$index/$name" 2>/dev/null)" != "$version" ]; then
      echo "ERROR: No matching distribution found for $name==$version" >&2
      exit 1
    fi
    echo "$name==$version" >>"$prefix/installed"
  done || exit 1
  for tool in cfn-lint moto_server; do
    printf '#!/usr/bin/env bash\n' >"$prefix/bin/$tool" && chmod +x "$prefix/bin/$tool"
  done
  ;;
*)
  echo "stub python3: unexpected arguments: $*" >&2
  exit 2
  ;;
esac
`

// machine is a fake machine for scripts/python-tools.sh: a PATH of stub executables and the
// few system utilities the script uses, a stub index serving requirements-test.txt's pins,
// and a venv folder of its own.
type machine struct {
	t     *testing.T
	dir   string
	utils string // symlinks to bash, sed, ... (no python, no tools)
	sys   string // the "system" Python's prefix: sys/bin/python3, sys/installed
	venv  string
	index string
	log   string // the stub's record of venv and pip calls
	path  string // the PATH the script runs with
	pins  []pin
}

func newMachine(t *testing.T) *machine {
	t.Helper()
	dir := t.TempDir()
	m := &machine{
		t: t, dir: dir, utils: filepath.Join(dir, "utils"), sys: filepath.Join(dir, "sys"),
		venv: filepath.Join(dir, "work", ".venv-test"), index: filepath.Join(dir, "index"),
		log: filepath.Join(dir, "stub.log"), pins: pins(t),
	}
	for _, d := range []string{m.utils, filepath.Join(m.sys, "bin"), filepath.Join(dir, "work"), m.index} {
		must(t, os.MkdirAll(d, 0o755))
	}
	for _, name := range []string{"bash", "env", "sed", "head", "tail", "grep", "cut", "cat", "cp", "mkdir", "rm", "chmod", "dirname", "sleep", "timeout"} {
		p, err := exec.LookPath(name)
		if err != nil {
			if name == "timeout" { // not on macOS; the script does without it
				continue
			}
			t.Fatalf("%s is not on PATH: %v", name, err)
		}
		must(t, os.Symlink(p, filepath.Join(m.utils, name)))
	}
	m.python(m.sys)
	for _, p := range m.pins {
		must(t, os.WriteFile(filepath.Join(m.index, p.name), []byte(p.version), 0o644))
	}
	must(t, os.WriteFile(m.log, nil, 0o644))
	m.path = filepath.Join(m.sys, "bin") + ":" + m.utils
	return m
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// python puts the stub python3 in prefix/bin with nothing installed.
func (m *machine) python(prefix string) string {
	py := filepath.Join(prefix, "bin", "python3")
	must(m.t, os.MkdirAll(filepath.Dir(py), 0o755))
	must(m.t, os.WriteFile(py, []byte(stubPython), 0o755))
	must(m.t, os.WriteFile(filepath.Join(prefix, "installed"), nil, 0o644))
	return py
}

// install records distributions as installed for prefix's python3: name==version each.
func (m *machine) install(prefix string, dists ...string) {
	f, err := os.OpenFile(filepath.Join(prefix, "installed"), os.O_APPEND|os.O_WRONLY, 0)
	must(m.t, err)
	defer f.Close()
	for _, d := range dists {
		_, err := f.WriteString(d + "\n")
		must(m.t, err)
	}
}

// pinned is the pinned name==version of each name.
func (m *machine) pinned(names ...string) []string {
	var out []string
	for _, n := range names {
		out = append(out, n+"=="+version(m.pins, n))
	}
	return out
}

// tool puts an executable name in prefix/bin whose #! line is interpreter.
func (m *machine) tool(prefix, name, interpreter string) {
	must(m.t, os.WriteFile(filepath.Join(prefix, "bin", name), []byte("#!"+interpreter+"\n"), 0o755))
}

// pinnedSystem: the system Python holds the pinned tools, cfn-lint and moto_server on PATH.
func (m *machine) pinnedSystem() {
	m.install(m.sys, m.pinned("moto", "cfn-lint", "aws-sam-translator", "flask", "flask-cors")...)
	m.tool(m.sys, "cfn-lint", "/usr/bin/env bash")
	m.tool(m.sys, "moto_server", "/usr/bin/env bash")
}

type result struct {
	stdout, stderr string
	failed         bool
	calls          []string // the stub's log: "venv DIR", "pip ARGS"
}

func (m *machine) run(env ...string) result {
	m.t.Helper()
	must(m.t, os.WriteFile(m.log, nil, 0o644))
	// A hang guard, not a speed check: building a real venv on a loaded machine takes a while.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(m.utils, "bash"), script)
	cmd.Dir = m.dir
	cmd.Env = append([]string{
		"PATH=" + m.path, "HOME=" + m.dir, "LC_ALL=C", "STUB_LOG=" + m.log,
		"PYTHON_TOOLS_VENV=" + m.venv, "PIP_INDEX_URL=file://" + m.index,
	}, env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		m.t.Fatalf("python-tools.sh did not finish within three minutes\nstdout: %s\nstderr: %s", &stdout, &stderr)
	}
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		m.t.Fatal(err)
	}
	calls, _ := os.ReadFile(m.log)
	r := result{stdout: stdout.String(), stderr: stderr.String(), failed: err != nil}
	for _, c := range strings.Split(strings.TrimSpace(string(calls)), "\n") {
		if c != "" {
			r.calls = append(r.calls, c)
		}
	}
	m.t.Logf("exit failed=%v\nstdout:\n%s\nstderr:\n%s\nstub calls: %q", r.failed, r.stdout, r.stderr, r.calls)
	return r
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// wantInstalled checks the venv was built, for the reason given, and every pin of
// requirements-test.txt installed into it, from the stub index, with pip's bounded,
// non-interactive flags.
func (m *machine) wantInstalled(r result, reason string) {
	t := m.t
	t.Helper()
	if r.failed {
		t.Fatalf("python-tools.sh failed: %s", r.stderr)
	}
	if !strings.Contains(r.stdout, reason+"; installing moto[server]==") {
		t.Errorf("stdout does not announce the install because %q: %q", reason, r.stdout)
	}
	if len(r.calls) != 2 || r.calls[0] != "venv "+m.venv || !strings.HasPrefix(r.calls[1], "pip install ") {
		t.Fatalf("want a venv at %s, then one pip install; the stub saw %q", m.venv, r.calls)
	}
	pipArgs := strings.Fields(strings.TrimPrefix(r.calls[1], "pip "))
	for _, want := range [][]string{{"-r", requirements}, {"--timeout", "15"}, {"--retries", "2"}, {"--no-input"}} {
		if i := slices.Index(pipArgs, want[0]); i < 0 || (len(want) == 2 && (i+1 >= len(pipArgs) || filepath.Clean(pipArgs[i+1]) != want[1])) {
			t.Errorf("pip was not given %q: %q", want, pipArgs)
		}
	}
	got, err := os.ReadFile(filepath.Join(m.venv, "installed"))
	must(t, err)
	var want []string
	for _, p := range m.pins {
		want = append(want, p.name+"=="+p.version)
	}
	if strings.TrimSpace(string(got)) != strings.Join(want, "\n") {
		t.Errorf("the venv holds\n%s\nwant every pin of requirements-test.txt:\n%s", got, strings.Join(want, "\n"))
	}
	for _, tool := range []string{"cfn-lint", "moto_server"} {
		if !exists(filepath.Join(m.venv, "bin", tool)) {
			t.Errorf("the venv has no bin/%s", tool)
		}
	}
	if !strings.Contains(r.stdout, "installed; the tests use "+m.venv+"/bin") {
		t.Errorf("stdout does not say the venv is in use: %q", r.stdout)
	}
	if stamp, err := os.ReadFile(filepath.Join(m.venv, "requirements-test.txt")); err != nil || len(stamp) < 100 {
		t.Errorf("the venv keeps no copy of the requirements-test.txt it was built from: %v", err)
	}
	if exists(m.venv + ".log") {
		t.Errorf("pip's log %s.log is left after a successful install", m.venv)
	}
}

// wantOneMessage checks a failure: a non-zero exit, one message naming what is missing and
// how to install it, no traceback or pip chatter on the terminal, no venv left behind.
func (m *machine) wantOneMessage(r result, cause string, mentions ...string) {
	t := m.t
	t.Helper()
	if !r.failed {
		t.Fatalf("python-tools.sh succeeded, want a failure (%s)", cause)
	}
	if n := strings.Count(r.stderr, "python-tools: cannot install the Python test tools: "); n != 1 {
		t.Errorf("stderr has %d messages, want exactly one:\n%s", n, r.stderr)
	}
	out := r.stdout + r.stderr
	for _, want := range append([]string{cause, "missing: ", "install: "}, mentions...) {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the message lacks %q:\n%s", want, r.stderr)
		}
	}
	for _, bad := range []string{"Traceback", "WARNING: Retrying", "File \"", "line 1"} {
		if strings.Contains(out, bad) {
			t.Errorf("the output shows %q (pip's or the shell's own errors must not reach the user):\n%s", bad, out)
		}
	}
	if n := len(strings.Split(strings.TrimSpace(r.stderr), "\n")); n > 5 {
		t.Errorf("the message is %d lines long, want at most 5:\n%s", n, r.stderr)
	}
	if exists(m.venv) {
		t.Errorf("a half-built venv is left at %s", m.venv)
	}
}

// TestPythonTools runs scripts/python-tools.sh on fake machines, one branch each: the pinned
// tools on PATH are used as they are; missing or other versions get the venv, built from the
// stub index; an index out of reach, or no way to build a venv, is one message and a
// non-zero exit. Hermetic (stubs only, nothing from the network) and fast: it runs under
// -short.
func TestPythonTools(t *testing.T) {
	const missingAll = "moto_server not on PATH"

	t.Run("pinned tools on PATH are used, nothing installed", func(t *testing.T) {
		m := newMachine(t)
		m.pinnedSystem()
		r := m.run()
		if r.failed || !strings.Contains(r.stdout, "from PATH") {
			t.Fatalf("want success using the tools from PATH")
		}
		if len(r.calls) != 0 || exists(m.venv) {
			t.Errorf("nothing may be installed when the tools match: stub calls %q, venv exists %v", r.calls, exists(m.venv))
		}
	})

	t.Run("tools missing: venv built from the index, then used", func(t *testing.T) {
		m := newMachine(t)
		r := m.run()
		m.wantInstalled(r, "aws-sam-translator not installed for python3 (1.110.0 pinned); cfn-lint not on PATH; "+missingAll)
		// The next run (under make: the venv's bin/ first on PATH) uses it as it is.
		m.path = filepath.Join(m.venv, "bin") + ":" + m.path
		r = m.run()
		if r.failed || !strings.Contains(r.stdout, "from "+m.venv) || len(r.calls) != 0 {
			t.Errorf("second run: want the venv used with no venv or pip call, got calls %q", r.calls)
		}
		// A venv built from another requirements-test.txt (a dependency's pin changed) is
		// built again.
		must(t, os.WriteFile(filepath.Join(m.venv, "requirements-test.txt"), []byte("urllib3==1.0\n"), 0o644))
		r = m.run()
		if !strings.Contains(r.stdout, "is stale (requirements-test.txt changed since it was built)") {
			t.Errorf("third run: the venv of an older requirements-test.txt is not reported stale: %q", r.stdout)
		}
		m.wantInstalled(r, missingAll)
	})

	t.Run("a tool at another version: venv", func(t *testing.T) {
		m := newMachine(t)
		m.pinnedSystem()
		must(t, os.WriteFile(filepath.Join(m.sys, "installed"),
			[]byte(strings.Join(append(m.pinned("moto", "aws-sam-translator", "flask", "flask-cors"), "cfn-lint==1.50.0"), "\n")+"\n"), 0o644))
		m.wantInstalled(m.run(), "cfn-lint on PATH is 1.50.0 (1.51.0 pinned)")
	})

	t.Run("cfn-lint of another Python at another version (pipx): venv", func(t *testing.T) {
		m := newMachine(t)
		m.pinnedSystem()
		other := filepath.Join(m.dir, "pipx")
		m.tool(m.sys, "cfn-lint", m.python(other)) // #!.../pipx/bin/python3
		m.install(other, "cfn-lint==1.40.0")
		m.wantInstalled(m.run(), "cfn-lint on PATH is 1.40.0 (1.51.0 pinned)")
	})

	t.Run("moto without its server extra: venv", func(t *testing.T) {
		m := newMachine(t)
		m.pinnedSystem()
		must(t, os.WriteFile(filepath.Join(m.sys, "installed"),
			[]byte(strings.Join(m.pinned("moto", "cfn-lint", "aws-sam-translator"), "\n")+"\n"), 0o644))
		m.wantInstalled(m.run(), "moto_server without moto's server extra (flask, flask-cors)")
	})

	t.Run("a stale venv is removed when the tools on PATH match", func(t *testing.T) {
		m := newMachine(t)
		m.pinnedSystem()
		m.python(m.venv)
		m.install(m.venv, "moto==4.0.0", "cfn-lint==0.80.0", "aws-sam-translator==1.0.0")
		m.path = filepath.Join(m.venv, "bin") + ":" + m.path
		r := m.run()
		if r.failed || !strings.Contains(r.stdout, "from PATH") || len(r.calls) != 0 {
			t.Fatalf("want the tools on PATH used, nothing installed")
		}
		if exists(m.venv) {
			t.Errorf("the stale venv %s is left to shadow the tools on PATH", m.venv)
		}
	})

	t.Run("index out of reach: one message, no traceback, no venv", func(t *testing.T) {
		m := newMachine(t)
		nowhere := "file://" + filepath.Join(m.dir, "no-index")
		r := m.run("PIP_INDEX_URL=" + nowhere)
		m.wantOneMessage(r, nowhere+" could not be reached",
			missingAll, "cfn-lint not on PATH", "aws-sam-translator not installed for python3",
			"moto[server]==", "python3 -m pip install -r requirements-test.txt")
		if log, err := os.ReadFile(m.venv + ".log"); err != nil || !strings.Contains(string(log), "Traceback") {
			t.Errorf("pip's full output is not kept in %s.log: %v", m.venv, err)
		}
	})

	t.Run("the index lacks a pin: pip's reason, one message", func(t *testing.T) {
		m := newMachine(t)
		must(t, os.Remove(filepath.Join(m.index, "regex")))
		r := m.run()
		m.wantOneMessage(r, "pip could not install them (ERROR: No matching distribution found for regex==",
			missingAll, "see the log for pip's reason")
		if strings.Contains(r.stderr, "could not be reached") {
			t.Errorf("a missing distribution is reported as an index out of reach:\n%s", r.stderr)
		}
	})

	t.Run("an index that never answers: pip stopped, one message", func(t *testing.T) {
		m := newMachine(t)
		if !exists(filepath.Join(m.utils, "timeout")) {
			t.Skip("no timeout command (macOS): pip's own --timeout is the only bound")
		}
		start := time.Now()
		r := m.run("STUB_PIP_HANGS=1", "PYTHON_TOOLS_TIMEOUT=1")
		m.wantOneMessage(r, "pip did not finish within 1s", missingAll)
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("the script took %v with PYTHON_TOOLS_TIMEOUT=1", d)
		}
	})

	t.Run("no venv module (Debian without python3-venv): one message", func(t *testing.T) {
		m := newMachine(t)
		r := m.run("STUB_NO_VENV=1")
		m.wantOneMessage(r, "python3 -m venv could not create", "apt-get install python3 python3-venv", missingAll)
		if len(r.calls) != 1 {
			t.Errorf("pip must not run without a venv: stub calls %q", r.calls)
		}
	})

	t.Run("Python older than 3.11: one message, nothing tried", func(t *testing.T) {
		m := newMachine(t)
		r := m.run("STUB_PYTHON_VERSION=3.9.18")
		m.wantOneMessage(r, "no usable Python", "3.11 or later", "brew install python@3.11")
		if len(r.calls) != 0 {
			t.Errorf("nothing may be tried with Python 3.9: stub calls %q", r.calls)
		}
	})
}

// TestPythonToolsRealPipIndexOutOfReach runs the script with the machine's own python3 (its
// real venv module and pip), cfn-lint and moto_server kept off PATH, against an index on a
// closed loopback port: pip's real failure must end, quickly, in the one message.
func TestPythonToolsRealPipIndexOutOfReach(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds a real venv (about 10 s)")
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not on PATH")
	}
	out, err := exec.Command(python, "-c", "import sys, ensurepip, venv; print(sys.executable)").Output()
	if err != nil {
		t.Skipf("%s has no venv/ensurepip module", python)
	}
	m := newMachine(t)
	must(t, os.Remove(filepath.Join(m.sys, "bin", "python3")))
	must(t, os.Symlink(strings.TrimSpace(string(out)), filepath.Join(m.sys, "bin", "python3")))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	closed := "http://" + ln.Addr().String() + "/simple"
	ln.Close()
	// pip's waits are bounded by the flags the script passes (--timeout, --retries; the stub
	// tests check them), so an unreachable index ends in the one message, not in the guard.
	r := m.run("PIP_INDEX_URL="+closed, "PIP_CONFIG_FILE="+os.DevNull, "PIP_FIND_LINKS=")
	m.wantOneMessage(r, closed+" could not be reached", "cfn-lint not on PATH", "python3 -m pip install -r requirements-test.txt")
}
