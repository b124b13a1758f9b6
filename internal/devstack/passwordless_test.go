package devstack

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/document"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/monban-auth/monban/internal/cognito"
	"github.com/monban-auth/monban/internal/passkey/passkeytest"
	"github.com/monban-auth/monban/internal/tokentest"
)

const (
	siteOrigin = "http://localhost:8080"
	pia        = "pia@example.com" // a user with an e-mail address
	mia        = "mia@example.com" // a user with an authenticator app (MFA)
	piaPass    = "Pia-Passw0rd!!"
	miaPass    = "Mia-Passw0rd!!"
)

// tokenEmulator stands for cognito-local behind the front: it answers USER_PASSWORD_AUTH
// from the passwords in its data file, as the emulator does, and records each sign-in.
type tokenEmulator struct {
	recorder[map[string]string] // each sign-in's AuthParameters

	passwords map[string]string // by login name
}

func (e *tokenEmulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		AuthFlow       string
		ClientId       string
		AuthParameters map[string]string
	}
	b, _ := io.ReadAll(r.Body)
	json.Unmarshal(b, &req)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if r.Header.Get("X-Amz-Target") != apiTargetPrefix+"InitiateAuth" || req.AuthFlow != "USER_PASSWORD_AUTH" {
		w.WriteHeader(500)
		io.WriteString(w, `{"__type":"CognitoLocal#Unsupported","message":"unsupported"}`)
		return
	}
	e.add(req.AuthParameters)
	user := req.AuthParameters["USERNAME"]
	if want, ok := e.passwords[user]; !ok || want != req.AuthParameters["PASSWORD"] {
		w.WriteHeader(400)
		io.WriteString(w, `{"__type":"InvalidPasswordException","message":"Invalid password"}`)
		return
	}
	if user == mia {
		io.WriteString(w, `{"ChallengeName":"SOFTWARE_TOKEN_MFA","ChallengeParameters":{"USER_ID_FOR_SRP":"sub-mia"},"Session":"emulator-session"}`)
		return
	}
	io.WriteString(w, `{"ChallengeParameters":{},"AuthenticationResult":{"AccessToken":"access-of-`+user+`","IdToken":"id","RefreshToken":"refresh","ExpiresIn":3600,"TokenType":"Bearer"}}`)
}

// poolAdmin is fakeAdmin with the pool's SignInPolicy.
type poolAdmin struct {
	*fakeAdmin
	factors []types.AuthFactorType
}

func (a *poolAdmin) DescribeUserPool(_ context.Context, in *cip.DescribeUserPoolInput, _ ...func(*cip.Options)) (*cip.DescribeUserPoolOutput, error) {
	if aws.ToString(in.UserPoolId) != "local_pool" {
		return nil, &types.ResourceNotFoundException{Message: aws.String("no such pool")}
	}
	return &cip.DescribeUserPoolOutput{UserPool: &types.UserPoolType{Id: in.UserPoolId,
		Policies: &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{AllowedFirstAuthFactors: a.factors}}}}, nil
}

type pwFixture struct {
	api      *cip.Client
	pool     *poolAdmin
	admin    *fakeAdmin
	emulator *tokenEmulator
	now      time.Time
	auth     *passkeytest.Authenticator
}

