package lambdaruntime

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/devstack"
	"github.com/monban-auth/monban/internal/devstack/devstacktest"
	"github.com/monban-auth/monban/internal/triggers"
)

// The tests in this file run every function the repository holds — each folder under
// functions/ and triggers/ — as the binary SAM deploys, built for this machine's
// architecture, and send it the events in testdata/events/<function>/. A function without
// a suite and fixtures fails TestFunctions, so none ships untested.

// suite is what the tests need to know about one function.
type suite struct {
	// env returns the function's own environment (its template Environment), starting
	// whatever it talks to.
	env func(tb testing.TB) map[string]string
	// checks holds one check per fixture, keyed by the fixture's file name without .json.
	checks map[string]check
	// coldStart names the fixture BenchmarkColdStart sends as the first event.
	coldStart string
}

// check judges the function's answer to one fixture; env is what the function ran with.
type check func(t *testing.T, env map[string]string, response []byte, fnErr *FunctionError)

// suites is keyed by function name (its folder's name); the triggers' names come from
// their table.
var suites = map[string]suite{
	"api":                            apiSuite,
	"authorizer":                     authorizerSuite,
	"sample-api":                     sampleAPISuite,
	triggers.PreSignUp.Name:          preSignUpSuite,
	triggers.PreTokenGeneration.Name: preTokenSuite,
}

// function is a folder holding a Lambda function's main package.
type function struct {
	name string // folder name: the key of suites, fixtures and benchmarks
	dir  string // absolute
}

var (
	rootOnce sync.Once
	root     string
	rootErr  error
)

// moduleRoot is the folder holding go.mod, found upwards from the package directory.
func moduleRoot(tb testing.TB) string {
	tb.Helper()
	rootOnce.Do(func() {
		dir, err := os.Getwd()
		if err != nil {
			rootErr = err
			return
		}
		// A path has finitely many parents; the loop ends at the filesystem root.
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				root = dir
				return
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				rootErr = errors.New("no go.mod above the working directory")
				return
			}
			dir = parent
		}
	})
	if rootErr != nil {
		tb.Fatal(rootErr)
	}
	return root
}

// discoverFunctions lists the folders of functions/ and triggers/ that hold Go code, as
// they are when the test runs, so functions added later are covered without edits here.
func discoverFunctions(tb testing.TB) []function {
	tb.Helper()
	base := moduleRoot(tb)
	var out []function
	seen := map[string]string{}
	for _, parent := range []string{"functions", "triggers"} {
		entries, err := os.ReadDir(filepath.Join(base, parent))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			tb.Fatal(err)
		}
		for _, e := range entries {
			dir := filepath.Join(base, parent, e.Name())
			if !e.IsDir() || !hasGoCode(tb, dir) {
				continue
			}
			if other, dup := seen[e.Name()]; dup {
				tb.Fatalf("two functions are named %q (%s and %s): names key fixtures and benchmarks, so they must differ", e.Name(), other, parent)
			}
			seen[e.Name()] = parent
			out = append(out, function{name: e.Name(), dir: dir})
		}
	}
	return out
}

func hasGoCode(tb testing.TB, dir string) bool {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		tb.Fatal(err)
	}
	return slices.ContainsFunc(files, func(f string) bool { return !strings.HasSuffix(f, "_test.go") })
}

// fixture is one event from testdata/events/<function>/.
type fixture struct {
	name  string
	event []byte
}

// suiteFor returns fn's suite and fixtures, failing unless every fixture has a check and
// every check a fixture.
func suiteFor(tb testing.TB, fn function) (suite, []fixture) {
	tb.Helper()
	dir := filepath.Join("testdata", "events", fn.name)
	s, ok := suites[fn.name]
	if !ok {
		tb.Fatalf("function %s has no test suite: add real events under internal/lambdaruntime/%s/ and an entry for %q in suites (functions_test.go)", fn.name, dir, fn.name)
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		tb.Fatal(err)
	}
	if len(paths) == 0 {
		tb.Fatalf("function %s has no event fixtures: add real events under internal/lambdaruntime/%s/", fn.name, dir)
	}
	var fixtures []fixture
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(p), ".json")
		if s.checks[name] == nil {
			tb.Fatalf("fixture %s has no check in the %s suite", p, fn.name)
		}
		fixtures = append(fixtures, fixture{name, b})
	}
	for name := range s.checks {
		if !slices.ContainsFunc(fixtures, func(f fixture) bool { return f.name == name }) {
			tb.Fatalf("the %s suite checks %q, but %s/%s.json does not exist", fn.name, name, dir, name)
		}
	}
	if !slices.ContainsFunc(fixtures, func(f fixture) bool { return f.name == s.coldStart }) {
		tb.Fatalf("the %s suite's coldStart %q is not one of its fixtures", fn.name, s.coldStart)
	}
	return s, fixtures
}

