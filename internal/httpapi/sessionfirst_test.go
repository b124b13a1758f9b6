package httpapi

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestSessionFirstIsTheMux: sessionFirst sends every request where the mux does, with the
// pattern the mux sets.
func TestSessionFirstIsTheMux(t *testing.T) {
	var served, other string
	mux := http.NewServeMux()
	mux.HandleFunc("GET /auth/session", func(_ http.ResponseWriter, r *http.Request) { served = r.Pattern })
	mux.HandleFunc("/", func(_ http.ResponseWriter, r *http.Request) { other = r.Pattern })
	h := sessionFirst(mux)
	if _, ok := h.(*http.ServeMux); ok {
		t.Fatal("sessionFirst made nothing for a mux with the route")
	}
	tests := []struct {
		method, target string
		session        bool
	}{
		{"GET", "https://www.example.com/auth/session", true},
		{"HEAD", "https://www.example.com/auth/session", true},
		{"GET", "https://www.example.com/auth/session?x=1", true},
		{"GET", "https://www.example.com:8443/auth/session", true},
		{"GET", "http://localhost/auth/session", true},
		{"GET", "https://www.example.com/auth/%73ession", true},
		{"POST", "https://www.example.com/auth/session", false},
		{"OPTIONS", "https://www.example.com/auth/session", false},
		{"get", "https://www.example.com/auth/session", false},
		{"CONNECT", "https://www.example.com/auth/session", false},
		{"GET", "https://www.example.com/auth/session/", false},
		{"GET", "https://www.example.com/auth/sessions", false},
		{"GET", "https://www.example.com/Auth/session", false},
		{"GET", "https://www.example.com/auth/token", false},
		// The mux redirects these to the clean path.
		{"GET", "https://www.example.com/auth//session", false},
		{"GET", "https://www.example.com/auth/./session", false},
		{"GET", "https://www.example.com/auth/x/../session", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, tt.target, nil)
		_, want := mux.Handler(r)
		served, other = "", ""
		h.ServeHTTP(httptest.NewRecorder(), r)
		ran := served + other // the pattern of the handler that ran; none for a redirect
		if (served != "") != tt.session || (ran != "" && ran != want) {
			t.Errorf("%s %s: session route with %q, other with %q; the mux's pattern %q", tt.method, tt.target, served, other, want)
		}
	}
}

// TestSessionFirstNeedsTheRoute: a mux without GET /auth/session (or with another pattern
// for it, such as a wildcard the mux fills in) is used as it is.
func TestSessionFirstNeedsTheRoute(t *testing.T) {
	for _, patterns := range [][]string{{"/"}, {"GET /auth/{name}", "/"}, {"/auth/session"}, {"POST /auth/session", "/"}} {
		mux := http.NewServeMux()
		for _, p := range patterns {
			mux.HandleFunc(p, func(http.ResponseWriter, *http.Request) {})
		}
		if h, ok := sessionFirst(mux).(*http.ServeMux); !ok || h != mux {
			t.Errorf("%q: sessionFirst made %T", patterns, sessionFirst(mux))
		}
	}
}
