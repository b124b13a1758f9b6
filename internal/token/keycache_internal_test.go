package token

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// These tests drive the key cache directly, with an in-memory JWKS and a settable clock,
// and wait for any background refetch to finish before counting fetches: whether a key
// set is refreshed is decided synchronously (revalidate records the fetch it starts
// before get returns), so every assertion is exact and nothing depends on timing.

// memJWKS is an http.RoundTripper serving a JWKS document from memory.
type memJWKS struct {
	hits atomic.Int32

	mu     sync.Mutex
	status int
	body   string
}

func (m *memJWKS) serve(status int, body string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.status, m.body = status, body
}

func (m *memJWKS) RoundTrip(r *http.Request) (*http.Response, error) {
	m.hits.Add(1)
	m.mu.Lock()
	status, body := m.status, m.body
	m.mu.Unlock()
	return &http.Response{
		StatusCode: status,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(strings.NewReader(body)),
		Request:    r,
	}, nil
}

// testClock is a settable clock, safe for the background fetch to read.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var (
	bigKeyOnce sync.Once
	bigKey     *rsa.PrivateKey
	bigKeyErr  error
)

// testKey4096 is the 4096-bit key in testdata, read rather than generated: generating
// one takes seconds.
func testKey4096(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	bigKeyOnce.Do(func() {
		raw, err := os.ReadFile("testdata/rsa4096.pem")
		if err != nil {
			bigKeyErr = err
			return
		}
		block, _ := pem.Decode(raw)
		if block == nil {
			bigKeyErr = errors.New("testdata/rsa4096.pem: no PEM block")
			return
		}
		bigKey, bigKeyErr = x509.ParsePKCS1PrivateKey(block.Bytes)
	})
	if bigKeyErr != nil {
		t.Fatal(bigKeyErr)
	}
	return bigKey
}

func jwkJSON(kid string, pub *rsa.PublicKey) string {
	return `{"kty":"RSA","kid":"` + kid + `","alg":"RS256","use":"sig","n":"` +
		base64.RawURLEncoding.EncodeToString(pub.N.Bytes()) + `","e":"` +
		base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()) + `"}`
}

func jwksJSON(keys ...string) string { return `{"keys":[` + strings.Join(keys, ",") + `]}` }

type cacheFixture struct {
	t     *testing.T
	jwks  *memJWKS
	clock *testClock
	keys  *keyCache
}

// newCacheFixture builds a Verifier, so that its defaults apply, and returns its key
// cache, which serves kid-a.
func newCacheFixture(t *testing.T, tweak func(*Config)) *cacheFixture {
	t.Helper()
	f := &cacheFixture{t: t, jwks: &memJWKS{}, clock: &testClock{t: time.Unix(1_750_000_000, 0)}}
	f.jwks.serve(http.StatusOK, jwksJSON(jwkJSON("kid-a", &testKey4096(t).PublicKey)))
	cfg := Config{
		Issuer:     "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Test",
		ClientID:   "client",
		HTTPClient: &http.Client{Transport: f.jwks},
		Now:        f.clock.Now,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	v, err := NewVerifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.keys = v.keys
	return f
}

// get looks kid up, then waits for any fetch it started, in the background or not.
func (f *cacheFixture) get(kid string) (*rsa.PublicKey, error) {
	k, err := f.keys.get(context.Background(), []byte(kid))
	f.keys.mu.Lock()
	call := f.keys.inflight
	f.keys.mu.Unlock()
	if call != nil {
		<-call.done
	}
	return k, err
}

// mustGet asserts that kid is served and that the JWKS has been fetched hits times.
func (f *cacheFixture) mustGet(kid string, hits int32, when string) {
	f.t.Helper()
	if k, err := f.get(kid); k == nil || err != nil {
		f.t.Fatalf("%s: %s: key %v, err %v", when, kid, k, err)
	}
	if got := f.jwks.hits.Load(); got != hits {
		f.t.Fatalf("%s: JWKS fetched %d times, want %d", when, got, hits)
	}
}

// A key set is used for exactly KeysMaxAge (an hour when unset) and refreshed by the
// first lookup after that; the refresh drops a key the pool has retired.
func TestKeySetIsRefreshedAfterKeysMaxAge(t *testing.T) {
	for _, tc := range []struct {
		name   string
		maxAge time.Duration // configured
		want   time.Duration // in effect
	}{
		{"an unset KeysMaxAge means one hour", 0, time.Hour},
		{"a configured KeysMaxAge shorter than the default is honoured", 10 * time.Minute, 10 * time.Minute},
		{"a configured KeysMaxAge longer than the default is honoured", 3 * time.Hour, 3 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newCacheFixture(t, func(c *Config) { c.KeysMaxAge = tc.maxAge })
			f.mustGet("kid-a", 1, "first use")

			f.clock.Advance(time.Minute)
			f.mustGet("kid-a", 1, "a minute later")

			// The pool retires kid-a.
			f.jwks.serve(http.StatusOK, jwksJSON(jwkJSON("kid-b", &testKey4096(t).PublicKey)))
			f.clock.Advance(tc.want - time.Minute)
			f.mustGet("kid-a", 1, "at exactly the max age")

			f.clock.Advance(time.Nanosecond)
			// The stale set still answers this lookup while the refresh runs.
			f.mustGet("kid-a", 2, "just past the max age")
			if k := f.keys.lookup([]byte("kid-a")); k != nil {
				t.Fatal("the retired key is still cached after the refresh")
			}
			if k := f.keys.lookup([]byte("kid-b")); k == nil {
				t.Fatal("the refresh did not bring the new key")
			}
		})
	}
}

