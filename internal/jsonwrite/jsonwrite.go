// Package jsonwrite appends JSON strings and string maps exactly as encoding/json writes
// them, without reflection, for the answers written on every request (the authorizer's,
// GET /auth/session's, the API Gateway response). Its tests hold it to encoding/json.
package jsonwrite

import (
	"slices"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// String appends s as a JSON string. escapeHTML says whether <, > and & are escaped, as
// json.Marshal and a default json.Encoder do.
func String[S string | []byte](b []byte, s S, escapeHTML bool) []byte {
	b = append(b, '"')
	b = StringBody(b, s, escapeHTML)
	return append(b, '"')
}

// StringBody appends the inside of the JSON string for s, with encoding/json's escapes:
// quote, backslash and control characters; <, > and & when escapeHTML; each byte that is
// not part of valid UTF-8 as U+FFFD; and U+2028 and U+2029 always (JavaScript reads them
// as line ends).
func StringBody[S string | []byte](b []byte, s S, escapeHTML bool) []byte {
	start := 0 // s[:start] is in b
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && (!escapeHTML || (c != '<' && c != '>' && c != '&')) {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		// A short conversion, which the compiler makes without a copy on the heap.
		r, size := utf8.DecodeRuneInString(string(s[i:min(len(s), i+utf8.UTFMax)]))
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(b, s[start:]...)
}

// StringMap appends m as encoding/json writes a map[string]string: null when nil, keys in
// byte order.
func StringMap(b []byte, m map[string]string, escapeHTML bool) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	var buf [16]string // most maps written here are small: no allocation for their keys
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
		b = String(b, k, escapeHTML)
		b = append(b, ':')
		b = String(b, m[k], escapeHTML)
	}
	return append(b, '}')
}

// Strings appends list as encoding/json writes a []string: null when nil.
func Strings(b []byte, list []string, escapeHTML bool) []byte {
	if list == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = String(b, s, escapeHTML)
	}
	return append(b, ']')
}
