package monbanauth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/cookie"
	"github.com/monban-auth/monban/internal/seal"
	"github.com/monban-auth/monban/internal/sealed"
	"github.com/monban-auth/monban/internal/tokentest"
	"github.com/monban-auth/monban/pkg/monbanauth"
)

var epoch = time.Unix(1_750_000_000, 0)

var (
	secret      = []byte("0123456789abcdef0123456789abcdef-test-only")
	otherSecret = []byte("fedcba9876543210fedcba9876543210-test-only")
)

type fixture struct {
	jwks  *tokentest.JWKS
	clock *tokentest.Clock
	cfg   monbanauth.Config
	a     *monbanauth.Authenticator
	logs  *bytes.Buffer
}

func newFixture(t testing.TB, tweak ...func(*monbanauth.Config)) *fixture {
	t.Helper()
	f := &fixture{jwks: tokentest.NewJWKS(t), clock: tokentest.NewClock(epoch), logs: &bytes.Buffer{}}
	f.cfg = monbanauth.Config{
		Issuer:         tokentest.Issuer,
		JWKSURL:        f.jwks.URL(),
		ClientID:       tokentest.ClientID,
		SessionSecrets: [][]byte{secret},
		Now:            f.clock.Now,
		Log:            slog.New(slog.NewJSONHandler(f.logs, nil)),
	}
	for _, fn := range tweak {
		fn(&f.cfg)
	}
	a, err := monbanauth.New(f.cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	f.a = a
	return f
}

// sessionCookies seals a session holding accessToken the way the monban API
// does, with its own types and cookie codec, and returns the Cookie header
// lines a browser would send back. extra pads the session (to force chunks).
func sessionCookies(t testing.TB, p seal.Purpose, sec []byte, domain, accessToken string, exp time.Time, extra int) []string {
	t.Helper()
	s, err := seal.NewSealer([][]byte{sec})
	if err != nil {
		t.Fatal(err)
	}
	sess := sealed.Session{AccessToken: accessToken, ExpiresAt: exp, User: sealed.User{Sub: tokentest.Subject, Username: tokentest.Username}}
	if extra > 0 {
		sess.User.Attributes = sealed.Attributes{{Name: "padding", Value: strings.Repeat("p", extra)}}
	}
	raw, err := s.Seal(p, sess, exp)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	cookie.Codec{Domain: domain, Now: func() time.Time { return epoch }}.Write(rec, httptest.NewRequest("GET", "/", nil), sealed.SessionKind.Cookie, raw, exp)
	var pairs []string
	for _, c := range rec.Result().Cookies() {
		pairs = append(pairs, c.Name+"="+c.Value)
	}
	return []string{strings.Join(pairs, "; ")}
}

func (f *fixture) serve(t testing.TB, authorization []string, cookies []string) (*httptest.ResponseRecorder, *monbanauth.Identity) {
	t.Helper()
	var seen *monbanauth.Identity
	h := f.a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := monbanauth.FromContext(r.Context())
		if !ok {
			t.Error("the next handler ran without an identity")
		}
		seen = id
		w.WriteHeader(http.StatusNoContent)
	}))
	r := httptest.NewRequest("GET", "/api/me", nil)
	for _, v := range authorization {
		r.Header.Add("Authorization", v)
	}
	for _, c := range cookies {
		r.Header.Add("Cookie", c)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec, seen
}

type errorBody struct {
	Error struct{ Code, Message string }
}

