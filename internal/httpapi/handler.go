// Package httpapi is monban's HTTP transport: it decodes requests into the typed inputs of
// package auth, seals the flows' state into cookies, applies the edge rules (CORS, CSRF,
// body limits) and writes JSON or redirects. The same http.Handler serves Lambda (through
// the API Gateway adapter) and the local stack.
package httpapi

import (
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/monban-auth/monban/internal/allowlist"
	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/cookie"
	"github.com/monban-auth/monban/internal/metrics"
	"github.com/monban-auth/monban/internal/originverify"
	"github.com/monban-auth/monban/internal/seal"
)

// Lifetimes of the short-lived cookies (SPEC §3).
const (
	FlowLifetime      = 10 * time.Minute
	ChallengeLifetime = 3 * time.Minute
)

// The cookies monban sets. All are host-only (__Host-, so Path=/): a sibling subdomain can
// plant none of them, so it can neither bind the victim's sign-in to an attacker's account
// (flow, challenge) nor make monban use a session or refresh token it did not issue to this
// browser. With a cookie Domain (MONBAN_COOKIE_DOMAIN) nothing can be host-only; the refresh
// cookie then keeps Path=/auth, off every other request, and Codec.Pick stops what a
// planted copy beside the real one could do (see readRefreshCookie).
var (
	SessionCookie   = cookie.Spec{Name: "monban-session", Path: "/"}
	RefreshCookie   = cookie.Spec{Name: "monban-refresh", Path: "/", DomainPath: "/auth"}
	FlowCookie      = cookie.Spec{Name: "monban-flow", Path: "/"}
	ChallengeCookie = cookie.Spec{Name: "monban-challenge", Path: "/"}

	// legacyRefreshCookie is the refresh cookie of earlier releases, __Secure-monban-refresh
	// on Path=/auth: any sibling subdomain can set that name. It is read only to migrate a
	// signed-in user's own (readRefreshCookie), and deleted whenever it is sent.
	legacyRefreshCookie = cookie.Spec{Name: "monban-refresh", Path: "/auth"}
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
	log *slog.Logger
}

// New returns the /auth API.
func New(d Deps) http.Handler {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	h := &handler{Deps: d, log: d.Log}
	mux := http.NewServeMux()
	allowed := map[string][]string{} // path → methods, for 405's Allow
	route := func(method, path string, fn http.HandlerFunc) {
		mux.Handle(method+" "+path, fn)
		allowed[path] = append(allowed[path], method)
	}
	route("GET", "/auth/health", h.health)
	route("GET", "/auth/client.js", h.clientScript)
	route("GET", "/auth/sign-in", h.signIn)
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
	route("POST", "/auth/challenge", jsonPost(h, h.challenge))
	route("POST", "/auth/forgot-password", jsonPost(h, h.forgotPassword))
	route("POST", "/auth/confirm-forgot-password", jsonPost(h, h.confirmForgotPassword))
	route("POST", "/auth/change-password", jsonPost(h, h.changePassword))
	route("POST", "/auth/mfa/totp/setup", jsonPost(h, h.setupTOTP))
	route("POST", "/auth/mfa/totp/verify", jsonPost(h, h.verifyTOTP))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if methods := allowed[r.URL.Path]; methods != nil {
			w.Header().Set("Allow", strings.Join(methods, ", "))
			writeError(w, r, h.log, auth.Fail(auth.CodeMethodNotAllowed, "method not allowed", nil))
			return
		}
		writeError(w, r, h.log, auth.Fail(auth.CodeNotFound, "no such endpoint", nil))
	})
	return h.viaOrigin(h.cors(noStore(mux)))
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

func (h *handler) signIn(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	to, flow, err := h.Auth.BeginSignIn(auth.SignInRequest{
		RedirectTo:       q.Get("redirect_to"),
		IdentityProvider: q.Get("identity_provider"),
		Screen:           q.Get("screen"),
	})
	if err != nil {
		writeError(w, r, h.log, err)
		return
	}
	exp := h.Now().Add(FlowLifetime)
	sealed, err := h.Sealer.Seal(seal.PurposeFlow, flow, exp)
	if err != nil {
		writeError(w, r, h.log, err)
		return
	}
	h.Cookies.Write(w, r, FlowCookie, sealed, exp)
	http.Redirect(w, r, to, http.StatusFound)
}

