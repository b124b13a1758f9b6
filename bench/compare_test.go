package bench

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/seal"
	"github.com/monban-auth/monban/internal/token"
	"github.com/monban-auth/monban/internal/tokencache"
)

// fixtures reads the file bench/run.sh shares with the Node scripts, named by
// MONBAN_BENCH_FIXTURES; without it, a fresh set is made so the benchmarks also run alone.
func fixtures(b *testing.B) *Fixtures {
	b.Helper()
	var f *Fixtures
	var err error
	if path := os.Getenv("MONBAN_BENCH_FIXTURES"); path != "" {
		f, err = Load(path)
	} else {
		f, err = Generate()
	}
	if err != nil {
		b.Fatal(err)
	}
	return f
}

// jwksTransport answers every request with the fixture's JWKS, so that a cold verifier
// loads its keys the way it does in production (HTTP client, parse, key checks) without
// a network: aws-jwt-verify is given its JWKS with cacheJwks in the same spirit.
type jwksTransport []byte

func (t jwksTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(t)), ContentLength: int64(len(t)), Request: r,
	}, nil
}

func newVerifier(b *testing.B, f *Fixtures) *token.Verifier { return newVerifierT(b, f) }

func newVerifierT(tb testing.TB, f *Fixtures) *token.Verifier {
	v, err := token.NewVerifier(token.Config{
		Issuer: f.Issuer, ClientID: f.ClientID,
		HTTPClient: &http.Client{Transport: jwksTransport(f.JWKS)},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// BenchmarkCompareVerify verifies the fixture access token, the same one jwt-verify.mjs
// gives aws-jwt-verify.
func BenchmarkCompareVerify(b *testing.B) {
	f := fixtures(b)
	ctx := context.Background()

	// cold: a new verifier per token, as on a Lambda cold start: load and check the
	// keys, then verify.
	b.Run("cold", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := newVerifier(b, f).VerifyAccess(ctx, f.AccessToken); err != nil {
				b.Fatal(err)
			}
		}
	})

	v := newVerifier(b, f)
	if _, err := v.VerifyAccess(ctx, f.AccessToken); err != nil {
		b.Fatal(err)
	}
	// warm: keys cached, signature and claims checked every time.
	b.Run("warm", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.VerifyAccess(ctx, f.AccessToken); err != nil {
				b.Fatal(err)
			}
		}
	})
	// cached: the same token again, answered by the verified-token cache.
	b.Run("cached", func(b *testing.B) {
		c, err := tokencache.New(v, tokencache.DefaultCapacity, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.VerifyAccess(ctx, f.AccessToken); err != nil {
				b.Fatal(err)
			}
		}
	})
	// rsa_floor: hashing the signing input and checking the RS256 signature, the least
	// any verifier must do for this token.
	floor := rsaFloor(b, f)
	b.Run("rsa_floor", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			floor()
		}
	})
	// warm_vs_floor: the two above, one after the other in every iteration, each timed, so
	// that both meet the same machine load: their ratio holds on a busy machine, where two
	// separate runs may not.
	b.Run("warm_vs_floor", func(b *testing.B) {
		var verifyTime, floorTime time.Duration
		for b.Loop() {
			t0 := time.Now()
			if _, err := v.VerifyAccess(ctx, f.AccessToken); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			floor()
			verifyTime, floorTime = verifyTime+t1.Sub(t0), floorTime+time.Since(t1)
		}
		b.ReportMetric(float64(verifyTime.Nanoseconds())/float64(b.N), "verify-ns/op")
		b.ReportMetric(float64(floorTime.Nanoseconds())/float64(b.N), "floor-ns/op")
	})
}

// rsaFloor returns the RS256 check alone of the fixture token: SHA-256 of the signing input,
// then crypto/rsa.
func rsaFloor(b *testing.B, f *Fixtures) func() {
	pub := publicKey(b, f.JWKS)
	dot := strings.LastIndexByte(f.AccessToken, '.')
	input := []byte(f.AccessToken[:dot])
	sig, err := base64.RawURLEncoding.DecodeString(f.AccessToken[dot+1:])
	if err != nil {
		b.Fatal(err)
	}
	return func() {
		d := sha256.Sum256(input)
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompareSessionOpen opens the fixture session cookie, as GET /auth/session does:
// the very value round.mjs decodes with node:crypto ("monban-cookie-decode"), and the
// content it has Auth.js encode and decode ("authjs-decode").
func BenchmarkCompareSessionOpen(b *testing.B) {
	f := fixtures(b)
	s, err := seal.NewSealer([][]byte{[]byte(f.SessionSecret)})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	var got auth.Session
	if err := s.Open(seal.PurposeSession, f.SessionCookie, &got, now); err != nil || got.AccessToken != f.AccessToken {
		b.Fatalf("the fixture cookie does not open: %v", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var got auth.Session
		if err := s.Open(seal.PurposeSession, f.SessionCookie, &got, now); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(f.SessionCookie)), "cookie-bytes")
}

// TestFixtures: what Generate makes survives Write and Load, and its cookie opens to its
// session, so both languages read the same inputs.
func TestFixtures(t *testing.T) {
	f, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/fixtures.json"
	if err := f.Write(path); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer // the file indents the key set
	if err := errors.Join(json.Compact(&a, got.JWKS), json.Compact(&b, f.JWKS)); err != nil {
		t.Fatal(err)
	}
	if got.AccessToken != f.AccessToken || got.SessionCookie != f.SessionCookie || a.String() != b.String() {
		t.Fatal("fixtures changed on their way through the file")
	}
	s, err := seal.NewSealer([][]byte{[]byte(got.SessionSecret)})
	if err != nil {
		t.Fatal(err)
	}
	var session auth.Session
	if err := s.Open(seal.PurposeSession, got.SessionCookie, &session, time.Now()); err != nil {
		t.Fatal(err)
	}
	if session.AccessToken != f.AccessToken || session.User.Sub != f.Session.User.Sub {
		t.Fatalf("cookie opens to %+v", session)
	}
	if _, err := newVerifierT(t, got).VerifyAccess(context.Background(), got.AccessToken); err != nil {
		t.Fatalf("the fixture token does not verify against the fixture key set: %v", err)
	}
}

// publicKey reads the single RSA key of a JWKS.
func publicKey(b *testing.B, jwks []byte) *rsa.PublicKey {
	var set struct {
		Keys []struct{ N, E string } `json:"keys"`
	}
	if err := json.Unmarshal(jwks, &set); err != nil || len(set.Keys) != 1 {
		b.Fatalf("jwks: %v", err)
	}
	n, err1 := base64.RawURLEncoding.DecodeString(set.Keys[0].N)
	e, err2 := base64.RawURLEncoding.DecodeString(set.Keys[0].E)
	if err1 != nil || err2 != nil {
		b.Fatal("jwks: bad n or e")
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
}
