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

// members reads one decoding of data, and holds data as a string: strings without escapes
// are slices of it, so that they cost no allocation.
type members struct {
	r   jsonread.Reader
	all string
}

// newMembers starts a decoding of data, which seal.Open hands over for good (seal.Decoder):
// nothing writes to it afterwards, so a string over its bytes never changes, and strings
// without escapes can share them instead of each being copied.
func newMembers(data []byte) members {
	return members{r: jsonread.New(data), all: unsafe.String(unsafe.SliceData(data), len(data))}
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
	email, truncated, ok := m.sealedSession(&t)
	if !ok {
		// Not the layout Seal writes: a value sealed by another release, or not JSON at all.
		// Rare enough to leave to json.Unmarshal.
		return false
	}
	s.apply(&t, email, truncated)
	return true
}

// sealedSession reads a session in exactly the layout json.Marshal writes, which is how Seal
// writes it: the members of each object in field order, "email" and "groups_truncated" only
// when not empty, no whitespace. It reports which of those two it read, or false on anything
// else, having written only t.
func (m *members) sealedSession(t *Session) (email, truncated, ok bool) {
	r := &m.r
	if !r.Exact(`{"at":`) {
		return false, false, false
	}
	if t.AccessToken, ok = m.text(); !ok || !r.Exact(`,"exp":`) {
		return false, false, false
	}
	// What encoding/json does with a time.Time: hand it the token.
	if _, tok, ok := r.StringToken(); !ok || t.ExpiresAt.UnmarshalJSON(tok) != nil {
		return false, false, false
	}
	u := &t.User
	if !r.Exact(`,"u":{"sub":`) {
		return false, false, false
	}
	if u.Sub, ok = m.text(); !ok || !r.Exact(`,"username":`) {
		return false, false, false
	}
	if u.Username, ok = m.text(); !ok {
		return false, false, false
	}
	if r.Exact(`,"email":`) {
		if u.Email, ok = m.text(); !ok {
			return false, false, false
		}
		email = true
	}
	if !r.Exact(`,"email_verified":`) {
		return false, false, false
	}
	if u.EmailVerified, ok = r.Bool(); !ok || !r.Exact(`,"groups":`) {
		return false, false, false
	}
	if !r.Null() {
		if u.Groups, ok = m.list(); !ok {
			return false, false, false
		}
	}
	if r.Exact(`,"groups_truncated":`) {
		if u.GroupsTruncated, ok = r.Bool(); !ok {
			return false, false, false
		}
		truncated = true
	}
	if !r.Exact(`,"attributes":`) {
		return false, false, false
	}
	if !r.Null() {
		if u.Attributes, ok = m.attributes(); !ok {
			return false, false, false
		}
	}
	if !r.Exact(`}}`) || !r.End() {
		return false, false, false
	}
	return email, truncated, true
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

// apply copies t into s as json.Unmarshal decodes into a value that is not empty: the
// members Seal always writes replace their fields (null makes a slice or map nil); "email"
// and "groups_truncated", when absent, leave theirs as they were; an attributes object's
// members are added to the map there is.
func (s *Session) apply(t *Session, email, truncated bool) {
	s.AccessToken, s.ExpiresAt = t.AccessToken, t.ExpiresAt
	u, tu := &s.User, &t.User
	u.Sub, u.Username, u.EmailVerified, u.Groups = tu.Sub, tu.Username, tu.EmailVerified, tu.Groups
	if email {
		u.Email = tu.Email
	}
	if truncated {
		u.GroupsTruncated = tu.GroupsTruncated
	}
	if tu.Attributes == nil || u.Attributes == nil {
		u.Attributes = tu.Attributes
	} else {
		for k, v := range tu.Attributes {
			u.Attributes[k] = v
		}
	}
}

// DecodeSealed implements seal.Decoder: the access token alone, every other member skipped
// (checked as JSON all the same).
func (s *SessionToken) DecodeSealed(data []byte) bool {
	var at string
	var seen, set bool
	m := newMembers(data)
	r := &m.r
	ok := r.Object(func(key []byte) bool {
		if string(key) != "at" {
			return jsonread.Unknown(key, sessionTokenNames) && r.Skip()
		}
		if seen {
			return false // a duplicate, which encoding/json would merge and Seal never writes
		}
		seen = true
		if r.Null() {
			return true // null leaves the field as it was
		}
		var ok bool
		at, ok = m.text()
		set = ok
		return ok
	}) && r.End()
	if !ok {
		return false
	}
	if set {
		s.AccessToken = at
	}
	return true
}
