package token

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/monban-auth/monban/internal/jsonread"
)

// Claims is what a verified token says about its user.
type Claims struct {
	Subject string
	// Username is "cognito:username" in an ID token and "username" in an
	// access token.
	Username string
	Email    string
	// EmailVerified accepts both the boolean Cognito issues and the "true"
	// string some triggers and emulators produce.
	EmailVerified bool
	// Groups is "cognito:groups".
	Groups []string
	// Scope is the access token's space-separated "scope".
	Scope    string
	TokenUse string
	// ClientID is the access token's "client_id".
	ClientID string
	// Audience is the ID token's "aud", a string or a list in the token.
	Audience  []string
	Nonce     string
	IssuedAt  time.Time
	ExpiresAt time.Time
	// AuthTime is "auth_time": when the user last signed in. Cognito keeps it across
	// refreshes, so it tells a fresh sign-in from an old session (zero when absent).
	AuthTime time.Time
	// Attributes holds the other string claims that are not reserved, such
	// as "custom:tenant", "name" or claims added by a pre-token-generation
	// trigger. It is nil when there are none.
	Attributes map[string]string
}

// seenSet records which claims a token carried, to tell a missing claim from
// an empty one and to reject duplicates.
type seenSet uint32

const (
	seenIss seenSet = 1 << iota
	seenSub
	seenAud
	seenExp
	seenNbf
	seenIat
	seenTokenUse
	seenClientID
	seenIDUsername
	seenAccessUsername
	seenEmail
	seenEmailVerified
	seenGroups
	seenScope
	seenNonce
	seenAuthTime
)

// decoded is a payload's claims plus what the checks need but callers do not.
type decoded struct {
	claims *Claims
	seen   seenSet
	// utf8 is whether the whole payload is valid UTF-8, and so each string in it: quotes
	// are ASCII, so no string's bounds split a character. Strings are then not checked one
	// by one.
	utf8 bool
	// wantIssuer is the issuer expected; issuerMatches is whether "iss" is it, compared
	// in place rather than copied.
	wantIssuer     string
	issuerMatches  bool
	idUsername     string
	accessUsername string
	notBefore      time.Time
}

// reservedClaim reports the claims never copied into Attributes: they are either decoded
// into fields or are protocol bookkeeping that means nothing to callers.
func reservedClaim(name []byte) bool {
	switch string(name) {
	case "jti", "auth_time", "origin_jti", "event_id", "at_hash", "c_hash", "azp", "version", "acr", "amr",
		"cognito:roles", "cognito:preferred_role":
		return true
	}
	return false
}

func malformedClaim(name string) error { return reject("malformed claim " + name) }

// decodeClaims decodes a verified payload. Claims the package interprets must
// have the expected JSON type; anything else would be a token we do not
// understand, so it is refused rather than half-read. issuer is the "iss" the
// checks expect.
func decodeClaims(payload []byte, issuer string) (decoded, error) {
	d := decoded{claims: &Claims{}, wantIssuer: issuer}
	var room [32]span // more than a Cognito token has
	members, ok := objectMembers(payload, room[:0])
	if !ok {
		return d, errMalformedClaims
	}
	d.utf8 = utf8.Valid(payload)
	for _, m := range members {
		key, ok := stringValue(payload[m.key:m.keyEnd], d.utf8)
		if !ok {
			return d, errMalformedClaims
		}
		bit, err := d.member(key, payload[m.val:m.valEnd])
		if err != nil {
			return d, err
		}
		if d.seen&bit != 0 {
			// JSON parsers disagree on which duplicate wins; refuse to pick.
			return d, errDuplicateClaim
		}
		d.seen |= bit
	}
	return d, nil
}

// member decodes one claim into d and returns its bit in seenSet (0 for the
// claims kept in Attributes, which check their own duplicates).
func (d *decoded) member(key, val []byte) (bit seenSet, err error) {
	c := d.claims
	switch string(key) {
	case "iss":
		bit = seenIss
		iss, ok := stringValue(val, d.utf8)
		if !ok {
			err = malformedClaim("iss")
		}
		d.issuerMatches = string(iss) == d.wantIssuer
	case "sub":
		bit = seenSub
		c.Subject, err = d.claimString(val, "sub")
	case "aud":
		bit = seenAud
		c.Audience, err = d.claimStrings(val, true, "aud")
	case "exp":
		bit = seenExp
		c.ExpiresAt, err = claimTime(val, "exp")
	case "nbf":
		bit = seenNbf
		d.notBefore, err = claimTime(val, "nbf")
	case "iat":
		bit = seenIat
		c.IssuedAt, err = claimTime(val, "iat")
	case "token_use":
		bit = seenTokenUse
		// The two values the checks accept cost no copy.
		s, ok := stringValue(val, d.utf8)
		switch {
		case !ok:
			err = malformedClaim("token_use")
		case string(s) == "access":
			c.TokenUse = "access"
		case string(s) == "id":
			c.TokenUse = "id"
		default:
			c.TokenUse = string(s)
		}
	case "client_id":
		bit = seenClientID
		c.ClientID, err = d.claimString(val, "client_id")
	case "cognito:username":
		bit = seenIDUsername
		d.idUsername, err = d.claimString(val, "cognito:username")
	case "username":
		bit = seenAccessUsername
		d.accessUsername, err = d.claimString(val, "username")
	case "email":
		bit = seenEmail
		c.Email, err = d.claimString(val, "email")
	case "email_verified":
		bit = seenEmailVerified
		c.EmailVerified, err = claimBool(val, "email_verified")
	case "cognito:groups":
		bit = seenGroups
		c.Groups, err = d.claimStrings(val, false, "cognito:groups")
	case "scope":
		bit = seenScope
		c.Scope, err = d.claimString(val, "scope")
	case "nonce":
		bit = seenNonce
		c.Nonce, err = d.claimString(val, "nonce")
	case "auth_time":
		bit = seenAuthTime
		c.AuthTime, err = claimTime(val, "auth_time")
	default:
		err = d.addAttribute(key, val)
	}
	return bit, err
}

