package userpooltest

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/monban-auth/monban/internal/auth"
)

// Cognito's messages, quoted where a test or the flows may show them.
const (
	msgBadCredentials = "Incorrect username or password."
	msgWrongCode      = "Invalid verification code provided, please try again."
	msgExpiredCode    = "Invalid code provided, please request a code again."
	// SignUp says "did not conform with", the calls that set a password on an existing user
	// "does not conform to".
	signUpPolicyPrefix = "Password did not conform with policy: "
	setPolicyPrefix    = "Password does not conform to policy: "
)

// passwordSymbols are the characters Cognito counts as symbols; the space is one too
// (Developer Guide, "Adding user pool password requirements").
const passwordSymbols = `^$*.[]{}()?"!@#%&/\,><':;|_~` + "`" + `=+- `

// minPasswordLength is Cognito's default policy: 8 characters with lowercase, uppercase,
// numbers and symbols.
const minPasswordLength = 8

// policyViolation names the first requirement of the policy that password misses ("" when
// it meets them all); Cognito names one at a time.
func policyViolation(password string) string {
	has := func(set func(rune) bool) bool { return strings.IndexFunc(password, set) >= 0 }
	switch {
	case utf8.RuneCountInString(password) < minPasswordLength:
		return "Password not long enough"
	case !has(func(r rune) bool { return 'a' <= r && r <= 'z' }):
		return "Password must have lowercase characters"
	case !has(func(r rune) bool { return 'A' <= r && r <= 'Z' }):
		return "Password must have uppercase characters"
	case !has(func(r rune) bool { return '0' <= r && r <= '9' }):
		return "Password must have numeric characters"
	case !has(func(r rune) bool { return strings.ContainsRune(passwordSymbols, r) }):
		return "Password must have symbol characters"
	}
	return ""
}

func checkPolicy(prefix, password string) error {
	if msg := policyViolation(password); msg != "" {
		return fail(auth.ReasonInvalidPassword, prefix+msg)
	}
	return nil
}

// standardAttributes are OpenID Connect's, which every pool has; other names must be
// custom:.
var standardAttributes = map[string]bool{
	"name": true, "given_name": true, "family_name": true, "middle_name": true, "nickname": true,
	"preferred_username": true, "profile": true, "picture": true, "website": true, "email": true,
	"gender": true, "birthdate": true, "zoneinfo": true, "locale": true, "phone_number": true,
	"address": true,
}

// checkAttributes refuses what a client may not write: unknown names, and the verification
// flags (only the pool and its administrators set those).
func checkAttributes(attrs map[string]string) error {
	for k := range attrs {
		if !standardAttributes[k] && !strings.HasPrefix(k, "custom:") {
			return fail(auth.ReasonInvalidParameter, "Attributes did not conform to the schema: Type for attribute {"+k+"} could not be determined")
		}
	}
	return nil
}

// SignUp registers an unconfirmed user and sends a confirmation code to the e-mail address
// (the username), or confirms at once with AutoConfirm.
func (p *Pool) SignUp(ctx context.Context, nu auth.NewUser) (*auth.SignedUp, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.enter(ctx, "SignUp"); err != nil {
		return nil, err
	}
	if !strings.Contains(nu.Username, "@") {
		return nil, fail(auth.ReasonInvalidParameter, "Username should be an email.")
	}
	if err := checkAttributes(nu.Attributes); err != nil {
		return nil, err
	}
	if err := checkPolicy(signUpPolicyPrefix, nu.Password); err != nil {
		return nil, err
	}
	if p.byEmail(nu.Username) != nil {
		return nil, fail(auth.ReasonUsernameExists, "An account with the given email already exists.")
	}
	u := p.newUser(nu.Password, nu.Attributes, nu.Username)
	if p.o.AutoConfirm {
		u.status = statusConfirmed
		u.attrs["email_verified"] = "true"
		return &auth.SignedUp{Confirmed: true}, nil
	}
	u.signUpCode = p.send(u, signUpCodeLifetime)
	return &auth.SignedUp{Delivery: emailDelivery(u)}, nil
}

