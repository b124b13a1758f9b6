package sealed

import (
	"cmp"
	"encoding/json"
	"maps"
	"slices"

	"github.com/monban-auth/monban/internal/jsonwrite"
)

// Attribute is one of a user's attributes: a claim's name and its value.
type Attribute struct {
	Name  string
	Value string
}

// Attributes are the attributes a session keeps, sorted by name, each name once. A sorted
// slice rather than a map: a session holds a few, and is decoded on every page load, where
// building a map costs more than all the rest of the user. Their JSON is an object, exactly
// as encoding/json writes a map[string]string (names in byte order), so the cookie and the
// API's answers read as they did when this was a map. Lookup and the JSON rely on the order:
// make them with AttributesOf, or keep names sorted and unique.
type Attributes []Attribute

// AttributesOf returns m's attributes sorted by name: nil for a nil map, empty for an
// empty one.
func AttributesOf(m map[string]string) Attributes {
	if m == nil {
		return nil
	}
	a := make(Attributes, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		a = append(a, Attribute{k, m[k]})
	}
	return a
}

// Lookup returns the value of the attribute name and whether there is one.
func (a Attributes) Lookup(name string) (string, bool) {
	i, found := slices.BinarySearchFunc(a, name, func(at Attribute, name string) int {
		return cmp.Compare(at.Name, name)
	})
	if !found {
		return "", false
	}
	return a[i].Value, true
}

// Get returns the value of the attribute name, "" when there is none.
func (a Attributes) Get(name string) string {
	v, _ := a.Lookup(name)
	return v
}

// AppendJSON appends the attributes as an object, null when nil.
func (a Attributes) AppendJSON(b []byte, escapeHTML bool) []byte {
	if a == nil {
		return append(b, "null"...)
	}
	b = append(b, '{')
	for i, at := range a {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonwrite.String(b, at.Name, escapeHTML)
		b = append(b, ':')
		b = jsonwrite.String(b, at.Value, escapeHTML)
	}
	return append(b, '}')
}

// MarshalJSON implements json.Marshaler. It leaves <, > and & as they are: encoding/json
// escapes them in a Marshaler's output when its encoder does, as it would in a map's.
func (a Attributes) MarshalJSON() ([]byte, error) {
	return a.AppendJSON(nil, false), nil
}

// UnmarshalJSON implements json.Unmarshaler: an object of strings, whose later member wins
// when a name is given twice, as in a map. null is no attributes (nil). Unlike a map's, the
// attributes decoded replace those there were.
func (a *Attributes) UnmarshalJSON(b []byte) error {
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*a = AttributesOf(m)
	return nil
}
