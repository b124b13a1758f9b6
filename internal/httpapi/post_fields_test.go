package httpapi

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// Of several fields with one JSON name, strictKeys takes the one encoding/json decodes into:
// the shallowest, then of several at that depth the only tagged one, and none when that is
// still ambiguous. The fields here differ in shape (an object or a string), so the shape
// strictKeys keeps shows which field won.
func TestJSONFieldsTakeTheFieldEncodingJSONTakes(t *testing.T) {
	type Item struct {
		ID string `json:"id"`
	}
	type Deep struct {
		Shadow string `json:"shadow"`
	}
	type DeeperStill struct {
		Deep
	}
	type TaggedX struct {
		X Item `json:"X"`
	}
	type UntaggedX struct {
		X string
	}
	type UntaggedY1 struct{ Y string }
	type UntaggedY2 struct{ Y string }
	type Body struct {
		DeeperStill
		Shadow Item `json:"shadow"` // shallower than Deep's: it wins
		UntaggedX
		TaggedX // the only tagged X at its depth: it wins
		UntaggedY1
		UntaggedY2 // two untagged Y at one depth: neither
	}
	s := shapeOf(reflect.TypeFor[Body]())
	if f := s.fields["shadow"]; f == nil || f.kind != structShape {
		t.Errorf(`"shadow" is %+v, want the top-level field's object`, f)
	}
	if f := s.fields["X"]; f == nil || f.kind != structShape {
		t.Errorf(`"X" is %+v, want the tagged field's object`, f)
	}
	if f, ok := s.fields["Y"]; ok {
		t.Errorf(`"Y" is %+v, want no field: encoding/json finds it ambiguous`, f)
	}
	if len(s.fields) != 2 {
		t.Errorf("fields %v, want shadow and X only", s.fields)
	}

	// encoding/json agrees.
	for body, known := range map[string]bool{
		`{"shadow":{"id":"a"}}`: true,
		`{"X":{"id":"a"}}`:      true,
		`{"Y":"a"}`:             false,
	} {
		var b Body
		dec := json.NewDecoder(strings.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&b); (err == nil) != known {
			t.Errorf("encoding/json on %s: %v", body, err)
		}
		if err := strictKeys([]byte(body), s); (err == nil) != known {
			t.Errorf("strictKeys on %s: %v", body, err)
		}
	}
}
