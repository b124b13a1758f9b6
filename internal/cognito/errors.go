package cognito

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/monban-auth/monban/internal/auth"
)

// reasons maps Cognito's exception names to the port's reasons: the one place that knows
// what Cognito means by each. NotAuthorizedException and UserLambdaValidationException are
// refined in poolError (a refused access token; a trigger's own message).
var reasons = map[string]auth.Reason{
	"NotAuthorizedException":            auth.ReasonNotAuthorized,
	"UserNotFoundException":             auth.ReasonUserNotFound,
	"UserNotConfirmedException":         auth.ReasonUserNotConfirmed,
	"PasswordResetRequiredException":    auth.ReasonPasswordResetRequired,
	"CodeMismatchException":             auth.ReasonCodeMismatch,
	"ExpiredCodeException":              auth.ReasonExpiredCode,
	"InvalidPasswordException":          auth.ReasonInvalidPassword,
	"UsernameExistsException":           auth.ReasonUsernameExists,
	"AliasExistsException":              auth.ReasonAliasExists,
	"InvalidParameterException":         auth.ReasonInvalidParameter,
	"TooManyRequestsException":          auth.ReasonTooManyRequests,
	"LimitExceededException":            auth.ReasonLimitExceeded,
	"TooManyFailedAttemptsException":    auth.ReasonTooManyFailedAttempts,
	"CodeDeliveryFailureException":      auth.ReasonDeliveryFailed,
	"EnableSoftwareTokenMFAException":   auth.ReasonCodeMismatch, // VerifySoftwareToken's wrong code
	"SoftwareTokenMFANotFoundException": auth.ReasonNoTOTPSetup,
	"UserLambdaValidationException":     auth.ReasonRejected,
	// moto's answer for an unknown user in ConfirmForgotPassword; Cognito's for an unknown
	// passkey in DeleteWebAuthnCredential.
	"ResourceNotFoundException": auth.ReasonNotFound,
	// Passkeys, as the WebAuthn actions' exceptions in the API reference name them. The pool
	// does not offer passkeys (no WEB_AUTHN first factor, no relying party set up):
	"WebAuthnNotEnabledException":           auth.ReasonNotEnabled,
	"WebAuthnConfigurationMissingException": auth.ReasonNotEnabled,
	// The authenticator's answer does not verify: an expired or unknown ceremony, a
	// credential for another relying party, app client or origin, or of a kind the pool
	// does not accept.
	"WebAuthnChallengeNotFoundException":      auth.ReasonPasskeyRefused,
	"WebAuthnRelyingPartyMismatchException":   auth.ReasonPasskeyRefused,
	"WebAuthnClientMismatchException":         auth.ReasonPasskeyRefused,
	"WebAuthnOriginNotAllowedException":       auth.ReasonPasskeyRefused,
	"WebAuthnCredentialNotSupportedException": auth.ReasonPasskeyRefused,
}

// poolError turns a failed SDK call of op into a *auth.PoolError. The cause names op and the
// exception only: Cognito's messages may echo what was sent (a username, an attribute), so
// they go to Message, which the flows show only where they mean to, never into logs.
func poolError(op string, err error) *auth.PoolError {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		// Unreachable, timed out or cancelled: not a refusal.
		return &auth.PoolError{Reason: auth.ReasonUnavailable, Err: fmt.Errorf("%s: %w", op, err)}
	}
	name := ae.ErrorCode()
	pe := &auth.PoolError{Message: ae.ErrorMessage(), Err: fmt.Errorf("%s: %s", op, name)}
	r, known := reasons[name]
	switch {
	case !known && ae.ErrorFault() == smithy.FaultServer:
		r = auth.ReasonUnavailable
	case !known:
		r = auth.ReasonUnknown
	case r == auth.ReasonRejected:
		// Only a trigger's own text is meant for the user; Cognito's wording around it and
		// an operator's message are not.
		pe.Message, _ = TriggerRejection(err)
	case r == auth.ReasonNotAuthorized && revokedToken(pe.Message):
		r = auth.ReasonTokenRevoked
	case r == auth.ReasonNotAuthorized && endedSession(pe.Message):
		r = auth.ReasonSessionExpired
	}
	pe.Reason = r
	return pe
}

// revokedToken tells NotAuthorizedException's two meanings apart where an access token and
// a credential travel together (ChangePassword): a revoked or expired access token, or a
// wrong password. Only the message differs ("Access Token has been revoked").
func revokedToken(message string) bool {
	return strings.Contains(strings.ToLower(message), "access token")
}

// endedSession tells an answer to a sign-in that has ended ("Invalid session for the user,
// session is expired." or "… can only be used once.") from a refused answer, which
// NotAuthorizedException also means (RespondToAuthChallenge lists no other exception for a
// passkey that does not verify).
func endedSession(message string) bool {
	return strings.Contains(strings.ToLower(message), "invalid session")
}

// unwritableAttribute tells UpdateUserAttributes' two NotAuthorizedExceptions apart: an
// attribute outside the app client's WriteAttributes, or a refused access token. The API
// reference (UpdateUserAttributes, Errors) lists NotAuthorizedException only as "a user
// isn't authorized" and names no message, and UserPoolClientType's WriteAttributes says
// only that the access token authorizes writing the attributes in the list. The wording
// relied on is Cognito's as reported from AWS for such writes: "A client attempted to write
// unauthorized attribute" (aws/aws-sdk-js#1319, amazon-archives/amazon-cognito-identity-js#397).
func unwritableAttribute(message string) bool {
	return strings.Contains(strings.ToLower(message), "unauthorized attribute")
}

// tokenError is poolError for calls that carry an access token and nothing else to refuse:
// there NotAuthorizedException can only mean the pool no longer accepts the token, whatever
// its message says.
func tokenError(op string, err error) *auth.PoolError {
	pe := poolError(op, err)
	if pe.Reason == auth.ReasonNotAuthorized || pe.Reason == auth.ReasonSessionExpired {
		pe.Reason = auth.ReasonTokenRevoked
	}
	return pe
}

// ErrorCode is the Cognito exception name of err ("NotAuthorizedException"), or "".
func ErrorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// Message is the message of a Cognito exception, or "".
func Message(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}
