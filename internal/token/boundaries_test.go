package token_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/token"
)

// The largest signature accepted is a 4096-bit key's, 512 bytes.
func TestVerifyAcceptsA4096BitKey(t *testing.T) {
	big := token.Key4096(t)
	f := newFixture(t)
	f.srv.serve(http.StatusOK, jwksBody(rsaJWK("kid-4096", &big.PublicKey)))
	raw := signed(big, "kid-4096", accessClaims())
	if sig := raw[strings.LastIndexByte(raw, '.')+1:]; len(sig) != 683 {
		t.Fatalf("a 4096-bit signature should be 683 base64url characters, got %d", len(sig))
	}
	mustVerify(t, f, raw)
	// One character more is longer than any supported key's signature.
	mustReject(t, f, raw+"A", token.ErrInvalid)
}

// tokenOfLength mints an access token of exactly n bytes, padding a custom claim and,
// since not every base64url length exists, the header.
func tokenOfLength(t *testing.T, n int) string {
	t.Helper()
	a, _ := testKeys(t)
	for hpad := range 4 {
		header := mustJSON(map[string]string{"alg": "RS256", "kid": testKid, "typ": strings.Repeat("J", hpad)})
		lo, hi := 0, n
		for lo < hi {
			mid := (lo + hi) / 2
			if len(compact(header, mustJSON(with(accessClaims(), "custom:pad", strings.Repeat("p", mid))), fakeSig)) < n {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		payload := mustJSON(with(accessClaims(), "custom:pad", strings.Repeat("p", lo)))
		if len(compact(header, payload, fakeSig)) == n {
			return compact(header, payload, rs256(a))
		}
	}
	t.Fatalf("cannot mint a token of %d bytes", n)
	return ""
}

// fakeSig has the length of a 2048-bit signature, for sizing tokens before signing.
func fakeSig([]byte) []byte { return make([]byte, 256) }

func TestVerifyAcceptsATokenOfExactly16KiB(t *testing.T) {
	f := newFixture(t)
	raw := tokenOfLength(t, 16<<10)
	if len(raw) != 16<<10 {
		t.Fatalf("minted %d bytes", len(raw))
	}
	mustVerify(t, f, raw)

	raw = tokenOfLength(t, 16<<10+1)
	_, err := f.v.VerifyAccess(context.Background(), raw)
	if !errors.Is(err, token.ErrInvalid) || err.Error() != "token: too large" {
		t.Fatalf("a signed token one byte over 16 KiB: err = %v, want too large", err)
	}
	wantHits(t, f, 1)
}

func TestVerifyReadsNumericDatesAtTheirLimits(t *testing.T) {
	a, _ := testKeys(t)
	tests := []struct {
		name    string
		payload string // replaces "exp":<exp> in the genuine access claims
		check   func(*token.Claims) bool
		reason  string // empty: accepted
	}{
		{name: "an iat of 0 is the epoch", payload: `"exp":EXP,"iat":0`,
			check: func(c *token.Claims) bool { return c.IssuedAt.Equal(time.Unix(0, 0)) }},
		{name: "an nbf of 0 is the epoch", payload: `"exp":EXP,"nbf":0`},
		{name: "a fractional iat under one second is read", payload: `"exp":EXP,"iat":0.5`,
			check: func(c *token.Claims) bool { return c.IssuedAt.Equal(time.Unix(0, 5e8)) }},
		{name: "an exp starting with 9 is read", payload: `"exp":9999999999`,
			check: func(c *token.Claims) bool { return c.ExpiresAt.Equal(time.Unix(9999999999, 0)) }},
		{name: "an exp of exactly 1e11 as an integer is read", payload: `"exp":100000000000`,
			check: func(c *token.Claims) bool { return c.ExpiresAt.Equal(time.Unix(1e11, 0)) }},
		{name: "an exp of exactly 1e11 in exponent form is read", payload: `"exp":1e11`,
			check: func(c *token.Claims) bool { return c.ExpiresAt.Equal(time.Unix(1e11, 0)) }},
		{name: "an exp of exactly 1e11 with a fraction part is read", payload: `"exp":100000000000.0`,
			check: func(c *token.Claims) bool { return c.ExpiresAt.Equal(time.Unix(1e11, 0)) }},
		{name: "an exp one second past 1e11 is refused", payload: `"exp":100000000001`, reason: "token: malformed claim exp"},
		{name: "an exp just past 1e11 in exponent form is refused", payload: `"exp":1.00000000001e11`, reason: "token: malformed claim exp"},
		{name: "a negative iat is refused", payload: `"exp":EXP,"iat":-1`, reason: "token: malformed claim iat"},
		{name: "a negative exp is refused", payload: `"exp":-1`, reason: "token: malformed claim exp"},
		{name: "an auth_time is read", payload: `"exp":EXP,"auth_time":1700000000`,
			check: func(c *token.Claims) bool { return c.AuthTime.Equal(time.Unix(1700000000, 0)) }},
		{name: "an auth_time written as a string is refused", payload: `"exp":EXP,"auth_time":"1700000000"`, reason: "token: malformed claim auth_time"},
		{name: "an exp written as a string is refused", payload: `"exp":"EXP"`, reason: "token: malformed claim exp"},
		{name: "an exp of null is refused", payload: `"exp":null`, reason: "token: malformed claim exp"},
	}
	exp := mustJSON(testEpoch.Unix() + 3600)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			claims := mustJSON(with(accessClaims(), "iat", nil, "auth_time", nil))
			claims = strings.Replace(claims, `"exp":`+exp, strings.ReplaceAll(tt.payload, "EXP", exp), 1)
			c, err := f.v.VerifyAccess(context.Background(), compact(mustJSON(map[string]string{"alg": "RS256", "kid": testKid}), claims, rs256(a)))
			if tt.reason != "" {
				if err == nil || err.Error() != tt.reason {
					t.Fatalf("err = %v, want %q", err, tt.reason)
				}
				return
			}
			if err != nil {
				t.Fatalf("VerifyAccess: %v", err)
			}
			if tt.check != nil && !tt.check(c) {
				t.Errorf("claims: exp %v, iat %v", c.ExpiresAt, c.IssuedAt)
			}
		})
	}
}

