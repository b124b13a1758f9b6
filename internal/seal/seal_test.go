package seal

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwe"
)

// The sealing and opening behaviour (tampering, purposes, expiry, rotation)
// is covered by the sealer+cookie conformance suite in internal/cookie. The
// tests here cover what only this package can see: construction, the wire
// format against jwx, fuzzing and speed.

var (
	secretA = []byte("0123456789abcdef0123456789abcdef-secret-A")
	secretB = []byte("fedcba9876543210fedcba9876543210-secret-B")
	t0      = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
)

func TestNewSealer(t *testing.T) {
	short := []byte("only-31-bytes-long-secret-value")
	tests := []struct {
		name    string
		secrets [][]byte
		wantErr bool
	}{
		{"one secret of 32 bytes is accepted", [][]byte{bytes.Repeat([]byte{'x'}, 32)}, false},
		{"several secrets are accepted", [][]byte{secretA, secretB}, false},
		{"no secrets are refused", nil, true},
		{"an empty list is refused", [][]byte{}, true},
		{"a secret of 31 bytes is refused", [][]byte{short}, true},
		{"a short secret after a good one is refused", [][]byte{secretA, short}, true},
		{"an empty secret is refused", [][]byte{secretA, {}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewSealer(tt.secrets)
			if tt.wantErr {
				if err == nil {
					t.Fatal("NewSealer succeeded, want an error")
				}
				for _, secret := range tt.secrets {
					if len(secret) > 0 && strings.Contains(err.Error(), string(secret)) {
						t.Fatalf("error %q reveals a secret", err)
					}
				}
				return
			}
			if err != nil || s == nil {
				t.Fatalf("NewSealer: %v", err)
			}
		})
	}
}

func TestSealRefusesBadInput(t *testing.T) {
	s := mustSealer(t, secretA)
	tests := []struct {
		name    string
		purpose Purpose
		value   any
		expires time.Time
	}{
		{"an unknown purpose is refused", Purpose("admin"), "x", t0},
		{"a zero expiry is refused", PurposeSession, "x", time.Time{}},
		{"a value JSON cannot encode is refused", PurposeSession, func() {}, t0},
		{"a value too large for a sealed value is refused", PurposeSession, strings.Repeat("a", MaxSealedLen), t0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := s.Seal(tt.purpose, tt.value, tt.expires); err == nil {
				t.Fatalf("Seal = %.40q…, want an error", got)
			}
		})
	}
}

