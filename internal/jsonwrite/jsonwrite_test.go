package jsonwrite

import (
	"bytes"
	"encoding/json"
	"math/bits"
	"strings"
	"testing"
)

// marshal is encoding/json's answer for v, with or without HTML escaping.
func marshal(t testing.TB, v any, escapeHTML bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

var samples = []string{
	"", "plain", `quote " and backslash \`, "<script>&amp;</script>", "\b\f\n\r\t",
	"\x00\x01\x1f\x7f", "é ü 日本語 🙂", "\u2028 and \u2029", "bad \xff utf-8 \xc3", "\xe2\x80",
	"ends in a lone \xf0\x9f\x99", "\xed\xa0\x80 surrogate",
}

func TestStringIsEncodingJSON(t *testing.T) {
	for _, s := range samples {
		for _, html := range []bool{false, true} {
			want := marshal(t, s, html)
			if got := String(nil, s, html); !bytes.Equal(got, want) {
				t.Errorf("String(%q, html %v) = %s, want %s", s, html, got, want)
			}
			if got := String(nil, []byte(s), html); !bytes.Equal(got, want) {
				t.Errorf("String([]byte(%q), html %v) = %s, want %s", s, html, got, want)
			}
		}
	}
}

func TestStringMapIsEncodingJSON(t *testing.T) {
	many := map[string]string{}
	for i, s := range samples {
		many[s] = samples[len(samples)-1-i]
	}
	for _, m := range []map[string]string{nil, {}, {"b": "2", "a": "1", "<": ">"}, many} {
		for _, html := range []bool{false, true} {
			if got, want := StringMap(nil, m, html), marshal(t, m, html); !bytes.Equal(got, want) {
				t.Errorf("StringMap(%q, html %v) = %s, want %s", m, html, got, want)
			}
		}
	}
}

func TestStringsIsEncodingJSON(t *testing.T) {
	for _, list := range [][]string{nil, {}, {"a"}, samples} {
		for _, html := range []bool{false, true} {
			if got, want := Strings(nil, list, html), marshal(t, list, html); !bytes.Equal(got, want) {
				t.Errorf("Strings(%q, html %v) = %s, want %s", list, html, got, want)
			}
		}
	}
}

func TestAppendKeepsWhatWasThere(t *testing.T) {
	if got := string(String([]byte("x:"), "a", false)); got != `x:"a"` {
		t.Errorf("got %s", got)
	}
}

func FuzzString(f *testing.F) {
	for _, s := range samples {
		f.Add(s, "k", false)
		f.Add(s, s, true)
	}
	f.Fuzz(func(t *testing.T, s, k string, html bool) {
		want := marshal(t, s, html)
		if got := String(nil, s, html); !bytes.Equal(got, want) {
			t.Fatalf("String(%q, %v) = %s, want %s", s, html, got, want)
		}
		// Appended after other bytes, into as little room as there is, from bytes.
		if got := String([]byte(k), []byte(s), html); !bytes.Equal(got, append([]byte(k), want...)) {
			t.Fatalf("String(%q, []byte(%q), %v) = %s, want %s%s", k, s, html, got, k, want)
		}
		m := map[string]string{k: s, s: k}
		if got, want := StringMap(nil, m, html), marshal(t, m, html); !bytes.Equal(got, want) {
			t.Fatalf("StringMap(%q, %v) = %s, want %s", m, html, got, want)
		}
	})
}

// check compares String, for both argument types, with encoding/json.
func check(t *testing.T, s string, html bool) {
	t.Helper()
	want := marshal(t, s, html)
	if got := String(nil, s, html); !bytes.Equal(got, want) {
		t.Fatalf("String(%q, html %v) = %s, want %s", s, html, got, want)
	}
	if got := String(nil, []byte(s), html); !bytes.Equal(got, want) {
		t.Fatalf("String([]byte(%q), html %v) = %s, want %s", s, html, got, want)
	}
}

// The word-at-a-time scan must stop at every byte that is escaped, wherever it is in its
// word, and after the first word too; and must not stop short of the end.
func TestEveryByteAtEveryPosition(t *testing.T) {
	const n = 25 // three words and a tail
	for _, fill := range []byte{'a', '~', 0x7f, ' '} {
		for c := 0; c < 256; c++ {
			for i := 0; i < n; i++ {
				s := bytes.Repeat([]byte{fill}, n)
				s[i] = byte(c)
				check(t, string(s), false)
				check(t, string(s), true)
				check(t, string(s[:i+1]), true) // the byte last
			}
		}
	}
}

// Two bytes to escape in one word: a borrow from the first must not hide the second.
func TestPairsOfBytesInAWord(t *testing.T) {
	special := []byte{0, 0x1f, 0x20, '"', '\\', '<', '>', '&', '=', '?', '%', 0x7f, 0x80, 0xc3, 0xff}
	for _, a := range special {
		for _, b := range special {
			for i := 0; i < 16; i++ {
				for j := i + 1; j < 16; j++ {
					s := bytes.Repeat([]byte{'x'}, 16)
					s[i], s[j] = a, b
					check(t, string(s), false)
					check(t, string(s), true)
				}
			}
		}
	}
}

// Runes of every length, U+2028 and U+2029, and invalid or cut sequences, at every position
// in and across words.
func TestRunesAtEveryPosition(t *testing.T) {
	runes := []string{"é", "日", "🙂", "\u2028", "\u2029", "\u2027", "\u202a", "\xff", "\xc3", "\xe2\x80",
		"\xf0\x9f\x99", "\xed\xa0\x80", "\xc0\xaf", "\xf4\x90\x80\x80", "\uFFFD"}
	for _, r := range runes {
		for i := 0; i <= 20; i++ {
			for _, tail := range []string{"", "abcdefghijklmnop", "<\"&"} {
				s := strings.Repeat("a", i) + r + tail
				check(t, s, false)
				check(t, s, true)
				check(t, strings.Repeat(r, i+1)+tail, false)
			}
		}
	}
}

func TestEscapedNeverMisses(t *testing.T) {
	isEscaped := func(c byte, html bool) bool {
		return c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || html && (c == '<' || c == '>' || c == '&')
	}
	for _, html := range []bool{false, true} {
		for c := 0; c < 256; c++ {
			for pos := 0; pos < 8; pos++ {
				for _, fill := range []byte{'a', 0x7f, ' ', '=', '?', '%', '\''} {
					var w [8]byte
					for k := range w {
						w[k] = fill
					}
					w[pos] = byte(c)
					m := escapes(load64(w[:], 0), html)
					if got, want := m != 0, isEscaped(byte(c), html); got != want {
						t.Fatalf("escapes(%q, html %v) = %#x, want it nonzero: %v", w, html, m, want)
					}
					if m != 0 && bits.TrailingZeros64(m)/8 != pos {
						t.Fatalf("escapes(%q, html %v) = %#x: not the byte at %d first", w, html, m, pos)
					}
				}
			}
		}
	}
	if load64("\x01\x02\x03\x04\x05\x06\x07\x08\x09", 1) != 0x0908070605040302 {
		t.Error("load64 is not little-endian")
	}
}
