package devstack

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/monban-auth/monban/internal/app"
	"github.com/monban-auth/monban/internal/config"
	"github.com/monban-auth/monban/internal/lambdainvoke"
	"github.com/monban-auth/monban/internal/originverify"
	"github.com/monban-auth/monban/internal/triggers"
)

// StackOptions describes one local stack: the emulator, the pool and the site.
type StackOptions struct {
	LocalDir string // the repository's local/ folder (node_modules)
	DataDir  string // emulator data and the dev session secret
	// CognitoPort is the emulator's port; 0 picks a free one. make dev uses 9229, the port
	// the emulator's own discovery document assumes.
	CognitoPort int
	// SiteURL is the origin the stack is served at (e.g. http://localhost:8080): the demo
	// site, the API under /auth and the hosted UI under /oauth2, /logout and /signup all live there.
	SiteURL string
	// SiteDir, when set, is a build folder served at "/" instead of the demo page (make dev
	// SITE_DIR=…); see SiteHandler.
	SiteDir string
	// SiteProxy, when set, is the origin of the site's own dev server on this machine
	// (e.g. http://localhost:4321), proxied at "/" with its WebSockets (make dev
	// SITE_PROXY=…); see SiteHandler. SiteDir and SiteProxy are exclusive.
	SiteProxy string
	// OriginVerify mirrors CloudFront's origin-verify header (make dev sets it): the front
	// adds a per-stack secret header to /auth and /api requests, and the API and the
	// protected API refuse requests without it, as deployed behind CloudFront. Off, the
	// stack's Env can build further APIs that answer requests sent to them directly.
	OriginVerify bool
	Users        []User
	// AccessTokenValidity of the app client; 0 means 1 hour.
	AccessTokenValidity time.Duration
	// Env overrides or adds MONBAN_* settings (e.g. MONBAN_TOKEN_ENDPOINT=true).
	Env map[string]string
	// TriggerEnv is the environment of the Cognito triggers the emulator invokes
	// (pre-sign-up, pre-token-generation), read as their Lambda functions read theirs:
	// e.g. MONBAN_SIGNUP_ALLOWED_EMAIL_DOMAINS, MONBAN_CLAIM_MAPPINGS. Unset keys keep the
	// functions' defaults (self sign-ups confirmed at once, no claims added).
	TriggerEnv map[string]string
	// App carries the seams tests use (HTTP client, clock, logger).
	App         app.Options
	EmulatorLog io.Writer
}

// Stack is a running local stack.
type Stack struct {
	Cognito *CognitoLocal
	// Lambda is the Invoke endpoint through which the emulator runs the trigger handlers.
	Lambda *lambdainvoke.Server
	Pool   Pool
	// Env is the configuration the API was built from, as environment variables.
	Env map[string]string
	// Handler serves the whole site: the site (SiteHandler: the demo page, SiteDir or
	// SiteProxy), /auth, the hosted UI, and the protected sample API (/api/me).
	Handler http.Handler
	// API is the /auth handler alone, exactly as the Lambda function serves it.
	API http.Handler
	// CognitoAPI is the user-pool API as the API sees it (MONBAN_COGNITO_ENDPOINT): the
	// emulator behind the stand-ins for what it lacks (see cognitoapi.go).
	CognitoAPI *CognitoAPIFront
}

