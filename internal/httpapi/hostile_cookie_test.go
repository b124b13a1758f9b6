package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/monban-auth/monban/internal/allowlist"
	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/seal"
)

// Issue 11, items 1 and 5: what a sibling subdomain (evil.example.com, beside the site's
// www.example.com) can do to monban's cookies and to its sign-out link. The fixture's jar is
// keyed by name only; these tests use a browser's: net/http/cookiejar (domains, paths, and
// cookies sent longest path first, as browsers send them) with the cookie-prefix rules it
// lacks.

var (
	siteURL    = &url.URL{Scheme: "https", Host: "www.example.com", Path: "/"}
	siblingURL = &url.URL{Scheme: "https", Host: "evil.example.com", Path: "/"}
)

// Mallory's own refresh token and session: a sibling subdomain's owner signs in to the site
// as herself and plants what monban sealed for her.
const malloryRefresh = "MALLORY-REFRESH-TOKEN"

// presentingPool is the fake Cognito, noting every refresh token monban presents to it.
type presentingPool struct {
	*fakeCognito
	presented []string
}

func (p *presentingPool) InitiateAuth(ctx context.Context, in *cip.InitiateAuthInput, opts ...func(*cip.Options)) (*cip.InitiateAuthOutput, error) {
	if in.AuthFlow == types.AuthFlowTypeRefreshTokenAuth {
		p.presented = append(p.presented, in.AuthParameters["REFRESH_TOKEN"])
	}
	return p.fakeCognito.InitiateAuth(ctx, in, opts...)
}

// hostileFixture is newFixture with cookie domain domain ("" for none) and a Cognito that
// notes the refresh tokens it is shown.
func hostileFixture(t *testing.T, domain string) (*fixture, *presentingPool) {
	t.Helper()
	var deps *Deps
	fx := newFixture(t, func(d *Deps) { d.Cookies.Domain, deps = domain, d })
	redirects, err := allowlist.NewPolicy(site, []string{"https://app.example.com", "https://partner.example.net"})
	if err != nil {
		t.Fatal(err)
	}
	pool := &presentingPool{fakeCognito: fx.fake}
	deps.Auth = auth.NewService(auth.Config{
		CallbackURL: callbackURL, Scopes: []string{"openid"}, Redirects: redirects,
		LogoutURI: site + "/", Now: func() time.Time { return fx.now },
	}, auth.Deps{HostedUI: fx.fake, Verifier: fx.fake, Pool: testPool(pool)})
	fx.h = New(*deps)
	return fx, pool
}

// neverPresented fails t if monban showed Cognito Mallory's refresh token: it would have
// signed the victim's browser in as Mallory.
func neverPresented(t *testing.T, pool *presentingPool) {
	t.Helper()
	if slices.Contains(pool.presented, malloryRefresh) {
		t.Fatal("monban refreshed with the planted refresh token: the browser would be signed in as its planter")
	}
}

// browser is one victim's browser.
type browser struct {
	t   *testing.T
	fx  *fixture
	jar *cookiejar.Jar
}

func newBrowser(t *testing.T, fx *fixture) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, fx: fx, jar: jar}
}

// store keeps the cookies a response from origin set, as a browser does: a "__Secure-"
// cookie needs Secure, a "__Host-" one also no Domain and Path=/ (RFC 6265bis §4.1.3), so
// no other host can set one for the site's.
func (b *browser) store(origin *url.URL, cookies []*http.Cookie) {
	var kept []*http.Cookie
	for _, c := range cookies {
		switch {
		case strings.HasPrefix(c.Name, "__Secure-") && !c.Secure:
		case strings.HasPrefix(c.Name, "__Host-") && (!c.Secure || c.Domain != "" || c.Path != "/"):
		default:
			kept = append(kept, c)
		}
	}
	b.jar.SetCookies(origin, kept)
}

// plant is the sibling subdomain setting a cookie for the whole site.
func (b *browser) plant(c *http.Cookie) {
	c.Secure, c.HttpOnly = true, true
	b.store(siblingURL, []*http.Cookie{c})
}

// sends returns the values of the cookie called name the browser sends to path, in order.
func (b *browser) sends(path, name string) []string {
	var vs []string
	for _, c := range b.jar.Cookies(siteURL.ResolveReference(&url.URL{Path: path})) {
		if c.Name == name {
			vs = append(vs, c.Value)
		}
	}
	return vs
}

