package sealed

import (
	"github.com/monban-auth/monban/internal/jsonread"
)

// The session cookie is opened on every page load (GET /auth/session) and by every API
// behind monban, so its payloads decode themselves (seal.Decoder) instead of going through
// encoding/json's reflection. Each decodes exactly what json.Unmarshal would, into an empty
// value or not, or declines and leaves the value untouched for json.Unmarshal; the tests
// hold both to the same results on the same input.

// JSON names of the members, for jsonread.Unknown.
var (
	sessionNames      = []string{"at", "exp", "u"}
	userNames         = []string{"sub", "username", "email", "email_verified", "groups", "groups_truncated", "attributes"}
	sessionTokenNames = []string{"at"}
)

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

// members tracks the members of one decoding of data, and holds data's one copy: strings
// without escapes are slices of it, so that a payload costs one allocation for them all.
type members struct {
	seen, set int
	r         jsonread.Reader
	all       string
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

// strings reads an array of strings or null into dst as encoding/json reads it into a new
// []string (null is nil, [] an empty slice), marking bit set. A null element is declined:
// encoding/json would leave the element of the slice it decodes into as it was.
func (m *members) strings(bit int, dst *[]string) bool {
	if !m.once(bit) {
		return false
	}
	m.set |= bit
	if m.r.Null() {
		return true
	}
	list := make([]string, 0, 4)
	ok := m.r.Array(func() bool {
		v, ok := m.text()
		list = append(list, v)
		return ok
	})
	*dst = list
	return ok
}

// boolean reads true, false or null into dst, marking bit set for true or false.
func (m *members) boolean(bit int, dst *bool) bool {
	if !m.once(bit) {
		return false
	}
	if m.r.Null() {
		return true
	}
	v, ok := m.r.Bool()
	*dst = v
	m.set |= bit
	return ok
}

// DecodeSealed implements seal.Decoder.
func (s *Session) DecodeSealed(data []byte) bool {
	var (
		t     Session
		attrs []string // key, value, …: added to s's map only once the whole payload decoded
	)
	m := members{r: jsonread.New(data), all: string(data)}
	r := &m.r
	user := func(key []byte) bool {
		switch string(key) {
		case "sub":
			return m.str(memSub, &t.User.Sub)
		case "username":
			return m.str(memUsername, &t.User.Username)
		case "email":
			return m.str(memEmail, &t.User.Email)
		case "email_verified":
			return m.boolean(memEmailVerified, &t.User.EmailVerified)
		case "groups_truncated":
			return m.boolean(memGroupsTruncated, &t.User.GroupsTruncated)
		case "groups":
			return m.strings(memGroups, &t.User.Groups)
		case "attributes":
			if !m.once(memAttributes) {
				return false
			}
			m.set |= memAttributes
			if r.Null() {
				return true
			}
			attrs = make([]string, 0, 8) // an object, even {}: the map is made
			return r.Object(func(k []byte) bool {
				v, ok := m.text()
				attrs = append(attrs, string(k), v)
				return ok
			})
		}
		return jsonread.Unknown(key, userNames) && r.Skip()
	}
	ok := r.Object(func(key []byte) bool {
		switch string(key) {
		case "at":
			return m.str(memAT, &t.AccessToken)
		case "exp":
			if !m.once(memExp) {
				return false
			}
			if r.Null() {
				return true
			}
			_, tok, ok := r.StringToken()
			// What encoding/json does with a time.Time: hand it the token.
			m.set |= memExp
			return ok && t.ExpiresAt.UnmarshalJSON(tok) == nil
		case "u":
			return m.once(memU) && (r.Null() || r.Object(user))
		}
		return jsonread.Unknown(key, sessionNames) && r.Skip()
	}) && r.End()
	if !ok {
		return false
	}
	s.apply(&t, m.set, attrs)
	return true
}

// apply copies into s the members of t that were set, as json.Unmarshal decodes into a
// value that is not empty: a member absent or null leaves its field as it was (but null
// makes a slice or map nil), an object's members are added to the map there is.
func (s *Session) apply(t *Session, set int, attrs []string) {
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
		switch {
		case attrs == nil:
			u.Attributes = nil
		case u.Attributes == nil:
			u.Attributes = make(map[string]string, len(attrs)/2)
		}
		for i := 0; i < len(attrs); i += 2 {
			u.Attributes[attrs[i]] = attrs[i+1]
		}
	}
}

// DecodeSealed implements seal.Decoder: the access token alone, every other member skipped
// (checked as JSON all the same).
func (s *SessionToken) DecodeSealed(data []byte) bool {
	var at string
	m := members{r: jsonread.New(data), all: string(data)}
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