// StartStack starts the emulator, with the trigger handlers behind a local Lambda Invoke
// endpoint, bootstraps the pool and builds the API from a configuration read through
// config.Load, as the Lambda function does.
func StartStack(ctx context.Context, o StackOptions) (*Stack, error) {
	site := strings.TrimSuffix(o.SiteURL, "/")
	siteHandler, err := SiteHandler(o) // before anything starts: a bad SITE_DIR fails fast
	if err != nil {
		return nil, err
	}
	if err := checkHiddenSignUp(o.Env, o.TriggerEnv); err != nil {
		return nil, err
	}
	logger := o.App.Log
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// Before the emulator reads its pools: what its API cannot change.
	if err := upgradePoolFile(o.DataDir, localPoolName); err != nil {
		return nil, err
	}
	s, groups, err := startEmulatorAndTriggers(ctx, o, logger)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Stack, error) {
		s.Stop()
		return nil, err
	}
	idp := NewCognitoClient(s.Cognito.URL)
	groups.idp.Store(idp)
	if err := s.bootstrap(ctx, idp, site, o); err != nil {
		return fail(err)
	}
	secret, err := devSecret(o.DataDir)
	if err != nil {
		return fail(err)
	}
	s.CognitoAPI, err = StartCognitoAPIFront(CognitoAPIFrontOptions{
		EmulatorURL: s.Cognito.URL, Pool: s.Pool, Admin: idp, Log: logger,
		RevocationsFile: filepath.Join(o.DataDir, ".cognito", "monban-global-sign-outs.json"),
		EmulatorDataDir: o.DataDir,
		// Passkeys belong to the site: its host is the relying party, its origin the one
		// allowed (WebAuthn §5.1.3, §13.4.9).
		RelyingPartyID: relyingPartyID(site), Origins: []string{site},
	})
	if err != nil {
		return fail(err)
	}
	s.Env = apiEnv(s.Pool, s.CognitoAPI.URL, site, secret, o.Env)
	if err := s.buildHandlers(ctx, o, siteHandler); err != nil {
		return fail(err)
	}
	return s, nil
}

// startEmulatorAndTriggers starts the trigger endpoint, then the emulator that calls it:
// the emulator reads the endpoint's address at start. The groups stand-in it returns learns
// the emulator's client once the pool exists (see groupsFiller).
func startEmulatorAndTriggers(ctx context.Context, o StackOptions, logger *slog.Logger) (*Stack, *groupsFiller, error) {
	fns, err := TriggerHandlers(func(k string) string { return o.TriggerEnv[k] }, logger)
	if err != nil {
		return nil, nil, fmt.Errorf("devstack: triggers: %w", err)
	}
	groups := &groupsFiller{next: fns[triggers.PreTokenGeneration.Name]}
	fns[triggers.PreTokenGeneration.Name] = groups
	lambdaSrv, err := lambdainvoke.Start(fns, lambdainvoke.Options{Log: logger})
	if err != nil {
		return nil, nil, err
	}
	cl, err := StartCognitoLocal(ctx, CognitoLocalOptions{
		LocalDir: o.LocalDir, DataDir: o.DataDir, Port: o.CognitoPort, Log: o.EmulatorLog,
		LambdaEndpoint: lambdaSrv.URL, TriggerFunctions: triggerFunctions,
	})
	if err != nil {
		lambdaSrv.Close()
		return nil, nil, err
	}
	return &Stack{Cognito: cl, Lambda: lambdaSrv}, groups, nil
}

// localPoolName is the local stack's user pool.
const localPoolName = "monban-local"

// bootstrap makes sure the pool, its client and the seed users exist in the emulator, with
// the custom attributes the trigger's claim mappings read, and records the pool in s.Pool.
func (s *Stack) bootstrap(ctx context.Context, idp *cip.Client, site string, o StackOptions) error {
	var err error
	s.Pool, err = Bootstrap(ctx, idp, s.Cognito.URL, BootstrapOptions{
		PoolName:            localPoolName,
		ClientName:          "monban-site",
		CallbackURLs:        []string{site + "/auth/callback"},
		LogoutURLs:          localLogoutURLs(site, o.Env),
		AccessTokenValidity: o.AccessTokenValidity,
		Users:               o.Users,
	})
	if err != nil {
		return err
	}
	return ensureCustomAttributes(ctx, idp, s.Pool.ID, o.TriggerEnv)
}

// relyingPartyID is the passkeys' relying party id for the site: its host, when that is a
// domain. A relying party id is a domain (WebAuthn §5.1.3; browsers refuse IP addresses),
// so a site served on an IP address gets none, and the front answers registrations as
// Cognito answers a pool without one (WebAuthnConfigurationMissingException).
func relyingPartyID(site string) string {
	u, err := url.Parse(site)
	if err != nil || net.ParseIP(u.Hostname()) != nil {
		return ""
	}
	return u.Hostname()
}

