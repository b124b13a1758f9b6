// Command monban-dev runs the local stack behind `make dev`: the Cognito emulator, the
// monban API (the same http.Handler the Lambda function serves), the hosted-UI stand-in and
// the demo site, all on one localhost URL. Ctrl-C stops everything.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/monban-auth/monban/internal/app"
	"github.com/monban-auth/monban/internal/devstack"
	"github.com/monban-auth/monban/internal/triggers/pretoken"
)

// The demo user make dev creates; printed at start. Local only.
const (
	demoEmail    = "demo@example.com"
	demoPassword = "Monban-demo-1!"
	demoTenant   = "demo-tenant"
	// Claims the local ID tokens gain from the pre-token-generation trigger.
	demoClaimMappings = "groups=roles,custom:tenant=tenant"
)

func main() {
	addr := flag.String("addr", "localhost:8080", "where the site, API and hosted UI are served")
	cognitoPort := flag.Int("cognito-port", 9229, "cognito-local's port (its discovery document assumes 9229)")
	flag.Parse()
	if err := run(*addr, *cognitoPort); err != nil {
		fmt.Fprintln(os.Stderr, "monban-dev:", err)
		os.Exit(1)
	}
}

func run(addr string, cognitoPort int) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	local, err := devstack.LocalDir()
	if err != nil {
		return err
	}
	if err := devstack.EnsureNodeModules(ctx, local, os.Stderr); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s (is another make dev running?): %w", addr, err)
	}
	site := "http://" + addr
	startCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	stack, err := devstack.StartStack(startCtx, devstack.StackOptions{
		LocalDir:    local,
		DataDir:     local,
		CognitoPort: cognitoPort,
		SiteURL:     site,
		Users: []devstack.User{{Email: demoEmail, Password: demoPassword, Groups: []string{"demo"},
			Attributes: map[string]string{"custom:tenant": demoTenant}}},
		// The pre-token-generation trigger shows its work: the ID token gains these claims.
		TriggerEnv: map[string]string{pretoken.EnvClaimMappings: demoClaimMappings},
		// The demo page fetches /auth/token to call /api/me with Authorization: Bearer.
		Env:         map[string]string{"MONBAN_TOKEN_ENDPOINT": "true"},
		App:         app.Options{Log: devstack.DevLogger(os.Stderr)},
		EmulatorLog: nil,
	})
	if err != nil {
		ln.Close()
		return err
	}
	defer stack.Stop()

	srv := &http.Server{Handler: stack.Handler, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()

	fmt.Printf("\n  monban local stack: %s\n\n", site)
	fmt.Printf("  sign in as %s / %s\n", demoEmail, demoPassword)
	fmt.Printf("  ID tokens gain claims by trigger: %s\n", demoClaimMappings)
	fmt.Printf("  the page calls a protected sample API at /api/me (session cookie or bearer token)\n")
	fmt.Printf("  emulator data: %s (delete it to start over)\n", filepath.Join(local, ".cognito"))
	fmt.Printf("  Ctrl-C stops everything.\n\n")

	select {
	case <-ctx.Done():
	case err := <-done:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	shutdown, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	srv.Shutdown(shutdown)
	fmt.Println("monban-dev: stopped")
	return nil
}
