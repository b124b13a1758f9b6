package httpapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/auth"
)

// withProviders gives the fixture flows whose app client supports these identity providers
// besides COGNITO (on a Cognito of their own: these tests only start sign-ins).
func withProviders(providers ...string) func(*Deps) {
	return func(d *Deps) {
		fake := &fakeCognito{now: d.Now, lifetime: time.Hour}
		d.Auth = auth.NewService(auth.Config{
			CallbackURL: callbackURL, Scopes: []string{"openid"}, Redirects: d.Origins,
			LogoutURI: site + "/", Now: d.Now, IdentityProviders: providers,
		}, auth.Deps{HostedUI: fake, Verifier: fake, Pool: testPool(fake)})
	}
}

func TestProvidersListsTheConfiguredOnes(t *testing.T) {
	cases := []struct {
		name       string
		configured []string
		want       string
	}{
		{"none configured is an empty list, not null", nil, `{"providers":[]}`},
		{"the configured names, in their order", []string{"Google", "SignInWithApple", "My OIDC"}, `{"providers":["Google","SignInWithApple","My OIDC"]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fx := newFixture(t, withProviders(c.configured...))
			w := fx.do("GET", "/auth/providers", "", map[string]string{"Origin": "https://app.example.com"})
			if w.Code != http.StatusOK || strings.TrimSpace(w.Body.String()) != c.want {
				t.Fatalf("%d %s, want %s", w.Code, w.Body, c.want)
			}
			h := w.Header()
			if h.Get("Cache-Control") != "no-store" || h.Get("Content-Type") != "application/json" {
				t.Fatalf("headers %v", h)
			}
			if h.Get("Access-Control-Allow-Origin") != "https://app.example.com" || len(w.Result().Cookies()) != 0 {
				t.Fatalf("a site origin reads the list, and no cookie is set: %v", h)
			}
			var v struct{ Providers []string }
			if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil || slices.Contains(v.Providers, "COGNITO") {
				t.Fatalf("%s: %v", w.Body, err)
			}
		})
	}
}

func TestProvidersIsReadOnly(t *testing.T) {
	fx := newFixture(t)
	w := fx.post("/auth/providers", "{}")
	if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "GET" {
		t.Fatalf("%d %v %s", w.Code, w.Header(), w.Body)
	}
}

// Sign-in takes COGNITO and the configured providers, and refuses any other name before a
// flow starts, without repeating it.
func TestSignInTakesOnlyTheSitesProviders(t *testing.T) {
	cases := []struct {
		provider string
		ok       bool
	}{
		{"Google", true},
		{"COGNITO", true},
		{"Facebook", false},
		{"google", false},
		{"<b>Google</b>", false},
	}
	for _, c := range cases {
		t.Run(c.provider, func(t *testing.T) {
			fx := newFixture(t, withProviders("Google"))
			w := fx.do("GET", "/auth/sign-in?identity_provider="+url.QueryEscape(c.provider), "", nil)
			if c.ok {
				if w.Code != http.StatusFound || fx.cookie("__Host-monban-flow") == nil {
					t.Fatalf("%d %s", w.Code, w.Body)
				}
				return
			}
			if w.Code != http.StatusBadRequest || errorCode(t, w) != auth.CodeInvalidRequest {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
			if strings.Contains(w.Body.String(), c.provider) || len(w.Result().Cookies()) != 0 {
				t.Fatalf("the refusal echoes the value or starts a flow: %s %v", w.Body, w.Result().Cookies())
			}
		})
	}
}
