package sampleapi_test

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/sampleapi"
	"github.com/monban-auth/monban/pkg/monbanauth"
)

func TestHandler(t *testing.T) {
	id := &monbanauth.Identity{Subject: "sub-1", Username: "alice", Groups: []string{"staff"}, Scopes: []string{"openid"}, ExpiresAt: time.Unix(1_750_000_000, 0).UTC(), Via: monbanauth.Cookie}
	tests := []struct {
		name     string
		method   string
		path     string
		identity *monbanauth.Identity
		status   int
		check    func(t *testing.T, body map[string]any)
	}{
		{"/api/me answers with the caller's identity", "GET", "/api/me", id, 200, func(t *testing.T, b map[string]any) {
			if b["sub"] != "sub-1" || b["username"] != "alice" || b["via"] != "cookie" || b["expires_at"] != "2025-06-15T15:06:40Z" {
				t.Fatalf("%v", b)
			}
		}},
		{"/api/me-jwt answers the same", "GET", "/api/me-jwt", id, 200, func(t *testing.T, b map[string]any) {
			if b["sub"] != "sub-1" {
				t.Fatalf("%v", b)
			}
		}},
		{"without an identity the answer is 401", "GET", "/api/me", nil, 401, func(t *testing.T, b map[string]any) {
			if b["error"].(map[string]any)["code"] != "unauthenticated" {
				t.Fatalf("%v", b)
			}
		}},
		{"an unknown path is 404", "GET", "/api/nope", id, 404, wantCode("not_found")},
		{"a path outside /api/ is 404 in the error contract too", "GET", "/", id, 404, wantCode("not_found")},
		{"another method is 405", "POST", "/api/me", id, 405, wantCode("method_not_allowed")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.path, nil)
			if tt.identity != nil {
				r = r.WithContext(monbanauth.NewContext(r.Context(), tt.identity))
			}
			w := httptest.NewRecorder()
			sampleapi.Handler().ServeHTTP(w, r)
			if w.Code != tt.status || w.Header().Get("Content-Type") != "application/json" || w.Header().Get("Cache-Control") != "no-store" {
				t.Fatalf("%d %v %s", w.Code, w.Header(), w.Body)
			}
			var body map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if tt.check != nil {
				tt.check(t, body)
			}
			if allow := w.Header().Get("Allow"); (w.Code == 405) != (allow == "GET, HEAD") {
				t.Fatalf("%d with Allow %q", w.Code, allow)
			}
		})
	}
}

// wantCode checks that the answer is the error contract with code.
func wantCode(code string) func(t *testing.T, body map[string]any) {
	return func(t *testing.T, b map[string]any) {
		t.Helper()
		e, _ := b["error"].(map[string]any)
		if e["code"] != code || e["message"] == "" || len(b) != 1 || len(e) != 2 {
			t.Fatalf("%v, want the error contract with code %s", b, code)
		}
	}
}
