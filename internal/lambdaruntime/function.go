package lambdaruntime

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Defaults follow template.yaml's Globals and Lambda's own limits.
const (
	defaultMemoryMB    = 256
	defaultTimeout     = 10 * time.Second // the template's function timeout
	defaultInitTimeout = 10 * time.Second // Lambda's limit for init
	exitGrace          = 2 * time.Second  // for a failed init to exit after reporting
	stopWait           = 5 * time.Second  // for a killed process to be reaped
	tailSize           = 16 << 10         // how much of stdout and stderr is kept
)

// errStopped is Invoke's error once the function's process has ended.
var errStopped = errors.New("lambdaruntime: function stopped")

// Options describe one execution environment.
type Options struct {
	// Bootstrap is the path of the built function binary.
	Bootstrap string
	// Name is AWS_LAMBDA_FUNCTION_NAME; default: the name of the folder holding Bootstrap.
	Name string
	// Env is the function's own environment (the template's Environment.Variables). It is
	// added to, and may override, what Lambda sets. Nothing is inherited from the calling
	// process, so a developer's AWS profile, region or proxy cannot leak into the function.
	Env map[string]string
	// MemoryMB is AWS_LAMBDA_FUNCTION_MEMORY_SIZE; default 256. It is not enforced.
	MemoryMB int
	// Timeout bounds each invocation and sets its deadline; default 10 s.
	Timeout time.Duration
	// InitTimeout bounds the start, until the function asks for its first event; default 10 s.
	InitTimeout time.Duration
	// Log receives the function's stdout and stderr as they are written; nil discards them.
	Log io.Writer
}

// InitError is a function that failed to start: it reported an init error, or its process
// exited before asking for an event.
type InitError struct {
	// Type is the errorType the function reported, or Runtime.ExitError when it exited
	// without reporting.
	Type    string
	Message string
	// Reported is whether the function posted the error to /runtime/init/error.
	Reported bool
	// ExitCode is the process's exit status; -1 when it was killed or had not exited.
	ExitCode int
	// Stderr is the end of what the process wrote to stderr.
	Stderr string
}

func (e *InitError) Error() string {
	msg := fmt.Sprintf("lambdaruntime: init failed: %s: %s (exit code %d)", e.Type, e.Message, e.ExitCode)
	if e.Stderr != "" {
		msg += "\n--- stderr (tail) ---\n" + e.Stderr
	}
	return msg
}

// Function is a running bootstrap process and its Runtime API.
type Function struct {
	name, arn string
	timeout   time.Duration
	api       *runtimeAPI
	cmd       *exec.Cmd
	stdout    *tail
	stderr    *tail

	exited  chan struct{} // closed once the process has been reaped
	waitErr error         // set before exited is closed

	invokeMu sync.Mutex // one invocation at a time, as in one execution environment
	stopOnce sync.Once
	stopErr  error
}