func newPasswordlessFixture(t *testing.T) *pwFixture {
	t.Helper()
	fx := &pwFixture{
		now:      time.Unix(1_800_000_000, 0),
		emulator: &tokenEmulator{passwords: map[string]string{pia: piaPass, mia: miaPass}},
		auth:     passkeytest.New(),
	}
	piaUser, miaUser := user(pia, types.UserStatusTypeConfirmed, true), user(mia, types.UserStatusTypeConfirmed, true)
	miaUser.UserMFASettingList = []string{"SOFTWARE_TOKEN_MFA"}
	fx.admin = &fakeAdmin{
		client: frontClient(types.ExplicitAuthFlowsTypeAllowUserAuth, types.ExplicitAuthFlowsTypeAllowUserPasswordAuth),
		// By the name they sign in with and by the emulator's username (the sub).
		users: map[string]*cip.AdminGetUserOutput{
			pia: piaUser, "sub-" + pia: piaUser, mia: miaUser, "sub-" + mia: miaUser,
			"off@example.com": user("off@example.com", types.UserStatusTypeConfirmed, false),
		},
	}
	fx.pool = &poolAdmin{fakeAdmin: fx.admin, factors: []types.AuthFactorType{"PASSWORD", "EMAIL_OTP", "WEB_AUTHN"}}
	// The emulator's data file, as cognito-local writes it.
	dataDir := t.TempDir()
	db := map[string]any{"Options": map[string]any{"Id": "local_pool"}, "Users": map[string]any{
		"sub-" + pia: map[string]any{"Username": "sub-" + pia, "Password": piaPass, "Enabled": true},
		"sub-" + mia: map[string]any{"Username": "sub-" + mia, "Password": miaPass, "Enabled": true},
	}}
	b, _ := json.MarshalIndent(db, "", "  ")
	if err := os.MkdirAll(filepath.Join(dataDir, ".cognito", "db"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dataDir, ".cognito", "db", "local_pool.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, fx.api = serveFront(t, fx.emulator, func(emulatorURL, jwksURL string) *APIFront {
		front, err := NewAPIFront(CognitoAPIFrontOptions{
			EmulatorURL: emulatorURL, Admin: fx.pool, EmulatorDataDir: dataDir,
			Pool:           Pool{ID: "local_pool", Issuer: tokentest.Issuer, JWKSURL: jwksURL},
			RelyingPartyID: "localhost", Origins: []string{siteOrigin},
			now:   func() time.Time { return fx.now },
			sleep: func(time.Duration) {},
		})
		if err != nil {
			t.Fatal(err)
		}
		return front
	})
	return fx
}

func hashOf(username string) string { return cognito.SecretHash(frontClientID, frontSecret, username) }

func (fx *pwFixture) start(t *testing.T, username, preferred string) *cip.InitiateAuthOutput {
	t.Helper()
	params := map[string]string{"USERNAME": username, "SECRET_HASH": hashOf(username)}
	if preferred != "" {
		params["PREFERRED_CHALLENGE"] = preferred
	}
	out, err := fx.api.InitiateAuth(t.Context(), &cip.InitiateAuthInput{ClientId: aws.String(frontClientID), AuthFlow: types.AuthFlowTypeUserAuth, AuthParameters: params})
	if err != nil {
		t.Fatalf("InitiateAuth USER_AUTH for %s: %v", username, err)
	}
	if out.AuthenticationResult != nil || aws.ToString(out.Session) == "" {
		t.Fatalf("InitiateAuth USER_AUTH answered tokens or no session: %+v", out)
	}
	return out
}

func (fx *pwFixture) respond(t *testing.T, name types.ChallengeNameType, session *string, username string, kv ...string) (*cip.RespondToAuthChallengeOutput, error) {
	t.Helper()
	r := map[string]string{"USERNAME": username, "SECRET_HASH": hashOf(username)}
	for i := 0; i+1 < len(kv); i += 2 {
		r[kv[i]] = kv[i+1]
	}
	return fx.api.RespondToAuthChallenge(t.Context(), &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(frontClientID), ChallengeName: name, Session: session, ChallengeResponses: r,
	})
}

// accessToken is an access token of the pool for the user the emulator names sub.
func (fx *pwFixture) accessToken(sub string) string {
	return tokentest.Sign(tokentest.With(tokentest.AccessClaims(fx.now), "username", sub, "scope", "aws.cognito.signin.user.admin"))
}

func challenges(c []types.ChallengeNameType) []string {
	out := []string{}
	for _, x := range c {
		out = append(out, string(x))
	}
	return out
}

func wantAPIError(t *testing.T, err error, code, msg string) {
	t.Helper()
	if c, m := apiErr(err); c != code || m != msg {
		t.Fatalf("got %v, want %s %q", err, code, msg)
	}
}

func signedIn(t *testing.T, out *cip.RespondToAuthChallengeOutput, err error, username string) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if out.AuthenticationResult == nil || aws.ToString(out.AuthenticationResult.AccessToken) != "access-of-"+username {
		t.Fatalf("no tokens of %s: %+v", username, out)
	}
}

