package userpooltest_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/auth/userpooltest"
	"github.com/monban-auth/monban/internal/token"
	"github.com/monban-auth/monban/internal/tokentest"
)

const (
	email    = "carol@example.com"
	password = "Str0ng-Passw0rd!"
)

var ctx = context.Background()

type fixture struct {
	pool     *userpooltest.Pool
	clock    *tokentest.Clock
	verifier *token.Verifier
}

// newFixture is a pool with its keys served on 127.0.0.1 and the real verifier over them.
func newFixture(t *testing.T, change ...func(*userpooltest.Options)) *fixture {
	t.Helper()
	clock := tokentest.NewClock(time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC))
	o := userpooltest.Options{Issuer: tokentest.Issuer, ClientID: tokentest.ClientID, Now: clock.Now}
	for _, f := range change {
		f(&o)
	}
	pool := userpooltest.New(o)
	v, _ := pool.Verifier(t)
	return &fixture{pool: pool, clock: clock, verifier: v}
}

// confirmed signs a user up and confirms them with the code the pool sent.
func (f *fixture) confirmed(t *testing.T, name string, attrs map[string]string) {
	t.Helper()
	up, err := f.pool.SignUp(ctx, auth.NewUser{Username: name, Password: password, Attributes: attrs})
	if err != nil || up.Confirmed || up.Delivery == nil || up.Delivery.Medium != "EMAIL" {
		t.Fatalf("sign up: %+v %v", up, err)
	}
	if err := f.pool.ConfirmSignUp(ctx, name, f.pool.Code(name)); err != nil {
		t.Fatalf("confirm: %v", err)
	}
}

func (f *fixture) signIn(t *testing.T, name, pw string) *auth.Tokens {
	t.Helper()
	st, err := f.pool.SignInPassword(ctx, name, pw)
	if err != nil || st.Tokens == nil {
		t.Fatalf("sign in: %+v %v", st, err)
	}
	return st.Tokens
}

func wantReason(t *testing.T, what string, err error, want auth.Reason) {
	t.Helper()
	var pe *auth.PoolError
	if !errors.As(err, &pe) || pe.Reason != want {
		t.Fatalf("%s: got %v, want a *auth.PoolError with reason %s", what, err, want)
	}
}

func TestTokensPassTheRealVerifier(t *testing.T) {
	f := newFixture(t)
	f.confirmed(t, email, map[string]string{"name": "Carol", "custom:tenant": "acme"})
	if err := f.pool.AddToGroup(email, "staff"); err != nil {
		t.Fatal(err)
	}
	tok := f.signIn(t, email, password)
	if tok.RefreshToken == "" || tok.ExpiresIn != 3600 || tok.TokenType != "Bearer" {
		t.Fatalf("tokens: %+v", tok)
	}
	id, err := f.verifier.VerifyID(ctx, tok.IDToken, "", false)
	if err != nil {
		t.Fatalf("ID token: %v", err)
	}
	at, err := f.verifier.VerifyAccess(ctx, tok.AccessToken)
	if err != nil {
		t.Fatalf("access token: %v", err)
	}
	if id.Email != email || !id.EmailVerified || id.Username != id.Subject || id.Attributes["name"] != "Carol" ||
		id.Attributes["custom:tenant"] != "acme" || !slices.Equal(id.Groups, []string{"staff"}) {
		t.Fatalf("ID claims: %+v", id)
	}
	if at.Subject != id.Subject || at.Username != id.Subject || at.Scope != "aws.cognito.signin.user.admin" || !slices.Equal(at.Groups, []string{"staff"}) {
		t.Fatalf("access claims: %+v", at)
	}
	attrs, err := f.pool.Attributes(ctx, tok.AccessToken, []string{"aws.cognito.signin.user.admin"})
	if err != nil || attrs["sub"] != id.Subject || attrs["email"] != email || attrs["email_verified"] != "true" || attrs["name"] != "Carol" {
		t.Fatalf("attributes: %v %v", attrs, err)
	}
	if attrs, err := f.pool.Attributes(ctx, tok.AccessToken, []string{"phone"}); attrs != nil || err != nil {
		t.Fatalf("attributes without a scope that reads them: %v %v", attrs, err)
	}
	// The user signs in by sub too: the name Cognito knows them by.
	f.signIn(t, id.Subject, password)
}