// Start runs the bootstrap with Lambda's environment and waits until it asks for its first
// event, which is when Lambda's init phase ends. An init failure is an *InitError; ctx and
// Options.InitTimeout bound the wait. The process runs until Stop or a failed invocation.
func Start(ctx context.Context, o Options) (*Function, error) {
	bin, err := filepath.Abs(o.Bootstrap)
	if err != nil {
		return nil, fmt.Errorf("lambdaruntime: %w", err)
	}
	if st, err := os.Stat(bin); err != nil || !st.Mode().IsRegular() {
		return nil, fmt.Errorf("lambdaruntime: bootstrap %s is not a file", o.Bootstrap)
	}
	if o.Name == "" {
		o.Name = filepath.Base(filepath.Dir(bin))
	}
	if o.MemoryMB == 0 {
		o.MemoryMB = defaultMemoryMB
	}
	if o.Timeout == 0 {
		o.Timeout = defaultTimeout
	}
	if o.InitTimeout == 0 {
		o.InitTimeout = defaultInitTimeout
	}
	api, err := startRuntimeAPI()
	if err != nil {
		return nil, fmt.Errorf("lambdaruntime: runtime API: %w", err)
	}
	env := lambdaEnv(o, api.addr, filepath.Dir(bin))
	f := &Function{
		name:    o.Name,
		arn:     "arn:aws:lambda:" + env["AWS_REGION"] + ":123456789012:function:" + o.Name,
		timeout: o.Timeout,
		api:     api,
		exited:  make(chan struct{}),
	}
	logs := &lockedWriter{w: o.Log}
	f.stdout, f.stderr = &tail{log: logs}, &tail{log: logs}
	cmd := exec.Command(bin)
	cmd.Dir = filepath.Dir(bin) // Lambda runs the function in its code folder
	for _, k := range slices.Sorted(maps.Keys(env)) {
		cmd.Env = append(cmd.Env, k+"="+env[k])
	}
	cmd.Stdout = f.stdout
	cmd.Stderr = f.stderr
	cmd.SysProcAttr = sysProcAttr()
	// Output is copied through pipes; should a grandchild keep them open, do not wait forever.
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		api.close()
		return nil, fmt.Errorf("lambdaruntime: start %s: %w", o.Bootstrap, err)
	}
	f.cmd = cmd
	go func() {
		f.waitErr = cmd.Wait()
		close(f.exited)
	}()

	timer := time.NewTimer(o.InitTimeout)
	defer timer.Stop()
	select {
	case <-api.ready:
		return f, nil
	case <-api.initFailed:
		// Give the process a moment to exit by itself, for its exit code and last words.
		select {
		case <-f.exited:
		case <-time.After(exitGrace):
		}
		return nil, f.initError()
	case <-f.exited:
		return nil, f.initError()
	case <-ctx.Done():
		_ = f.Stop()
		return nil, fmt.Errorf("lambdaruntime: starting %s: %w", o.Name, ctx.Err())
	case <-timer.C:
		_ = f.Stop()
		return nil, fmt.Errorf("lambdaruntime: %s did not ask for an event within %s\n--- stderr (tail) ---\n%s", o.Name, o.InitTimeout, f.stderr.String())
	}
}

// initError stops the function and describes why its init failed.
func (f *Function) initError() *InitError {
	_ = f.Stop()
	e := &InitError{Type: "Runtime.ExitError", ExitCode: -1, Stderr: f.stderr.String()}
	select {
	case <-f.exited: // ProcessState is set
		e.ExitCode = f.cmd.ProcessState.ExitCode()
		e.Message = "runtime exited before asking for an event: " + f.cmd.ProcessState.String()
	default:
		e.Message = "runtime did not exit after SIGKILL"
	}
	if r := f.api.reportedInitError(); r != nil {
		e.Type, e.Message, e.Reported = r.Type, r.Message, true
	}
	return e
}