func TestMiddleware(t *testing.T) {
	ac := tokentest.AccessClaims(epoch)
	good := tokentest.Sign(ac)
	exp := epoch.Add(time.Hour)
	hostCookie := func(t testing.TB) []string {
		return sessionCookies(t, seal.PurposeSession, secret, "", good, exp, 0)
	}

	tests := []struct {
		name          string
		tweak         func(*monbanauth.Config)
		authorization []string
		cookies       func(t testing.TB) []string
		status        int
		code          string
		wwwAuth       string
		via           monbanauth.Credential
	}{
		{name: "a genuine bearer token is let through with its user", authorization: []string{"Bearer " + good}, status: 204, via: monbanauth.Bearer},
		{name: "the Bearer scheme is matched case-insensitively", authorization: []string{"bearer " + good}, status: 204, via: monbanauth.Bearer},
		{name: "a genuine session cookie is let through with its user", cookies: hostCookie, status: 204, via: monbanauth.Cookie},
		{name: "a session cookie split into chunks is let through", cookies: func(t testing.TB) []string {
			c := sessionCookies(t, seal.PurposeSession, secret, "", good, exp, 6000)
			if !strings.Contains(c[0], "__Host-monban-session.1=") {
				t.Fatalf("expected a chunked cookie, got %.80s…", c[0])
			}
			return c
		}, status: 204, via: monbanauth.Cookie},
		{name: "with a cookie domain the __Secure- cookie is read", tweak: func(c *monbanauth.Config) { c.CookieDomain = "example.com" }, cookies: func(t testing.TB) []string {
			return sessionCookies(t, seal.PurposeSession, secret, "example.com", good, exp, 0)
		}, status: 204, via: monbanauth.Cookie},
		{name: "with a cookie domain a __Host- cookie is not the session", tweak: func(c *monbanauth.Config) { c.CookieDomain = "example.com" }, cookies: hostCookie, status: 401, code: "unauthenticated", wwwAuth: `Bearer realm="monban"`},
		{name: "another Authorization scheme leaves the cookie to decide", authorization: []string{"Basic YWxpY2U6cHc="}, cookies: hostCookie, status: 204, via: monbanauth.Cookie},
		{name: "a request without credentials is 401 with a bare Bearer challenge", status: 401, code: "unauthenticated", wwwAuth: `Bearer realm="monban"`},
		{name: "unrelated cookies are not credentials", cookies: func(testing.TB) []string { return []string{"theme=dark; _ga=GA1.2.3"} }, status: 401, code: "unauthenticated", wwwAuth: `Bearer realm="monban"`},
		{name: "a refused bearer token is not rescued by a good cookie", authorization: []string{"Bearer " + tokentest.Unsigned(ac)}, cookies: hostCookie, status: 401, code: "unauthenticated", wwwAuth: `Bearer realm="monban", error="invalid_token"`},
		{name: "an empty bearer token is refused", authorization: []string{"Bearer "}, status: 401, code: "unauthenticated", wwwAuth: `Bearer realm="monban", error="invalid_token"`},
		{name: "two Authorization headers are refused as ambiguous", authorization: []string{"Bearer " + good, "Bearer " + good}, status: 401, code: "unauthenticated", wwwAuth: `Bearer realm="monban", error="invalid_token"`},
		{name: "a forged session cookie is refused", cookies: func(testing.TB) []string {
			return []string{"__Host-monban-session=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAAAAAAAAAAAAAA.Zm9yZ2Vk.AAAAAAAAAAAAAAAAAAAAAA"}
		}, status: 401, code: "unauthenticated", wwwAuth: `Bearer realm="monban", error="invalid_token"`},
		{name: "a session cookie sealed with another secret is refused", cookies: func(t testing.TB) []string {
			return sessionCookies(t, seal.PurposeSession, otherSecret, "", good, exp, 0)
		}, status: 401, code: "unauthenticated", wwwAuth: `Bearer realm="monban", error="invalid_token"`},
		{name: "a refresh cookie renamed as the session cookie is refused", cookies: func(t testing.TB) []string {
			return sessionCookies(t, seal.PurposeRefresh, secret, "", good, exp, 0)
		}, status: 401, code: "unauthenticated", wwwAuth: `Bearer realm="monban", error="invalid_token"`},
		{name: "an expired session cookie is refused", cookies: func(t testing.TB) []string {
			return sessionCookies(t, seal.PurposeSession, secret, "", good, epoch.Add(-time.Second), 0)
		}, status: 401, code: "unauthenticated", wwwAuth: `Bearer realm="monban", error="invalid_token"`},
		{name: "a genuine cookie holding an expired access token is refused", cookies: func(t testing.TB) []string {
			old := tokentest.Sign(tokentest.With(ac, "iat", epoch.Unix()-7200, "exp", epoch.Unix()-3600))
			return sessionCookies(t, seal.PurposeSession, secret, "", old, exp, 0)
		}, status: 401, code: "unauthenticated", wwwAuth: `Bearer realm="monban", error="invalid_token"`},
		{name: "a genuine cookie holding a forged access token is refused", cookies: func(t testing.TB) []string {
			return sessionCookies(t, seal.PurposeSession, secret, "", tokentest.HS256WithPublicKey(ac), exp, 0)
		}, status: 401, code: "unauthenticated", wwwAuth: `Bearer realm="monban", error="invalid_token"`},
		{name: "a caller missing a required scope is 403", tweak: func(c *monbanauth.Config) { c.RequiredScopes = []string{"openid", "monban/admin"} }, authorization: []string{"Bearer " + good}, status: 403, code: "forbidden"},
		{name: "a caller with every required scope is let through", tweak: func(c *monbanauth.Config) { c.RequiredScopes = []string{"openid", "email"} }, authorization: []string{"Bearer " + good}, status: 204, via: monbanauth.Bearer},
		{name: "a caller in none of the required groups is 403", tweak: func(c *monbanauth.Config) { c.RequiredGroups = []string{"billing", "ops"} }, cookies: hostCookie, status: 403, code: "forbidden"},
		{name: "a caller in any one of the required groups is let through", tweak: func(c *monbanauth.Config) { c.RequiredGroups = []string{"billing", "admins"} }, cookies: hostCookie, status: 204, via: monbanauth.Cookie},
		{name: "a bearer-only authenticator ignores the cookie", tweak: func(c *monbanauth.Config) { c.Accept = []monbanauth.Credential{monbanauth.Bearer} }, cookies: hostCookie, status: 401, code: "unauthenticated", wwwAuth: `Bearer realm="monban"`},
		{name: "a cookie-only authenticator ignores the Authorization header", tweak: func(c *monbanauth.Config) { c.Accept = []monbanauth.Credential{monbanauth.Cookie} }, authorization: []string{"Bearer " + tokentest.Unsigned(ac)}, cookies: hostCookie, status: 204, via: monbanauth.Cookie},
		{name: "without the token cache the answers are the same", tweak: func(c *monbanauth.Config) { c.CacheSize = -1 }, authorization: []string{"Bearer " + good}, status: 204, via: monbanauth.Bearer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tweaks []func(*monbanauth.Config)
			if tt.tweak != nil {
				tweaks = append(tweaks, tt.tweak)
			}
			f := newFixture(t, tweaks...)
			var cookies []string
			if tt.cookies != nil {
				cookies = tt.cookies(t)
			}
			rec, id := f.serve(t, tt.authorization, cookies)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if tt.status == 204 {
				if id == nil || id.Subject != tokentest.Subject || id.Username != tokentest.Username || id.Via != tt.via {
					t.Fatalf("identity %+v, want %s via %s", id, tokentest.Subject, tt.via)
				}
				if strings.Join(id.Groups, ",") != "staff,admins" || strings.Join(id.Scopes, " ") != "openid email profile" || !id.ExpiresAt.Equal(epoch.Add(time.Hour)) {
					t.Fatalf("identity %+v", id)
				}
				return
			}
			var body errorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Code != tt.code || body.Error.Message == "" {
				t.Fatalf("body %s, want code %q", rec.Body, tt.code)
			}
			if got := rec.Header().Get("WWW-Authenticate"); got != tt.wwwAuth {
				t.Errorf("WWW-Authenticate %q, want %q", got, tt.wwwAuth)
			}
			if rec.Header().Get("Content-Type") != "application/json" || rec.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("headers %v", rec.Header())
			}
		})
	}
}

