package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// UserPool is what the flows ask of Cognito, in monban's terms: the port the flows are
// written against. The adapter in package cognito speaks Cognito's wire (SDK calls,
// SECRET_HASH, the admin-or-client and refresh-rotation choices, exception names); the
// in-memory fake in package userpooltest stands in for it in unit tests and as a backend of
// the conformance suite. Failures are *PoolError, whose Reason the flows map to the API's
// error contract (each flow decides what a reason means for it).
type UserPool interface {
	// SignUp registers a user with a password.
	SignUp(ctx context.Context, u NewUser) (*SignedUp, error)
	// ConfirmSignUp confirms a user with the code sent at sign-up.
	ConfirmSignUp(ctx context.Context, username, code string) error
	// ResendConfirmationCode sends the sign-up code again (nil: no delivery details given).
	ResendConfirmationCode(ctx context.Context, username string) (*Delivery, error)
	// ForgotPassword sends a password-reset code.
	ForgotPassword(ctx context.Context, username string) error
	// ConfirmForgotPassword sets a new password with the reset code.
	ConfirmForgotPassword(ctx context.Context, username, code, password string) error

	// SignInPassword starts a password sign-in: tokens, or the first challenge.
	SignInPassword(ctx context.Context, username, password string) (*Step, error)
	// AnswerChallenge answers a pending challenge: tokens, or the next challenge.
	AnswerChallenge(ctx context.Context, c Challenge, a Answer) (*Step, error)
	// Refresh trades a refresh token for new tokens (with a new refresh token only when the
	// app client rotates them).
	Refresh(ctx context.Context, r Refresh) (*Tokens, error)

	// ChangePassword changes the password of the access token's user.
	ChangePassword(ctx context.Context, accessToken, previous, proposed string) error
	// AssociateTOTP starts adding an authenticator app for a signed-in user or a sign-in in
	// progress (MFA_SETUP), and returns its secret.
	AssociateTOTP(ctx context.Context, who TOTPUser) (*TOTPAssociation, error)
	// VerifyTOTP checks the first code of the app being added. A wrong code is a *PoolError
	// with ReasonCodeMismatch. For a sign-in in progress it returns the session to answer
	// MFA_SETUP with ("" when Cognito gave none: keep the previous).
	VerifyTOTP(ctx context.Context, who TOTPUser, code, friendlyName string) (session string, err error)
	// PreferTOTP makes the authenticator app the access token's user's preferred factor.
	PreferTOTP(ctx context.Context, accessToken string) error

	// RevokeToken revokes a refresh token and the access tokens issued from it; a token the
	// pool no longer knows counts as revoked.
	RevokeToken(ctx context.Context, refreshToken string) error
	// GlobalSignOut invalidates every token of the access token's user.
	GlobalSignOut(ctx context.Context, accessToken string) error
	// Attributes reads the user's attributes with the user's own access token (nil, nil
	// when the token's scopes allow no way to read them).
	Attributes(ctx context.Context, accessToken string, scopes []string) (map[string]string, error)

	// StartSignIn starts a choice-based sign-in (USER_AUTH) for username: tokens, the
	// preferred factor's challenge (preferred: a Factor*, or "" for none), or SELECT_CHALLENGE
	// with the factors available. An unknown user is answered like a known one.
	StartSignIn(ctx context.Context, username, preferred string) (*Step, error)
	// StartPasskeyRegistration returns the creation options (PublicKeyCredentialCreationOptionsJSON)
	// for a new passkey of the access token's user.
	StartPasskeyRegistration(ctx context.Context, accessToken string) (json.RawMessage, error)
	// CompletePasskeyRegistration stores the passkey the authenticator created
	// (RegistrationResponseJSON); a failed verification is ReasonPasskeyRefused.
	CompletePasskeyRegistration(ctx context.Context, accessToken string, credential json.RawMessage) error
	// ListPasskeys lists the access token's user's passkeys.
	ListPasskeys(ctx context.Context, accessToken string) ([]Passkey, error)
	// DeletePasskey deletes one of them; an unknown id is ReasonNotFound.
	DeletePasskey(ctx context.Context, accessToken, id string) error

	// Profile reads every attribute of the access token's user that the app client may read
	// (GetUser).
	Profile(ctx context.Context, accessToken string) (*Profile, error)
	// UpdateAttributes writes the access token's user's attributes (UpdateUserAttributes).
	// An attribute the app client may not write is ReasonAttributeNotWritable. A changed
	// e-mail address is pending until verified; the result says where its code went (empty:
	// no code sent).
	UpdateAttributes(ctx context.Context, accessToken string, attributes map[string]string) ([]Delivery, error)
	// VerifyAttribute confirms an attribute (e-mail) with the code sent for it
	// (VerifyUserAttribute); a pending e-mail change takes effect.
	VerifyAttribute(ctx context.Context, accessToken, attribute, code string) error
	// SendAttributeCode sends an attribute's verification code again
	// (GetUserAttributeVerificationCode).
	SendAttributeCode(ctx context.Context, accessToken, attribute string) (*Delivery, error)
	// DeleteUser deletes the access token's user (DeleteUser).
	DeleteUser(ctx context.Context, accessToken string) error
}