// Invoke sends event (JSON) to the function and waits for its answer: the response payload,
// or the error the function reported (fnErr). err is for the harness's failures: the
// function stopped, ctx ended, or the invocation timed out. When an invocation times out or
// ctx ends while the function holds the event, the function is stopped, as Lambda stops a
// runtime that overran its timeout; a process that dies mid-invocation is reported as
// Lambda reports it, a Runtime.ExitError function error.
func (f *Function) Invoke(ctx context.Context, event []byte) (response []byte, fnErr *FunctionError, err error) {
	f.invokeMu.Lock()
	defer f.invokeMu.Unlock()
	if !json.Valid(event) {
		return nil, nil, errors.New("lambdaruntime: event is not valid JSON")
	}
	select {
	case <-f.exited:
		return nil, nil, errStopped
	default:
	}
	inv := &invocation{
		id:       newRequestID(),
		arn:      f.arn,
		traceID:  newTraceID(),
		event:    event,
		deadline: time.Now().Add(f.timeout),
		done:     make(chan result, 1),
	}
	f.api.add(inv)
	defer f.api.take(inv.id)
	timer := time.NewTimer(f.timeout)
	defer timer.Stop()

	select {
	case f.api.queue <- inv:
	case <-f.exited:
		return nil, nil, errStopped
	case <-ctx.Done():
		return nil, nil, ctx.Err() // not handed over: the function is undisturbed
	case <-timer.C:
		return nil, nil, fmt.Errorf("lambdaruntime: %s did not ask for the event within %s", f.name, f.timeout)
	}
	select {
	case r := <-inv.done:
		return r.response, r.fnErr, nil
	case <-f.exited:
		select {
		case r := <-inv.done: // answered, then exited
			return r.response, r.fnErr, nil
		default:
		}
		return nil, &FunctionError{Type: "Runtime.ExitError", Message: fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %v", inv.id, f.waitErr)}, nil
	case <-ctx.Done():
		_ = f.Stop()
		return nil, nil, ctx.Err()
	case <-timer.C:
		_ = f.Stop()
		return nil, nil, fmt.Errorf("lambdaruntime: %s: task timed out after %s", f.name, f.timeout)
	}
}

// Stop kills the function's process group (as Lambda does when it recycles an environment,
// SIGKILL), waits for the process to be reaped and closes the Runtime API. It is safe to call
// more than once.
func (f *Function) Stop() error {
	f.stopOnce.Do(func() {
		defer f.api.close()
		select {
		case <-f.exited:
			return
		default:
		}
		_ = killGroup(f.cmd.Process)
		select {
		case <-f.exited:
		case <-time.After(stopWait):
			f.stopErr = fmt.Errorf("lambdaruntime: %s (pid %d) did not exit after SIGKILL", f.name, f.cmd.Process.Pid)
		}
	})
	return f.stopErr
}

// Stdout returns the end of what the function has written to stdout.
func (f *Function) Stdout() string { return f.stdout.String() }

// Stderr returns the end of what the function has written to stderr.
func (f *Function) Stderr() string { return f.stderr.String() }

// lambdaEnv is the environment Lambda gives a provided.al2023 function, with o.Env on top.
// The credentials are placeholders for the execution role's: the SDK finds credentials where
// Lambda puts them, and emulators accept any.
func lambdaEnv(o Options, runtimeAPI, taskRoot string) map[string]string {
	env := map[string]string{
		"AWS_LAMBDA_RUNTIME_API":          runtimeAPI,
		"_HANDLER":                        "bootstrap",
		"AWS_LAMBDA_FUNCTION_NAME":        o.Name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(o.MemoryMB),
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_LAMBDA_LOG_FORMAT":           "JSON", // the template's LoggingConfig
		"AWS_LAMBDA_LOG_LEVEL":            "INFO",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + o.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME":      time.Now().UTC().Format("2006/01/02") + "/[$LATEST]" + randomHex(16),
		"AWS_REGION":                      "us-east-1",
		"AWS_DEFAULT_REGION":              "us-east-1",
		"AWS_ACCESS_KEY_ID":               "ASIALAMBDARUNTIMETEST",
		"AWS_SECRET_ACCESS_KEY":           "lambdaruntime-placeholder",
		"AWS_SESSION_TOKEN":               "lambdaruntime-placeholder",
		"LAMBDA_TASK_ROOT":                taskRoot,
		"LAMBDA_RUNTIME_DIR":              taskRoot,
		"LANG":                            "en_US.UTF-8",
		"TZ":                              ":UTC",
		"PATH":                            "/usr/local/bin:/usr/bin/:/bin:/opt/bin",
	}
	maps.Copy(env, o.Env)
	if o.Env["AWS_REGION"] != "" && o.Env["AWS_DEFAULT_REGION"] == "" {
		env["AWS_DEFAULT_REGION"] = o.Env["AWS_REGION"]
	}
	return env
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newRequestID returns a random UUID, the shape of Lambda's request ids.
func newRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// newTraceID returns an X-Ray trace header, unsampled, as Lambda passes it.
func newTraceID() string {
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", time.Now().Unix(), randomHex(12), randomHex(8))
}

// tail keeps the last tailSize bytes written to it and forwards everything to log.
type tail struct {
	mu  sync.Mutex
	log *lockedWriter
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.log.Write(p)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > tailSize {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-tailSize:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// lockedWriter serialises the stdout and stderr copies into one log writer, which need not
// be safe for concurrent use. Write errors are dropped: a failing log must not leave the
// function blocked on a full pipe.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) {
	if l.w == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = l.w.Write(p)
}
