package base64url

import (
	"bytes"
	"encoding/base64"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

var strict = base64.RawURLEncoding.Strict()

// decodeBoth decodes src with Decode (into a buffer of exactly the size it needs, and into
// a larger one) and with encoding/base64's strict decoder, failing on any difference. CR and
// LF, which encoding/base64 skips, Decode must refuse.
func decodeBoth(t *testing.T, src string) {
	t.Helper()
	want := make([]byte, strict.DecodedLen(len(src)))
	wn, werr := strict.Decode(want, []byte(src))
	if strings.ContainsAny(src, "\r\n") {
		werr = errors.New("CR or LF")
	}
	for _, extra := range []int{0, 8} {
		// Bytes past len(dst), within its capacity, are not Decode's to write.
		size := DecodedLen(len(src)) + Spare + extra
		room := bytes.Repeat([]byte{0xa5}, size+16)
		got := room[:size]
		n, ok := Decode(got, src)
		if !bytes.Equal(room[size:], bytes.Repeat([]byte{0xa5}, 16)) {
			t.Fatalf("Decode(%q) wrote past len(dst)", src)
		}
		if ok != (werr == nil) {
			t.Fatalf("Decode(%q) ok = %v, encoding/base64 says %v", src, ok, werr)
		}
		if ok && (n != wn || !bytes.Equal(got[:n], want[:wn])) {
			t.Fatalf("Decode(%q) = %x, encoding/base64 says %x", src, got[:n], want[:wn])
		}
	}
}

func TestDecodedLen(t *testing.T) {
	for n := range 200 {
		if got, want := DecodedLen(n), base64.RawURLEncoding.DecodedLen(n); got != want {
			t.Fatalf("DecodedLen(%d) = %d, want %d", n, got, want)
		}
	}
}

// Every length up to a few steps of sixteen, with each position replaced by bytes outside
// the alphabet, and the last character by each character of the alphabet (the bits after
// the last byte must be zero).
func TestDecodeMatchesStrictBase64(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	foreign := []byte{'=', '+', '/', '.', '\r', '\n', ' ', 0, 0x7f, 0x80, 0xff}
	for n := range 60 {
		raw := make([]byte, n)
		for i := range raw {
			raw[i] = byte(rng.Uint32())
		}
		enc := strict.EncodeToString(raw)
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

// Every byte value at every place of the sixteen- and eight-character steps and of each
// tail: the per-place tables refuse exactly the bytes outside the alphabet, wherever they
// are.
func TestDecodeEveryByteEverywhere(t *testing.T) {
	// 47 characters: a step of sixteen twice, one of eight, then four and three.
	enc := strict.EncodeToString([]byte("0123456789abcdefghijklmnopqrstuvwxy"))
	if len(enc) != 47 {
		t.Fatalf("the encoding is %d characters, not 47", len(enc))
	}
	for i := range len(enc) {
		for c := range 256 {
			decodeBoth(t, enc[:i]+string([]byte{byte(c)})+enc[i+1:])
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{"", "QQ", "QUI", "QUJD", "QUJDRA", "QUJDREVGRw", "QR", "Q\nUJD", "QUJDREVGR0hJ",
		"QUJDREVGR0hJSktMTU5PUA", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) { decodeBoth(t, src) })
}

// BenchmarkDecode decodes a session cookie's ciphertext (about 1.8 kB encoded).
func BenchmarkDecode(b *testing.B) {
	raw := make([]byte, 1380)
	for i := range raw {
		raw[i] = byte(i * 7)
	}
	src := strict.EncodeToString(raw)
	dst := make([]byte, DecodedLen(len(src))+Spare)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, ok := Decode(dst, src); !ok {
			b.Fatal("refused")
		}
	}
}

// A dst shorter than the contract asks for makes Decode panic, even where its capacity
// would hold the write: memory past len(dst) belongs to the caller.
func TestDecodeNeverWritesPastLen(t *testing.T) {
	for _, n := range []int{8, 16, 24, 32, 40} { // lengths whose last step stores a whole word
		src := strings.Repeat("A", n)
		size := DecodedLen(n) + Spare - 1
		room := bytes.Repeat([]byte{0xa5}, size+16)
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Decode of %d characters into %d bytes did not panic", n, size)
				}
			}()
			Decode(room[:size], src)
		}()
		if !bytes.Equal(room[size:], bytes.Repeat([]byte{0xa5}, 16)) {
			t.Errorf("Decode of %d characters wrote past len(dst)", n)
		}
	}
}