func TestSignUpAndSignInRefusals(t *testing.T) {
	f := newFixture(t)
	f.confirmed(t, email, nil)
	cases := []struct {
		name string
		err  func() error
		want auth.Reason
	}{
		{"a taken e-mail address is reported", func() error {
			_, err := f.pool.SignUp(ctx, auth.NewUser{Username: "Carol@Example.com", Password: password})
			return err
		}, auth.ReasonUsernameExists},
		{"a name that is no e-mail address is refused", func() error {
			_, err := f.pool.SignUp(ctx, auth.NewUser{Username: "carol", Password: password})
			return err
		}, auth.ReasonInvalidParameter},
		{"an attribute outside the schema is refused", func() error {
			_, err := f.pool.SignUp(ctx, auth.NewUser{Username: "x@example.com", Password: password, Attributes: map[string]string{"tenant": "x"}})
			return err
		}, auth.ReasonInvalidParameter},
		{"a wrong password is not authorized", func() error {
			_, err := f.pool.SignInPassword(ctx, email, "Wr0ng-Passw0rd!")
			return err
		}, auth.ReasonNotAuthorized},
		{"an unknown user is not authorized, like a wrong password", func() error {
			_, err := f.pool.SignInPassword(ctx, "nobody@example.com", password)
			return err
		}, auth.ReasonNotAuthorized},
		{"an unknown user's confirmation is a wrong code", func() error {
			return f.pool.ConfirmSignUp(ctx, "nobody@example.com", "123456")
		}, auth.ReasonCodeMismatch},
		{"a confirmed user cannot be confirmed again", func() error {
			return f.pool.ConfirmSignUp(ctx, email, "123456")
		}, auth.ReasonNotAuthorized},
		{"a confirmed user gets no new sign-up code", func() error {
			_, err := f.pool.ResendConfirmationCode(ctx, email)
			return err
		}, auth.ReasonInvalidParameter},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantReason(t, c.name, c.err(), c.want) })
	}
}

func TestThePasswordPolicyIsEnforcedWithCognitosMessage(t *testing.T) {
	f := newFixture(t)
	for pw, msg := range map[string]string{
		"Sh0rt!":       "Password did not conform with policy: Password not long enough",
		"N0-LOWERCASE": "Password did not conform with policy: Password must have lowercase characters",
		"n0-uppercase": "Password did not conform with policy: Password must have uppercase characters",
		"No-Numbers!":  "Password did not conform with policy: Password must have numeric characters",
		"N0Symbols123": "Password did not conform with policy: Password must have symbol characters",
	} {
		_, err := f.pool.SignUp(ctx, auth.NewUser{Username: email, Password: pw})
		var pe *auth.PoolError
		if !errors.As(err, &pe) || pe.Reason != auth.ReasonInvalidPassword || pe.Message != msg {
			t.Errorf("%q: %v, want %q", pw, err, msg)
		}
	}
}

