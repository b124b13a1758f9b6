// Package e2e drives the whole local stack — cognito-local, the hosted-UI login form, the
// monban API served over TLS — with a real HTTP client and cookie jar, as a browser would.
package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/app"
	"github.com/monban-auth/monban/internal/devstack"
	"github.com/monban-auth/monban/internal/devstack/devstacktest"
)

const (
	userEmail    = "alice@example.com"
	userPassword = "Corr3ct-Horse!"
)

// browser is an HTTP client with a cookie jar talking to one site.
type browser struct {
	t    *testing.T
	site string
	c    *http.Client
}

// env is one running stack behind a TLS server (the cookies are Secure).
type env struct {
	stack *devstack.Stack
	site  string
	clock atomic.Int64 // seconds added to the wall clock
	srv   *httptest.Server
}

func (e *env) now() time.Time { return time.Now().Add(time.Duration(e.clock.Load()) * time.Second) }

func startEnv(t *testing.T, extra map[string]string) *env {
	t.Helper()
	return startEnvWith(t, func(o *devstack.StackOptions) { o.Env = extra })
}

// startEnvWith is startEnv with the stack's options changed by tweak (more users, the
// triggers' settings…). The stack runs as make dev runs it, behind the front that adds
// CloudFront's origin-verify header.
func startEnvWith(t *testing.T, tweak func(*devstack.StackOptions)) *env {
	t.Helper()
	e := &env{}
	// The site's URL (its port) must be known before the pool registers its callback, so the
	// server starts first and gets its handler once the stack is up.
	var h atomic.Pointer[http.Handler]
	notYet := http.Handler(http.NotFoundHandler())
	h.Store(&notYet)
	e.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		(*h.Load()).ServeHTTP(w, r)
	}))
	e.srv.StartTLS()
	t.Cleanup(e.srv.Close)
	e.site = e.srv.URL
	o := devstack.StackOptions{
		SiteURL:             e.site,
		AccessTokenValidity: time.Hour,
		Users:               []devstack.User{{Email: userEmail, Password: userPassword, Groups: []string{"staff"}}},
		OriginVerify:        true,
		App:                 app.Options{HTTPClient: e.srv.Client(), Now: e.now, Log: devstack.DevLogger(t.Output())},
	}
	tweak(&o)
	e.stack = devstacktest.Start(t, o)
	h.Store(&e.stack.Handler)
	return e
}

func (e *env) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	c := *e.srv.Client() // a copy: the server's client is shared
	c.Jar = jar
	c.Timeout = 20 * time.Second
	return &browser{t: t, site: e.site, c: &c}
}

func (b *browser) do(method, path string, body string, hdr map[string]string) (*http.Response, string) {
	b.t.Helper()
	target := path
	if strings.HasPrefix(path, "/") {
		target = b.site + path
	}
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

func (b *browser) get(path string) (*http.Response, string) { return b.do("GET", path, "", nil) }

// post sends a JSON POST from the site's own pages.
func (b *browser) post(path, body string) (*http.Response, string) {
	return b.do("POST", path, body, map[string]string{"Origin": b.site, "Content-Type": "application/json"})
}

func (b *browser) noRedirects() func() {
	prev := b.c.CheckRedirect
	b.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return func() { b.c.CheckRedirect = prev }
}

var inputPattern = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)

// signIn goes through /auth/sign-in, fills in cognito-local's login form and follows the
// redirects back through /auth/callback; it returns the final response.
func (b *browser) signIn(redirectTo, email, password string) (*http.Response, string) {
	b.t.Helper()
	resp, page := b.get("/auth/sign-in?redirect_to=" + url.QueryEscape(redirectTo))
	if resp.StatusCode != 200 || !strings.Contains(page, `name="password"`) {
		b.t.Fatalf("expected the hosted-UI login form, got %d at %s:\n%.500s", resp.StatusCode, resp.Request.URL, page)
	}
	form := url.Values{"username": {email}, "password": {password}}
	for _, m := range inputPattern.FindAllStringSubmatch(page, -1) {
		form.Set(m[1], m[2])
	}
	return b.do("POST", "/oauth2/authorize", form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
}

type sessionView struct {
	User struct {
		Sub, Username, Email string
		EmailVerified        bool `json:"email_verified"`
		Groups               []string
	}
	ExpiresAt time.Time `json:"expires_at"`
}

// signedOut reports whether a GET /auth/session answer is the signed-out one: 200
// {"user": null}.
func signedOut(resp *http.Response, body string) bool {
	return resp.StatusCode == http.StatusOK && strings.TrimSpace(body) == `{"user":null}`
}

func decode[T any](t *testing.T, body string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, body)
	}
	return v
}

func errorCode(t *testing.T, body string) string {
	t.Helper()
	return decode[struct {
		Error struct{ Code, Message string }
	}](t, body).Error.Code
}