// drop forgets a host-only cookie of the site's, as a browser does when it expires.
func (b *browser) drop(name, path string) {
	b.jar.SetCookies(siteURL, []*http.Cookie{{Name: name, Path: path, MaxAge: -1}})
}

func (b *browser) do(method, target, body string, hdr map[string]string) *httptest.ResponseRecorder {
	b.t.Helper()
	u := siteURL.ResolveReference(&url.URL{Path: target})
	if i := strings.IndexByte(target, '?'); i >= 0 {
		u = siteURL.ResolveReference(&url.URL{Path: target[:i], RawQuery: target[i+1:]})
	}
	r := httptest.NewRequest(method, u.String(), strings.NewReader(body))
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	for _, c := range b.jar.Cookies(u) {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	b.fx.h.ServeHTTP(w, r)
	b.store(u, w.Result().Cookies())
	return w
}

// signIn signs the victim in and returns the callback's response.
func (b *browser) signIn() *httptest.ResponseRecorder {
	b.t.Helper()
	w := b.do("GET", "/auth/sign-in?redirect_to=/", "", nil)
	loc, _ := url.Parse(w.Header().Get("Location"))
	w = b.do("GET", "/auth/callback?code="+secretCode+"&state="+loc.Query().Get("state"), "", nil)
	if w.Code != http.StatusFound {
		b.t.Fatalf("callback: %d", w.Code)
	}
	return w
}

// user is GET /auth/session's user's sub, or "" when signed out.
func (b *browser) user() string {
	b.t.Helper()
	w := b.do("GET", "/auth/session", "", nil)
	if signedOut(w) {
		return ""
	}
	var v sessionView
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &v) != nil {
		b.t.Fatalf("session: %d %s", w.Code, w.Body)
	}
	return v.User.Sub
}

