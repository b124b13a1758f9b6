// Command monban-dev runs the local stack behind `make dev`: the Cognito emulator, the
// monban API (the same http.Handler the Lambda function serves), the hosted-UI stand-in and
// a site — the demo page, the user's build folder (SITE_DIR) or the user's own dev server
// (SITE_PROXY) — all on one localhost URL, as CloudFront serves them in production.
// Ctrl-C stops everything.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
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
	// Claims the local ID tokens gain from the pre-token-generation trigger, with the demo
	// page (a user's MONBAN_CLAIM_MAPPINGS replaces them).
	demoClaimMappings = "groups=roles,custom:tenant=tenant"
)

// options are monban-dev's flags, after the environment filled in those not given.
type options struct {
	addr        string
	cognitoPort int
	siteDir     string
	siteProxy   string
}

func main() {
	var o options
	flag.StringVar(&o.addr, "addr", "localhost:8080", "host:port the one local URL is served at: the site, /auth, /api, /oauth2, /logout, /signup")
	flag.IntVar(&o.cognitoPort, "cognito-port", 9229, "cognito-local's port (its discovery document assumes 9229)")
	flag.StringVar(&o.siteDir, "site-dir", "", "serve this build `folder` at / instead of the demo page (default $SITE_DIR)")
	flag.StringVar(&o.siteProxy, "site-proxy", "", "proxy / to the site's own dev server at this loopback `URL`, WebSockets included,\ne.g. http://localhost:4321 (default $SITE_PROXY)")
	flag.Usage = func() { usage(flag.CommandLine.Output()) }
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "monban-dev: unexpected arguments %q\n", flag.Args())
		flag.Usage()
		os.Exit(2)
	}
	given := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { given[f.Name] = true })
	// A flag wins over its environment variable.
	if !given["site-dir"] {
		o.siteDir = os.Getenv("SITE_DIR")
	}
	if !given["site-proxy"] {
		o.siteProxy = os.Getenv("SITE_PROXY")
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "monban-dev:", err)
		os.Exit(1)
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Usage: monban-dev [flags]
       make dev [SITE_DIR=folder | SITE_PROXY=http://localhost:PORT]

Runs monban's local stack on one URL, as CloudFront serves a deployment: the site at /,
the monban API at /auth, a protected sample API at /api, and the Cognito emulator's hosted
UI at /oauth2, /logout and /signup. The site is the demo page, your build folder (-site-dir) or your
site's own dev server (-site-proxy: Astro, Vite, Next, Hugo…), not both.

Flags:
`)
	flag.CommandLine.SetOutput(w)
	flag.PrintDefaults()
	fmt.Fprint(w, `
Environment:
  SITE_DIR     as -site-dir (the flag wins)
  SITE_PROXY   as -site-proxy (the flag wins)
`)
	fmt.Fprint(w, devstack.EnvUsage())
	fmt.Fprint(w, `  With the demo page, MONBAN_TOKEN_ENDPOINT=true and MONBAN_CLAIM_MAPPINGS=`+demoClaimMappings+`
  are the defaults; with your own site, the deployed defaults (template.yaml) are.
`)
}

func run(o options) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	site := "http://" + o.addr
	so, report, err := stackOptions(o, site)
	if err != nil {
		return err
	}
	local, err := devstack.LocalDir()
	if err != nil {
		return err
	}
	so.LocalDir, so.DataDir = local, local
	if err := devstack.EnsureNodeModules(ctx, local, os.Stderr); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listen on %s (is another make dev running?): %w", o.addr, err)
	}
	startCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	stack, err := devstack.StartStack(startCtx, so)
	if err != nil {
		ln.Close()
		return err
	}
	defer stack.Stop()
	return serve(ctx, ln, stack.Handler, func() { printBanner(site, so, report, local) })
}

// stackOptions are the local stack's options from the flags and the environment: the demo
// user, the demo page's settings when no site of the user's is given, then MONBAN_*.
func stackOptions(o options, site string) (devstack.StackOptions, devstack.EnvReport, error) {
	so := devstack.StackOptions{
		CognitoPort: o.cognitoPort,
		SiteURL:     site,
		SiteDir:     o.siteDir,
		SiteProxy:   o.siteProxy,
		// As behind the template's CloudFront: /auth and /api answer only what came through
		// the front (this URL), with the header the distribution adds.
		OriginVerify: true,
		Users: []devstack.User{{Email: demoEmail, Password: demoPassword, Groups: []string{"demo"},
			Attributes: map[string]string{"custom:tenant": demoTenant}}},
		EmulatorLog: nil,
	}
	demo := o.siteDir == "" && o.siteProxy == ""
	if demo {
		// The demo page fetches /auth/token to call /api/me with Authorization: Bearer, and
		// shows the claims the pre-token-generation trigger adds. The user's own site starts
		// from the deployed defaults instead (template.yaml: no token endpoint, no claims).
		so.Env = map[string]string{"MONBAN_TOKEN_ENDPOINT": "true"}
		so.TriggerEnv = map[string]string{pretoken.EnvClaimMappings: demoClaimMappings}
	}
	so, report := devstack.ApplyEnv(so, os.Environ())
	if err := devstack.CheckOptions(so); err != nil {
		return so, report, err
	}
	var level slog.Level // info; an invalid MONBAN_LOG_LEVEL fails config.Load below
	_ = level.UnmarshalText([]byte(so.Env["MONBAN_LOG_LEVEL"]))
	so.App = app.Options{Log: devstack.DevLoggerAt(os.Stderr, level)}
	return so, report, nil
}

// serve serves h on ln until ctx ends (Ctrl-C) or the server fails, calling started once it
// serves, then shuts the server down.
func serve(ctx context.Context, ln net.Listener, h http.Handler, started func()) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	started()

	select {
	case <-ctx.Done():
	case err := <-done:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(shutdown)
	fmt.Println("monban-dev: stopped")
	return nil
}

// printBanner tells the developer where the stack is, what it serves and how to sign in.
func printBanner(site string, so devstack.StackOptions, report devstack.EnvReport, local string) {
	fmt.Printf("\n  monban local stack: %s\n\n", site)
	switch {
	case so.SiteDir != "":
		abs, _ := filepath.Abs(so.SiteDir)
		fmt.Printf("  site: the folder %s (rebuild it and reload; 404.html for missing pages)\n", abs)
	case so.SiteProxy != "":
		fmt.Printf("  site: proxied to your dev server at %s (WebSockets too, so hot reload works)\n", so.SiteProxy)
	default:
		fmt.Printf("  site: the demo page (make dev SITE_DIR=folder or SITE_PROXY=url serves yours)\n")
	}
	fmt.Printf("  beside it: /auth (monban), /api/me (a protected sample API), /oauth2, /logout and /signup (the emulator and its stand-ins)\n")
	fmt.Printf("  sign in as %s / %s\n", demoEmail, demoPassword)
	if m := so.TriggerEnv[pretoken.EnvClaimMappings]; m != "" {
		fmt.Printf("  ID tokens gain claims by trigger: %s\n", m)
	}
	for _, l := range report.Lines() {
		fmt.Printf("  %s\n", l)
	}
	fmt.Printf("  emulator data: %s (delete it to start over)\n", filepath.Join(local, ".cognito"))
	fmt.Printf("  Ctrl-C stops everything.\n\n")
}