// apiEnv is the API's configuration on the local stack, as environment variables: the
// pool's and the stack's settings, which extra (StackOptions.Env) overrides or adds to.
func apiEnv(pool Pool, cognitoAPIURL, site, secret string, extra map[string]string) map[string]string {
	env := map[string]string{
		"MONBAN_USER_POOL_ID":     pool.ID,
		"MONBAN_CLIENT_ID":        pool.ClientID,
		"MONBAN_CLIENT_SECRET":    pool.ClientSecret,
		"MONBAN_COGNITO_DOMAIN":   site,
		"MONBAN_COGNITO_ENDPOINT": cognitoAPIURL,
		"MONBAN_ISSUER":           pool.Issuer,
		"MONBAN_JWKS_URL":         pool.JWKSURL,
		"MONBAN_CALLBACK_URL":     site + "/auth/callback",
		"MONBAN_ALLOWED_ORIGINS":  site,
		"MONBAN_SESSION_SECRET":   secret,
		// cognito-local does not carry the nonce into the ID token (see SPEC §9).
		"MONBAN_UNSAFE_ALLOW_MISSING_NONCE": "true",
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// buildHandlers builds the API and the protected sample API from s.Env, as their Lambda
// functions do, and the one handler that serves the whole site.
func (s *Stack) buildHandlers(ctx context.Context, o StackOptions, siteHandler http.Handler) error {
	viaFront := s.frontHeader(o.OriginVerify) // before config.Load: it may add to s.Env
	cfg, err := config.Load(func(k string) string { return s.Env[k] })
	if err != nil {
		return err
	}
	if s.API, err = app.New(ctx, cfg, o.App); err != nil {
		return err
	}
	protected, err := protectedAPI(ctx, s.Env, o.App)
	if err != nil {
		return err
	}
	front := HostedUIFront(s.Cognito.URL, NewCognitoClient(s.CognitoAPI.URL), s.Pool.ID)
	mux := http.NewServeMux()
	mux.Handle("/auth/", viaFront(s.API))
	mux.Handle("/oauth2/", s.CognitoAPI.Handler.GuardTokenEndpoint(front))
	mux.Handle("/logout", front)
	mux.Handle("/signup", front)
	mux.Handle("/api/", viaFront(protected))
	mux.Handle("/", siteHandler)
	s.Handler = mux
	return nil
}

// frontHeader returns what the front does to /auth and /api requests on their way in. With
// originVerify it adds the origin-verify header with a fresh per-stack secret, which it
// sets in s.Env (over any given) so the APIs expect it; without, it passes them on as they are.
func (s *Stack) frontHeader(originVerify bool) func(http.Handler) http.Handler {
	if !originVerify {
		return func(h http.Handler) http.Handler { return h }
	}
	b := make([]byte, 32)
	rand.Read(b)
	secret := hex.EncodeToString(b)
	s.Env["MONBAN_ORIGIN_VERIFY_SECRET"] = secret
	return func(h http.Handler) http.Handler { return addOriginVerify(secret, h) }
}

// addOriginVerify does what the template's CloudFront distribution does for the API's
// behaviours: it sets the origin-verify header to the secret, replacing any value the
// browser sent. The ResponseWriter is passed on as it is (WebSocket upgrades need Hijack).
func addOriginVerify(secret string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.Clone(r.Context())
		r.Header.Set(originverify.Header, secret)
		next.ServeHTTP(w, r)
	})
}

// Stop stops the API front, the emulator, then the trigger endpoint it calls.
func (s *Stack) Stop() error {
	return errors.Join(s.CognitoAPI.Close(), s.Cognito.Stop(), s.Lambda.Close())
}

// devSecret keeps one session secret per data folder, so restarting the local stack does
// not sign the browser out.
func devSecret(dir string) (string, error) {
	path := filepath.Join(dir, ".cognito", "monban-session-secret")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= config.MinSecretLength {
		return strings.TrimSpace(string(b)), nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	b := make([]byte, 32)
	rand.Read(b)
	secret := hex.EncodeToString(b)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("store dev session secret: %w", err)
	}
	return secret, nil
}

// DevLogger is the local stack's logger: readable text on w.
func DevLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}
