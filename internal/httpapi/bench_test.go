package httpapi

import (
	"net/http"
	"net/http/httptest"
	"testing"
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
