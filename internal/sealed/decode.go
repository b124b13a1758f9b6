package sealed

import (
	"time"
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
	// What encoding/json does with a time.Time: hand it the token. The layout Seal writes,
	// whole seconds in UTC, is read directly.
	_, tok, ok := r.StringToken()
	if !ok {
		return false, false, false
	}
	if t.ExpiresAt, ok = utcSeconds(tok); !ok && t.ExpiresAt.UnmarshalJSON(tok) != nil {
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

// attributes reads an object of strings, as Attributes.MarshalJSON writes it: names in
// strictly increasing byte order, keys without escapes in place. Any other order, a repeated
// name included, is declined (false), as encoding/json's own decoding sorts it out.
func (m *members) attributes() (Attributes, bool) {
	r := &m.r
	if !r.Exact("{") {
		return nil, false
	}
	attrs := make(Attributes, 0, 2)
	if r.Exact("}") {
		return attrs, true
	}
	for {
		k, ok := m.text()
		if !ok || !r.Exact(":") || len(attrs) > 0 && k <= attrs[len(attrs)-1].Name {
			return nil, false
		}
		v, ok := m.text()
		if !ok {
			return nil, false
		}
		attrs = append(attrs, Attribute{k, v})
		if r.Exact("}") {
			return attrs, true
		}
		if !r.Exact(",") {
			return nil, false
		}
	}
}

// apply copies t into s as json.Unmarshal decodes into a value that is not empty: the
// members Seal always writes replace their fields (null makes a slice nil, and the
// attributes none); "email" and "groups_truncated", when absent, leave theirs as they were.
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
	u.Attributes = tu.Attributes
}

// DecodeSealed implements seal.Decoder: the access token alone, every other member skipped
// (checked as JSON all the same).
func (s *SessionToken) DecodeSealed(data []byte) bool {
	var at string
	var set bool
	m := newMembers(data)
	r := &m.r
	ok := r.Object(func(key []byte) bool {
		if string(key) != "at" {
			return jsonread.Unknown(key, sessionTokenNames) && r.Skip()
		}
		// A repeated "at" is read again: the last string wins, as in encoding/json.
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

// utcSeconds reads a JSON string token of the form "2006-01-02T15:04:05Z", which is how
// json.Marshal writes a time in UTC (or any zone at offset zero) without a fraction, as
// time.Time's UnmarshalJSON would. It reports false for anything else, valid or not, which
// UnmarshalJSON then decides.
func utcSeconds(tok []byte) (time.Time, bool) {
	if len(tok) != len(`"2006-01-02T15:04:05Z"`) || tok[0] != '"' || tok[5] != '-' || tok[8] != '-' ||
		tok[11] != 'T' || tok[14] != ':' || tok[17] != ':' || tok[20] != 'Z' || tok[21] != '"' {
		return time.Time{}, false
	}
	ok := true
	num := func(s []byte) int {
		n := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				ok = false
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	year, month, day := num(tok[1:5]), num(tok[6:8]), num(tok[9:11])
	hour, minute, sec := num(tok[12:14]), num(tok[15:17]), num(tok[18:20])
	if !ok || month < 1 || month > 12 || day < 1 || day > daysIn(month, year) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC), true
}

// daysIn is the number of days in month (1-12) of year, in the proleptic Gregorian
// calendar that package time uses.
func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
