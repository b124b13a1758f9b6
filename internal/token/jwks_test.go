package token_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/token"
)

func wantHits(t *testing.T, f *fixture, want int32) {
	t.Helper()
	if got := f.srv.hits.Load(); got != want {
		t.Errorf("JWKS fetched %d times, want %d", got, want)
	}
}

func mustVerify(t *testing.T, f *fixture, raw string) {
	t.Helper()
	if _, err := f.v.VerifyAccess(context.Background(), raw); err != nil {
		t.Fatalf("VerifyAccess: %v", err)
	}
}

func mustReject(t *testing.T, f *fixture, raw string, want error) {
	t.Helper()
	_, err := f.v.VerifyAccess(context.Background(), raw)
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
	if want == token.ErrKeysUnavailable && errors.Is(err, token.ErrInvalid) {
		t.Fatalf("err = %v: an outage must not read as an invalid token", err)
	}
}

func TestKeysAreFetchedLazilyNotByNewVerifier(t *testing.T) {
	a, _ := testKeys(t)
	f := newFixture(t)
	wantHits(t, f, 0)
	mustVerify(t, f, signed(a, testKid, accessClaims()))
	mustVerify(t, f, signed(a, testKid, accessClaims()))
	wantHits(t, f, 1)
}

func TestUnknownKidRefetchesAtMostOncePerInterval(t *testing.T) {
	a, _ := testKeys(t)
	f := newFixture(t)
	genuine := signed(a, testKid, accessClaims())
	mustVerify(t, f, genuine)
	wantHits(t, f, 1)

	mustReject(t, f, signed(a, "kid-unknown-1", accessClaims()), token.ErrInvalid)
	wantHits(t, f, 2)

	f.clock.Advance(59 * time.Second)
	mustReject(t, f, signed(a, "kid-unknown-2", accessClaims()), token.ErrInvalid)
	mustReject(t, f, signed(a, "kid-unknown-1", accessClaims()), token.ErrInvalid)
	wantHits(t, f, 2)
	mustVerify(t, f, genuine)

	f.clock.Advance(time.Second)
	mustReject(t, f, signed(a, "kid-unknown-3", accessClaims()), token.ErrInvalid)
	wantHits(t, f, 3)
}

func TestKeyRotation(t *testing.T) {
	a, b := testKeys(t)
	f := newFixture(t)
	oldToken := signed(a, testKid, accessClaims())
	newToken := signed(b, rotatedKid, accessClaims())
	mustVerify(t, f, oldToken)

	// The pool publishes a second key; once pacing allows a refetch, tokens
	// under it verify and the old key keeps working.
	f.srv.serve(http.StatusOK, jwksBody(rsaJWK(testKid, &a.PublicKey), rsaJWK(rotatedKid, &b.PublicKey)))
	f.clock.Advance(time.Minute)
	mustVerify(t, f, newToken)
	mustVerify(t, f, oldToken)
	wantHits(t, f, 2)

	// The old key is retired; the next refetch drops it.
	f.srv.serve(http.StatusOK, jwksBody(rsaJWK(rotatedKid, &b.PublicKey)))
	f.clock.Advance(time.Minute)
	mustReject(t, f, signed(a, "kid-unknown", accessClaims()), token.ErrInvalid)
	mustReject(t, f, oldToken, token.ErrInvalid)
	mustVerify(t, f, newToken)
	wantHits(t, f, 3)
}