func TestOpenLeavesValueUntouchedOnFailure(t *testing.T) {
	s := mustSealer(t, secretA)
	sealed, err := s.Seal(PurposeSession, claims{Sub: "new"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	got := claims{Sub: "old"}
	if err := s.Open(PurposeSession, sealed, &got, t0.Add(time.Second)); !errors.Is(err, ErrExpired) {
		t.Fatalf("Open = %v, want ErrExpired", err)
	}
	if got.Sub != "old" {
		t.Fatalf("an expired value was written into v: %+v", got)
	}
	if err := s.Open(PurposeSession, sealed, nil, t0.Add(-time.Second)); err != nil {
		t.Fatalf("Open with nil v = %v, want nil", err)
	}
}

// After a genuine header, every value too short to hold an empty encrypted key, a nonce, a
// ciphertext and a tag is refused, however its dots fall: all dots, and the right shape cut
// short or padded, at every length up to a few characters past the least there is.
func TestOpenRefusesShortValuesAfterTheHeader(t *testing.T) {
	s := mustSealer(t, secretA)
	sealed, err := s.Seal(PurposeSession, "x", t0)
	if err != nil {
		t.Fatal(err)
	}
	hdr, _, _ := strings.Cut(sealed, ".")
	shape := "." + strings.Repeat("A", nonceB64Len) + "." + "." + strings.Repeat("A", tagB64Len)
	for n := 0; n <= len(shape)+3; n++ {
		for _, rest := range []string{
			strings.Repeat(".", n),
			(shape + "...")[:n],
			shape[:min(n, len(shape))] + strings.Repeat(".", max(0, n-len(shape))),
		} {
			if err := s.Open(PurposeSession, hdr+"."+rest, nil, t0.Add(-time.Second)); !errors.Is(err, ErrInvalid) {
				t.Fatalf("%q after the header: Open = %v, want ErrInvalid", rest, err)
			}
		}
	}
}

// A genuine value with any one of the dots after its header made a base64url character
// is refused, though its nonce, ciphertext and tag are all still there to decrypt.
func TestOpenRefusesAGenuineValueWithADotReplaced(t *testing.T) {
	s := mustSealer(t, secretA)
	sealed, err := s.Seal(PurposeSession, "x", t0)
	if err != nil {
		t.Fatal(err)
	}
	now := t0.Add(-time.Second)
	if err := s.Open(PurposeSession, sealed, nil, now); err != nil {
		t.Fatal(err)
	}
	hdr, rest, _ := strings.Cut(sealed, ".")
	for _, i := range []int{0, 1 + nonceB64Len, len(rest) - tagB64Len - 1} {
		if rest[i] != '.' {
			t.Fatalf("no dot at %d of %q", i, rest)
		}
		edited := hdr + "." + rest[:i] + "A" + rest[i+1:]
		if err := s.Open(PurposeSession, edited, nil, now); !errors.Is(err, ErrInvalid) {
			t.Fatalf("the dot at %d after the header made a letter: Open = %v, want ErrInvalid", i, err)
		}
	}
}

// TestWireFormat pins the header and key derivation that other readers of
// these values (the authorizer, the benchmarks against Auth.js) rely on.
func TestWireFormat(t *testing.T) {
	s := mustSealer(t, secretA)
	sealed, err := s.Seal(PurposeRefresh, "x", t0)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(sealed, ".")
	if len(parts) != 5 || parts[1] != "" {
		t.Fatalf("want five parts with an empty encrypted key, got %q", sealed)
	}
	raw, err := b64.DecodeString(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]string
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatal(err)
	}
	kid := (*s.keys.Load())[0].kid
	want := map[string]string{"alg": "dir", "enc": "A256GCM", "kid": kid, "pur": "refresh"}
	if len(h) != len(want) {
		t.Fatalf("header = %v, want %v", h, want)
	}
	for k, v := range want {
		if h[k] != v {
			t.Fatalf("header = %v, want %v", h, want)
		}
	}
	if strings.Contains(string(raw), string(secretA)) || len(kid) != 11 {
		t.Fatalf("kid %q should be a short id derived from the secret", kid)
	}
	if other := (*mustSealer(t, secretB).keys.Load())[0].kid; other == kid {
		t.Fatalf("two secrets share kid %q", kid)
	}
}

// TestInteropWithJWX proves the hand-written encoding is standard compact
// JWE: jwx decrypts what Seal writes, and Open reads what jwx writes.
func TestInteropWithJWX(t *testing.T) {
	s := mustSealer(t, secretB, secretA)
	payload := []byte(`{"exp":1893553445,"v":{"sub":"u-1","groups":["admin"]}}`)
	jwxSeal := func(secret []byte, p Purpose, body []byte, edit func(h jwe.Headers), opts ...jwe.EncryptOption) string {
		t.Helper()
		k, err := purposeKey(secret, p)
		if err != nil {
			t.Fatal(err)
		}
		kk, err := deriveKey(secret)
		if err != nil {
			t.Fatal(err)
		}
		h := jwe.NewHeaders()
		_ = h.Set(jwe.KeyIDKey, kk.kid)
		_ = h.Set("pur", string(p))
		if edit != nil {
			edit(h)
		}
		opts = append([]jwe.EncryptOption{
			jwe.WithKey(jwa.DIRECT(), k),
			jwe.WithContentEncryption(jwa.A256GCM()),
			jwe.WithProtectedHeaders(h),
		}, opts...)
		out, err := jwe.Encrypt(body, opts...)
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}

	t.Run("every purpose sealed here decrypts with jwe.Decrypt", func(t *testing.T) {
		for _, p := range purposes {
			sealed, err := s.Seal(p, map[string]string{"sub": "u-1"}, t0)
			if err != nil {
				t.Fatal(err)
			}
			k, _ := purposeKey(secretB, p)
			msg := jwe.NewMessage()
			pt, err := jwe.Decrypt([]byte(sealed), jwe.WithKey(jwa.DIRECT(), k), jwe.WithMessage(msg))
			if err != nil {
				t.Fatalf("%s: jwe.Decrypt: %v", p, err)
			}
			if want := `{"exp":1893553445,"v":{"sub":"u-1"}}`; string(pt) != want {
				t.Fatalf("%s: payload %s, want %s", p, pt, want)
			}
			var pur string
			if err := msg.ProtectedHeaders().Get("pur", &pur); err != nil || pur != string(p) {
				t.Fatalf("%s: pur header = %q, %v", p, pur, err)
			}
		}
	})

	t.Run("a value sealed here does not decrypt with jwe.Decrypt under another purpose's key", func(t *testing.T) {
		sealed, _ := s.Seal(PurposeSession, "x", t0)
		k, _ := purposeKey(secretB, PurposeFlow)
		if _, err := jwe.Decrypt([]byte(sealed), jwe.WithKey(jwa.DIRECT(), k)); err == nil {
			t.Fatal("jwe.Decrypt succeeded with the flow key")
		}
	})

	type want struct {
		sub string
		err error
	}
	tests := []struct {
		name   string
		sealed string
		open   Purpose
		want   want
	}{
		{"a value sealed by jwx opens", jwxSeal(secretB, PurposeSession, payload, nil), PurposeSession, want{sub: "u-1"}},
		{"a value sealed by jwx with the second secret opens", jwxSeal(secretA, PurposeFlow, payload, nil), PurposeFlow, want{sub: "u-1"}},
		{"a value sealed by jwx with members in another order opens", jwxSeal(secretB, PurposeSession, []byte(`{ "v": {"sub":"u-1"}, "exp": 1893553445 }`), nil), PurposeSession, want{sub: "u-1"}},
		{"a value sealed by jwx for another purpose does not open", jwxSeal(secretB, PurposeSession, payload, nil), PurposeChallenge, want{err: ErrInvalid}},
		{"a value sealed by jwx with an unknown secret does not open", jwxSeal([]byte(strings.Repeat("z", 32)), PurposeSession, payload, nil), PurposeSession, want{err: ErrInvalid}},
		{"a value sealed by jwx with an expired exp does not open", jwxSeal(secretB, PurposeSession, []byte(`{"exp":1,"v":{}}`), nil), PurposeSession, want{err: ErrExpired}},
		{"a value sealed by jwx without exp does not open", jwxSeal(secretB, PurposeSession, []byte(`{"v":{}}`), nil), PurposeSession, want{err: ErrInvalid}},
		{"a value sealed by jwx without a kid does not open", jwxSeal(secretB, PurposeSession, payload, func(h jwe.Headers) { _ = h.Remove(jwe.KeyIDKey) }), PurposeSession, want{err: ErrInvalid}},
		{"a value sealed by jwx with a critical extension does not open", jwxSeal(secretB, PurposeSession, payload, func(h jwe.Headers) { _ = h.Set("crit", []string{"pur"}) }), PurposeSession, want{err: ErrInvalid}},
		{"a value compressed by jwx does not open", jwxSeal(secretB, PurposeSession, payload, nil, jwe.WithCompress(jwa.Deflate())), PurposeSession, want{err: ErrInvalid}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got struct {
				Sub string `json:"sub"`
			}
			err := s.Open(tt.open, tt.sealed, &got, t0.Add(-time.Hour))
			if tt.want.err != nil {
				if !errors.Is(err, tt.want.err) {
					t.Fatalf("Open = %v, want %v", err, tt.want.err)
				}
				return
			}
			if err != nil || got.Sub != tt.want.sub {
				t.Fatalf("Open = %v, sub %q; want sub %q", err, got.Sub, tt.want.sub)
			}
		})
	}
}