func (h *handler) callback(w http.ResponseWriter, r *http.Request) {
	var flow auth.Flow
	fp := &flow
	if !h.open(r, FlowCookie, seal.PurposeFlow, fp) {
		fp = nil
	}
	// Single use: whatever happens next, this flow is spent.
	h.Cookies.Clear(w, r, FlowCookie)
	q := r.URL.Query()
	g, target, err := h.Auth.CompleteSignIn(r.Context(), auth.CallbackRequest{
		Code: q.Get("code"), State: q.Get("state"), Error: q.Get("error"),
	}, fp)
	h.count(metrics.SignIn, err, false)
	if err != nil {
		h.log.LogAttrs(r.Context(), slog.LevelWarn, "sign-in failed",
			slog.String("code", string(auth.CodeOf(err))), slog.String("cause", err.Error()))
		http.Redirect(w, r, withQuery(h.ErrorURL, "error", string(auth.CodeOf(err))), http.StatusFound)
		return
	}
	if err := h.writeGrant(w, r, g); err != nil {
		http.Redirect(w, r, withQuery(h.ErrorURL, "error", string(auth.CodeInternal)), http.StatusFound)
		return
	}
	// Tokens go only to the site's own origins (Origins): MONBAN_REDIRECT_ALLOWLIST adds places
	// a browser may be sent, not pages trusted with its tokens. Elsewhere the browser arrives
	// signed in by the cookies alone.
	if h.TokenMode {
		origin := ""
		if u, err := url.Parse(target); err == nil {
			origin = u.Scheme + "://" + u.Host
		}
		if h.Origins.AllowsOrigin(origin) {
			v, err := h.grantView(g)
			if err != nil {
				http.Redirect(w, r, withQuery(h.ErrorURL, "error", string(auth.CodeInternal)), http.StatusFound)
				return
			}
			target = withFragment(target, v.Tokens.fields())
		} else {
			h.log.LogAttrs(r.Context(), slog.LevelInfo, "tokens withheld: the target is not one of the site's origins",
				slog.String("origin", origin))
		}
	}
	http.Redirect(w, r, target, http.StatusFound)
}

// sessionView is GET /auth/session's answer.
type sessionView struct {
	User      auth.User `json:"user"`
	ExpiresAt time.Time `json:"expires_at"`
	Tokens    *tokens   `json:"tokens,omitempty"`
}

