// Package apierror is monban's error contract on the wire (SPEC §5): the one JSON envelope
// every API of monban answers a failure with, {"error":{"code":…,"message":…}}, and the HTTP
// status of every code. Package auth names the codes of the auth API's flows; an API behind
// monban (monbanauth, the sample API) answers only the few named here.
//
// The package is tiny and imports nothing of monban's: monbanauth, which other APIs import,
// carries it.
package apierror

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
)

// Code is a stable error code: clients may switch on it, and it never changes meaning.
type Code string

// Every code of the contract, with its HTTP status in statuses. An API behind monban
// (monbanauth, the sample API) answers only the first group; the auth API answers them all
// (Forbidden for an attribute the user may not change), and package auth names them for its
// flows.
const (
	Unauthenticated     Code = "unauthenticated"      // no credential, or an invalid one
	UpstreamUnavailable Code = "upstream_unavailable" // a dependency is down; try again
	Internal            Code = "internal"             // a bug or a misconfiguration
	NotFound            Code = "not_found"            // no such endpoint
	MethodNotAllowed    Code = "method_not_allowed"   // the path exists, the method does not
	// Forbidden: the caller is authenticated but not allowed (a scope or group is missing,
	// an attribute the user may not change, or the request did not come through the site's
	// CloudFront distribution).
	Forbidden Code = "forbidden"

	// The auth API's flows.
	InvalidRequest        Code = "invalid_request"
	InvalidCredentials    Code = "invalid_credentials"
	UserNotConfirmed      Code = "user_not_confirmed"
	CodeMismatch          Code = "code_mismatch"
	ExpiredCode           Code = "expired_code"
	InvalidPassword       Code = "invalid_password"
	TooManyRequests       Code = "too_many_requests"
	ForbiddenOrigin       Code = "forbidden_origin"
	UsernameExists        Code = "username_exists"
	PasswordResetRequired Code = "password_reset_required"
	SignUpRejected        Code = "sign_up_rejected"
	NoPendingChallenge    Code = "no_pending_challenge"
	// ReauthenticationRequired: the action (deleting the account) needs a recent sign-in
	// or the password, and the request had neither.
	ReauthenticationRequired Code = "reauthentication_required"

	// Callback failures, sent to the error page as ?error=<code>.
	InvalidState Code = "invalid_state"
	AccessDenied Code = "access_denied"
	SignInFailed Code = "sign_in_failed"
	InvalidToken Code = "invalid_token"
)

// statuses is the HTTP status of every code.
var statuses = map[Code]int{
	Unauthenticated:     http.StatusUnauthorized,
	UpstreamUnavailable: http.StatusServiceUnavailable,
	Internal:            http.StatusInternalServerError,
	NotFound:            http.StatusNotFound,
	MethodNotAllowed:    http.StatusMethodNotAllowed,
	Forbidden:           http.StatusForbidden,

	InvalidRequest:           http.StatusBadRequest,
	InvalidCredentials:       http.StatusUnauthorized,
	UserNotConfirmed:         http.StatusForbidden,
	CodeMismatch:             http.StatusBadRequest,
	ExpiredCode:              http.StatusBadRequest,
	InvalidPassword:          http.StatusBadRequest,
	TooManyRequests:          http.StatusTooManyRequests,
	ForbiddenOrigin:          http.StatusForbidden,
	UsernameExists:           http.StatusConflict,
	PasswordResetRequired:    http.StatusForbidden,
	SignUpRejected:           http.StatusBadRequest,
	NoPendingChallenge:       http.StatusUnauthorized,
	ReauthenticationRequired: http.StatusForbidden,
	InvalidState:             http.StatusBadRequest,
	AccessDenied:             http.StatusForbidden,
	SignInFailed:             http.StatusUnauthorized,
	InvalidToken:             http.StatusUnauthorized,
}

// Status returns the HTTP status of c, and whether c is a code of the contract.
func Status(c Code) (int, bool) {
	s, ok := statuses[c]
	return s, ok
}

// Codes lists every code of the contract, sorted.
func Codes() []Code {
	return slices.Sorted(maps.Keys(statuses))
}

// Body is the envelope: every error answer's JSON body.
type Body struct {
	Error Detail `json:"error"`
}

// Detail is what the envelope says: the code, and a message safe to show a user (never a
// cause, a credential or anything else meant for the logs).
type Detail struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
}

// Write answers with status and the envelope of code and message. Headers the caller set
// before (Allow, WWW-Authenticate, Cache-Control) are sent with it.
func Write(w http.ResponseWriter, status int, code Code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(Body{Error: Detail{Code: code, Message: message}})
}

// WriteCode answers with the envelope of one of the codes above, at its status.
func WriteCode(w http.ResponseWriter, code Code, message string) {
	st, ok := Status(code)
	if !ok {
		st = http.StatusInternalServerError
	}
	Write(w, st, code, message)
}
