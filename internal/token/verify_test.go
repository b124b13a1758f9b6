package token_test

import (
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/monban-auth/monban/internal/token"
)

type tokenKind int

const (
	idToken tokenKind = iota
	accessToken
)

func (k tokenKind) String() string {
	if k == idToken {
		return "an ID token"
	}
	return "an access token"
}

func (f *fixture) verify(kind tokenKind, raw string) (*token.Claims, error) {
	if kind == idToken {
		return f.v.VerifyID(context.Background(), raw, "", false)
	}
	return f.v.VerifyAccess(context.Background(), raw)
}

func TestVerifyAcceptsGenuineTokens(t *testing.T) {
	a, _ := testKeys(t)
	skew := 30 * time.Second
	now := testEpoch.Unix()
	tests := []struct {
		name   string
		kind   tokenKind
		claims map[string]any
		check  func(t *testing.T, c *token.Claims)
	}{
		{
			name:   "a genuine ID token yields its user",
			kind:   idToken,
			claims: idClaims(),
			check: func(t *testing.T, c *token.Claims) {
				want := &token.Claims{
					Subject:       "7c9a1f0e-0000-4000-8000-000000000001",
					Username:      "alice",
					Email:         "alice@example.com",
					EmailVerified: true,
					Groups:        []string{"admin"},
					TokenUse:      "id",
					Audience:      []string{testClientID},
					Nonce:         "n-0S6_WzA2Mj",
					IssuedAt:      time.Unix(now-60, 0),
					ExpiresAt:     time.Unix(now+3600, 0),
					AuthTime:      time.Unix(now-60, 0),
					Attributes:    map[string]string{"name": "Alice Example", "custom:tenant": "acme", "tenant": "acme"},
				}
				if !reflect.DeepEqual(c, want) {
					t.Errorf("claims =\n%+v\nwant\n%+v", c, want)
				}
			},
		},
		{
			name:   "a genuine access token yields its user, scope and groups",
			kind:   accessToken,
			claims: accessClaims(),
			check: func(t *testing.T, c *token.Claims) {
				want := &token.Claims{
					Subject:   "7c9a1f0e-0000-4000-8000-000000000001",
					Username:  "alice",
					Groups:    []string{"admin", "editors"},
					Scope:     "openid email profile",
					TokenUse:  "access",
					ClientID:  testClientID,
					IssuedAt:  time.Unix(now-60, 0),
					ExpiresAt: time.Unix(now+3600, 0),
					AuthTime:  time.Unix(now-60, 0),
				}
				if !reflect.DeepEqual(c, want) {
					t.Errorf("claims =\n%+v\nwant\n%+v", c, want)
				}
			},
		},
		{
			name:   "an access token expired by less than the skew is still accepted",
			kind:   accessToken,
			claims: with(accessClaims(), "exp", testEpoch.Add(-skew+time.Second).Unix()),
		},
		{
			name:   "an access token whose nbf is within the skew is accepted",
			kind:   accessToken,
			claims: with(accessClaims(), "nbf", testEpoch.Add(skew-time.Second).Unix()),
		},
		{
			name:   "fractional NumericDates are accepted",
			kind:   accessToken,
			claims: with(accessClaims(), "exp", float64(now)+10.5, "iat", float64(now)-0.25),
			check: func(t *testing.T, c *token.Claims) {
				if want := time.Unix(now+10, 5e8); !c.ExpiresAt.Equal(want) {
					t.Errorf("ExpiresAt = %v, want %v", c.ExpiresAt, want)
				}
			},
		},
		{
			name:   "email_verified written as the string true is read as true",
			kind:   idToken,
			claims: with(idClaims(), "email_verified", "true"),
			check: func(t *testing.T, c *token.Claims) {
				if !c.EmailVerified {
					t.Error("EmailVerified = false, want true")
				}
			},
		},
		{
			name:   "email_verified written as the string false is read as false",
			kind:   idToken,
			claims: with(idClaims(), "email_verified", "false"),
			check: func(t *testing.T, c *token.Claims) {
				if c.EmailVerified {
					t.Error("EmailVerified = true, want false")
				}
			},
		},
		{
			name:   "an audience list containing the client is accepted",
			kind:   idToken,
			claims: with(idClaims(), "aud", []string{"other", testClientID}),
			check: func(t *testing.T, c *token.Claims) {
				if want := []string{"other", testClientID}; !reflect.DeepEqual(c.Audience, want) {
					t.Errorf("Audience = %q, want %q", c.Audience, want)
				}
			},
		},
		{
			name:   "non-string custom claims are left out of Attributes",
			kind:   idToken,
			claims: with(idClaims(), "custom:age", 42, "identities", []map[string]string{{"providerName": "Google"}}, "phone_number_verified", false),
			check: func(t *testing.T, c *token.Claims) {
				for _, k := range []string{"custom:age", "identities", "phone_number_verified", "jti", "origin_jti", "auth_time"} {
					if _, ok := c.Attributes[k]; ok {
						t.Errorf("Attributes has %q", k)
					}
				}
			},
		},
		{
			name:   "an ID token's username comes from cognito:username, not a username claim",
			kind:   idToken,
			claims: with(idClaims(), "username", "mallory"),
			check: func(t *testing.T, c *token.Claims) {
				if c.Username != "alice" {
					t.Errorf("Username = %q, want alice", c.Username)
				}
			},
		},
		{
			name:   "escaped claim names and values are decoded",
			kind:   idToken,
			claims: with(idClaims(), "custom:\u00e9quipe", "r\u00e9seau \"core\""),
			check: func(t *testing.T, c *token.Claims) {
				if got := c.Attributes["custom:équipe"]; got != `réseau "core"` {
					t.Errorf("attribute = %q", got)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			c, err := f.verify(tt.kind, signed(a, testKid, tt.claims))
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
		})
	}
}

func TestVerifyRejectsForgedAndMisdirectedTokens(t *testing.T) {
	a, b := testKeys(t)
	pubDER, err := x509.MarshalPKIXPublicKey(&a.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	hs256 := func(secret []byte) func([]byte) []byte {
		return func(input []byte) []byte {
			m := hmac.New(sha256.New, secret)
			m.Write(input)
			return m.Sum(nil)
		}
	}
	unsigned := func([]byte) []byte { return nil }
	rs512 := func(input []byte) []byte {
		d := sha512.Sum512(input)
		sig, err := rsa.SignPKCS1v15(rand.Reader, a, crypto.SHA512, d[:])
		if err != nil {
			panic(err)
		}
		return sig
	}
	ps256 := func(input []byte) []byte {
		d := sha256.Sum256(input)
		sig, err := rsa.SignPSS(rand.Reader, a, crypto.SHA256, d[:], nil)
		if err != nil {
			panic(err)
		}
		return sig
	}
	hdr := func(alg string) string { return mustJSON(map[string]string{"alg": alg, "kid": testKid}) }
	access := mustJSON(accessClaims())
	good := signed(a, testKid, accessClaims())
	parts := strings.Split(good, ".")
	// An array nested 65 levels deep: valid JSON (encoding/json allows 10000 levels), but
	// past the 64 that jsonread, which steps through a claim's list, follows.
	var tooDeep any = []any{}
	for range 64 {
		tooDeep = []any{tooDeep}
	}

	tests := []struct {
		name        string
		kind        tokenKind
		reason      string
		raw         string
		wantExpired bool
	}{
		{name: "a token with alg none and no signature is rejected", kind: accessToken, reason: "token: algorithm not accepted",
			raw: compact(hdr("none"), access, unsigned)},
		{name: "a token with alg None is rejected", kind: accessToken, reason: "token: algorithm not accepted",
			raw: compact(hdr("None"), access, unsigned)},
		{name: "alg none carrying a valid RS256 signature is rejected", kind: accessToken, reason: "token: algorithm not accepted",
			raw: b64(hdr("none")) + "." + parts[1] + "." + parts[2]},
		{name: "an HS256 token keyed with the public key PEM is rejected", kind: accessToken, reason: "token: algorithm not accepted",
			raw: compact(hdr("HS256"), access, hs256(pubPEM))},
		{name: "an HS256 token keyed with the public key DER is rejected", kind: accessToken, reason: "token: algorithm not accepted",
			raw: compact(hdr("HS256"), access, hs256(pubDER))},
		{name: "a header claiming RS512 over a key published for RS256 is rejected", kind: accessToken, reason: "token: algorithm not accepted",
			raw: compact(hdr("RS512"), access, rs512)},
		{name: "a header claiming PS256 over a key published for RS256 is rejected", kind: accessToken, reason: "token: algorithm not accepted",
			raw: compact(hdr("PS256"), access, ps256)},
		{name: "a header without alg is rejected", kind: accessToken, reason: "token: algorithm not accepted",
			raw: compact(mustJSON(map[string]string{"kid": testKid}), access, rs256(a))},
		{name: "a header without kid is rejected", kind: accessToken, reason: "token: missing key id",
			raw: compact(`{"alg":"RS256"}`, access, rs256(a))},
		{name: "a header with an empty kid is rejected", kind: accessToken, reason: "token: missing key id",
			raw: compact(`{"alg":"RS256","kid":""}`, access, rs256(a))},
		{name: "a header with a non-string kid is rejected", kind: accessToken, reason: "token: malformed header",
			raw: compact(`{"alg":"RS256","kid":7}`, access, rs256(a))},
		{name: "a header naming alg twice is rejected", kind: accessToken, reason: "token: malformed header",
			raw: compact(`{"alg":"RS256","kid":"kid-a","alg":"none"}`, access, rs256(a))},
		{name: "a header with a crit extension is rejected", kind: accessToken, reason: "token: unsupported critical header",
			raw: compact(`{"alg":"RS256","kid":"kid-a","crit":["exp"],"exp":1}`, access, rs256(a))},
		{name: "a header that is a JSON array is rejected", kind: accessToken, reason: "token: malformed header",
			raw: compact(`["RS256"]`, access, rs256(a))},
		{name: "a token signed by a key the JWKS does not hold under that kid is rejected", kind: accessToken, reason: "token: bad signature",
			raw: signed(b, testKid, accessClaims())},
		{name: "a token from another issuer is rejected", kind: accessToken, reason: "token: wrong issuer",
			raw: signed(a, testKid, with(accessClaims(), "iss", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"))},
		{name: "an issuer that differs only by a trailing slash is rejected", kind: accessToken, reason: "token: wrong issuer",
			raw: signed(a, testKid, with(accessClaims(), "iss", testIssuer+"/"))},
		{name: "a token without an issuer is rejected", kind: accessToken, reason: "token: wrong issuer",
			raw: signed(a, testKid, with(accessClaims(), "iss", nil))},
		{name: "an ID token for another app client is rejected", kind: idToken, reason: "token: wrong audience",
			raw: signed(a, testKid, with(idClaims(), "aud", "other-client"))},
		{name: "an ID token without aud is rejected", kind: idToken, reason: "token: wrong audience",
			raw: signed(a, testKid, with(idClaims(), "aud", nil))},
		{name: "an access token for another app client is rejected", kind: accessToken, reason: "token: wrong client_id",
			raw: signed(a, testKid, with(accessClaims(), "client_id", "other-client"))},
		{name: "an ID token presented where an access token is required is rejected", kind: accessToken, reason: "token: wrong token_use",
			raw: signed(a, testKid, idClaims())},
		{name: "an access token presented where an ID token is required is rejected", kind: idToken, reason: "token: wrong token_use",
			raw: signed(a, testKid, accessClaims())},
		{name: "an ID token that also carries client_id is still not an access token", kind: accessToken, reason: "token: wrong token_use",
			raw: signed(a, testKid, with(idClaims(), "client_id", testClientID))},
		{name: "a token without token_use is rejected", kind: accessToken, reason: "token: wrong token_use",
			raw: signed(a, testKid, with(accessClaims(), "token_use", nil))},
		{name: "an access token expired beyond the skew is rejected as expired", kind: accessToken, reason: "token: expired", wantExpired: true,
			raw: signed(a, testKid, with(accessClaims(), "exp", testEpoch.Add(-31*time.Second).Unix()))},
		{name: "an ID token expired beyond the skew is rejected as expired", kind: idToken, reason: "token: expired", wantExpired: true,
			raw: signed(a, testKid, with(idClaims(), "exp", testEpoch.Add(-time.Hour).Unix()))},
		{name: "a token expiring exactly at the end of the skew is rejected as expired", kind: accessToken, reason: "token: expired", wantExpired: true,
			raw: signed(a, testKid, with(accessClaims(), "exp", testEpoch.Add(-30*time.Second).Unix()))},
		{name: "a token without exp is rejected", kind: accessToken, reason: "token: missing exp",
			raw: signed(a, testKid, with(accessClaims(), "exp", nil))},
		{name: "a token not valid until a minute from now is rejected", kind: accessToken, reason: "token: not valid yet",
			raw: signed(a, testKid, with(accessClaims(), "nbf", testEpoch.Add(time.Minute).Unix()))},
		{name: "an ID token issued a minute in the future is rejected", kind: idToken, reason: "token: issued in the future",
			raw: signed(a, testKid, with(idClaims(), "iat", testEpoch.Add(time.Minute).Unix()))},
		{name: "a token without sub is rejected", kind: accessToken, reason: "token: missing sub",
			raw: signed(a, testKid, with(accessClaims(), "sub", nil))},
		{name: "a token whose exp is a string is rejected", kind: accessToken, reason: "token: malformed claim exp",
			raw: signed(a, testKid, with(accessClaims(), "exp", "9999999999"))},
		{name: "a token whose exp is absurdly far away is rejected", kind: accessToken, reason: "token: malformed claim exp",
			raw: signed(a, testKid, with(accessClaims(), "exp", 1e300))},
		{name: "a token whose groups are not a list of strings is rejected", kind: accessToken, reason: "token: malformed claim cognito:groups",
			raw: signed(a, testKid, with(accessClaims(), "cognito:groups", "admin"))},
		{name: "a token whose groups hold an array nested past jsonread's limit after a string is rejected, not cut short to that string",
			kind: accessToken, reason: "token: malformed claim cognito:groups",
			raw: signed(a, testKid, with(accessClaims(), "cognito:groups", []any{"admin", tooDeep}))},
		{name: "a token whose email_verified is neither bool nor true/false is rejected", kind: idToken, reason: "token: malformed claim email_verified",
			raw: signed(a, testKid, with(idClaims(), "email_verified", "yes"))},
		{name: "a token naming exp twice is rejected", kind: accessToken, reason: "token: duplicate claim",
			raw: compact(hdr("RS256"), strings.Replace(access, `"exp":`, `"exp":1,"exp":`, 1), rs256(a))},
		{name: "a token naming token_use twice through an escape is rejected", kind: accessToken, reason: "token: duplicate claim",
			raw: compact(hdr("RS256"), strings.Replace(access, `"token_use":`, `"token\u005fuse":"id","token_use":`, 1), rs256(a))},
		{name: "a payload that is not an object is rejected", kind: accessToken, reason: "token: malformed claims",
			raw: compact(hdr("RS256"), `["sub"]`, rs256(a))},
		{name: "a tampered payload is rejected", kind: accessToken, reason: "token: bad signature",
			raw: parts[0] + "." + b64(mustJSON(with(accessClaims(), "cognito:groups", []string{"root"}))) + "." + parts[2]},
		{name: "a signature with one flipped bit is rejected", kind: accessToken, reason: "token: bad signature",
			raw: parts[0] + "." + parts[1] + "." + flipFirstChar(parts[2])},
		{name: "a signature respelled with non-zero trailing bits is rejected", kind: accessToken, reason: "token: malformed",
			raw: parts[0] + "." + parts[1] + "." + respellTrailingBits(parts[2])},
		{name: "a signature truncated by one byte is rejected", kind: accessToken, reason: "token: bad signature",
			raw: parts[0] + "." + parts[1] + "." + parts[2][:len(parts[2])-2]},
		{name: "a token with a line break inside the signature is rejected", kind: accessToken, reason: "token: malformed",
			raw: parts[0] + "." + parts[1] + "." + parts[2][:10] + "\n" + parts[2][10:]},
		{name: "a token with an empty header is rejected as malformed", kind: accessToken, reason: "token: malformed",
			raw: "." + parts[1] + "." + parts[2]},
		{name: "a token with an empty payload is rejected as malformed", kind: accessToken, reason: "token: malformed",
			raw: parts[0] + ".." + parts[2]},
		{name: "a token with a carriage return inside the payload is rejected", kind: accessToken, reason: "token: malformed",
			raw: parts[0] + "." + parts[1][:10] + "\r" + parts[1][10:] + "." + parts[2]},
		{name: "a token with a third dot is rejected", kind: accessToken, reason: "token: malformed",
			raw: good + ".x"},
		{name: "a token with padding characters is rejected", kind: accessToken, reason: "token: malformed",
			raw: good + "=="},
		{name: "a token with surrounding whitespace is rejected", kind: accessToken, reason: "token: malformed",
			raw: " " + good},
		{name: "a token prefixed with Bearer is rejected", kind: accessToken, reason: "token: malformed",
			raw: "Bearer " + good},
		{name: "a signature far longer than any key allows is rejected", kind: accessToken, reason: "token: malformed",
			raw: parts[0] + "." + parts[1] + "." + strings.Repeat(parts[2], 3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			c, err := f.verify(tt.kind, tt.raw)
			if err == nil {
				t.Fatalf("verified, claims %+v", c)
			}
			if !errors.Is(err, token.ErrInvalid) {
				t.Errorf("err = %v, want ErrInvalid", err)
			}
			if got := errors.Is(err, token.ErrExpired); got != tt.wantExpired {
				t.Errorf("errors.Is(err, ErrExpired) = %v, want %v (err %v)", got, tt.wantExpired, err)
			}
			if errors.Is(err, token.ErrKeysUnavailable) {
				t.Errorf("err = %v, must not be ErrKeysUnavailable", err)
			}
			if err.Error() != tt.reason {
				t.Errorf("err = %q, want %q", err, tt.reason)
			}
			assertNoTokenInError(t, err, tt.raw)
		})
	}
}

func TestVerifyRejectsGarbageWithoutFetchingKeys(t *testing.T) {
	tests := []struct {
		name string
		raw  string
	}{
		{"an empty string is rejected", ""},
		{"a lone dot is rejected", "."},
		{"two dots are rejected", ".."},
		{"three short parts are rejected", "a.b.c"},
		{"two parts are rejected", "eyJhbGciOiJSUzI1NiJ9.e30"},
		{"an empty payload under a valid header is rejected", b64(`{"alg":"RS256","kid":"kid-a"}`) + "..c2ln"},
		{"an empty header is rejected", "." + b64("{}") + ".c2ln"},
		{"four parts are rejected", "a.b.c.d"},
		{"a five-part JWE is rejected", "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aGVsbG8.aGVsbG8.aGVsbG8"},
		{"a header that is not JSON is rejected", b64("not json") + "." + b64("{}") + ".c2ln"},
		{"a header that is truncated JSON is rejected", b64(`{"alg":"RS256","kid":"kid-a"`) + "." + b64("{}") + ".c2ln"},
		{"an empty header object is rejected", b64("{}") + "." + b64("{}") + ".c2ln"},
		{"a header with an unknown kid and alg none is rejected", b64(`{"alg":"none","kid":"x"}`) + "." + b64("{}") + "."},
		{"non-ASCII bytes are rejected", "ヘッダー.ペイロード.署名"},
		{"a NUL byte is rejected", "a\x00.b.c"},
		{"a token over 16 KiB is rejected", strings.Repeat("a", 16<<10+1)},
		{"a huge token of valid shape is rejected", b64(`{"alg":"RS256","kid":"kid-a"}`) + "." + strings.Repeat("e30", 6000) + ".c2ln"},
	}
	for _, tt := range tests {
		for _, kind := range []tokenKind{idToken, accessToken} {
			t.Run(tt.name+" as "+kind.String(), func(t *testing.T) {
				f := newFixture(t)
				c, err := f.verify(kind, tt.raw)
				if err == nil {
					t.Fatalf("verified, claims %+v", c)
				}
				if !errors.Is(err, token.ErrInvalid) {
					t.Errorf("err = %v, want ErrInvalid", err)
				}
				if n := f.srv.hits.Load(); n != 0 {
					t.Errorf("garbage caused %d JWKS fetches, want 0", n)
				}
				assertNoTokenInError(t, err, tt.raw)
			})
		}
	}
}

func TestVerifyIDChecksNonce(t *testing.T) {
	a, _ := testKeys(t)
	withNonce := signed(a, testKid, idClaims())
	withoutNonce := signed(a, testKid, with(idClaims(), "nonce", nil))
	emptyNonce := signed(a, testKid, with(idClaims(), "nonce", ""))
	tests := []struct {
		name         string
		raw          string
		want         string
		allowMissing bool
		ok           bool
	}{
		{name: "a matching nonce is accepted", raw: withNonce, want: "n-0S6_WzA2Mj", ok: true},
		{name: "a different nonce is rejected", raw: withNonce, want: "n-other"},
		{name: "a different nonce is rejected even when a missing one is allowed", raw: withNonce, want: "n-other", allowMissing: true},
		{name: "a nonce that is a prefix of the expected one is rejected", raw: withNonce, want: "n-0S6_WzA2Mj-longer"},
		{name: "a missing nonce is rejected unless allowed", raw: withoutNonce, want: "n-0S6_WzA2Mj"},
		{name: "a missing nonce is accepted when allowed", raw: withoutNonce, want: "n-0S6_WzA2Mj", allowMissing: true, ok: true},
		{name: "an empty nonce counts as present and different", raw: emptyNonce, want: "n-0S6_WzA2Mj", allowMissing: true},
		{name: "no expected nonce skips the check", raw: withNonce, want: "", ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			_, err := f.v.VerifyID(context.Background(), tt.raw, tt.want, tt.allowMissing)
			if tt.ok && err != nil {
				t.Fatalf("VerifyID: %v", err)
			}
			if !tt.ok && !errors.Is(err, token.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestVerifyAcceptsTokensMintedByJWX(t *testing.T) {
	a, _ := testKeys(t)
	f := newFixture(t)
	key, err := jwk.Import(a)
	if err != nil {
		t.Fatal(err)
	}
	if err := key.Set(jwk.KeyIDKey, testKid); err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.NewBuilder().
		Issuer(testIssuer).
		Subject("sub-1").
		IssuedAt(testEpoch).
		Expiration(testEpoch.Add(time.Hour)).
		Claim("token_use", "access").
		Claim("client_id", testClientID).
		Claim("username", "bob").
		Build()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Sign(tok, jwt.WithKey(jwa.RS256(), key))
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.v.VerifyAccess(context.Background(), string(raw))
	if err != nil {
		t.Fatalf("VerifyAccess: %v", err)
	}
	if c.Username != "bob" || c.Subject != "sub-1" {
		t.Errorf("claims = %+v", c)
	}
}

// assertNoTokenInError fails if err's text carries any part of raw that could
// identify the token.
func assertNoTokenInError(t *testing.T, err error, raw string) {
	t.Helper()
	msg := err.Error()
	for _, part := range strings.Split(raw, ".") {
		if len(part) >= 8 && strings.Contains(msg, part) {
			t.Errorf("error text %q contains part of the token", msg)
		}
	}
}

// flipFirstChar changes one base64url character, which flips bits in the
// first decoded byte.
func flipFirstChar(s string) string {
	c := byte('A')
	if s[0] == 'A' {
		c = 'B'
	}
	return string(c) + s[1:]
}

// respellTrailingBits sets unused low bits of the last character: a relaxed
// decoder reads the same bytes, so the signature would still verify.
func respellTrailingBits(s string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, s[len(s)-1])
	respelled := s[:len(s)-1] + string(alphabet[last|1])
	if _, err := base64.RawURLEncoding.DecodeString(respelled); err != nil {
		panic("respelled signature no longer decodes leniently: " + err.Error())
	}
	return respelled
}

func TestVerifyNeverTrustsKeysTheTokenPointsTo(t *testing.T) {
	_, b := testKeys(t)
	attacker := newJWKSServer(t, rsaJWK(rotatedKid, &b.PublicKey))
	embedded := mustJSON(rsaJWK(testKid, &b.PublicKey))
	tests := []struct {
		name   string
		header string
		reason string
	}{
		{
			name:   "a public key embedded in the header is ignored",
			header: `{"alg":"RS256","kid":"kid-a","jwk":` + embedded + `}`,
			reason: "token: bad signature",
		},
		{
			name:   "a jku pointing at another key set is never fetched",
			header: `{"alg":"RS256","kid":"kid-b","jku":"` + attacker.URL + `"}`,
			reason: "token: unknown key id",
		},
		{
			name:   "an x5u pointing elsewhere is never fetched",
			header: `{"alg":"RS256","kid":"kid-a","x5u":"` + attacker.URL + `/cert.pem"}`,
			reason: "token: bad signature",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			_, err := f.v.VerifyAccess(context.Background(), compact(tt.header, mustJSON(accessClaims()), rs256(b)))
			if !errors.Is(err, token.ErrInvalid) || err.Error() != tt.reason {
				t.Fatalf("err = %v, want %q", err, tt.reason)
			}
			if n := attacker.hits.Load(); n != 0 {
				t.Errorf("the token's own key URL was fetched %d times", n)
			}
		})
	}
}
