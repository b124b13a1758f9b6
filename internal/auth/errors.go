// Package auth holds monban's authentication flows as plain Go: typed inputs and outputs,
// no HTTP and no Lambda. The transport (package httpapi) decodes requests into these types,
// seals the resulting state into cookies and maps every *Error to a status in one place.
package auth

import (
	"errors"
	"fmt"
	"maps"

	"github.com/monban-auth/monban/internal/apierror"
)

// Code is a stable, documented error code of the API's error contract
// ({"error":{"code","message"}}). Clients may switch on it; it never changes meaning. The
// codes and their HTTP statuses are listed once, in package apierror; these are the names
// the flows use for them.
type Code = apierror.Code

// The error codes of the contract (SPEC §5), plus the short codes the callback appends to
// the error page's URL.
const (
	CodeInvalidRequest        = apierror.InvalidRequest
	CodeInvalidCredentials    = apierror.InvalidCredentials
	CodeUserNotConfirmed      = apierror.UserNotConfirmed
	CodeCodeMismatch          = apierror.CodeMismatch
	CodeExpiredCode           = apierror.ExpiredCode
	CodeInvalidPassword       = apierror.InvalidPassword
	CodeTooManyRequests       = apierror.TooManyRequests
	CodeUnauthenticated       = apierror.Unauthenticated
	CodeForbiddenOrigin       = apierror.ForbiddenOrigin
	CodeUpstreamUnavailable   = apierror.UpstreamUnavailable
	CodeInternal              = apierror.Internal
	CodeNotFound              = apierror.NotFound
	CodeUsernameExists        = apierror.UsernameExists
	CodePasswordResetRequired = apierror.PasswordResetRequired
	CodeSignUpRejected        = apierror.SignUpRejected
	CodeNoChallenge           = apierror.NoPendingChallenge
	CodeMethodNotAllowed      = apierror.MethodNotAllowed
	CodeForbidden             = apierror.Forbidden
	CodeReauthRequired        = apierror.ReauthenticationRequired

	// Callback failures, sent to the error page as ?error=<code>.
	CodeInvalidState = apierror.InvalidState
	CodeAccessDenied = apierror.AccessDenied
	CodeSignInFailed = apierror.SignInFailed
	CodeInvalidToken = apierror.InvalidToken
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

// refusal is how a flow answers one reason a user pool gave. With poolText the pool's own
// message is shown (a password policy, a parameter the pool refused, a trigger's text for
// the person signing up), and message only when the pool gave none.
type refusal struct {
	code     Code
	message  string
	poolText bool
}

// refusals maps a pool's reasons to the contract for one flow. Every flow starts from
// common and overrides what means something else for it.
type refusals map[Reason]refusal

// plus is r with more's answers added (or replacing r's), for a flow whose refusals are
// another flow's and then some; r itself is left as it is.
func (r refusals) plus(more refusals) refusals {
	out := maps.Clone(r)
	maps.Copy(out, more)
	return out
}

var (
	invalidCredentials = refusal{code: CodeInvalidCredentials, message: "Incorrect username or password."}
	codeMismatch       = refusal{code: CodeCodeMismatch, message: "The code is not correct."}
	ended              = refusal{code: CodeUnauthenticated, message: "The session has ended; sign in again."}
	upstreamDown       = refusal{code: CodeUpstreamUnavailable, message: "Cognito is unavailable, try again"}
	signInExpired      = refusal{code: CodeUnauthenticated, message: "The sign-in has expired; sign in again."}
	// notEnabled: choice-based sign-in and passkeys need the pool's first factors and a
	// feature plan that has them ("Authentication with passkeys", Cognito Developer Guide).
	notEnabled = refusal{code: CodeInvalidRequest, message: "Passwordless sign-in is not enabled for this user pool (template parameter SignInFirstFactors; the pool's feature plan must be Essentials or Plus)."}
)

// common is the default answer to each reason.
var common = refusals{
	ReasonNotAuthorized:         {code: CodeInvalidCredentials, message: "The request was refused.", poolText: true},
	ReasonTokenRevoked:          ended,
	ReasonUserNotFound:          invalidCredentials,
	ReasonUserNotConfirmed:      {code: CodeUserNotConfirmed, message: "The account is not confirmed yet."},
	ReasonPasswordResetRequired: {code: CodePasswordResetRequired, message: "The password must be reset before signing in."},
	ReasonCodeMismatch:          codeMismatch,
	ReasonExpiredCode:           {code: CodeExpiredCode, message: "The code has expired; request a new one."},
	ReasonInvalidPassword:       {code: CodeInvalidPassword, message: "The request was refused.", poolText: true},
	ReasonUsernameExists:        {code: CodeUsernameExists, message: "An account with this username already exists."},
	ReasonAliasExists:           {code: CodeUsernameExists, message: "An account with this e-mail address already exists."},
	ReasonInvalidParameter:      {code: CodeInvalidRequest, message: "The request was refused.", poolText: true},
	ReasonTooManyRequests:       {code: CodeTooManyRequests, message: "Too many requests; try again later."},
	ReasonLimitExceeded:         {code: CodeTooManyRequests, message: "Too many attempts; try again later."},
	ReasonTooManyFailedAttempts: {code: CodeTooManyRequests, message: "Too many failed attempts; try again later."},
	ReasonDeliveryFailed:        {code: CodeUpstreamUnavailable, message: "The code could not be delivered; try again later."},
	ReasonNoTOTPSetup:           {code: CodeInvalidRequest, message: "No authenticator app is being set up."},
	ReasonNotEnabled:            notEnabled,
	// A trigger's refusal: its own text when it wrote one for the user.
	ReasonRejected:    {code: CodeSignUpRejected, message: "Sign-up was refused.", poolText: true},
	ReasonUnavailable: upstreamDown,
	// ReasonNotFound, ReasonMisconfigured and ReasonUnknown are monban's or the deployment's
	// fault: internal, with the cause logged.
}

// The per-flow overrides.
var (
	// signInRefusals: whatever the pool says about a user it does not know or a wrong
	// password, the answer is the same. (cognito-local reports a wrong password as an
	// invalid password.)
	signInRefusals = refusals{
		ReasonNotAuthorized:   invalidCredentials,
		ReasonUserNotFound:    invalidCredentials,
		ReasonInvalidPassword: invalidCredentials,
	}
	// hiddenSignInRefusals are signInRefusals with existing users hidden at sign-up: a
	// sign-up with a chosen password creates an unconfirmed account only for a free address,
	// so "not confirmed" for that password would tell a free address from a taken one (whose
	// password is not the prober's). The sign-up's answer already said to confirm by e-mail.
	hiddenSignInRefusals = signInRefusals.plus(refusals{ReasonUserNotConfirmed: invalidCredentials})
	// challengeRefusals: the pool no longer knows the sign-in in progress. A passkey's
	// answer that does not verify (a wrong or unknown credential, an expired ceremony) may
	// be tried again, or another factor chosen.
	challengeRefusals = refusals{
		ReasonNotAuthorized:  signInExpired,
		ReasonSessionExpired: signInExpired,
		ReasonUserNotFound:   signInExpired,
		ReasonPasskeyRefused: passkeyRefused,
	}
	passkeyRefused = refusal{code: CodeInvalidCredentials, message: "The passkey was not accepted; try again or use another way to sign in."}
	// passkeyAnswerRefusals: RespondToAuthChallenge lists no WebAuthn exceptions, so a
	// WEB_AUTHN answer that does not verify comes back as NotAuthorizedException (API
	// reference, RespondToAuthChallenge): a refused passkey, not an ended sign-in.
	passkeyAnswerRefusals = challengeRefusals.plus(refusals{ReasonNotAuthorized: passkeyRefused})
	// passwordAnswerRefusals: an answer carrying a password (PASSWORD, SELECT_CHALLENGE with
	// PASSWORD) is refused as a password sign-in is: Cognito says NotAuthorized for a wrong
	// password there as at InitiateAuth.
	passwordAnswerRefusals       = challengeRefusals.plus(signInRefusals)
	hiddenPasswordAnswerRefusals = challengeRefusals.plus(hiddenSignInRefusals)
	// refreshRefusals: a refresh token the pool refuses (revoked, expired, user disabled).
	refreshRefusals = refusals{
		ReasonNotAuthorized: ended,
		ReasonUserNotFound:  ended,
	}
	// sessionEnded: with an access token, "not authorized" means the token was revoked
	// (sign-out elsewhere, a global sign-out, a disabled user), not a wrong credential, and
	// "no such user" that the account was deleted. Either ends the session.
	sessionEnded = refusals{
		ReasonNotAuthorized: ended,
		ReasonUserNotFound:  ended,
	}
	// codeRefusals: an unknown user, an already confirmed one and a wrong code answer alike:
	// anything else would tell who has an account.
	codeRefusals = refusals{
		ReasonUserNotFound:  codeMismatch,
		ReasonNotAuthorized: codeMismatch,
	}
	// resetRefusals are codeRefusals for a password reset, plus moto's answer for an unknown
	// user (with the client valid, every other call works, it cannot mean anything else).
	resetRefusals = codeRefusals.plus(refusals{ReasonNotFound: codeMismatch})
	// changePasswordRefusals: a revoked access token ends the session; "not authorized" is
	// then the wrong current password.
	changePasswordRefusals = refusals{
		ReasonTokenRevoked:  ended,
		ReasonUserNotFound:  ended,
		ReasonNotAuthorized: {code: CodeInvalidCredentials, message: "The current password is not correct."},
	}
	// passkeyRegistrationRefusals: an authenticator's answer that does not verify (an
	// expired or unknown ceremony, another relying party or origin) registers nothing.
	passkeyRegistrationRefusals = sessionEnded.plus(refusals{
		ReasonPasskeyRefused: {code: CodeInvalidRequest, message: "The passkey could not be registered."},
	})
	// deletePasskeyRefusals: DeleteWebAuthnCredential answers ResourceNotFoundException for
	// an id the user has no passkey under.
	deletePasskeyRefusals = sessionEnded.plus(refusals{
		ReasonNotFound: {code: CodeNotFound, message: "No such passkey."},
	})
	// updateAttributesRefusals: an alias that exists for anything but the e-mail address
	// (which UpdateProfile hides) is a value another account has. (An attribute the app
	// client may not write is 403 forbidden, naming it: UpdateProfile.)
	updateAttributesRefusals = sessionEnded.plus(refusals{
		ReasonAliasExists: {code: CodeUsernameExists, message: "Another account already uses this value."},
	})
)

// poolFailure maps a user pool's failure of op to the contract: the flow's overrides first,
// then common; anything else is internal. The cause names op and the reason only: the pool's
// messages may echo what was sent.
func poolFailure(err error, op string, overrides refusals) error {
	reason := ReasonOf(err)
	cause := poolCause(err, op, reason)
	r, ok := overrides[reason]
	if !ok {
		r, ok = common[reason]
	}
	if !ok {
		return Fail(CodeInternal, "internal error", cause)
	}
	msg := r.message
	var pe *PoolError
	if r.poolText && errors.As(err, &pe) && pe.Message != "" {
		msg = pe.Message
	}
	return Fail(r.code, msg, cause)
}

// poolCause is the logged cause of a pool failure: op and reason for a *PoolError (its
// message may echo input), the error itself for anything else (no pool text in it).
func poolCause(err error, op string, reason Reason) error {
	var pe *PoolError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %s", op, reason)
	}
	return fmt.Errorf("%s: %s: %w", op, reason, err)
}

// upstreamFailure maps a failure of the hosted UI's token endpoint or of a sign-out call:
// unreachable → upstream_unavailable, a misconfigured app client → internal, any other
// refusal → refused (the caller's code for "Cognito said no").
func upstreamFailure(err error, refused Code, op string) error {
	var ae *Error
	if errors.As(err, &ae) {
		return err
	}
	reason := ReasonOf(err)
	cause := poolCause(err, op, reason)
	switch reason {
	case ReasonUnavailable:
		return Fail(upstreamDown.code, upstreamDown.message, cause)
	case ReasonMisconfigured:
		return Fail(CodeInternal, "the app client is misconfigured", cause)
	}
	return Fail(refused, "Cognito refused the request", cause)
}