// The attacks every verifier must withstand, as bearer tokens and inside an
// authentic session cookie.
func TestForgedTokensAreRefused(t *testing.T) {
	for _, fg := range tokentest.Forgeries(epoch) {
		t.Run(fg.Name, func(t *testing.T) {
			f := newFixture(t)
			if rec, _ := f.serve(t, []string{"Bearer " + fg.Token}, nil); rec.Code != 401 {
				t.Fatalf("as a bearer token: %d %s", rec.Code, rec.Body)
			}
			c := sessionCookies(t, seal.PurposeSession, secret, "", fg.Token, epoch.Add(time.Hour), 0)
			if rec, _ := f.serve(t, nil, c); rec.Code != 401 {
				t.Fatalf("inside a session cookie: %d %s", rec.Code, rec.Body)
			}
		})
	}
}

func TestUnknownKeyIDRefetchesTheKeysOnceThenRefuses(t *testing.T) {
	f := newFixture(t)
	good := tokentest.Sign(tokentest.AccessClaims(epoch))
	if rec, _ := f.serve(t, []string{"Bearer " + good}, nil); rec.Code != 204 {
		t.Fatalf("genuine token: %d", rec.Code)
	}
	unknown := tokentest.SignHeader(map[string]any{"alg": "RS256", "kid": "kid-unknown"}, tokentest.AccessClaims(epoch))
	for range 3 {
		if rec, _ := f.serve(t, []string{"Bearer " + unknown}, nil); rec.Code != 401 {
			t.Fatalf("unknown kid: %d", rec.Code)
		}
	}
	if hits := f.jwks.Hits(); hits != 2 {
		t.Fatalf("JWKS fetched %d times; want the first load plus one refetch", hits)
	}
}

