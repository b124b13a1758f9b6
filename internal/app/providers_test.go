package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/monban-auth/monban/internal/app"
	"github.com/monban-auth/monban/internal/config"
)

// MONBAN_IDENTITY_PROVIDERS reaches the flows: the API lists what it names, and sign-in
// takes those names (and COGNITO) and no other.
func TestIdentityProvidersReachTheAPI(t *testing.T) {
	env := map[string]string{
		"MONBAN_USER_POOL_ID":       "eu-west-1_AbC123",
		"MONBAN_CLIENT_ID":          "client123",
		"MONBAN_CLIENT_SECRET":      "client-secret",
		"MONBAN_SESSION_SECRET":     strings.Repeat("s", 40),
		"MONBAN_COGNITO_DOMAIN":     "https://auth.example.com",
		"MONBAN_CALLBACK_URL":       "https://www.example.com/auth/callback",
		"MONBAN_ALLOWED_ORIGINS":    "https://www.example.com",
		"MONBAN_IDENTITY_PROVIDERS": "Google,SignInWithApple",
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	h, err := app.New(context.Background(), cfg, app.Options{Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	get := func(target string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "https://www.example.com"+target, nil))
		return w
	}
	if w := get("/auth/providers"); w.Code != http.StatusOK || strings.TrimSpace(w.Body.String()) != `{"providers":["Google","SignInWithApple"]}` {
		t.Fatalf("providers: %d %s", w.Code, w.Body)
	}
	for provider, want := range map[string]int{"Google": http.StatusFound, "COGNITO": http.StatusFound, "Facebook": http.StatusBadRequest} {
		w := get("/auth/sign-in?identity_provider=" + url.QueryEscape(provider))
		if w.Code != want {
			t.Errorf("sign-in with %s: %d %s, want %d", provider, w.Code, w.Body, want)
		}
		if loc, _ := url.Parse(w.Header().Get("Location")); want == http.StatusFound && loc.Query().Get("identity_provider") != provider {
			t.Errorf("sign-in with %s goes to %s", provider, loc)
		}
	}
}
