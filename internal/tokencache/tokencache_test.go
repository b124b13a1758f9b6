package tokencache_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
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

// ttlVerifier accepts every token unless told to fail, and gives it an exp a
// token-specific time after the clock's now, so a token verified again after its exp
// is cached again.
type ttlVerifier struct {
	clock *tokentest.Clock
	calls int
	fail  bool
}

func (v *ttlVerifier) VerifyAccess(_ context.Context, raw string) (*token.Claims, error) {
	v.calls++
	if v.fail {
		return nil, token.ErrInvalid
	}
	ttl := time.Duration(1+len(raw)%4) * time.Minute
	return &token.Claims{Subject: raw, ExpiresAt: v.clock.Now().Add(ttl)}, nil
}

// lruModel is the cache's specification: entries in recency order, most recent
// first; an entry is served while now is before its exp and dropped when found
// expired; a new entry takes a free place or evicts the least recently used one.
type lruModel struct {
	capacity int
	entries  []modelEntry
}

type modelEntry struct {
	raw string
	exp time.Time
}

// lookup reports whether raw is served from the cache at now, updating the model
// as the cache should.
func (m *lruModel) lookup(raw string, now time.Time) bool {
	for i, e := range m.entries {
		if e.raw != raw {
			continue
		}
		m.entries = append(m.entries[:i], m.entries[i+1:]...)
		if !now.Before(e.exp) {
			return false
		}
		m.entries = append([]modelEntry{e}, m.entries...)
		return true
	}
	return false
}

func (m *lruModel) add(raw string, exp, now time.Time) {
	if !now.Before(exp) {
		return
	}
	if len(m.entries) == m.capacity {
		m.entries = m.entries[:len(m.entries)-1]
	}
	m.entries = append([]modelEntry{{raw, exp}}, m.entries...)
}

// The cache against its model over a long, fixed pseudo-random run of lookups, clock
// steps and rejections: every answer served from the cache, every eviction and every
// reuse of a slot freed by an expired entry must happen exactly when the model says.
// Small capacities make slot 0 the head, the tail and a neighbour in turn; rejections
// leave freed slots waiting at the tail while other entries move; some tokens are
// long and differ only in their last characters.
func TestCacheFollowsItsModel(t *testing.T) {
	long := strings.Repeat("x", 700)
	var pool []string
	for n := range 8 {
		pool = append(pool, fmt.Sprintf("tok-%d", n), fmt.Sprintf("%s-%d", long, n))
	}
	for capacity := 1; capacity <= 5; capacity++ {
		t.Run(fmt.Sprintf("capacity %d", capacity), func(t *testing.T) {
			clock := tokentest.NewClock(epoch)
			v := &ttlVerifier{clock: clock}
			c := newCache(t, v, capacity, clock)
			m := &lruModel{capacity: capacity}
			rng := rand.New(rand.NewPCG(1, uint64(capacity)))
			for step := range 3000 {
				if rng.IntN(4) == 0 {
					clock.Advance(time.Duration(rng.IntN(90)) * time.Second)
				}
				raw := pool[rng.IntN(capacity+3)]
				now := clock.Now()
				hit := m.lookup(raw, now)
				v.fail = rng.IntN(4) == 0
				before := v.calls
				cl, err := c.VerifyAccess(context.Background(), raw)
				if gotHit := v.calls == before; gotHit != hit {
					t.Fatalf("step %d, %.12s...: served from the cache %v, the model says %v", step, raw, gotHit, hit)
				}
				switch {
				case hit || !v.fail:
					if err != nil || cl.Subject != raw {
						t.Fatalf("step %d: %v %v", step, cl, err)
					}
					if !hit {
						m.add(raw, cl.ExpiresAt, now)
					}
				case !errors.Is(err, token.ErrInvalid):
					t.Fatalf("step %d: a rejection came back as %v", step, err)
				}
				if c.Len() != len(m.entries) {
					t.Fatalf("step %d: len %d, the model holds %d", step, c.Len(), len(m.entries))
				}
			}
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
		{"a capacity one over the maximum is refused", &counting{}, tokencache.MaxCapacity + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tokencache.New(tc.inner, tc.capacity, nil); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestNewAcceptsCapacitiesFromOneToTheMaximum(t *testing.T) {
	for _, capacity := range []int{1, tokencache.MaxCapacity} {
		c, err := tokencache.New(&counting{}, capacity, nil)
		if err != nil || c == nil {
			t.Fatalf("capacity %d: %v", capacity, err)
		}
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

// BenchmarkTokenCacheHit is a cache hit as a warm process has it: a genuine
// access token's length, the wall clock, the entry found, unexpired and moved
// to the front of the recency list.
func BenchmarkTokenCacheHit(b *testing.B) {
	raw := tokentest.Sign(tokentest.AccessClaims(time.Now()))
	c, err := tokencache.New(&counting{exp: time.Now().Add(time.Hour)}, tokencache.DefaultCapacity, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	// Other callers' entries, so that the hit is not the only entry.
	for _, other := range distinct(raw, 100) {
		c.VerifyAccess(ctx, other)
	}
	if _, err := c.VerifyAccess(ctx, raw); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.VerifyAccess(ctx, raw); err != nil {
			b.Fatal(err)
		}
	}
}