func TestCachedKeysSurviveAFailingJWKSEndpoint(t *testing.T) {
	_, b := testKeys(t)
	tests := []struct {
		name string
		fail func(f *fixture)
	}{
		{"a server error keeps the cached keys", func(f *fixture) { f.srv.serve(http.StatusInternalServerError, []byte("oops")) }},
		{"an HTML page keeps the cached keys", func(f *fixture) { f.srv.serve(http.StatusOK, []byte("<html>maintenance</html>")) }},
		{"an empty key set keeps the cached keys", func(f *fixture) { f.srv.serve(http.StatusOK, []byte(`{"keys":[]}`)) }},
		{"keys of the wrong shape keep the cached keys", func(f *fixture) { f.srv.serve(http.StatusOK, []byte(`{"keys":"kid-a"}`)) }},
		{"a set with only an encryption key keeps the cached keys", func(f *fixture) {
			k := rsaJWK("kid-enc", &b.PublicKey)
			k.Use = "enc"
			f.srv.serve(http.StatusOK, jwksBody(k))
		}},
		{"a response over 1 MiB keeps the cached keys", func(f *fixture) {
			f.srv.serve(http.StatusOK, []byte(`{"keys":[],"pad":"`+strings.Repeat("x", 1<<20)+`"}`))
		}},
		{"a server that is gone keeps the cached keys", func(f *fixture) { f.srv.Close() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := testKeys(t)
			f := newFixture(t)
			genuine := signed(a, testKid, accessClaims())
			mustVerify(t, f, genuine)

			tt.fail(f)
			f.clock.Advance(time.Minute)
			// The refetch this token asked for failed: say so, as an outage.
			mustReject(t, f, signed(a, "kid-new", accessClaims()), token.ErrKeysUnavailable)
			mustVerify(t, f, genuine)
		})
	}
}

func TestJWKSUnavailableFromTheStart(t *testing.T) {
	a, _ := testKeys(t)
	tests := []struct {
		name string
		fail func(f *fixture)
	}{
		{"a server error means keys are unavailable", func(f *fixture) { f.srv.serve(http.StatusServiceUnavailable, nil) }},
		{"a garbage body means keys are unavailable", func(f *fixture) { f.srv.serve(http.StatusOK, []byte("{not json")) }},
		{"a set with a duplicated kid means keys are unavailable", func(f *fixture) {
			f.srv.serve(http.StatusOK, jwksBody(rsaJWK(testKid, &a.PublicKey), rsaJWK(testKid, &a.PublicKey)))
		}},
		{"a refused connection means keys are unavailable", func(f *fixture) { f.srv.Close() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			tt.fail(f)
			genuine := signed(a, testKid, accessClaims())
			mustReject(t, f, genuine, token.ErrKeysUnavailable)
			// Retries are paced even with nothing cached.
			mustReject(t, f, genuine, token.ErrKeysUnavailable)
			if got := f.srv.hits.Load(); got > 1 {
				t.Errorf("JWKS fetched %d times, want at most 1", got)
			}
		})
	}
}

func TestColdStartRecoversSoonAfterTheJWKSReturns(t *testing.T) {
	a, _ := testKeys(t)
	f := newFixture(t)
	f.srv.serve(http.StatusServiceUnavailable, nil)
	genuine := signed(a, testKid, accessClaims())
	mustReject(t, f, genuine, token.ErrKeysUnavailable)

	f.srv.serve(http.StatusOK, jwksBody(rsaJWK(testKid, &a.PublicKey)))
	f.clock.Advance(2 * time.Second)
	mustVerify(t, f, genuine)
	wantHits(t, f, 2)
}