// A claim name or value may be spelled with JSON escapes anywhere, the first
// character included: it means the same claim, so it counts as a duplicate and is
// read like the plain spelling.
func TestVerifyDecodesEscapesAtTheStartOfNames(t *testing.T) {
	a, _ := testKeys(t)
	hdr := mustJSON(map[string]string{"alg": "RS256", "kid": testKid})
	access := mustJSON(accessClaims())
	tests := []struct {
		name   string
		header string
		claims string
		reason string // empty: accepted
		check  func(*token.Claims) bool
	}{
		{name: "a second iss spelled with a leading escape is a duplicate",
			claims: strings.Replace(access, `"iss":`, `"\u0069ss":"https://evil.example","iss":`, 1), reason: "token: duplicate claim"},
		{name: "a second sub spelled with a leading escape is a duplicate",
			claims: strings.Replace(access, `"sub":`, `"\u0073ub":"someone-else","sub":`, 1), reason: "token: duplicate claim"},
		{name: "a second auth_time is a duplicate",
			claims: strings.Replace(access, `"sub":`, `"auth_time":1,"sub":`, 1), reason: "token: duplicate claim"},
		{name: "a second custom claim spelled with a leading escape is a duplicate",
			claims: strings.Replace(access, `"sub":`, `"\u0074enant":"a","tenant":"b","sub":`, 1), reason: "token: duplicate claim"},
		{name: "a header naming alg twice, once with a leading escape, is refused",
			header: `{"\u0061lg":"none","alg":"RS256","kid":"kid-a"}`, claims: access, reason: "token: malformed header"},
		{name: "a name made only of an escape is read", claims: strings.Replace(access, `"scope":`, `"\u0073cope":`, 1),
			check: func(c *token.Claims) bool { return c.Scope == "openid email profile" }},
		{name: "a value starting with an escape is decoded", claims: strings.Replace(access, `"username":"alice"`, `"username":"\u0061lice"`, 1),
			check: func(c *token.Claims) bool { return c.Username == "alice" }},
		{name: "an empty string claim is read as empty", claims: strings.Replace(access, `"scope":"openid email profile"`, `"scope":""`, 1),
			check: func(c *token.Claims) bool { return c.Scope == "" }},
		{name: "an alg starting with an escape is read", header: `{"alg":"\u0052S256","kid":"\u006bid-a"}`, claims: access},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			header := tt.header
			if header == "" {
				header = hdr
			}
			c, err := f.v.VerifyAccess(context.Background(), compact(header, tt.claims, rs256(a)))
			if tt.reason != "" {
				if err == nil || err.Error() != tt.reason {
					t.Fatalf("err = %v, want %q", err, tt.reason)
				}
				return
			}
			if err != nil {
				t.Fatalf("VerifyAccess: %v", err)
			}
			if tt.check != nil && !tt.check(c) {
				t.Errorf("claims = %+v", c)
			}
		})
	}
}
