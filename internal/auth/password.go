package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/monban-auth/monban/internal/cognito"
)

// Limits on what a browser may send; Cognito's own limits are looser.
const (
	maxUsername   = 128
	maxPassword   = 256
	maxCode       = 64
	maxAttributes = 32
	maxAttrValue  = 2048
)

var attributeName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_:.-]{0,63}$`)

// Credentials name a user: Username, or Email for pools that sign in by e-mail.
type Credentials struct {
	Username string `json:"username"`
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (c Credentials) name() string {
	if c.Username != "" {
		return c.Username
	}
	return c.Email
}

func checkName(name string) error {
	if name == "" {
		return Fail(CodeInvalidRequest, "username or email is required", nil)
	}
	if len(name) > maxUsername || !utf8.ValidString(name) || strings.ContainsAny(name, "\x00\r\n\t") {
		return Fail(CodeInvalidRequest, "username is malformed", nil)
	}
	return nil
}

func checkPassword(field, p string) error {
	if p == "" {
		return Fail(CodeInvalidRequest, field+" is required", nil)
	}
	if len(p) > maxPassword || !utf8.ValidString(p) {
		return Fail(CodeInvalidRequest, field+" is malformed", nil)
	}
	return nil
}

// checkCode accepts what Cognito's API accepts for a code (no whitespace), bounded.
func checkCode(code string) error {
	if code == "" {
		return Fail(CodeInvalidRequest, "code is required", nil)
	}
	if len(code) > maxCode || !utf8.ValidString(code) || strings.IndexFunc(code, unicode.IsSpace) >= 0 || strings.ContainsRune(code, 0) {
		return Fail(CodeInvalidRequest, "code is malformed", nil)
	}
	return nil
}

// Delivery says where Cognito sent a code (a masked address).
type Delivery struct {
	Medium      string `json:"medium"`
	Destination string `json:"destination,omitempty"`
}

func delivery(d *types.CodeDeliveryDetailsType) *Delivery {
	if d == nil {
		return nil
	}
	return &Delivery{Medium: string(d.DeliveryMedium), Destination: aws.ToString(d.Destination)}
}

// SignUpRequest is POST /auth/sign-up's body.
type SignUpRequest struct {
	Credentials
	Attributes map[string]string `json:"attributes"`
	SignIn     bool              `json:"sign_in"`
}

// SignUpResult answers a sign-up. SignIn is set when the user was confirmed at once (the
// pre-sign-up trigger) and sign_in was asked for.
type SignUpResult struct {
	UserConfirmed bool          `json:"user_confirmed"`
	Delivery      *Delivery     `json:"delivery,omitempty"`
	SignIn        *SignInResult `json:"-"`
}

// SignUp registers a user with Cognito's SignUp.
func (s *Service) SignUp(ctx context.Context, r SignUpRequest) (*SignUpResult, error) {
	name := r.name()
	if err := checkName(name); err != nil {
		return nil, err
	}
	if err := checkPassword("password", r.Password); err != nil {
		return nil, err
	}
	attrs, err := userAttributeList(r.Attributes)
	if err != nil {
		return nil, err
	}
	if r.Email != "" && r.Attributes["email"] == "" {
		attrs = append(attrs, types.AttributeType{Name: aws.String("email"), Value: aws.String(r.Email)})
	}
	out, err := s.pool.SignUp(ctx, &cip.SignUpInput{
		ClientId:       &s.cfg.ClientID,
		SecretHash:     s.secretHash(name),
		Username:       &name,
		Password:       &r.Password,
		UserAttributes: attrs,
	})
	// With existing users hidden, every accepted sign-up gets this one answer, never
	// "confirmed" and never a session: either would tell a new address from a taken one.
	// It needs confirmation by e-mail code: see warnAutoConfirmed.
	hidden := &SignUpResult{Delivery: &Delivery{Medium: "EMAIL", Destination: maskEmail(name)}}
	if err != nil {
		if s.cfg.HideExistingUsers && cognito.ErrorCode(err) == "UsernameExistsException" {
			return hidden, nil
		}
		return nil, poolFailure(err, "sign up", nil)
	}
	if s.cfg.HideExistingUsers {
		if out.UserConfirmed {
			s.warnAutoConfirmed()
		}
		return hidden, nil
	}
	res := &SignUpResult{UserConfirmed: out.UserConfirmed, Delivery: delivery(out.CodeDeliveryDetails)}
	if res.UserConfirmed && r.SignIn {
		si, err := s.SignInPassword(ctx, r.Credentials)
		if err != nil {
			return nil, err
		}
		res.SignIn = si
	}
	return res, nil
}

// warnAutoConfirmed reports, once per Service (a Lambda container has one), that hidden
// sign-up is undone: Cognito confirmed a new account at once (the pre-sign-up trigger's
// auto-confirm), so signing in with the password just chosen tells a new address (a
// session) from a taken one (wrong password). The answer stays the hidden one — anything
// else would tell the same thing at once — and the deployment must turn auto-confirm off:
// template.yaml refuses the combination (SignUpHideExisting needs SignUpAutoConfirm=false)
// and make dev turns it off.
func (s *Service) warnAutoConfirmed() {
	s.autoConfirmed.Do(func() {
		s.log.Error("MONBAN_SIGN_UP_HIDE_EXISTING is on, but Cognito confirmed a sign-up at once: " +
			"signing in with the chosen password tells a new address from a taken one. " +
			"Turn the pre-sign-up trigger's auto-confirm off (MONBAN_SIGNUP_AUTO_CONFIRM=false; template parameter SignUpAutoConfirm=false).")
	})
}

// maskEmail masks an address the way Cognito's CodeDeliveryDetails does (a***@e***).
func maskEmail(addr string) string {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" || domain == "" {
		return ""
	}
	return local[:1] + "***@" + domain[:1] + "***"
}

func userAttributeList(m map[string]string) ([]types.AttributeType, error) {
	if len(m) > maxAttributes {
		return nil, Fail(CodeInvalidRequest, "too many attributes", nil)
	}
	out := make([]types.AttributeType, 0, len(m)+1)
	for k, v := range m {
		if !attributeName.MatchString(k) || len(v) > maxAttrValue || !utf8.ValidString(v) {
			return nil, Fail(CodeInvalidRequest, fmt.Sprintf("attribute %.64q is malformed", k), nil)
		}
		out = append(out, types.AttributeType{Name: aws.String(k), Value: aws.String(v)})
	}
	return out, nil
}

// CodeRequest is a body naming a user and carrying a code (confirm sign-up).
type CodeRequest struct {
	Username string `json:"username"`
	Email    string `json:"email"`
	Code     string `json:"code"`
}

func (c CodeRequest) name() string { return Credentials{Username: c.Username, Email: c.Email}.name() }

// ConfirmSignUp confirms a user with the code Cognito sent.
func (s *Service) ConfirmSignUp(ctx context.Context, r CodeRequest) error {
	name := r.name()
	if err := checkName(name); err != nil {
		return err
	}
	if err := checkCode(r.Code); err != nil {
		return err
	}
	_, err := s.pool.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{
		ClientId: &s.cfg.ClientID, SecretHash: s.secretHash(name), Username: &name, ConfirmationCode: &r.Code,
	})
	if err != nil {
		return poolFailure(err, "confirm sign-up", failure{
			// Unknown user and wrong code answer alike.
			// Unknown user, already confirmed user and wrong code answer alike: anything
			// else would tell who has an account.
			"UserNotFoundException":  {Code: CodeCodeMismatch, Message: "The code is not correct."},
			"NotAuthorizedException": {Code: CodeCodeMismatch, Message: "The code is not correct."},
		})
	}
	return nil
}

// ResendCode sends the sign-up confirmation code again. The answer is the same whether or
// not the user exists.
func (s *Service) ResendCode(ctx context.Context, r CodeRequest) (*Delivery, error) {
	name := r.name()
	if err := checkName(name); err != nil {
		return nil, err
	}
	out, err := s.pool.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{
		ClientId: &s.cfg.ClientID, SecretHash: s.secretHash(name), Username: &name,
	})
	if err != nil {
		switch cognito.ErrorCode(err) {
		case "UserNotFoundException", "InvalidParameterException", "NotAuthorizedException":
			return &Delivery{Medium: "EMAIL"}, nil
		}
		return nil, poolFailure(err, "resend code", nil)
	}
	if d := delivery(out.CodeDeliveryDetails); d != nil {
		return &Delivery{Medium: d.Medium}, nil
	}
	return &Delivery{Medium: "EMAIL"}, nil
}

// ForgotPasswordRequest is POST /auth/forgot-password's body.
type ForgotPasswordRequest struct {
	Username string `json:"username"`
	Email    string `json:"email"`
}

// ForgotPassword asks Cognito to send a reset code. Unknown users, users without a verified
// address and real users get the same answer.
func (s *Service) ForgotPassword(ctx context.Context, r ForgotPasswordRequest) error {
	name := Credentials{Username: r.Username, Email: r.Email}.name()
	if err := checkName(name); err != nil {
		return err
	}
	_, err := s.pool.ForgotPassword(ctx, &cip.ForgotPasswordInput{
		ClientId: &s.cfg.ClientID, SecretHash: s.secretHash(name), Username: &name,
	})
	if err != nil {
		switch cognito.ErrorCode(err) {
		case "UserNotFoundException", "InvalidParameterException", "NotAuthorizedException", "UserNotConfirmedException":
			return nil
		}
		return poolFailure(err, "forgot password", nil)
	}
	return nil
}

// ConfirmForgotPasswordRequest is POST /auth/confirm-forgot-password's body.
type ConfirmForgotPasswordRequest struct {
	Username string `json:"username"`
	Email    string `json:"email"`
	Code     string `json:"code"`
	Password string `json:"password"`
}

// ConfirmForgotPassword sets a new password with the reset code.
func (s *Service) ConfirmForgotPassword(ctx context.Context, r ConfirmForgotPasswordRequest) error {
	name := Credentials{Username: r.Username, Email: r.Email}.name()
	if err := checkName(name); err != nil {
		return err
	}
	if err := checkCode(r.Code); err != nil {
		return err
	}
	if err := checkPassword("password", r.Password); err != nil {
		return err
	}
	_, err := s.pool.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{
		ClientId: &s.cfg.ClientID, SecretHash: s.secretHash(name), Username: &name,
		ConfirmationCode: &r.Code, Password: &r.Password,
	})
	if err != nil {
		return poolFailure(err, "confirm forgot password", failure{
			"UserNotFoundException":  {Code: CodeCodeMismatch, Message: "The code is not correct."},
			"NotAuthorizedException": {Code: CodeCodeMismatch, Message: "The code is not correct."},
			// moto's answer for an unknown user; with the client valid (every other call
			// works) it cannot mean anything else here.
			"ResourceNotFoundException": {Code: CodeCodeMismatch, Message: "The code is not correct."},
		})
	}
	return nil
}

// ChangePasswordRequest is POST /auth/change-password's body.
type ChangePasswordRequest struct {
	PreviousPassword string `json:"previous_password"`
	ProposedPassword string `json:"proposed_password"`
}

// ChangePassword changes the signed-in user's password.
func (s *Service) ChangePassword(ctx context.Context, sess *Session, r ChangePasswordRequest) error {
	if err := checkPassword("previous_password", r.PreviousPassword); err != nil {
		return err
	}
	if err := checkPassword("proposed_password", r.ProposedPassword); err != nil {
		return err
	}
	_, err := s.pool.ChangePassword(ctx, &cip.ChangePasswordInput{
		AccessToken: &sess.AccessToken, PreviousPassword: &r.PreviousPassword, ProposedPassword: &r.ProposedPassword,
	})
	if err != nil {
		if revokedToken(err) {
			return poolFailure(err, "change password", sessionEnded)
		}
		return poolFailure(err, "change password", failure{
			"NotAuthorizedException": {Code: CodeInvalidCredentials, Message: "The current password is not correct."},
		})
	}
	return nil
}

// TOTPSetup is what an authenticator app needs: the secret and an otpauth:// URI to show as
// a QR code.
type TOTPSetup struct {
	Secret     string `json:"secret"`
	OTPAuthURI string `json:"otpauth_uri"`
}

func (s *Service) totpSetup(secret, account string) *TOTPSetup {
	issuer := s.cfg.TOTPIssuer
	label := url.PathEscape(issuer + ":" + account)
	q := url.Values{"secret": {secret}, "issuer": {issuer}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	return &TOTPSetup{Secret: secret, OTPAuthURI: "otpauth://totp/" + label + "?" + q.Encode()}
}

// SetupTOTP starts adding an authenticator app for the signed-in user.
func (s *Service) SetupTOTP(ctx context.Context, sess *Session) (*TOTPSetup, error) {
	out, err := s.pool.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: &sess.AccessToken})
	if err != nil {
		return nil, poolFailure(err, "associate software token", sessionEnded)
	}
	account := sess.User.Email
	if account == "" {
		account = sess.User.Username
	}
	return s.totpSetup(aws.ToString(out.SecretCode), account), nil
}

// VerifyTOTPRequest is POST /auth/mfa/totp/verify's body.
type VerifyTOTPRequest struct {
	Code         string `json:"code"`
	FriendlyName string `json:"friendly_name"`
}

// VerifyTOTP checks the first code from the authenticator app and makes TOTP the user's
// preferred second factor.
func (s *Service) VerifyTOTP(ctx context.Context, sess *Session, r VerifyTOTPRequest) error {
	if err := checkCode(r.Code); err != nil {
		return err
	}
	if len(r.FriendlyName) > 64 {
		return Fail(CodeInvalidRequest, "friendly_name is too long", nil)
	}
	in := &cip.VerifySoftwareTokenInput{AccessToken: &sess.AccessToken, UserCode: &r.Code}
	if r.FriendlyName != "" {
		in.FriendlyDeviceName = &r.FriendlyName
	}
	out, err := s.pool.VerifySoftwareToken(ctx, in)
	if err != nil {
		return poolFailure(err, "verify software token", sessionEnded)
	}
	if out.Status != types.VerifySoftwareTokenResponseTypeSuccess {
		return Fail(CodeCodeMismatch, "The code is not correct.", nil)
	}
	_, err = s.pool.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{
		AccessToken:              &sess.AccessToken,
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true},
	})
	if err != nil {
		return poolFailure(err, "set MFA preference", sessionEnded)
	}
	return nil
}

// sessionEnded: with an access token, NotAuthorizedException means the token was revoked
// (sign-out elsewhere, GlobalSignOut, a disabled user), not a wrong credential.
var sessionEnded = failure{
	"NotAuthorizedException": {Code: CodeUnauthenticated, Message: "The session has ended; sign in again."},
}

// revokedToken tells ChangePassword's two NotAuthorizedExceptions apart: a revoked or
// expired access token, or a wrong current password. Only the message differs.
func revokedToken(err error) bool {
	return cognito.ErrorCode(err) == "NotAuthorizedException" && strings.Contains(strings.ToLower(cognito.Message(err)), "access token")
}

func (s *Service) secretHash(username string) *string {
	if s.cfg.ClientSecret == "" {
		return nil
	}
	h := cognito.SecretHash(s.cfg.ClientID, s.cfg.ClientSecret, username)
	return &h
}

// jsonList reads a challenge parameter that Cognito encodes as a JSON array in a string.
func jsonList(s string) []string {
	var out []string
	if json.Unmarshal([]byte(s), &out) != nil {
		return []string{}
	}
	return out
}
