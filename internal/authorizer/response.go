package authorizer

import (
	"strconv"

	"github.com/monban-auth/monban/internal/jsonwrite"
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
	b = jsonwrite.String(b, v.principal, false)
	b = append(b, `,"policyDocument":{"Version":"2012-10-17","Statement":[{"Action":["execute-api:Invoke"],"Effect":`...)
	if v.allowed {
		b = append(b, `"Allow"`...)
	} else {
		b = append(b, `"Deny"`...)
	}
	b = append(b, `,"Resource":[`...)
	b = jsonwrite.String(b, v.resource, false)
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
	b = jsonwrite.String(b, id.ClientID, false)
	b = append(b, `,"`+monbanauth.ContextExpires+`":`...)
	b = strconv.AppendInt(b, id.ExpiresAt.Unix(), 10)
	b = append(b, `,"`+monbanauth.ContextGroups+`":`...)
	// The groups are a JSON array (encoded by json.Marshal, so with HTML
	// escaping) in a string.
	var buf [256]byte
	groups := jsonwrite.Strings(buf[:0], id.Groups, true)
	b = jsonwrite.String(b, groups, false)
	b = append(b, `,"`+monbanauth.ContextScope+`":"`...)
	for i, s := range id.Scopes {
		if i > 0 {
			b = append(b, ' ')
		}
		b = jsonwrite.StringBody(b, s, false)
	}
	b = append(b, `","`+monbanauth.ContextSubject+`":`...)
	b = jsonwrite.String(b, id.Subject, false)
	b = append(b, `,"`+monbanauth.ContextUsername+`":`...)
	b = jsonwrite.String(b, id.Username, false)
	b = append(b, `,"`+monbanauth.ContextVia+`":`...)
	b = jsonwrite.String(b, string(id.Via), false)
	return append(b, '}')
}
