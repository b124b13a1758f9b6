package devstack

import (
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// PasswordPolicy is template.yaml's UserPool PasswordPolicy (a test holds the two
// together). The local pool is created with it, and the API front (CognitoAPIFront)
// enforces it, because cognito-local stores a pool's policy but accepts any password.
var PasswordPolicy = types.PasswordPolicyType{
	MinimumLength:                 aws.Int32(12),
	RequireUppercase:              true,
	RequireLowercase:              true,
	RequireNumbers:                true,
	RequireSymbols:                true,
	TemporaryPasswordValidityDays: 7,
}

// passwordSymbols are the characters Cognito counts as symbols; the space is one too.
// Source: Amazon Cognito Developer Guide, "Adding user pool password requirements"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-policies.html).
const passwordSymbols = `^$*.[]{}()?"!@#%&/\,><':;|_~` + "`" + `=+- `

// policyViolation returns the message Cognito's InvalidPasswordException carries for the first
// requirement of p that password misses, or "" when it meets them all. Cognito says one thing
// at a time, "Password did not conform with policy: " and the requirement; the texts are the
// ones Cognito returns (quoted alike by many applications that match on them, e.g. "Password
// did not conform with policy: Password must have symbol characters"). Which requirement
// Cognito names first when several are missed is not documented; here: length, lowercase,
// uppercase, numbers, symbols. Letters and numbers are Basic Latin ones, as the guide says.
func policyViolation(p types.PasswordPolicyType, password string) string {
	const prefix = "Password did not conform with policy: "
	has := func(set func(rune) bool) bool { return strings.IndexFunc(password, set) >= 0 }
	switch {
	case utf8.RuneCountInString(password) < int(aws.ToInt32(p.MinimumLength)):
		return prefix + "Password not long enough"
	case p.RequireLowercase && !has(func(r rune) bool { return 'a' <= r && r <= 'z' }):
		return prefix + "Password must have lowercase characters"
	case p.RequireUppercase && !has(func(r rune) bool { return 'A' <= r && r <= 'Z' }):
		return prefix + "Password must have uppercase characters"
	case p.RequireNumbers && !has(func(r rune) bool { return '0' <= r && r <= '9' }):
		return prefix + "Password must have numeric characters"
	case p.RequireSymbols && !has(func(r rune) bool { return strings.ContainsRune(passwordSymbols, r) }):
		return prefix + "Password must have symbol characters"
	}
	return ""
}