// registerPasskey adds a passkey of fx.auth for sub through the WebAuthn actions.
func (fx *pwFixture) registerPasskey(t *testing.T, sub string) {
	t.Helper()
	ctx := t.Context()
	start, err := fx.api.StartWebAuthnRegistration(ctx, &cip.StartWebAuthnRegistrationInput{AccessToken: aws.String(fx.accessToken(sub))})
	if err != nil {
		t.Fatal(err)
	}
	options, err := start.CredentialCreationOptions.MarshalSmithyDocument()
	if err != nil {
		t.Fatal(err)
	}
	response, err := fx.auth.Create(siteOrigin, options)
	if err != nil {
		t.Fatalf("the authenticator refused the creation options: %v\n%s", err, options)
	}
	if _, err := fx.api.CompleteWebAuthnRegistration(ctx, &cip.CompleteWebAuthnRegistrationInput{
		AccessToken: aws.String(fx.accessToken(sub)), Credential: doc(t, response),
	}); err != nil {
		t.Fatal(err)
	}
}

func doc(t *testing.T, raw json.RawMessage) document.Interface {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return document.NewLazyDocument(v)
}

func TestUserAuthOffersTheUsersFactors(t *testing.T) {
	fx := newPasswordlessFixture(t)
	out := fx.start(t, pia, "")
	if out.ChallengeName != types.ChallengeNameTypeSelectChallenge || !slices.Equal(challenges(out.AvailableChallenges), []string{"EMAIL_OTP", "PASSWORD"}) {
		t.Fatalf("before a passkey: %s %v", out.ChallengeName, out.AvailableChallenges)
	}
	fx.registerPasskey(t, "sub-"+pia)
	if out := fx.start(t, pia, ""); !slices.Equal(challenges(out.AvailableChallenges), []string{"WEB_AUTHN", "EMAIL_OTP", "PASSWORD"}) {
		t.Fatalf("with a passkey: %v", out.AvailableChallenges)
	}
	// Passwordless factors are not offered to a user with MFA (Developer Guide, "Adding MFA
	// to a user pool").
	if out := fx.start(t, mia, ""); !slices.Equal(challenges(out.AvailableChallenges), []string{"PASSWORD"}) {
		t.Fatalf("a user with MFA: %v", out.AvailableChallenges)
	}
	// A preferred factor the user cannot use leaves the choice.
	if out := fx.start(t, mia, "EMAIL_OTP"); out.ChallengeName != types.ChallengeNameTypeSelectChallenge {
		t.Fatalf("EMAIL_OTP preferred by a user with MFA: %s", out.ChallengeName)
	}
	if out := fx.start(t, pia, "PASSWORD"); out.ChallengeName != types.ChallengeNameTypePassword || len(out.ChallengeParameters) != 0 {
		t.Fatalf("PASSWORD preferred: %+v", out)
	}
	if got := fx.emulator.took(); len(got) != 0 {
		t.Fatalf("starting sign-ins signed in on the emulator: %v", got)
	}
}

func TestUserAuthEmailCode(t *testing.T) {
	fx := newPasswordlessFixture(t)
	out := fx.start(t, pia, "EMAIL_OTP")
	if out.ChallengeName != types.ChallengeNameTypeEmailOtp || out.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != "p***@e***" ||
		out.ChallengeParameters["CODE_DELIVERY_DELIVERY_MEDIUM"] != "EMAIL" {
		t.Fatalf("%+v", out)
	}
	_, err := fx.respond(t, types.ChallengeNameTypeEmailOtp, out.Session, pia, "EMAIL_OTP_CODE", "000000")
	wantAPIError(t, err, "CodeMismatchException", msgCodeMismatch)
	// A wrong code may be tried again; the right one signs in with the emulator's tokens,
	// from a USER_PASSWORD_AUTH sign-in with the password of its data file.
	res, err := fx.respond(t, types.ChallengeNameTypeEmailOtp, out.Session, pia, "EMAIL_OTP_CODE", ConfirmationCode)
	signedIn(t, res, err, pia)
	got := fx.emulator.took()
	if len(got) != 1 || got[0]["USERNAME"] != pia || got[0]["PASSWORD"] != piaPass || got[0]["SECRET_HASH"] != hashOf(pia) {
		t.Fatalf("the emulator's sign-in: %v", got)
	}
	_, err = fx.respond(t, types.ChallengeNameTypeEmailOtp, out.Session, pia, "EMAIL_OTP_CODE", ConfirmationCode)
	wantAPIError(t, err, "NotAuthorizedException", msgSessionUsed)

	t.Run("through SELECT_CHALLENGE", func(t *testing.T) {
		out := fx.start(t, pia, "")
		next, err := fx.respond(t, types.ChallengeNameTypeSelectChallenge, out.Session, pia, "ANSWER", "EMAIL_OTP")
		if err != nil || next.ChallengeName != types.ChallengeNameTypeEmailOtp || aws.ToString(next.Session) == aws.ToString(out.Session) {
			t.Fatalf("%+v %v", next, err)
		}
		res, err := fx.respond(t, types.ChallengeNameTypeEmailOtp, next.Session, pia, "EMAIL_OTP_CODE", ConfirmationCode)
		signedIn(t, res, err, pia)
	})
	t.Run("the session expires", func(t *testing.T) {
		out := fx.start(t, pia, "EMAIL_OTP")
		fx.now = fx.now.Add(defaultAuthSession)
		_, err := fx.respond(t, types.ChallengeNameTypeEmailOtp, out.Session, pia, "EMAIL_OTP_CODE", ConfirmationCode)
		wantAPIError(t, err, "NotAuthorizedException", msgSessionExpired)
	})
	t.Run("the session is the user's", func(t *testing.T) {
		out := fx.start(t, pia, "EMAIL_OTP")
		_, err := fx.respond(t, types.ChallengeNameTypeEmailOtp, out.Session, mia, "EMAIL_OTP_CODE", ConfirmationCode)
		wantAPIError(t, err, "NotAuthorizedException", msgBadCredentials)
		_, err = fx.respond(t, types.ChallengeNameTypePassword, out.Session, pia, "PASSWORD", piaPass)
		wantAPIError(t, err, "InvalidParameterException", "Invalid challenge name for the session.")
		_, err = fx.respond(t, types.ChallengeNameTypeEmailOtp, aws.String("made-up"), pia, "EMAIL_OTP_CODE", ConfirmationCode)
		wantAPIError(t, err, "NotAuthorizedException", msgSessionExpired)
	})
}

