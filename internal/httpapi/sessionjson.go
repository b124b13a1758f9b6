package httpapi

import (
	"net/http"
	"sync"

	"github.com/monban-auth/monban/internal/jsonwrite"
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
	b = jsonwrite.String(b, u.Sub, true)
	b = append(b, `,"username":`...)
	b = jsonwrite.String(b, u.Username, true)
	if u.Email != "" {
		b = append(b, `,"email":`...)
		b = jsonwrite.String(b, u.Email, true)
	}
	b = append(b, `,"email_verified":`...)
	b = appendBool(b, u.EmailVerified)
	b = append(b, `,"groups":`...)
	b = jsonwrite.Strings(b, u.Groups, true)
	if u.GroupsTruncated {
		b = append(b, `,"groups_truncated":true`...)
	}
	b = append(b, `,"attributes":`...)
	b = u.Attributes.AppendJSON(b, true)
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
