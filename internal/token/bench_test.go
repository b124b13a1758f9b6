package token_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

// BenchmarkVerifyAccessUncached is a full verification of an access token not
// seen before, the work behind every verified-token cache miss: keys cached,
// one signature check, claims decoded and checked. BenchmarkRSAVerifyFloor is
// the same token's signature check alone; the ratio of the two is what the
// verifier adds to crypto/rsa.
func BenchmarkVerifyAccessUncached(b *testing.B) {
	a, _ := testKeys(b)
	f := newFixture(b)
	raw := signed(a, testKid, accessClaims())
	ctx := context.Background()
	if _, err := f.v.VerifyAccess(ctx, raw); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.v.VerifyAccess(ctx, raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyID is the callback and session path's ID token check.
func BenchmarkVerifyID(b *testing.B) {
	a, _ := testKeys(b)
	f := newFixture(b)
	raw := signed(a, testKid, idClaims())
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.v.VerifyID(ctx, raw, "n-0S6_WzA2Mj", false); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRSAVerifyFloor is the least any verifier can do for the same
// token: hash the signing input and check the RS256 signature.
func BenchmarkRSAVerifyFloor(b *testing.B) {
	a, _ := testKeys(b)
	raw := signed(a, testKid, accessClaims())
	dot := strings.LastIndexByte(raw, '.')
	input := []byte(raw[:dot])
	sig, err := base64.RawURLEncoding.DecodeString(raw[dot+1:])
	if err != nil {
		b.Fatal(err)
	}
	pub := &a.PublicKey
	b.ReportAllocs()
	for b.Loop() {
		d := sha256.Sum256(input)
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRejectGarbage is the cost of turning away junk before any
// cryptography.
func BenchmarkRejectGarbage(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	raw := b64(`{"alg":"none","kid":"kid-a"}`) + "." + b64(`{"sub":"x"}`) + "."
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.v.VerifyAccess(ctx, raw); err == nil {
			b.Fatal("verified")
		}
	}
}
