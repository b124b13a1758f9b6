package httpapi

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzRequests throws arbitrary paths, bodies and cookies at the API: the answer is always a
// 2xx/3xx/4xx, never a panic or a 5xx.
func FuzzRequests(f *testing.F) {
	f.Add("POST", "/auth/refresh", `{"refresh_token":"x"}`, "__Secure-monban-refresh=abc")
	f.Add("GET", "/auth/session", "", "__Host-monban-session=eyJ..a.b.c")
	f.Add("GET", "/auth/callback?code=a&state=b", "", "__Host-monban-flow.0=x; __Host-monban-flow.1=y")
	f.Add("POST", "/auth/sign-out?global=maybe", "[1,2]", "")
	f.Add("GET", "/auth/sign-in?redirect_to=%2F%5Cevil", "", "")
	fx := newFixture(f)
	f.Fuzz(func(t *testing.T, method, target, body, cookies string) {
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \r\n\t#") || strings.ContainsAny(method, " \r\n\t") || method == "" {
			return
		}
		r := httptest.NewRequest("GET", "https://www.example.com/", strings.NewReader(body))
		r.Method = method
		r.RequestURI = ""
		u, err := r.URL.Parse(target)
		if err != nil {
			return
		}
		r.URL = u
		r.Header.Set("Origin", site)
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Cookie", cookies)
		w := httptest.NewRecorder()
		fx.h.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%s %s -> %d %s", method, target, w.Code, w.Body)
		}
	})
}
