// Package auth holds monban's authentication flows as plain Go: typed inputs and outputs,
// no HTTP and no Lambda. The transport (package httpapi) decodes requests into these types,
// seals the resulting state into cookies and maps every *Error to a status in one place.
package auth

import (
	"errors"
	"fmt"
)

// Code is a stable, documented error code of the API's error contract
// ({"error":{"code","message"}}). Clients may switch on it; it never changes meaning.
type Code string

// The error codes of the contract (SPEC §5), plus the short codes the callback appends to
// the error page's URL.
const (
	CodeInvalidRequest        Code = "invalid_request"
	CodeInvalidCredentials    Code = "invalid_credentials"
	CodeUserNotConfirmed      Code = "user_not_confirmed"
	CodeCodeMismatch          Code = "code_mismatch"
	CodeExpiredCode           Code = "expired_code"
	CodeInvalidPassword       Code = "invalid_password"
	CodeTooManyRequests       Code = "too_many_requests"
	CodeUnauthenticated       Code = "unauthenticated"
	CodeForbiddenOrigin       Code = "forbidden_origin"
	CodeUpstreamUnavailable   Code = "upstream_unavailable"
	CodeInternal              Code = "internal"
	CodeNotFound              Code = "not_found"
	CodeUsernameExists        Code = "username_exists"
	CodePasswordResetRequired Code = "password_reset_required"
	CodeSignUpRejected        Code = "sign_up_rejected"
	CodeNoChallenge           Code = "no_pending_challenge"
	CodeMethodNotAllowed      Code = "method_not_allowed"

	// Callback failures, sent to the error page as ?error=<code>.
	CodeInvalidState Code = "invalid_state"
	CodeAccessDenied Code = "access_denied"
	CodeSignInFailed Code = "sign_in_failed"
	CodeInvalidToken Code = "invalid_token"
)

// Error is a flow failure with a stable code and a message safe to show a user. Err keeps
// the cause for logs; it never reaches a response.
type Error struct {
	Code    Code
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Fail builds an *Error.
func Fail(code Code, message string, cause error) *Error {
	return &Error{Code: code, Message: message, Err: cause}
}

// CodeOf returns the code of err, or CodeInternal when err carries none.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}
