package monbanauth

import (
	"context"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/token"
	"github.com/monban-auth/monban/internal/tokencache"
	"github.com/monban-auth/monban/internal/tokentest"
)

// TestTheTokenCacheIsOnByDefault: a zero CacheSize means a cache of DefaultCapacity, a
// positive one a cache of that size, a negative one none.
func TestTheTokenCacheIsOnByDefault(t *testing.T) {
	epoch := time.Unix(1_750_000_000, 0)
	jwks := tokentest.NewJWKS(t)
	ac := tokentest.AccessClaims(epoch)
	// Three different tokens: two fit in a cache of two, not in one of one.
	tokens := []string{tokentest.Sign(ac), tokentest.Sign(tokentest.With(ac, "jti", "b")), tokentest.Sign(tokentest.With(ac, "jti", "c"))}
	for _, tt := range []struct {
		size int
		len  int // entries after verifying every token; -1: no cache
	}{
		{0, 3},
		{1, 1},
		{2, 2},
		{-1, -1},
	} {
		a, err := New(Config{
			Issuer: tokentest.Issuer, JWKSURL: jwks.URL(), ClientID: tokentest.ClientID,
			Accept: []Credential{Bearer}, CacheSize: tt.size, Now: func() time.Time { return epoch },
		})
		if err != nil {
			t.Fatalf("CacheSize %d: %v", tt.size, err)
		}
		for _, raw := range tokens {
			if _, err := a.Authenticate(context.Background(), Request{Authorization: []string{"Bearer " + raw}}); err != nil {
				t.Fatalf("CacheSize %d: %v", tt.size, err)
			}
		}
		switch v := a.verifier.(type) {
		case *tokencache.Cache:
			if v.Len() != tt.len {
				t.Errorf("CacheSize %d: the cache holds %d tokens, want %d", tt.size, v.Len(), tt.len)
			}
		case *token.Verifier:
			if tt.len >= 0 {
				t.Errorf("CacheSize %d: no token cache", tt.size)
			}
		default:
			t.Fatalf("verifier %T", v)
		}
	}
}