// golden holds values sealed by this package with secretA (and one with
// secretB) for claims{Sub: "u-1", Groups: []string{"a"}}, expiring at t0.
// They must keep opening: a release that changes the format would sign
// everyone out. Being fixed, they also let FuzzOpen recognise genuine input
// in every fuzzing worker (Seal's random nonce differs per process).
var golden = []struct {
	purpose Purpose
	sealed  string
}{
	{PurposeSession, "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoicG41VmtkMDVKY28iLCJwdXIiOiJzZXNzaW9uIn0..9ywMRqYwtBN_G54_.cnTJ-dpl4VsipBXTuqYJ06HGrOCqgrZ5_HjHBHJJ6MGll5RsScwvECe2dDQFwvgG2ilTbDc3rDFJIY1PzSHYqhI78Y_o97PvT1y7Hzpb0qbZjbhxfrco12SnUWYDEsFqlvfjpLcLLaK9LP1A9ksYGPeV9g.OtFm3E_NipWT9fT4VDSvtQ"},
	{PurposeRefresh, "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoicG41VmtkMDVKY28iLCJwdXIiOiJyZWZyZXNoIn0..b0fFhGUDcOTIzlR9.ezshCsKUftpipN6sPmdxSfQIc22Xuef1NAcid2IQaRQchtqAQXsP1LErxSNPZBx27qLvoEhHgmLSkevcGMGbWBjFOp9JjO5_Ea74rxJD42k860UvLb_BR7YLmQWQqDkB7fJBqqiiay3Hw-vaUQM5epU8Dw.H3UGaO0aqNwa93rZcJoAhg"},
	{PurposeFlow, "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoicG41VmtkMDVKY28iLCJwdXIiOiJmbG93In0..I3gqySyLGT57yCV1.sccPsNodi2NK9XQyLGLpdHm45xp2k1MqUAn2pLZHFCW9wZfEW4uhKzDp8pMLNM3SRZtTBQwBIhG93FcHYwfecLOIHIFrQ23llHAVxFmMLx2kQlTR9ZKwsYDVYxNSfBsuxTCrXaohU5g4Ae6lHuErGS7tAg.cGkpZYTZqEQltuhf-2p4XA"},
	{PurposeChallenge, "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoicG41VmtkMDVKY28iLCJwdXIiOiJjaGFsbGVuZ2UifQ..el1k9vHrQU6mNysy.WRTyMPuisrDjoDLBNKku1apc0nXz0RcyKjNpJVgLpKwdFOdG63b0C3mOXniqEVJZwyGKNlNynUcOnSlBfs2-VpLBKmePnlbaUho7gbbTV4oCQ3wSfJpeP2wKDFCoDhNY5Cy3oWoBalkaRNfURhA-DqaR5A.k1yo7Wzmuj7tSw5bRYBULg"},
	{PurposeSession, "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoiclFYZmdjWk1HRUkiLCJwdXIiOiJzZXNzaW9uIn0..UW7Q4fZWJbzJW760.Ob0EnmNKEDVLy548fTJfcmYlaPiHR5ZmotMswwS4G6AgSmKOKe0u-mqp6fNjKAnw1tieMe-viic0RQcY1SrtE4hlFgg4CyGpfu42s7hh4lIluPatrPl9YK-zKrmFmn_Mb4T6suFuh0_OU18IYEJAOlRo_w.SvxO-21jdRt1wsA5Ex02bA"},
}

