package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/monban-auth/monban/internal/allowlist"
	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/cognito"
	"github.com/monban-auth/monban/internal/cookie"
	"github.com/monban-auth/monban/internal/seal"
	"github.com/monban-auth/monban/internal/token"
)

const (
	site        = "https://www.example.com"
	callbackURL = "https://www.example.com/auth/callback"
	errorURL    = "https://www.example.com/signin-error"
	// Distinctive values the log-leak test searches for.
	secretAccess  = "ACCESS-TOKEN-SECRET-VALUE"
	secretID      = "ID-TOKEN-SECRET-VALUE"
	secretRefresh = "REFRESH-TOKEN-SECRET-VALUE"
	secretCode    = "AUTH-CODE-SECRET-VALUE"
)

// fakeCognito plays hosted UI, verifier and revoker. It issues tokens whose "claims" it
// remembers, so the flows can be driven without a network.
type fakeCognito struct {
	cognito.API // the calls a test does not make panic
	mu          sync.Mutex
	now         func() time.Time
	nonce       string // nonce the next ID token carries
	exchanged   []string
	refreshed   int
	revoked     []string
	refreshErr  error
	lifetime    time.Duration
	rotate      bool
	globalErr   error
}

func (f *fakeCognito) AuthorizeURL(r auth.AuthorizeRequest) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nonce = r.Nonce
	q := url.Values{"state": {r.State}, "nonce": {r.Nonce}, "code_challenge": {r.CodeChallenge}, "redirect_uri": {r.RedirectURI}}
	return "https://auth.example.com/oauth2/authorize?" + q.Encode()
}

func (f *fakeCognito) LogoutURL(uri string) string {
	return "https://auth.example.com/logout?" + url.Values{"client_id": {"cid"}, "logout_uri": {uri}}.Encode()
}

func (f *fakeCognito) Exchange(_ context.Context, code, verifier, redirectURI string) (*auth.Tokens, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if code != secretCode || verifier == "" || redirectURI != callbackURL {
		return nil, &auth.PoolError{Reason: auth.ReasonNotAuthorized, Message: "invalid_grant"}
	}
	f.exchanged = append(f.exchanged, code)
	return &auth.Tokens{AccessToken: secretAccess, IDToken: secretID, RefreshToken: secretRefresh}, nil
}

func (f *fakeCognito) InitiateAuth(_ context.Context, in *cip.InitiateAuthInput, _ ...func(*cip.Options)) (*cip.InitiateAuthOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if in.AuthFlow == types.AuthFlowTypeUserPasswordAuth {
		// Every password sign-in here must choose a new password first.
		return &cip.InitiateAuthOutput{ChallengeName: types.ChallengeNameTypeNewPasswordRequired,
			ChallengeParameters: map[string]string{"USER_ID_FOR_SRP": "sub-1"}, Session: aws.String("cognito-session")}, nil
	}
	if in.AuthFlow == types.AuthFlowTypeUserAuth {
		// An app client without ALLOW_USER_AUTH, as Cognito answers for it.
		return nil, &smithy.GenericAPIError{Code: "InvalidParameterException", Message: "USER_AUTH flow not enabled for this client"}
	}
	if in.AuthFlow != types.AuthFlowTypeRefreshTokenAuth {
		return nil, errors.New("unexpected flow")
	}
	f.refreshed++
	if f.refreshErr != nil {
		return nil, f.refreshErr
	}
	if in.AuthParameters["REFRESH_TOKEN"] != secretRefresh || in.AuthParameters["SECRET_HASH"] != cognito.SecretHash("cid", "csecret", "sub-1") {
		return nil, &smithy.GenericAPIError{Code: "NotAuthorizedException", Message: "Invalid Refresh Token"}
	}
	r := &types.AuthenticationResultType{AccessToken: aws.String(secretAccess), IdToken: aws.String(secretID)}
	if f.rotate {
		r.RefreshToken = aws.String(secretRefresh)
	}
	return &cip.InitiateAuthOutput{AuthenticationResult: r}, nil
}

func (f *fakeCognito) claims(use string) *token.Claims {
	return &token.Claims{Subject: "sub-1", Username: "sub-1", Email: "a@example.com", EmailVerified: true,
		Groups: []string{"admins"}, TokenUse: use, ExpiresAt: f.now().Add(f.lifetime),
		Attributes: map[string]string{"custom:tenant": "t1", "jti": "bookkeeping"}}
}

func (f *fakeCognito) VerifyID(_ context.Context, raw, nonce string, _ bool) (*token.Claims, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if raw != secretID {
		return nil, token.ErrInvalid
	}
	if nonce != "" && nonce != f.nonce {
		return nil, errors.New("token: nonce mismatch")
	}
	return f.claims("id"), nil
}

func (f *fakeCognito) VerifyAccess(_ context.Context, raw string) (*token.Claims, error) {
	if raw != secretAccess {
		return nil, token.ErrInvalid
	}
	return f.claims("access"), nil
}

