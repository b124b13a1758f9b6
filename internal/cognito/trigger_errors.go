package cognito

import "strings"

// TriggerRejection recognises a Lambda trigger's refusal (UserLambdaValidationException,
// "PreSignUp failed with error <message>.") and returns the trigger's own message.
func TriggerRejection(err error) (message string, ok bool) {
	if ErrorCode(err) != "UserLambdaValidationException" {
		return "", false
	}
	msg := Message(err)
	if i := strings.Index(msg, " failed with error "); i >= 0 {
		msg = msg[i+len(" failed with error "):]
	}
	return strings.TrimSuffix(strings.TrimSpace(msg), "."), true
}
