package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/monban-auth/monban/internal/token"
)

// DefaultReauthWindow is Config.ReauthWindow's default: a sign-in this recent lets the user
// delete their account without typing the password again.
const DefaultReauthWindow = 5 * time.Minute

// authTimeSkew is how far in the future a token's auth_time may be (clocks differ a little)
// and still count as a sign-in just made.
const authTimeSkew = time.Minute

// DeleteAccountRequest is POST /auth/account/delete's body. Password is optional: without
// it, the session must come from a recent sign-in.
type DeleteAccountRequest struct {
	Password string `json:"password"`
}

// DeleteAccount deletes the signed-in user's account (Cognito's DeleteUser) and revokes
// ref, the browser's refresh token (nil: none). A session alone is not enough, since a
// stolen one must not destroy the account: the user proves they are present with a sign-in
// within Config.ReauthWindow, or with their password.
func (s *Service) DeleteAccount(ctx context.Context, sess *Session, r DeleteAccountRequest, ref *Refresh) error {
	if err := s.reauthenticate(ctx, sess, r.Password); err != nil {
		return err
	}
	if err := s.pool.DeleteUser(ctx, sess.AccessToken); err != nil {
		return poolFailure(err, "delete user", sessionEnded)
	}
	s.known.forget(sess.AccessToken) // the token stands for nobody now
	if ref != nil && ref.Token != "" {
		// Cognito refuses a deleted user's tokens anyway; revoking is belt and braces.
		s.revoke(ctx, ref.Token, "refresh token not revoked after the account was deleted")
	}
	return nil
}

// reauthenticate lets the deletion go ahead when password (if given) signs in as the
// session's user, or else when the session's sign-in is recent. A wrong password is
// refused as at sign-in, whatever the session's age.
func (s *Service) reauthenticate(ctx context.Context, sess *Session, password string) error {
	if password != "" {
		ok, err := s.passwordProves(ctx, sess, password)
		if ok || err != nil {
			return err
		}
	}
	fresh, err := s.recentSignIn(ctx, sess)
	if err != nil || fresh {
		return err
	}
	return Fail(CodeReauthRequired,
		fmt.Sprintf("Sign in again, then delete the account within %s.", minutes(s.cfg.ReauthWindow)), nil)
}

// passwordProves signs in with password as the session's user. Tokens for the same user
// prove the password (the refresh token they bring is revoked at once: this sign-in opens
// no session); a challenge (MFA, a new password) proves nothing, since answering it here
// would make this a second sign-in form, and the user signs in again instead.
func (s *Service) passwordProves(ctx context.Context, sess *Session, password string) (bool, error) {
	if err := checkPassword("password", password); err != nil {
		return false, err
	}
	name := sess.User.Username
	if name == "" {
		name = sess.User.Email
	}
	st, err := s.pool.SignInPassword(ctx, name, password)
	if err != nil {
		return false, poolFailure(err, "initiate auth", s.signInRefusals())
	}
	if st == nil || st.Tokens == nil {
		return false, nil
	}
	if st.Tokens.RefreshToken != "" {
		s.revoke(ctx, st.Tokens.RefreshToken, "refresh token of the password check not revoked")
	}
	c, err := s.verifier.VerifyAccess(ctx, st.Tokens.AccessToken)
	if err != nil {
		return false, tokenFailure(err, "access token")
	}
	return c.Subject != "" && c.Subject == sess.User.Sub, nil
}

// recentSignIn reports whether the session's access token comes from a sign-in within
// Config.ReauthWindow: its auth_time, which Cognito keeps across refreshes, verified with
// the token.
func (s *Service) recentSignIn(ctx context.Context, sess *Session) (bool, error) {
	c, err := s.verifier.VerifyAccess(ctx, sess.AccessToken)
	if errors.Is(err, token.ErrKeysUnavailable) {
		return false, tokenFailure(err, "access token")
	}
	if err != nil || c.Subject != sess.User.Sub || c.AuthTime.IsZero() {
		return false, nil // a token that does not verify proves no sign-in
	}
	age := s.cfg.Now().Sub(c.AuthTime)
	return age >= -authTimeSkew && age <= s.cfg.ReauthWindow, nil
}

// revoke revokes a refresh token, logging (never the token) when Cognito would not.
func (s *Service) revoke(ctx context.Context, refreshToken, failure string) {
	if err := s.pool.RevokeToken(ctx, refreshToken); err != nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, failure, slog.String("reason", string(ReasonOf(err))))
	}
}

// minutes says d for a person: "5 minutes", "1 minute", or seconds below a minute.
func minutes(d time.Duration) string {
	switch m := int(d / time.Minute); {
	case d%time.Minute != 0 || m == 0:
		return fmt.Sprintf("%d seconds", int(d/time.Second))
	case m == 1:
		return "1 minute"
	default:
		return fmt.Sprintf("%d minutes", m)
	}
}