func TestUserAuthPassword(t *testing.T) {
	fx := newPasswordlessFixture(t)
	out := fx.start(t, pia, "")
	_, err := fx.respond(t, types.ChallengeNameTypeSelectChallenge, out.Session, pia, "ANSWER", "PASSWORD", "PASSWORD", "wrong")
	// The emulator's InvalidPasswordException, answered as Cognito answers.
	wantAPIError(t, err, "NotAuthorizedException", msgBadCredentials)

	out = fx.start(t, pia, "")
	res, err := fx.respond(t, types.ChallengeNameTypeSelectChallenge, out.Session, pia, "ANSWER", "PASSWORD", "PASSWORD", piaPass)
	signedIn(t, res, err, pia)

	out = fx.start(t, pia, "")
	next, err := fx.respond(t, types.ChallengeNameTypeSelectChallenge, out.Session, pia, "ANSWER", "PASSWORD")
	if err != nil || next.ChallengeName != types.ChallengeNameTypePassword {
		t.Fatalf("ANSWER=PASSWORD alone: %+v %v", next, err)
	}
	res, err = fx.respond(t, types.ChallengeNameTypePassword, next.Session, pia, "PASSWORD", piaPass)
	signedIn(t, res, err, pia)

	// A user with MFA goes on to the emulator's own challenge.
	out = fx.start(t, mia, "")
	res, err = fx.respond(t, types.ChallengeNameTypeSelectChallenge, out.Session, mia, "ANSWER", "PASSWORD", "PASSWORD", miaPass)
	if err != nil || res.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa || aws.ToString(res.Session) != "emulator-session" {
		t.Fatalf("MFA after the password: %+v %v", res, err)
	}

	out = fx.start(t, pia, "")
	_, err = fx.respond(t, types.ChallengeNameTypeSelectChallenge, out.Session, pia, "ANSWER", "SMS_OTP")
	wantAPIError(t, err, "InvalidParameterException", "Invalid ANSWER for SELECT_CHALLENGE: SMS_OTP")
}