// requireLinux skips where the binaries, built for linux as Lambda runs them, cannot run.
func requireLinux(tb testing.TB) {
	tb.Helper()
	if runtime.GOOS != "linux" {
		tb.Skipf("the function binaries are built for linux; this is %s", runtime.GOOS)
	}
}

var (
	buildOnce sync.Once
	binaries  map[string]string // function name → bootstrap
	buildErrs map[string]error
)

// bootstrap returns fn's binary, built as SAM builds it but for this machine's
// architecture. All functions are built once per test binary, in parallel.
func bootstrap(tb testing.TB, fn function) string {
	tb.Helper()
	if testing.Short() {
		// The inner loop (make unit) builds no binaries: a cold build of every function
		// takes minutes. make test runs these.
		tb.Skip("-short: builds the Lambda binaries")
	}
	buildOnce.Do(func() {
		fns := discoverFunctions(tb)
		binaries, buildErrs = map[string]string{}, map[string]error{}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, f := range fns {
			out := filepath.Join(workDir, "bin", f.name, "bootstrap")
			wg.Go(func() {
				err := Build(ctx, f.dir, out, runtime.GOARCH)
				mu.Lock()
				defer mu.Unlock()
				binaries[f.name], buildErrs[f.name] = out, err
			})
		}
		wg.Wait()
	})
	if err := buildErrs[fn.name]; err != nil {
		tb.Fatal(err)
	}
	if binaries[fn.name] == "" {
		tb.Fatalf("%s was not built", fn.name)
	}
	return binaries[fn.name]
}

// startFunction starts a built function for one test, logging its output to the test.
func startFunction(tb testing.TB, fn function, env map[string]string) *Function {
	tb.Helper()
	bin := bootstrap(tb, fn) // before the start's deadline: a cold build takes minutes
	ctx, cancel := context.WithTimeout(tb.Context(), 30*time.Second)
	defer cancel()
	f, err := Start(ctx, Options{Bootstrap: bin, Name: fn.name, Env: env, Log: tb.Output()})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := f.Stop(); err != nil {
			tb.Error(err)
		}
	})
	return f
}

func TestFunctions(t *testing.T) {
	fns := discoverFunctions(t)
	if len(fns) == 0 {
		t.Fatal("no function found under functions/ or triggers/")
	}
	for _, fn := range fns {
		t.Run(fn.name, func(t *testing.T) {
			s, fixtures := suiteFor(t, fn) // before any skip: a missing suite always fails
			requireLinux(t)
			env := s.env(t)
			f := startFunction(t, fn, env)
			for _, fx := range fixtures {
				t.Run(fx.name, func(t *testing.T) {
					ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
					defer cancel()
					resp, fnErr, err := f.Invoke(ctx, fx.event)
					if err != nil {
						t.Fatalf("Invoke: %v\nstderr:\n%s", err, f.Stderr())
					}
					s.checks[fx.name](t, env, resp, fnErr)
				})
			}
		})
	}
}

// The emulator is shared by every test and benchmark of this binary: its start costs a
// couple of seconds and the tests only read from the pool.
var emulator struct {
	once sync.Once
	err  error // ran and failed
	cl   *devstack.CognitoLocal
	pool devstack.Pool
}

// requireEmulator returns a running cognito-local with the test pool. Where cognito-local
// cannot be had (no node, no npm install) the test is skipped, and failed under CI=true,
// where a missing emulator must not pass silently.
func requireEmulator(tb testing.TB) (*devstack.CognitoLocal, devstack.Pool) {
	tb.Helper()
	local := devstacktest.RequireEmulator(tb)
	emulator.once.Do(func() { startEmulator(local) })
	if emulator.err != nil {
		tb.Fatal(emulator.err)
	}
	return emulator.cl, emulator.pool
}

func startEmulator(local string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	data := filepath.Join(workDir, "cognito")
	cl, err := devstack.StartCognitoLocal(ctx, devstack.CognitoLocalOptions{LocalDir: local, DataDir: data})
	if err != nil {
		emulator.err = err
		return
	}
	pool, err := devstack.Bootstrap(ctx, devstack.NewCognitoClient(cl.URL), cl.URL, devstack.BootstrapOptions{
		PoolName:     "monban-lambda-test",
		ClientName:   "monban-site",
		CallbackURLs: []string{siteOrigin + "/auth/callback"},
		LogoutURLs:   []string{siteOrigin + "/"},
	})
	if err != nil {
		_ = cl.Stop()
		emulator.err = fmt.Errorf("bootstrap the pool: %w\n%s", err, cl.Output())
		return
	}
	emulator.cl, emulator.pool = cl, pool
}

// stopEmulator runs after every test of the binary (TestMain).
func stopEmulator() {
	if emulator.cl != nil {
		if err := emulator.cl.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
}

// randomSecret is a session secret for one run: long enough, and never a constant that
// could end up in a deployment.
func randomSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// withEnv returns a copy of env with changes applied; an empty value removes the variable.
func withEnv(env map[string]string, changes map[string]string) map[string]string {
	out := maps.Clone(env)
	for k, v := range changes {
		if v == "" {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}
