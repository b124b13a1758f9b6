package monbanauth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/seal"
	"github.com/monban-auth/monban/internal/token"
	"github.com/monban-auth/monban/internal/tokentest"
	"github.com/monban-auth/monban/pkg/monbanauth"
)

// TestTheTokenErrorStaysInTheChain: a refusal by the token verifier keeps the verifier's
// error beside the outcome, so a caller can tell an expired token from a forged one, and
// its text ends with the verifier's reason; a refusal of its own has no such cause.
func TestTheTokenErrorStaysInTheChain(t *testing.T) {
	ac := tokentest.AccessClaims(epoch)
	expired := tokentest.Sign(tokentest.With(ac, "iat", epoch.Unix()-7200, "exp", epoch.Unix()-3600))
	wrongClient := tokentest.Sign(tokentest.With(ac, "client_id", "someone-else"))
	bearer := func(raw string) monbanauth.Request {
		return monbanauth.Request{Authorization: []string{"Bearer " + raw}}
	}
	inCookie := func(raw string) func(t *testing.T) monbanauth.Request {
		return func(t *testing.T) monbanauth.Request {
			return monbanauth.Request{Cookies: sessionCookies(t, seal.PurposeSession, secret, "", raw, epoch.Add(time.Hour), 0)}
		}
	}
	tests := []struct {
		name    string
		down    bool
		req     func(t *testing.T) monbanauth.Request
		kind    error
		cause   []error // the verifier's errors the chain must hold
		notWrap []error // and must not
	}{
		{name: "an expired bearer token", req: func(*testing.T) monbanauth.Request { return bearer(expired) },
			kind: monbanauth.ErrInvalidCredentials, cause: []error{token.ErrInvalid, token.ErrExpired}, notWrap: []error{token.ErrKeysUnavailable}},
		{name: "a bearer token for another client", req: func(*testing.T) monbanauth.Request { return bearer(wrongClient) },
			kind: monbanauth.ErrInvalidCredentials, cause: []error{token.ErrInvalid}, notWrap: []error{token.ErrExpired}},
		{name: "an expired token in a session cookie", req: inCookie(expired),
			kind: monbanauth.ErrInvalidCredentials, cause: []error{token.ErrInvalid, token.ErrExpired}},
		{name: "a bearer token while the keys cannot be fetched", down: true, req: func(*testing.T) monbanauth.Request { return bearer(tokentest.Sign(ac)) },
			kind: monbanauth.ErrUnavailable, cause: []error{token.ErrKeysUnavailable}, notWrap: []error{token.ErrInvalid, monbanauth.ErrInvalidCredentials}},
		{name: "a cookie while the keys cannot be fetched", down: true, req: inCookie(tokentest.Sign(ac)),
			kind: monbanauth.ErrUnavailable, cause: []error{token.ErrKeysUnavailable}},
		{name: "no credentials", req: func(*testing.T) monbanauth.Request { return monbanauth.Request{} },
			kind: monbanauth.ErrNoCredentials, notWrap: []error{token.ErrInvalid, token.ErrKeysUnavailable, monbanauth.ErrInvalidCredentials}},
		{name: "a malformed bearer header", req: func(*testing.T) monbanauth.Request { return monbanauth.Request{Authorization: []string{"Bearer a b"}} },
			kind: monbanauth.ErrInvalidCredentials, notWrap: []error{token.ErrInvalid}},
		{name: "a bearer header with a tab in the token", req: func(*testing.T) monbanauth.Request { return monbanauth.Request{Authorization: []string{"Bearer a\tb"}} },
			kind: monbanauth.ErrInvalidCredentials, notWrap: []error{token.ErrInvalid}},
		{name: "a bearer header with two comma-separated tokens", req: func(*testing.T) monbanauth.Request { return monbanauth.Request{Authorization: []string{"Bearer a,b"}} },
			kind: monbanauth.ErrInvalidCredentials, notWrap: []error{token.ErrInvalid}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.jwks.SetDown(tt.down)
			id, err := f.a.Authenticate(context.Background(), tt.req(t))
			if id != nil || !errors.Is(err, tt.kind) {
				t.Fatalf("Authenticate = %v, %v; want %v", id, err, tt.kind)
			}
			for _, c := range tt.cause {
				if !errors.Is(err, c) {
					t.Errorf("%v does not wrap the verifier's %v", err, c)
				}
			}
			for _, c := range tt.notWrap {
				if errors.Is(err, c) {
					t.Errorf("%v wraps %v", err, c)
				}
			}
			// The text: the outcome, a reason, then the verifier's own reason if any.
			msg := err.Error()
			if !strings.HasPrefix(msg, tt.kind.Error()+": ") || strings.Contains(msg, ": token: ") != (len(tt.cause) > 0) {
				t.Errorf("error text %q", msg)
			}
		})
	}
}
