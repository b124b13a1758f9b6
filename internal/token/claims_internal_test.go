package token

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzWalker checks objectMembers and the walker against encoding/json: for any
// input objectMembers accepts, its members, last one winning, are exactly what
// json.Unmarshal puts in a map, and the elements of each array member are exactly
// what it puts in a slice.
func FuzzWalker(f *testing.F) {
	for _, seed := range []string{
		`{}`, ` { } `, `{"a":1}`, `{"a":"x","b":[1,{"c":"]}"}],"d":null}`,
		`{"k\"q":"v\\","e":true,"f":false,"n":-1.5e3}`,
		`{"a":1,"a":2}`, `{"g":["x", "y" ,"z\"]"],"e":[],"n":[[1],{"a":[2]}]}`, `{"token\u005fuse":"id"}`, `[1,2]`, `"s"`, `{"a":}`,
		"{\"\xff\":\"\xfe\"}", `{"a" : { "b" : [ ] } , "c" : "}"}`, `[{"a":1}]`, `{"a":{"b":1,"c":{"d":2}},"e":3}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var want map[string]json.RawMessage
		wantErr := json.Unmarshal(data, &want) != nil || want == nil

		members, ok := objectMembers(data, nil)
		if !ok {
			if !wantErr {
				t.Fatalf("objectMembers refused %q, which encoding/json decodes", data)
			}
			return
		}
		if wantErr {
			t.Fatalf("objectMembers accepted %q, which encoding/json refuses", data)
		}
		got := map[string]json.RawMessage{}
		for _, m := range members {
			k, kok := stringValue(data[m.key:m.keyEnd], false)
			if !kok {
				t.Fatalf("objectMembers yielded a key that is not a string: %q", data[m.key:m.keyEnd])
			}
			got[string(k)] = data[m.val:m.valEnd]
		}
		if len(got) != len(want) {
			t.Fatalf("objectMembers found %d members, encoding/json %d, in %q", len(got), len(want), data)
		}
		for k, v := range want {
			if !bytes.Equal(got[k], v) {
				t.Fatalf("member %q: objectMembers %q, encoding/json %q", k, got[k], v)
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
	for it.next(val) {
		got = append(got, val[it.start:it.end])
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

// Walking input that was never validated ends, with or without an error, and never
// reads past the end.
func TestWalkerStopsAtTheEndOfUnvalidatedInput(t *testing.T) {
	for _, tc := range []struct {
		in       string
		elements int
		err      bool
	}{
		{``, 0, false},
		{`  `, 0, false},
		{`[1,2`, 2, false},
		{`["a"`, 1, false},
		{`["a`, 0, true},
		{`[[1`, 0, true},
		{`[1 2]`, 1, true},
		{`[1,`, 1, true},
		{`{"a":1}`, 0, false},
	} {
		var w walker
		n := 0
		if in := []byte(tc.in); w.array(in) {
			for w.next(in) {
				n++
			}
		}
		if n != tc.elements || w.err != tc.err {
			t.Errorf("walking %q: %d elements, err %v; want %d, %v", tc.in, n, w.err, tc.elements, tc.err)
		}
	}
}

// claimStrings refuses an empty value instead of indexing into it.
func TestClaimStringsRefusesAnEmptyValue(t *testing.T) {
	for _, single := range []bool{true, false} {
		var d decoded
		if got, err := d.claimStrings(nil, single, "aud"); err == nil {
			t.Errorf("claimStrings(empty, %v) = %q, want an error", single, got)
		}
	}
}