func TestGoldenValuesStillOpen(t *testing.T) {
	s := mustSealer(t, secretA, secretB)
	for _, g := range golden {
		var got claims
		if err := s.Open(g.purpose, g.sealed, &got, t0.Add(-time.Second)); err != nil {
			t.Fatalf("%s value %.30q…: %v", g.purpose, g.sealed, err)
		}
		if got.Sub != "u-1" || len(got.Groups) != 1 || got.Groups[0] != "a" {
			t.Fatalf("%s value opened to %+v", g.purpose, got)
		}
	}
}

// FuzzOpen feeds arbitrary strings to Open: it must never panic, and must
// only succeed for a string that Seal produced.
func FuzzOpen(f *testing.F) {
	s := mustSealer(f, secretA, secretB)
	genuine := map[string]Purpose{}
	for _, g := range golden {
		genuine[g.sealed] = g.purpose
		f.Add(g.sealed)
		f.Add(g.sealed[:len(g.sealed)-1])
		f.Add(strings.Replace(g.sealed, ".", "..", 1))
	}
	for _, seed := range []string{
		"", ".", "....", ".....", "a.b.c.d.e",
		"eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAAAAAAAAAAAAAA.AA.AAAAAAAAAAAAAAAAAAAAAA",
		"eyJhbGciOiJub25lIn0..AAAAAAAAAAAAAAAA..AAAAAAAAAAAAAAAAAAAAAA",
		strings.Repeat("A", MaxSealedLen+1),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, p := range purposes {
			var got claims
			err := s.Open(p, in, &got, t0.Add(-time.Minute))
			if err == nil {
				if want, ok := genuine[in]; !ok || want != p {
					t.Fatalf("Open(%s, %q) succeeded for a value it did not seal", p, in)
				}
			}
			if err != nil && !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrExpired) {
				t.Fatalf("Open returned %v, want ErrInvalid or ErrExpired", err)
			}
		}
	})
}

