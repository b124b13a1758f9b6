package sealed

import (
	"unsafe"

	"github.com/monban-auth/monban/internal/jsonread"
)

// The session cookie is opened on every page load (GET /auth/session) and by every API
// behind monban, so its payloads decode themselves (seal.Decoder) instead of going through
// encoding/json's reflection. Each decodes exactly what json.Unmarshal would, into an empty
// value or not, or declines and leaves the value untouched for json.Unmarshal; the tests
// hold both to the same results on the same input. Session reads only the layout Seal
// writes; SessionToken, which skips all but one member, any layout.

// JSON names of SessionToken's members, for jsonread.Unknown.
var sessionTokenNames = []string{"at"}

// Members, as bits: seen (to decline a duplicate, which encoding/json would merge and Seal
// never writes) and set (decoded to a value json.Unmarshal would store: not null, except for
// a slice or map, which null makes nil).
const (
	memAT = 1 << iota
	memExp
	memU
	memSub
	memUsername
	memEmail
	memEmailVerified
	memGroups
	memGroupsTruncated
	memAttributes
)

// members tracks the members of one decoding of data, and holds data as a string: strings
// without escapes are slices of it, so that they cost no allocation.
type members struct {
	seen, set int
	r         jsonread.Reader
	all       string
}

// newMembers starts a decoding of data, which seal.Open hands over for good (seal.Decoder):
// nothing writes to it afterwards, so a string over its bytes never changes, and strings
// without escapes can share them instead of each being copied.
func newMembers(data []byte) members {
	return members{r: jsonread.New(data), all: unsafe.String(unsafe.SliceData(data), len(data))}
}

// once marks bit seen and reports whether it is the first member of its name.
func (m *members) once(bit int) bool {
	dup := m.seen&bit != 0
	m.seen |= bit
	return !dup
}

// text reads a string.
func (m *members) text() (string, bool) {
	s, tok, ok := m.r.StringToken()
	if !ok {
		return "", false
	}
	if len(tok) == len(s)+2 { // no escapes: in place
		end := m.r.Pos() - 1
		return m.all[end-len(s) : end], true
	}
	return string(s), true
}

// str reads a string or null into dst, marking bit set for a string.
func (m *members) str(bit int, dst *string) bool {
	if !m.once(bit) {
		return false
	}
	if m.r.Null() {
		return true
	}
	v, ok := m.text()
	*dst = v
	m.set |= bit
	return ok
}

// list reads an array of strings, as json.Marshal writes it, into a new slice. A null
// element is declined: encoding/json would leave the element of the slice it decodes into
// as it was.
func (m *members) list() ([]string, bool) {
	r := &m.r
	if !r.Exact("[") {
		return nil, false
	}
	list := make([]string, 0, 4)
	if r.Exact("]") {
		return list, true
	}
	for {
		v, ok := m.text()
		if !ok {
			return nil, false
		}
		list = append(list, v)
		if r.Exact("]") {
			return list, true
		}
		if !r.Exact(",") {
			return nil, false
		}
	}
}

// DecodeSealed implements seal.Decoder.
func (s *Session) DecodeSealed(data []byte) bool {
	var t Session
	m := newMembers(data)
	if !m.sealedSession(&t) {
		// Not the layout Seal writes: a value sealed by another release, or not JSON at all.
		// Rare enough to leave to json.Unmarshal.
		return false
	}
	s.apply(&t, m.set)
	return true
}