func TestUserAuthPasskey(t *testing.T) {
	fx := newPasswordlessFixture(t)
	sub := "sub-" + pia
	fx.registerPasskey(t, sub)
	ctx := t.Context()

	list, err := fx.api.ListWebAuthnCredentials(ctx, &cip.ListWebAuthnCredentialsInput{AccessToken: aws.String(fx.accessToken(sub))})
	if err != nil {
		t.Fatal(err)
	}
	ids := fx.auth.Credentials("localhost")
	if len(list.Credentials) != 1 || len(ids) != 1 || list.NextToken != nil {
		t.Fatalf("%+v", list)
	}
	c := list.Credentials[0]
	if aws.ToString(c.CredentialId) != ids[0] || aws.ToString(c.RelyingPartyId) != "localhost" || aws.ToString(c.AuthenticatorAttachment) != "platform" ||
		!slices.Equal(c.AuthenticatorTransports, []string{"internal", "hybrid"}) || !aws.ToTime(c.CreatedAt).Equal(fx.now) || aws.ToString(c.FriendlyCredentialName) == "" {
		t.Fatalf("%+v", c)
	}

	signIn := func(origin string) (*cip.RespondToAuthChallengeOutput, error) {
		out := fx.start(t, pia, "WEB_AUTHN")
		options := out.ChallengeParameters["CREDENTIAL_REQUEST_OPTIONS"]
		if out.ChallengeName != types.ChallengeNameTypeWebAuthn || !json.Valid([]byte(options)) || !strings.Contains(options, `"rpId":"localhost"`) {
			t.Fatalf("%+v", out)
		}
		assertion, err := fx.auth.Get(origin, json.RawMessage(options))
		if err != nil {
			t.Fatal(err)
		}
		return fx.respond(t, types.ChallengeNameTypeWebAuthn, out.Session, pia, "CREDENTIAL", string(assertion))
	}
	res, err := signIn(siteOrigin)
	signedIn(t, res, err, pia)
	_, err = signIn("http://evil.localhost:8080")
	wantAPIError(t, err, "NotAuthorizedException", msgBadCredentials)

	t.Run("registration refusals", func(t *testing.T) {
		_, err := fx.api.CompleteWebAuthnRegistration(ctx, &cip.CompleteWebAuthnRegistrationInput{AccessToken: aws.String(fx.accessToken(sub)), Credential: doc(t, json.RawMessage(`{"id":"x"}`))})
		wantAPIError(t, err, "WebAuthnChallengeNotFoundException", "No passkey registration is in progress for the user, or it has expired.")

		start, err := fx.api.StartWebAuthnRegistration(ctx, &cip.StartWebAuthnRegistrationInput{AccessToken: aws.String(fx.accessToken(sub))})
		if err != nil {
			t.Fatal(err)
		}
		options, _ := start.CredentialCreationOptions.MarshalSmithyDocument()
		other := passkeytest.New()
		response, err := other.Create("http://localhost:9999", options)
		if err != nil {
			t.Fatal(err)
		}
		_, err = fx.api.CompleteWebAuthnRegistration(ctx, &cip.CompleteWebAuthnRegistrationInput{AccessToken: aws.String(fx.accessToken(sub)), Credential: doc(t, response)})
		if c, _ := apiErr(err); c != "WebAuthnOriginNotAllowedException" {
			t.Fatalf("another origin: %v", err)
		}
		// The ceremony is answered once.
		response, _ = other.Create(siteOrigin, options)
		_, err = fx.api.CompleteWebAuthnRegistration(ctx, &cip.CompleteWebAuthnRegistrationInput{AccessToken: aws.String(fx.accessToken(sub)), Credential: doc(t, response)})
		if c, _ := apiErr(err); c != "WebAuthnChallengeNotFoundException" {
			t.Fatalf("a second answer: %v", err)
		}
	})

	t.Run("tokens are checked", func(t *testing.T) {
		for name, c := range map[string]struct{ token, msg string }{
			"forged":  {tokentest.Unsigned(tokentest.AccessClaims(fx.now)), "Invalid Access Token"},
			"scope":   {tokentest.Sign(tokentest.With(tokentest.AccessClaims(fx.now), "username", sub)), "Access Token does not have required scopes"},
			"unknown": {fx.accessToken("sub-nobody"), "User does not exist."},
		} {
			_, err := fx.api.ListWebAuthnCredentials(ctx, &cip.ListWebAuthnCredentialsInput{AccessToken: aws.String(c.token)})
			if code, m := apiErr(err); code != "NotAuthorizedException" || m != c.msg {
				t.Errorf("%s: %v", name, err)
			}
		}
	})

	_, err = fx.api.DeleteWebAuthnCredential(ctx, &cip.DeleteWebAuthnCredentialInput{AccessToken: aws.String(fx.accessToken(sub)), CredentialId: aws.String("bm9wZQ")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("an unknown credential: %v", err)
	}
	if _, err := fx.api.DeleteWebAuthnCredential(ctx, &cip.DeleteWebAuthnCredentialInput{AccessToken: aws.String(fx.accessToken(sub)), CredentialId: aws.String(ids[0])}); err != nil {
		t.Fatal(err)
	}
	if list, err := fx.api.ListWebAuthnCredentials(ctx, &cip.ListWebAuthnCredentialsInput{AccessToken: aws.String(fx.accessToken(sub))}); err != nil || len(list.Credentials) != 0 {
		t.Fatalf("after deleting: %+v %v", list, err)
	}
	if out := fx.start(t, pia, ""); slices.Contains(challenges(out.AvailableChallenges), "WEB_AUTHN") {
		t.Fatalf("WEB_AUTHN offered without a passkey: %v", out.AvailableChallenges)
	}

	t.Run("a revoked token is refused", func(t *testing.T) {
		old := fx.accessToken(sub)
		if _, err := fx.api.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: aws.String(old)}); err != nil {
			t.Fatal(err)
		}
		_, err := fx.api.StartWebAuthnRegistration(ctx, &cip.StartWebAuthnRegistrationInput{AccessToken: aws.String(old)})
		wantAPIError(t, err, "NotAuthorizedException", "Access Token has been revoked")
	})
}

