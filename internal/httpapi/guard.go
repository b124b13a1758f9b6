package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/monban-auth/monban/internal/auth"
)

// MaxBodyBytes bounds every request body; auth requests are small.
const MaxBodyBytes = 16 << 10

// cors answers preflights and marks responses readable by allow-listed origins only, with
// credentials (the cookies). Other origins get no CORS headers, so browsers hide the answer.
func (h *handler) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		allowed := origin != "" && h.Origins.AllowsOrigin(origin)
		w.Header().Add("Vary", "Origin")
		if allowed {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			if !allowed {
				writeError(w, r, h.log, auth.Fail(auth.CodeForbiddenOrigin, "origin not allowed", nil))
				return
			}
			w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
			w.Header().Set("Access-Control-Allow-Headers", "Content-Type, Authorization")
			w.Header().Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkOrigin is the CSRF rule for state-changing requests: an allow-listed Origin, or,
// when a browser sent none, Sec-Fetch-Site: same-origin.
func (h *handler) checkOrigin(r *http.Request) error {
	if o := r.Header.Get("Origin"); o != "" {
		if h.Origins.AllowsOrigin(o) {
			return nil
		}
		return auth.Fail(auth.CodeForbiddenOrigin, "origin not allowed", fmt.Errorf("origin %.80q", o))
	}
	if r.Header.Get("Sec-Fetch-Site") == "same-origin" {
		return nil
	}
	return auth.Fail(auth.CodeForbiddenOrigin, "request origin unknown", nil)
}

// checkPost applies the CSRF rules to a POST: the origin, and a JSON content type, which a
// cross-site form cannot send without a CORS preflight.
func (h *handler) checkPost(r *http.Request) error {
	if err := h.checkOrigin(r); err != nil {
		return err
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return &statusError{http.StatusUnsupportedMediaType, auth.Fail(auth.CodeInvalidRequest, "Content-Type must be application/json", nil)}
	}
	return nil
}

// statusError overrides the status of a code where the HTTP semantics are more precise
// (413, 415) than the code's default.
type statusError struct {
	status int
	err    *auth.Error
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

// decode reads a JSON body into dst: bounded, one object, no unknown fields, no trailing
// data. An empty body decodes as {}.
func decode(w http.ResponseWriter, r *http.Request, dst any) error {
	body := http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err == nil {
		if _, extra := dec.Token(); !errors.Is(extra, io.EOF) {
			err = errors.New("trailing data after the JSON object")
		}
	}
	if err == nil {
		return nil
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &statusError{http.StatusRequestEntityTooLarge, auth.Fail(auth.CodeInvalidRequest, fmt.Sprintf("body exceeds %d bytes", MaxBodyBytes), nil)}
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return auth.Fail(auth.CodeInvalidRequest, fmt.Sprintf("field %q has the wrong type", typeErr.Field), nil)
	}
	return auth.Fail(auth.CodeInvalidRequest, "body is not a valid JSON object", err)
}
