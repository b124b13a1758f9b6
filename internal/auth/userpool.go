package auth

import (
	"context"
	"errors"
	"fmt"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/monban-auth/monban/internal/cognito"
)

// UserPool is the part of the Cognito user-pool API the password, challenge, MFA and refresh
// flows call. *cognitoidentityprovider.Client satisfies it.
type UserPool interface {
	SignUp(context.Context, *cip.SignUpInput, ...func(*cip.Options)) (*cip.SignUpOutput, error)
	ConfirmSignUp(context.Context, *cip.ConfirmSignUpInput, ...func(*cip.Options)) (*cip.ConfirmSignUpOutput, error)
	ResendConfirmationCode(context.Context, *cip.ResendConfirmationCodeInput, ...func(*cip.Options)) (*cip.ResendConfirmationCodeOutput, error)
	InitiateAuth(context.Context, *cip.InitiateAuthInput, ...func(*cip.Options)) (*cip.InitiateAuthOutput, error)
	AdminInitiateAuth(context.Context, *cip.AdminInitiateAuthInput, ...func(*cip.Options)) (*cip.AdminInitiateAuthOutput, error)
	RespondToAuthChallenge(context.Context, *cip.RespondToAuthChallengeInput, ...func(*cip.Options)) (*cip.RespondToAuthChallengeOutput, error)
	AdminRespondToAuthChallenge(context.Context, *cip.AdminRespondToAuthChallengeInput, ...func(*cip.Options)) (*cip.AdminRespondToAuthChallengeOutput, error)
	ForgotPassword(context.Context, *cip.ForgotPasswordInput, ...func(*cip.Options)) (*cip.ForgotPasswordOutput, error)
	ConfirmForgotPassword(context.Context, *cip.ConfirmForgotPasswordInput, ...func(*cip.Options)) (*cip.ConfirmForgotPasswordOutput, error)
	ChangePassword(context.Context, *cip.ChangePasswordInput, ...func(*cip.Options)) (*cip.ChangePasswordOutput, error)
	AssociateSoftwareToken(context.Context, *cip.AssociateSoftwareTokenInput, ...func(*cip.Options)) (*cip.AssociateSoftwareTokenOutput, error)
	VerifySoftwareToken(context.Context, *cip.VerifySoftwareTokenInput, ...func(*cip.Options)) (*cip.VerifySoftwareTokenOutput, error)
	SetUserMFAPreference(context.Context, *cip.SetUserMFAPreferenceInput, ...func(*cip.Options)) (*cip.SetUserMFAPreferenceOutput, error)
	GetTokensFromRefreshToken(context.Context, *cip.GetTokensFromRefreshTokenInput, ...func(*cip.Options)) (*cip.GetTokensFromRefreshTokenOutput, error)
}

// failure says how one operation's Cognito exceptions map to the contract. Every operation
// starts from the common table and overrides what means something else for it.
type failure map[string]*Error

var invalidCredentials = &Error{Code: CodeInvalidCredentials, Message: "Incorrect username or password."}

// common is the default mapping of Cognito exception names. A nil entry means "use
// Cognito's own message with this code" and is filled in by poolFailure.
var common = failure{
	"NotAuthorizedException":            {Code: CodeInvalidCredentials},
	"UserNotFoundException":             invalidCredentials,
	"UserNotConfirmedException":         {Code: CodeUserNotConfirmed, Message: "The account is not confirmed yet."},
	"PasswordResetRequiredException":    {Code: CodePasswordResetRequired, Message: "The password must be reset before signing in."},
	"CodeMismatchException":             {Code: CodeCodeMismatch, Message: "The code is not correct."},
	"ExpiredCodeException":              {Code: CodeExpiredCode, Message: "The code has expired; request a new one."},
	"InvalidPasswordException":          {Code: CodeInvalidPassword},
	"UsernameExistsException":           {Code: CodeUsernameExists, Message: "An account with this username already exists."},
	"AliasExistsException":              {Code: CodeUsernameExists, Message: "An account with this e-mail address already exists."},
	"InvalidParameterException":         {Code: CodeInvalidRequest},
	"TooManyRequestsException":          {Code: CodeTooManyRequests, Message: "Too many requests; try again later."},
	"LimitExceededException":            {Code: CodeTooManyRequests, Message: "Too many attempts; try again later."},
	"TooManyFailedAttemptsException":    {Code: CodeTooManyRequests, Message: "Too many failed attempts; try again later."},
	"CodeDeliveryFailureException":      {Code: CodeUpstreamUnavailable, Message: "The code could not be delivered; try again later."},
	"EnableSoftwareTokenMFAException":   {Code: CodeCodeMismatch, Message: "The code is not correct."},
	"SoftwareTokenMFANotFoundException": {Code: CodeInvalidRequest, Message: "No authenticator app is being set up."},
	// A trigger refusal whose text is not in Cognito's usual form (see TriggerRejection).
	"UserLambdaValidationException": {Code: CodeSignUpRejected, Message: "Sign-up was refused."},
}

// poolFailure maps a Cognito API error to the contract: op's overrides first, then the
// common table; Cognito's own fault or an unreachable Cognito is upstream_unavailable, and
// anything unknown is internal (its cause logged, not shown).
func poolFailure(err error, op string, overrides failure) error {
	name := cognito.ErrorCode(err)
	// The cause names the exception only: Cognito's messages may echo what was sent.
	cause := fmt.Errorf("%s: %s", op, name)
	if name == "" {
		cause = fmt.Errorf("%s: %w", op, err)
	}
	if m, ok := cognito.TriggerRejection(err); ok {
		return Fail(CodeSignUpRejected, m, cause)
	}
	e, ok := overrides[name]
	if !ok {
		e, ok = common[name]
	}
	if ok {
		msg := e.Message
		if msg == "" {
			msg = cognito.Message(err)
		}
		if msg == "" {
			msg = "The request was refused."
		}
		return Fail(e.Code, msg, cause)
	}
	if name == "" || errors.Is(cognito.Classify(err), cognito.ErrUnavailable) {
		return Fail(CodeUpstreamUnavailable, "Cognito is unavailable, try again", cause)
	}
	return Fail(CodeInternal, "internal error", cause)
}
