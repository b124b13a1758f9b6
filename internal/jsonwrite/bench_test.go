package jsonwrite

import (
	"strings"
	"testing"
)

// A JSON body, full of quotes, as handlers answer.
const benchBody = `{"authenticated":true,"user":{"id":"0b6f2a4c-1d3e-4f5a-8b9c-0d1e2f3a4b5c","email":"someone@example.com","name":"Some One","roles":["reader","writer"]},"expiresAt":"2026-11-30T10:00:00Z","csrf":"n3Xq9aB7cD1eF5gH2iJ4kL6mN8oP0qR","session":{"idle":1800,"absolute":43200}}`

// A JSON body, plain text, and a short header value.
func BenchmarkStringBody(b *testing.B) {
	for _, c := range []struct {
		name string
		s    string
	}{{"json", benchBody}, {"plain", strings.Repeat("abcdefgh", 40)}, {"short", "application/json"}} {
		b.Run(c.name, func(b *testing.B) {
			buf := make([]byte, 0, 1024)
			b.SetBytes(int64(len(c.s)))
			for b.Loop() {
				buf = StringBody(buf[:0], c.s, false)
			}
		})
	}
}
