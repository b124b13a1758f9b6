package seal_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/seal"
	"github.com/monban-auth/monban/internal/sealed"
)

// benchSession is a signed-in user's session as monban seals it: a Cognito-sized access
// token (about 1.1 kB), two groups, one attribute.
func benchSession(now time.Time) sealed.Session {
	return sealed.Session{
		AccessToken: "eyJraWQiOiJ" + strings.Repeat("QWxhZGRpbjpvcGVuIHNlc2FtZQ", 42),
		ExpiresAt:   now.Add(time.Hour).UTC(),
		User: sealed.User{
			Sub: "a4f8e2c1-3b6d-4e9a-8f7c-2d1e0b9a8c7d", Username: "a4f8e2c1-3b6d-4e9a-8f7c-2d1e0b9a8c7d",
			Email: "alice@example.com", EmailVerified: true,
			Groups: []string{"admins", "staff"}, Attributes: sealed.Attributes{{Name: "name", Value: "Alice Example"}},
		},
	}
}

// BenchmarkOpenSession opens a session cookie as GET /auth/session does on every page load:
// the purpose's key tried, the value decrypted and its payload decoded into a new
// sealed.Session. The sealer has a second, older secret, as during a rotation.
func BenchmarkOpenSession(b *testing.B) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	s, err := seal.NewSealer([][]byte{
		[]byte("0123456789abcdef0123456789abcdef-secret-A"),
		[]byte("fedcba9876543210fedcba9876543210-secret-B"),
	})
	if err != nil {
		b.Fatal(err)
	}
	want := benchSession(now)
	cookie, err := s.Seal(seal.PurposeSession, want, want.ExpiresAt)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(cookie)))
	b.ReportMetric(float64(len(cookie)), "cookie-bytes")
	for b.Loop() {
		got := new(sealed.Session)
		if err := s.Open(seal.PurposeSession, cookie, got, now); err != nil || got.AccessToken != want.AccessToken {
			b.Fatal(err)
		}
	}
}

// Opens running at once each decode their own value: the buffers Open reuses are never
// shared between two of them.
func TestOpenConcurrently(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	s, err := seal.NewSealer([][]byte{[]byte("0123456789abcdef0123456789abcdef-secret-A")})
	if err != nil {
		t.Fatal(err)
	}
	sessions := make([]sealed.Session, 8)
	cookies := make([]string, len(sessions))
	for i := range sessions {
		sessions[i] = benchSession(now)
		sessions[i].AccessToken += strings.Repeat(string(rune('a'+i)), i*100) // a length of its own
		if cookies[i], err = s.Seal(seal.PurposeSession, sessions[i], sessions[i].ExpiresAt); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(sessions))
	for i := range sessions {
		wg.Go(func() {
			for range 200 {
				got := new(sealed.Session)
				if err := s.Open(seal.PurposeSession, cookies[i], got, now); err != nil || got.AccessToken != sessions[i].AccessToken {
					errs <- fmt.Errorf("session %d: %v, token of %d bytes", i, err, len(got.AccessToken))
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
