package cognito

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
)

func TestTriggerRejection(t *testing.T) {
	lambdaErr := func(msg string) error { return &types.UserLambdaValidationException{Message: aws.String(msg)} }
	cases := []struct {
		name   string
		err    error
		want   string
		wantOK bool
	}{
		{name: "Cognito's wording gives the trigger's message back",
			err: lambdaErr("PreSignUp failed with error Sign-up is not open to e-mail addresses at this domain.."), want: "Sign-up is not open to e-mail addresses at this domain.", wantOK: true},
		{name: "a message without its own period loses only Cognito's",
			err: lambdaErr("PreSignUp failed with error Invite only."), want: "Invite only", wantOK: true},
		{name: "cognito-local names the function instead of the trigger",
			err: lambdaErr("pre-sign-up failed with error Sign-up is not open to e-mail addresses at this domain.."), want: "Sign-up is not open to e-mail addresses at this domain.", wantOK: true},
		{name: "a message over several lines is kept whole",
			err: lambdaErr("PreSignUp failed with error First line.\nSecond line.."), want: "First line.\nSecond line.", wantOK: true},
		{name: "the exception is found through wrapping",
			err: fmt.Errorf("sign up: %w", lambdaErr("PreSignUp failed with error Invite only..")), want: "Invite only.", wantOK: true},
		{name: "a generic API error with the same code counts",
			err: &smithy.GenericAPIError{Code: "UserLambdaValidationException", Message: "PreSignUp failed with error No.."}, want: "No.", wantOK: true},
		{name: "a failure without a message has nothing for the user",
			err: lambdaErr("Unhandled")},
		{name: "an empty message has nothing for the user",
			err: lambdaErr("PreSignUp failed with error .")},
		{name: "text outside Cognito's wording is not passed on",
			err: lambdaErr("Lambda threw an exception")},
		{name: "another Cognito exception is no rejection",
			err: &types.UsernameExistsException{Message: aws.String("PreSignUp failed with error x.")}},
		{name: "an unexpected trigger failure is no rejection",
			err: &smithy.GenericAPIError{Code: "UnexpectedLambdaException", Message: "PreSignUp failed with error boom."}},
		{name: "a plain error is no rejection", err: errors.New("PreSignUp failed with error x.")},
		{name: "no error is no rejection", err: nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := TriggerRejection(c.err)
			if got != c.want || ok != c.wantOK {
				t.Fatalf("TriggerRejection = %q, %v; want %q, %v", got, ok, c.want, c.wantOK)
			}
		})
	}
}

func TestAWronglyWiredTriggersMessageIsNotShownToUsers(t *testing.T) {
	err := &smithy.GenericAPIError{Code: "UserLambdaValidationException",
		Message: "PreSignUp failed with error monban's pre-token-generation function received a PreSignUp event (triggerSource \"PreSignUp_SignUp\")."}
	if m, ok := TriggerRejection(err); ok || m != "" {
		t.Fatalf("an operator's message reached the user: %q", m)
	}
}