// sealedFor returns what monban sealed for Mallory: her refresh cookie's value, or her
// session cookie's.
func sealedFor(t *testing.T, fx *fixture, what string) string {
	t.Helper()
	var (
		v   string
		err error
	)
	switch what {
	case "refresh":
		v, err = fx.sealer.Seal(seal.PurposeRefresh, auth.Refresh{Token: malloryRefresh, Username: "mallory", Sub: "sub-mallory"}, fx.now.Add(30*24*time.Hour))
	case "session":
		v, err = fx.sealer.Seal(seal.PurposeSession, auth.Session{AccessToken: "MALLORY-ACCESS", ExpiresAt: fx.now.Add(time.Hour),
			User: auth.User{Sub: "sub-mallory", Username: "mallory", Groups: []string{}}}, fx.now.Add(time.Hour))
	}
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Item 1: a refresh (or session) cookie planted by a sibling subdomain never makes monban
// use a token it did not issue to this browser; stray and duplicate chunks never hide the
// real value; sign-out revokes the user's own token and deletes what it can of the planted.
func TestPlantedRefreshCookie(t *testing.T) {
	type planted struct {
		name, path, value string // value "mallory-refresh" / "mallory-session": Mallory's sealed values
	}
	cases := []struct {
		name    string
		domain  string    // MONBAN_COOKIE_DOMAIN
		plant   []planted // set by evil.example.com with Domain=example.com
		session string    // the victim's session cookie: "live", "due" (in the refresh window) or "expired"
		signOut bool      // POST /auth/sign-out instead of GET /auth/session

		wantUser      string   // GET /auth/session's user: "sub-1" (the victim), "" (signed out)
		wantRefreshed int      // calls to Cognito's refresh; the fake takes only the victim's token
		wantRevoked   []string // sign-out: the tokens revoked, in any order
		gone          []string // "name path": cookies the browser must no longer send to path
	}{
		// Without a cookie Domain: every monban cookie is __Host-, which no sibling can set.
		{name: "a refresh cookie planted for /auth/session is not used once the session has expired",
			plant:   []planted{{"__Secure-monban-refresh", "/auth/session", "mallory-refresh"}},
			session: "expired", wantUser: "sub-1", wantRefreshed: 1},
		{name: "a __Host- refresh cookie with a Domain is refused by the browser, so cannot be planted",
			plant:   []planted{{"__Host-monban-refresh", "/", "mallory-refresh"}},
			session: "expired", wantUser: "sub-1", wantRefreshed: 1},
		{name: "a refresh cookie planted for /auth/sign-out is not what sign-out revokes",
			plant:   []planted{{"__Secure-monban-refresh", "/auth/sign-out", "mallory-refresh"}},
			session: "live", signOut: true, wantRevoked: []string{secretRefresh}},
		{name: "a planted refresh cookie is not revoked by a sign-out after the session expired, nor used after it",
			plant:   []planted{{"__Secure-monban-refresh", "/auth/sign-out", "mallory-refresh"}},
			session: "expired", signOut: true, wantRevoked: []string{secretRefresh}},
		{name: "stray .0 and .9 chunks beside the real value do not hide it",
			plant:   []planted{{"__Secure-monban-refresh.0", "/auth", "x"}, {"__Secure-monban-refresh.9", "/auth", "x"}},
			session: "expired", wantUser: "sub-1", wantRefreshed: 1},
		{name: "a duplicate name with a garbage value for a longer path does not hide the real value",
			plant:   []planted{{"__Secure-monban-refresh", "/auth/session", "garbage"}},
			session: "expired", wantUser: "sub-1", wantRefreshed: 1},
		{name: "a planted session cookie cannot replace the victim's",
			plant:   []planted{{"__Secure-monban-session", "/auth/session", "mallory-session"}, {"__Host-monban-session", "/", "mallory-session"}},
			session: "live", wantUser: "sub-1"},

		// With MONBAN_COOKIE_DOMAIN every cookie is __Secure- with that Domain: a sibling can
		// set the same names. What it plants beside the real cookie is used only when it is
		// the one value that opens; two that open are used by no one, and deleted.
		{name: "domain mode: a garbage duplicate for a longer path does not hide the real value", domain: "example.com",
			plant:   []planted{{"__Secure-monban-refresh", "/auth/session", "garbage"}},
			session: "expired", wantUser: "sub-1", wantRefreshed: 1},
		{name: "domain mode: stray .0 and .9 chunks beside the real value do not hide it", domain: "example.com",
			plant:   []planted{{"__Secure-monban-refresh.0", "/auth", "x"}, {"__Secure-monban-refresh.9", "/auth/session", "x"}},
			session: "expired", wantUser: "sub-1", wantRefreshed: 1},
		{name: "domain mode: another user's refresh cookie beside a live session does not stop its own refresh", domain: "example.com",
			plant:   []planted{{"__Secure-monban-refresh", "/auth/session", "mallory-refresh"}},
			session: "due", wantUser: "sub-1", wantRefreshed: 1},
		{name: "domain mode: two refresh cookies that open without a session are both ignored and deleted", domain: "example.com",
			plant:   []planted{{"__Secure-monban-refresh", "/auth/session", "mallory-refresh"}},
			session: "expired", wantUser: "", wantRefreshed: 0,
			gone: []string{"__Secure-monban-refresh /auth/session"}},
		{name: "domain mode: sign-out beside a session revokes the user's own token and deletes the planted one", domain: "example.com",
			plant:   []planted{{"__Secure-monban-refresh", "/auth/sign-out", "mallory-refresh"}},
			session: "live", signOut: true, wantRevoked: []string{secretRefresh},
			gone: []string{"__Secure-monban-refresh /auth/sign-out"}},
		{name: "domain mode: sign-out with two that open and no session revokes both, the user's own among them", domain: "example.com",
			plant:   []planted{{"__Secure-monban-refresh", "/auth/sign-out", "mallory-refresh"}},
			session: "expired", signOut: true, wantRevoked: []string{secretRefresh, malloryRefresh},
			gone: []string{"__Secure-monban-refresh /auth/sign-out"}},
		{name: "domain mode: a session cookie planted beside the victim's does not swap the user", domain: "example.com",
			plant:   []planted{{"__Secure-monban-session", "/auth/session", "mallory-session"}},
			session: "live", wantUser: "sub-1", wantRefreshed: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fx, pool := hostileFixture(t, tc.domain)
			defer neverPresented(t, pool)
			b := newBrowser(t, fx)
			b.signIn()
			switch tc.session {
			case "due":
				fx.now = fx.now.Add(58 * time.Minute)
			case "expired":
				fx.now = fx.now.Add(2 * time.Hour)
				if tc.domain == "" {
					b.drop("__Host-monban-session", "/")
				} else {
					b.jar.SetCookies(siteURL, []*http.Cookie{{Name: "__Secure-monban-session", Domain: tc.domain, Path: "/", MaxAge: -1}})
				}
			}
			for _, p := range tc.plant {
				v := p.value
				if strings.HasPrefix(v, "mallory-") {
					v = sealedFor(t, fx, strings.TrimPrefix(v, "mallory-"))
				}
				b.plant(&http.Cookie{Name: p.name, Value: v, Domain: "example.com", Path: p.path})
			}

			if tc.signOut {
				w := b.do("POST", "/auth/sign-out", "{}", map[string]string{"Origin": site, "Content-Type": "application/json"})
				if w.Code != http.StatusOK {
					t.Fatalf("sign-out: %d %s", w.Code, w.Body)
				}
				got := slices.Clone(fx.fake.revoked)
				slices.Sort(got)
				want := slices.Clone(tc.wantRevoked)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Fatalf("revoked %q, want %q", got, want)
				}
			} else if got := b.user(); got != tc.wantUser {
				t.Fatalf("signed in as %q, want %q", got, tc.wantUser)
			}
			if fx.fake.refreshed != tc.wantRefreshed {
				t.Fatalf("refreshed %d times, want %d", fx.fake.refreshed, tc.wantRefreshed)
			}
			for _, g := range tc.gone {
				name, path, _ := strings.Cut(g, " ")
				if vs := b.sends(path, name); len(vs) != 0 {
					t.Fatalf("the browser still sends %s to %s: %d values", name, path, len(vs))
				}
			}
			if tc.signOut {
				// Whatever is left in the browser signs no one in.
				if got := b.user(); got != "" || fx.fake.refreshed != tc.wantRefreshed {
					t.Fatalf("after sign-out: signed in as %q, refreshed %d", got, fx.fake.refreshed)
				}
			}
		})
	}
}

