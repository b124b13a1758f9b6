package monbanauth_test

import (
	"context"
	"errors"
	"testing"

	"github.com/monban-auth/monban/internal/tokentest"
	"github.com/monban-auth/monban/pkg/monbanauth"
)

// FetchKeys fetches the signing keys ahead of the first request, with or without the
// token cache; when the key set cannot be fetched it says so, and the first request
// fetches it as if nothing had been tried.
func TestFetchKeys(t *testing.T) {
	good := tokentest.Sign(tokentest.AccessClaims(epoch))
	for _, tc := range []struct {
		name      string
		cacheSize int
	}{
		{"with the token cache", 0},
		{"without the token cache", -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, func(c *monbanauth.Config) { c.CacheSize = tc.cacheSize })
			if err := f.a.FetchKeys(ctx); err != nil || f.jwks.Hits() != 1 {
				t.Fatalf("err %v, fetched %d times", err, f.jwks.Hits())
			}
			if _, err := f.a.Authenticate(ctx, monbanauth.Request{Authorization: []string{"Bearer " + good}}); err != nil || f.jwks.Hits() != 1 {
				t.Fatalf("first request: err %v, fetched %d times; want the keys fetched at start", err, f.jwks.Hits())
			}

			down := newFixture(t, func(c *monbanauth.Config) { c.CacheSize = tc.cacheSize })
			down.jwks.SetDown(true)
			if err := down.a.FetchKeys(ctx); !errors.Is(err, monbanauth.ErrUnavailable) {
				t.Fatalf("key set down: err = %v", err)
			}
			down.jwks.SetDown(false)
			if _, err := down.a.Authenticate(ctx, monbanauth.Request{Authorization: []string{"Bearer " + good}}); err != nil || down.jwks.Hits() != 2 {
				t.Fatalf("first request after a failed fetch: err %v, fetched %d times", err, down.jwks.Hits())
			}
		})
	}
}