func TestListWebAuthnCredentialsPages(t *testing.T) {
	fx := newPasswordlessFixture(t)
	sub := "sub-" + pia
	var want []string
	for range 3 { // one passkey per authenticator, as the options exclude the user's others
		fx.auth = passkeytest.New()
		fx.registerPasskey(t, sub)
		want = append(want, fx.auth.Credentials("localhost")...)
		fx.now = fx.now.Add(time.Second)
	}
	var seen []string
	var next *string
	for {
		page, err := fx.api.ListWebAuthnCredentials(t.Context(), &cip.ListWebAuthnCredentialsInput{AccessToken: aws.String(fx.accessToken(sub)), MaxResults: aws.Int32(2), NextToken: next})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Credentials {
			seen = append(seen, aws.ToString(c.CredentialId))
		}
		if next = page.NextToken; next == nil {
			break
		}
	}
	if !slices.Equal(seen, want) {
		t.Fatalf("pages %v, registered %v", seen, want)
	}
	_, err := fx.api.ListWebAuthnCredentials(t.Context(), &cip.ListWebAuthnCredentialsInput{AccessToken: aws.String(fx.accessToken(sub)), MaxResults: aws.Int32(21)})
	if c, _ := apiErr(err); c != "InvalidParameterException" {
		t.Fatalf("MaxResults 21: %v", err)
	}
}

// An unknown (or disabled) user is answered like a known one, and every answer fails as a
// wrong one does ("Managing user existence error responses").
func TestUserAuthUnknownUser(t *testing.T) {
	fx := newPasswordlessFixture(t)
	for _, name := range []string{"nobody@example.com", "off@example.com"} {
		out := fx.start(t, name, "")
		again := fx.start(t, name, "")
		f := challenges(out.AvailableChallenges)
		if out.ChallengeName != types.ChallengeNameTypeSelectChallenge || !slices.Equal(f, challenges(again.AvailableChallenges)) ||
			f[len(f)-1] != "PASSWORD" || !slices.Contains(f, "EMAIL_OTP") {
			t.Fatalf("%s: %v then %v", name, f, again.AvailableChallenges)
		}
		_, err := fx.respond(t, types.ChallengeNameTypeSelectChallenge, out.Session, name, "ANSWER", "PASSWORD", "PASSWORD", piaPass)
		wantAPIError(t, err, "NotAuthorizedException", msgBadCredentials)
		otp := fx.start(t, name, "EMAIL_OTP")
		if otp.ChallengeName != types.ChallengeNameTypeEmailOtp || otp.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != name[:1]+"***@e***" {
			t.Fatalf("%+v", otp)
		}
		_, err = fx.respond(t, types.ChallengeNameTypeEmailOtp, otp.Session, name, "EMAIL_OTP_CODE", ConfirmationCode)
		wantAPIError(t, err, "CodeMismatchException", msgCodeMismatch)
	}
	if got := fx.emulator.took(); len(got) != 0 {
		t.Fatalf("unknown users reached the emulator: %v", got)
	}
	// Some names look like users with a passkey: options like a real user's, an answer
	// refused like a wrong passkey.
	fx.registerPasskey(t, "sub-"+pia)
	known := fx.start(t, pia, "WEB_AUTHN").ChallengeParameters["CREDENTIAL_REQUEST_OPTIONS"]
	assertion, err := fx.auth.Get(siteOrigin, json.RawMessage(known))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 64 {
		name := "ghost" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "@example.com"
		out := fx.start(t, name, "WEB_AUTHN")
		if out.ChallengeName != types.ChallengeNameTypeWebAuthn {
			continue
		}
		var options, real map[string]any
		json.Unmarshal([]byte(out.ChallengeParameters["CREDENTIAL_REQUEST_OPTIONS"]), &options)
		json.Unmarshal([]byte(known), &real)
		if len(options) != len(real) || len(options["allowCredentials"].([]any)) != 1 {
			t.Fatalf("unknown user's options %v, a user's %v", options, real)
		}
		_, err := fx.respond(t, types.ChallengeNameTypeWebAuthn, out.Session, name, "CREDENTIAL", string(assertion))
		wantAPIError(t, err, "NotAuthorizedException", msgBadCredentials)
		return
	}
	t.Fatal("no unknown name out of 64 was answered with WEB_AUTHN")
}

