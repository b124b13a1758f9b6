package cognito

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/monban-auth/monban/internal/auth"
)

// Every Cognito exception monban knows maps to its reason; Message is Cognito's text and the
// cause names the operation and the exception only.
func TestExceptionsMapToReasons(t *testing.T) {
	generic := func(code string) error {
		return &smithy.GenericAPIError{Code: code, Message: "ann@example.com is refused"}
	}
	cases := []struct {
		name        string
		err         error
		want        auth.Reason
		wantMessage string
	}{
		{"a wrong password", &types.NotAuthorizedException{Message: aws.String("Incorrect username or password.")}, auth.ReasonNotAuthorized, "Incorrect username or password."},
		{"a revoked access token", &types.NotAuthorizedException{Message: aws.String("Access Token has been revoked")}, auth.ReasonTokenRevoked, "Access Token has been revoked"},
		{"an expired sign-in", &types.NotAuthorizedException{Message: aws.String("Invalid session for the user, session is expired.")}, auth.ReasonSessionExpired, "Invalid session for the user, session is expired."},
		{"a used sign-in session", &types.NotAuthorizedException{Message: aws.String("Invalid session for the user, session can only be used once.")}, auth.ReasonSessionExpired, "Invalid session for the user, session can only be used once."},
		{"an unknown user", &types.UserNotFoundException{Message: aws.String("User does not exist.")}, auth.ReasonUserNotFound, "User does not exist."},
		{"an unconfirmed user", generic("UserNotConfirmedException"), auth.ReasonUserNotConfirmed, "ann@example.com is refused"},
		{"a reset password", generic("PasswordResetRequiredException"), auth.ReasonPasswordResetRequired, "ann@example.com is refused"},
		{"a wrong code", generic("CodeMismatchException"), auth.ReasonCodeMismatch, "ann@example.com is refused"},
		{"an expired code", generic("ExpiredCodeException"), auth.ReasonExpiredCode, "ann@example.com is refused"},
		{"a weak password", &types.InvalidPasswordException{Message: aws.String("Password must have uppercase characters")}, auth.ReasonInvalidPassword, "Password must have uppercase characters"},
		{"a taken username", generic("UsernameExistsException"), auth.ReasonUsernameExists, "ann@example.com is refused"},
		{"a taken address", generic("AliasExistsException"), auth.ReasonAliasExists, "ann@example.com is refused"},
		{"a bad parameter", generic("InvalidParameterException"), auth.ReasonInvalidParameter, "ann@example.com is refused"},
		{"too many requests", generic("TooManyRequestsException"), auth.ReasonTooManyRequests, "ann@example.com is refused"},
		{"a limit", generic("LimitExceededException"), auth.ReasonLimitExceeded, "ann@example.com is refused"},
		{"too many failures", generic("TooManyFailedAttemptsException"), auth.ReasonTooManyFailedAttempts, "ann@example.com is refused"},
		{"an undelivered code", generic("CodeDeliveryFailureException"), auth.ReasonDeliveryFailed, "ann@example.com is refused"},
		{"a wrong first authenticator code", generic("EnableSoftwareTokenMFAException"), auth.ReasonCodeMismatch, "ann@example.com is refused"},
		{"no authenticator being added", generic("SoftwareTokenMFANotFoundException"), auth.ReasonNoTOTPSetup, "ann@example.com is refused"},
		{"an unknown resource", generic("ResourceNotFoundException"), auth.ReasonNotFound, "ann@example.com is refused"},
		{"a trigger's refusal keeps only the trigger's text",
			&types.UserLambdaValidationException{Message: aws.String("PreSignUp failed with error Invite only..")}, auth.ReasonRejected, "Invite only."},
		{"a trigger's refusal in another form has no text",
			&types.UserLambdaValidationException{Message: aws.String("Lambda threw")}, auth.ReasonRejected, ""},
		{"a wrongly wired trigger's text is for the operator",
			&types.UserLambdaValidationException{Message: aws.String("PreSignUp failed with error monban's trigger got the wrong event.")}, auth.ReasonRejected, ""},
		{"Cognito's own fault", &types.InternalErrorException{Message: aws.String("boom")}, auth.ReasonUnavailable, "boom"},
		{"an unnamed server fault", &smithy.GenericAPIError{Code: "ServiceUnavailable", Fault: smithy.FaultServer}, auth.ReasonUnavailable, ""},
		{"another exception", generic("UnexpectedLambdaException"), auth.ReasonUnknown, "ann@example.com is refused"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFake()
			f.err["ForgotPassword"] = fmt.Errorf("operation error: %w", c.err)
			err := pool(f, UserPoolConfig{}).ForgotPassword(context.Background(), "ann@example.com")
			var pe *auth.PoolError
			if !errors.As(err, &pe) {
				t.Fatalf("%v is no pool error", err)
			}
			if pe.Reason != c.want || pe.Message != c.wantMessage {
				t.Fatalf("reason %s, message %q; want %s, %q", pe.Reason, pe.Message, c.want, c.wantMessage)
			}
			if want := "forgot password: " + ErrorCode(c.err); pe.Err == nil || pe.Err.Error() != want {
				t.Fatalf("cause %v, want %q", pe.Err, want)
			}
			if strings.Contains(err.Error(), "ann@") {
				t.Fatalf("Cognito's message reached the cause: %v", err)
			}
		})
	}
	t.Run("an unreachable Cognito", func(t *testing.T) {
		f := newFake()
		f.err["ForgotPassword"] = fmt.Errorf("operation error: %w", context.DeadlineExceeded)
		err := pool(f, UserPoolConfig{}).ForgotPassword(context.Background(), "ann")
		if reasonOf(t, err) != auth.ReasonUnavailable || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("%v", err)
		}
	})
}

func TestErrorCodeAndMessage(t *testing.T) {
	err := fmt.Errorf("x: %w", &types.InvalidPasswordException{Message: aws.String("too short")})
	if ErrorCode(err) != "InvalidPasswordException" || Message(err) != "too short" {
		t.Fatalf("%q %q", ErrorCode(err), Message(err))
	}
	if ErrorCode(errors.New("plain")) != "" || Message(errors.New("plain")) != "" {
		t.Fatal("a plain error has no code or message")
	}
}
