package httpapi

import (
	"net/http"
	"slices"
	"sync"
	"unicode/utf8"
)

// GET /auth/session is answered on every page load, so its two answers are encoded by hand
// rather than by reflection: byte for byte what writeJSON (json.NewEncoder(w).Encode, HTML
// escaping on, a trailing newline) writes for a sessionView and for {"user": null}, which
// sessionjson_test.go holds them to.

// signedOutJSON is GET /auth/session's answer without a session: 200, so that a signed-out
// visitor's page load logs no failed request.
var signedOutJSON = []byte("{\"user\":null}\n")

// writeSession answers with v (whose Tokens must be nil: GET /auth/session never carries
// them) as writeJSON would.
func writeSession(w http.ResponseWriter, v *sessionView) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	buf := sessionBufs.Get().(*[]byte)
	b, ok := appendSession((*buf)[:0], v)
	if ok {
		w.Write(b) // which must not keep b (io.Writer): it goes back to the pool
		*buf = b
	}
	sessionBufs.Put(buf)
}

// sessionBufs holds the buffers answers are encoded into.
var sessionBufs = sync.Pool{New: func() any {
	b := make([]byte, 0, 512)
	return &b
}}

// writeSignedOut answers with signedOutView as writeJSON would.
func writeSignedOut(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(signedOutJSON)
}

// appendSession appends v's JSON and a newline to b. It reports false for an expiry that
// RFC 3339 cannot spell (a year outside 0–9999), where the encoder writes nothing.
func appendSession(b []byte, v *sessionView) ([]byte, bool) {
	u := &v.User
	b = append(b, `{"user":{"sub":`...)
	b = appendJSONString(b, u.Sub)
	b = append(b, `,"username":`...)
	b = appendJSONString(b, u.Username)
	if u.Email != "" {
		b = append(b, `,"email":`...)
		b = appendJSONString(b, u.Email)
	}
	b = append(b, `,"email_verified":`...)
	b = appendBool(b, u.EmailVerified)
	b = append(b, `,"groups":`...)
	if u.Groups == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, g := range u.Groups {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, g)
		}
		b = append(b, ']')
	}
	if u.GroupsTruncated {
		b = append(b, `,"groups_truncated":true`...)
	}
	b = append(b, `,"attributes":`...)
	b = appendStringMap(b, u.Attributes)
	b = append(b, `},"expires_at":"`...)
	b, err := v.ExpiresAt.AppendText(b)
	if err != nil {
		return nil, false
	}
	return append(b, "\"}\n"...), true
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}

// appendStringMap appends m as encoding/json does: null when nil, keys in byte order.
func appendStringMap(b []byte, m map[string]string) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	var buf [16]string
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = appendJSONString(b, m[k])
	}
	return append(b, '}')
}

// jsonPlain marks the ASCII bytes a JSON string holds as they are with HTML escaping on:
// printable, and none of `"`, `\`, `<`, `>`, `&`.
var jsonPlain = func() (t [utf8.RuneSelf]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	for _, c := range `"\<>&` {
		t[c] = false
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// appendJSONString appends s quoted as encoding/json quotes it with HTML escaping on: the
// short escapes for `"`, `\` and \b \f \n \r \t; \u00XX for the other control bytes and
// for < > &; \u2028 and \u2029 (which break JavaScript); \ufffd for each byte that is not
// part of valid UTF-8.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	done := 0 // s[:done] is in b
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonPlain[c] {
				i++
				continue
			}
			b = append(b, s[done:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, `\b`...)
			case '\f':
				b = append(b, `\f`...)
			case '\n':
				b = append(b, `\n`...)
			case '\r':
				b = append(b, `\r`...)
			case '\t':
				b = append(b, `\t`...)
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			done = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[done:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[done:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		done = i
	}
	b = append(b, s[done:]...)
	return append(b, '"')
}
