package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/devstack"
)

type meView struct {
	Sub, Username string
	Groups        []string
	Scopes        []string
	Via           string
	ExpiresAt     time.Time `json:"expires_at"`
}

// The protected sample API of the local stack, behind the same verification as the
// monban authorizer: signed in through the hosted UI, /api/me answers by session cookie
// and by the bearer token /auth/token hands out; signed out, or with a forged cookie, it
// answers 401.
func TestProtectedAPIJourney(t *testing.T) {
	e := startEnv(t, map[string]string{"MONBAN_TOKEN_ENDPOINT": "true"})
	b := e.browser(t)

	t.Run("signed out, /api/me is 401 with a Bearer challenge", func(t *testing.T) {
		resp, body := b.get("/api/me")
		if resp.StatusCode != 401 || errorCode(t, body) != "unauthenticated" || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Fatalf("%d %s %v", resp.StatusCode, body, resp.Header)
		}
	})

	b.signIn("/", userEmail, userPassword)
	_, body := b.get("/auth/session")
	user := decode[sessionView](t, body).User
	if user.Sub == "" {
		t.Fatalf("no session after sign-in: %s", body)
	}

	t.Run("by session cookie, /api/me answers with the signed-in user", func(t *testing.T) {
		resp, body := b.get("/api/me")
		if resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		me := decode[meView](t, body)
		if me.Sub != user.Sub || me.Via != "cookie" || strings.Join(me.Groups, ",") != "staff" || me.ExpiresAt.IsZero() {
			t.Fatalf("/api/me = %+v, want sub %s in group staff via cookie", me, user.Sub)
		}
		if resp.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("headers %v", resp.Header)
		}
	})

	var accessToken string
	t.Run("by the bearer token from /auth/token, without cookies, /api/me answers the same", func(t *testing.T) {
		resp, body := b.get("/auth/token")
		if resp.StatusCode != 200 {
			t.Fatalf("/auth/token: %d %s", resp.StatusCode, body)
		}
		accessToken = decode[struct {
			AccessToken string `json:"access_token"`
		}](t, body).AccessToken
		anon := e.browser(t) // an empty cookie jar: only the token can authenticate
		resp, body = anon.do("GET", "/api/me", "", map[string]string{"Authorization": "Bearer " + accessToken})
		if resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		if me := decode[meView](t, body); me.Sub != user.Sub || me.Via != "bearer" {
			t.Fatalf("/api/me = %+v", me)
		}
	})

	t.Run("a tampered bearer token is 401 invalid_token", func(t *testing.T) {
		anon := e.browser(t)
		parts := strings.Split(accessToken, ".")
		forged := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))
		resp, body := anon.do("GET", "/api/me", "", map[string]string{"Authorization": "Bearer " + forged})
		if resp.StatusCode != 401 || errorCode(t, body) != "unauthenticated" || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Fatalf("%d %s %v", resp.StatusCode, body, resp.Header)
		}
	})

	t.Run("a forged session cookie is 401", func(t *testing.T) {
		forger := e.browser(t)
		u, _ := url.Parse(e.site + "/")
		real := b.cookie("__Host-monban-session")
		forger.c.Jar.SetCookies(u, []*http.Cookie{{Name: "__Host-monban-session", Value: real[:len(real)-4] + "AAAA", Path: "/", Secure: true}})
		if resp, body := forger.get("/api/me"); resp.StatusCode != 401 || errorCode(t, body) != "unauthenticated" {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
	})

	t.Run("after sign-out, /api/me is 401 again", func(t *testing.T) {
		restore := b.noRedirects()
		resp, body := b.post("/auth/sign-out", "{}")
		restore()
		if resp.StatusCode != 200 {
			t.Fatalf("sign-out: %d %s", resp.StatusCode, body)
		}
		if resp, body := b.get("/api/me"); resp.StatusCode != 401 || errorCode(t, body) != "unauthenticated" {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
	})
}

// MONBAN_REQUIRED_GROUPS reaches the local stack's protected API as it reaches the
// authorizer: a signed-in user outside every required group is 403 forbidden.
func TestProtectedAPIRequiresAGroup(t *testing.T) {
	e := startEnv(t, map[string]string{"MONBAN_REQUIRED_GROUPS": "admins,billing"})
	b := e.browser(t)
	b.signIn("/", userEmail, userPassword)
	if resp, body := b.get("/auth/session"); resp.StatusCode != 200 {
		t.Fatalf("session: %d %s", resp.StatusCode, body)
	}
	resp, body := b.get("/api/me")
	if resp.StatusCode != 403 || errorCode(t, body) != "forbidden" {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}

// The demo page's protected-API panel in a real browser, served as `make dev` serves it
// (with /auth/token enabled for the bearer-token button).
func TestDemoProtectedAPIInABrowser(t *testing.T) {
	inBrowser(t, "protectedapi.mjs", devstack.StackOptions{Env: map[string]string{"MONBAN_TOKEN_ENDPOINT": "true"}})
}
