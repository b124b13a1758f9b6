package token_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/token"
	"github.com/monban-auth/monban/internal/tokentest"
)

const (
	testIssuer   = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Test"
	testClientID = "3n4b5urk1ft4fl3mg5e62d9ado"
	testKid      = "kid-a"
	rotatedKid   = "kid-b"
)

// testEpoch is the fixed "now" of every test, so expiry cases are exact.
var testEpoch = time.Unix(1_750_000_000, 0)

var (
	keysOnce   sync.Once
	keyA, keyB *rsa.PrivateKey
)

// testKeys returns two RSA keys shared by all tests; generating keys is the
// slowest part of the suite.
func testKeys(t testing.TB) (*rsa.PrivateKey, *rsa.PrivateKey) {
	t.Helper()
	keysOnce.Do(func() {
		var err error
		if keyA, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if keyB, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return keyA, keyB
}

// jwkEntry is one key as published in the test JWKS. Fields are written as
// given so tests can publish keys that must be ignored.
type jwkEntry struct {
	Kty    string   `json:"kty"`
	KeyOps []string `json:"key_ops,omitempty"`
	Kid    string   `json:"kid,omitempty"`
	Alg    string   `json:"alg,omitempty"`
	Use    string   `json:"use,omitempty"`
	N      string   `json:"n,omitempty"`
	E      string   `json:"e,omitempty"`
	K      string   `json:"k,omitempty"`
}

func rsaJWK(kid string, pub *rsa.PublicKey) jwkEntry {
	return jwkEntry{
		Kty: "RSA", Kid: kid, Alg: "RS256", Use: "sig",
		N: base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		E: base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}
}

func jwksBody(entries ...jwkEntry) []byte {
	b, err := json.Marshal(map[string]any{"keys": entries})
	if err != nil {
		panic(err)
	}
	return b
}

// jwksServer serves a JWKS on 127.0.0.1 and counts the requests it gets.
type jwksServer struct {
	*httptest.Server
	hits     atomic.Int32
	lastPath atomic.Value // string

	mu     sync.Mutex
	status int
	body   []byte
	delay  time.Duration
}

func newJWKSServer(t testing.TB, entries ...jwkEntry) *jwksServer {
	t.Helper()
	s := &jwksServer{status: http.StatusOK, body: jwksBody(entries...)}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		s.lastPath.Store(r.URL.Path)
		s.mu.Lock()
		status, body, delay := s.status, s.body, s.delay
		s.mu.Unlock()
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) serve(status int, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.body = status, body
}

func (s *jwksServer) setDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// fixture is a verifier wired to a JWKS server publishing key A as kid-a.
type fixture struct {
	srv   *jwksServer
	clock *tokentest.Clock
	v     *token.Verifier
}

func newFixture(t testing.TB, tweak ...func(*token.Config)) *fixture {
	t.Helper()
	a, _ := testKeys(t)
	f := &fixture{
		srv:   newJWKSServer(t, rsaJWK(testKid, &a.PublicKey)),
		clock: tokentest.NewClock(testEpoch),
	}
	cfg := token.Config{
		Issuer:   testIssuer,
		JWKSURL:  f.srv.URL + "/us-east-1_Test/.well-known/jwks.json",
		ClientID: testClientID,
		Now:      f.clock.Now,
	}
	for _, fn := range tweak {
		fn(&cfg)
	}
	v, err := token.NewVerifier(cfg)
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	f.v = v
	return f
}

func accessClaims() map[string]any {
	now := testEpoch.Unix()
	return map[string]any{
		"sub":            "7c9a1f0e-0000-4000-8000-000000000001",
		"cognito:groups": []string{"admin", "editors"},
		"iss":            testIssuer,
		"client_id":      testClientID,
		"origin_jti":     "0b6f7a4c-0000-4000-8000-00000000000a",
		"event_id":       "1d2e3f40-0000-4000-8000-00000000000b",
		"token_use":      "access",
		"scope":          "openid email profile",
		"auth_time":      now - 60,
		"exp":            now + 3600,
		"iat":            now - 60,
		"jti":            "5a6b7c8d-0000-4000-8000-00000000000c",
		"username":       "alice",
		"version":        2,
	}
}

func idClaims() map[string]any {
	now := testEpoch.Unix()
	return map[string]any{
		"sub":              "7c9a1f0e-0000-4000-8000-000000000001",
		"cognito:groups":   []string{"admin"},
		"email_verified":   true,
		"iss":              testIssuer,
		"cognito:username": "alice",
		"origin_jti":       "0b6f7a4c-0000-4000-8000-00000000000a",
		"aud":              testClientID,
		"event_id":         "1d2e3f40-0000-4000-8000-00000000000b",
		"token_use":        "id",
		"auth_time":        now - 60,
		"nonce":            "n-0S6_WzA2Mj",
		"exp":              now + 3600,
		"iat":              now - 60,
		"jti":              "5a6b7c8d-0000-4000-8000-00000000000c",
		"email":            "alice@example.com",
		"name":             "Alice Example",
		"custom:tenant":    "acme",
		"tenant":           "acme",
	}
}

// with returns a copy of claims with the given changes; a nil value deletes.
func with(claims map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(claims))
	for k, v := range claims {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// compact assembles header.payload.signature from JSON texts, signing the
// encoded input with sign.
func compact(header, payload string, sign func(input []byte) []byte) string {
	input := b64(header) + "." + b64(payload)
	return input + "." + base64.RawURLEncoding.EncodeToString(sign([]byte(input)))
}

func rs256(key *rsa.PrivateKey) func([]byte) []byte {
	return func(input []byte) []byte {
		d := sha256.Sum256(input)
		sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, d[:])
		if err != nil {
			panic(err)
		}
		return sig
	}
}

// signed mints an RS256 token with key under kid.
func signed(key *rsa.PrivateKey, kid string, claims map[string]any) string {
	return compact(mustJSON(map[string]string{"alg": "RS256", "kid": kid}), mustJSON(claims), rs256(key))
}
