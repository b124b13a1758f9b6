package monbanauth

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
)

// Middleware lets through requests that Authenticate accepts, with the
// caller's identity in the request context (see FromContext), and answers
// every other request itself with monban's error contract:
//
//	401 {"error":{"code":"unauthenticated",...}}  no, or an invalid, credential
//	403 {"error":{"code":"forbidden",...}}        a required scope or group is missing
//	503 {"error":{"code":"upstream_unavailable",...}}  signing keys unreachable
//
// A 401 carries "WWW-Authenticate: Bearer" (RFC 6750), with
// error="invalid_token" when a credential was presented and refused.
//
// Browsers send CORS preflight requests without credentials, so a cross-origin
// API must answer them before this middleware.
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := a.Authenticate(r.Context(), RequestOf(r))
		if err != nil {
			level := slog.LevelInfo
			if errors.Is(err, ErrUnavailable) {
				level = slog.LevelError
			}
			a.log.LogAttrs(r.Context(), level, "request refused",
				slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", statusOf(err)), slog.String("reason", err.Error()))
			WriteError(w, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), id)))
	})
}

// statusOf maps an Authenticate error to its HTTP status.
func statusOf(err error) int {
	switch {
	case errors.Is(err, ErrNoCredentials), errors.Is(err, ErrInvalidCredentials):
		return http.StatusUnauthorized
	case errors.Is(err, ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, ErrUnavailable):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// WriteError answers with the error contract for an error from Authenticate
// (any other error is a 500 "internal"). Only a fixed message per outcome
// leaves; the reason stays for the logs.
func WriteError(w http.ResponseWriter, err error) {
	st := statusOf(err)
	d := errorDetail{Code: "internal", Message: "internal error"}
	h := w.Header()
	switch st {
	case http.StatusUnauthorized:
		d = errorDetail{Code: "unauthenticated", Message: "sign in, or send a valid bearer token"}
		if errors.Is(err, ErrInvalidCredentials) {
			d.Message = "the session or token is invalid or has expired"
			h.Set("WWW-Authenticate", `Bearer realm="monban", error="invalid_token"`)
		} else {
			h.Set("WWW-Authenticate", `Bearer realm="monban"`)
		}
	case http.StatusForbidden:
		d = errorDetail{Code: "forbidden", Message: "you are not allowed to use this API"}
	case http.StatusServiceUnavailable:
		d = errorDetail{Code: "upstream_unavailable", Message: "credentials cannot be verified right now; try again shortly"}
		h.Set("Retry-After", "5")
	}
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(st)
	_ = json.NewEncoder(w).Encode(errorBody{Error: d})
}