type tokens struct {
	AccessToken  string    `json:"access_token"`
	IDToken      string    `json:"id_token,omitempty"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// signedOut is GET /auth/session's answer without a session: 200, so that a signed-out
// visitor's page load logs no failed request.
var signedOutView = struct {
	User *auth.User `json:"user"`
}{}

func (h *handler) session(w http.ResponseWriter, r *http.Request) {
	sess, _, err := h.current(w, r)
	if auth.CodeOf(err) == auth.CodeUnauthenticated {
		writeJSON(w, http.StatusOK, signedOutView)
		return
	}
	if err != nil {
		writeError(w, r, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, sessionView{User: sess.User, ExpiresAt: sess.ExpiresAt})
}

func (h *handler) token(w http.ResponseWriter, r *http.Request) {
	if !h.TokenEndpoint {
		writeError(w, r, h.log, auth.Fail(auth.CodeNotFound, "the token endpoint is disabled", nil))
		return
	}
	sess, _, err := h.current(w, r)
	if err != nil {
		writeError(w, r, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, tokens{AccessToken: sess.AccessToken, ExpiresAt: sess.ExpiresAt})
}

// current reads the session and refresh cookies, refreshing when due; it rewrites the
// cookies on refresh and clears them when they no longer lead to a session.
func (h *handler) current(w http.ResponseWriter, r *http.Request) (*auth.Session, *auth.Grant, error) {
	if raw, ok := h.bearer(r); ok {
		s, err := h.Auth.BearerSession(r.Context(), raw)
		return s, nil, err
	}
	// The hot path (every page load): a fresh session is answered from its cookie alone.
	sess := h.readSessionCookie(r)
	var ref *auth.Refresh
	if h.Auth.Due(sess) || h.legacyRefreshSent(r) {
		ref = h.readRefreshCookie(w, r, sess)
	}
	s, g, err := h.Auth.Current(r.Context(), sess, ref)
	if ref != nil && (g != nil || err != nil) {
		h.count(metrics.Refresh, err, false) // a refresh was due and was tried
	}
	if err != nil {
		if auth.CodeOf(err) == auth.CodeUnauthenticated {
			h.clearSession(w, r)
		}
		return nil, nil, err
	}
	if g != nil {
		if err := h.writeGrant(w, r, g); err != nil {
			return nil, nil, err
		}
	}
	return s, g, nil
}

// refreshRequest is POST /auth/refresh's and POST /auth/sign-out's body. RefreshToken is
// read only in token mode.
type refreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

func (h *handler) refresh(w http.ResponseWriter, r *http.Request, body *refreshRequest) (any, error) {
	ref := h.readRefreshCookie(w, r, h.readSessionCookie(r))
	if body.RefreshToken != "" {
		var err error
		if ref, err = h.bodyRefresh(*body); err != nil {
			return nil, err
		}
	}
	g, err := h.Auth.Refresh(r.Context(), ref)
	h.count(metrics.Refresh, err, false)
	if err != nil {
		if auth.CodeOf(err) == auth.CodeUnauthenticated {
			h.clearSession(w, r)
		}
		return nil, err
	}
	if err := h.writeGrant(w, r, g); err != nil {
		return nil, err
	}
	return h.grantView(g)
}

// bodyRefresh opens the refresh token a page sent in the body (nil when none): in token mode
// the browser holds the sealed refresh value, never Cognito's token.
func (h *handler) bodyRefresh(body refreshRequest) (*auth.Refresh, error) {
	if body.RefreshToken == "" {
		return nil, nil
	}
	if !h.TokenMode {
		return nil, auth.Fail(auth.CodeInvalidRequest, "refresh_token in the body needs token mode", nil)
	}
	ref := &auth.Refresh{}
	if err := h.Sealer.Open(seal.PurposeRefresh, body.RefreshToken, ref, h.Now()); err != nil {
		return nil, auth.Fail(auth.CodeUnauthenticated, "refresh_token is not valid", err)
	}
	return ref, nil
}

func (h *handler) signOut(w http.ResponseWriter, r *http.Request, body *refreshRequest) (any, error) {
	// In token mode the page holds the sealed refresh token: it must be revocable too.
	ref, err := h.bodyRefresh(*body)
	if err != nil {
		return nil, err
	}
	return h.doSignOut(w, r, ref)
}

// signOutLink is the plain-link form: GET, then 302 to Cognito's /logout. Any page can make a
// browser GET a URL (an <img>, a frame, a prefetch, a script's fetch), so only a link the
// user follows on the site's own pages signs out (linkFromSite); anything else is refused
// with 403 and changes nothing. A refusal answers rather than redirecting to the site: a
// real user whose browser hid where the link was (no Referer) then sees why they are still
// signed in, instead of a sign-out that silently did nothing.
func (h *handler) signOutLink(w http.ResponseWriter, r *http.Request) {
	if !h.linkFromSite(r) {
		writeError(w, r, h.log, auth.Fail(auth.CodeForbiddenOrigin,
			"a sign-out link works only when followed from the site's own pages; use POST /auth/sign-out", nil))
		return
	}
	if r.URL.Query().Has("global") {
		// Signing out every device is too much for a link any page could embed.
		writeError(w, r, h.log, auth.Fail(auth.CodeInvalidRequest, "global sign-out needs POST /auth/sign-out", nil))
		return
	}
	res, err := h.doSignOut(w, r, nil)
	if err != nil {
		writeError(w, r, h.log, err)
		return
	}
	http.Redirect(w, r, res.LogoutURL, http.StatusFound)
}

// linkFromSite reports whether r is a top-level navigation from one of the site's pages
// (Origins). With Fetch Metadata, it must be a navigation to a document (not an <img>, a
// frame or a fetch: Sec-Fetch-Mode navigate, Sec-Fetch-Dest document) and either come from
// this origin (Sec-Fetch-Site same-origin, which accounts for every redirect on the way),
// be the user's own doing (none: typed, a bookmark), or, from another host (same-site or
// cross-site: a site whose API lives on another host), come from a page whose Referer
// origin is allow-listed. Without Fetch Metadata (older browsers, scripts), only an
// allow-listed Referer origin will do: a sibling subdomain is same-site but not the site.
func (h *handler) linkFromSite(r *http.Request) bool {
	fromSite := h.Origins.AllowsOrigin(refererOrigin(r))
	site := r.Header.Get("Sec-Fetch-Site")
	if site == "" {
		return fromSite
	}
	if r.Header.Get("Sec-Fetch-Mode") != "navigate" || r.Header.Get("Sec-Fetch-Dest") != "document" {
		return false
	}
	switch site {
	case "same-origin", "none":
		return true
	case "same-site", "cross-site":
		return fromSite
	}
	return false
}

// doSignOut signs the browser out; bodyRef is a refresh token the page sent (token mode),
// used when the request carries no refresh cookie.
func (h *handler) doSignOut(w http.ResponseWriter, r *http.Request, bodyRef *auth.Refresh) (auth.SignOutResult, error) {
	q := r.URL.Query()
	global := false
	if v := q.Get("global"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return auth.SignOutResult{}, auth.Fail(auth.CodeInvalidRequest, "global must be true or false", nil)
		}
		global = b
	}
	sess := h.readSessionCookie(r)
	var opened []*auth.Refresh
	ref, _ := h.refreshCookie(w, r, sess, &opened)
	var ambiguous []*auth.Refresh
	if ref == nil && len(opened) > 1 {
		ambiguous = opened
	}
	if ref == nil {
		ref = bodyRef
	}
	if global {
		// GlobalSignOut needs a live access token: refresh an expired one first.
		if s, _, err := h.Auth.Current(r.Context(), sess, ref); err == nil {
			sess = s
		}
	}
	logoutURI := q.Get("logout_uri")
	if logoutURI == "" {
		logoutURI = h.requestSite(r)
	}
	res, err := h.Auth.SignOut(r.Context(), auth.SignOutRequest{LogoutURI: logoutURI, Global: global}, sess, ref)
	h.count(metrics.SignOut, err, false)
	if auth.CodeOf(err) == auth.CodeInvalidRequest {
		return res, err // nothing happened: the request was malformed
	}
	if ref != nil && !res.Revoked {
		h.log.LogAttrs(r.Context(), slog.LevelWarn, "refresh token not revoked at sign-out")
	}
	for _, p := range ambiguous {
		// Two refresh cookies opened and neither could be told to be this browser's: revoke
		// each, so the user's own is revoked whichever it is.
		if pr, _ := h.Auth.SignOut(r.Context(), auth.SignOutRequest{}, nil, p); !pr.Revoked {
			h.log.LogAttrs(r.Context(), slog.LevelWarn, "refresh token not revoked at sign-out")
		}
	}
	// The browser is signed out whatever Cognito said.
	h.clearSession(w, r)
	h.Cookies.Clear(w, r, FlowCookie)
	h.Cookies.Clear(w, r, ChallengeCookie)
	return res, err
}

func (h *handler) readSessionCookie(r *http.Request) *auth.Session {
	var sess auth.Session
	if !h.open(r, SessionCookie, seal.PurposeSession, &sess) {
		return nil
	}
	return &sess
}

// readRefreshCookie returns this browser's refresh token for sess (nil: none, or none that
// may refresh sess), rewriting one of an earlier release as the new cookie (see
// refreshCookie).
func (h *handler) readRefreshCookie(w http.ResponseWriter, r *http.Request, sess *auth.Session) *auth.Refresh {
	ref, legacyRaw := h.refreshCookie(w, r, sess, nil)
	if legacyRaw != "" {
		h.Cookies.Write(w, r, RefreshCookie, legacyRaw, h.Now().Add(h.RefreshLifetime))
	}
	return ref
}

// refreshCookie finds this browser's refresh token for sess. Only a value that opens and
// may refresh sess (auth.Bound: the same user, when there is a session) counts, whatever
// else the browser sends beside it (cookie.Codec.Pick). Two that count are ambiguous (copies
// planted with a cookie Domain, where a sibling subdomain can set monban's names): neither
// is used and the cookie is deleted everywhere it can be, so a planted cookie can sign the
// user out, never in as someone else. opened, if not nil, receives every value that counted.
//
// The refresh cookie of earlier releases (legacyRefreshCookie), which any sibling subdomain
// could have planted, counts only beside a session cookie of the same user, which no other
// host can set; it is always deleted, and when it counted legacyRaw is its sealed value, for
// the caller to keep as the new cookie. Without that session it is not used: its user signs
// in again.
func (h *handler) refreshCookie(w http.ResponseWriter, r *http.Request, sess *auth.Session, opened *[]*auth.Refresh) (ref *auth.Refresh, legacyRaw string) {
	ref, _, res := h.pickRefresh(r, RefreshCookie, sess, opened)
	if res == cookie.Ambiguous {
		h.log.LogAttrs(r.Context(), slog.LevelWarn, "ambiguous refresh cookies: none used, all deleted")
		h.Cookies.Clear(w, r, RefreshCookie)
		h.Cookies.ClearStray(w, r, RefreshCookie)
	}
	if !h.legacyRefreshSent(r) {
		return ref, ""
	}
	if res == cookie.Absent && sess != nil {
		if old, raw, res := h.pickRefresh(r, legacyRefreshCookie, sess, nil); res == cookie.Found {
			ref, legacyRaw = old, raw
		}
	}
	h.Cookies.Clear(w, r, legacyRefreshCookie)
	return ref, legacyRaw
}

// pickRefresh opens the refresh cookie of kind s that may refresh sess (cookie.Codec.Pick).
func (h *handler) pickRefresh(r *http.Request, s cookie.Spec, sess *auth.Session, opened *[]*auth.Refresh) (*auth.Refresh, string, cookie.Result) {
	now := h.Now()
	var last *auth.Refresh
	raw, res := h.Cookies.Pick(r, s, func(v string) bool {
		ref := &auth.Refresh{}
		if err := h.Sealer.Open(seal.PurposeRefresh, v, ref, now); err != nil {
			h.log.LogAttrs(r.Context(), slog.LevelDebug, "cookie rejected", slog.String("cookie", s.Name), slog.String("reason", err.Error()))
			return false
		}
		if ref.Token == "" || auth.Bound(sess, ref) == nil {
			return false
		}
		if opened != nil {
			*opened = append(*opened, ref)
		}
		last = ref
		return true
	})
	if res != cookie.Found {
		return nil, "", res
	}
	// Found: every accepted value was raw, so the last one opened is raw's.
	return last, raw, res
}

// open opens the sealed cookie of kind s into v. Only a value that opens counts, whatever
// else the browser sends beside it, and two different ones that open read as absent
// (cookie.Codec.Pick).
func (h *handler) open(r *http.Request, s cookie.Spec, p seal.Purpose, v any) bool {
	now := h.Now()
	// Each candidate is opened straight into v (Open leaves v untouched when it fails), so
	// the usual single cookie is decrypted once on this hot path, not once to accept it and
	// again to read it.
	_, res := h.Cookies.Pick(r, s, func(raw string) bool {
		err := h.Sealer.Open(p, raw, v, now)
		if err != nil {
			h.log.LogAttrs(r.Context(), slog.LevelDebug, "cookie rejected", slog.String("cookie", s.Name), slog.String("reason", err.Error()))
		}
		return err == nil
	})
	if res == cookie.Ambiguous {
		h.log.LogAttrs(r.Context(), slog.LevelWarn, "ambiguous cookies ignored", slog.String("cookie", s.Name))
	}
	if res != cookie.Found {
		// v may hold one of two authentic values: leave the caller nothing of either.
		reflect.ValueOf(v).Elem().SetZero()
		return false
	}
	return true
}

// legacyRefreshSent reports whether r carries the refresh cookie of an earlier release
// under a name the current one does not use (it shares the name with a cookie Domain).
// The hot path asks: a cheap look at the header comes first.
func (h *handler) legacyRefreshSent(r *http.Request) bool {
	name := h.Cookies.FullName(legacyRefreshCookie)
	if name == h.Cookies.FullName(RefreshCookie) {
		return false
	}
	for _, v := range r.Header.Values("Cookie") {
		if strings.Contains(v, name) {
			return h.sent(r, legacyRefreshCookie)
		}
	}
	return false
}

// writeGrant seals a new session (and refresh token, when Cognito issued one) into cookies.
func (h *handler) writeGrant(w http.ResponseWriter, r *http.Request, g *auth.Grant) error {
	sealed, err := h.Sealer.Seal(seal.PurposeSession, g.Session, g.Session.ExpiresAt)
	if err != nil {
		return err
	}
	h.Cookies.Write(w, r, SessionCookie, sealed, g.Session.ExpiresAt)
	if g.Refresh != nil {
		exp := h.Now().Add(h.RefreshLifetime)
		sealed, err := h.Sealer.Seal(seal.PurposeRefresh, g.Refresh, exp)
		if err != nil {
			return err
		}
		h.Cookies.Write(w, r, RefreshCookie, sealed, exp)
	}
	return nil
}

// clearSession deletes the session and refresh cookies the browser sent: with a cookie
// Domain also their copies under other paths (Codec.ClearStray), and the refresh cookie of
// an earlier release, with the new one this response may have rewritten it as. A request
// that sent none (a signed-out page load) gets no Set-Cookie at all.
func (h *handler) clearSession(w http.ResponseWriter, r *http.Request) {
	legacy := h.legacyRefreshSent(r)
	for _, s := range []cookie.Spec{SessionCookie, RefreshCookie} {
		if h.sent(r, s) || (legacy && s == RefreshCookie) {
			h.Cookies.Clear(w, r, s)
			h.Cookies.ClearStray(w, r, s)
		}
	}
	if legacy {
		h.Cookies.Clear(w, r, legacyRefreshCookie)
	}
}

// sent reports whether r carries the cookie of kind s, whole or in chunks.
func (h *handler) sent(r *http.Request, s cookie.Spec) bool {
	name := h.Cookies.FullName(s)
	for _, c := range r.Cookies() {
		if c.Name == name || strings.HasPrefix(c.Name, name+".") {
			return true
		}
	}
	return false
}

// bearer returns the access token of an "Authorization: Bearer" header, honoured in token
// mode only (elsewhere the session lives in cookies and a header is a mistake to ignore).
func (h *handler) bearer(r *http.Request) (string, bool) {
	if !h.TokenMode {
		return "", false
	}
	v := r.Header.Get("Authorization")
	if len(v) < 8 || !strings.EqualFold(v[:7], "Bearer ") {
		return "", false
	}
	return strings.TrimSpace(v[7:]), true
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

// requestSite is the home page of the allow-listed site a request came from (its Origin, or
// for a plain link its Referer), or "" when unknown: a site with several origins gets its
// users back where they signed out, not on the first origin.
func (h *handler) requestSite(r *http.Request) string {
	o := r.Header.Get("Origin")
	if o == "" || o == "null" {
		o = refererOrigin(r)
	}
	if o == "" || !h.Origins.AllowsOrigin(o) {
		return ""
	}
	return strings.ToLower(o) + "/"
}

// refererOrigin is the origin of the page a navigation came from, or "".
func refererOrigin(r *http.Request) string {
	u, err := url.Parse(r.Referer())
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

func withQuery(target, key, value string) string {
	u, err := url.Parse(target)
	if err != nil {
		return target
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

func withFragment(target string, v url.Values) string {
	u, err := url.Parse(target)
	if err != nil {
		return target
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String() + "#" + v.Encode()
}

// grantView is the answer to a new or refreshed session; in token mode it carries the tokens,
// with the refresh token sealed so that only this API can use it.
func (h *handler) grantView(g *auth.Grant) (*sessionView, error) {
	v := &sessionView{User: g.Session.User, ExpiresAt: g.Session.ExpiresAt}
	if !h.TokenMode {
		return v, nil
	}
	v.Tokens = &tokens{AccessToken: g.Tokens.AccessToken, IDToken: g.Tokens.IDToken, ExpiresAt: g.Session.ExpiresAt}
	if g.Refresh != nil {
		sealed, err := h.Sealer.Seal(seal.PurposeRefresh, g.Refresh, h.Now().Add(h.RefreshLifetime))
		if err != nil {
			return nil, err
		}
		v.Tokens.RefreshToken = sealed
	}
	return v, nil
}

func (t *tokens) fields() url.Values {
	v := url.Values{
		"access_token": {t.AccessToken},
		"id_token":     {t.IDToken},
		"expires_at":   {strconv.FormatInt(t.ExpiresAt.Unix(), 10)},
	}
	if t.RefreshToken != "" {
		v.Set("refresh_token", t.RefreshToken)
	}
	return v
}