// Item 1, upgrading: the refresh cookie of earlier releases, __Secure-monban-refresh on
// Path=/auth, is moved to __Host-monban-refresh on a signed-in user's next request, and not
// used at all without a session cookie of the same user beside it (a sibling can plant that
// name).
func TestRefreshCookieOfAnEarlierRelease(t *testing.T) {
	// oldRelease turns b's refresh cookie into the one an earlier release wrote.
	oldRelease := func(t *testing.T, b *browser) string {
		vs := b.sends("/auth/session", "__Host-monban-refresh")
		if len(vs) != 1 {
			t.Fatalf("refresh cookies after sign-in: %d", len(vs))
		}
		b.drop("__Host-monban-refresh", "/")
		b.store(siteURL, []*http.Cookie{{Name: "__Secure-monban-refresh", Value: vs[0], Path: "/auth", Secure: true, HttpOnly: true}})
		return vs[0]
	}

	t.Run("a signed-in user's old cookie is rewritten under the new name on the next page load", func(t *testing.T) {
		fx, pool := hostileFixture(t, "")
		defer neverPresented(t, pool)
		b := newBrowser(t, fx)
		b.signIn()
		old := oldRelease(t, b)
		// Sibling noise beside it does not stop the move.
		b.plant(&http.Cookie{Name: "__Secure-monban-refresh.0", Value: "x", Domain: "example.com", Path: "/auth"})
		if got := b.user(); got != "sub-1" || fx.fake.refreshed != 0 {
			t.Fatalf("signed in as %q, refreshed %d", got, fx.fake.refreshed)
		}
		if vs := b.sends("/auth/session", "__Host-monban-refresh"); len(vs) != 1 || vs[0] != old {
			t.Fatal("the old refresh cookie was not rewritten as __Host-monban-refresh")
		}
		if vs := b.sends("/auth/session", "__Secure-monban-refresh"); len(vs) != 0 {
			t.Fatal("the old refresh cookie was not deleted")
		}
		fx.now = fx.now.Add(2 * time.Hour)
		b.drop("__Host-monban-session", "/")
		if got := b.user(); got != "sub-1" || fx.fake.refreshed != 1 {
			t.Fatalf("after the session expired: signed in as %q, refreshed %d", got, fx.fake.refreshed)
		}
	})
	t.Run("an old cookie is moved when a refresh is due, and the refresh uses it", func(t *testing.T) {
		fx, pool := hostileFixture(t, "")
		defer neverPresented(t, pool)
		b := newBrowser(t, fx)
		b.signIn()
		oldRelease(t, b)
		fx.now = fx.now.Add(58 * time.Minute)
		if got := b.user(); got != "sub-1" || fx.fake.refreshed != 1 {
			t.Fatalf("signed in as %q, refreshed %d", got, fx.fake.refreshed)
		}
		if len(b.sends("/auth/session", "__Host-monban-refresh")) != 1 || len(b.sends("/auth/session", "__Secure-monban-refresh")) != 0 {
			t.Fatal("the old refresh cookie was not moved")
		}
	})
	t.Run("an old cookie whose refresh Cognito refuses leaves no refresh cookie behind", func(t *testing.T) {
		fx, pool := hostileFixture(t, "")
		defer neverPresented(t, pool)
		b := newBrowser(t, fx)
		b.signIn()
		oldRelease(t, b)
		fx.now = fx.now.Add(58 * time.Minute)
		fx.fake.refreshErr = &smithy.GenericAPIError{Code: "NotAuthorizedException", Message: "Refresh Token has been revoked"}
		if got := b.user(); got != "" || fx.fake.refreshed != 1 {
			t.Fatalf("signed in as %q, refreshed %d", got, fx.fake.refreshed)
		}
		if n := len(b.sends("/auth/session", "__Host-monban-refresh")) + len(b.sends("/auth/session", "__Secure-monban-refresh")); n != 0 {
			t.Fatalf("%d refresh cookies left after a refused refresh", n)
		}
	})
	t.Run("sign-out revokes a signed-in user's old cookie and deletes it", func(t *testing.T) {
		fx, pool := hostileFixture(t, "")
		defer neverPresented(t, pool)
		b := newBrowser(t, fx)
		b.signIn()
		oldRelease(t, b)
		w := b.do("POST", "/auth/sign-out", "{}", map[string]string{"Origin": site, "Content-Type": "application/json"})
		if w.Code != http.StatusOK || !slices.Equal(fx.fake.revoked, []string{secretRefresh}) {
			t.Fatalf("sign-out: %d, revoked %q", w.Code, fx.fake.revoked)
		}
		if len(b.sends("/auth/session", "__Host-monban-refresh"))+len(b.sends("/auth/session", "__Secure-monban-refresh")) != 0 {
			t.Fatal("a refresh cookie survived sign-out")
		}
	})
	t.Run("an old cookie without a session cookie is not used, and is deleted", func(t *testing.T) {
		fx, pool := hostileFixture(t, "")
		defer neverPresented(t, pool)
		b := newBrowser(t, fx)
		b.signIn()
		oldRelease(t, b)
		fx.now = fx.now.Add(2 * time.Hour)
		b.drop("__Host-monban-session", "/")
		if got := b.user(); got != "" || fx.fake.refreshed != 0 {
			t.Fatalf("signed in as %q, refreshed %d", got, fx.fake.refreshed)
		}
		if len(b.sends("/auth/session", "__Secure-monban-refresh")) != 0 {
			t.Fatal("the unusable old cookie was kept")
		}
	})
	t.Run("another user's cookie under the old name beside a session is not used", func(t *testing.T) {
		fx, pool := hostileFixture(t, "")
		defer neverPresented(t, pool)
		b := newBrowser(t, fx)
		b.signIn()
		b.drop("__Host-monban-refresh", "/") // the victim has none (say, Cognito issued none)
		b.plant(&http.Cookie{Name: "__Secure-monban-refresh", Value: sealedFor(t, fx, "refresh"), Domain: "example.com", Path: "/auth/session"})
		fx.now = fx.now.Add(58 * time.Minute)
		if got := b.user(); got != "sub-1" || fx.fake.refreshed != 0 {
			t.Fatalf("signed in as %q, refreshed %d", got, fx.fake.refreshed)
		}
		if len(b.sends("/auth/session", "__Host-monban-refresh")) != 0 {
			t.Fatal("another user's refresh cookie was adopted")
		}
	})
	t.Run("with a cookie Domain the refresh cookie keeps its name and Path=/auth", func(t *testing.T) {
		fx, _ := hostileFixture(t, "example.com")
		var set *http.Cookie
		for _, c := range newBrowser(t, fx).signIn().Result().Cookies() {
			if strings.Contains(c.Name, "refresh") {
				set = c
			}
		}
		if set == nil || set.Name != "__Secure-monban-refresh" || set.Path != "/auth" || set.Domain != "example.com" {
			t.Fatalf("refresh cookie = %v", set)
		}
	})
}

