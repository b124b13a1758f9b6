package seal

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// decodeBoth decodes src with decodeB64 (into a buffer of exactly the size it needs, and
// into a larger one) and with b64, failing on any difference. CR and LF, which
// b64 skips, decodeB64 must refuse.
func decodeBoth(t *testing.T, src string) {
	t.Helper()
	want := make([]byte, b64.DecodedLen(len(src)))
	wn, werr := b64.Decode(want, []byte(src))
	if strings.ContainsAny(src, "\r\n") {
		werr = errors.New("CR or LF")
	}
	for _, spare := range []int{2, 8} {
		got := make([]byte, b64.DecodedLen(len(src))+spare)
		n, ok := decodeB64(got, src)
		if ok != (werr == nil) {
			t.Fatalf("decodeB64(%q) ok = %v, base64 says %v", src, ok, werr)
		}
		if ok && (n != wn || !bytes.Equal(got[:n], want[:wn])) {
			t.Fatalf("decodeB64(%q) = %x, base64 says %x", src, got[:n], want[:wn])
		}
	}
}

// Every length up to a few blocks, with each position replaced by bytes outside the
// alphabet, and the last character by each character of the alphabet (the bits after the
// last byte must be zero).
func TestDecodeB64MatchesStrictBase64(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	foreign := []byte{'=', '+', '/', '.', '\r', '\n', ' ', 0, 0x7f, 0x80, 0xff}
	for n := range 45 {
		raw := make([]byte, n)
		for i := range raw {
			raw[i] = byte(rng.Uint32())
		}
		enc := b64.EncodeToString(raw)
		decodeBoth(t, enc)
		for i := range len(enc) {
			for _, c := range foreign {
				decodeBoth(t, enc[:i]+string([]byte{c})+enc[i+1:])
			}
		}
		if enc != "" {
			for _, c := range []byte(alphabet) {
				decodeBoth(t, enc[:len(enc)-1]+string([]byte{c}))
			}
		}
		decodeBoth(t, enc+"A") // one character too many: a length no encoding has
	}
}

// Every byte value at every place of the eight-character steps and of each tail: the
// per-place tables refuse exactly the bytes outside the alphabet, wherever they are.
func TestDecodeB64EveryByteEverywhere(t *testing.T) {
	enc := b64.EncodeToString([]byte("0123456789abcdefghijklm")) // 31 characters: 3 steps, 4 and 3 left
	for i := range len(enc) {
		for c := range 256 {
			decodeBoth(t, enc[:i]+string([]byte{byte(c)})+enc[i+1:])
		}
	}
}

func FuzzDecodeB64(f *testing.F) {
	for _, s := range []string{"", "QQ", "QUI", "QUJD", "QUJDRA", "QUJDREVGRw", "QR", "Q\nUJD", "QUJDREVGR0hJ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) { decodeBoth(t, src) })
}

// A byte outside the alphabet anywhere in a sealed value (a line break included, which Go's
// base64 decoders skip) makes it a value Open refuses, v untouched.
func TestOpenRefusesBytesOutsideTheAlphabet(t *testing.T) {
	s := mustSealer(t, secretA, secretB)
	sealed, err := s.Seal(PurposeSession, "ok", t0)
	if err != nil {
		t.Fatal(err)
	}
	now := t0.Add(-time.Hour)
	var got string
	if err := s.Open(PurposeSession, sealed, &got, now); err != nil || got != "ok" {
		t.Fatalf("the value itself: %v %q", err, got)
	}
	parts := strings.Split(sealed, ".")
	for p := range parts {
		for _, at := range []int{0, len(parts[p]) / 2, len(parts[p])} {
			for _, c := range []string{"\r", "\n", "\r\n", " ", "=", "+", "/", "%", "é"} {
				edited := append([]string(nil), parts...)
				edited[p] = edited[p][:at] + c + edited[p][at:]
				in := strings.Join(edited, ".")
				got := "untouched"
				if err := s.Open(PurposeSession, in, &got, now); !errors.Is(err, ErrInvalid) || got != "untouched" {
					t.Fatalf("%q in part %d at %d: Open = %v, %q", c, p, at, err, got)
				}
			}
		}
	}
}

// BenchmarkDecodeB64 decodes a session cookie's ciphertext (about 1.8 kB encoded).
func BenchmarkDecodeB64(b *testing.B) {
	raw := make([]byte, 1380)
	for i := range raw {
		raw[i] = byte(i * 7)
	}
	src := b64.EncodeToString(raw)
	dst := make([]byte, len(raw)+2)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, ok := decodeB64(dst, src); !ok {
			b.Fatal("refused")
		}
	}
}
