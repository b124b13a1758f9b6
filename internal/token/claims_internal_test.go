package token

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzWalker checks the walker against encoding/json: for any input it
// accepts, the members it yields, last one winning, are exactly what
// json.Unmarshal puts in a map, and the elements of each array member are
// exactly what it puts in a slice.
func FuzzWalker(f *testing.F) {
	for _, seed := range []string{
		`{}`, ` { } `, `{"a":1}`, `{"a":"x","b":[1,{"c":"]}"}],"d":null}`,
		`{"k\"q":"v\\","e":true,"f":false,"n":-1.5e3}`,
		`{"a":1,"a":2}`, `{"g":["x", "y" ,"z\"]"],"e":[],"n":[[1],{"a":[2]}]}`, `{"token\u005fuse":"id"}`, `[1,2]`, `"s"`, `{"a":}`,
		"{\"\xff\":\"\xfe\"}", `{"a" : { "b" : [ ] } , "c" : "}"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var want map[string]json.RawMessage
		wantErr := json.Unmarshal(data, &want) != nil || want == nil

		var it walker
		ok := it.object(data)
		got := map[string]json.RawMessage{}
		for ok && it.next() {
			k, kok := stringValue(it.key)
			if !kok {
				t.Fatalf("walker yielded a key that is not a string: %q", it.key)
			}
			got[string(k)] = it.val
		}
		if !ok || it.err {
			if !wantErr {
				t.Fatalf("walker refused %q, which encoding/json decodes", data)
			}
			return
		}
		if wantErr {
			t.Fatalf("walker accepted %q, which encoding/json refuses", data)
		}
		if len(got) != len(want) {
			t.Fatalf("walker found %d members, encoding/json %d, in %q", len(got), len(want), data)
		}
		for k, v := range want {
			if !bytes.Equal(got[k], v) {
				t.Fatalf("member %q: walker %q, encoding/json %q", k, got[k], v)
			}
			if v[0] == '[' {
				checkArray(t, v)
			}
		}
	})
}

func checkArray(t *testing.T, val []byte) {
	t.Helper()
	var want []json.RawMessage
	if err := json.Unmarshal(val, &want); err != nil {
		t.Fatalf("encoding/json refused array %q: %v", val, err)
	}
	var it walker
	if !it.array(val) {
		t.Fatalf("walker refused array %q", val)
	}
	var got [][]byte
	for it.next() {
		got = append(got, it.val)
	}
	if it.err || len(got) != len(want) {
		t.Fatalf("array %q: walker found %d elements (err %v), encoding/json %d", val, len(got), it.err, len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("array %q element %d: walker %q, encoding/json %q", val, i, got[i], want[i])
		}
	}
}

// The walker's helpers never read past the end of their input, whatever it is: object
// validates a document before walking it, but the bounds checks are what keep a
// mistake elsewhere from becoming an out-of-range read.
func TestWalkerHelpersStopAtTheEndOfTheirInput(t *testing.T) {
	for _, tc := range []struct {
		in   string
		at   int
		want int
	}{
		{``, 0, -1},
		{`"ab`, 0, -1},
		{`"a\"`, 0, -1},
		{`"ab"`, 0, 4},
		{`"a\"b"x`, 0, 6},
		{`[1`, 0, -1},
		{`{"a":[1]`, 0, -1},
		{`["x`, 0, -1},
		{`[{"a":"]"}]x`, 0, 11},
		{`123`, 0, 3},
		{`true}`, 0, 4},
		{`x:1`, 3, -1},
	} {
		if got := valueEnd([]byte(tc.in), tc.at); got != tc.want {
			t.Errorf("valueEnd(%q, %d) = %d, want %d", tc.in, tc.at, got, tc.want)
		}
	}
	if got := stringEnd([]byte(`"abc`), 0); got != -1 {
		t.Errorf(`stringEnd("abc) = %d, want -1`, got)
	}
	for _, tc := range []struct {
		in   string
		want int
	}{{"", 0}, {" \t\r\n", 4}, {" x ", 1}} {
		if got := skipSpace([]byte(tc.in), 0); got != tc.want {
			t.Errorf("skipSpace(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// Walking input that was never validated ends, with or without an error, and never
// reads past the end.
func TestWalkerStopsAtTheEndOfUnvalidatedInput(t *testing.T) {
	for _, tc := range []struct {
		in      string
		open    byte
		members int
		err     bool
	}{
		{``, '[', 0, false},
		{`  `, '{', 0, false},
		{`{"a":1`, '{', 1, false},
		{`[1,2`, '[', 2, false},
		{`{"a"`, '{', 0, true},
		{`{"a" `, '{', 0, true},
		{`{"a":`, '{', 0, true},
		{`{"a`, '{', 0, true},
		{`{"a":[1`, '{', 0, true},
		{`{"a":1 "b":2}`, '{', 1, true},
		{`{1:2}`, '{', 0, true},
	} {
		var w walker
		n := 0
		if w.start([]byte(tc.in), tc.open) {
			for w.next() {
				n++
			}
		}
		if n != tc.members || w.err != tc.err {
			t.Errorf("walking %q: %d members, err %v; want %d, %v", tc.in, n, w.err, tc.members, tc.err)
		}
	}
}

// claimStrings refuses an empty value instead of indexing into it.
func TestClaimStringsRefusesAnEmptyValue(t *testing.T) {
	for _, single := range []bool{true, false} {
		if got, err := claimStrings(nil, single, "aud"); err == nil {
			t.Errorf("claimStrings(empty, %v) = %q, want an error", single, got)
		}
	}
}
