package tokencache_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/token"
	"github.com/monban-auth/monban/internal/tokencache"
	"github.com/monban-auth/monban/internal/tokentest"
)

var epoch = time.Unix(1_750_000_000, 0)

// counting is a verifier that accepts every token "tok-<n>" with a fixed exp
// and counts how often it is asked.
type counting struct {
	calls atomic.Int32
	exp   time.Time
	fail  bool
}

func (v *counting) VerifyAccess(_ context.Context, raw string) (*token.Claims, error) {
	v.calls.Add(1)
	if v.fail {
		return nil, token.ErrInvalid
	}
	return &token.Claims{Subject: "sub-of-" + raw, ExpiresAt: v.exp}, nil
}

func newCache(t testing.TB, inner tokencache.Verifier, capacity int, clock *tokentest.Clock) *tokencache.Cache {
	t.Helper()
	c, err := tokencache.New(inner, capacity, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCache(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		run  func(t *testing.T, c *tokencache.Cache, v *counting, clock *tokentest.Clock)
	}{
		{"a verified token is served from the cache the second time", func(t *testing.T, c *tokencache.Cache, v *counting, _ *tokentest.Clock) {
			for range 3 {
				cl, err := c.VerifyAccess(ctx, "tok-1")
				if err != nil || cl.Subject != "sub-of-tok-1" {
					t.Fatalf("got %v, %v", cl, err)
				}
			}
			if n := v.calls.Load(); n != 1 {
				t.Fatalf("verifier asked %d times, want 1", n)
			}
		}},
		{"an entry is served until just before exp and never at exp", func(t *testing.T, c *tokencache.Cache, v *counting, clock *tokentest.Clock) {
			c.VerifyAccess(ctx, "tok-1")
			clock.Advance(time.Hour - time.Second)
			c.VerifyAccess(ctx, "tok-1")
			if n := v.calls.Load(); n != 1 {
				t.Fatalf("one second before exp: verifier asked %d times, want 1", n)
			}
			clock.Advance(time.Second)
			c.VerifyAccess(ctx, "tok-1")
			if n := v.calls.Load(); n != 2 {
				t.Fatalf("at exp: verifier asked %d times, want 2 (the cache must not answer)", n)
			}
			if c.Len() != 0 {
				t.Fatalf("a token verified at or after its exp must not be cached; len %d", c.Len())
			}
		}},
		{"rejections are not cached", func(t *testing.T, c *tokencache.Cache, v *counting, _ *tokentest.Clock) {
			v.fail = true
			for range 2 {
				if _, err := c.VerifyAccess(ctx, "tok-1"); !errors.Is(err, token.ErrInvalid) {
					t.Fatalf("err = %v", err)
				}
			}
			if n := v.calls.Load(); n != 2 || c.Len() != 0 {
				t.Fatalf("calls %d, len %d; want 2 and 0", n, c.Len())
			}
		}},
		{"the cache holds at most its capacity and evicts the least recently used", func(t *testing.T, c *tokencache.Cache, v *counting, _ *tokentest.Clock) {
			c.VerifyAccess(ctx, "tok-1")
			c.VerifyAccess(ctx, "tok-2")
			c.VerifyAccess(ctx, "tok-1") // tok-2 is now the least recently used
			c.VerifyAccess(ctx, "tok-3") // evicts tok-2
			if c.Len() != 2 {
				t.Fatalf("len %d, want capacity 2", c.Len())
			}
			before := v.calls.Load()
			c.VerifyAccess(ctx, "tok-1")
			c.VerifyAccess(ctx, "tok-3")
			if v.calls.Load() != before {
				t.Fatal("tok-1 and tok-3 should still be cached")
			}
			c.VerifyAccess(ctx, "tok-2")
			if v.calls.Load() != before+1 {
				t.Fatal("tok-2 should have been evicted")
			}
		}},
		{"a slot freed by an expired entry is reused before anything is evicted", func(t *testing.T, c *tokencache.Cache, v *counting, clock *tokentest.Clock) {
			c.VerifyAccess(ctx, "tok-1")
			v.exp = epoch.Add(2 * time.Hour)
			c.VerifyAccess(ctx, "tok-2")
			clock.Advance(time.Hour) // tok-1 expires
			v.fail = true
			c.VerifyAccess(ctx, "tok-1") // purges tok-1, not re-cached
			v.fail = false
			c.VerifyAccess(ctx, "tok-3")
			before := v.calls.Load()
			c.VerifyAccess(ctx, "tok-2")
			c.VerifyAccess(ctx, "tok-3")
			if v.calls.Load() != before || c.Len() != 2 {
				t.Fatalf("tok-2 and tok-3 should both be cached; len %d", c.Len())
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := tokentest.NewClock(epoch)
			v := &counting{exp: epoch.Add(time.Hour)}
			tt.run(t, newCache(t, v, 2, clock), v, clock)
		})
	}
}

func TestNewRefusesNonsense(t *testing.T) {
	for _, tc := range []struct {
		name     string
		inner    tokencache.Verifier
		capacity int
	}{
		{"a nil verifier is refused", nil, 10},
		{"a zero capacity is refused", &counting{}, 0},
		{"a negative capacity is refused", &counting{}, -1},
		{"an absurd capacity is refused", &counting{}, 1 << 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tokencache.New(tc.inner, tc.capacity, nil); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

// With the real verifier: the cache changes nothing about which tokens pass.
func TestCacheInFrontOfTheRealVerifier(t *testing.T) {
	jwks := tokentest.NewJWKS(t)
	clock := tokentest.NewClock(epoch)
	v, err := token.NewVerifier(token.Config{Issuer: tokentest.Issuer, JWKSURL: jwks.URL(), ClientID: tokentest.ClientID, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	c := newCache(t, v, 16, clock)
	ctx := context.Background()
	good := tokentest.Sign(tokentest.AccessClaims(epoch))
	if cl, err := c.VerifyAccess(ctx, good); err != nil || cl.Subject != tokentest.Subject {
		t.Fatalf("genuine token: %v %v", cl, err)
	}
	forged := tokentest.TamperPayload(good, tokentest.With(tokentest.AccessClaims(epoch), "sub", "someone-else"))
	if _, err := c.VerifyAccess(ctx, forged); !errors.Is(err, token.ErrInvalid) {
		t.Fatalf("tampered token: err = %v", err)
	}
	// Past exp plus the verifier's skew, the cached entry is gone and the
	// verifier says expired.
	clock.Advance(time.Hour + time.Minute)
	if _, err := c.VerifyAccess(ctx, good); !errors.Is(err, token.ErrExpired) {
		t.Fatalf("expired token: err = %v", err)
	}
}

func TestConcurrentUseIsSafe(t *testing.T) {
	clock := tokentest.NewClock(epoch)
	v := &counting{exp: epoch.Add(time.Hour)}
	c := newCache(t, v, 8, clock)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				raw := fmt.Sprintf("tok-%d", (g*7+i)%20)
				cl, err := c.VerifyAccess(context.Background(), raw)
				if err != nil || cl.Subject != "sub-of-"+raw {
					t.Errorf("%s: %v %v", raw, cl, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if c.Len() > 8 {
		t.Fatalf("len %d exceeds capacity", c.Len())
	}
}

// BenchmarkVerifyAccess compares a full verification (signature and claims)
// with a cache hit for the same warm token. The ratio of the two ns/op is
// what a warm authorizer saves per repeated caller.
func BenchmarkVerifyAccess(b *testing.B) {
	jwks := tokentest.NewJWKS(b)
	v, err := token.NewVerifier(token.Config{Issuer: tokentest.Issuer, JWKSURL: jwks.URL(), ClientID: tokentest.ClientID, Now: func() time.Time { return epoch }})
	if err != nil {
		b.Fatal(err)
	}
	raw := tokentest.Sign(tokentest.AccessClaims(epoch))
	ctx := context.Background()
	if _, err := v.VerifyAccess(ctx, raw); err != nil {
		b.Fatal(err)
	}
	b.Run("uncached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.VerifyAccess(ctx, raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		c, err := tokencache.New(v, tokencache.DefaultCapacity, func() time.Time { return epoch })
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.VerifyAccess(ctx, raw); err != nil {
				b.Fatal(err)
			}
		}
	})
}
