package cognito

import (
	"errors"
	"regexp"
	"strings"

	"github.com/aws/smithy-go"
)

// triggerFailure is how Cognito words a trigger's failure: "<trigger> failed with error
// <message>." The trigger is named by its kind in Cognito ("PreSignUp") and by its function
// name in cognito-local ("pre-sign-up"); the final period is Cognito's own.
var triggerFailure = regexp.MustCompile(`(?s)^\S+ failed with error (.*)\.$`)

// TriggerRejection reports whether err is Cognito refusing a request because a Lambda
// trigger turned it down (UserLambdaValidationException, as SignUp answers when the
// pre-sign-up trigger refuses a sign-up), and returns the trigger's own message without
// the wording Cognito wraps it in. ok is false for any other error, and for a failure
// whose message is not in that form or is empty: then there is nothing meant for the user.
//
// The message is the trigger's error text; monban's pre-sign-up trigger fails only with
// messages written for the person signing up.
func TriggerRejection(err error) (message string, ok bool) {
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "UserLambdaValidationException" {
		return "", false
	}
	m := triggerFailure.FindStringSubmatch(ae.ErrorMessage())
	if m == nil {
		return "", false
	}
	message = strings.TrimSpace(m[1])
	// A trigger wired to the wrong kind of event answers with a message for the operator
	// ("monban's pre-token-generation function received a PreSignUp event…"): nothing for
	// the person signing up, who gets the generic failure instead.
	if strings.HasPrefix(message, OperatorMessagePrefix) {
		return "", false
	}
	return message, message != ""
}

// OperatorMessagePrefix starts the messages monban's triggers fail with when they are wired
// wrongly; those are for the operator, never shown to a user.
const OperatorMessagePrefix = "monban's "
