package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

const strongPassword = "Str0ng-Passw0rd!"

type prompt struct {
	Challenge  string         `json:"challenge"`
	Parameters map[string]any `json:"parameters"`
	User       *struct {
		Sub, Email string
	} `json:"user"`
}

func (b *browser) signUpConfirmed(t *testing.T, be *backend, email string) {
	t.Helper()
	resp, body := b.post("/auth/sign-up", `{"email":"`+email+`","password":"`+strongPassword+`","attributes":{"name":"Test User"}}`)
	if resp.StatusCode != 200 {
		t.Fatalf("sign-up: %d %s", resp.StatusCode, body)
	}
	if decode[struct {
		UserConfirmed bool `json:"user_confirmed"`
	}](t, body).UserConfirmed {
		return
	}
	resp, body = b.post("/auth/confirm-sign-up", `{"email":"`+email+`","code":"`+be.signUpCode(email)+`"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("confirm sign-up: %d %s", resp.StatusCode, body)
	}
}

func (b *browser) passwordSignIn(t *testing.T, name, password string) (int, prompt, string) {
	t.Helper()
	field := "username"
	if strings.Contains(name, "@") {
		field = "email"
	}
	resp, body := b.post("/auth/sign-in/password", `{"`+field+`":"`+name+`","password":"`+password+`"}`)
	var p prompt
	json.Unmarshal([]byte(body), &p)
	return resp.StatusCode, p, body
}

// One suite, every backend: the custom-login-page flows through the API against each
// Cognito emulator (through the real AWS SDK client) and the in-memory pool (through the
// app's UserPool seam; it alone runs under -short).
func TestPasswordFlows(t *testing.T) {
	backends := map[string]func(*testing.T) *backend{"fake": fakeBackend, "moto": motoBackend, "cognito-local": cognitoLocalBackend}
	for _, name := range []string{"fake", "moto", "cognito-local"} {
		t.Run(name, func(t *testing.T) {
			be := backends[name](t)
			passwordSuite(t, be)
		})
	}
}

// passwordSteps are the suite's cases, in order, each named as its subtest.
var passwordSteps = []struct {
	name string
	run  func(t *testing.T, be *backend)
}{
	{"sign up, confirm, sign in, refresh, sign out", stepSignUpConfirmSignInRefreshSignOut},
	{"token mode: a bearer session has the cookie session's user", stepBearerSessionHasTheCookieSessionsUser},
	{"an unknown user and a wrong password get the same answer", stepUnknownUserAndWrongPasswordAlike},
	{"an unconfirmed user is told so", stepUnconfirmedUserIsToldSo},
	{"an existing username is reported, or hidden when configured", stepExistingUsernameReportedOrHidden},
	{"a weak password gets the policy's message", stepWeakPasswordGetsThePolicysMessage},
	{"a new password is required on first sign-in", stepNewPasswordRequiredOnFirstSignIn},
	{"a challenge answer without a pending challenge is refused", stepAnswerWithoutPendingChallengeRefused},
	{"TOTP: set up, then required at sign-in", stepTOTPSetUpThenRequired},
	{"forgot password: the same answer for anyone, then a reset", stepForgotPassword},
	{"change password needs the current one", stepChangePasswordNeedsTheCurrentOne},
	{"ADMIN_USER_PASSWORD_AUTH by configuration", stepAdminUserPasswordAuth},
	// Choice-based sign-in and passkeys (passwordless_test.go).
	{"e-mail code preferred: a wrong code refused, then the right one", stepEmailCodePreferred},
	{"e-mail code chosen from SELECT_CHALLENGE", stepEmailCodeChosen},
	{"password through USER_AUTH, preferred or chosen", stepPasswordThroughUserAuth},
	{"passkey: register, list, sign in with no password, delete", stepPasskeyRegisterListSignInDelete},
	{"a refused passkey is invalid_credentials", stepRefusedPasskeyIsInvalidCredentials},
	{"an unknown address is answered like a known one", stepUnknownAddressAnsweredLikeAKnownOne},
	{"signed out, the passkey routes are 401", stepPasskeyRoutesNeedASession},
	// The user's own account (profile_test.go).
	{"profile: read every attribute, update the name", stepProfileReadAndUpdate},
	{"profile: an attribute the app client may not write is refused", stepUnwritableAttributeRefused},
	{"profile: a changed e-mail address waits for its code", stepEmailChangeWaitsForItsCode},
	{"delete account: then the old session is refused", stepDeleteAccount},
}

func passwordSuite(t *testing.T, be *backend) {
	for _, step := range passwordSteps {
		t.Run(step.name, func(t *testing.T) { step.run(t, be) })
	}
}

func stepSignUpConfirmSignInRefreshSignOut(t *testing.T, be *backend) {
	b := be.browser(t)
	b.signUpConfirmed(t, be, "carol@example.com")
	st, p, body := b.passwordSignIn(t, "carol@example.com", strongPassword)
	if st != 200 || p.User == nil || p.User.Email != "carol@example.com" || p.Challenge != "" {
		t.Fatalf("sign-in: %d %s", st, body)
	}
	resp, body := b.get("/auth/session")
	if resp.StatusCode != 200 || (be.quirks.standardAttributesInID && !strings.Contains(body, `"name":"Test User"`)) {
		t.Fatalf("session: %d %s", resp.StatusCode, body)
	}
	if be.quirks.refreshHashOverLoginName {
		sub := decode[sessionView](t, body).User.Sub
		b.post("/auth/sign-out", "{}")
		if st, _, body := b.passwordSignIn(t, sub, strongPassword); st != 200 {
			t.Fatalf("sign-in by sub: %d %s", st, body)
		}
	}
	// REFRESH_TOKEN_AUTH with SECRET_HASH over the user's sub (moto checks it).
	before := b.cookie("__Host-monban-session")
	if resp, body := b.post("/auth/refresh", "{}"); resp.StatusCode != 200 || b.cookie("__Host-monban-session") == before {
		t.Fatalf("refresh: %d %s", resp.StatusCode, body)
	}
	if resp, body := b.post("/auth/sign-out", "{}"); resp.StatusCode != 200 {
		t.Fatalf("sign-out: %d %s", resp.StatusCode, body)
	}
	if resp, body := b.get("/auth/session"); !signedOut(resp, body) {
		t.Fatalf("session after sign-out: %d %s", resp.StatusCode, body)
	}
}

func stepBearerSessionHasTheCookieSessionsUser(t *testing.T, be *backend) {
	api := be.newAPI(t, map[string]string{"MONBAN_TOKEN_MODE": "true"})
	b := be.browserFor(t, api)
	b.signUpConfirmed(t, be, "tess@example.com")
	st, p, body := b.passwordSignIn(t, "tess@example.com", strongPassword)
	if st != 200 || p.User == nil {
		t.Fatalf("sign-in: %d %s", st, body)
	}
	var signedIn struct {
		Tokens struct {
			AccessToken string `json:"access_token"`
		} `json:"tokens"`
	}
	json.Unmarshal([]byte(body), &signedIn)
	_, cookieBody := b.get("/auth/session")
	cookieUser := decode[sessionView](t, cookieBody).User
	anon := be.browserFor(t, api) // no cookies: only the token
	resp, bearerBody := anon.do("GET", "/auth/session", "", map[string]string{"Authorization": "Bearer " + signedIn.Tokens.AccessToken})
	bearerUser := decode[sessionView](t, bearerBody).User
	if resp.StatusCode != 200 || bearerUser.Email != "tess@example.com" ||
		bearerUser.Email != cookieUser.Email || bearerUser.EmailVerified != cookieUser.EmailVerified || bearerUser.Sub != cookieUser.Sub {
		t.Fatalf("bearer session %d %s\ncookie session %s", resp.StatusCode, bearerBody, cookieBody)
	}
}

func stepUnknownUserAndWrongPasswordAlike(t *testing.T, be *backend) {
	b := be.browser(t)
	b.signUpConfirmed(t, be, "dave@example.com")
	st1, _, wrong := b.passwordSignIn(t, "dave@example.com", "Wr0ng-Passw0rd!")
	st2, _, unknown := b.passwordSignIn(t, "nobody@example.com", "Wr0ng-Passw0rd!")
	if st1 != 401 || st2 != 401 || wrong != unknown || errorCode(t, wrong) != "invalid_credentials" {
		t.Fatalf("wrong password: %d %s\nunknown user: %d %s", st1, wrong, st2, unknown)
	}
}

func stepUnconfirmedUserIsToldSo(t *testing.T, be *backend) {
	b := be.browser(t)
	resp, body := b.post("/auth/sign-up", `{"email":"erin@example.com","password":"`+strongPassword+`"}`)
	if resp.StatusCode != 200 || !strings.Contains(body, `"user_confirmed":false`) {
		t.Fatalf("sign-up: %d %s", resp.StatusCode, body)
	}
	if st, _, body := b.passwordSignIn(t, "erin@example.com", strongPassword); st != 403 || errorCode(t, body) != "user_not_confirmed" {
		t.Fatalf("%d %s", st, body)
	}
	if be.quirks.checksConfirmCode {
		if resp, body := b.post("/auth/confirm-sign-up", `{"email":"erin@example.com","code":"999999"}`); resp.StatusCode != 400 || errorCode(t, body) != "code_mismatch" {
			t.Fatalf("wrong code: %d %s", resp.StatusCode, body)
		}
	}
	if be.quirks.resendsCodes {
		if resp, body := b.post("/auth/resend-code", `{"email":"erin@example.com"}`); resp.StatusCode != 200 {
			t.Fatalf("resend: %d %s", resp.StatusCode, body)
		}
	}
}

func stepExistingUsernameReportedOrHidden(t *testing.T, be *backend) {
	b := be.browser(t)
	b.signUpConfirmed(t, be, "frank@example.com")
	resp, body := b.post("/auth/sign-up", `{"email":"frank@example.com","password":"`+strongPassword+`"}`)
	if resp.StatusCode != 409 || errorCode(t, body) != "username_exists" {
		t.Fatalf("existing user: %d %s", resp.StatusCode, body)
	}
	hidden := be.browserFor(t, be.newAPI(t, map[string]string{"MONBAN_SIGN_UP_HIDE_EXISTING": "true"}))
	r1, existing := hidden.post("/auth/sign-up", `{"email":"frank@example.com","password":"`+strongPassword+`"}`)
	r2, fresh := hidden.post("/auth/sign-up", `{"email":"fiona@example.com","password":"`+strongPassword+`"}`)
	if r1.StatusCode != 200 || r2.StatusCode != 200 || existing != fresh {
		t.Fatalf("hidden sign-up answers differ:\nexisting %d %s\nnew      %d %s", r1.StatusCode, existing, r2.StatusCode, fresh)
	}
}

func stepWeakPasswordGetsThePolicysMessage(t *testing.T, be *backend) {
	if !be.quirks.enforcesPasswordPolicy {
		t.Skipf("%s does not enforce the password policy", be.name)
	}
	b := be.browser(t)
	resp, body := b.post("/auth/sign-up", `{"email":"gina@example.com","password":"weak"}`)
	if resp.StatusCode != 400 || errorCode(t, body) != "invalid_password" || !strings.Contains(strings.ToLower(body), "password") {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}

func stepNewPasswordRequiredOnFirstSignIn(t *testing.T, be *backend) {
	b := be.browser(t)
	be.createUser(t, "hana@example.com", "Temp-Passw0rd!")
	st, p, body := b.passwordSignIn(t, "hana@example.com", "Temp-Passw0rd!")
	if st != 200 || p.Challenge != "NEW_PASSWORD_REQUIRED" || p.User != nil {
		t.Fatalf("%d %s", st, body)
	}
	if strings.Contains(body, "ession\"") || b.cookie("__Host-monban-challenge") == "" {
		t.Fatalf("Cognito's session must live in the challenge cookie only: %s", body)
	}
	resp, body := b.post("/auth/challenge", `{"new_password":"`+strongPassword+`"}`)
	if resp.StatusCode != 200 || !strings.Contains(body, `"email":"hana@example.com"`) {
		t.Fatalf("challenge: %d %s", resp.StatusCode, body)
	}
	if b.cookie("__Host-monban-challenge") != "" {
		t.Fatal("the challenge cookie must be cleared once answered")
	}
	if st, _, body := b.passwordSignIn(t, "hana@example.com", strongPassword); st != 200 {
		t.Fatalf("sign-in with the new password: %d %s", st, body)
	}
}

func stepAnswerWithoutPendingChallengeRefused(t *testing.T, be *backend) {
	b := be.browser(t)
	resp, body := b.post("/auth/challenge", `{"code":"123456"}`)
	if resp.StatusCode != 401 || errorCode(t, body) != "no_pending_challenge" {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}

func stepTOTPSetUpThenRequired(t *testing.T, be *backend) {
	b := be.browser(t)
	b.signUpConfirmed(t, be, "ivan@example.com")
	b.passwordSignIn(t, "ivan@example.com", strongPassword)
	resp, body := b.post("/auth/mfa/totp/setup", "{}")
	setup := decode[struct {
		Secret     string `json:"secret"`
		OTPAuthURI string `json:"otpauth_uri"`
	}](t, body)
	if resp.StatusCode != 200 || setup.Secret == "" || !strings.HasPrefix(setup.OTPAuthURI, "otpauth://totp/monban:ivan@example.com?") {
		t.Fatalf("setup: %d %s", resp.StatusCode, body)
	}
	if resp, body := b.post("/auth/mfa/totp/verify", `{"code":"`+totp(t, setup.Secret, time.Now())+`"}`); resp.StatusCode != 200 {
		t.Fatalf("verify: %d %s", resp.StatusCode, body)
	}
	b.post("/auth/sign-out", "{}")

	st, p, body := b.passwordSignIn(t, "ivan@example.com", strongPassword)
	if st != 200 || p.Challenge != "SOFTWARE_TOKEN_MFA" {
		t.Fatalf("sign-in with MFA on: %d %s", st, body)
	}
	if be.quirks.rejectsWrongTOTP {
		wrong := totp(t, setup.Secret, time.Now().Add(-10*time.Minute))
		if resp, body := b.post("/auth/challenge", `{"code":"`+wrong+`"}`); resp.StatusCode != 400 || errorCode(t, body) != "code_mismatch" {
			t.Fatalf("wrong code: %d %s", resp.StatusCode, body)
		}
	}
	resp, body = b.post("/auth/challenge", `{"code":"`+totp(t, setup.Secret, time.Now())+`"}`)
	if resp.StatusCode != 200 || !strings.Contains(body, `"email":"ivan@example.com"`) {
		t.Fatalf("MFA answer: %d %s", resp.StatusCode, body)
	}
}

func stepForgotPassword(t *testing.T, be *backend) {
	b := be.browser(t)
	b.signUpConfirmed(t, be, "june@example.com")
	r1, known := b.post("/auth/forgot-password", `{"email":"june@example.com"}`)
	code := be.resetCode("june@example.com")
	r2, unknown := b.post("/auth/forgot-password", `{"email":"nobody@example.com"}`)
	if r1.StatusCode != 200 || r2.StatusCode != 200 || known != unknown {
		t.Fatalf("known: %d %s\nunknown: %d %s", r1.StatusCode, known, r2.StatusCode, unknown)
	}
	if resp, body := b.post("/auth/confirm-forgot-password", `{"email":"nobody@example.com","code":"123456","password":"`+strongPassword+`"}`); resp.StatusCode != 400 || errorCode(t, body) != "code_mismatch" {
		t.Fatalf("unknown user reset: %d %s", resp.StatusCode, body)
	}
	if code == "" {
		t.Fatal("the emulator gave no reset code")
	}
	if resp, body := b.post("/auth/confirm-forgot-password", `{"email":"june@example.com","code":"`+code+`","password":"Res3t-Passw0rd!"}`); resp.StatusCode != 200 {
		t.Fatalf("reset: %d %s", resp.StatusCode, body)
	}
	if st, _, body := b.passwordSignIn(t, "june@example.com", "Res3t-Passw0rd!"); st != 200 {
		t.Fatalf("sign-in after reset: %d %s", st, body)
	}
}

func stepChangePasswordNeedsTheCurrentOne(t *testing.T, be *backend) {
	b := be.browser(t)
	if resp, body := b.post("/auth/change-password", `{"previous_password":"x","proposed_password":"y"}`); resp.StatusCode != 401 || errorCode(t, body) != "unauthenticated" {
		t.Fatalf("signed out: %d %s", resp.StatusCode, body)
	}
	b.signUpConfirmed(t, be, "kim@example.com")
	b.passwordSignIn(t, "kim@example.com", strongPassword)
	resp, body := b.post("/auth/change-password", `{"previous_password":"Wr0ng-Passw0rd!","proposed_password":"Chang3d-Passw0rd!"}`)
	want := "invalid_credentials"
	if be.quirks.wrongCurrentPasswordIsPolicyError {
		want = "invalid_password"
	}
	if resp.StatusCode/100 != 4 || errorCode(t, body) != want {
		t.Fatalf("wrong current password: %d %s", resp.StatusCode, body)
	}
	if resp, body := b.post("/auth/change-password", `{"previous_password":"`+strongPassword+`","proposed_password":"Chang3d-Passw0rd!"}`); resp.StatusCode != 200 {
		t.Fatalf("change: %d %s", resp.StatusCode, body)
	}
	b.post("/auth/sign-out", "{}")
	if st, _, body := b.passwordSignIn(t, "kim@example.com", "Chang3d-Passw0rd!"); st != 200 {
		t.Fatalf("sign-in with the changed password: %d %s", st, body)
	}
}

func stepAdminUserPasswordAuth(t *testing.T, be *backend) {
	b := be.browserFor(t, be.newAPI(t, map[string]string{"MONBAN_AUTH_FLOW": "ADMIN_USER_PASSWORD_AUTH"}))
	b.signUpConfirmed(t, be, "lee@example.com")
	if st, _, body := b.passwordSignIn(t, "lee@example.com", strongPassword); st != 200 || !strings.Contains(body, `"email":"lee@example.com"`) {
		t.Fatalf("%d %s", st, body)
	}
	if st, _, body := b.passwordSignIn(t, "nobody@example.com", strongPassword); st != 401 || errorCode(t, body) != "invalid_credentials" {
		t.Fatalf("unknown user: %d %s", st, body)
	}
	if !be.quirks.adminChallenges {
		return
	}
	be.createUser(t, "mia@example.com", "Temp-Passw0rd!")
	st, p, body := b.passwordSignIn(t, "mia@example.com", "Temp-Passw0rd!")
	if st != 200 || p.Challenge != "NEW_PASSWORD_REQUIRED" {
		t.Fatalf("%d %s", st, body)
	}
	if resp, body := b.post("/auth/challenge", `{"new_password":"`+strongPassword+`"}`); resp.StatusCode != 200 {
		t.Fatalf("admin challenge: %d %s", resp.StatusCode, body)
	}
}
