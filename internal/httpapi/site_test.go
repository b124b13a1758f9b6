package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/monban-auth/monban/client"
	"github.com/monban-auth/monban/internal/allowlist"
	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/metrics"
	"github.com/monban-auth/monban/internal/originverify"
)

const originSecret = "ORIGIN-VERIFY-SECRET-0123456789abcdef"

// Behind CloudFront every request carries the origin-verify header; one sent to the
// execute-api URL directly does not, and is refused before anything else, preflights too.
func TestRequestsMustComeThroughTheSiteOrigin(t *testing.T) {
	fx := newFixture(t, func(d *Deps) {
		d.OriginVerify = originverify.New([][]byte{[]byte(originSecret), []byte("PREVIOUS-ORIGIN-SECRET-0123456789ab")})
	})
	via := map[string]string{originverify.Header: originSecret}
	cases := []struct {
		name   string
		method string
		path   string
		hdr    map[string]string
		want   int
	}{
		{"a page load through CloudFront", "GET", "/auth/session", via, http.StatusOK},
		{"the previous secret while rotating", "GET", "/auth/session", map[string]string{originverify.Header: "PREVIOUS-ORIGIN-SECRET-0123456789ab"}, http.StatusOK},
		{"a page load sent to execute-api directly", "GET", "/auth/session", nil, http.StatusForbidden},
		{"a wrong secret", "GET", "/auth/session", map[string]string{originverify.Header: "guess"}, http.StatusForbidden},
		{"sign-in started directly", "GET", "/auth/sign-in", nil, http.StatusForbidden},
		{"a preflight sent directly", "OPTIONS", "/auth/sign-in/password", map[string]string{"Origin": site, "Access-Control-Request-Method": "POST"}, http.StatusForbidden},
		{"the health check sent directly", "GET", "/auth/health", nil, http.StatusForbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := fx.do(c.method, c.path, "", c.hdr)
			if w.Code != c.want {
				t.Fatalf("%d %s, want %d", w.Code, w.Body, c.want)
			}
			if c.want == http.StatusForbidden && errorCode(t, w) != auth.CodeForbiddenOrigin {
				t.Fatalf("refusal is not forbidden_origin: %s", w.Body)
			}
		})
	}
	// The cookies of a signed-in browser are no use without the header.
	fx.do("GET", "/auth/sign-in", "", via) // flow cookie
	w := fx.do("GET", "/auth/sign-in?redirect_to=/", "", via)
	loc, _ := url.Parse(w.Header().Get("Location"))
	fx.do("GET", "/auth/callback?code="+secretCode+"&state="+loc.Query().Get("state"), "", via)
	if fx.cookie("__Host-monban-session") == nil {
		t.Fatal("sign-in through CloudFront set no session")
	}
	if w := fx.do("GET", "/auth/session", "", nil); w.Code != http.StatusForbidden || strings.Contains(w.Body.String(), "sub-1") {
		t.Fatalf("a session cookie sent directly to the API: %d %s", w.Code, w.Body)
	}
	if strings.Contains(fx.logs.String(), originSecret) {
		t.Fatal("the origin-verify secret reached the log")
	}
}