// While the key set is stale and its refresh keeps failing, the old keys keep answering
// and refresh attempts are spaced by RefetchInterval, counted from the last attempt.
func TestStaleKeySetRefreshesArePaced(t *testing.T) {
	f := newCacheFixture(t, func(c *Config) { c.KeysMaxAge = 10 * time.Minute })
	f.mustGet("kid-a", 1, "first use")

	f.jwks.serve(http.StatusServiceUnavailable, "")
	f.clock.Advance(10*time.Minute + time.Nanosecond)
	f.mustGet("kid-a", 2, "stale")

	f.clock.Advance(time.Minute - time.Nanosecond)
	f.mustGet("kid-a", 2, "just under a refetch interval after the failed refresh")

	f.clock.Advance(time.Nanosecond)
	f.mustGet("kid-a", 3, "a refetch interval after the failed refresh")

	f.jwks.serve(http.StatusOK, jwksJSON(jwkJSON("kid-a", &testKey4096(t).PublicKey)))
	f.clock.Advance(time.Minute)
	f.mustGet("kid-a", 4, "once the endpoint is back")

	// Refreshed: fresh for another max age.
	f.clock.Advance(10 * time.Minute)
	f.mustGet("kid-a", 4, "a max age after the successful refresh")
}

// An unknown kid arriving while a refresh is in flight waits for that fetch instead of
// starting another.
func TestUnknownKidJoinsTheRefreshInFlight(t *testing.T) {
	f := newCacheFixture(t, nil)
	f.mustGet("kid-a", 1, "first use")
	f.jwks.serve(http.StatusOK, jwksJSON(jwkJSON("kid-a", &testKey4096(t).PublicKey), jwkJSON("kid-b", &testKey4096(t).PublicKey)))
	f.clock.Advance(time.Hour + time.Nanosecond)
	if k, err := f.keys.get(context.Background(), []byte("kid-a")); k == nil || err != nil {
		t.Fatalf("stale lookup: %v %v", k, err)
	}
	f.mustGet("kid-b", 2, "unknown kid during the refresh")
}

// While no key set was ever obtained, a RefetchInterval shorter than the cold-start
// retry gap spaces the retries.
func TestColdStartRetriesFollowAShortRefetchInterval(t *testing.T) {
	f := newCacheFixture(t, func(c *Config) { c.RefetchInterval = 500 * time.Millisecond })
	f.jwks.serve(http.StatusBadGateway, "")
	if _, err := f.get("kid-a"); !errors.Is(err, ErrKeysUnavailable) {
		t.Fatalf("err = %v, want ErrKeysUnavailable", err)
	}
	f.jwks.serve(http.StatusOK, jwksJSON(jwkJSON("kid-a", &testKey4096(t).PublicKey)))
	f.clock.Advance(500*time.Millisecond - time.Nanosecond)
	if _, err := f.get("kid-a"); !errors.Is(err, ErrKeysUnavailable) || errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v, want ErrKeysUnavailable, the last fetch's outcome", err)
	}
	f.clock.Advance(time.Nanosecond)
	f.mustGet("kid-a", 2, "a refetch interval after the failure")
}

// Key4096 lets the external tests sign with the testdata key.
var Key4096 = testKey4096

// A JWKS document of exactly 1 MiB is read whole; one byte more is refused.
func TestJWKSOfExactly1MiB(t *testing.T) {
	for _, tc := range []struct {
		size int
		ok   bool
	}{{maxJWKSSize, true}, {maxJWKSSize + 1, false}} {
		f := newCacheFixture(t, nil)
		doc := jwksJSON(jwkJSON("kid-a", &testKey4096(t).PublicKey))
		doc = doc[:len(doc)-1] + `,"pad":"` + strings.Repeat("p", tc.size-len(doc)-len(`,"pad":""`)) + `"}`
		if len(doc) != tc.size {
			t.Fatalf("document of %d bytes, want %d", len(doc), tc.size)
		}
		f.jwks.serve(http.StatusOK, doc)
		k, err := f.get("kid-a")
		if tc.ok && (k == nil || err != nil) {
			t.Errorf("%d bytes: %v", tc.size, err)
		}
		if !tc.ok && !errors.Is(err, ErrKeysUnavailable) {
			t.Errorf("%d bytes: key %v, err %v; want ErrKeysUnavailable", tc.size, k, err)
		}
	}
}
