package devstack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	// startTimeout bounds how long StartCognitoLocal waits for the emulator;
	// a cold node start with the AWS SDK v2 it loads takes a second or two.
	startTimeout = 30 * time.Second
	// stopGrace is how long Stop waits after each signal.
	stopGrace = 5 * time.Second
	// readyLine is what cognito-local logs once it is listening. Waiting for it
	// (not only for /health) proves that our child owns the port rather than
	// some other process already listening there.
	readyLine = "Cognito Local running on"
	// logTailSize is how much of the emulator's output an error carries.
	logTailSize = 4 << 10
)

// CognitoLocalOptions configures StartCognitoLocal.
type CognitoLocalOptions struct {
	// LocalDir is the folder holding node_modules/cognito-local (see LocalDir).
	LocalDir string
	// DataDir is the emulator's working directory: it keeps its config and
	// database (plaintext passwords) under DataDir/.cognito. Tests use t.TempDir().
	DataDir string
	// Port to listen on at 127.0.0.1; 0 picks a free one.
	Port int
	// LambdaEndpoint, when set, is where the emulator invokes trigger functions
	// (written to .cognito/config.json as LambdaClient.endpoint).
	LambdaEndpoint string
	// TriggerFunctions maps trigger names to function names, for example
	// {"PreSignUp": "pre-sign-up"}; it needs LambdaEndpoint.
	TriggerFunctions map[string]string
	// Log receives the emulator's stdout and stderr; nil discards them.
	Log io.Writer
}

// CognitoLocal is a running cognito-local child process.
type CognitoLocal struct {
	// URL is the emulator's base URL, http://127.0.0.1:<Port>; it serves the
	// Cognito API, /oauth2/* and each pool's issuer (URL + "/" + pool ID).
	URL string
	// Port is the TCP port it listens on.
	Port int

	*child
}

