package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/app"
	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/auth/userpooltest"
	"github.com/monban-auth/monban/internal/config"
)

// MONBAN_REAUTH_WINDOW reaches the flows: a sign-in two minutes old deletes the account
// under the default window, and not under a window of one minute.
func TestReauthWindowReachesTheAPI(t *testing.T) {
	for window, want := range map[string]int{"": http.StatusOK, "1m": http.StatusForbidden} {
		t.Run("window "+window, func(t *testing.T) {
			now := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
			clock := func() time.Time { return now }
			const issuer, client = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123", "client123"
			pool := userpooltest.New(userpooltest.Options{Issuer: issuer, ClientID: client, Now: clock, AutoConfirm: true})
			jwks := httptest.NewServer(pool.JWKSHandler())
			t.Cleanup(jwks.Close)
			env := map[string]string{
				"MONBAN_USER_POOL_ID":    "eu-west-1_AbC123",
				"MONBAN_CLIENT_ID":       client,
				"MONBAN_CLIENT_SECRET":   "client-secret",
				"MONBAN_SESSION_SECRET":  strings.Repeat("s", 40),
				"MONBAN_COGNITO_DOMAIN":  "https://auth.example.com",
				"MONBAN_CALLBACK_URL":    "https://www.example.com/auth/callback",
				"MONBAN_ALLOWED_ORIGINS": "https://www.example.com",
				"MONBAN_JWKS_URL":        jwks.URL,
				"MONBAN_ANSWER_FLOOR":    "0",
				"MONBAN_REAUTH_WINDOW":   window,
			}
			cfg, err := config.Load(func(k string) string { return env[k] })
			if err != nil {
				t.Fatal(err)
			}
			h, err := app.New(context.Background(), cfg, app.Options{Now: clock, UserPool: pool, Getenv: func(string) string { return "" }})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := pool.SignUp(context.Background(), auth.NewUser{Username: "ann@example.com", Password: "Corr3ct-Horse!"}); err != nil {
				t.Fatal(err)
			}
			var cookies []*http.Cookie
			post := func(path, body string) *httptest.ResponseRecorder {
				r := httptest.NewRequest("POST", "https://www.example.com"+path, strings.NewReader(body))
				r.Header.Set("Origin", "https://www.example.com")
				r.Header.Set("Content-Type", "application/json")
				for _, c := range cookies {
					r.AddCookie(c)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				return w
			}
			w := post("/auth/sign-in/password", `{"email":"ann@example.com","password":"Corr3ct-Horse!"}`)
			cookies = w.Result().Cookies()
			if w.Code != http.StatusOK || len(cookies) == 0 {
				t.Fatalf("sign in: %d %s", w.Code, w.Body)
			}
			now = now.Add(2 * time.Minute)
			if w := post("/auth/account/delete", `{}`); w.Code != want {
				t.Fatalf("delete: %d %s, want %d", w.Code, w.Body, want)
			}
		})
	}
}
