package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/monban-auth/monban/internal/auth"
)

// status is the one place error codes become HTTP statuses.
var status = map[auth.Code]int{
	auth.CodeInvalidRequest:        http.StatusBadRequest,
	auth.CodeInvalidCredentials:    http.StatusUnauthorized,
	auth.CodeUserNotConfirmed:      http.StatusForbidden,
	auth.CodeCodeMismatch:          http.StatusBadRequest,
	auth.CodeExpiredCode:           http.StatusBadRequest,
	auth.CodeInvalidPassword:       http.StatusBadRequest,
	auth.CodeTooManyRequests:       http.StatusTooManyRequests,
	auth.CodeUnauthenticated:       http.StatusUnauthorized,
	auth.CodeForbiddenOrigin:       http.StatusForbidden,
	auth.CodeUpstreamUnavailable:   http.StatusServiceUnavailable,
	auth.CodeInternal:              http.StatusInternalServerError,
	auth.CodeNotFound:              http.StatusNotFound,
	auth.CodeMethodNotAllowed:      http.StatusMethodNotAllowed,
	auth.CodeUsernameExists:        http.StatusConflict,
	auth.CodePasswordResetRequired: http.StatusForbidden,
	auth.CodeSignUpRejected:        http.StatusBadRequest,
	auth.CodeNoChallenge:           http.StatusUnauthorized,
	auth.CodeInvalidState:          http.StatusBadRequest,
	auth.CodeAccessDenied:          http.StatusForbidden,
	auth.CodeSignInFailed:          http.StatusUnauthorized,
	auth.CodeInvalidToken:          http.StatusUnauthorized,
}

// StatusOf returns the HTTP status for err's code.
func StatusOf(err error) int {
	if s, ok := status[auth.CodeOf(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    auth.Code `json:"code"`
	Message string    `json:"message"`
}

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
	writeJSON(w, st, errorBody{Error: errorDetail{Code: e.Code, Message: msg}})
}

func writeJSON(w http.ResponseWriter, st int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(st)
	json.NewEncoder(w).Encode(v)
}
