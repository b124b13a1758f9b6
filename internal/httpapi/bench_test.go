package httpapi

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/auth"
)

// BenchmarkSessionHandler is GET /auth/session for a signed-in browser: the call every page
// load makes. It is answered from the session cookie alone.
func BenchmarkSessionHandler(b *testing.B) {
	fx := newFixture(b)
	fx.signIn("/")
	req := httptest.NewRequest("GET", "https://www.example.com/auth/session", nil)
	for _, c := range fx.cookies {
		req.AddCookie(c)
	}
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		fx.h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// BenchmarkSessionJSON is GET /auth/session's signed-in answer encoded: by hand, as served,
// and by encoding/json, which it replaced and is held to byte for byte.
func BenchmarkSessionJSON(b *testing.B) {
	v := &sessionView{
		User: auth.User{
			Sub: "a4f8e2c1-3b6d-4e9a-8f7c-2d1e0b9a8c7d", Username: "a4f8e2c1-3b6d-4e9a-8f7c-2d1e0b9a8c7d",
			Email: "alice@example.com", EmailVerified: true,
			Groups: []string{"admins", "staff"}, Attributes: auth.Attributes{{Name: "name", Value: "Alice Example"}},
		},
		ExpiresAt: time.Now().Add(time.Hour).Truncate(time.Second).UTC(),
	}
	b.Run("hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			writeSession(discardWriter{}, v)
		}
	})
	b.Run("encoding_json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			writeJSON(discardWriter{}, http.StatusOK, v)
		}
	})
}

// discardWriter is a ResponseWriter that keeps nothing, so that only the encoding is timed.
type discardWriter struct{}

var discardHeader = http.Header{}

func (discardWriter) Header() http.Header         { return discardHeader }
func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (discardWriter) WriteHeader(int)             {}