// Profile is a user's own record as the pool gives it to them: username and attributes
// (Cognito's names and string values, "sub" and "email_verified" included).
type Profile struct {
	Username   string
	Attributes map[string]string
}

// The first factors of a choice-based sign-in (USER_AUTH), as Cognito names them.
const (
	FactorPassword = "PASSWORD"
	FactorEmailOTP = "EMAIL_OTP"
	FactorWebAuthn = "WEB_AUTHN"
)

// Passkey is one of a user's WebAuthn credentials, as the pool lists it.
type Passkey struct {
	ID             string
	Name           string
	RelyingPartyID string
	Attachment     string // "platform", "cross-platform" or ""
	Transports     []string
	CreatedAt      time.Time
}

// NewUser is a sign-up: a username (or e-mail address), its password and attributes.
type NewUser struct {
	Username   string
	Password   string
	Attributes map[string]string
}

// SignedUp is the pool's answer to a sign-up.
type SignedUp struct {
	Confirmed bool      // confirmed at once (the pre-sign-up trigger)
	Delivery  *Delivery // where the confirmation code went, if one was sent
}

// Tokens are what Cognito issues at sign-in (token endpoint or the user-pool API).
// RefreshToken is empty on a refresh unless the app client rotates refresh tokens.
type Tokens struct {
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"`
	TokenType    string `json:"token_type"`
}

// The challenges of Cognito's sign-in state machine that monban answers. The names are
// Cognito's and part of the API contract (POST /auth/challenge's "challenge").
const (
	ChallengeNewPassword   = "NEW_PASSWORD_REQUIRED"
	ChallengeTOTP          = "SOFTWARE_TOKEN_MFA"
	ChallengeSMS           = "SMS_MFA"
	ChallengeEmailOTP      = "EMAIL_OTP"
	ChallengeSelectMFAType = "SELECT_MFA_TYPE"
	ChallengeMFASetup      = "MFA_SETUP"
	ChallengeSelect        = "SELECT_CHALLENGE" // choice-based sign-in: pick a first factor
	ChallengeWebAuthn      = "WEB_AUTHN"        // sign in with a passkey
	ChallengePassword      = "PASSWORD"         // choice-based sign-in with the password
)

// Step is one answer of the sign-in state machine: Tokens, or the Next challenge.
type Step struct {
	Tokens *Tokens
	Next   *NextChallenge
}

// NextChallenge is a challenge to answer, with what the pool said about it.
type NextChallenge struct {
	Name    string // one of the Challenge* names, or another the flows refuse
	Session string // the pool's opaque session for the answer
	// Username is the name the answer must carry when the pool knows the user by another
	// than the one they signed in with ("" otherwise).
	Username string
	// RequiredAttributes are the attributes NEW_PASSWORD_REQUIRED needs ("name", not
	// "userAttributes.name").
	RequiredAttributes []string
	// Delivery is where SMS_MFA's or EMAIL_OTP's code went.
	Delivery *Delivery
	// MFATypes are the factors SELECT_MFA_TYPE offers or MFA_SETUP can set up.
	MFATypes []string
	// Factors are the first factors SELECT_CHALLENGE offers (Factor*).
	Factors []string
	// Options are WEB_AUTHN's PublicKeyCredentialRequestOptionsJSON, for the browser's
	// navigator.credentials.get.
	Options json.RawMessage
}

// Answer is the answer to a pending challenge; which field counts depends on the challenge.
type Answer struct {
	Code        string            // SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP
	NewPassword string            // NEW_PASSWORD_REQUIRED
	Attributes  map[string]string // NEW_PASSWORD_REQUIRED's required attributes
	MFAType     string            // SELECT_MFA_TYPE
	Factor      string            // SELECT_CHALLENGE: the chosen first factor
	Password    string            // PASSWORD, or SELECT_CHALLENGE answered with PASSWORD
	Credential  json.RawMessage   // WEB_AUTHN: the authenticator's AuthenticationResponseJSON
}