// StartCognitoLocal writes DataDir/.cognito/config.json (keeping keys it does
// not manage), starts cognito-local under node as a child process and waits,
// bounded by ctx and 30 s, until it answers GET /health. ctx bounds only the
// start: the process runs until Stop. A failed start returns an error carrying
// the tail of the emulator's output.
func StartCognitoLocal(ctx context.Context, o CognitoLocalOptions) (*CognitoLocal, error) {
	if o.LocalDir == "" || o.DataDir == "" {
		return nil, errors.New("devstack: CognitoLocalOptions needs LocalDir and DataDir")
	}
	if o.Port < 0 || o.Port > 65535 {
		return nil, fmt.Errorf("devstack: invalid port %d", o.Port)
	}
	if len(o.TriggerFunctions) > 0 && o.LambdaEndpoint == "" {
		return nil, errors.New("devstack: TriggerFunctions need a LambdaEndpoint")
	}
	localDir, err := filepath.Abs(o.LocalDir)
	if err != nil {
		return nil, fmt.Errorf("devstack: %w", err)
	}
	dataDir, err := filepath.Abs(o.DataDir)
	if err != nil {
		return nil, fmt.Errorf("devstack: %w", err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("%w: node not found on PATH", ErrToolMissing)
	}
	script := filepath.Join(localDir, "node_modules", "cognito-local", "lib", "bin", "start.js")
	if !isFile(script) {
		return nil, fmt.Errorf("%w: %s not found (run EnsureNodeModules, i.e. npm ci in %s)", ErrToolMissing, script, localDir)
	}

	// A port picked here may be taken by someone else before node binds it;
	// retry a few times with a fresh one. A caller-chosen port is not retried.
	attempts := 1
	if o.Port == 0 {
		attempts = 3
	}
	var lastErr error
	for range attempts {
		port := o.Port
		if port == 0 {
			if port, err = freePort(); err != nil {
				return nil, err
			}
		} else if err := checkPortFree(port); err != nil {
			return nil, err
		}
		if err := writeConfig(dataDir, port, o); err != nil {
			return nil, err
		}
		c, err := startNode(ctx, node, script, dataDir, port, o.Log)
		if err == nil {
			return c, nil
		}
		lastErr = err
		if !errors.Is(err, errAddrInUse) || ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

var errAddrInUse = errors.New("address already in use")

func startNode(ctx context.Context, node, script, dataDir string, port int, log io.Writer) (*CognitoLocal, error) {
	cmd := exec.Command(node, script)
	cmd.Dir = dataDir
	// Later entries win, so these override anything inherited.
	cmd.Env = append(os.Environ(),
		"HOST=127.0.0.1",
		"PORT="+strconv.Itoa(port),
		"CODE="+ConfirmationCode,
		// Silences the AWS SDK v2 end-of-support notice the emulator prints.
		"AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE=1",
	)
	ch, err := startChild("cognito-local", cmd, &logSink{log: log})
	if err != nil {
		return nil, err
	}
	c := &CognitoLocal{URL: "http://127.0.0.1:" + strconv.Itoa(port), Port: port, child: ch}
	// Ready once it has said so itself (so the port is ours, not a stranger's) and answers.
	err = c.waitReady(ctx, func(ctx context.Context, hc *http.Client) bool {
		return c.out.ready() && healthy(ctx, hc, c.URL+"/health")
	})
	if err != nil {
		_ = c.Stop()
		tail := c.out.tail()
		if strings.Contains(tail, "EADDRINUSE") {
			err = fmt.Errorf("%w: %w", errAddrInUse, err)
		}
		return nil, fmt.Errorf("devstack: cognito-local on port %d did not come up: %w\n--- cognito-local output (tail) ---\n%s", port, err, tail)
	}
	return c, nil
}

func healthy(ctx context.Context, hc *http.Client, url string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := hc.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<10))
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// freePort asks the kernel for an unused 127.0.0.1 port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("devstack: finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// checkPortFree fails fast when a chosen port is taken, instead of letting a
// health check succeed against whatever already listens there.
func checkPortFree(port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("devstack: port %d on 127.0.0.1 is not free: %w", port, err)
	}
	return l.Close()
}

// writeConfig updates DataDir/.cognito/config.json. The keys that must agree
// with how the process is started (listen address, issuer, Lambda endpoint,
// trigger map) are set from the options on every start, so a data folder reused
// by `make dev` never keeps a stale port or trigger; every other key is kept.
func writeConfig(dataDir string, port int, o CognitoLocalOptions) error {
	dir := filepath.Join(dataDir, ".cognito")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("devstack: %w", err)
	}
	path := filepath.Join(dir, "config.json")
	cfg := map[string]any{}
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("devstack: %w", err)
	case len(bytes.TrimSpace(b)) > 0:
		if err := json.Unmarshal(b, &cfg); err != nil || cfg == nil {
			return fmt.Errorf("devstack: %s is not a JSON object: %v", path, err)
		}
	}
	section := func(name string) (map[string]any, error) {
		switch v := cfg[name].(type) {
		case nil:
			return map[string]any{}, nil
		case map[string]any:
			return v, nil
		default:
			return nil, fmt.Errorf("devstack: %s: %s is not an object", path, name)
		}
	}

	server, err := section("ServerConfig")
	if err != nil {
		return err
	}
	server["hostname"] = "127.0.0.1"
	server["port"] = port
	server["https"] = false
	cfg["ServerConfig"] = server

	token, err := section("TokenConfig")
	if err != nil {
		return err
	}
	token["IssuerDomain"] = "http://127.0.0.1:" + strconv.Itoa(port)
	cfg["TokenConfig"] = token

	lambda, err := section("LambdaClient")
	if err != nil {
		return err
	}
	if o.LambdaEndpoint != "" {
		lambda["endpoint"] = o.LambdaEndpoint
	} else {
		delete(lambda, "endpoint")
	}
	if len(lambda) > 0 {
		cfg["LambdaClient"] = lambda
	} else {
		delete(cfg, "LambdaClient")
	}

	triggers := map[string]any{}
	for k, v := range o.TriggerFunctions {
		triggers[k] = v
	}
	cfg["TriggerFunctions"] = triggers

	out, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return fmt.Errorf("devstack: %w", err)
	}
	// Write then rename, so a crash never leaves a half-written config behind.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(out, '\n'), 0o600); err != nil {
		return fmt.Errorf("devstack: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("devstack: %w", err)
	}
	return nil
}

// ansi matches terminal colour sequences; cognito-local's logger always emits them.
var ansi = regexp.MustCompile(`\x1b\[[0-9;]*[A-Za-z]`)

// logSink forwards the emulator's output to an optional writer and keeps the
// last logTailSize bytes for error messages. It never reports a write error:
// a failing log writer must not stall the child on a full pipe.
type logSink struct {
	mu   sync.Mutex
	log  io.Writer
	buf  []byte
	seen bool // readyLine has been written
}

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.log != nil {
		_, _ = s.log.Write(p)
	}
	s.buf = append(s.buf, p...)
	if !s.seen && bytes.Contains(ansi.ReplaceAll(s.buf, nil), []byte(readyLine)) {
		s.seen = true
	}
	if len(s.buf) > logTailSize {
		s.buf = append(s.buf[:0], s.buf[len(s.buf)-logTailSize:]...)
	}
	return len(p), nil
}

func (s *logSink) ready() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seen
}

func (s *logSink) tail() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(ansi.ReplaceAll(s.buf, nil))
}