func TestAnUnconfirmedUserConfirmsWithTheCodeSent(t *testing.T) {
	f := newFixture(t)
	if _, err := f.pool.SignUp(ctx, auth.NewUser{Username: email, Password: password}); err != nil {
		t.Fatal(err)
	}
	_, err := f.pool.SignInPassword(ctx, email, password)
	wantReason(t, "unconfirmed sign-in", err, auth.ReasonUserNotConfirmed)
	first := f.pool.Code(email)
	d, err := f.pool.ResendConfirmationCode(ctx, email)
	if err != nil || d.Medium != "EMAIL" || d.Destination != "c***@e***" {
		t.Fatalf("resend: %+v %v", d, err)
	}
	if d, err := f.pool.ResendConfirmationCode(ctx, "nobody@example.com"); err != nil || d == nil {
		t.Fatalf("an unknown user's resend is a simulated delivery: %+v %v", d, err)
	}
	code := f.pool.Code(email)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	wantReason(t, "wrong code", f.pool.ConfirmSignUp(ctx, email, wrong), auth.ReasonCodeMismatch)
	if first != code {
		wantReason(t, "the replaced code", f.pool.ConfirmSignUp(ctx, email, first), auth.ReasonCodeMismatch)
	}
	f.clock.Advance(25 * time.Hour)
	wantReason(t, "a day-old code", f.pool.ConfirmSignUp(ctx, email, code), auth.ReasonExpiredCode)
	if _, err := f.pool.ResendConfirmationCode(ctx, email); err != nil {
		t.Fatal(err)
	}
	if err := f.pool.ConfirmSignUp(ctx, email, f.pool.Code(email)); err != nil {
		t.Fatal(err)
	}
	f.signIn(t, email, password)
}

func TestAutoConfirmConfirmsAndVerifiesAtOnce(t *testing.T) {
	f := newFixture(t, func(o *userpooltest.Options) { o.AutoConfirm = true })
	up, err := f.pool.SignUp(ctx, auth.NewUser{Username: email, Password: password})
	if err != nil || !up.Confirmed || up.Delivery != nil {
		t.Fatalf("%+v %v", up, err)
	}
	id, err := f.verifier.VerifyID(ctx, f.signIn(t, email, password).IDToken, "", false)
	if err != nil || !id.EmailVerified {
		t.Fatalf("%+v %v", id, err)
	}
}

func TestForgotPasswordResetsWithTheCode(t *testing.T) {
	f := newFixture(t)
	f.confirmed(t, email, nil)
	if err := f.pool.ForgotPassword(ctx, "nobody@example.com"); err != nil {
		t.Fatalf("an unknown user's reset is a simulated success: %v", err)
	}
	if err := f.pool.ForgotPassword(ctx, email); err != nil {
		t.Fatal(err)
	}
	code := f.pool.Code(email)
	wantReason(t, "unknown user", f.pool.ConfirmForgotPassword(ctx, "nobody@example.com", code, "Res3t-Passw0rd!"), auth.ReasonCodeMismatch)
	wantReason(t, "weak password", f.pool.ConfirmForgotPassword(ctx, email, code, "weak"), auth.ReasonInvalidPassword)
	if err := f.pool.ConfirmForgotPassword(ctx, email, code, "Res3t-Passw0rd!"); err != nil {
		t.Fatal(err)
	}
	wantReason(t, "a used code", f.pool.ConfirmForgotPassword(ctx, email, code, "Res3t-Passw0rd!"), auth.ReasonCodeMismatch)
	f.signIn(t, email, "Res3t-Passw0rd!")

	if err := f.pool.ResetPassword(email); err != nil {
		t.Fatal(err)
	}
	_, err := f.pool.SignInPassword(ctx, email, "Res3t-Passw0rd!")
	wantReason(t, "after an administrator's reset", err, auth.ReasonPasswordResetRequired)
}

