package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/monban-auth/monban/internal/apierror"
	"github.com/monban-auth/monban/internal/auth"
)

// StatusOf returns the HTTP status for err's code (apierror holds every code's).
func StatusOf(err error) int {
	if s, ok := apierror.Status(auth.CodeOf(err)); ok {
		return s
	}
	return http.StatusInternalServerError
}

// statusError overrides the status of a code where the HTTP semantics are more precise
// (413, 415) than the code's default.
type statusError struct {
	status int
	err    *auth.Error
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

// writeError answers with the error contract. Only the code and the safe message leave; the
// cause goes to the log. Internal failures get a generic message.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var e *auth.Error
	if !errors.As(err, &e) {
		e = auth.Fail(auth.CodeInternal, "internal error", err)
	}
	st := StatusOf(e)
	var se *statusError
	if errors.As(err, &se) {
		st = se.status
	}
	msg := e.Message
	if st >= 500 && e.Code == auth.CodeInternal {
		msg = "internal error"
	}
	level := slog.LevelInfo
	if st >= 500 {
		level = slog.LevelError
	}
	log.LogAttrs(r.Context(), level, "request failed",
		slog.String("method", r.Method), slog.String("path", r.URL.Path),
		slog.Int("status", st), slog.String("code", string(e.Code)), slog.String("cause", e.Error()))
	apierror.Write(w, st, e.Code, msg)
}

func writeJSON(w http.ResponseWriter, st int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(st)
	json.NewEncoder(w).Encode(v)
}
