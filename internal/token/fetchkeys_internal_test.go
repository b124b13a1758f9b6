package token

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

// gatedJWKS is a memJWKS whose answers wait until the test opens the gate.
type gatedJWKS struct {
	*memJWKS
	started chan struct{} // receives once per request, when it arrives
	gate    chan struct{} // closed to let requests through
}

func (g *gatedJWKS) RoundTrip(r *http.Request) (*http.Response, error) {
	g.started <- struct{}{}
	<-g.gate
	return g.memJWKS.RoundTrip(r)
}

// FetchKeys fetches the key set at start-up, once, so that the first lookup finds it;
// a failed start-up fetch neither fails anything else nor holds the first lookup back.
func TestFetchKeys(t *testing.T) {
	ctx := context.Background()
	t.Run("the keys fetched at start serve the first lookup without another fetch", func(t *testing.T) {
		f := newCacheFixture(t, nil)
		if err := f.keys.load(ctx); err != nil {
			t.Fatal(err)
		}
		if f.jwks.hits.Load() != 1 || f.keys.lookup([]byte("kid-a")) == nil {
			t.Fatalf("fetched %d times, kid-a cached: %v", f.jwks.hits.Load(), f.keys.lookup([]byte("kid-a")) != nil)
		}
		f.mustGet("kid-a", 1, "first lookup")
	})
	t.Run("with keys cached nothing is fetched", func(t *testing.T) {
		f := newCacheFixture(t, nil)
		f.mustGet("kid-a", 1, "first lookup")
		if err := f.keys.load(ctx); err != nil || f.jwks.hits.Load() != 1 {
			t.Fatalf("err %v, fetched %d times", err, f.jwks.hits.Load())
		}
	})
	t.Run("a failed fetch is reported and the first lookup fetches again at once", func(t *testing.T) {
		f := newCacheFixture(t, nil)
		f.jwks.serve(http.StatusServiceUnavailable, "")
		if err := f.keys.load(ctx); !errors.Is(err, ErrKeysUnavailable) {
			t.Fatalf("err = %v", err)
		}
		if f.keys.keys.Load() != nil {
			t.Fatal("keys cached after a failed fetch")
		}
		f.jwks.serve(http.StatusOK, jwksJSON(jwkJSON("kid-a", &testKey4096(t).PublicKey)))
		// No time has passed: a failed lookup would now wait emptyRetryGap.
		f.mustGet("kid-a", 2, "first lookup after the failed start-up fetch")
	})
	t.Run("a start-up wait that ends early leaves the fetch to the first lookup", func(t *testing.T) {
		f := newCacheFixture(t, nil)
		g := &gatedJWKS{memJWKS: f.jwks, started: make(chan struct{}, 4), gate: make(chan struct{})}
		f.keys.client = &http.Client{Transport: g}
		short, cancel := context.WithTimeout(ctx, time.Millisecond)
		defer cancel()
		if err := f.keys.load(short); !errors.Is(err, ErrKeysUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v", err)
		}
		<-g.started
		// The first lookup joins the fetch still under way rather than starting one.
		got := make(chan error, 1)
		go func() {
			_, err := f.keys.get(ctx, []byte("kid-a"))
			got <- err
		}()
		// A second load joins it too.
		loaded := make(chan error, 1)
		go func() { loaded <- f.keys.load(ctx) }()
		close(g.gate)
		if err := <-got; err != nil {
			t.Fatal(err)
		}
		if err := <-loaded; err != nil {
			t.Fatal(err)
		}
		if n := f.jwks.hits.Load(); n != 1 || len(g.started) != 0 {
			t.Fatalf("fetched %d times (%d more started), want once", n, len(g.started))
		}
	})
	t.Run("through the Verifier", func(t *testing.T) {
		f := newFixtureVerifier(t)
		if err := f.v.FetchKeys(ctx); err != nil || f.jwks.hits.Load() != 1 {
			t.Fatalf("err %v, fetched %d times", err, f.jwks.hits.Load())
		}
	})
}

type verifierFixture struct {
	v    *Verifier
	jwks *memJWKS
}

func newFixtureVerifier(t *testing.T) *verifierFixture {
	t.Helper()
	jwks := &memJWKS{}
	jwks.serve(http.StatusOK, jwksJSON(jwkJSON("kid-a", &testKey4096(t).PublicKey)))
	v, err := NewVerifier(Config{
		Issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Test", ClientID: "client",
		HTTPClient: &http.Client{Transport: jwks},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &verifierFixture{v: v, jwks: jwks}
}