func TestCachedKeysKeepWorkingWhileTheJWKSIsDown(t *testing.T) {
	f := newFixture(t)
	ac := tokentest.AccessClaims(epoch)
	if rec, _ := f.serve(t, []string{"Bearer " + tokentest.Sign(ac)}, nil); rec.Code != 204 {
		t.Fatalf("warm-up: %d", rec.Code)
	}
	f.jwks.SetDown(true)
	// A token never seen before, so the answer cannot come from the token
	// cache: only the cached key can verify it.
	fresh := tokentest.Sign(tokentest.With(ac, "jti", "another-token"))
	if rec, _ := f.serve(t, []string{"Bearer " + fresh}, nil); rec.Code != 204 {
		t.Fatalf("with the JWKS down: %d %s", rec.Code, rec.Body)
	}
}

func TestSigningKeysUnreachableFromTheStartIs503(t *testing.T) {
	f := newFixture(t)
	f.jwks.SetDown(true)
	rec, _ := f.serve(t, []string{"Bearer " + tokentest.Sign(tokentest.AccessClaims(epoch))}, nil)
	var body errorBody
	json.Unmarshal(rec.Body.Bytes(), &body)
	if rec.Code != 503 || body.Error.Code != "upstream_unavailable" || rec.Header().Get("WWW-Authenticate") != "" {
		t.Fatalf("%d %s %v", rec.Code, rec.Body, rec.Header())
	}
}

func TestTheSessionCookieIsTheOneTheAPIWrites(t *testing.T) {
	if k := sealed.SessionKind; monbanauth.SessionCookieName != k.Cookie.Name || k.Cookie.Path != "/" || k.Cookie.DomainPath != "" {
		t.Fatalf("the API's session cookie is %+v; this package documents %q at /", k.Cookie, monbanauth.SessionCookieName)
	}
}

func TestRefusalsAreLoggedWithoutCredentials(t *testing.T) {
	f := newFixture(t)
	ac := tokentest.AccessClaims(epoch)
	bad := tokentest.Sign(tokentest.With(ac, "client_id", "someone-else"))
	c := sessionCookies(t, seal.PurposeSession, otherSecret, "", tokentest.Sign(ac), epoch.Add(time.Hour), 0)
	f.serve(t, []string{"Bearer " + bad}, nil)
	f.serve(t, nil, c)
	logs := f.logs.String()
	if strings.Count(logs, "request refused") != 2 {
		t.Fatalf("want two refusal lines, got:\n%s", logs)
	}
	for _, secretish := range []string{bad, strings.SplitN(bad, ".", 2)[1][:20], strings.TrimPrefix(c[0], "__Host-monban-session=")[:40]} {
		if strings.Contains(logs, secretish) {
			t.Fatalf("the log contains a credential:\n%s", logs)
		}
	}
	if !strings.Contains(logs, "wrong client_id") || !strings.Contains(logs, "session cookie forged") {
		t.Fatalf("the log should name the reasons:\n%s", logs)
	}
}

