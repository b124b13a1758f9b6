// Command load is `make load`: GET /auth/session on the local stack's API next to the same
// session check in a minimal Auth.js server, under the same load in the same run. It starts
// both servers in processes of their own on 127.0.0.1, signs a user in through monban's API
// for real session cookies, gives the Auth.js server a session cookie of the same content
// (the access token and the user) made by @auth/core's encode, then drives each with
// kept-alive HTTP/1.1 connections at every concurrency, the two servers taking turns, and
// prints one markdown table: requests per second, p50 and p99 latency, the server process's
// CPU time per request (utime+stime from /proc, the load generator's own excluded) and its
// resident memory. Progress goes to stderr, the table to stdout. Linux only (/proc).
//
// Settings, from the environment:
//
//	LOAD_DURATION=5s           each measured step (one server, one concurrency)
//	LOAD_WARMUP=2s             each server's warm-up, before the first step
//	LOAD_CONCURRENCY=1,8,32,128  the concurrencies
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The user the load server creates and signs in. Local only.
const (
	userEmail    = "load@example.com"
	userPassword = "Monban-load-1!"
)

// options are the run's settings.
type options struct {
	duration, warmup time.Duration
	concurrency      []int
}

func main() {
	o, err := readOptions(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err = run(ctx, o, os.Stdout)
	interrupted := ctx.Err() != nil
	stop()
	switch {
	case interrupted:
		fmt.Fprintln(os.Stderr, "load: interrupted; servers stopped")
		os.Exit(130)
	case err != nil:
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func readOptions(getenv func(string) string) (options, error) {
	o := options{duration: 5 * time.Second, warmup: 2 * time.Second, concurrency: []int{1, 8, 32, 128}}
	for _, d := range []struct {
		key      string
		v        *time.Duration
		min, max time.Duration
	}{
		{"LOAD_DURATION", &o.duration, 100 * time.Millisecond, 10 * time.Minute},
		{"LOAD_WARMUP", &o.warmup, 0, 10 * time.Minute},
	} {
		s := getenv(d.key)
		if s == "" {
			continue
		}
		v, err := time.ParseDuration(s)
		if err != nil || v < d.min || v > d.max {
			return o, fmt.Errorf("%s=%q: want a duration from %s to %s", d.key, s, d.min, d.max)
		}
		*d.v = v
	}
	if s := getenv("LOAD_CONCURRENCY"); s != "" {
		o.concurrency = nil
		for f := range strings.SplitSeq(s, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 || n > 1024 {
				return o, fmt.Errorf("LOAD_CONCURRENCY=%q: want numbers from 1 to 1024, comma-separated", s)
			}
			o.concurrency = append(o.concurrency, n)
		}
	}
	return o, nil
}

// run starts both servers, measures, prints the table and stops everything, on failure and
// interruption too.
func run(ctx context.Context, o options, stdout io.Writer) (err error) {
	if runtime.GOOS != "linux" {
		return errors.New("reads CPU time and memory from /proc: Linux only")
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "monban-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	tick := clockTick()
	load := loadAverage()

	step("building the load server (the local stack's API in its own process)")
	bin := filepath.Join(tmp, "monban-load-server")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./bench/load/server")
	build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build ./bench/load/server: %w", err)
	}

	step("starting the local stack (cognito-local, the API) on 127.0.0.1")
	data := filepath.Join(tmp, "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		return err
	}
	mon, err := startServer("monban", root, bin, "-data", data, "-email", userEmail, "-password", userPassword)
	if err != nil {
		return err
	}
	defer stopServer(mon, &err)
	line, err := mon.waitReady(ctx, 3*time.Minute)
	if err != nil {
		return err
	}
	var ready struct{ URL string }
	if err := json.Unmarshal([]byte(line), &ready); err != nil || ready.URL == "" {
		return fmt.Errorf("monban: unexpected ready line %q", line)
	}
	step("signing " + userEmail + " in through POST /auth/sign-in/password")
	sess, err := signIn(ctx, ready.URL, userEmail, userPassword)
	if err != nil {
		return err
	}

	step("starting the Auth.js server (@auth/core) on 127.0.0.1")
	secret := make([]byte, 32)
	rand.Read(secret)
	cfg, err := json.Marshal(map[string]any{
		"secret": hex.EncodeToString(secret),
		"token":  map[string]any{"at": sess.accessToken, "u": sess.user},
	})
	if err != nil {
		return err
	}
	cfgFile := filepath.Join(tmp, "authjs.json")
	if err := os.WriteFile(cfgFile, cfg, 0o600); err != nil {
		return err
	}
	ajs, err := startServer("Auth.js", root, "node", "bench/load/authjs-server.mjs", cfgFile)
	if err != nil {
		return err
	}
	defer stopServer(ajs, &err)
	line, err = ajs.waitReady(ctx, time.Minute)
	if err != nil {
		return err
	}
	var aready struct{ URL, Cookie, Version string }
	if err := json.Unmarshal([]byte(line), &aready); err != nil || aready.URL == "" || aready.Cookie == "" {
		return fmt.Errorf("Auth.js: unexpected ready line %.200q", line)
	}

	targets := []target{
		newTarget("monban", ready.URL, "/auth/session", sess.cookie, mon.pid()),
		newTarget("Auth.js", aready.URL, "/api/auth/session", aready.Cookie, ajs.pid()),
	}
	res, err := measure(ctx, o, targets, tick)
	if err != nil {
		return err
	}
	env := runEnv{
		cpus: runtime.NumCPU(), goVersion: runtime.Version(), node: nodeVersion(ctx), authjs: aready.Version,
		duration: o.duration, cookieBytes: [2]int{len(sess.cookie), len(aready.Cookie)}, loadAverage: load,
	}
	if err := writeReport(stdout, env, o.concurrency, res); err != nil {
		return err
	}
	for _, r := range res {
		for _, s := range r {
			if s.errors > 0 {
				return errors.New("some requests failed: see the errors column")
			}
		}
	}
	return nil
}

// stopServer stops s, keeping the first error of the run.
func stopServer(s *server, err *error) {
	if serr := s.stop(); serr != nil && *err == nil {
		*err = serr
	}
}

func newTarget(name, base, path, cookie string, pid int) target {
	u, _ := url.Parse(base)
	return target{name: name, addr: u.Host, pid: pid, req: request(u.Host, path, cookie), marker: userEmail}
}

// measure warms both servers up, then runs every concurrency on each, alternating which
// goes first, and returns the results by concurrency, then target.
func measure(ctx context.Context, o options, targets []target, tick time.Duration) ([][]stepResult, error) {
	if o.warmup > 0 {
		for _, t := range targets {
			step(fmt.Sprintf("warming %s up: %s at concurrency 8", t.name, o.warmup))
			if _, err := runStep(ctx, t, 8, o.warmup, tick); err != nil {
				return nil, err
			}
		}
	}
	res := make([][]stepResult, len(o.concurrency))
	for i, c := range o.concurrency {
		res[i] = make([]stepResult, len(targets))
		for j := range targets {
			// Alternate which server goes first, so that neither always follows the other.
			k := j
			if i%2 == 1 {
				k = len(targets) - 1 - j
			}
			t := targets[k]
			step(fmt.Sprintf("%s: concurrency %d for %s", t.name, c, o.duration))
			r, err := runStep(ctx, t, c, o.duration, tick)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(os.Stderr, "   %.0f requests/s, %s CPU per request\n", r.perSecond(), micros(r.cpuPerRequest()))
			res[i][k] = r
		}
	}
	return res, nil
}

// signedIn is what the load needs from a signed-in browser.
type signedIn struct {
	cookie      string          // the Cookie header a browser sends to /auth/session
	user        json.RawMessage // GET /auth/session's user
	accessToken string
}

// signIn signs in through the API with a password, as the custom login page does, and
// checks that GET /auth/session then answers the user.
func signIn(ctx context.Context, base, email, password string) (signedIn, error) {
	var s signedIn
	hc := &http.Client{Timeout: 30 * time.Second}
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	resp, got, err := call(ctx, hc, "POST", base+"/auth/sign-in/password", bytes.NewReader(body), map[string]string{
		"Origin": base, "Content-Type": "application/json",
	})
	if err != nil {
		return s, err
	}
	if resp.StatusCode != http.StatusOK {
		return s, fmt.Errorf("sign-in: %d %.300s", resp.StatusCode, got)
	}
	s.cookie = cookieHeader(resp.Cookies(), "/auth/session")
	if s.cookie == "" {
		return s, errors.New("sign-in set no session cookie")
	}
	hdr := map[string]string{"Cookie": s.cookie}
	resp, got, err = call(ctx, hc, "GET", base+"/auth/session", nil, hdr)
	if err != nil {
		return s, err
	}
	var view struct{ User json.RawMessage }
	if resp.StatusCode != http.StatusOK || json.Unmarshal(got, &view) != nil || !bytes.Contains(view.User, []byte(email)) {
		return s, fmt.Errorf("GET /auth/session after sign-in: %d %.300s", resp.StatusCode, got)
	}
	s.user = view.User
	resp, got, err = call(ctx, hc, "GET", base+"/auth/token", nil, hdr)
	if err != nil {
		return s, err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(got, &tok) != nil || tok.AccessToken == "" {
		return s, fmt.Errorf("GET /auth/token: %d %.300s", resp.StatusCode, got)
	}
	s.accessToken = tok.AccessToken
	return s, nil
}

func call(ctx context.Context, hc *http.Client, method, u string, body io.Reader, hdr map[string]string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, nil, err
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp, b, err
}

// cookieHeader is the Cookie header a browser sends to path from the cookies set: those
// whose Path covers it and that are not deletions. (Secure is not checked: the load runs
// over plain HTTP on loopback, as make dev does.)
func cookieHeader(set []*http.Cookie, path string) string {
	var parts []string
	for _, c := range set {
		if c.MaxAge < 0 || c.Value == "" {
			continue
		}
		p := c.Path
		if p == "" {
			p = "/"
		}
		if path != p && !strings.HasPrefix(path, strings.TrimSuffix(p, "/")+"/") {
			continue
		}
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

// repoRoot is the working directory, which must be the repository's root (make runs there).
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(dir, "bench", "load", "authjs-server.mjs")); err != nil {
		return "", errors.New("run from the repository's root (make load)")
	}
	return dir, nil
}

func nodeVersion(ctx context.Context) string {
	out, err := exec.CommandContext(ctx, "node", "--version").Output()
	if err != nil {
		return "node ?"
	}
	return "node " + strings.TrimSpace(string(out))
}

// loadAverage is the one-minute load average when the run starts: a busy machine makes
// every number worse, the ratios less so.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

func step(s string) { fmt.Fprintf(os.Stderr, "\n== %s\n", s) }