// claims is a realistic session payload: an access token and a few claims.
type claims struct {
	AccessToken string   `json:"at"`
	ExpiresAt   int64    `json:"exp"`
	Sub         string   `json:"sub"`
	Username    string   `json:"username"`
	Email       string   `json:"email"`
	Verified    bool     `json:"email_verified"`
	Groups      []string `json:"groups"`
}

func benchClaims() claims {
	return claims{
		// A Cognito access token is about 1.1 kB.
		AccessToken: "eyJraWQiOiJ" + strings.Repeat("QWxhZGRpbjpvcGVuIHNlc2FtZQ", 42),
		ExpiresAt:   t0.Unix(),
		Sub:         "6f1c2a3e-7b8d-4e5f-9a0b-1c2d3e4f5a6b",
		Username:    "6f1c2a3e-7b8d-4e5f-9a0b-1c2d3e4f5a6b",
		Email:       "someone@example.com",
		Verified:    true,
		Groups:      []string{"admin", "editors"},
	}
}

func BenchmarkSeal(b *testing.B) {
	s := mustSealer(b, secretA, secretB)
	c := benchClaims()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Seal(PurposeSession, c, t0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpen opens a value into a type without a DecodeSealed method
// (json.Unmarshal decodes it; BenchmarkOpenSession is the session's hot
// path). The jwx sub-benchmark is the same work done through jwe.Decrypt,
// kept to show why this package encodes JWE itself.
func BenchmarkOpen(b *testing.B) {
	s := mustSealer(b, secretA, secretB)
	sealed, err := s.Seal(PurposeSession, benchClaims(), t0)
	if err != nil {
		b.Fatal(err)
	}
	now := t0.Add(-time.Minute)
	b.Run("monban", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(sealed)))
		for b.Loop() {
			var c claims
			if err := s.Open(PurposeSession, sealed, &c, now); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("monban_second_key", func(b *testing.B) {
		rotated := mustSealer(b, secretB, secretA)
		b.ReportAllocs()
		b.SetBytes(int64(len(sealed)))
		for b.Loop() {
			var c claims
			if err := rotated.Open(PurposeSession, sealed, &c, now); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("jwx", func(b *testing.B) {
		k, _ := purposeKey(secretA, PurposeSession)
		kid := (*s.keys.Load())[0].kid
		b.ReportAllocs()
		b.SetBytes(int64(len(sealed)))
		for b.Loop() {
			msg := jwe.NewMessage()
			pt, err := jwe.Decrypt([]byte(sealed), jwe.WithKey(jwa.DIRECT(), k), jwe.WithMessage(msg))
			if err != nil {
				b.Fatal(err)
			}
			var pur, gotKid string
			h := msg.ProtectedHeaders()
			if h.Get("pur", &pur) != nil || pur != "session" || h.Get(jwe.KeyIDKey, &gotKid) != nil || gotKid != kid {
				b.Fatal("bad header")
			}
			exp, body, ok := splitPayload(pt)
			if !ok || !now.Before(time.Unix(exp, 0)) {
				b.Fatal("bad payload")
			}
			var c claims
			if err := json.Unmarshal(body, &c); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func mustSealer(tb testing.TB, secrets ...[]byte) *Sealer {
	tb.Helper()
	s, err := NewSealer(secrets)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// Rekey is how a rotated secret reaches a running process: values sealed before still open
// while the old secret is listed, new values are sealed with the new one, and a bad list
// changes nothing.
func TestRekeyRotatesWithoutBreakingOpenValues(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	exp := now.Add(time.Hour)
	s, err := NewSealer([][]byte{secretA})
	if err != nil {
		t.Fatal(err)
	}
	old, _ := s.Seal(PurposeSession, "before", exp)
	if err := s.Rekey([][]byte{secretB, secretA}); err != nil {
		t.Fatal(err)
	}
	var v string
	if err := s.Open(PurposeSession, old, &v, now); err != nil || v != "before" {
		t.Fatalf("a value sealed before the rotation: %v %q", err, v)
	}
	fresh, _ := s.Seal(PurposeSession, "after", exp)
	onlyNew, _ := NewSealer([][]byte{secretB})
	if err := onlyNew.Open(PurposeSession, fresh, &v, now); err != nil || v != "after" {
		t.Fatalf("a value sealed after the rotation is not sealed with the new secret: %v", err)
	}
	if err := s.Rekey([][]byte{[]byte("short")}); err == nil {
		t.Fatal("a short secret was accepted")
	}
	if err := s.Open(PurposeSession, old, &v, now); err != nil {
		t.Fatalf("a refused Rekey changed the secrets: %v", err)
	}
	if err := s.Rekey([][]byte{secretB}); err != nil {
		t.Fatal(err)
	}
	if err := s.Open(PurposeSession, old, &v, now); err == nil {
		t.Fatal("a value sealed with a removed secret still opens")
	}
}

// selfDecoding decodes itself (Decoder) when accept is set, and otherwise declines, leaving
// its payload to json.Unmarshal.
type selfDecoding struct {
	accept bool
	calls  []string
	Sub    string `json:"sub"`
}

func (d *selfDecoding) DecodeSealed(data []byte) bool {
	d.calls = append(d.calls, string(data))
	if d.accept {
		d.Sub = "decoded by itself"
	}
	return d.accept
}

// Open hands an authentic, unexpired payload to the value's DecodeSealed, and decodes it
// with json.Unmarshal only when that declines; it never calls DecodeSealed otherwise.
func TestOpenLetsAValueDecodeItself(t *testing.T) {
	s := mustSealer(t, secretA)
	sealed, err := s.Seal(PurposeSession, map[string]string{"sub": "u-1"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		accept  bool
		sealed  string
		now     time.Time
		wantErr error
		wantSub string
		calls   int
	}{
		{"a value that decodes itself", true, sealed, t0.Add(-time.Second), nil, "decoded by itself", 1},
		{"a value that declines is decoded by encoding/json", false, sealed, t0.Add(-time.Second), nil, "u-1", 1},
		{"an expired value is not decoded", true, sealed, t0, ErrExpired, "", 0},
		{"a forged value is not decoded", true, sealed[:len(sealed)-2] + "AA", t0.Add(-time.Second), ErrInvalid, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &selfDecoding{accept: tt.accept}
			err := s.Open(PurposeSession, tt.sealed, v, tt.now)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("Open = %v, want %v", err, tt.wantErr)
			}
			if v.Sub != tt.wantSub || len(v.calls) != tt.calls {
				t.Fatalf("sub %q after %d calls, want %q after %d", v.Sub, len(v.calls), tt.wantSub, tt.calls)
			}
			if tt.calls > 0 && v.calls[0] != `{"sub":"u-1"}` {
				t.Fatalf("DecodeSealed got %s, want the sealed value alone", v.calls[0])
			}
		})
	}
}

// keeper is a Decoder that keeps the payload it is handed, as seal.Decoder allows.
type keeper struct{ kept []byte }

func (k *keeper) DecodeSealed(data []byte) bool {
	k.kept = data
	return true
}

// The payload Open hands a Decoder is the decoder's: no later Open, of any value, for any
// kind of destination, writes to it.
func TestOpenHandsDecodersTheirOwnPayload(t *testing.T) {
	s := mustSealer(t, secretA)
	now := t0.Add(-time.Second)
	var kept []*keeper
	for i := range 20 {
		v := strings.Repeat(string(rune('a'+i)), 40*i)
		sealed, err := s.Seal(PurposeSession, v, t0)
		if err != nil {
			t.Fatal(err)
		}
		k := &keeper{}
		if err := s.Open(PurposeSession, sealed, k, now); err != nil {
			t.Fatal(err)
		}
		kept = append(kept, k)
		var str string
		if err := s.Open(PurposeSession, sealed, &str, now); err != nil || str != v {
			t.Fatalf("Open into a string: %v", err)
		}
		if err := s.Open(PurposeSession, sealed, nil, now); err != nil {
			t.Fatal(err)
		}
	}
	for i, k := range kept {
		if want := `"` + strings.Repeat(string(rune('a'+i)), 40*i) + `"`; string(k.kept) != want {
			t.Fatalf("payload %d now reads %q, want %q", i, k.kept, want)
		}
	}
}
