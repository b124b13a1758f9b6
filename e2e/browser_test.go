package e2e

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/app"
	"github.com/monban-auth/monban/internal/devstack"
	"github.com/monban-auth/monban/internal/devstack/devstacktest"
)

// chromium finds the browser, or skips (fails under CI=true) with the reason.
func chromium(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: the browser tests do not run")
	}
	path := os.Getenv("CHROMIUM")
	if path == "" {
		path, _ = exec.LookPath("chromium")
	}
	if path == "" {
		why := "chromium is not installed (apt-get install chromium; .ci/run does)"
		if os.Getenv("CI") == "true" {
			t.Fatal(why + " (CI=true: the browser test is required)")
		}
		t.Skip(why)
	}
	return path
}

// inBrowser serves a stack exactly as `make dev` does (plain HTTP on loopback, which browsers
// treat as a secure context, so the Secure cookies work) and runs a script of e2e/browser
// against it in Chromium, with the seeded user's e-mail and password.
func inBrowser(t *testing.T, script string, o devstack.StackOptions) {
	t.Helper()
	browser := chromium(t)
	devstacktest.RequireEmulator(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	site := "http://" + ln.Addr().String()
	const email, password = "demo@example.com", "Monban-demo-1!"
	o.SiteURL = site
	o.Users = append(o.Users, devstack.User{Email: email, Password: password})
	o.App = app.Options{Log: devstack.DevLogger(t.Output())}
	stack := devstacktest.Start(t, o)
	srv := &http.Server{Handler: stack.Handler, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	shots := t.TempDir()
	if d := os.Getenv("MONBAN_SCREENSHOTS"); d != "" {
		shots = d // keep them to look at
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", filepath.Join("browser", script), site, email, password, shots)
	cmd.Env = append(os.Environ(), "CHROMIUM="+browser)
	out, err := cmd.CombinedOutput()
	t.Logf("browser run:\n%s", out)
	if err != nil {
		t.Fatalf("%s failed in the browser: %v (screenshots in %s)", script, err, shots)
	}
}

// The demo site in a real browser: hosted UI, sign-out through /logout, the site's own forms.
func TestDemoSiteInABrowser(t *testing.T) {
	inBrowser(t, "demo.mjs", devstack.StackOptions{})
}