// sealedSession reads a session in exactly the layout json.Marshal writes, which is how Seal
// writes it: the members of each object in field order, "email" and "groups_truncated" only
// when not empty, no whitespace. It reports false on anything else, having written only t.
func (m *members) sealedSession(t *Session) bool {
	r := &m.r
	if !r.Exact(`{"at":`) {
		return false
	}
	var ok bool
	if t.AccessToken, ok = m.text(); !ok || !r.Exact(`,"exp":`) {
		return false
	}
	// What encoding/json does with a time.Time: hand it the token.
	if _, tok, ok := r.StringToken(); !ok || t.ExpiresAt.UnmarshalJSON(tok) != nil {
		return false
	}
	u := &t.User
	if !r.Exact(`,"u":{"sub":`) {
		return false
	}
	if u.Sub, ok = m.text(); !ok || !r.Exact(`,"username":`) {
		return false
	}
	if u.Username, ok = m.text(); !ok {
		return false
	}
	set := memAT | memExp | memU | memSub | memUsername | memEmailVerified | memGroups | memAttributes
	if r.Exact(`,"email":`) {
		if u.Email, ok = m.text(); !ok {
			return false
		}
		set |= memEmail
	}
	if !r.Exact(`,"email_verified":`) {
		return false
	}
	if u.EmailVerified, ok = r.Bool(); !ok || !r.Exact(`,"groups":`) {
		return false
	}
	if !r.Null() {
		if u.Groups, ok = m.list(); !ok {
			return false
		}
	}
	if r.Exact(`,"groups_truncated":`) {
		if u.GroupsTruncated, ok = r.Bool(); !ok {
			return false
		}
		set |= memGroupsTruncated
	}
	if !r.Exact(`,"attributes":`) {
		return false
	}
	if !r.Null() {
		if u.Attributes, ok = m.attributes(); !ok {
			return false
		}
	}
	if !r.Exact(`}}`) || !r.End() {
		return false
	}
	m.set = set
	return true
}

// attributes reads an object of strings, as json.Marshal writes it, into a new map, keys
// without escapes in place. A later member of a repeated key wins, as in encoding/json.
func (m *members) attributes() (map[string]string, bool) {
	r := &m.r
	if !r.Exact("{") {
		return nil, false
	}
	attrs := make(map[string]string)
	if r.Exact("}") {
		return attrs, true
	}
	for {
		k, ok := m.text()
		if !ok || !r.Exact(":") {
			return nil, false
		}
		v, ok := m.text()
		if !ok {
			return nil, false
		}
		attrs[k] = v
		if r.Exact("}") {
			return attrs, true
		}
		if !r.Exact(",") {
			return nil, false
		}
	}
}

// apply copies into s the members of t that were set, as json.Unmarshal decodes into a
// value that is not empty: a member absent or null leaves its field as it was (but null
// makes a slice or map nil), an object's members are added to the map there is.
func (s *Session) apply(t *Session, set int) {
	if set&memAT != 0 {
		s.AccessToken = t.AccessToken
	}
	if set&memExp != 0 {
		s.ExpiresAt = t.ExpiresAt
	}
	u, tu := &s.User, &t.User
	if set&memSub != 0 {
		u.Sub = tu.Sub
	}
	if set&memUsername != 0 {
		u.Username = tu.Username
	}
	if set&memEmail != 0 {
		u.Email = tu.Email
	}
	if set&memEmailVerified != 0 {
		u.EmailVerified = tu.EmailVerified
	}
	if set&memGroupsTruncated != 0 {
		u.GroupsTruncated = tu.GroupsTruncated
	}
	if set&memGroups != 0 {
		u.Groups = tu.Groups
	}
	if set&memAttributes != 0 {
		if tu.Attributes == nil || u.Attributes == nil {
			u.Attributes = tu.Attributes
		} else {
			for k, v := range tu.Attributes {
				u.Attributes[k] = v
			}
		}
	}
}

// DecodeSealed implements seal.Decoder: the access token alone, every other member skipped
// (checked as JSON all the same).
func (s *SessionToken) DecodeSealed(data []byte) bool {
	var at string
	m := newMembers(data)
	r := &m.r
	ok := r.Object(func(key []byte) bool {
		if string(key) == "at" {
			return m.str(memAT, &at)
		}
		return jsonread.Unknown(key, sessionTokenNames) && r.Skip()
	}) && r.End()
	if !ok {
		return false
	}
	if m.set&memAT != 0 {
		s.AccessToken = at
	}
	return true
}