// Item 5: GET /auth/sign-out signs out only when the user follows a link on the site's own
// pages; an <img>, a frame, a fetch, or a page of another origin (a sibling subdomain, a
// redirect-only origin) is refused and changes nothing.
func TestSignOutLinkFollowedFrom(t *testing.T) {
	img := func(fetchSite, referer string) map[string]string {
		h := map[string]string{"Sec-Fetch-Site": fetchSite, "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image"}
		if referer != "" {
			h["Referer"] = referer
		}
		return h
	}
	with := func(h map[string]string, k, v string) map[string]string {
		h[k] = v
		return h
	}
	cases := []struct {
		name string
		hdr  map[string]string
		ok   bool
	}{
		{"an <img> on a sibling subdomain", img("same-site", "https://evil.example.com/"), false},
		{"an <img> on another site", img("cross-site", "https://evil.example/"), false},
		{"an <img> on the site's own pages", img("same-origin", site+"/"), false},
		{"an <img> on the site's second origin", img("same-site", "https://app.example.com/"), false},
		{"an <img> in a browser without Fetch Metadata, on a sibling", map[string]string{"Referer": "https://evil.example.com/"}, false},
		{"an <img> with neither Fetch Metadata nor a Referer", map[string]string{}, false},
		{"curl with nothing", nil, false},
		{"a frame on the site's own pages", with(navigation("same-origin", site+"/"), "Sec-Fetch-Dest", "iframe"), false},
		{"a fetch from the site's script", map[string]string{"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty", "Referer": site + "/"}, false},
		{"a sibling page navigating the window", navigation("same-site", "https://evil.example.com/page"), false},
		{"a sibling page navigating the window with its Referer suppressed", navigation("same-site", ""), false},
		{"another site's link", navigation("cross-site", "https://evil.example/"), false},
		{"a click on a redirect-only origin", navigation("cross-site", "https://partner.example.net/"), false},
		{"a click in a browser without Fetch Metadata, on a redirect-only origin", map[string]string{"Referer": "https://partner.example.net/"}, false},
		{"a navigation without Sec-Fetch-Dest", with(navigation("same-origin", site+"/"), "Sec-Fetch-Dest", ""), false},
		{"an unknown Sec-Fetch-Site", navigation("same-planet", site+"/"), false},

		{"a click on the site's own pages", navigation("same-origin", site+"/account"), true},
		{"a click on the site's own pages, no Referer sent", navigation("same-origin", ""), true},
		{"a click on the site's second origin (the API on another host)", navigation("same-site", "https://app.example.com/account"), true},
		{"a click on the site, API on another registrable domain", navigation("cross-site", "https://app.example.com/"), true},
		{"the address typed, or a bookmark", navigation("none", ""), true},
		{"a click in a browser without Fetch Metadata, on the site", map[string]string{"Referer": site + "/account"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fx := newFixture(t)
			fx.signIn("/")
			w := fx.do("GET", "/auth/sign-out", "", tc.hdr)
			if !tc.ok {
				if w.Code != http.StatusForbidden || errorCode(t, w) != auth.CodeForbiddenOrigin {
					t.Fatalf("%d %s, want 403 forbidden_origin", w.Code, w.Body)
				}
				if len(fx.fake.revoked) != 0 || len(w.Result().Cookies()) != 0 || fx.cookie("__Host-monban-session") == nil {
					t.Fatalf("a refused link changed something: revoked %v, set %v", fx.fake.revoked, w.Result().Cookies())
				}
				return
			}
			if w.Code != http.StatusFound || !strings.HasPrefix(w.Header().Get("Location"), "https://auth.example.com/logout?") {
				t.Fatalf("%d %q", w.Code, w.Header().Get("Location"))
			}
			if len(fx.fake.revoked) != 1 || fx.cookie("__Host-monban-session") != nil || fx.cookie("__Host-monban-refresh") != nil {
				t.Fatalf("not signed out: revoked %v, cookies %v", fx.fake.revoked, fx.cookies)
			}
		})
	}
}

// navigation returns the headers a browser sends when the user follows a link: Fetch
// Metadata for a top-level navigation from a page whose relation to the API is fetchSite
// ("same-origin", "same-site", "cross-site", "none"), and its Referer ("" for none).
func navigation(fetchSite, referer string) map[string]string {
	h := map[string]string{"Sec-Fetch-Site": fetchSite, "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document", "Sec-Fetch-User": "?1"}
	if referer != "" {
		h["Referer"] = referer
	}
	return h
}