func TestUserAuthClientChecks(t *testing.T) {
	fx := newPasswordlessFixture(t)
	ctx := t.Context()
	_, err := fx.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(frontClientID), AuthFlow: types.AuthFlowTypeUserAuth, AuthParameters: map[string]string{"USERNAME": pia}})
	wantAPIError(t, err, "NotAuthorizedException", "Client "+frontClientID+" is configured with secret but SECRET_HASH was not received")
	_, err = fx.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(frontClientID), AuthFlow: types.AuthFlowTypeUserAuth,
		AuthParameters: map[string]string{"USERNAME": pia, "SECRET_HASH": hashOf(mia)}})
	wantAPIError(t, err, "NotAuthorizedException", "Unable to verify secret hash for client "+frontClientID)
	out := fx.start(t, pia, "EMAIL_OTP")
	_, err = fx.api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(frontClientID), ChallengeName: types.ChallengeNameTypeEmailOtp,
		Session: out.Session, ChallengeResponses: map[string]string{"USERNAME": pia, "EMAIL_OTP_CODE": ConfirmationCode}})
	wantAPIError(t, err, "NotAuthorizedException", "Client "+frontClientID+" is configured with secret but SECRET_HASH was not received")

	fx.admin.client.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth}
	_, err = fx.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(frontClientID), AuthFlow: types.AuthFlowTypeUserAuth,
		AuthParameters: map[string]string{"USERNAME": pia, "SECRET_HASH": hashOf(pia)}})
	wantAPIError(t, err, "InvalidParameterException", "USER_AUTH flow not enabled for this client")
	_, err = fx.api.StartWebAuthnRegistration(ctx, &cip.StartWebAuthnRegistrationInput{AccessToken: aws.String(fx.accessToken("sub-" + pia))})
	if c, _ := apiErr(err); c != "WebAuthnNotEnabledException" {
		t.Fatalf("%v", err)
	}
}

// The pool's SignInPolicy bounds the factors: a pool without passkeys offers none and
// registers none.
func TestUserAuthFollowsThePoolsFirstFactors(t *testing.T) {
	fx := newPasswordlessFixture(t)
	fx.registerPasskey(t, "sub-"+pia)
	fx.pool.factors = []types.AuthFactorType{"PASSWORD", "EMAIL_OTP"}
	if out := fx.start(t, pia, "WEB_AUTHN"); out.ChallengeName != types.ChallengeNameTypeSelectChallenge || !slices.Equal(challenges(out.AvailableChallenges), []string{"EMAIL_OTP", "PASSWORD"}) {
		t.Fatalf("%s %v", out.ChallengeName, out.AvailableChallenges)
	}
	_, err := fx.api.StartWebAuthnRegistration(t.Context(), &cip.StartWebAuthnRegistrationInput{AccessToken: aws.String(fx.accessToken("sub-" + pia))})
	if c, _ := apiErr(err); c != "WebAuthnNotEnabledException" {
		t.Fatalf("%v", err)
	}
	fx.pool.factors = nil // no SignInPolicy: passwords only
	if out := fx.start(t, pia, ""); !slices.Equal(challenges(out.AvailableChallenges), []string{"PASSWORD"}) {
		t.Fatalf("%v", out.AvailableChallenges)
	}
}
