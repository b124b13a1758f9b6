package monbanauth

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/monban-auth/monban/internal/apierror"
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

// refusal is what the error contract says about an Authenticate error: its code and the
// fixed message of that outcome (the reason stays for the logs).
func refusal(err error) (apierror.Code, string) {
	switch {
	case errors.Is(err, ErrInvalidCredentials):
		return apierror.Unauthenticated, "the session or token is invalid or has expired"
	case errors.Is(err, ErrNoCredentials):
		return apierror.Unauthenticated, "sign in, or send a valid bearer token"
	case errors.Is(err, ErrForbidden):
		return apierror.Forbidden, "you are not allowed to use this API"
	case errors.Is(err, ErrUnavailable):
		return apierror.UpstreamUnavailable, "credentials cannot be verified right now; try again shortly"
	}
	return apierror.Internal, "internal error"
}

// statusOf maps an Authenticate error to its HTTP status.
func statusOf(err error) int {
	code, _ := refusal(err)
	st, _ := apierror.Status(code)
	return st
}

// WriteError answers with the error contract for an error from Authenticate
// (any other error is a 500 "internal"). Only a fixed message per outcome
// leaves; the reason stays for the logs.
func WriteError(w http.ResponseWriter, err error) {
	code, msg := refusal(err)
	h := w.Header()
	switch code {
	case apierror.Unauthenticated:
		if errors.Is(err, ErrInvalidCredentials) {
			h.Set("WWW-Authenticate", `Bearer realm="monban", error="invalid_token"`)
		} else {
			h.Set("WWW-Authenticate", `Bearer realm="monban"`)
		}
	case apierror.UpstreamUnavailable:
		h.Set("Retry-After", "5")
	}
	h.Set("Cache-Control", "no-store")
	apierror.WriteCode(w, code, msg)
}