// ConfirmSignUp confirms the user with the code sent at sign-up and verifies their e-mail.
// An unknown user gets CodeMismatchException, as a client that prevents user-existence
// errors answers.
func (p *Pool) ConfirmSignUp(ctx context.Context, username, c string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.enter(ctx, "ConfirmSignUp"); err != nil {
		return err
	}
	u := p.lookup(username)
	switch {
	case u == nil:
		return fail(auth.ReasonCodeMismatch, msgWrongCode)
	case u.status != statusUnconfirmed:
		return fail(auth.ReasonNotAuthorized, "User cannot be confirmed. Current status is "+u.status)
	}
	if err := p.checkCode(u.signUpCode, c); err != nil {
		return err
	}
	u.status, u.signUpCode = statusConfirmed, nil
	u.attrs["email_verified"] = "true"
	return nil
}

// checkCode compares a code with the one sent (nil: none was).
func (p *Pool) checkCode(sent *code, c string) error {
	switch {
	case sent == nil || sent.value != c:
		return fail(auth.ReasonCodeMismatch, msgWrongCode)
	case !p.o.Now().Before(sent.expires):
		return fail(auth.ReasonExpiredCode, msgExpiredCode)
	}
	return nil
}

// ResendConfirmationCode sends an unconfirmed user a new sign-up code. An unknown user gets
// the simulated delivery of a client that prevents user-existence errors; a confirmed one
// InvalidParameterException.
func (p *Pool) ResendConfirmationCode(ctx context.Context, username string) (*auth.Delivery, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.enter(ctx, "ResendConfirmationCode"); err != nil {
		return nil, err
	}
	u := p.lookup(username)
	switch {
	case u == nil:
		return &auth.Delivery{Medium: "EMAIL", Destination: maskEmail(username)}, nil
	case u.status != statusUnconfirmed:
		return nil, fail(auth.ReasonInvalidParameter, "User is already confirmed.")
	}
	u.signUpCode = p.send(u, signUpCodeLifetime)
	return emailDelivery(u), nil
}

// ForgotPassword sends a reset code to the user's verified e-mail. An unknown user gets the
// simulated success of a client that prevents user-existence errors; a user without a
// verified address InvalidParameterException.
func (p *Pool) ForgotPassword(ctx context.Context, username string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.enter(ctx, "ForgotPassword"); err != nil {
		return err
	}
	u := p.lookup(username)
	switch {
	case u == nil:
		return nil
	case !u.enabled:
		return fail(auth.ReasonNotAuthorized, "User is disabled.")
	case u.status == statusForceChange:
		return fail(auth.ReasonNotAuthorized, "User password cannot be reset in the current state.")
	case u.attrs["email_verified"] != "true":
		return fail(auth.ReasonInvalidParameter, "Cannot reset password for the user as there is no registered/verified email or phone_number")
	}
	u.resetCode = p.send(u, resetCodeLifetime)
	return nil
}

// ConfirmForgotPassword sets a new password with the reset code. An unknown user gets
// CodeMismatchException, as a client that prevents user-existence errors answers.
func (p *Pool) ConfirmForgotPassword(ctx context.Context, username, c, password string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.enter(ctx, "ConfirmForgotPassword"); err != nil {
		return err
	}
	u := p.lookup(username)
	if u == nil {
		return fail(auth.ReasonCodeMismatch, msgWrongCode)
	}
	if err := p.checkCode(u.resetCode, c); err != nil {
		return err
	}
	if err := checkPolicy(setPolicyPrefix, password); err != nil {
		return err
	}
	u.password, u.resetCode = password, nil
	if u.status == statusResetRequired {
		u.status = statusConfirmed
	}
	return nil
}
