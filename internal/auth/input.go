package auth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on what a browser may send; Cognito's own limits are looser.
const (
	maxUsername   = 128
	maxPassword   = 256
	maxCode       = 64
	maxAttributes = 32
	maxAttrValue  = 2048
	// maxCredential bounds a passkey's RegistrationResponseJSON or
	// AuthenticationResponseJSON: a none-attestation answer is well under 2 KiB, a packed
	// attestation with its certificate chain a few KiB.
	maxCredential = 16 << 10
	// maxPasskeyID is the base64url length of the longest credential id a relying party
	// accepts: 1023 bytes (WebAuthn Level 3, §7.1 "Registering a New Credential").
	maxPasskeyID = 1364
)

var attributeName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_:.-]{0,63}$`)

// Credentials name a user: Username, or Email for pools that sign in by e-mail.
type Credentials struct {
	Username string `json:"username"`
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (c Credentials) name() string {
	if c.Username != "" {
		return c.Username
	}
	return c.Email
}

func checkName(name string) error {
	if name == "" {
		return Fail(CodeInvalidRequest, "username or email is required", nil)
	}
	if len(name) > maxUsername || !utf8.ValidString(name) || strings.ContainsAny(name, "\x00\r\n\t") {
		return Fail(CodeInvalidRequest, "username is malformed", nil)
	}
	return nil
}

func checkPassword(field, p string) error {
	if p == "" {
		return Fail(CodeInvalidRequest, field+" is required", nil)
	}
	if len(p) > maxPassword || !utf8.ValidString(p) {
		return Fail(CodeInvalidRequest, field+" is malformed", nil)
	}
	return nil
}

// checkCode accepts what Cognito's API accepts for a code (no whitespace), bounded.
func checkCode(code string) error {
	if code == "" {
		return Fail(CodeInvalidRequest, "code is required", nil)
	}
	if len(code) > maxCode || !utf8.ValidString(code) || strings.IndexFunc(code, unicode.IsSpace) >= 0 || strings.ContainsRune(code, 0) {
		return Fail(CodeInvalidRequest, "code is malformed", nil)
	}
	return nil
}

// checkAttributes bounds the user attributes a browser sends (sign-up, a new password's
// required attributes): their number, names and values.
func checkAttributes(m map[string]string) error {
	if len(m) > maxAttributes {
		return Fail(CodeInvalidRequest, "too many attributes", nil)
	}
	for k, v := range m {
		if !attributeName.MatchString(k) || len(v) > maxAttrValue || !utf8.ValidString(v) {
			return Fail(CodeInvalidRequest, fmt.Sprintf("attribute %.64q is malformed", k), nil)
		}
	}
	return nil
}

// checkCredential accepts an authenticator's answer (RegistrationResponseJSON,
// AuthenticationResponseJSON) as a bounded JSON object. Its members are Cognito's to verify.
func checkCredential(c json.RawMessage) error {
	if t := bytes.TrimSpace(c); len(t) == 0 || string(t) == "null" {
		return Fail(CodeInvalidRequest, "credential is required", nil)
	}
	if len(c) > maxCredential || !isObject(c) {
		return Fail(CodeInvalidRequest, "credential is malformed", nil)
	}
	return nil
}

// isObject reports whether b is one JSON object.
func isObject(b json.RawMessage) bool {
	t := bytes.TrimLeft(b, " \t\r\n")
	return len(t) > 0 && t[0] == '{' && json.Valid(t)
}

// checkPasskeyID bounds a passkey's id (base64url in practice): printable, no longer than
// an id can be.
func checkPasskeyID(id string) error {
	if id == "" {
		return Fail(CodeInvalidRequest, "id is required", nil)
	}
	if len(id) > maxPasskeyID || !utf8.ValidString(id) || strings.IndexFunc(id, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return Fail(CodeInvalidRequest, "id is malformed", nil)
	}
	return nil
}
