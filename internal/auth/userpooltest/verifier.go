package userpooltest

import (
	"net/http/httptest"
	"testing"

	"github.com/monban-auth/monban/internal/token"
)

// Verifier serves the pool's keys on 127.0.0.1 until t ends and returns the real token
// verifier over them, with the pool's issuer, client id and clock, so that every test checks
// the pool's tokens as monban does. The server is returned for tests that take the keys away.
func (p *Pool) Verifier(t testing.TB) (*token.Verifier, *httptest.Server) {
	t.Helper()
	jwks := httptest.NewServer(p.JWKSHandler())
	t.Cleanup(jwks.Close)
	v, err := token.NewVerifier(token.Config{Issuer: p.o.Issuer, ClientID: p.o.ClientID, JWKSURL: jwks.URL, Now: p.o.Now})
	if err != nil {
		t.Fatal(err)
	}
	return v, jwks
}
