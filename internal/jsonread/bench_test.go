package jsonread

import "testing"

// Short strings (a request context's) and long ones (a user agent, a token).
func BenchmarkStringToken(b *testing.B) {
	for _, c := range []struct{ name, doc string }{
		{"short", `["GET","/auth/session","HTTP/1.1","192.0.2.10","example.com","text/html","en-US,en;q=0.9","keep-alive"]`},
		{"long", `["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36","eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ"]`},
	} {
		b.Run(c.name, func(b *testing.B) {
			doc := []byte(c.doc)
			for b.Loop() {
				r := New(doc)
				r.Array(func() bool { _, _, ok := r.StringToken(); return ok })
			}
		})
	}
}

// An object of short strings, each asked first whether it is null, as an event is read.
func BenchmarkNullThenString(b *testing.B) {
	doc := []byte(`{"a":"GET","b":"/auth/session","c":null,"d":"HTTP/1.1","e":"192.0.2.10","f":"example.com","g":"text/html","h":"en-US,en;q=0.9"}`)
	for b.Loop() {
		r := New(doc)
		r.Object(func(key []byte) bool {
			if r.Null() {
				return true
			}
			_, _, ok := r.StringToken()
			return ok
		})
	}
}
