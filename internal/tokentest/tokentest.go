// Package tokentest mints Cognito-shaped tokens for tests of the packages that
// verify them: an RSA signing key, a JWKS served on 127.0.0.1 that can be taken
// down, genuine access and ID tokens, and the forgeries an attacker would try.
// It is imported only by tests.
package tokentest

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The identity the minted tokens describe.
const (
	Issuer   = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Test"
	ClientID = "3n4b5urk1ft4fl3mg5e62d9ado"
	Kid      = "kid-a"
	Subject  = "7c9a1f0e-0000-4000-8000-000000000001"
	Username = "alice"
)

var (
	keyOnce sync.Once
	key     *rsa.PrivateKey
)

// Key returns the RSA key every test shares; generating one is the slowest
// part of a test run.
func Key() *rsa.PrivateKey {
	keyOnce.Do(func() {
		var err error
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return key
}

// JWKS serves the public half of Key as kid Kid on 127.0.0.1, counts the
// requests it gets, and answers 503 while it is down.
type JWKS struct {
	srv  *httptest.Server
	hits atomic.Int32
	down atomic.Bool
}

// NewJWKS starts a JWKS server, stopped when t ends.
func NewJWKS(t testing.TB) *JWKS {
	t.Helper()
	pub := &Key().PublicKey
	body, err := json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "kid": Kid, "alg": "RS256", "use": "sig",
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
	if err != nil {
		t.Fatal(err)
	}
	j := &JWKS{}
	j.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		j.hits.Add(1)
		if j.down.Load() {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(j.srv.Close)
	return j
}

// URL is where the key set is served.
func (j *JWKS) URL() string { return j.srv.URL + "/us-east-1_Test/.well-known/jwks.json" }

// Hits is the number of requests served so far.
func (j *JWKS) Hits() int { return int(j.hits.Load()) }

// SetDown makes the endpoint fail (true) or work (false).
func (j *JWKS) SetDown(down bool) { j.down.Store(down) }

// AccessClaims are the claims of a genuine access token issued at now and
// valid for an hour, for a user in the groups "staff" and "admins".
func AccessClaims(now time.Time) map[string]any {
	return map[string]any{
		"sub":            Subject,
		"cognito:groups": []string{"staff", "admins"},
		"iss":            Issuer,
		"client_id":      ClientID,
		"origin_jti":     "0b6f7a4c-0000-4000-8000-00000000000a",
		"event_id":       "1d2e3f40-0000-4000-8000-00000000000b",
		"token_use":      "access",
		"scope":          "openid email profile",
		"auth_time":      now.Unix() - 60,
		"iat":            now.Unix() - 60,
		"exp":            now.Unix() + 3600,
		"jti":            "5a6b7c8d-0000-4000-8000-00000000000c",
		"username":       Username,
	}
}

// IDClaims are the claims of a genuine ID token for the same user.
func IDClaims(now time.Time) map[string]any {
	return map[string]any{
		"sub":              Subject,
		"cognito:groups":   []string{"staff", "admins"},
		"iss":              Issuer,
		"aud":              ClientID,
		"cognito:username": Username,
		"email":            "alice@example.com",
		"email_verified":   true,
		"token_use":        "id",
		"auth_time":        now.Unix() - 60,
		"iat":              now.Unix() - 60,
		"exp":              now.Unix() + 3600,
	}
}

// With returns a copy of claims with the given name/value changes; a nil
// value deletes the claim.
func With(claims map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(claims))
	for k, v := range claims {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

// Sign mints an RS256 token with Key under kid Kid.
func Sign(claims map[string]any) string {
	return SignHeader(map[string]any{"alg": "RS256", "kid": Kid, "typ": "JWT"}, claims)
}

// SignHeader mints a token with the given header, signed RS256 with Key
// whatever the header claims.
func SignHeader(header, claims map[string]any) string {
	return Compact(header, claims, func(input []byte) []byte {
		d := sha256.Sum256(input)
		sig, err := rsa.SignPKCS1v15(rand.Reader, Key(), crypto.SHA256, d[:])
		if err != nil {
			panic(err)
		}
		return sig
	})
}

// Unsigned is the "alg":"none" forgery: no signature at all.
func Unsigned(claims map[string]any) string {
	return Compact(map[string]any{"alg": "none", "kid": Kid}, claims, func([]byte) []byte { return nil })
}

// HS256WithPublicKey is the algorithm-confusion forgery: an HMAC made with the
// verifier's public key (PEM, as a careless library would load it) as secret.
func HS256WithPublicKey(claims map[string]any) string {
	der, err := x509.MarshalPKIXPublicKey(&Key().PublicKey)
	if err != nil {
		panic(err)
	}
	secret := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	return Compact(map[string]any{"alg": "HS256", "kid": Kid}, claims, func(input []byte) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write(input)
		return m.Sum(nil)
	})
}

// Compact assembles header.payload.signature, signing the encoded input with
// sign.
func Compact(header, claims map[string]any, sign func(input []byte) []byte) string {
	h, err := json.Marshal(header)
	if err != nil {
		panic(err)
	}
	p, err := json.Marshal(claims)
	if err != nil {
		panic(err)
	}
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p)
	return input + "." + base64.RawURLEncoding.EncodeToString(sign([]byte(input)))
}

// TamperPayload swaps the payload of a signed token for claims, keeping the
// original header and signature.
func TamperPayload(raw string, claims map[string]any) string {
	p, err := json.Marshal(claims)
	if err != nil {
		panic(err)
	}
	var dots []int
	for i := range len(raw) {
		if raw[i] == '.' {
			dots = append(dots, i)
		}
	}
	if len(dots) != 2 {
		panic("tokentest: not a compact JWS")
	}
	return raw[:dots[0]+1] + base64.RawURLEncoding.EncodeToString(p) + raw[dots[1]:]
}

// Clock is a settable time source.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock set to t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Forgery is a token an attacker might present, and what the test calls it.
type Forgery struct {
	Name  string
	Token string
}

// Forgeries are the tokens every verifier of access tokens must refuse at
// now. Each is genuine in every way but the one its name gives.
func Forgeries(now time.Time) []Forgery {
	ac := AccessClaims(now)
	good := Sign(ac)
	return []Forgery{
		{"an unsigned token (alg none) is refused", Unsigned(ac)},
		{"an HS256 token keyed with the RSA public key is refused", HS256WithPublicKey(ac)},
		{"a token from another issuer is refused", Sign(With(ac, "iss", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"))},
		{"an expired token is refused", Sign(With(ac, "iat", now.Unix()-7200, "exp", now.Unix()-3600))},
		{"a token whose nbf is in the future is refused", Sign(With(ac, "nbf", now.Unix()+600))},
		{"an ID token is refused where an access token is required", Sign(IDClaims(now))},
		{"a token issued to another app client is refused", Sign(With(ac, "client_id", "7a1b2c3d4e5f6g7h8i9j0k1l2m"))},
		{"a token naming an unknown key id is refused", SignHeader(map[string]any{"alg": "RS256", "kid": "kid-unknown"}, ac)},
		{"a token with a tampered payload is refused", TamperPayload(good, With(ac, "cognito:groups", []string{"staff", "admins", "root"}))},
		{"a token with a truncated signature is refused", good[:len(good)-8]},
		{"garbage is refused", "not-a-token"},
	}
}

// Claims decodes a JWT's payload without verifying it, for tests that check what an
// emulator or a trigger put into a token (signatures are the verifier's own tests).
func Claims(t testing.TB, raw string) map[string]any {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", raw)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(b, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}
