package token

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// The validator is held to json.Valid: the same answer on every input, both from its
// document check and from objectMembers, which accepts exactly the valid documents that
// are objects, whether their members fit the room it is given or not.
func sameAsJSONValid(t testing.TB, in string) {
	t.Helper()
	// No spare capacity: a read past the end of the input panics rather than
	// finding whatever the allocation left there.
	b := []byte(in)
	b = b[:len(b):len(b)]
	want := json.Valid(b)
	v := validator{data: b}
	if got := v.document(); got != want {
		t.Fatalf("%.200q: validator %v, json.Valid %v", in, got, want)
	}
	wantObject := want && strings.HasPrefix(strings.TrimLeft(in, " \t\r\n"), "{")
	for _, room := range []int{0, 8} {
		if _, got := objectMembers(b, make([]span, 0, room)); got != wantObject {
			t.Fatalf("%.200q: objectMembers with room %d: %v, want %v (json.Valid %v)", in, room, got, wantObject, want)
		}
	}
}

func TestValidatorAgreesWithEncodingJSON(t *testing.T) {
	for _, in := range []string{
		``, ` `, `{}`, ` {} `, "\t{\n}\r\n", `[]`, `[ ]`, `{"a":1}`, `{"a" : 1 , "b" : [ 1 , 2 ] }`,
		`{"a":1,}`, `{"a":1`, `{"a"}`, `{"a":}`, `{a:1}`, `{"a":1}}`, `{"a":1} {}`, `{"a":1}x`, `[1,]`, `[,1]`, `[1 2]`,
		`"x"`, `"x`, `"\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00"`, `"\u00"`, `"\u00g0"`, `"\x"`, `"\`, "\"a\x00\"", "\"a\x1f\"", "\"a\x7f\"",
		"\"\xff\xfe invalid UTF-8 is accepted\"", `"\ud800 a lone surrogate escape is accepted"`,
		`0`, `-0`, `01`, `-`, `1.`, `.5`, `1.5`, `1e5`, `1E+5`, `1e-5`, `1e`, `1e+`, `-1.25e-3`, `+1`, `1.5.5`, `0x10`, `1_000`,
		`true`, `false`, `null`, `tru`, `nul`, `nulll`, `True`, `[true,false,null]`, `{"a":truefalse}`,
		`{"sub":"7c9a1f0e","cognito:groups":["staff","admins"],"exp":1750003600,"scope":"openid email"}`,
		strings.Repeat("[", maxNesting) + strings.Repeat("]", maxNesting),
		strings.Repeat("[", maxNesting+1) + strings.Repeat("]", maxNesting+1),
		strings.Repeat(`{"a":`, maxNesting) + "1" + strings.Repeat("}", maxNesting),
		strings.Repeat(`{"a":`, maxNesting+1) + "1" + strings.Repeat("}", maxNesting+1),
		`"` + strings.Repeat("abcdefgh", 40) + `"`, `"` + strings.Repeat("abcdefgh", 40) + "\x01" + `"`,
		`"` + strings.Repeat("abcdefg\\n", 40) + `"`,
		// Cut short at every kind of place, and the edges of each character class.
		`{`, `{ `, `[`, `{"a":1,`, `[1,`, `{"a":`, `{"a"`, `"\u123`, `"\u12`, `"\u`, `"\`, `"abc`, `"abcdefghijkl`, `-`, `[-`,
		`[tru`, `[nul`, `{"a":fals`, `[true`, `[t]`, `[f]`, `[n]`,
		`"\uaAfF"`, `"\u0a9F"`, `"\u@000"`, `"\u/000"`, `"\u:000"`, "\"\\u`000\"", `"\ug000"`, `"\uG000"`,
		`"x y"`, `{"a b":"c d"}`, "\"\x1f\x20\"", `"!"`, `"~"`,
		`10`, `19`, `90`, `1.09`, `1e09`, `-9`, `-0.0`, `[/]`, `[:]`, `[9,0]`,
		`"exactly sixteen!"`, `"seven c"`, `"eight ch"`, `"nine char"`,
	} {
		sameAsJSONValid(t, in)
	}
}

// FuzzValidator holds the validator and objectMembers to json.Valid on arbitrary input.
func FuzzValidator(f *testing.F) {
	for _, s := range []string{`{"a":[1,-2.5e+3,true,null,{"b":"c\n\u00e9"}]}`, `{"a":1,}`, "\"\xff\"", `[01]`, `"\u12"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		sameAsJSONValid(t, string(in))
	})
}

// objectMembers yields the top-level members only, in order, duplicates included, however
// many there are and whatever room it is given, and refuses what is not an object or not
// valid.
func TestObjectMembers(t *testing.T) {
	// More members than either caller's room (the header's 8, the claims' 32), so that
	// the pass that runs out of room and the second pass that follows are tested as
	// production takes them, as well as with no room at all.
	many := make([]string, 40)
	for i := range many {
		many[i] = fmt.Sprintf(`"m%d":%d`, i, i)
	}
	for _, tc := range []struct {
		in   string
		want []string // key, value, key, value, ...
		ok   bool
	}{
		{`{}`, nil, true},
		{` { "a" : 1 , "b":[{"c":2}], "a":{"d":{"e":3}} } `, []string{`"a"`, `1`, `"b"`, `[{"c":2}]`, `"a"`, `{"d":{"e":3}}`}, true},
		{`{"k\"":"v"}`, []string{`"k\""`, `"v"`}, true},
		{`[{"a":1}]`, nil, false},
		{`"a"`, nil, false},
		{`{"a":1`, nil, false},
		{`{"a":1}x`, nil, false},
		{`{` + strings.Join(many, ",") + `}`, nil, true},
	} {
		in := []byte(tc.in)
		want := tc.want
		if strings.HasPrefix(tc.in, `{"m0"`) {
			for i := range many {
				want = append(want, fmt.Sprintf(`"m%d"`, i), fmt.Sprint(i))
			}
		}
		for _, room := range []int{0, 8, 32} {
			var dst []span
			if room > 0 {
				dst = make([]span, 0, room)
			}
			got, ok := objectMembers(in, dst)
			if ok != tc.ok {
				t.Errorf("objectMembers(%q, room %d) ok = %v", tc.in, room, ok)
				continue
			}
			var flat []string
			for _, m := range got {
				flat = append(flat, string(in[m.key:m.keyEnd]), string(in[m.val:m.valEnd]))
			}
			if !slices.Equal(flat, want) {
				t.Errorf("objectMembers(%q, room %d) = %q, want %q", tc.in, room, flat, want)
			}
		}
	}
}
