package tokencache_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/token"
	"github.com/monban-auth/monban/internal/tokencache"
	"github.com/monban-auth/monban/internal/tokentest"
)

// copying answers every token with its own copy of a genuine access token's
// claims, allocated field by field as the real verifier allocates them, so that
// a filled cache holds what it would hold in production.
type copying struct{ claims *token.Claims }

func (v copying) VerifyAccess(_ context.Context, _ string) (*token.Claims, error) {
	c := *v.claims
	c.Subject, c.Username, c.Scope = strings.Clone(c.Subject), strings.Clone(c.Username), strings.Clone(c.Scope)
	c.TokenUse, c.ClientID = strings.Clone(c.TokenUse), strings.Clone(c.ClientID)
	c.Groups = slices.Clone(c.Groups)
	for i, g := range c.Groups {
		c.Groups[i] = strings.Clone(g)
	}
	return &c, nil
}

// genuine returns a genuine access token and its verified claims, at epoch.
func genuine(tb testing.TB) (string, *token.Claims) {
	tb.Helper()
	jwks := tokentest.NewJWKS(tb)
	v, err := token.NewVerifier(token.Config{Issuer: tokentest.Issuer, JWKSURL: jwks.URL(), ClientID: tokentest.ClientID, Now: func() time.Time { return epoch }})
	if err != nil {
		tb.Fatal(err)
	}
	raw := tokentest.Sign(tokentest.AccessClaims(epoch))
	claims, err := v.VerifyAccess(context.Background(), raw)
	if err != nil {
		tb.Fatal(err)
	}
	return raw, claims
}

// distinct returns n different tokens of raw's length: raw with its last
// characters replaced by a counter.
func distinct(raw string, n int) []string {
	out := make([]string, n)
	for i := range out {
		suffix := fmt.Sprintf("%08d", i)
		out[i] = raw[:len(raw)-len(suffix)] + suffix
	}
	return out
}

// liveHeap is the heap in use after a full collection. Two collections: the first only
// moves what sync.Pools hold to their victim caches, which the second frees, so that pooled
// buffers from earlier work are not counted on one side of a difference and not the other.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// bytesPerEntry fills a cache of the largest capacity with n of the given
// tokens and returns the heap it holds, per entry: the copied token, its
// claims, its slot and its share of the index.
func bytesPerEntry(tb testing.TB, tokens []string, claims *token.Claims) float64 {
	tb.Helper()
	before := liveHeap()
	c, err := tokencache.New(copying{claims}, tokencache.MaxCapacity, func() time.Time { return epoch })
	if err != nil {
		tb.Fatal(err)
	}
	for _, raw := range tokens {
		if _, err := c.VerifyAccess(context.Background(), raw); err != nil {
			tb.Fatal(err)
		}
	}
	after := liveHeap()
	if c.Len() != len(tokens) {
		tb.Fatalf("holds %d of %d", c.Len(), len(tokens))
	}
	runtime.KeepAlive(c)
	return (float64(after) - float64(before)) / float64(len(tokens))
}

// An empty cache costs the same whatever its capacity: nothing is sized by the
// maximum it may grow to. TotalAlloc counts every goroutine's allocations, so the
// cost is the mean over many caches: what the runtime or the test framework
// allocates meanwhile is shared out, while a cache sized by its capacity would
// still cost 100 KiB and more each.
func TestAnEmptyCacheIsSmallWhateverItsCapacity(t *testing.T) {
	const n = 100
	caches := make([]*tokencache.Cache, n)
	for _, capacity := range []int{1, tokencache.DefaultCapacity, tokencache.MaxCapacity} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for i := range caches {
			c, err := tokencache.New(&counting{}, capacity, nil)
			if err != nil {
				t.Fatal(err)
			}
			caches[i] = c
		}
		runtime.ReadMemStats(&after)
		if per := (after.TotalAlloc - before.TotalAlloc) / n; per > 1024 {
			t.Errorf("capacity %d: an empty cache allocated %d bytes", capacity, per)
		}
	}
	runtime.KeepAlive(caches)
}

// Filled with genuine-looking entries, the cache holds memory in proportion to
// them, and at its largest capacity stays within a quarter of the authorizer's
// 256 MB, the budget MaxCapacity is documented against.
func TestMemoryIsProportionalToWhatIsHeld(t *testing.T) {
	raw, claims := genuine(t)
	tokens := distinct(raw, 4096)
	small := bytesPerEntry(t, tokens[:512], claims)
	large := bytesPerEntry(t, tokens, claims)
	t.Logf("token %d bytes; %.0f bytes per entry at 512 entries, %.0f at 4096", len(raw), small, large)
	if large > 1.5*small || small > 1.5*large {
		t.Errorf("per-entry cost %.0f at 512 entries and %.0f at 4096: not proportional", small, large)
	}
	// The budget is for tokens of a typical Cognito size; these are a little shorter.
	const budget = 256 << 20 / 4
	if full := large * tokencache.MaxCapacity; full > budget {
		t.Errorf("a full cache of MaxCapacity would hold %.1f MiB, over %d MiB", full/(1<<20), budget>>20)
	}
}

// BenchmarkTokenCacheMemory reports the heap a filled cache holds per entry
// (B/entry) with a genuine access token's size and claims, and what a cache of
// MaxCapacity would hold when full (MiB-full).
func BenchmarkTokenCacheMemory(b *testing.B) {
	raw, claims := genuine(b)
	tokens := distinct(raw, 4096)
	var per float64
	for b.Loop() {
		per = bytesPerEntry(b, tokens, claims)
	}
	b.ReportMetric(per, "B/entry")
	b.ReportMetric(per*tokencache.MaxCapacity/(1<<20), "MiB-full")
	b.ReportMetric(float64(len(raw)), "B/token")
}
