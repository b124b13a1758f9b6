package sealed

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/monban-auth/monban/internal/jsonwrite"
)

// mapJSON is how a map of the same attributes is written: jsonwrite.StringMap, which
// jsonwrite's tests hold to encoding/json byte for byte.
func mapJSON(m map[string]string, html bool) []byte { return jsonwrite.StringMap(nil, m, html) }

// attributeMaps are attribute sets whose JSON a map and Attributes must spell alike: names
// in byte order, escapes, HTML characters, invalid UTF-8 (which encoding/json writes as
// U+FFFD, so that two names may come out the same).
var attributeMaps = []map[string]string{
	nil,
	{},
	{"name": "Ann"},
	{"zone": "z", "a": "1", "B": "2", "": "empty", "a\x00": "nul", "é": "😀"},
	{"<b>": "a&b", "k\"": "v\\", "line": "\u2028\n\t"},
	{"\xff": "1", "\xfe": "2", "a\x80": "3"},
}

// Attributes are written as encoding/json writes the map they hold, with or without HTML
// escaping: directly (AppendJSON), as a json.Marshaler (which leaves HTML to encoding/json)
// and through json.Marshal, which escapes it.
func TestAttributesJSONIsTheMapsJSON(t *testing.T) {
	for _, m := range attributeMaps {
		a := AttributesOf(m)
		for _, html := range []bool{true, false} {
			if got, want := a.AppendJSON(nil, html), mapJSON(m, html); !bytes.Equal(got, want) {
				t.Errorf("AppendJSON(%q, html %v) = %s, want %s", m, html, got, want)
			}
		}
		if got, err := a.MarshalJSON(); err != nil || !bytes.Equal(got, mapJSON(m, false)) {
			t.Errorf("MarshalJSON(%q) = %s, %v; want %s", m, got, err, mapJSON(m, false))
		}
		got, err := json.Marshal(a)
		want, werr := json.Marshal(m)
		if err != nil || werr != nil || !bytes.Equal(got, want) {
			t.Errorf("json.Marshal(%q) = %s, %v; the map's %s, %v", m, got, err, want, werr)
		}
	}
}

// Decoding reads what a map would read (a later name wins, null is none) sorted by name,
// and refuses what a map refuses.
func TestAttributesUnmarshalAsAMap(t *testing.T) {
	for _, in := range []string{
		`null`, `{}`, `{"a":"1"}`, `{"b":"2","a":"1","a":"3"}`, `{"\u0061":"1","a":"2"}`,
		`{"é":"x","e":"y","":""}`, `{"a":1}`, `{"a":null}`, `["a"]`, `"a"`, `{"a":"1"`,
	} {
		var m map[string]string
		merr := json.Unmarshal([]byte(in), &m)
		got := Attributes{{"old", "1"}}
		err := json.Unmarshal([]byte(in), &got)
		if (err == nil) != (merr == nil) {
			t.Fatalf("%s: error %v, a map's %v", in, err, merr)
		}
		if err == nil && !reflect.DeepEqual(got, AttributesOf(m)) {
			t.Fatalf("%s: decoded %q, want %q", in, got, AttributesOf(m))
		}
	}
}

// AttributesOf sorts by name; Lookup and Get find every name and only those.
func TestAttributesOfLookupMap(t *testing.T) {
	if AttributesOf(nil) != nil || AttributesOf(map[string]string{}) == nil {
		t.Fatal("nil must stay nil, and empty empty")
	}
	m := map[string]string{"m": "13", "a": "1", "z": "26", "b": "", "é": "e"}
	a := AttributesOf(m)
	want := Attributes{{"a", "1"}, {"b", ""}, {"m", "13"}, {"z", "26"}, {"é", "e"}}
	if !reflect.DeepEqual(a, want) {
		t.Fatalf("AttributesOf = %q, want %q", a, want)
	}
	for k, v := range m {
		if got, ok := a.Lookup(k); !ok || got != v || a.Get(k) != v {
			t.Fatalf("Lookup(%q) = %q, %v; want %q", k, got, ok, v)
		}
	}
	for _, k := range []string{"", "0", "c", "n", "zz", "\xff"} {
		if got, ok := a.Lookup(k); ok || got != "" || a.Get(k) != "" {
			t.Fatalf("Lookup(%q) = %q, %v; want none", k, got, ok)
		}
	}

}

// FuzzAttributesJSON: any two or three attributes are written as their map is, and read
// back as their map reads.
func FuzzAttributesJSON(f *testing.F) {
	f.Add("name", "Ann", "a&b", "<\xff>", "", "\u2028")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, k3, v3 string) {
		m := map[string]string{k1: v1, k2: v2, k3: v3}
		a := AttributesOf(m)
		for _, html := range []bool{true, false} {
			if got, want := a.AppendJSON(nil, html), mapJSON(m, html); !bytes.Equal(got, want) {
				t.Fatalf("AppendJSON(%q, html %v) = %s, want %s", m, html, got, want)
			}
		}
		b, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		var back Attributes
		var backMap map[string]string
		if err := json.Unmarshal(b, &back); err != nil || json.Unmarshal(b, &backMap) != nil {
			t.Fatalf("%s does not read back: %v", b, err)
		}
		if !reflect.DeepEqual(back, AttributesOf(backMap)) {
			t.Fatalf("%s read back as %q, a map as %q", b, back, backMap)
		}
	})
}
