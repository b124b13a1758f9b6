package authorizer

import (
	"strconv"
	"unicode/utf8"

	"github.com/monban-auth/monban/pkg/monbanauth"
)

// appendJSON appends the JSON of v.response() exactly as the Lambda runtime
// writes it (encoding/json with HTML escaping off, no trailing newline): the
// field order of the aws-lambda-go types, and the context's keys sorted, as
// encoding/json sorts a map's.
func (v verdict) appendJSON(b []byte) []byte {
	if v.shape == shapeSimple {
		if !v.allowed {
			return append(b, `{"isAuthorized":false}`...)
		}
		b = append(b, `{"isAuthorized":true,"context":`...)
		b = appendContext(b, v.id)
		return append(b, '}')
	}
	b = append(b, `{"principalId":`...)
	b = appendString(b, v.principal, false)
	b = append(b, `,"policyDocument":{"Version":"2012-10-17","Statement":[{"Action":["execute-api:Invoke"],"Effect":`...)
	if v.allowed {
		b = append(b, `"Allow"`...)
	} else {
		b = append(b, `"Deny"`...)
	}
	b = append(b, `,"Resource":[`...)
	b = appendString(b, v.resource, false)
	b = append(b, `]}]}`...)
	if v.allowed {
		// A Deny has no context, which the type's omitempty leaves out.
		b = append(b, `,"context":`...)
		b = appendContext(b, v.id)
	}
	return append(b, '}')
}

// appendContext appends id.AuthorizerContext() as JSON, its keys in sorted order.
func appendContext(b []byte, id *monbanauth.Identity) []byte {
	b = append(b, `{"`+monbanauth.ContextClientID+`":`...)
	b = appendString(b, id.ClientID, false)
	b = append(b, `,"`+monbanauth.ContextExpires+`":`...)
	b = strconv.AppendInt(b, id.ExpiresAt.Unix(), 10)
	b = append(b, `,"`+monbanauth.ContextGroups+`":`...)
	// The groups are a JSON array (encoded by json.Marshal, so with HTML
	// escaping) in a string.
	var buf [256]byte
	groups := buf[:0]
	if id.Groups == nil {
		groups = append(groups, "null"...)
	} else {
		groups = append(groups, '[')
		for i, g := range id.Groups {
			if i > 0 {
				groups = append(groups, ',')
			}
			groups = appendString(groups, g, true)
		}
		groups = append(groups, ']')
	}
	b = appendString(b, groups, false)
	b = append(b, `,"`+monbanauth.ContextScope+`":"`...)
	for i, s := range id.Scopes {
		if i > 0 {
			b = append(b, ' ')
		}
		b = appendStringBody(b, s, false)
	}
	b = append(b, `","`+monbanauth.ContextSubject+`":`...)
	b = appendString(b, id.Subject, false)
	b = append(b, `,"`+monbanauth.ContextUsername+`":`...)
	b = appendString(b, id.Username, false)
	b = append(b, `,"`+monbanauth.ContextVia+`":`...)
	b = appendString(b, string(id.Via), false)
	return append(b, '}')
}

// appendString appends s as a JSON string, escaped as encoding/json escapes it.
func appendString[S string | []byte](b []byte, s S, escapeHTML bool) []byte {
	b = append(b, '"')
	b = appendStringBody(b, s, escapeHTML)
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"

// appendStringBody appends the inside of the JSON string for s, with
// encoding/json's escapes: quote, backslash and control characters; <, > and &
// when escapeHTML (json.Marshal) is set; invalid UTF-8 as U+FFFD; and U+2028 and
// U+2029, always.
func appendStringBody[S string | []byte](b []byte, s S, escapeHTML bool) []byte {
	start := 0
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
