package auth_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/allowlist"
	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/auth/userpooltest"
	"github.com/monban-auth/monban/internal/tokentest"
)

// The deployment the flows run in.
const (
	callbackURL = "https://api.example.com/auth/callback"
	siteURL     = "https://app.example.com"
	logoutURI   = "https://app.example.com/signed-out"
	password    = "Corr3ct-Horse!"
)

// epoch is the fixed start of every test's clock.
var epoch = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

// harness is a Service wired to the in-memory pool, the real token verifier (the pool's keys
// served on 127.0.0.1) and a managed login that hands out the tokens a test registers.
type harness struct {
	t *testing.T
	// clock is the one time source of a test: the pool mints with it, the verifier checks
	// with it, and the flows decide about refresh with it.
	clock  *tokentest.Clock
	pool   *userpooltest.Pool
	hosted *hostedUI
	svc    *auth.Service
	jwks   *httptest.Server
	logs   *bytes.Buffer
	ctx    context.Context
}

type options struct {
	cfg  func(*auth.Config)
	pool func(*userpooltest.Options)
	wrap func(*userpooltest.Pool) auth.UserPool
}

// An option changes the harness; a nil function leaves the default, so a table's empty
// field can be passed as it is.
type option func(*options)

func withConfig(f func(*auth.Config)) option        { return func(o *options) { o.cfg = f } }
func withPool(f func(*userpooltest.Options)) option { return func(o *options) { o.pool = f } }
func withWrap(f func(*userpooltest.Pool) auth.UserPool) option {
	return func(o *options) { o.wrap = f }
}

func newHarness(t *testing.T, opts ...option) *harness {
	t.Helper()
	var o options
	for _, f := range opts {
		f(&o)
	}
	c := tokentest.NewClock(epoch)
	po := userpooltest.Options{
		Issuer: tokentest.Issuer, ClientID: tokentest.ClientID,
		Key: tokentest.Key(), KeyID: tokentest.Kid, Now: c.Now,
	}
	if o.pool != nil {
		o.pool(&po)
	}
	pool := userpooltest.New(po)
	v, jwks := pool.Verifier(t)
	policy, err := allowlist.NewPolicy(siteURL, []string{"https://partner.example.net"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := auth.Config{
		CallbackURL: callbackURL,
		Scopes:      []string{"openid", "email", "profile"},
		Redirects:   policy,
		LogoutURI:   logoutURI,
		Now:         c.Now,
		TOTPIssuer:  "Example",
		AnswerFloor: auth.AnswerFloor{Min: -1},
	}
	if o.cfg != nil {
		o.cfg(&cfg)
	}
	var up auth.UserPool = pool
	if o.wrap != nil {
		up = o.wrap(pool)
	}
	logs := &bytes.Buffer{}
	hosted := &hostedUI{codes: map[string]*auth.Tokens{}}
	svc := auth.NewService(cfg, auth.Deps{HostedUI: hosted, Verifier: v, Pool: up, Log: slog.New(slog.NewJSONHandler(logs, nil))})
	return &harness{t: t, clock: c, pool: pool, hosted: hosted, svc: svc, jwks: jwks, logs: logs, ctx: context.Background()}
}

// user registers and confirms a user straight at the pool.
func (h *harness) user(name string, attrs map[string]string) {
	h.t.Helper()
	if _, err := h.pool.SignUp(h.ctx, auth.NewUser{Username: name, Password: password, Attributes: attrs}); err != nil {
		h.t.Fatalf("sign up %s: %v", name, err)
	}
	if err := h.pool.ConfirmSignUp(h.ctx, name, h.pool.Code(name)); err != nil {
		h.t.Fatalf("confirm %s: %v", name, err)
	}
}

// signIn signs a confirmed user in through the flows and returns the grant.
func (h *harness) signIn(name string) *auth.Grant {
	h.t.Helper()
	res, err := h.svc.SignInPassword(h.ctx, auth.Credentials{Username: name, Password: password})
	if err != nil {
		h.t.Fatalf("sign in %s: %v", name, err)
	}
	if res.Grant == nil {
		h.t.Fatalf("sign in %s: challenge %+v", name, res.Prompt)
	}
	return res.Grant
}

// tokens signs a user in straight at the pool.
func (h *harness) tokens(name string) *auth.Tokens {
	h.t.Helper()
	st, err := h.pool.SignInPassword(h.ctx, name, password)
	if err != nil || st.Tokens == nil {
		h.t.Fatalf("pool sign in %s: %+v %v", name, st, err)
	}
	return st.Tokens
}

// hostedUI is managed login as the callback meets it: AuthorizeURL remembers the request,
// Exchange checks PKCE and the redirect URI and hands out the tokens a test registered for
// a code.
type hostedUI struct {
	mu        sync.Mutex
	authorize auth.AuthorizeRequest
	codes     map[string]*auth.Tokens
	fail      error
	exchanged int
}

func (u *hostedUI) AuthorizeURL(r auth.AuthorizeRequest) string {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.authorize = r
	return "https://login.example.com/oauth2/authorize?" + url.Values{"state": {r.State}}.Encode()
}

func (u *hostedUI) LogoutURL(logoutURI string) string {
	return "https://login.example.com/logout?" + url.Values{"logout_uri": {logoutURI}}.Encode()
}

func (u *hostedUI) Exchange(_ context.Context, code, verifier, redirectURI string) (*auth.Tokens, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.exchanged++
	if u.fail != nil {
		return nil, u.fail
	}
	sum := sha256.Sum256([]byte(verifier))
	t, ok := u.codes[code]
	if !ok || redirectURI != callbackURL || base64.RawURLEncoding.EncodeToString(sum[:]) != u.authorize.CodeChallenge {
		return nil, &auth.PoolError{Reason: auth.ReasonNotAuthorized, Err: errors.New("invalid_grant")}
	}
	delete(u.codes, code)
	return t, nil
}

func (u *hostedUI) issue(code string, t *auth.Tokens) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.codes[code] = t
}

// codeOf is the contract code of err ("" for nil), for table comparisons.
func codeOf(err error) auth.Code {
	if err == nil {
		return ""
	}
	return auth.CodeOf(err)
}

// messageOf is the user-facing message of an *auth.Error.
func messageOf(err error) string {
	var e *auth.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return ""
}

// wantErr fails t unless err has the code want ("" for none) and, when message is not "",
// that user-facing message: the check every table of refusals ends with.
func wantErr(t *testing.T, err error, want auth.Code, message string) {
	t.Helper()
	if codeOf(err) != want || (message != "" && messageOf(err) != message) {
		t.Fatalf("err = %v (%q), want %q %q", err, messageOf(err), want, message)
	}
}

// otherThan is a six-digit code none of codes is: a wrong code that cannot be right by
// chance.
func otherThan(codes ...string) string {
	for i := 0; ; i++ {
		c := fmt.Sprintf("%06d", i)
		if !slices.Contains(codes, c) {
			return c
		}
	}
}

// wrongTOTP is a code the authenticator app with secret does not show now, nor a step
// either side (the drift the pool tolerates).
func (h *harness) wrongTOTP(secret string) string {
	h.t.Helper()
	var valid []string
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		c, err := userpooltest.TOTP(secret, h.clock.Now().Add(d))
		if err != nil {
			h.t.Fatal(err)
		}
		valid = append(valid, c)
	}
	return otherThan(valid...)
}

// poolErr is the refusal a test injects with Fail.
func poolErr(r auth.Reason, msg string) error {
	return &auth.PoolError{Reason: r, Message: msg, Err: errors.New(strings.ToLower(string(r)))}
}