func (f *fakeCognito) RespondToAuthChallenge(_ context.Context, in *cip.RespondToAuthChallengeInput, _ ...func(*cip.Options)) (*cip.RespondToAuthChallengeOutput, error) {
	if aws.ToString(in.Session) != "cognito-session" || in.ChallengeResponses["NEW_PASSWORD"] == "" {
		return nil, &smithy.GenericAPIError{Code: "NotAuthorizedException", Message: "Invalid session"}
	}
	return &cip.RespondToAuthChallengeOutput{AuthenticationResult: &types.AuthenticationResultType{
		AccessToken: aws.String(secretAccess), IdToken: aws.String(secretID), RefreshToken: aws.String(secretRefresh)}}, nil
}

func (f *fakeCognito) RevokeToken(_ context.Context, in *cip.RevokeTokenInput, _ ...func(*cip.Options)) (*cip.RevokeTokenOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.revoked = append(f.revoked, aws.ToString(in.Token))
	return &cip.RevokeTokenOutput{}, nil
}

func (f *fakeCognito) GlobalSignOut(context.Context, *cip.GlobalSignOutInput, ...func(*cip.Options)) (*cip.GlobalSignOutOutput, error) {
	if f.globalErr != nil {
		return nil, f.globalErr
	}
	return &cip.GlobalSignOutOutput{}, nil
}

// testPool is api behind the adapter the app uses, speaking as the app client "cid" with a
// secret (so the fakes can check SECRET_HASH).
func testPool(api cognito.API) auth.UserPool {
	return cognito.NewUserPool(api, nil, cognito.UserPoolConfig{ClientID: "cid", ClientSecret: "csecret"})
}

type fixture struct {
	t       testing.TB
	h       http.Handler
	fake    *fakeCognito
	now     time.Time
	logs    *bytes.Buffer
	sealer  *seal.Sealer
	cookies []*http.Cookie // the browser's jar, by name
}