func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.site + "/auth/")
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func setCookieNames(resp *http.Response) []string {
	var names []string
	for _, c := range resp.Cookies() {
		names = append(names, fmt.Sprintf("%s(max-age=%d)", c.Name, c.MaxAge))
	}
	return names
}

// The whole hosted-UI journey: sign-in → login form → callback → session → refresh →
// transparent refresh → sign-out through Cognito's /logout → session is 401, and the
// revoked refresh token no longer works.
func TestHostedUIJourney(t *testing.T) {
	e := startEnv(t, nil)
	b := e.browser(t)

	resp, page := b.signIn("/?from=e2e", userEmail, userPassword)
	if resp.StatusCode != 200 || resp.Request.URL.String() != e.site+"/?from=e2e" || !strings.Contains(page, "monban") {
		t.Fatalf("after the login form: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	if b.cookie("__Host-monban-flow") != "" {
		t.Fatal("the flow cookie must be gone after the callback")
	}

	resp, body := b.get("/auth/session")
	if resp.StatusCode != 200 {
		t.Fatalf("session: %d %s", resp.StatusCode, body)
	}
	s := decode[sessionView](t, body)
	if s.User.Email != userEmail || !s.User.EmailVerified || s.User.Sub == "" || len(s.User.Groups) != 1 || s.User.Groups[0] != "staff" {
		t.Fatalf("session user = %+v", s.User)
	}
	if d := time.Until(s.ExpiresAt); d < 50*time.Minute || d > 61*time.Minute {
		t.Fatalf("session expires in %v, want the access token's hour", d)
	}

	before := b.cookie("__Host-monban-session")
	resp, body = b.post("/auth/refresh", "{}")
	if resp.StatusCode != 200 || b.cookie("__Host-monban-session") == before {
		t.Fatalf("refresh: %d %s (cookie rewritten: %v)", resp.StatusCode, body, b.cookie("__Host-monban-session") != before)
	}

	// 58 minutes later the access token is inside the refresh window: /auth/session
	// refreshes on its own and rewrites the session cookie.
	e.clock.Store(58 * 60)
	before = b.cookie("__Host-monban-session")
	resp, body = b.get("/auth/session")
	if resp.StatusCode != 200 || b.cookie("__Host-monban-session") == before {
		t.Fatalf("transparent refresh: %d %s, set %v", resp.StatusCode, body, setCookieNames(resp))
	}
	e.clock.Store(0)

	oldRefresh := b.cookie("__Host-monban-refresh")
	if oldRefresh == "" {
		t.Fatal("no __Host-monban-refresh cookie after sign-in")
	}
	restore := b.noRedirects()
	resp, body = b.post("/auth/sign-out", "{}")
	restore()
	if resp.StatusCode != 200 {
		t.Fatalf("sign-out: %d %s", resp.StatusCode, body)
	}
	out := decode[struct {
		LogoutURL string `json:"logout_url"`
		Revoked   bool
	}](t, body)
	lo, _ := url.Parse(out.LogoutURL)
	if !out.Revoked || lo.Path != "/logout" || lo.Query().Get("client_id") != e.stack.Pool.ClientID || lo.Query().Get("logout_uri") != e.site+"/" {
		t.Fatalf("sign-out answer = %s", body)
	}
	if b.cookie("__Host-monban-session") != "" || b.cookie("__Host-monban-refresh") != "" {
		t.Fatal("sign-out must clear the cookies")
	}
	resp, _ = b.get(out.LogoutURL)
	if resp.StatusCode != 200 || resp.Request.URL.String() != e.site+"/" {
		t.Fatalf("Cognito /logout did not return to the site: %d %s", resp.StatusCode, resp.Request.URL)
	}

	resp, body = b.get("/auth/session")
	if !signedOut(resp, body) {
		t.Fatalf("session after sign-out: %d %s", resp.StatusCode, body)
	}

	// Replaying the revoked refresh token gets nothing.
	u, _ := url.Parse(e.site + "/auth/")
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "__Host-monban-refresh", Value: oldRefresh, Path: "/", Secure: true}})
	resp, body = b.post("/auth/refresh", "{}")
	if resp.StatusCode != 401 || errorCode(t, body) != "unauthenticated" {
		t.Fatalf("refresh with a revoked token: %d %s", resp.StatusCode, body)
	}
}

// The plain-link sign-out (GET), followed from the site's page as a browser follows it, ends
// at Cognito's /logout and back on the site.
func TestSignOutLink(t *testing.T) {
	e := startEnv(t, nil)
	b := e.browser(t)
	b.signIn("/", userEmail, userPassword)
	resp, _ := b.do("GET", "/auth/sign-out", "", map[string]string{
		"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document", "Referer": e.site + "/"})
	if resp.StatusCode != 200 || resp.Request.URL.String() != e.site+"/" {
		t.Fatalf("sign-out link ended at %d %s", resp.StatusCode, resp.Request.URL)
	}
	if resp, body := b.get("/auth/session"); !signedOut(resp, body) {
		t.Fatalf("session after sign-out link: %d %s", resp.StatusCode, body)
	}
}