func TestClientScript(t *testing.T) {
	fx := newFixture(t)
	w := fx.do("GET", "/auth/client.js", "", map[string]string{"Origin": "https://elsewhere.example.org"})
	if w.Code != http.StatusOK || w.Body.String() != string(client.Script) {
		t.Fatalf("%d, %d bytes", w.Code, w.Body.Len())
	}
	h := w.Header()
	for k, want := range map[string]string{
		"Content-Type":                "text/javascript; charset=utf-8",
		"Cache-Control":               "public, max-age=300, s-maxage=86400",
		"Access-Control-Allow-Origin": "*",
		"X-Content-Type-Options":      "nosniff",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if h.Get("Access-Control-Allow-Credentials") != "" || h.Get("Vary") != "" || len(w.Result().Cookies()) != 0 {
		t.Errorf("a shared, cached script must not vary by origin or carry credentials: %v", h)
	}
	etag := h.Get("ETag")
	if len(etag) < 10 || !strings.HasPrefix(etag, `"`) {
		t.Fatalf("ETag = %q", etag)
	}
	w = fx.do("GET", "/auth/client.js", "", map[string]string{"If-None-Match": etag})
	if w.Code != http.StatusNotModified || w.Body.Len() != 0 {
		t.Fatalf("revalidation: %d, %d bytes", w.Code, w.Body.Len())
	}
	if w := fx.do("GET", "/auth/client.js", "", map[string]string{"If-None-Match": `"stale"`}); w.Code != http.StatusOK {
		t.Fatalf("a stale ETag must get the script: %d", w.Code)
	}
	if w := fx.do("HEAD", "/auth/client.js", "", nil); w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Fatalf("HEAD: %d, %d bytes", w.Code, w.Body.Len())
	}
	if w := fx.do("POST", "/auth/client.js", "", nil); w.Code != http.StatusMethodNotAllowed {
		t.Fatalf("POST: %d", w.Code)
	}
}

// Sign-out returns the browser to the allow-listed site it came from, not always the first.
func TestSignOutReturnsToTheRequestingSite(t *testing.T) {
	cases := []struct {
		name string
		hdr  map[string]string
		get  bool
		want string
	}{
		{"a POST from the second origin", map[string]string{"Origin": "https://app.example.com"}, false, "https://app.example.com/"},
		{"a POST from the first origin", map[string]string{"Origin": site}, false, site + "/"},
		{"a link followed from the second origin", navigation("same-site", "https://app.example.com/account?x=1"), true, "https://app.example.com/"},
		// (A link followed from a redirect-only origin is refused: TestSignOutLinkFollowedFrom.)
		{"a link whose referer is a redirect-only origin goes to the default", navigation("same-origin", "https://partner.example.net/"), true, site + "/"},
		{"a link with no referer goes to the default", navigation("same-origin", ""), true, site + "/"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fx := newFixture(t)
			fx.signIn("/")
			var loc string
			if c.get {
				w := fx.do("GET", "/auth/sign-out", "", c.hdr)
				if w.Code != http.StatusFound {
					t.Fatalf("%d %s", w.Code, w.Body)
				}
				loc = w.Header().Get("Location")
			} else {
				hdr := map[string]string{"Content-Type": "application/json"}
				for k, v := range c.hdr {
					hdr[k] = v
				}
				w := fx.do("POST", "/auth/sign-out", "{}", hdr)
				var res auth.SignOutResult
				if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &res) != nil {
					t.Fatalf("%d %s", w.Code, w.Body)
				}
				loc = res.LogoutURL
			}
			u, _ := url.Parse(loc)
			if got := u.Query().Get("logout_uri"); got != c.want {
				t.Fatalf("logout_uri = %q, want %q", got, c.want)
			}
		})
	}
}

// fakeProfiles answers as Cognito's GetUser would for the fake's access token.
type fakeProfiles struct {
	calls  int
	scopes []string
	err    error
}

func (p *fakeProfiles) Attributes(_ context.Context, raw string, scopes []string) (map[string]string, error) {
	p.calls++
	p.scopes = scopes
	if p.err != nil {
		return nil, p.err
	}
	if raw != secretAccess {
		return nil, &auth.PoolError{Reason: auth.ReasonTokenRevoked}
	}
	return map[string]string{"sub": "sub-1", "email": "a@example.com", "email_verified": "true", "custom:tenant": "t1"}, nil
}

// withProfiles is a pool whose user attributes fakeProfiles answers.
type withProfiles struct {
	auth.UserPool
	profiles *fakeProfiles
}

func (p withProfiles) Attributes(ctx context.Context, raw string, scopes []string) (map[string]string, error) {
	return p.profiles.Attributes(ctx, raw, scopes)
}

