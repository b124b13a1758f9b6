package auth

import (
	"context"
	"net/url"
)

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
	assoc, err := s.pool.AssociateTOTP(ctx, TOTPUser{AccessToken: sess.AccessToken})
	if err != nil {
		return nil, poolFailure(err, "associate software token", sessionEnded)
	}
	account := sess.User.Email
	if account == "" {
		account = sess.User.Username
	}
	return s.totpSetup(assoc.Secret, account), nil
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
	who := TOTPUser{AccessToken: sess.AccessToken}
	if _, err := s.pool.VerifyTOTP(ctx, who, r.Code, r.FriendlyName); err != nil {
		return poolFailure(err, "verify software token", sessionEnded)
	}
	if err := s.pool.PreferTOTP(ctx, sess.AccessToken); err != nil {
		return poolFailure(err, "set MFA preference", sessionEnded)
	}
	return nil
}