// TOTPUser names who is adding an authenticator app: a signed-in user (AccessToken) or a
// sign-in in progress (Session, while answering MFA_SETUP).
type TOTPUser struct {
	AccessToken string
	Session     string
}

// TOTPAssociation is an authenticator app being added: its secret, and for a sign-in in
// progress the session to continue with ("" when the pool gave none).
type TOTPAssociation struct {
	Secret  string
	Session string
}

// AuthorizeRequest is what managed login's authorize endpoint needs for a code flow with PKCE.
type AuthorizeRequest struct {
	RedirectURI      string
	Scopes           []string
	State, Nonce     string
	CodeChallenge    string // S256
	IdentityProvider string // optional: skip the IdP picker
	SignUp           bool   // open the sign-up screen instead of sign-in
}

// Reason says why the pool refused, in monban's terms. The adapter maps Cognito's exceptions
// to reasons; each flow maps reasons to the API's error contract.
type Reason string

// The reasons a user pool gives.
const (
	ReasonNotAuthorized         Reason = "not_authorized"          // wrong password, refused or revoked token
	ReasonTokenRevoked          Reason = "token_revoked"           // an access token the pool no longer accepts
	ReasonUserNotFound          Reason = "user_not_found"          // no such user
	ReasonUserNotConfirmed      Reason = "user_not_confirmed"      // sign-up not confirmed yet
	ReasonPasswordResetRequired Reason = "password_reset_required" // an administrator reset the password
	ReasonCodeMismatch          Reason = "code_mismatch"           // a wrong code
	ReasonExpiredCode           Reason = "expired_code"            // a code too old
	ReasonInvalidPassword       Reason = "invalid_password"        // against the password policy (Message says how)
	ReasonUsernameExists        Reason = "username_exists"         // the username is taken
	ReasonAliasExists           Reason = "alias_exists"            // the e-mail address belongs to another account
	ReasonInvalidParameter      Reason = "invalid_parameter"       // a value the pool does not accept (Message says which)
	ReasonTooManyRequests       Reason = "too_many_requests"       // the pool's request rate
	ReasonLimitExceeded         Reason = "limit_exceeded"          // too many attempts (codes, resets)
	ReasonTooManyFailedAttempts Reason = "too_many_failed_attempts"
	ReasonDeliveryFailed        Reason = "delivery_failed"        // a code could not be sent
	ReasonNoTOTPSetup           Reason = "no_totp_setup"          // no authenticator app is being added
	ReasonRejected              Reason = "rejected"               // a trigger refused (Message: its text for the user, or "")
	ReasonNotFound              Reason = "not_found"              // a resource the pool does not know
	ReasonSessionExpired        Reason = "session_expired"        // the sign-in in progress has expired or its session was used
	ReasonPasskeyRefused        Reason = "passkey_refused"        // a passkey's answer failed verification, or its challenge expired
	ReasonNotEnabled            Reason = "not_enabled"            // the pool or app client does not allow this sign-in (passkeys, USER_AUTH)
	ReasonAttributeNotWritable  Reason = "attribute_not_writable" // the app client may not write this attribute
	ReasonMisconfigured         Reason = "misconfigured"          // the app client is not set up for this call
	ReasonUnavailable           Reason = "unavailable"            // unreachable, or the pool's own fault
	ReasonUnknown               Reason = "unknown"                // anything else
)

// PoolError is a user pool's refusal. Message is the pool's own text, shown to the user only
// where the flow says so (a password policy, a trigger's refusal); Err is the cause, for logs.
type PoolError struct {
	Reason  Reason
	Message string
	Err     error
}

func (e *PoolError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("user pool: %s: %v", e.Reason, e.Err)
	}
	return "user pool: " + string(e.Reason)
}

func (e *PoolError) Unwrap() error { return e.Err }

// ReasonOf is the reason of a pool failure: ReasonUnavailable for a context deadline,
// ReasonUnknown for an error that is not a *PoolError.
func ReasonOf(err error) Reason {
	var pe *PoolError
	switch {
	case errors.As(err, &pe):
		return pe.Reason
	case errors.Is(err, context.DeadlineExceeded):
		return ReasonUnavailable
	}
	return ReasonUnknown
}