func TestConcurrentMissesShareOneFetch(t *testing.T) {
	a, _ := testKeys(t)
	f := newFixture(t)
	f.srv.setDelay(100 * time.Millisecond)
	genuine := signed(a, testKid, accessClaims())

	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for range 32 {
		wg.Go(func() {
			_, err := f.v.VerifyAccess(context.Background(), genuine)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("VerifyAccess: %v", err)
		}
	}
	wantHits(t, f, 1)
}

func TestAWaitingCallerStopsAtItsDeadlineWithoutCancellingTheFetch(t *testing.T) {
	a, _ := testKeys(t)
	f := newFixture(t)
	f.srv.setDelay(300 * time.Millisecond)
	genuine := signed(a, testKid, accessClaims())

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := f.v.VerifyAccess(ctx, genuine)
	if !errors.Is(err, token.ErrKeysUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrKeysUnavailable and DeadlineExceeded", err)
	}
	if waited := time.Since(start); waited > 200*time.Millisecond {
		t.Errorf("caller waited %v past its deadline", waited)
	}
	// The shared fetch carried on and later callers benefit from it.
	mustVerify(t, f, genuine)
	wantHits(t, f, 1)
}

func TestOnlyRS256SigningKeysAreUsed(t *testing.T) {
	a, b := testKeys(t)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	entry := func(kid string, pub *rsa.PublicKey, edit func(*jwkEntry)) jwkEntry {
		e := rsaJWK(kid, pub)
		edit(&e)
		return e
	}
	f := newFixture(t)
	f.srv.serve(http.StatusOK, jwksBody(
		rsaJWK(testKid, &a.PublicKey),
		entry("kid-enc", &b.PublicKey, func(e *jwkEntry) { e.Use = "enc" }),
		entry("kid-rs512", &b.PublicKey, func(e *jwkEntry) { e.Alg = "RS512" }),
		entry("kid-noalg", &b.PublicKey, func(e *jwkEntry) { e.Alg = "" }),
		entry("kid-ops", &b.PublicKey, func(e *jwkEntry) { e.KeyOps = []string{"encrypt"} }),
		entry("kid-small", &small.PublicKey, func(*jwkEntry) {}),
		jwkEntry{Kty: "oct", Kid: "kid-oct", Alg: "HS256", Use: "sig", K: b64("secret")},
		jwkEntry{Kty: "EC", Kid: "kid-broken", Alg: "ES256", Use: "sig"},
		jwkEntry{Kty: "RSA", Kid: "kid-nomod", Alg: "RS256", Use: "sig", E: "AQAB"},
	))
	mustVerify(t, f, signed(a, testKid, accessClaims()))
	tests := []struct {
		name string
		key  *rsa.PrivateKey
		kid  string
	}{
		{"a key published for encryption is ignored", b, "kid-enc"},
		{"a key published for RS512 is ignored", b, "kid-rs512"},
		{"a key that names no algorithm is ignored", b, "kid-noalg"},
		{"a key whose key_ops exclude verify is ignored", b, "kid-ops"},
		{"a 1024-bit key is ignored", small, "kid-small"},
		{"an HMAC key is ignored", b, "kid-oct"},
		{"an unparseable key is ignored", b, "kid-broken"},
		{"an RSA key without a modulus is ignored", b, "kid-nomod"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustReject(t, f, signed(tt.key, tt.kid, accessClaims()), token.ErrInvalid)
		})
	}
	wantHits(t, f, 2)
}

func TestEmulatorLayouts(t *testing.T) {
	a, _ := testKeys(t)
	tests := []struct {
		name     string
		kid      string
		issuer   func(srv string) string
		jwksURL  func(srv string) string
		wantPath string
	}{
		{
			name:     "cognito-local serves the JWKS under its loopback issuer",
			kid:      "CognitoLocal",
			issuer:   func(srv string) string { return srv + "/local_4Fz1Xq2m" },
			jwksURL:  func(string) string { return "" },
			wantPath: "/local_4Fz1Xq2m/.well-known/jwks.json",
		},
		{
			name:     "moto issues AWS issuers but serves the JWKS on loopback",
			kid:      "dummy",
			issuer:   func(string) string { return "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_moto123" },
			jwksURL:  func(srv string) string { return srv + "/us-east-1_moto123/.well-known/jwks.json" },
			wantPath: "/us-east-1_moto123/.well-known/jwks.json",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newJWKSServer(t, rsaJWK(tt.kid, &a.PublicKey))
			issuer := tt.issuer(srv.URL)
			v, err := token.NewVerifier(token.Config{
				Issuer:   issuer,
				JWKSURL:  tt.jwksURL(srv.URL),
				ClientID: testClientID,
				Now:      func() time.Time { return testEpoch },
			})
			if err != nil {
				t.Fatal(err)
			}
			raw := signed(a, tt.kid, with(accessClaims(), "iss", issuer))
			if _, err := v.VerifyAccess(context.Background(), raw); err != nil {
				t.Fatalf("VerifyAccess: %v", err)
			}
			if got, _ := srv.lastPath.Load().(string); got != tt.wantPath {
				t.Errorf("JWKS fetched from %q, want %q", got, tt.wantPath)
			}
		})
	}
}

func TestNewVerifierValidatesConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  token.Config
		ok   bool
	}{
		{"a Cognito issuer and client are enough", token.Config{Issuer: testIssuer, ClientID: "c"}, true},
		{"a cognito-local issuer on 127.0.0.1 may use http", token.Config{Issuer: "http://127.0.0.1:9229/local_x", ClientID: "c"}, true},
		{"a JWKS on localhost may use http", token.Config{Issuer: testIssuer, JWKSURL: "http://localhost:5000/p/.well-known/jwks.json", ClientID: "c"}, true},
		{"a JWKS on IPv6 loopback may use http", token.Config{Issuer: testIssuer, JWKSURL: "http://[::1]:5000/jwks.json", ClientID: "c"}, true},
		{"a missing issuer is refused", token.Config{ClientID: "c"}, false},
		{"a relative issuer is refused", token.Config{Issuer: "us-east-1_abc", ClientID: "c"}, false},
		{"a missing client id is refused", token.Config{Issuer: testIssuer}, false},
		{"a JWKS over plain http to a remote host is refused", token.Config{Issuer: testIssuer, JWKSURL: "http://keys.example.com/jwks.json", ClientID: "c"}, false},
		{"an issuer over plain http to a remote host implies an unsafe JWKS and is refused", token.Config{Issuer: "http://cognito.example.com/pool", ClientID: "c"}, false},
		{"a JWKS URL with another scheme is refused", token.Config{Issuer: testIssuer, JWKSURL: "file:///etc/jwks.json", ClientID: "c"}, false},
		{"a negative skew is refused", token.Config{Issuer: testIssuer, ClientID: "c", Skew: -time.Second}, false},
		{"a negative refetch interval is refused", token.Config{Issuer: testIssuer, ClientID: "c", RefetchInterval: -time.Second}, false},
		{"a negative key set max age is refused", token.Config{Issuer: testIssuer, ClientID: "c", KeysMaxAge: -time.Second}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := token.NewVerifier(tt.cfg)
			if tt.ok && (err != nil || v == nil) {
				t.Fatalf("NewVerifier: %v", err)
			}
			if !tt.ok && err == nil {
				t.Fatal("NewVerifier accepted the config")
			}
		})
	}
}

// A key the pool has retired stops verifying once the key set is older than KeysMaxAge,
// even if no unknown kid ever triggers a refetch; the stale set answers meanwhile.
func TestRetiredKeyStopsVerifyingAfterTheMaxAge(t *testing.T) {
	a, b := testKeys(t)
	f := newFixture(t, func(c *token.Config) { c.KeysMaxAge = time.Hour })
	long := with(accessClaims(), "exp", testEpoch.Unix()+24*3600)
	oldToken := signed(a, testKid, long)
	mustVerify(t, f, oldToken)
	wantHits(t, f, 1)

	f.srv.serve(http.StatusOK, jwksBody(rsaJWK(rotatedKid, &b.PublicKey)))
	f.clock.Advance(59 * time.Minute)
	mustVerify(t, f, oldToken) // still within the max age: no fetch
	wantHits(t, f, 1)

	f.clock.Advance(2 * time.Minute)
	mustVerify(t, f, oldToken) // stale: answered from the cache while a refetch starts
	for deadline := time.Now().Add(5 * time.Second); f.srv.hits.Load() < 2; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no background refetch of the stale key set")
		}
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		_, err := f.v.VerifyAccess(context.Background(), oldToken)
		if errors.Is(err, token.ErrInvalid) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the retired key still verifies: %v", err)
		}
	}
	mustVerify(t, f, signed(b, rotatedKid, long))
}