func TestAuthenticateReportsTheRefusedIdentityWithErrForbidden(t *testing.T) {
	f := newFixture(t, func(c *monbanauth.Config) { c.RequiredGroups = []string{"ops"} })
	id, err := f.a.Authenticate(context.Background(), monbanauth.Request{Authorization: []string{"Bearer " + tokentest.Sign(tokentest.AccessClaims(epoch))}})
	if !errors.Is(err, monbanauth.ErrForbidden) || id == nil || id.Subject != tokentest.Subject {
		t.Fatalf("id %v, err %v", id, err)
	}
}

func TestNewRefusesBadConfiguration(t *testing.T) {
	base := func() monbanauth.Config {
		return monbanauth.Config{Issuer: tokentest.Issuer, ClientID: tokentest.ClientID, SessionSecrets: [][]byte{secret}}
	}
	tests := []struct {
		name  string
		tweak func(*monbanauth.Config)
	}{
		{"a missing issuer is refused", func(c *monbanauth.Config) { c.Issuer = "" }},
		{"a missing client id is refused", func(c *monbanauth.Config) { c.ClientID = "" }},
		{"cookies without a session secret are refused", func(c *monbanauth.Config) { c.SessionSecrets = nil }},
		{"a short session secret is refused", func(c *monbanauth.Config) { c.SessionSecrets = [][]byte{[]byte("short")} }},
		{"an unknown credential kind is refused", func(c *monbanauth.Config) { c.Accept = []monbanauth.Credential{"basic"} }},
		{"accepting nothing is refused", func(c *monbanauth.Config) { c.Accept = []monbanauth.Credential{} }},
		{"a required scope with a space is refused", func(c *monbanauth.Config) { c.RequiredScopes = []string{"openid email"} }},
		{"an empty required group is refused", func(c *monbanauth.Config) { c.RequiredGroups = []string{""} }},
		{"a plain-http JWKS off loopback is refused", func(c *monbanauth.Config) { c.JWKSURL = "http://keys.example.com/jwks.json" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base()
			tt.tweak(&c)
			if _, err := monbanauth.New(c); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	t.Run("a bearer-only configuration needs no session secret", func(t *testing.T) {
		c := base()
		c.SessionSecrets, c.Accept = nil, []monbanauth.Credential{monbanauth.Bearer}
		if _, err := monbanauth.New(c); err != nil {
			t.Fatal(err)
		}
	})
}

func TestAuthorizerContextRoundTrips(t *testing.T) {
	id := &monbanauth.Identity{
		Subject: tokentest.Subject, Username: "alice", Groups: []string{"a,b", "staff"}, Scopes: []string{"openid", "email"},
		ClientID: tokentest.ClientID, ExpiresAt: epoch.UTC(), Via: monbanauth.Cookie,
	}
	m := id.AuthorizerContext()
	for k, v := range m {
		switch v.(type) {
		case string, int64:
		default:
			t.Errorf("context %q is a %T; API Gateway takes scalars only", k, v)
		}
	}
	// Through JSON, as API Gateway hands it to the backend.
	raw, _ := json.Marshal(m)
	var back map[string]any
	json.Unmarshal(raw, &back)
	got, err := monbanauth.IdentityFromAuthorizerContext(back)
	if err != nil {
		t.Fatal(err)
	}
	gj, _ := json.Marshal(got)
	wj, _ := json.Marshal(id)
	if string(gj) != string(wj) {
		t.Fatalf("round trip:\n got %s\nwant %s", gj, wj)
	}
	for _, bad := range []map[string]any{
		{},
		{"sub": 42.0},
		{"sub": "x", "groups": "admins,staff"},
		{"sub": "x", "exp": "soon"},
		{"sub": "x", "exp": true},
	} {
		if _, err := monbanauth.IdentityFromAuthorizerContext(bad); err == nil {
			t.Errorf("accepted %v", bad)
		}
	}
}

// BenchmarkMiddleware is the per-request cost for a warm caller: token cache
// hit for the bearer; cookie parse, AES-GCM open and token cache hit for the
// cookie.
func BenchmarkMiddleware(b *testing.B) {
	good := tokentest.Sign(tokentest.AccessClaims(epoch))
	for _, bc := range []struct {
		name          string
		authorization []string
		cookies       []string
	}{
		{"bearer", []string{"Bearer " + good}, nil},
		{"cookie", nil, sessionCookies(b, seal.PurposeSession, secret, "", good, epoch.Add(time.Hour), 0)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f := newFixture(b)
			h := f.a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
			r := httptest.NewRequest("GET", "/api/me", nil)
			for _, v := range bc.authorization {
				r.Header.Add("Authorization", v)
			}
			for _, c := range bc.cookies {
				r.Header.Add("Cookie", c)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != 200 {
				b.Fatalf("warm-up: %d", w.Code)
			}
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(w, r)
			}
		})
	}
}

// A service behind CloudFront refuses requests that did not come through it, before
// looking at any credential.
func TestMiddlewareRefusesRequestsThatBypassCloudFront(t *testing.T) {
	const originSecret = "origin-verify-secret-0123456789abcdef"
	f := newFixture(t, func(c *monbanauth.Config) { c.OriginSecrets = [][]byte{[]byte(originSecret)} })
	cookies := sessionCookies(t, seal.PurposeSession, secret, "", tokentest.Sign(tokentest.AccessClaims(epoch)), epoch.Add(time.Hour), 0)
	for _, c := range []struct {
		name   string
		header string
		want   int
	}{
		{"through CloudFront", originSecret, http.StatusNoContent},
		{"sent directly", "", http.StatusForbidden},
		{"with a guessed secret", "guess", http.StatusForbidden},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := f.a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
			r := httptest.NewRequest("GET", "/api/me", nil)
			r.Header.Add("Cookie", cookies[0])
			if c.header != "" {
				r.Header.Set("X-Monban-Origin-Verify", c.header)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != c.want {
				t.Fatalf("%d %s, want %d", rec.Code, rec.Body, c.want)
			}
		})
	}
	if strings.Contains(f.logs.String(), originSecret) {
		t.Fatal("the origin secret reached the log")
	}
}

// With a cookie domain a sibling subdomain can plant its own session cookie for a longer
// path beside the user's: the browser then sends both. A planted copy never wins: two
// authentic sessions read as none, and garbage beside the real one is ignored.
func TestAPlantedSessionCookieNeverWins(t *testing.T) {
	f := newFixture(t, func(c *monbanauth.Config) { c.CookieDomain = "example.com" })
	exp := epoch.Add(time.Hour)
	mallory := tokentest.AccessClaims(epoch)
	mallory["sub"], mallory["username"] = "mallory-sub", "mallory"
	alice := sessionCookies(t, seal.PurposeSession, secret, "example.com", tokentest.Sign(tokentest.AccessClaims(epoch)), exp, 0)[0]
	planted := sessionCookies(t, seal.PurposeSession, secret, "example.com", tokentest.Sign(mallory), exp, 0)[0]
	for _, c := range []struct {
		name    string
		cookies string
		want    int
	}{
		{"the user's own cookie", alice, http.StatusNoContent},
		{"a planted authentic copy first, the user's second", planted + "; " + alice, http.StatusUnauthorized},
		{"garbage planted beside the real one", "__Secure-monban-session=garbage; " + alice, http.StatusNoContent},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec, id := f.serve(t, nil, []string{c.cookies})
			if rec.Code != c.want {
				t.Fatalf("%d %s, want %d", rec.Code, rec.Body, c.want)
			}
			if id != nil && id.Subject != tokentest.Subject {
				t.Fatalf("the request was read as %s", id.Subject)
			}
		})
	}
}