// In token mode a bearer session answers with the user a cookie session has.
func TestBearerSessionHasTheCookieSessionsUser(t *testing.T) {
	profiles := &fakeProfiles{}
	var deps Deps
	fx := newFixture(t, func(d *Deps) { d.TokenMode = true; deps = *d })
	redirects, _ := allowlist.NewPolicy(site, nil)
	deps.Auth = auth.NewService(auth.Config{
		CallbackURL: callbackURL, Scopes: []string{"openid"}, Redirects: redirects,
		LogoutURI: site + "/", Now: deps.Now,
	}, auth.Deps{HostedUI: fx.fake, Verifier: fx.fake, Pool: withProfiles{testPool(fx.fake), profiles}})
	fx.h = New(deps)
	fx.signIn("/")
	cookieView := fx.do("GET", "/auth/session", "", nil)
	jar := fx.cookies
	fx.cookies = nil
	for i := 0; i < 3; i++ {
		bearerView := fx.do("GET", "/auth/session", "", map[string]string{"Authorization": "Bearer " + secretAccess})
		if bearerView.Code != http.StatusOK || userOf(t, bearerView) != userOf(t, cookieView) {
			t.Fatalf("bearer user %s\ncookie user %s", bearerView.Body, cookieView.Body)
		}
	}
	if profiles.calls != 1 {
		t.Fatalf("Cognito asked %d times for one token's user, want once", profiles.calls)
	}
	// A token Cognito refuses (revoked) reads as signed out.
	fx.cookies = jar
	profiles.err = &auth.PoolError{Reason: auth.ReasonTokenRevoked}
	other := newFixture(t, func(d *Deps) { d.TokenMode = true; deps = *d })
	deps.Auth = auth.NewService(auth.Config{Redirects: redirects, Now: deps.Now}, auth.Deps{Verifier: other.fake, Pool: withProfiles{testPool(other.fake), profiles}})
	other.h = New(deps)
	if w := other.do("GET", "/auth/session", "", map[string]string{"Authorization": "Bearer " + secretAccess}); !signedOut(w) {
		t.Fatalf("revoked bearer token: %d %s", w.Code, w.Body)
	}
}

func userOf(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var v struct {
		User json.RawMessage `json:"user"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	return string(v.User)
}

// Every sign-in, refresh and sign-out is counted by outcome, as embedded-metric-format
// lines that carry nothing about the user.
func TestFlowsAreCountedWithoutPersonalData(t *testing.T) {
	var lines bytes.Buffer
	fx := newFixture(t, func(d *Deps) { d.Metrics = metrics.New(&lines, "monban-api", d.Now) })
	fx.signIn("/")                                                                // hosted UI: success
	fx.do("GET", "/auth/callback?code=x&state=forged", "", nil)                   // failure
	fx.post("/auth/sign-in/password", `{"email":"a@example.com","password":"x"}`) // the fake always challenges
	fx.post("/auth/refresh", "{}")                                                // success
	fx.post("/auth/sign-out", "{}")                                               // success
	want := []string{
		`"SignIn":1`, `"Outcome":"success"`,
		`"SignIn":1`, `"Outcome":"failure"`,
		`"SignIn":1`, `"Outcome":"challenge"`,
		`"Refresh":1`, `"Outcome":"success"`,
		`"SignOut":1`, `"Outcome":"success"`,
	}
	got := strings.Split(strings.TrimSpace(lines.String()), "\n")
	if len(got) != len(want)/2 {
		t.Fatalf("%d lines, want %d:\n%s", len(got), len(want)/2, lines.String())
	}
	for i, l := range got {
		if !strings.Contains(l, want[2*i]) || !strings.Contains(l, want[2*i+1]) || !strings.Contains(l, `"Namespace":"monban"`) {
			t.Errorf("line %d = %s, want %s %s", i, l, want[2*i], want[2*i+1])
		}
		for _, private := range []string{"a@example.com", "sub-1", secretAccess, secretRefresh} {
			if strings.Contains(l, private) {
				t.Errorf("line %d carries %q", i, private)
			}
		}
	}
}
