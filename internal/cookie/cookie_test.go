package cookie_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/cookie"
)

// Behaviour is covered by the sealer+cookie conformance suite in
// conformance_test.go; this file holds the fuzz target and benchmarks.

// FuzzRead feeds arbitrary Cookie headers to Read: it must never panic, and
// whatever it returns must be non-empty and made of bytes from the header.
func FuzzRead(f *testing.F) {
	for _, seed := range []string{
		"",
		"__Host-monban-session=abc",
		"__Host-monban-session=",
		"__Host-monban-session.0=abc; __Host-monban-session.1=def",
		"__Host-monban-session.0=abc; __Host-monban-session.2=def",
		"__Host-monban-session.1=abc",
		"__Host-monban-session.7=a; __Host-monban-session.0=b",
		"__Host-monban-session.8=a; __Host-monban-session.0=b",
		"__Host-monban-session.999=a",
		"__Host-monban-session.-1=a",
		"__Host-monban-session.00=a",
		"__Host-monban-session=a; __Host-monban-session.0=b",
		"__Host-monban-session=a; __Host-monban-session=b",
		`__Host-monban-session="quoted"`,
		"__Host-monban-session=a\x00b",
		"__Host-monban-session.0=a;;;__Host-monban-session.1",
		"=; ; ;=;__Host-monban-session.",
		"__Host-monban-session." + strings.Repeat("9", 40) + "=x",
	} {
		f.Add(seed)
	}
	spec := cookie.Spec{Name: "monban-session", Path: "/"}
	f.Fuzz(func(t *testing.T, header string) {
		r := httptest.NewRequest(http.MethodGet, "https://app.example.com/", nil)
		r.Header.Set("Cookie", header)
		v, ok := cookie.Codec{}.Read(r, spec)
		if ok && (v == "" || len(v) > len(header)) {
			t.Fatalf("Read = %q, true from header %q", v, header)
		}
		if !ok && v != "" {
			t.Fatalf("Read = %q, false: a value with ok=false", v)
		}
	})
}

func BenchmarkRead(b *testing.B) {
	spec := cookie.Spec{Name: "monban-session", Path: "/"}
	for _, tc := range []struct {
		name string
		size int
	}{
		{"unsplit", 1500},
		{"three_chunks", 3*cookie.MaxChunk - 100},
	} {
		b.Run(tc.name, func(b *testing.B) {
			rec := httptest.NewRecorder()
			cookie.Codec{}.Write(rec, httptest.NewRequest(http.MethodGet, "/", nil), spec, strings.Repeat("a", tc.size), time.Now().Add(time.Hour))
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			// Other cookies of the site travel along, as they would.
			r.Header.Set("Cookie", "_ga=GA1.1.123456789.1700000000; theme=dark")
			for _, c := range rec.Result().Cookies() {
				r.AddCookie(c)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := (cookie.Codec{}).Read(r, spec); !ok {
					b.Fatal("Read failed")
				}
			}
		})
	}
}
