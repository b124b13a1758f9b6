package bench

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
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

func newVerifier(b *testing.B, f *Fixtures) *token.Verifier {
	v, err := token.NewVerifier(token.Config{
		Issuer: f.Issuer, ClientID: f.ClientID,
		HTTPClient: &http.Client{Transport: jwksTransport(f.JWKS)},
	})
	if err != nil {
		b.Fatal(err)
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
	b.Run("rsa_floor", func(b *testing.B) {
		pub := publicKey(b, f.JWKS)
		dot := strings.LastIndexByte(f.AccessToken, '.')
		input := []byte(f.AccessToken[:dot])
		sig, err := base64.RawURLEncoding.DecodeString(f.AccessToken[dot+1:])
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			d := sha256.Sum256(input)
			if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCompareSessionOpen opens a session cookie holding the fixture session, the
// content session-decode.mjs has Auth.js encode and decode.
func BenchmarkCompareSessionOpen(b *testing.B) {
	f := fixtures(b)
	s, err := seal.NewSealer([][]byte{[]byte(f.SessionSecret)})
	if err != nil {
		b.Fatal(err)
	}
	sealed, err := s.Seal(seal.PurposeSession, f.Session, f.Session.ExpiresAt)
	if err != nil {
		b.Fatal(err)
	}
	now := f.Session.ExpiresAt.Add(-time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		var got auth.Session
		if err := s.Open(seal.PurposeSession, sealed, &got, now); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(sealed)), "cookie-bytes")
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
