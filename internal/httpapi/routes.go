// Package httpapi is monban's HTTP transport: it decodes requests into the typed inputs of
// package auth, seals the flows' state into cookies (one typed jar per sealed kind), applies
// the edge rules (CORS, CSRF, body limits) and writes JSON or redirects. The same
// http.Handler serves Lambda (through the API Gateway adapter) and the local stack.
package httpapi

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/monban-auth/monban/internal/allowlist"
	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/cookie"
	"github.com/monban-auth/monban/internal/metrics"
	"github.com/monban-auth/monban/internal/originverify"
	"github.com/monban-auth/monban/internal/seal"
)

// Deps is what the transport needs.
type Deps struct {
	Auth    *auth.Service
	Sealer  *seal.Sealer
	Cookies cookie.Codec
	// Origins are the site's origins: the only ones CORS answers and CSRF checks let through.
	// Redirect targets are the flows' business (auth.Config.Redirects): an origin trusted
	// as a place to send browsers is not thereby trusted to read sessions.
	Origins *allowlist.Policy
	// OriginVerify refuses requests that did not come through the site's CloudFront
	// distribution (its zero value checks nothing).
	OriginVerify *originverify.Check
	ErrorURL     string // absolute; the callback appends ?error=CODE
	// RefreshLifetime is the app client's refresh-token validity: the refresh cookie's life.
	RefreshLifetime time.Duration
	TokenMode       bool // return tokens in bodies as well (cross-site frontends)
	TokenEndpoint   bool // enable GET /auth/token
	// Metrics receives a count of every sign-in, sign-up, refresh and sign-out by outcome;
	// nil records nothing.
	Metrics *metrics.Recorder
	Log     *slog.Logger
	Now     func() time.Time
}

type handler struct {
	Deps
	log  *slog.Logger
	jars jars
}

// New returns the /auth API.
func New(d Deps) http.Handler {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	h := &handler{Deps: d, log: d.Log, jars: newJars(d)}
	mux := http.NewServeMux()
	allowed := map[string][]string{} // path → methods, for 405's Allow
	route := func(method, path string, fn http.HandlerFunc) {
		mux.Handle(method+" "+path, fn)
		allowed[path] = append(allowed[path], method)
	}
	route("GET", "/auth/health", h.health)
	route("GET", "/auth/client.js", h.clientScript)
	route("GET", "/auth/sign-in", h.signIn)
	route("GET", "/auth/providers", h.providers)
	route("GET", "/auth/callback", h.callback)
	route("GET", "/auth/session", h.session)
	route("POST", "/auth/refresh", jsonPost(h, h.refresh))
	route("POST", "/auth/sign-out", jsonPost(h, h.signOut))
	route("GET", "/auth/sign-out", h.signOutLink)
	route("GET", "/auth/token", h.token)
	route("POST", "/auth/sign-up", jsonPost(h, h.signUp))
	route("POST", "/auth/confirm-sign-up", jsonPost(h, h.confirmSignUp))
	route("POST", "/auth/resend-code", jsonPost(h, h.resendCode))
	route("POST", "/auth/sign-in/password", jsonPost(h, h.signInPassword))
	route("POST", "/auth/challenge", jsonPostSized(h, MaxCredentialBodyBytes, h.answerChallenge))
	route("POST", "/auth/forgot-password", jsonPost(h, h.forgotPassword))
	route("POST", "/auth/confirm-forgot-password", jsonPost(h, h.confirmForgotPassword))
	route("POST", "/auth/change-password", jsonPost(h, h.changePassword))
	route("POST", "/auth/mfa/totp/setup", jsonPost(h, h.setupTOTP))
	route("POST", "/auth/mfa/totp/verify", jsonPost(h, h.verifyTOTP))
	route("POST", "/auth/sign-in/start", jsonPost(h, h.startSignIn))
	route("GET", "/auth/passkeys", h.listPasskeys)
	route("POST", "/auth/passkeys/register/start", jsonPost(h, h.startPasskeyRegistration))
	route("POST", "/auth/passkeys/register/finish", jsonPostSized(h, MaxCredentialBodyBytes, h.finishPasskeyRegistration))
	route("POST", "/auth/passkeys/delete", jsonPost(h, h.deletePasskey))
	route("GET", "/auth/profile", h.profile)
	route("POST", "/auth/profile", jsonPost(h, h.updateProfile))
	route("POST", "/auth/profile/verify", jsonPost(h, h.verifyAttribute))
	route("POST", "/auth/profile/resend-code", jsonPost(h, h.resendAttributeCode))
	route("POST", "/auth/account/delete", jsonPost(h, h.deleteAccount))
	mux.Handle("/", h.fallback(allowed))
	return h.viaOrigin(h.cors(noStore(mux)))
}

// fallback answers what no route takes: 405 with Allow on a known path, else 404.
func (h *handler) fallback(allowed map[string][]string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if methods := allowed[r.URL.Path]; methods != nil {
			w.Header().Set("Allow", strings.Join(methods, ", "))
			writeError(w, r, h.log, auth.Fail(auth.CodeMethodNotAllowed, "method not allowed", nil))
			return
		}
		writeError(w, r, h.log, auth.Fail(auth.CodeNotFound, "no such endpoint", nil))
	}
}

// viaOrigin refuses, before anything else, a request that lacks CloudFront's origin-verify
// header: one sent to the execute-api URL directly.
func (h *handler) viaOrigin(next http.Handler) http.Handler {
	if !h.OriginVerify.Enabled() {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h.OriginVerify.Allows(r.Header.Values(originverify.Header)) {
			writeError(w, r, h.log, auth.Fail(auth.CodeForbiddenOrigin,
				"requests must come through the site's address, not the API's own", nil))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

func (h *handler) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// count records one metric with the outcome err and challenged say.
func (h *handler) count(name string, err error, challenged bool) {
	switch {
	case err != nil:
		h.Metrics.Count(name, metrics.Failure)
	case challenged:
		h.Metrics.Count(name, metrics.Challenge)
	default:
		h.Metrics.Count(name, metrics.Success)
	}
}
