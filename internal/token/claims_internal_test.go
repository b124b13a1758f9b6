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