func newFixture(t testing.TB, mutate ...func(*Deps)) *fixture {
	t.Helper()
	fx := &fixture{t: t, now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), logs: &bytes.Buffer{}}
	clock := func() time.Time { return fx.now }
	fx.fake = &fakeCognito{now: clock, lifetime: time.Hour}
	policy, err := allowlist.NewPolicy(site, []string{"https://app.example.com", "https://partner.example.net"})
	if err != nil {
		t.Fatal(err)
	}
	// partner.example.net may receive redirects but is not one of the site's origins.
	origins, err := allowlist.NewPolicy(site, []string{"https://app.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	fx.sealer, err = seal.NewSealer([][]byte{[]byte(strings.Repeat("k", 32))})
	if err != nil {
		t.Fatal(err)
	}
	svc := auth.NewService(auth.Config{
		CallbackURL: callbackURL, Scopes: []string{"openid"}, Redirects: policy,
		LogoutURI: site + "/", Now: clock,
	}, auth.Deps{HostedUI: fx.fake, Verifier: fx.fake, Pool: testPool(fx.fake)})
	d := Deps{
		Auth: svc, Sealer: fx.sealer, Cookies: cookie.Codec{Now: clock}, Origins: origins, ErrorURL: errorURL,
		RefreshLifetime: 30 * 24 * time.Hour, Now: clock,
		Log: slog.New(slog.NewJSONHandler(fx.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, m := range mutate {
		m(&d)
	}
	fx.h = New(d)
	return fx
}

// do sends a request with the jar's cookies and stores what the response sets.
func (fx *fixture) do(method, target string, body string, hdr map[string]string) *httptest.ResponseRecorder {
	fx.t.Helper()
	r := httptest.NewRequest(method, "https://www.example.com"+target, strings.NewReader(body))
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	for _, c := range fx.cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	fx.h.ServeHTTP(w, r)
	for _, set := range w.Result().Cookies() {
		kept := fx.cookies[:0]
		for _, c := range fx.cookies {
			if c.Name != set.Name {
				kept = append(kept, c)
			}
		}
		fx.cookies = kept
		if set.MaxAge >= 0 && set.Value != "" {
			fx.cookies = append(fx.cookies, &http.Cookie{Name: set.Name, Value: set.Value})
		}
	}
	return w
}

func (fx *fixture) post(target, body string) *httptest.ResponseRecorder {
	return fx.do("POST", target, body, map[string]string{"Origin": site, "Content-Type": "application/json"})
}

func (fx *fixture) cookie(name string) *http.Cookie {
	for _, c := range fx.cookies {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// signIn runs sign-in and callback and returns the callback's response.
func (fx *fixture) signIn(redirectTo string) *httptest.ResponseRecorder {
	fx.t.Helper()
	w := fx.do("GET", "/auth/sign-in?redirect_to="+url.QueryEscape(redirectTo), "", nil)
	if w.Code != http.StatusFound {
		fx.t.Fatalf("sign-in: %d %s", w.Code, w.Body)
	}
	loc, _ := url.Parse(w.Header().Get("Location"))
	return fx.do("GET", "/auth/callback?code="+secretCode+"&state="+loc.Query().Get("state"), "", nil)
}

func errorCode(t *testing.T, w *httptest.ResponseRecorder) auth.Code {
	t.Helper()
	var b errorBody
	if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
		t.Fatalf("body is not the error contract: %q", w.Body)
	}
	if b.Error.Message == "" {
		t.Fatalf("error without message: %q", w.Body)
	}
	return b.Error.Code
}

func TestSignInRedirectsWithPKCEAndSetsFlowCookie(t *testing.T) {
	fx := newFixture(t)
	w := fx.do("GET", "/auth/sign-in?redirect_to=/account", "", nil)
	if w.Code != http.StatusFound {
		t.Fatalf("status %d", w.Code)
	}
	loc, _ := url.Parse(w.Header().Get("Location"))
	q := loc.Query()
	if q.Get("state") == "" || q.Get("nonce") == "" || len(q.Get("code_challenge")) != 43 || q.Get("redirect_uri") != callbackURL {
		t.Fatalf("authorize URL lacks state/nonce/PKCE: %s", loc)
	}
	var set *http.Cookie
	for _, c := range w.Result().Cookies() {
		if c.Name == "__Host-monban-flow" {
			set = c
		}
	}
	if set == nil || !set.HttpOnly || !set.Secure || set.SameSite != http.SameSiteLaxMode || set.Path != "/" {
		t.Fatalf("flow cookie = %+v", set)
	}
	if w.Header().Get("Cache-Control") != "no-store" {
		t.Fatal("auth responses must not be cached")
	}
}

func TestSignInRefusesOpenRedirects(t *testing.T) {
	for _, target := range []string{"//evil.example", `/\evil.example`, "https://evil.example", "javascript:alert(1)", "https://www.example.com.evil.example/"} {
		t.Run(target, func(t *testing.T) {
			fx := newFixture(t)
			w := fx.do("GET", "/auth/sign-in?redirect_to="+url.QueryEscape(target), "", nil)
			if w.Code != http.StatusBadRequest || errorCode(t, w) != auth.CodeInvalidRequest {
				t.Fatalf("redirect_to=%q: %d %s", target, w.Code, w.Body)
			}
			if len(w.Result().Cookies()) != 0 {
				t.Fatal("a refused sign-in must not start a flow")
			}
		})
	}
}

func TestCallbackEstablishesSession(t *testing.T) {
	fx := newFixture(t)
	w := fx.signIn("https://app.example.com/after")
	if w.Code != http.StatusFound || w.Header().Get("Location") != "https://app.example.com/after" {
		t.Fatalf("callback: %d %s", w.Code, w.Header().Get("Location"))
	}
	if fx.cookie("__Host-monban-session") == nil || fx.cookie("__Host-monban-refresh") == nil {
		t.Fatalf("cookies after callback: %v", fx.cookies)
	}
	if fx.cookie("__Host-monban-flow") != nil {
		t.Fatal("the flow cookie must be cleared by the callback")
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == "__Host-monban-refresh" && c.Path != "/" {
			t.Fatalf("refresh cookie path = %q, want / (host-only, as __Host- requires)", c.Path)
		}
	}
	s := fx.do("GET", "/auth/session", "", nil)
	if s.Code != http.StatusOK {
		t.Fatalf("session: %d %s", s.Code, s.Body)
	}
	var v sessionView
	json.Unmarshal(s.Body.Bytes(), &v)
	if v.User.Sub != "sub-1" || v.User.Email != "a@example.com" || v.User.Groups[0] != "admins" ||
		v.User.Attributes.Get("custom:tenant") != "t1" || v.User.Attributes.Get("jti") != "" || !v.ExpiresAt.Equal(fx.now.Add(time.Hour)) {
		t.Fatalf("session view = %+v", v)
	}
	if strings.Contains(s.Body.String(), secretAccess) {
		t.Fatal("the session view must not expose the access token")
	}
}

func TestCallbackFailuresGoToTheErrorPage(t *testing.T) {
	cases := []struct {
		name  string
		query func(state string) string
		flow  bool // keep the flow cookie
		want  auth.Code
	}{
		{"a missing flow cookie", func(s string) string { return "code=" + secretCode + "&state=" + s }, false, auth.CodeInvalidState},
		{"a state that does not match", func(string) string { return "code=" + secretCode + "&state=other" }, true, auth.CodeInvalidState},
		{"a missing state", func(string) string { return "code=" + secretCode }, true, auth.CodeInvalidState},
		{"a refused sign-in", func(s string) string { return "error=access_denied&state=" + s }, true, auth.CodeAccessDenied},
		{"another Cognito error", func(s string) string { return "error=server_error&error_description=%3Cscript%3E&state=" + s }, true, auth.CodeSignInFailed},
		{"a missing code", func(s string) string { return "state=" + s }, true, auth.CodeInvalidRequest},
		{"a code Cognito refuses", func(s string) string { return "code=stolen&state=" + s }, true, auth.CodeSignInFailed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fx := newFixture(t)
			w := fx.do("GET", "/auth/sign-in", "", nil)
			loc, _ := url.Parse(w.Header().Get("Location"))
			if !c.flow {
				fx.cookies = nil
			}
			w = fx.do("GET", "/auth/callback?"+c.query(loc.Query().Get("state")), "", nil)
			want := errorURL + "?error=" + string(c.want)
			if w.Code != http.StatusFound || w.Header().Get("Location") != want {
				t.Fatalf("got %d %q, want 302 %q", w.Code, w.Header().Get("Location"), want)
			}
			if fx.cookie("__Host-monban-session") != nil {
				t.Fatal("a failed callback must not create a session")
			}
		})
	}
}

func TestCallbackStateIsSingleUse(t *testing.T) {
	fx := newFixture(t)
	w := fx.do("GET", "/auth/sign-in", "", nil)
	loc, _ := url.Parse(w.Header().Get("Location"))
	flow := fx.cookie("__Host-monban-flow")
	cb := "/auth/callback?code=" + secretCode + "&state=" + loc.Query().Get("state")
	if w := fx.do("GET", cb, "", nil); w.Header().Get("Location") != site+"/" {
		t.Fatalf("first callback: %q", w.Header().Get("Location"))
	}
	if w := fx.do("GET", cb, "", nil); !strings.Contains(w.Header().Get("Location"), "error=invalid_state") {
		t.Fatalf("replayed callback: %q", w.Header().Get("Location"))
	}
	// Even an attacker replaying the old flow cookie gets no second session: the code is
	// spent at Cognito, and the flow cookie was bound to this browser.
	fx.cookies = []*http.Cookie{flow}
	if w := fx.do("GET", "/auth/callback?code=stolen&state="+loc.Query().Get("state"), "", nil); !strings.Contains(w.Header().Get("Location"), "error=sign_in_failed") {
		t.Fatalf("replayed flow cookie: %q", w.Header().Get("Location"))
	}
}

func TestCallbackInTokenModeHandsTokensInTheFragment(t *testing.T) {
	fx := newFixture(t, func(d *Deps) { d.TokenMode = true })
	w := fx.signIn("/app#old")
	loc, _ := url.Parse(w.Header().Get("Location"))
	frag, _ := url.ParseQuery(loc.Fragment)
	if loc.Path != "/app" || frag.Get("access_token") != secretAccess || frag.Get("refresh_token") == "" || loc.RawQuery != "" {
		t.Fatalf("token-mode callback target = %s", loc)
	}
}

func TestSessionRejectsBadCookies(t *testing.T) {
	cases := []struct{ name, value string }{
		{"garbage", "garbage"},
		{"an empty JWE", "...."},
		{"a truncated cookie", ""}, // filled below from a real one
		{"a forged cookie sealed with another secret", ""},
		{"a flow cookie presented as a session", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fx := newFixture(t)
			fx.signIn("/")
			real := fx.cookie("__Host-monban-session").Value
			v := c.value
			switch c.name {
			case "a truncated cookie":
				v = real[:len(real)/2]
			case "a forged cookie sealed with another secret":
				other, _ := seal.NewSealer([][]byte{[]byte(strings.Repeat("x", 32))})
				v, _ = other.Seal(seal.PurposeSession, auth.Session{AccessToken: "x", ExpiresAt: fx.now.Add(time.Hour)}, fx.now.Add(time.Hour))
			case "a flow cookie presented as a session":
				v, _ = fx.sealer.Seal(seal.PurposeFlow, auth.Session{AccessToken: "x", ExpiresAt: fx.now.Add(time.Hour)}, fx.now.Add(time.Hour))
			}
			fx.cookies = []*http.Cookie{{Name: "__Host-monban-session", Value: v}}
			w := fx.do("GET", "/auth/session", "", nil)
			if !signedOut(w) {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
			if fx.cookie("__Host-monban-session") != nil {
				t.Fatal("an unusable session cookie must be cleared")
			}
		})
	}
}

// A signed-out page load is a 200 with no user (SPEC §2), so the console logs no failed
// request on every page view.
func TestSessionWithoutCookiesIsSignedOutWithoutSetCookie(t *testing.T) {
	fx := newFixture(t)
	w := fx.do("GET", "/auth/session", "", nil)
	if !signedOut(w) {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if got := w.Header().Values("Set-Cookie"); len(got) != 0 {
		t.Fatalf("a signed-out page load must not set cookies: %q", got)
	}
}

func TestSessionRefreshesNearExpiry(t *testing.T) {
	fx := newFixture(t)
	fx.signIn("/")
	fx.now = fx.now.Add(56 * time.Minute) // inside the 5-minute window
	before := fx.cookie("__Host-monban-session").Value
	w := fx.do("GET", "/auth/session", "", nil)
	if w.Code != http.StatusOK || fx.fake.refreshed != 1 {
		t.Fatalf("%d refreshed=%d", w.Code, fx.fake.refreshed)
	}
	if after := fx.cookie("__Host-monban-session").Value; after == before {
		t.Fatal("the session cookie was not rewritten")
	}
	// Without rotation the refresh cookie is kept as it is.
	for _, c := range w.Result().Cookies() {
		if strings.Contains(c.Name, "refresh") {
			t.Fatalf("refresh cookie rewritten without rotation: %v", c)
		}
	}
	// A fresh session is answered from the cookie alone.
	fx.do("GET", "/auth/session", "", nil)
	if fx.fake.refreshed != 1 {
		t.Fatal("a fresh session must not call Cognito")
	}
}

func TestSessionAfterCookieExpiryRefreshesFromRefreshCookie(t *testing.T) {
	fx := newFixture(t, func(d *Deps) {})
	fx.fake.rotate = true
	fx.signIn("/")
	fx.now = fx.now.Add(2 * time.Hour)
	fx.cookies = []*http.Cookie{fx.cookie("__Host-monban-refresh")}
	w := fx.do("GET", "/auth/session", "", nil)
	if w.Code != http.StatusOK || fx.cookie("__Host-monban-session") == nil {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

func TestSessionWhenRefreshIsRefused(t *testing.T) {
	fx := newFixture(t)
	fx.signIn("/")
	fx.now = fx.now.Add(58 * time.Minute)
	fx.fake.refreshErr = &smithy.GenericAPIError{Code: "NotAuthorizedException", Message: "Refresh Token has been revoked"}
	w := fx.do("GET", "/auth/session", "", nil)
	if !signedOut(w) || fx.cookie("__Host-monban-refresh") != nil || fx.cookie("__Host-monban-session") != nil {
		t.Fatalf("revoked refresh token: %d, cookies %v", w.Code, fx.cookies)
	}
}

func TestSessionSurvivesCognitoOutageWhileTokenIsValid(t *testing.T) {
	fx := newFixture(t)
	fx.signIn("/")
	fx.now = fx.now.Add(58 * time.Minute)
	fx.fake.refreshErr = &smithy.GenericAPIError{Code: "InternalErrorException", Fault: smithy.FaultServer}
	if w := fx.do("GET", "/auth/session", "", nil); w.Code != http.StatusOK {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	fx.now = fx.now.Add(10 * time.Minute) // now expired, Cognito still down
	if w := fx.do("GET", "/auth/session", "", nil); w.Code != http.StatusServiceUnavailable || errorCode(t, w) != auth.CodeUpstreamUnavailable {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

func TestRefreshEndpoint(t *testing.T) {
	fx := newFixture(t)
	fx.signIn("/")
	if w := fx.post("/auth/refresh", ""); w.Code != http.StatusOK || fx.fake.refreshed != 1 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	fx.cookies = nil
	if w := fx.post("/auth/refresh", "{}"); w.Code != http.StatusUnauthorized || errorCode(t, w) != auth.CodeUnauthenticated {
		t.Fatalf("without cookie: %d %s", w.Code, w.Body)
	}
	if w := fx.post("/auth/refresh", `{"refresh_token":"x"}`); w.Code != http.StatusBadRequest {
		t.Fatalf("body token outside token mode: %d %s", w.Code, w.Body)
	}
}

func TestRefreshInTokenModeTakesAndReturnsTokens(t *testing.T) {
	fx := newFixture(t, func(d *Deps) { d.TokenMode = true })
	w := fx.signIn("/app")
	loc, _ := url.Parse(w.Header().Get("Location"))
	frag, _ := url.ParseQuery(loc.Fragment)
	fx.cookies = nil // a cross-site frontend has no cookies to send
	// Cognito's raw refresh token is useless here: only the sealed value the API handed out works.
	if w := fx.post("/auth/refresh", `{"refresh_token":"`+secretRefresh+`"}`); w.Code != http.StatusUnauthorized {
		t.Fatalf("raw refresh token: %d %s", w.Code, w.Body)
	}
	w = fx.post("/auth/refresh", `{"refresh_token":"`+frag.Get("refresh_token")+`"}`)
	var v sessionView
	json.Unmarshal(w.Body.Bytes(), &v)
	if w.Code != http.StatusOK || v.Tokens == nil || v.Tokens.AccessToken != secretAccess {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

func TestStateChangingRequestsNeedOriginAndJSON(t *testing.T) {
	cases := []struct {
		name   string
		hdr    map[string]string
		body   string
		status int
		code   auth.Code
	}{
		{"no Origin and no Sec-Fetch-Site", map[string]string{"Content-Type": "application/json"}, "{}", 403, auth.CodeForbiddenOrigin},
		{"a foreign Origin", map[string]string{"Origin": "https://evil.example", "Content-Type": "application/json"}, "{}", 403, auth.CodeForbiddenOrigin},
		{"the null Origin", map[string]string{"Origin": "null", "Content-Type": "application/json"}, "{}", 403, auth.CodeForbiddenOrigin},
		{"a cross-site fetch without Origin", map[string]string{"Sec-Fetch-Site": "cross-site", "Content-Type": "application/json"}, "{}", 403, auth.CodeForbiddenOrigin},
		{"a form post", map[string]string{"Origin": site, "Content-Type": "application/x-www-form-urlencoded"}, "a=b", 415, auth.CodeInvalidRequest},
		{"text/plain", map[string]string{"Origin": site, "Content-Type": "text/plain"}, "{}", 415, auth.CodeInvalidRequest},
		{"no content type", map[string]string{"Origin": site}, "{}", 415, auth.CodeInvalidRequest},
		{"malformed JSON", map[string]string{"Origin": site, "Content-Type": "application/json"}, "{", 400, auth.CodeInvalidRequest},
		{"a JSON array", map[string]string{"Origin": site, "Content-Type": "application/json"}, "[]", 400, auth.CodeInvalidRequest},
		{"an unknown field", map[string]string{"Origin": site, "Content-Type": "application/json"}, `{"x":1}`, 400, auth.CodeInvalidRequest},
		{"a wrong type", map[string]string{"Origin": site, "Content-Type": "application/json"}, `{"refresh_token":1}`, 400, auth.CodeInvalidRequest},
		{"trailing data", map[string]string{"Origin": site, "Content-Type": "application/json"}, `{}{}`, 400, auth.CodeInvalidRequest},
		{"an oversized body", map[string]string{"Origin": site, "Content-Type": "application/json"}, `{"refresh_token":"` + strings.Repeat("a", MaxBodyBytes) + `"}`, 413, auth.CodeInvalidRequest},
	}
	for _, c := range cases {
		for _, path := range []string{"/auth/refresh", "/auth/sign-out"} {
			t.Run(c.name+" to "+path, func(t *testing.T) {
				fx := newFixture(t)
				fx.signIn("/")
				w := fx.do("POST", path, c.body, c.hdr)
				if w.Code != c.status || errorCode(t, w) != c.code {
					t.Fatalf("got %d %s, want %d %s", w.Code, w.Body, c.status, c.code)
				}
				if fx.fake.refreshed != 0 || len(fx.fake.revoked) != 0 {
					t.Fatal("a refused request must not reach Cognito")
				}
				if fx.cookie("__Host-monban-session") == nil {
					t.Fatal("a refused request must not touch the session")
				}
			})
		}
	}
}

func TestSameOriginFetchWithoutOriginIsAccepted(t *testing.T) {
	fx := newFixture(t)
	fx.signIn("/")
	w := fx.do("POST", "/auth/refresh", "{}", map[string]string{"Sec-Fetch-Site": "same-origin", "Content-Type": "application/json; charset=utf-8"})
	if w.Code != http.StatusOK {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

func TestSignOut(t *testing.T) {
	fx := newFixture(t)
	fx.signIn("/")
	w := fx.post("/auth/sign-out?logout_uri="+url.QueryEscape("https://app.example.com/bye"), "{}")
	if w.Code != http.StatusOK {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	var res auth.SignOutResult
	json.Unmarshal(w.Body.Bytes(), &res)
	lo, _ := url.Parse(res.LogoutURL)
	if !res.Revoked || lo.Path != "/logout" || lo.Query().Get("logout_uri") != "https://app.example.com/bye" || lo.Query().Get("client_id") == "" {
		t.Fatalf("sign-out result = %+v", res)
	}
	if len(fx.fake.revoked) != 1 || fx.fake.revoked[0] != secretRefresh {
		t.Fatalf("revoked = %v", fx.fake.revoked)
	}
	if len(fx.cookies) != 0 {
		t.Fatalf("cookies left after sign-out: %v", fx.cookies)
	}
	if w := fx.do("GET", "/auth/session", "", nil); !signedOut(w) {
		t.Fatalf("session after sign-out: %d", w.Code)
	}
}

func TestSignOutLink(t *testing.T) {
	fx := newFixture(t)
	fx.signIn("/")
	if w := fx.do("GET", "/auth/sign-out", "", map[string]string{"Sec-Fetch-Site": "cross-site"}); w.Code != http.StatusForbidden || len(fx.fake.revoked) != 0 {
		t.Fatalf("cross-site sign-out link: %d", w.Code)
	}
	if w := fx.do("GET", "/auth/sign-out", "", map[string]string{"Sec-Fetch-Site": "cross-site", "Referer": "https://evil.example/page"}); w.Code != http.StatusForbidden {
		t.Fatalf("cross-site sign-out link from another site: %d", w.Code)
	}
	w := fx.do("GET", "/auth/sign-out", "", navigation("cross-site", "https://app.example.com/account"))
	if w.Code != http.StatusFound || !strings.HasPrefix(w.Header().Get("Location"), "https://auth.example.com/logout?") {
		t.Fatalf("%d %q", w.Code, w.Header().Get("Location"))
	}
	if w := fx.do("GET", "/auth/sign-out?logout_uri=https://evil.example/", "", navigation("same-origin", site+"/")); w.Code != http.StatusBadRequest {
		t.Fatalf("foreign logout_uri: %d", w.Code)
	}
}

func TestTokenEndpoint(t *testing.T) {
	fx := newFixture(t)
	fx.signIn("/")
	if w := fx.do("GET", "/auth/token", "", nil); w.Code != http.StatusNotFound {
		t.Fatalf("disabled token endpoint: %d", w.Code)
	}
	fx2 := newFixture(t, func(d *Deps) { d.TokenEndpoint = true })
	fx2.signIn("/")
	w := fx2.do("GET", "/auth/token", "", nil)
	var tk tokens
	json.Unmarshal(w.Body.Bytes(), &tk)
	if w.Code != http.StatusOK || tk.AccessToken != secretAccess || tk.ExpiresAt.IsZero() {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

func TestCORS(t *testing.T) {
	fx := newFixture(t)
	pre := func(origin string) *httptest.ResponseRecorder {
		return fx.do("OPTIONS", "/auth/refresh", "", map[string]string{"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
	}
	w := pre("https://app.example.com")
	if w.Code != http.StatusNoContent || w.Header().Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
		w.Header().Get("Access-Control-Allow-Credentials") != "true" || !strings.Contains(w.Header().Get("Access-Control-Allow-Headers"), "Content-Type") {
		t.Fatalf("allowed preflight: %d %v", w.Code, w.Header())
	}
	w = pre("https://evil.example")
	if w.Code != http.StatusForbidden || w.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("foreign preflight: %d %v", w.Code, w.Header())
	}
	w = fx.do("GET", "/auth/session", "", map[string]string{"Origin": "https://evil.example"})
	if w.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Fatal("a foreign origin must get no CORS headers")
	}
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	fx := newFixture(t)
	if w := fx.do("GET", "/auth/nope", "", nil); w.Code != 404 || errorCode(t, w) != auth.CodeNotFound {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if w := fx.do("DELETE", "/auth/session", "", nil); w.Code != 405 || errorCode(t, w) != auth.CodeMethodNotAllowed {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if w := fx.do("GET", "/auth/health", "", nil); w.Code != 200 || !strings.Contains(w.Body.String(), `"ok"`) {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

// Secrets never reach the log, whatever path a request takes.
func TestLogsCarryNoSecrets(t *testing.T) {
	fx := newFixture(t)
	fx.signIn("/")
	fx.now = fx.now.Add(58 * time.Minute)
	fx.do("GET", "/auth/session", "", nil)
	fx.post("/auth/refresh", "{}")
	fx.fake.refreshErr = &smithy.GenericAPIError{Code: "NotAuthorizedException", Message: "refresh token " + secretRefresh}
	fx.now = fx.now.Add(time.Hour)
	fx.do("GET", "/auth/session", "", nil)
	fx.do("GET", "/auth/callback?code="+secretCode+"&state=bad", "", nil)
	fx.post("/auth/sign-out", "{}")
	logs := fx.logs.String()
	if logs == "" {
		t.Fatal("expected some log lines")
	}
	for _, s := range []string{secretAccess, secretID, secretRefresh, secretCode, strings.Repeat("k", 32), "eyJ"} {
		if strings.Contains(logs, s) {
			t.Fatalf("log contains %q:\n%s", s, logs)
		}
	}
}

func TestGlobalSignOutFailureStillSignsTheBrowserOut(t *testing.T) {
	fx := newFixture(t)
	fx.signIn("/")
	fx.fake.globalErr = &smithy.GenericAPIError{Code: "InternalErrorException", Fault: smithy.FaultServer}
	w := fx.post("/auth/sign-out?global=true", "{}")
	if w.Code != http.StatusServiceUnavailable || errorCode(t, w) != auth.CodeUpstreamUnavailable {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if len(fx.cookies) != 0 || len(fx.fake.revoked) != 1 {
		t.Fatalf("cookies %v, revoked %v: the browser must be signed out anyway", fx.cookies, fx.fake.revoked)
	}
}

func TestSignOutLinkRefusesGlobal(t *testing.T) {
	fx := newFixture(t)
	fx.signIn("/")
	if w := fx.do("GET", "/auth/sign-out?global=true", "", navigation("same-origin", site+"/")); w.Code != http.StatusBadRequest || len(fx.fake.revoked) != 0 {
		t.Fatalf("%d", w.Code)
	}
	if fx.cookie("__Host-monban-session") == nil {
		t.Fatal("a refused sign-out must leave the session alone")
	}
}

func TestMethodNotAllowedNamesTheAllowedMethods(t *testing.T) {
	fx := newFixture(t)
	w := fx.do("PUT", "/auth/sign-out", "", nil)
	if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "POST, GET" {
		t.Fatalf("%d Allow=%q", w.Code, w.Header().Get("Allow"))
	}
}

func TestRedirectOnlyOriginsAreNotTrustedForCORSOrCSRF(t *testing.T) {
	fx := newFixture(t)
	fx.signIn("https://partner.example.net/back") // a fine redirect target
	w := fx.do("GET", "/auth/session", "", map[string]string{"Origin": "https://partner.example.net"})
	if w.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Fatal("a redirect-only origin must not read the session")
	}
	w = fx.do("POST", "/auth/refresh", "{}", map[string]string{"Origin": "https://partner.example.net", "Content-Type": "application/json"})
	if w.Code != http.StatusForbidden || errorCode(t, w) != auth.CodeForbiddenOrigin {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

// A sibling subdomain can plant /auth cookies: a refresh cookie of another user must not
// swap the signed-in user.
func TestPlantedRefreshCookieIsIgnored(t *testing.T) {
	fx := newFixture(t)
	fx.signIn("/")
	planted, err := fx.sealer.Seal(seal.PurposeRefresh, auth.Refresh{Token: secretRefresh, Username: "attacker", Sub: "attacker"}, fx.now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	fx.cookie("__Host-monban-refresh").Value = planted
	fx.now = fx.now.Add(58 * time.Minute)
	if w := fx.do("GET", "/auth/session", "", nil); w.Code != http.StatusOK || fx.fake.refreshed != 0 {
		t.Fatalf("%d, refreshed %d times with a planted cookie", w.Code, fx.fake.refreshed)
	}
	if w := fx.post("/auth/refresh", "{}"); w.Code != http.StatusUnauthorized || fx.fake.refreshed != 0 {
		t.Fatalf("forced refresh with a planted cookie: %d", w.Code)
	}
}

func TestTokenModeSignOutRevokesTheBodyRefreshToken(t *testing.T) {
	fx := newFixture(t, func(d *Deps) { d.TokenMode = true })
	w := fx.signIn("/app")
	loc, _ := url.Parse(w.Header().Get("Location"))
	frag, _ := url.ParseQuery(loc.Fragment)
	fx.cookies = nil // cross-site: the page has only what the fragment gave it
	w = fx.post("/auth/sign-out", `{"refresh_token":"`+frag.Get("refresh_token")+`"}`)
	if w.Code != http.StatusOK || len(fx.fake.revoked) != 1 || fx.fake.revoked[0] != secretRefresh || !strings.Contains(w.Body.String(), `"revoked":true`) {
		t.Fatalf("%d %s revoked=%v", w.Code, w.Body, fx.fake.revoked)
	}
}

// Token mode, a cross-site page with no cookies at all: the challenge travels sealed in the
// body, and the account endpoints take the access token as a bearer.
func TestTokenModeWithoutCookies(t *testing.T) {
	fx := newFixture(t, func(d *Deps) { d.TokenMode = true })
	w := fx.post("/auth/sign-in/password", `{"email":"a@example.com","password":"Temp-1!"}`)
	var p struct {
		Challenge      string `json:"challenge"`
		ChallengeToken string `json:"challenge_token"`
	}
	json.Unmarshal(w.Body.Bytes(), &p)
	if w.Code != http.StatusOK || p.Challenge != "NEW_PASSWORD_REQUIRED" || p.ChallengeToken == "" || strings.Contains(w.Body.String(), "cognito-session") {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	fx.cookies = nil
	w = fx.post("/auth/challenge", `{"new_password":"N3w-Passw0rd!","challenge_token":"`+p.ChallengeToken+`"}`)
	var v sessionView
	json.Unmarshal(w.Body.Bytes(), &v)
	if w.Code != http.StatusOK || v.Tokens == nil || v.Tokens.AccessToken != secretAccess {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	fx.cookies = nil
	w = fx.do("GET", "/auth/session", "", map[string]string{"Authorization": "Bearer " + secretAccess})
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"sub":"sub-1"`) {
		t.Fatalf("bearer session: %d %s", w.Code, w.Body)
	}
	if w := fx.do("GET", "/auth/session", "", map[string]string{"Authorization": "Bearer forged"}); !signedOut(w) {
		t.Fatalf("forged bearer: %d %s", w.Code, w.Body)
	}
}

func TestBearerIsIgnoredOutsideTokenMode(t *testing.T) {
	fx := newFixture(t)
	if w := fx.do("GET", "/auth/session", "", map[string]string{"Authorization": "Bearer " + secretAccess}); !signedOut(w) {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

// signedOut reports whether w is GET /auth/session's signed-out answer: 200 {"user": null}.
func signedOut(w *httptest.ResponseRecorder) bool {
	return w.Code == http.StatusOK && strings.TrimSpace(w.Body.String()) == `{"user":null}`
}