func TestRefreshRevokeAndGlobalSignOut(t *testing.T) {
	f := newFixture(t)
	f.confirmed(t, email, nil)
	first := f.signIn(t, email, password)
	f.clock.Advance(time.Minute)
	again, err := f.pool.Refresh(ctx, auth.Refresh{Token: first.RefreshToken})
	if err != nil || again.RefreshToken != "" || again.AccessToken == first.AccessToken {
		t.Fatalf("refresh: %+v %v", again, err)
	}
	if _, err := f.verifier.VerifyAccess(ctx, again.AccessToken); err != nil {
		t.Fatal(err)
	}
	_, err = f.pool.Refresh(ctx, auth.Refresh{Token: "not-a-refresh-token"})
	wantReason(t, "an unknown refresh token", err, auth.ReasonNotAuthorized)

	// Revoking a refresh token ends its sign-in, not the user's others.
	second := f.signIn(t, email, password)
	if err := f.pool.RevokeToken(ctx, first.RefreshToken); err != nil {
		t.Fatal(err)
	}
	_, err = f.pool.Refresh(ctx, auth.Refresh{Token: first.RefreshToken})
	wantReason(t, "a revoked refresh token", err, auth.ReasonNotAuthorized)
	_, err = f.pool.Attributes(ctx, again.AccessToken, []string{"aws.cognito.signin.user.admin"})
	wantReason(t, "an access token of a revoked sign-in", err, auth.ReasonTokenRevoked)
	if err := f.pool.RevokeToken(ctx, first.RefreshToken); err != nil {
		t.Fatalf("revoking twice: %v", err)
	}
	if _, err := f.pool.Refresh(ctx, auth.Refresh{Token: second.RefreshToken}); err != nil {
		t.Fatalf("another sign-in's refresh: %v", err)
	}

	// A global sign-out ends every sign-in of the user; a new one works.
	third := f.signIn(t, email, password)
	if err := f.pool.GlobalSignOut(ctx, third.AccessToken); err != nil {
		t.Fatal(err)
	}
	_, err = f.pool.Refresh(ctx, auth.Refresh{Token: second.RefreshToken})
	wantReason(t, "refresh after global sign-out", err, auth.ReasonNotAuthorized)
	wantReason(t, "change password after global sign-out", f.pool.ChangePassword(ctx, third.AccessToken, password, "Chang3d-Passw0rd!"), auth.ReasonTokenRevoked)
	_, err = f.pool.AssociateTOTP(ctx, auth.TOTPUser{AccessToken: third.AccessToken})
	wantReason(t, "TOTP after global sign-out", err, auth.ReasonTokenRevoked)
	fourth := f.signIn(t, email, password)
	if _, err := f.pool.Attributes(ctx, fourth.AccessToken, []string{"openid"}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(2 * time.Hour)
	_, err = f.pool.Attributes(ctx, fourth.AccessToken, []string{"openid"})
	wantReason(t, "an expired access token", err, auth.ReasonTokenRevoked)
}

func TestRotatedRefreshTokensReplaceTheirPredecessor(t *testing.T) {
	f := newFixture(t, func(o *userpooltest.Options) { o.RotateRefresh = true })
	f.confirmed(t, email, nil)
	first := f.signIn(t, email, password)
	next, err := f.pool.Refresh(ctx, auth.Refresh{Token: first.RefreshToken})
	if err != nil || next.RefreshToken == "" || next.RefreshToken == first.RefreshToken {
		t.Fatalf("%+v %v", next, err)
	}
	_, err = f.pool.Refresh(ctx, auth.Refresh{Token: first.RefreshToken})
	wantReason(t, "the retired refresh token", err, auth.ReasonNotAuthorized)
	if _, err := f.pool.Refresh(ctx, auth.Refresh{Token: next.RefreshToken}); err != nil {
		t.Fatal(err)
	}
}

func TestChangePasswordNeedsTheCurrentOne(t *testing.T) {
	f := newFixture(t)
	f.confirmed(t, email, nil)
	at := f.signIn(t, email, password).AccessToken
	wantReason(t, "wrong current password", f.pool.ChangePassword(ctx, at, "Wr0ng-Passw0rd!", "Chang3d-Passw0rd!"), auth.ReasonNotAuthorized)
	wantReason(t, "weak new password", f.pool.ChangePassword(ctx, at, password, "weak"), auth.ReasonInvalidPassword)
	wantReason(t, "a forged token", f.pool.ChangePassword(ctx, tokentest.Sign(tokentest.AccessClaims(f.clock.Now())), password, "Chang3d-Passw0rd!"), auth.ReasonTokenRevoked)
	if err := f.pool.ChangePassword(ctx, at, password, "Chang3d-Passw0rd!"); err != nil {
		t.Fatal(err)
	}
	f.signIn(t, email, "Chang3d-Passw0rd!")
}

func totp(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := userpooltest.TOTP(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTOTPSetUpThenRequiredAtSignIn(t *testing.T) {
	f := newFixture(t)
	f.confirmed(t, email, nil)
	at := f.signIn(t, email, password).AccessToken
	_, err := f.pool.VerifyTOTP(ctx, auth.TOTPUser{AccessToken: at}, "123456", "")
	wantReason(t, "verify before associate", err, auth.ReasonNoTOTPSetup)
	wantReason(t, "prefer before verify", f.pool.PreferTOTP(ctx, at), auth.ReasonInvalidParameter)
	a, err := f.pool.AssociateTOTP(ctx, auth.TOTPUser{AccessToken: at})
	if err != nil || len(a.Secret) != 52 || a.Session != "" {
		t.Fatalf("associate: %+v %v", a, err)
	}
	_, err = f.pool.VerifyTOTP(ctx, auth.TOTPUser{AccessToken: at}, totp(t, a.Secret, f.clock.Now().Add(-10*time.Minute)), "")
	wantReason(t, "a stale code", err, auth.ReasonCodeMismatch)
	if s, err := f.pool.VerifyTOTP(ctx, auth.TOTPUser{AccessToken: at}, totp(t, a.Secret, f.clock.Now()), "phone"); err != nil || s != "" {
		t.Fatalf("verify: %q %v", s, err)
	}
	f.signIn(t, email, password) // verified but not preferred: no challenge yet
	if err := f.pool.PreferTOTP(ctx, at); err != nil {
		t.Fatal(err)
	}

	st, err := f.pool.SignInPassword(ctx, email, password)
	if err != nil || st.Next == nil || st.Next.Name != auth.ChallengeTOTP || st.Next.Session == "" || st.Next.Username == "" || st.Next.Username == email {
		t.Fatalf("sign-in with TOTP on: %+v %v", st, err)
	}
	c := auth.Challenge{Name: st.Next.Name, Session: st.Next.Session, Username: st.Next.Username}
	_, err = f.pool.AnswerChallenge(ctx, c, auth.Answer{Code: totp(t, a.Secret, f.clock.Now().Add(-10*time.Minute))})
	wantReason(t, "a wrong code", err, auth.ReasonCodeMismatch)
	f.clock.Advance(30 * time.Second) // one step of drift is tolerated
	done, err := f.pool.AnswerChallenge(ctx, c, auth.Answer{Code: totp(t, a.Secret, f.clock.Now().Add(-30*time.Second))})
	if err != nil || done.Tokens == nil {
		t.Fatalf("right code: %+v %v", done, err)
	}
	_, err = f.pool.AnswerChallenge(ctx, c, auth.Answer{Code: totp(t, a.Secret, f.clock.Now())})
	wantReason(t, "a used session", err, auth.ReasonSessionExpired)
}

func TestMFASetupWhenThePoolRequiresMFA(t *testing.T) {
	f := newFixture(t, func(o *userpooltest.Options) { o.MFARequired = true })
	f.confirmed(t, email, nil)
	st, err := f.pool.SignInPassword(ctx, email, password)
	if err != nil || st.Next == nil || st.Next.Name != auth.ChallengeMFASetup || !slices.Equal(st.Next.MFATypes, []string{"SOFTWARE_TOKEN_MFA"}) {
		t.Fatalf("%+v %v", st, err)
	}
	_, err = f.pool.AnswerChallenge(ctx, auth.Challenge{Name: auth.ChallengeMFASetup, Session: st.Next.Session}, auth.Answer{})
	wantReason(t, "an answer before verification", err, auth.ReasonInvalidParameter)
	a, err := f.pool.AssociateTOTP(ctx, auth.TOTPUser{Session: st.Next.Session})
	if err != nil || a.Session == "" || a.Session == st.Next.Session {
		t.Fatalf("associate: %+v %v", a, err)
	}
	session, err := f.pool.VerifyTOTP(ctx, auth.TOTPUser{Session: a.Session}, totp(t, a.Secret, f.clock.Now()), "")
	if err != nil || session == "" {
		t.Fatalf("verify: %q %v", session, err)
	}
	done, err := f.pool.AnswerChallenge(ctx, auth.Challenge{Name: auth.ChallengeMFASetup, Session: session}, auth.Answer{})
	if err != nil || done.Tokens == nil {
		t.Fatalf("answer: %+v %v", done, err)
	}
	st, err = f.pool.SignInPassword(ctx, email, password)
	if err != nil || st.Next == nil || st.Next.Name != auth.ChallengeTOTP {
		t.Fatalf("next sign-in: %+v %v", st, err)
	}
}

func TestSelectMFATypeThenAnEmailCode(t *testing.T) {
	f := newFixture(t)
	f.confirmed(t, email, map[string]string{"phone_number": "+15555550123"})
	if err := f.pool.SetMFAPreference(email, []string{"SMS_MFA", "EMAIL_OTP"}, ""); err != nil {
		t.Fatal(err)
	}
	st, err := f.pool.SignInPassword(ctx, email, password)
	if err != nil || st.Next == nil || st.Next.Name != auth.ChallengeSelectMFAType || !slices.Equal(st.Next.MFATypes, []string{"SMS_MFA", "EMAIL_OTP"}) {
		t.Fatalf("%+v %v", st, err)
	}
	next, err := f.pool.AnswerChallenge(ctx, auth.Challenge{Name: st.Next.Name, Session: st.Next.Session}, auth.Answer{MFAType: "EMAIL_OTP"})
	if err != nil || next.Next == nil || next.Next.Name != auth.ChallengeEmailOTP || next.Next.Delivery.Destination != "c***@e***" {
		t.Fatalf("%+v %v", next, err)
	}
	done, err := f.pool.AnswerChallenge(ctx, auth.Challenge{Name: next.Next.Name, Session: next.Next.Session}, auth.Answer{Code: f.pool.Code(email)})
	if err != nil || done.Tokens == nil {
		t.Fatalf("%+v %v", done, err)
	}
}

func TestANewPasswordIsRequiredAfterCreateUser(t *testing.T) {
	f := newFixture(t)
	if err := f.pool.CreateUser("hana@example.com", "Temp-Passw0rd!", map[string]string{"email_verified": "true"}); err != nil {
		t.Fatal(err)
	}
	wantReason(t, "a taken name", f.pool.CreateUser("hana@example.com", "Temp-Passw0rd!", nil), auth.ReasonUsernameExists)
	st, err := f.pool.SignInPassword(ctx, "hana@example.com", "Temp-Passw0rd!")
	if err != nil || st.Next == nil || st.Next.Name != auth.ChallengeNewPassword || st.Next.Username == "" {
		t.Fatalf("%+v %v", st, err)
	}
	c := auth.Challenge{Name: st.Next.Name, Session: st.Next.Session, Username: st.Next.Username}
	_, err = f.pool.AnswerChallenge(ctx, c, auth.Answer{NewPassword: "weak"})
	wantReason(t, "a weak new password", err, auth.ReasonInvalidPassword)
	_, err = f.pool.AnswerChallenge(ctx, auth.Challenge{Name: auth.ChallengeTOTP, Session: c.Session}, auth.Answer{Code: "123456"})
	wantReason(t, "another challenge's name", err, auth.ReasonInvalidParameter)
	done, err := f.pool.AnswerChallenge(ctx, c, auth.Answer{NewPassword: password, Attributes: map[string]string{"name": "Hana"}})
	if err != nil || done.Tokens == nil {
		t.Fatalf("%+v %v", done, err)
	}
	id, err := f.verifier.VerifyID(ctx, done.Tokens.IDToken, "", false)
	if err != nil || id.Email != "hana@example.com" || !id.EmailVerified || id.Attributes["name"] != "Hana" {
		t.Fatalf("%+v %v", id, err)
	}
	f.signIn(t, "hana@example.com", password)

	// A temporary password lasts seven days.
	if err := f.pool.CreateUser("ivan@example.com", "Temp-Passw0rd!", nil); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(8 * 24 * time.Hour)
	_, err = f.pool.SignInPassword(ctx, "ivan@example.com", "Temp-Passw0rd!")
	wantReason(t, "an expired temporary password", err, auth.ReasonNotAuthorized)
}

func TestAChallengeSessionExpires(t *testing.T) {
	f := newFixture(t)
	if err := f.pool.CreateUser(email, "Temp-Passw0rd!", nil); err != nil {
		t.Fatal(err)
	}
	st, err := f.pool.SignInPassword(ctx, email, "Temp-Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(3 * time.Minute)
	_, err = f.pool.AnswerChallenge(ctx, auth.Challenge{Name: st.Next.Name, Session: st.Next.Session}, auth.Answer{NewPassword: password})
	wantReason(t, "an expired session", err, auth.ReasonSessionExpired)
}

func TestADisabledUserIsRefused(t *testing.T) {
	f := newFixture(t)
	f.confirmed(t, email, nil)
	tok := f.signIn(t, email, password)
	if err := f.pool.Disable(email); err != nil {
		t.Fatal(err)
	}
	_, err := f.pool.SignInPassword(ctx, email, password)
	wantReason(t, "sign-in", err, auth.ReasonNotAuthorized)
	_, err = f.pool.Refresh(ctx, auth.Refresh{Token: tok.RefreshToken})
	wantReason(t, "refresh", err, auth.ReasonNotAuthorized)
	_, err = f.pool.Attributes(ctx, tok.AccessToken, []string{"openid"})
	wantReason(t, "attributes", err, auth.ReasonTokenRevoked)
}

func TestFailInjectsOneFailureAndCallsCounts(t *testing.T) {
	f := newFixture(t)
	down := &auth.PoolError{Reason: auth.ReasonUnavailable, Err: errors.New("connection refused")}
	f.pool.Fail("SignUp", down)
	_, err := f.pool.SignUp(ctx, auth.NewUser{Username: email, Password: password})
	if !errors.Is(err, down) {
		t.Fatalf("injected failure: %v", err)
	}
	f.confirmed(t, email, nil) // the next call works and the failed one did nothing
	f.pool.Fail("SignInPassword", down)
	f.pool.Fail("SignInPassword", nil)
	f.signIn(t, email, password)
	if n := f.pool.Calls("SignUp"); n != 2 {
		t.Fatalf("SignUp calls: %d", n)
	}
	if n := f.pool.Calls("Refresh"); n != 0 {
		t.Fatalf("Refresh calls: %d", n)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = f.pool.SignInPassword(canceled, email, password)
	if auth.ReasonOf(err) != auth.ReasonUnavailable || !errors.Is(err, context.Canceled) {
		t.Fatalf("a canceled call: %v", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	f := newFixture(t, func(o *userpooltest.Options) { o.AutoConfirm = true })
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			name := fmt.Sprintf("user%d@example.com", i)
			if _, err := f.pool.SignUp(ctx, auth.NewUser{Username: name, Password: password}); err != nil {
				t.Error(err)
				return
			}
			st, err := f.pool.SignInPassword(ctx, name, password)
			if err != nil {
				t.Error(err)
				return
			}
			if _, err := f.pool.Refresh(ctx, auth.Refresh{Token: st.Tokens.RefreshToken}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := f.pool.Calls("Refresh"); n != 8 {
		t.Fatalf("Refresh calls: %d", n)
	}
}