// addAttribute keeps a string claim the package does not interpret in
// Attributes; reserved claims and values of other types are skipped.
func (d *decoded) addAttribute(key, val []byte) error {
	if reservedClaim(key) || len(val) == 0 || val[0] != '"' {
		return nil
	}
	s, ok := stringValue(val, d.utf8)
	if !ok {
		return errMalformedClaims
	}
	c := d.claims
	if c.Attributes == nil {
		c.Attributes = make(map[string]string)
	}
	if _, dup := c.Attributes[string(key)]; dup {
		return errDuplicateClaim
	}
	c.Attributes[string(key)] = string(s)
	return nil
}

func (d *decoded) claimString(val []byte, name string) (string, error) {
	s, ok := stringValue(val, d.utf8)
	if !ok {
		return "", malformedClaim(name)
	}
	return string(s), nil
}

// claimStrings reads a list of strings; single allows a lone string, which
// is how "aud" is usually written.
func (d *decoded) claimStrings(val []byte, single bool, name string) ([]string, error) {
	if single && len(val) > 0 && val[0] == '"' {
		s, err := d.claimString(val, name)
		if err != nil {
			return nil, err
		}
		return []string{s}, nil
	}
	var it walker
	if !it.array(val) {
		return nil, malformedClaim(name)
	}
	// Count first so the slice is allocated once, at its final size. The walk below
	// repeats this one over the same bytes, so an error (an element that is not well
	// formed, or nested past jsonread's limit) is met here first, before any element is
	// kept: the list is refused, never cut short.
	n := 0
	for it.next(val) {
		n++
	}
	if it.err {
		return nil, malformedClaim(name)
	}
	if n == 0 {
		return nil, nil
	}
	out := make([]string, 0, n)
	it.array(val)
	for it.next(val) {
		s, err := d.claimString(val[it.start:it.end], name)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func claimBool(val []byte, name string) (bool, error) {
	switch string(val) {
	case "true", `"true"`:
		return true, nil
	case "false", `"false"`:
		return false, nil
	}
	return false, malformedClaim(name)
}

// maxNumericDate (year 5138) keeps absurd values from overflowing time math.
const maxNumericDate = 1e11

// claimTime reads a NumericDate: seconds since the epoch, possibly with a
// fraction.
func claimTime(val []byte, name string) (time.Time, error) {
	if len(val) == 0 || (val[0] < '0' || val[0] > '9') {
		return time.Time{}, malformedClaim(name)
	}
	if n, err := strconv.ParseInt(string(val), 10, 64); err == nil {
		if n > maxNumericDate {
			return time.Time{}, malformedClaim(name)
		}
		return time.Unix(n, 0), nil
	}
	f, err := strconv.ParseFloat(string(val), 64)
	if err != nil || f > maxNumericDate || math.IsNaN(f) {
		return time.Time{}, malformedClaim(name)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), nil
}

// stringValue returns the contents of a JSON string token. Strings without
// escapes, the common case, are returned in place without copying; knownUTF8
// says the token is known to be valid UTF-8, which is then not checked again.
func stringValue(tok []byte, knownUTF8 bool) ([]byte, bool) {
	if len(tok) < 2 || tok[0] != '"' || tok[len(tok)-1] != '"' {
		return nil, false
	}
	inner := tok[1 : len(tok)-1]
	if bytes.IndexByte(inner, '\\') < 0 && (knownUTF8 || utf8.Valid(inner)) {
		return inner, true
	}
	var s string
	// A copy, so that tok (a token parsed on the stack) never escapes through Unmarshal.
	if err := json.Unmarshal(bytes.Clone(tok), &s); err != nil {
		return nil, false
	}
	return []byte(s), true
}

// walker steps through the elements of an array taken from a document
// objectMembers validated, without building anything: each step finds the next
// element's bounds (an element nested past jsonread's depth limit is an error, as
// it is not the string the caller wants). It holds offsets, not the array, so that the array (part of a token
// parsed on the stack) never escapes to the heap: every call is handed the array.
type walker struct {
	pos        int
	start, end int // the current element is arr[start:end]
	started    bool
	err        bool
}

// array starts a walk over arr and reports whether it is an array.
func (w *walker) array(arr []byte) bool {
	*w = walker{pos: jsonread.SpaceEnd(arr, 0)}
	if w.pos >= len(arr) || arr[w.pos] != '[' {
		return false
	}
	w.pos = jsonread.SpaceEnd(arr, w.pos+1)
	return true
}

// next advances to the following element of arr, returning false at the end or,
// with w.err set, if the input turns out not to be well formed.
func (w *walker) next(arr []byte) bool {
	if w.err || w.pos >= len(arr) || arr[w.pos] == ']' {
		return false
	}
	if w.started {
		// Step over the comma that separates this element from the previous.
		if arr[w.pos] != ',' {
			w.err = true
			return false
		}
		w.pos = jsonread.SpaceEnd(arr, w.pos+1)
	}
	w.started = true
	end, ok := jsonread.ValueEnd(arr, w.pos)
	if !ok {
		w.err = true
		return false
	}
	w.start, w.end = w.pos, end
	w.pos = jsonread.SpaceEnd(arr, end)
	return true
}