func TestWrongPasswordStaysOnTheLoginForm(t *testing.T) {
	e := startEnv(t, nil)
	b := e.browser(t)
	resp, page := b.signIn("/", userEmail, "wrong-password")
	if resp.StatusCode != 200 || !strings.Contains(page, "Incorrect username or password") {
		t.Fatalf("%d %.300s", resp.StatusCode, page)
	}
	if resp, body := b.get("/auth/session"); !signedOut(resp, body) {
		t.Fatal("a failed login must not create a session")
	}
}

// Bad input against the real stack: each gets the right 4xx and code, and none creates a
// session.
func TestBadInputAgainstTheStack(t *testing.T) {
	e := startEnv(t, nil)

	t.Run("open redirects are refused at sign-in", func(t *testing.T) {
		b := e.browser(t)
		for _, target := range []string{"//evil.example", `/\evil.example`, "https://evil.example", "https://evil.example@" + strings.TrimPrefix(e.site, "https://")} {
			resp, body := b.get("/auth/sign-in?redirect_to=" + url.QueryEscape(target))
			if resp.StatusCode != 400 || errorCode(t, body) != "invalid_request" {
				t.Errorf("redirect_to=%q: %d %s", target, resp.StatusCode, body)
			}
		}
	})

	t.Run("a replayed callback is refused", func(t *testing.T) {
		b := e.browser(t)
		restore := b.noRedirects()
		resp, page := b.get("/auth/sign-in?redirect_to=/")
		loc := resp.Header.Get("Location")
		resp, page = b.get(loc)
		form := url.Values{"username": {userEmail}, "password": {userPassword}}
		for _, m := range inputPattern.FindAllStringSubmatch(page, -1) {
			form.Set(m[1], m[2])
		}
		resp, _ = b.do("POST", "/oauth2/authorize", form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
		callback := resp.Header.Get("Location")
		resp, _ = b.get(callback)
		if resp.StatusCode != 302 || resp.Header.Get("Location") != e.site+"/" {
			t.Fatalf("first callback: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, _ = b.get(callback)
		restore()
		if got := resp.Header.Get("Location"); got != e.site+"/?error=invalid_state" {
			t.Fatalf("replayed callback went to %q", got)
		}
	})

	t.Run("a callback without state or flow cookie is refused", func(t *testing.T) {
		b := e.browser(t)
		restore := b.noRedirects()
		defer restore()
		for _, q := range []string{"code=abc", "code=abc&state=forged", "error=access_denied&state=x"} {
			resp, _ := b.get("/auth/callback?" + q)
			if resp.StatusCode != 302 || resp.Header.Get("Location") != e.site+"/?error=invalid_state" {
				t.Errorf("%s: %d %s", q, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
	})

	t.Run("garbage, forged and truncated cookies read as signed out", func(t *testing.T) {
		b := e.browser(t)
		b.signIn("/", userEmail, userPassword)
		real := b.cookie("__Host-monban-session")
		u, _ := url.Parse(e.site + "/")
		for _, v := range []string{"garbage", real[:len(real)/2], real[:len(real)-3] + "AAA", strings.Repeat("A", 3000)} {
			b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "__Host-monban-session", Value: v, Path: "/", Secure: true}})
			// Without the refresh cookie, so nothing can rescue the session.
			req, _ := http.NewRequest("GET", e.site+"/auth/session", nil)
			req.AddCookie(&http.Cookie{Name: "__Host-monban-session", Value: v})
			resp, err := e.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !signedOut(resp, string(body)) {
				t.Errorf("cookie %.20q…: %d %s", v, resp.StatusCode, body)
			}
		}
	})

	t.Run("cross-origin and non-JSON POSTs are refused", func(t *testing.T) {
		b := e.browser(t)
		b.signIn("/", userEmail, userPassword)
		cases := []struct {
			hdr    map[string]string
			status int
			code   string
		}{
			{map[string]string{"Origin": "https://evil.example", "Content-Type": "application/json"}, 403, "forbidden_origin"},
			{map[string]string{"Content-Type": "application/json"}, 403, "forbidden_origin"},
			{map[string]string{"Origin": e.site, "Content-Type": "text/plain"}, 415, "invalid_request"},
		}
		for _, c := range cases {
			for _, path := range []string{"/auth/sign-out", "/auth/refresh"} {
				resp, body := b.do("POST", path, "{}", c.hdr)
				if resp.StatusCode != c.status || errorCode(t, body) != c.code {
					t.Errorf("%s %v: %d %s", path, c.hdr, resp.StatusCode, body)
				}
			}
		}
		if resp, _ := b.get("/auth/session"); resp.StatusCode != 200 {
			t.Fatal("refused requests must leave the session alone")
		}
	})
}
