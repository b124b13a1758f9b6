package jsonread

import (
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// Each reader is held to encoding/json on the same input: where it reads, it reads the same
// value (and encoding/json accepts the input); where it declines, nothing is lost.

// sameAsJSON fails unless reading in (with read) agrees with json.Unmarshal into a new T:
// declining is always allowed; reading needs json.Unmarshal to succeed with the same value.
// It reports whether read accepted.
func sameAsJSON[T any](t *testing.T, in string, read func(*Reader) (T, bool)) bool {
	t.Helper()
	r := New([]byte(in))
	got, ok := read(&r)
	ok = ok && r.End()
	if !ok {
		return false
	}
	var want T
	if err := json.Unmarshal([]byte(in), &want); err != nil {
		t.Fatalf("%q read as %#v, but encoding/json refuses it: %v", in, got, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q read as %#v, encoding/json reads %#v", in, got, want)
	}
	return true
}

func readString(r *Reader) (string, bool) {
	s, ok := r.String()
	return string(s), ok
}

func readInt(r *Reader) (int64, bool) { return r.Int64() }

func readBool(r *Reader) (bool, bool) { return r.Bool() }

func readMap(r *Reader) (map[string]string, bool) {
	m := map[string]string{}
	ok := r.StringMap(func(k, v []byte) { m[string(k)] = string(v) })
	return m, ok
}

func TestString(t *testing.T) {
	long := strings.Repeat("abcdefgh", 20)
	tests := []struct {
		in   string
		read bool // whether String reads it (else it declines)
	}{
		{`""`, true},
		{`"plain"`, true},
		{` "spaced" `, true},
		{`"` + long + `"`, true},
		{`"` + long + `\"` + long + `"`, true},
		{`"` + long + `é"`, true},
		{`"` + long + "\x01" + `"`, false},
		{`"` + long + "\x1f" + `"`, false},
		{`"` + long + "\x7f" + `"`, true},
		{`"` + long + "\x80" + `"`, false},
		{`"` + long + "\xff" + `"`, false},
		{`"` + long, false},
		{`"` + long + `\`, false},
		{`"a\nb`, false},
		{`"a\"b`, false},
		{`"\u0041`, false},
		{`"\u0041"`, true},
		{`"a\u00e9"`, true},
		{`"caf\u00e9 \u0041\u00E9"`, true},
		{`"\" \\ \/ \b \f \n \r \t"`, true},
		{`"tab	inside"`, false},
		{`"\a"`, false},
		{`"\u00"`, false},
		{`"\u00g0"`, false},
		{`"\u0000"`, true},
		{`"\uD83D\uDE00"`, false}, // a surrogate pair: left to encoding/json
		{`"\ud800"`, false},
		{`"\uDFFF"`, false},
		{`"\uE000\uFFFF"`, true},
		{`"\u20AC€"`, true},
		{"\"esc\\n\xff\"", false},
		{"\"é\"", true},
		{"\"\xe2\x82\"", false},
		{`'single'`, false},
		{`plain`, false},
		{``, false},
		{`"unterminated`, false},
		{`"\`, false},
		{`"a" "b"`, false},
	}
	for _, tt := range tests {
		if got := sameAsJSON(t, tt.in, readString); got != tt.read {
			t.Errorf("String(%q) read = %v, want %v", tt.in, got, tt.read)
		}
	}
}

// The eight-byte scan stops at each kind of byte that is not plain, at every offset, among
// plain bytes of every kind (below and above the letters, which the scan's arithmetic
// treats differently).
func TestStringFindsEveryByteThatIsNotPlain(t *testing.T) {
	for _, c := range []byte{'"', '\\', 0x00, 0x01, 0x1f, 0x80, 0xff} {
		for _, fill := range []string{"x", "0", "A", " ", "~", "#", "]"} {
			for at := range 17 {
				in := `"` + strings.Repeat(fill, at) + string([]byte{c}) + strings.Repeat(fill, 17-at) + `"`
				r := New([]byte(in))
				s, ok := r.String()
				switch c {
				case '"':
					if !ok || string(s) != strings.Repeat(fill, at) {
						t.Fatalf("%q: String = %q, %v", in, s, ok)
					}
				default:
					if ok {
						t.Fatalf("%q: String = %q, want it declined", in, s)
					}
				}
			}
		}
	}
	for _, c := range []byte{0x20, 0x21, 0x23, 0x5b, 0x5d, 0x7e, 0x7f} {
		in := `"` + strings.Repeat(string([]byte{c}), 24) + `"`
		r := New([]byte(in))
		if s, ok := r.String(); !ok || len(s) != 24 {
			t.Fatalf("%q: String = %q, %v", in, s, ok)
		}
	}
}

func TestStringToken(t *testing.T) {
	r := New([]byte(` "2030-01-02T03:04:05Z" ,`))
	s, tok, ok := r.StringToken()
	if !ok || string(s) != "2030-01-02T03:04:05Z" || string(tok) != `"2030-01-02T03:04:05Z"` {
		t.Fatalf("StringToken = %q, %q, %v", s, tok, ok)
	}
	r = New([]byte(`"a\nb"`))
	s, tok, ok = r.StringToken()
	if !ok || string(s) != "a\nb" || string(tok) != `"a\nb"` {
		t.Fatalf("StringToken = %q, %q, %v", s, tok, ok)
	}
}

func TestInt64(t *testing.T) {
	tests := []struct {
		in   string
		read bool
	}{
		{`0`, true},
		{`-0`, true},
		{`7`, true},
		{`1795256130000`, true},
		{` -42 `, true},
		{`9223372036854775807`, true},
		{`-9223372036854775808`, true},
		{`9223372036854775808`, false},
		{`-9223372036854775809`, false},
		{`01`, false},
		{`-`, false},
		{`--1`, false},
		{`1.0`, false},
		{`1e3`, false},
		{`1E3`, false},
		{`1x`, false},
		{`"1"`, false},
		{`true`, false},
		{`null`, false},
		{``, false},
	}
	for _, tt := range tests {
		if got := sameAsJSON(t, tt.in, readInt); got != tt.read {
			t.Errorf("Int64(%q) read = %v, want %v", tt.in, got, tt.read)
		}
	}
	// A declined number leaves the reader where it was: the caller may try another type.
	r := New([]byte(`1.5`))
	if _, ok := r.Int64(); ok || !r.Skip() || !r.End() {
		t.Fatal("a declined number moved the reader")
	}
	r = New([]byte(`99999999999999999999`))
	if _, ok := r.Int64(); ok || !r.Skip() || !r.End() {
		t.Fatal("a number out of range moved the reader")
	}
}

func TestBoolAndNull(t *testing.T) {
	tests := []struct {
		in   string
		read bool
	}{
		{`true`, true},
		{`false`, true},
		{` true `, true},
		{`truex`, false},
		{`True`, false},
		{`tru`, false},
		{`fals`, false},
		{`null`, false},
		{`1`, false},
		{`"true"`, false},
	}
	for _, tt := range tests {
		if got := sameAsJSON(t, tt.in, readBool); got != tt.read {
			t.Errorf("Bool(%q) read = %v, want %v", tt.in, got, tt.read)
		}
	}
	for _, tt := range []struct {
		in   string
		null bool
	}{{`null`, true}, {` null `, true}, {`nul`, false}, {`nullx`, false}, {`Null`, false}, {`"null"`, false}} {
		r := New([]byte(tt.in))
		if got := r.Null() && r.End(); got != tt.null {
			t.Errorf("Null(%q) = %v, want %v", tt.in, got, tt.null)
		}
	}
	// Literals end at a delimiter.
	for _, in := range []string{`[true,false,null]`, `[true ,false]`, "[true\t]", `{"a":true}`, "[null\n,true\r]"} {
		r := New([]byte(in))
		if !r.Skip() || !r.End() {
			t.Errorf("Skip(%q) failed", in)
		}
	}
}

func TestStringMap(t *testing.T) {
	maps := []struct {
		in   string
		read bool
	}{
		{`{}`, true},
		{`{"a":"1"}`, true},
		{` { "a" : "1" , "b":"2" } `, true},
		{`{"a":"1","a":"2"}`, true},
		{`{"\u0041":"\n"}`, true},
		{`{"a":null}`, false},
		{`{"a":1}`, false},
		{`{"a":"1",}`, false},
		{`{"a" "1"}`, false},
		{`{a:"1"}`, false},
		{`{"a":"1"`, false},
		{`null`, false},
		{`[]`, false},
	}
	for _, tt := range maps {
		if got := sameAsJSON(t, tt.in, readMap); got != tt.read {
			t.Errorf("StringMap(%q) read = %v, want %v", tt.in, got, tt.read)
		}
	}
}

func TestSkip(t *testing.T) {
	tests := []struct {
		in   string
		skip bool
	}{
		{`null`, true},
		{`{"a":[1,-2.5e+3,0.0,1E-2,"x",{"b":null}],"c":true}`, true},
		{` [ ] `, true},
		{`{}`, true},
		{`1e400`, true},
		{`[1.9,9e9,0.09,2E+9,3e-9,19]`, true},
		{`-0.0e0`, true},
		{`01`, false},
		{`1.`, false},
		{`.5`, false},
		{`1e`, false},
		{`1e+`, false},
		{`+1`, false},
		{`1x`, false},
		{`[1,]`, false},
		{`{"a"}`, false},
		{`{"a":}`, false},
		{`{1:2}`, false},
		{`[`, false},
		{`]`, false},
		{`nan`, false},
		{``, false},
		{strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth), true},
		{strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1), false},
		{strings.Repeat(`{"a":`, maxDepth) + "1" + strings.Repeat("}", maxDepth), true},
		{strings.Repeat(`{"a":`, maxDepth+1) + "1" + strings.Repeat("}", maxDepth+1), false},
	}
	for _, tt := range tests {
		r := New([]byte(tt.in))
		got := r.Skip() && r.End()
		if got != tt.skip {
			t.Errorf("Skip(%.40q) = %v, want %v", tt.in, got, tt.skip)
		}
		if got && !json.Valid([]byte(tt.in)) {
			t.Errorf("Skip(%.40q) accepted what encoding/json refuses", tt.in)
		}
	}
}

func TestUnknown(t *testing.T) {
	names := []string{"sub", "email_verified"}
	tests := []struct {
		key     string
		unknown bool
	}{
		{"other", true},
		{"su", true},
		{"subs", true},
		{"email-verified", true},
		{"", true},
		{"SUB", false},
		{"Sub", false},
		{"sUb", false},
		{"EMAIL_VERIFIED", false},
		{"ſub", false}, // folds to "sub" in encoding/json
		{"é", false},
		{"\x80", false},
		{"\x7f", true},
	}
	for _, tt := range tests {
		if got := Unknown([]byte(tt.key), names); got != tt.unknown {
			t.Errorf("Unknown(%q) = %v, want %v", tt.key, got, tt.unknown)
		}
	}
	// Folding covers the whole alphabet, in keys and in names.
	for _, tt := range []struct {
		key     string
		names   []string
		unknown bool
	}{
		{"alpha", []string{"Alpha"}, false},
		{"ALPHA", []string{"alpha"}, false},
		{"quiz", []string{"QUIZ"}, false},
		{"ZULU", []string{"zulu"}, false},
		{"routekey", []string{"routeKey"}, false},
		{"a-z", []string{"A-Z"}, false},
		{"@[`{", []string{"`{@["}, true},
		{"@", []string{"`"}, true},
		{"[", []string{"{"}, true},
	} {
		if got := Unknown([]byte(tt.key), tt.names); got != tt.unknown {
			t.Errorf("Unknown(%q, %q) = %v, want %v", tt.key, tt.names, got, tt.unknown)
		}
	}
	// What Unknown calls skippable, encoding/json does skip.
	type sample struct {
		Sub           string `json:"sub"`
		EmailVerified bool   `json:"email_verified"`
	}
	for _, tt := range tests {
		if !tt.unknown {
			continue
		}
		var s sample
		in, _ := json.Marshal(map[string]string{tt.key: "x"})
		if err := json.Unmarshal(in, &s); err != nil || s != (sample{}) {
			t.Errorf("encoding/json took %q as a field: %+v %v", tt.key, s, err)
		}
	}
}

// FuzzReader holds String, Int64, Bool, StringMap and Skip to encoding/json on any input.
func FuzzReader(f *testing.F) {
	for _, s := range []string{`"a\u00e9\n"`, `12`, `-0`, `true`, `["a","b"]`, `{"a":[1,{"b":null}]}`, `"` + strings.Repeat("x", 40) + `"`, `1e5`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		sameAsJSON(t, in, readString)
		sameAsJSON(t, in, readInt)
		sameAsJSON(t, in, readBool)
		sameAsJSON(t, in, readMap)
		r := New([]byte(in))
		if r.Skip() && r.End() && !json.Valid([]byte(in)) {
			t.Fatalf("Skip accepted %q, which encoding/json refuses", in)
		}
	})
}

// special, the word-at-a-time test, agrees with class on every byte value at every place in
// a word, and on words mixing many kinds of byte.
func TestSpecialFindsEveryByteThatIsNotPlain(t *testing.T) {
	word := func(b [8]byte) uint64 { return binary.LittleEndian.Uint64(b[:]) }
	for c := range 256 {
		for at := range 8 {
			b := [8]byte{'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a'}
			b[at] = byte(c)
			if got := special(word(b)); got != (class[c] != plain) {
				t.Fatalf("byte %#x at %d: special %v", c, at, got)
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		var b [8]byte
		want := false
		for i := range b {
			b[i] = byte(rng.IntN(256))
			want = want || class[b[i]] != plain
		}
		if special(word(b)) != want {
			t.Fatalf("%q: special %v", b, !want)
		}
	}
}

// plainByBytes is allPlain's definition, one byte at a time.
func plainByBytes(s []byte) bool {
	for _, c := range s {
		if c == '\\' || c < 0x20 || c > 0x7f {
			return false
		}
	}
	return true
}

// allPlain, which tests words, agrees with the byte-by-byte definition: each byte value at
// each place of every length through the 32-byte, 8-byte and single-byte steps, among plain
// bytes of every kind (just above the controls, the quote's and backslash's neighbours, DEL),
// and on random mixes.
func TestAllPlainMatchesBytes(t *testing.T) {
	for _, fill := range []byte{0x20, 0x21, '[', ']', 'a', 0x7e, 0x7f} {
		for n := range 80 {
			s := []byte(strings.Repeat(string([]byte{fill}), n))
			if !allPlain(s) {
				t.Fatalf("%q: not plain", s)
			}
			for at := range n {
				for c := range 256 {
					if c == '"' {
						continue // s ends before its first quote
					}
					s[at] = byte(c)
					if got, want := allPlain(s), plainByBytes(s); got != want {
						t.Fatalf("byte %#x at %d of %d among %q: allPlain %v", c, at, n, fill, got)
					}
				}
				s[at] = fill
			}
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		s := make([]byte, rng.IntN(100))
		for i := range s {
			// Mostly plain, a few of anything else.
			s[i] = byte(0x20 + rng.IntN(0x60))
			if rng.IntN(40) == 0 {
				s[i] = byte(rng.IntN(256))
			}
			if s[i] == '"' {
				s[i] = 'q'
			}
		}
		if got, want := allPlain(s), plainByBytes(s); got != want {
			t.Fatalf("%q: allPlain %v", s, got)
		}
	}
}

// StringToken's search for the closing quote, then the plain check of what it passed, stops
// at each kind of byte at every place of a long string (where the wide steps run), and reads
// escaped, non-ASCII and unterminated strings as encoding/json does.
func TestStringTokenLongStrings(t *testing.T) {
	for _, c := range []byte{'"', '\\', 0x00, 0x1f, 0x7f, 0x80, 0xc3, 0xff} {
		for at := range 90 {
			body := []byte(strings.Repeat("x", 90))
			body[at] = c
			for _, in := range []string{`"` + string(body) + `"`, `"` + string(body), `"` + string(body) + `\n"`, `"` + string(body) + `é"`} {
				sameAsJSON(t, in, readString)
				r := New([]byte(in))
				s, tok, ok := r.StringToken()
				if !ok {
					continue
				}
				if r.Pos() != len(tok) || string(tok) != in[:len(tok)] || tok[len(tok)-1] != '"' {
					t.Fatalf("%q: token %q ends at %d", in, tok, r.Pos())
				}
				if c == '"' && string(s) != strings.Repeat("x", at) {
					t.Fatalf("%q: read %q", in, s)
				}
			}
		}
	}
	// Valid UTF-8 of every length after a long plain run, and the same cut short.
	for _, u := range []string{"é", "€", "😀", "\u2028"} {
		long := strings.Repeat("y", 70)
		for _, in := range []string{`"` + long + u + `"`, `"` + u + long + `"`, `"` + long + u[:len(u)-1] + `"`} {
			sameAsJSON(t, in, readString)
		}
	}
}

func TestExact(t *testing.T) {
	r := New([]byte(`{"at": "x"}`))
	if r.Exact(`{"at" `) || r.Pos() != 0 {
		t.Fatal("a mismatch moved the reader")
	}
	if !r.Exact(`{"at":`) || r.Pos() != 6 {
		t.Fatalf("Exact: pos %d", r.Pos())
	}
	if r.Exact(`"x"`) || r.Pos() != 6 {
		t.Fatal("Exact skipped whitespace")
	}
	if s, ok := r.String(); !ok || string(s) != "x" {
		t.Fatalf("String after Exact: %q %v", s, ok)
	}
	if r.Exact(`}}`) || !r.Exact(`}`) || !r.End() {
		t.Fatal("Exact at the end of the document")
	}
	if !r.Exact("") || r.Exact("}") {
		t.Fatal("Exact past the end of the document")
	}
}

// The first words of a string, read before any search: each kind of byte at every place of
// short strings, whatever follows the closing quote (read in the same word), and the strings
// as members of an object.
func TestStringTokenShortStrings(t *testing.T) {
	bytesToTry := []byte{'"', '\\', 0x00, 0x1f, 0x20, 0x7f, 0x80, 0xc3, 0xe2, 0xff, '!', '#', '[', ']'}
	for n := range 30 {
		for _, c := range bytesToTry {
			for at := range n {
				body := []byte(strings.Repeat("x", n))
				body[at] = c
				for _, after := range []string{``, ` `, `\"`, "\x00\x00\x00\x00\x00\x00\x00\x00", `"""""""""`, "\xff\xff\xff\xff\xff\xff\xff\xff"} {
					in := `"` + string(body) + `"` + after
					r := New([]byte(in))
					s, tok, ok := r.StringToken()
					if ok {
						if r.Pos() != len(tok) || string(tok) != in[:len(tok)] {
							t.Fatalf("%q: token %q ends at %d", in, tok, r.Pos())
						}
						var want string
						if err := json.Unmarshal(tok, &want); err != nil || want != string(s) {
							t.Fatalf("%q: read %q, encoding/json %q (%v)", in, s, want, err)
						}
						if c == '"' && string(s) != string(body[:at]) {
							t.Fatalf("%q: read %q", in, s)
						}
					}
					sameAsJSON(t, `{"k":"`+string(body)+`","z":"`+after+`"}`, readMap)
					sameAsJSON(t, `{"k":"`+string(body)+`","z":"é\n"}`, readMap)
				}
				sameAsJSON(t, `"`+string(body)+`"`, readString)
				sameAsJSON(t, `"`+string(body)+`é"`, readString)
				sameAsJSON(t, `"`+string(body), readString)
			}
		}
	}
	// Plain strings of every length up to past the words read first must be read whole.
	for n := range 60 {
		body := strings.Repeat("y", n)
		for _, after := range []string{``, `,"a":1`, "\x01\x01\x01\x01\x01\x01\x01\x01\x01"} {
			r := New([]byte(`"` + body + `"` + after))
			if s, _, ok := r.StringToken(); !ok || string(s) != body || r.Pos() != n+2 {
				t.Fatalf("%d bytes then %q: read %q, %v, at %d", n, after, s, ok, r.Pos())
			}
		}
	}
}

// specials marks the first byte that is not plain exactly, wherever other bytes are.
func TestSpecialsMarksTheFirst(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 300000 {
		var b [8]byte
		first := -1
		for i := range b {
			b[i] = byte(0x20 + rng.IntN(0x60))
			if rng.IntN(6) == 0 {
				b[i] = byte(rng.IntN(256))
			}
			if first < 0 && class[b[i]] != plain {
				first = i
			}
		}
		m := specials(binary.LittleEndian.Uint64(b[:]))
		if first < 0 && m != 0 || first >= 0 && (m == 0 || bits.TrailingZeros64(m)/8 != first) {
			t.Fatalf("%q: specials %#x, first not plain at %d", b, m, first)
		}
	}
}
