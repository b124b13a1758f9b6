package jsonread

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzSkip holds Skip to encoding/json's syntax check both ways: a value it steps over is
// valid JSON, and it steps over every valid value not nested deeper than maxDepth.
func FuzzSkip(f *testing.F) {
	for _, s := range []string{
		`{"a":[1,-2.5e+3,true,false,null,{"b":"c\n\u00e9"}]}`, `"\ud800"`, "\"\xff\"", `[1 2]`, `{"a":1,}`,
		`01`, `-`, `1.`, `1e`, `tru`, `nulll`, ` [ ] `, `{"a" : { } }`, strings.Repeat("[", 65) + strings.Repeat("]", 65),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := New(b)
		ok := r.Skip()
		n := r.Pos()
		if ok && !json.Valid(b[:n]) {
			t.Fatalf("%q: stepped over %q, not valid JSON", b, b[:n])
		}
		if json.Valid(b) && bytes.Count(b, []byte("["))+bytes.Count(b, []byte("{")) <= maxDepth {
			if !ok || !r.End() {
				t.Fatalf("%q: valid JSON, stepped over %v %q", b, ok, b[:n])
			}
		}
		// SkipString takes exactly the valid JSON strings.
		s := New(b)
		isString := len(bytes.TrimLeft(b, " \t\r\n")) > 0 && bytes.TrimLeft(b, " \t\r\n")[0] == '"'
		if got, want := s.SkipString() && s.End(), isString && json.Valid(b); got != want {
			t.Fatalf("SkipString(%q) = %v, want %v", b, got, want)
		}
	})
}

// Skip takes what encoding/json's syntax check takes in strings: any bytes but controls,
// invalid UTF-8 and lone surrogate escapes included (encoding/json replaces them in a value
// it decodes, and ignores them in one it does not).
func TestSkipStrings(t *testing.T) {
	for _, tc := range []struct {
		in   string
		skip bool
	}{
		{`"\ud800"`, true},
		{"\"\xff\xfe\"", true},
		{`"a\u00E9\/\b\f\n\r\t\"\\"`, true},
		{`"\x"`, false},
		{`"\u12"`, false},
		{`"\u12g4"`, false},
		{"\"a\x1fb\"", false},
		{"\"a\x7fb\"", true},
		{`"abc`, false},
		{`"abc\"`, false},
	} {
		r := New([]byte(tc.in))
		if got := r.Skip() && r.End(); got != tc.skip || got != json.Valid([]byte(tc.in)) {
			t.Errorf("Skip(%q) = %v, want %v (json.Valid %v)", tc.in, got, tc.skip, json.Valid([]byte(tc.in)))
		}
	}
}

// stopsString finds every byte StringEnd stops at, in any position and next to any other
// byte, and reports nothing else.
func TestStopsStringMatchesInString(t *testing.T) {
	for c := range 256 {
		for other := range 256 {
			for pos := range 8 {
				var w [8]byte
				for j := range w {
					w[j] = byte(other)
				}
				w[pos] = byte(c)
				want := !inString[c] || !inString[other]
				if got := stopsString(binary.LittleEndian.Uint64(w[:])); got != want {
					t.Fatalf("%q: %v, want %v", w, got, want)
				}
			}
		}
	}
}
