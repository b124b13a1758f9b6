package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/monban-auth/monban/internal/cognito"
	"github.com/monban-auth/monban/internal/devstack"
	"github.com/monban-auth/monban/internal/passkey/passkeytest"
	"github.com/monban-auth/monban/internal/tokentest"
)

// Issue 16: every endpoint monban offers works against make dev's stack, through the local
// stand-ins for what cognito-local lacks (ResendConfirmationCode, GlobalSignOut, the /signup
// page, the password policy, choice-based sign-in and passkeys, the app client's
// WriteAttributes; see devstack's cognitoapi.go, passwordless.go, profile.go and
// signup.go). Each test fails against the bare emulator: there resend-code answers 500 (the
// emulator's "unsupported"), a global sign-out 401 and leaves the other sessions' refresh
// working, /signup is 404, any password is accepted, USER_AUTH and the WebAuthn actions are
// "unsupported", and any attribute is written.

// startStandInEnv is startEnvWith with the triggers' settings given (e.g. sign-ups confirmed
// by e-mail code instead of at once).
func startStandInEnv(t *testing.T, triggerEnv map[string]string) *env {
	t.Helper()
	return startEnvWith(t, func(o *devstack.StackOptions) { o.TriggerEnv = triggerEnv })
}

// userPoolAPI is an SDK client aimed where the stack's API sends its Cognito calls.
func (e *env) userPoolAPI() *cip.Client {
	return devstack.NewCognitoClient(e.stack.Env["MONBAN_COGNITO_ENDPOINT"])
}

func cognitoError(err error) (string, string) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode(), ae.ErrorMessage()
	}
	return "", ""
}

const policyPrefix = "Password did not conform with policy: "

func TestResendCodeAgainstTheStack(t *testing.T) {
	e := startStandInEnv(t, map[string]string{"MONBAN_SIGNUP_AUTO_CONFIRM": "false"})
	b := e.browser(t)
	const rita = "rita@example.com"
	if resp, body := b.post("/auth/sign-up", `{"email":"`+rita+`","password":"`+strongPassword+`"}`); resp.StatusCode != 200 || !strings.Contains(body, `"user_confirmed":false`) {
		t.Fatalf("sign-up: %d %s", resp.StatusCode, body)
	}
	// The same answer for an unconfirmed, a confirmed and an unknown address.
	for _, email := range []string{rita, userEmail, "nobody@example.com"} {
		resp, body := b.post("/auth/resend-code", `{"email":"`+email+`"}`)
		if resp.StatusCode != 200 || strings.TrimSpace(body) != `{"delivery":{"medium":"EMAIL"}}` {
			t.Fatalf("resend-code for %s: %d %s", email, resp.StatusCode, body)
		}
	}
	// Underneath, Cognito's three answers (the client prevents user-existence errors).
	api := e.userPoolAPI()
	resend := func(email string) (*cip.ResendConfirmationCodeOutput, error) {
		return api.ResendConfirmationCode(context.Background(), &cip.ResendConfirmationCodeInput{
			ClientId: &e.stack.Pool.ClientID, Username: &email,
			SecretHash: aws.String(cognito.SecretHash(e.stack.Pool.ClientID, e.stack.Pool.ClientSecret, email)),
		})
	}
	out, err := resend(rita)
	if err != nil || out.CodeDeliveryDetails == nil || out.CodeDeliveryDetails.DeliveryMedium != types.DeliveryMediumTypeEmail ||
		aws.ToString(out.CodeDeliveryDetails.Destination) != "r***@e***" || aws.ToString(out.CodeDeliveryDetails.AttributeName) != "email" {
		t.Fatalf("unconfirmed: %+v %v", out, err)
	}
	if _, err := resend(userEmail); err == nil {
		t.Fatal("a confirmed user's code was resent")
	} else if code, msg := cognitoError(err); code != "InvalidParameterException" || msg != "User is already confirmed." {
		t.Fatalf("confirmed: %v", err)
	}
	if out, err := resend("nobody@example.com"); err != nil || aws.ToString(out.CodeDeliveryDetails.Destination) != "n***@e***" {
		t.Fatalf("unknown: %+v %v", out, err)
	}
	// The code resent is the one that confirms.
	if resp, body := b.post("/auth/confirm-sign-up", `{"email":"`+rita+`","code":"`+devstack.ConfirmationCode+`"}`); resp.StatusCode != 200 {
		t.Fatalf("confirm: %d %s", resp.StatusCode, body)
	}
	if st, _, body := b.passwordSignIn(t, rita, strongPassword); st != 200 {
		t.Fatalf("sign-in: %d %s", st, body)
	}
}

func TestGlobalSignOutAgainstTheStack(t *testing.T) {
	e := startEnv(t, nil)
	here, there := e.browser(t), e.browser(t)
	here.signIn("/", userEmail, userPassword)
	there.signIn("/", userEmail, userPassword)
	for _, b := range []*browser{here, there} {
		if b.cookie("__Host-monban-refresh") == "" {
			t.Fatal("a browser has no refresh cookie after signing in")
		}
	}
	if resp, body := there.post("/auth/refresh", "{}"); resp.StatusCode != 200 {
		t.Fatalf("refresh before: %d %s", resp.StatusCode, body)
	}
	// A third session, begun on the user-pool API itself, to read Cognito's answer below.
	api := e.userPoolAPI()
	ctx := context.Background()
	signedIn, err := api.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: &e.stack.Pool.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": userEmail, "PASSWORD": userPassword,
			"SECRET_HASH": cognito.SecretHash(e.stack.Pool.ClientID, e.stack.Pool.ClientSecret, userEmail)},
	})
	if err != nil || signedIn.AuthenticationResult == nil {
		t.Fatalf("InitiateAuth: %v", err)
	}
	thirdRefresh := aws.ToString(signedIn.AuthenticationResult.RefreshToken)

	restore := here.noRedirects()
	resp, body := here.post("/auth/sign-out?global=true", "{}")
	restore()
	if resp.StatusCode != 200 || !strings.Contains(body, `"revoked":true`) {
		t.Fatalf("global sign-out: %d %s", resp.StatusCode, body)
	}

	// The other browser's session has ended: no refresh, and its access token is refused by
	// the user-pool API (it verifies locally until it expires, as with Cognito).
	if resp, body := there.post("/auth/refresh", "{}"); resp.StatusCode != 401 || errorCode(t, body) != "unauthenticated" {
		t.Fatalf("the other browser's refresh after a global sign-out: %d %s", resp.StatusCode, body)
	}
	if resp, body := there.post("/auth/change-password", `{"previous_password":"`+userPassword+`","proposed_password":"Chang3d-Passw0rd!"}`); resp.StatusCode != 401 || errorCode(t, body) != "unauthenticated" {
		t.Fatalf("change-password with a revoked access token: %d %s", resp.StatusCode, body)
	}
	// Cognito's own answer underneath.
	_, err = api.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: &e.stack.Pool.ClientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": thirdRefresh},
	})
	if code, msg := cognitoError(err); code != "NotAuthorizedException" || msg != "Refresh Token has been revoked" {
		t.Fatalf("REFRESH_TOKEN_AUTH after GlobalSignOut: %v", err)
	}

	// A session begun afterwards is not caught by the sign-out.
	again := e.browser(t)
	again.signIn("/", userEmail, userPassword)
	if resp, body := again.post("/auth/refresh", "{}"); resp.StatusCode != 200 {
		t.Fatalf("refresh of a session begun after the sign-out: %d %s", resp.StatusCode, body)
	}
}

func TestSignUpScreenAgainstTheStack(t *testing.T) {
	e := startEnv(t, nil) // sign-ups confirmed at once, make dev's default
	b := e.browser(t)
	page := b.openSignUp(t)

	// A weak password: the policy's message on the page, no account, no session.
	resp, body := b.submitSignUp(t, page, "sam@example.com", "weak-passw0rd")
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/signup" || !strings.Contains(body, policyPrefix+"Password must have uppercase characters") {
		t.Fatalf("weak password: %d at %s\n%.600s", resp.StatusCode, resp.Request.URL, body)
	}
	// A taken address: Cognito's refusal on the page.
	resp, body = b.submitSignUp(t, page, userEmail, strongPassword)
	if resp.StatusCode != 200 || !strings.Contains(body, "User already exists") {
		t.Fatalf("taken address: %d\n%.600s", resp.StatusCode, body)
	}
	if resp, body := b.get("/auth/session"); !signedOut(resp, body) {
		t.Fatalf("a refused sign-up signed in: %s", body)
	}

	// Signed up, signed in, and back on the site.
	resp, body = b.submitSignUp(t, page, "sam@example.com", strongPassword)
	if resp.StatusCode != 200 || resp.Request.URL.String() != e.site+"/" {
		t.Fatalf("sign-up ended at %d %s\n%.600s", resp.StatusCode, resp.Request.URL, body)
	}
	resp, body = b.get("/auth/session")
	if resp.StatusCode != 200 || decode[sessionView](t, body).User.Email != "sam@example.com" {
		t.Fatalf("session after sign-up: %d %s", resp.StatusCode, body)
	}
}

func TestSignUpScreenWithEmailCodeAgainstTheStack(t *testing.T) {
	e := startStandInEnv(t, map[string]string{"MONBAN_SIGNUP_AUTO_CONFIRM": "false"})
	b := e.browser(t)
	page := b.openSignUp(t)
	resp, body := b.submitSignUp(t, page, "tom@example.com", strongPassword)
	if resp.StatusCode != 200 || !strings.Contains(body, "We sent a code to t***@e***") || !strings.Contains(body, `name="code"`) {
		t.Fatalf("after sign-up: %d\n%.600s", resp.StatusCode, body)
	}
	resp, body = b.submitForm(t, "/signup", body, url.Values{"code": {"000000"}})
	if resp.StatusCode != 200 || !strings.Contains(body, `name="code"`) || !strings.Contains(body, `role="alert"`) || !strings.Contains(body, "Incorrect confirmation code") {
		t.Fatalf("wrong code: %d\n%.600s", resp.StatusCode, body)
	}
	// The right code: confirmed, then the emulator's login form for the same request.
	resp, body = b.submitForm(t, "/signup", body, url.Values{"code": {devstack.ConfirmationCode}})
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/oauth2/authorize" || !strings.Contains(body, `name="password"`) {
		t.Fatalf("after the code: %d at %s\n%.600s", resp.StatusCode, resp.Request.URL, body)
	}
	resp, _ = b.submitForm(t, "/oauth2/authorize", body, url.Values{"username": {"tom@example.com"}, "password": {strongPassword}})
	if resp.StatusCode != 200 || resp.Request.URL.String() != e.site+"/" {
		t.Fatalf("sign-in after confirming ended at %d %s", resp.StatusCode, resp.Request.URL)
	}
	if resp, body := b.get("/auth/session"); resp.StatusCode != 200 || decode[sessionView](t, body).User.Email != "tom@example.com" {
		t.Fatalf("session: %d %s", resp.StatusCode, body)
	}
}

// openSignUp follows monban's sign-in with screen=signup to the sign-up page.
func (b *browser) openSignUp(t *testing.T) string {
	t.Helper()
	resp, page := b.get("/auth/sign-in?screen=signup&redirect_to=%2F")
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/signup" || !strings.Contains(page, `name="password"`) || !strings.Contains(page, "Sign up") {
		t.Fatalf("screen=signup: %d at %s\n%.600s", resp.StatusCode, resp.Request.URL, page)
	}
	return page
}

func (b *browser) submitSignUp(t *testing.T, page, email, password string) (*http.Response, string) {
	t.Helper()
	return b.submitForm(t, "/signup", page, url.Values{"username": {email}, "password": {password}})
}

// submitForm posts page's hidden fields and fields to path, as the browser submits a form.
func (b *browser) submitForm(t *testing.T, path, page string, fields url.Values) (*http.Response, string) {
	t.Helper()
	form := url.Values{}
	for _, m := range inputPattern.FindAllStringSubmatch(page, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	for k, v := range fields {
		form[k] = v
	}
	return b.do("POST", path, form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
}

func TestPasswordPolicyAgainstTheStack(t *testing.T) {
	e := startEnv(t, nil)
	b := e.browser(t)
	weak := map[string]string{
		"Sh0rt-pass!":       "Password not long enough", // 11 characters
		"n0-upper-case":     "Password must have uppercase characters",
		"NO-LOWER-CA5E":     "Password must have lowercase characters",
		"No-Numbers-At-All": "Password must have numeric characters",
		"N0SymbolsAtAll":    "Password must have symbol characters",
	}
	for password, want := range weak {
		resp, body := b.post("/auth/sign-up", `{"email":"gina@example.com","password":"`+password+`"}`)
		if resp.StatusCode != 400 || errorCode(t, body) != "invalid_password" || !strings.Contains(body, `"message":"`+policyPrefix+want+`"`) {
			t.Errorf("sign-up with %q: %d %s", password, resp.StatusCode, body)
		}
	}
	if resp, body := b.post("/auth/sign-up", `{"email":"gina@example.com","password":"`+strongPassword+`"}`); resp.StatusCode != 200 {
		t.Fatalf("sign-up with a strong password: %d %s", resp.StatusCode, body)
	}

	// Every other place a password is chosen.
	b.passwordSignIn(t, "gina@example.com", strongPassword)
	if resp, body := b.post("/auth/change-password", `{"previous_password":"`+strongPassword+`","proposed_password":"weak"}`); resp.StatusCode != 400 || errorCode(t, body) != "invalid_password" {
		t.Errorf("change-password: %d %s", resp.StatusCode, body)
	}
	b.post("/auth/forgot-password", `{"email":"gina@example.com"}`)
	if resp, body := b.post("/auth/confirm-forgot-password", `{"email":"gina@example.com","code":"`+devstack.ConfirmationCode+`","password":"weak"}`); resp.StatusCode != 400 || errorCode(t, body) != "invalid_password" {
		t.Errorf("confirm-forgot-password: %d %s", resp.StatusCode, body)
	}
	if st, _, body := b.passwordSignIn(t, "gina@example.com", strongPassword); st != 200 {
		t.Fatalf("the refused changes changed the password: %d %s", st, body)
	}

	const invited = "ivy@example.com"
	if _, err := devstack.NewCognitoClient(e.stack.Cognito.URL).AdminCreateUser(context.Background(), &cip.AdminCreateUserInput{
		UserPoolId: &e.stack.Pool.ID, Username: aws.String(invited), TemporaryPassword: aws.String("Temp-Passw0rd!"),
		MessageAction:  types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(invited)}, {Name: aws.String("email_verified"), Value: aws.String("true")}},
	}); err != nil {
		t.Fatal(err)
	}
	c := e.browser(t)
	if st, p, body := c.passwordSignIn(t, invited, "Temp-Passw0rd!"); st != 200 || p.Challenge != "NEW_PASSWORD_REQUIRED" {
		t.Fatalf("invited sign-in: %d %s", st, body)
	}
	if resp, body := c.post("/auth/challenge", `{"new_password":"weak"}`); resp.StatusCode != 400 || errorCode(t, body) != "invalid_password" {
		t.Errorf("NEW_PASSWORD_REQUIRED with a weak password: %d %s", resp.StatusCode, body)
	}
}

// Issue 13: e-mail codes and passkeys against make dev's stack, with the emulator's own
// tokens at the end of each sign-in.
func TestPasswordlessAgainstTheStack(t *testing.T) {
	e := startNamedEnv(t)
	b := e.browser(t)
	// The choice, then an e-mail code: a wrong one may be tried again.
	resp, body := b.post("/auth/sign-in/start", `{"email":"`+userEmail+`"}`)
	if p := decode[prompt](t, body); resp.StatusCode != 200 || p.Challenge != "SELECT_CHALLENGE" || !sameJSON(p.Parameters["factors"], []string{"EMAIL_OTP", "PASSWORD"}) {
		t.Fatalf("sign-in start: %d %s", resp.StatusCode, body)
	}
	resp, body = b.post("/auth/challenge", `{"factor":"EMAIL_OTP"}`)
	if p := decode[prompt](t, body); resp.StatusCode != 200 || p.Challenge != "EMAIL_OTP" || p.Parameters["destination"] != "a***@e***" || p.Parameters["medium"] != "EMAIL" {
		t.Fatalf("EMAIL_OTP chosen: %d %s", resp.StatusCode, body)
	}
	if resp, body := b.post("/auth/challenge", `{"code":"000000"}`); resp.StatusCode != 400 || errorCode(t, body) != "code_mismatch" {
		t.Fatalf("a wrong code: %d %s", resp.StatusCode, body)
	}
	if resp, body := b.post("/auth/challenge", `{"code":"`+devstack.ConfirmationCode+`"}`); resp.StatusCode != 200 {
		t.Fatalf("the code: %d %s", resp.StatusCode, body)
	}
	if resp, body := b.get("/auth/session"); resp.StatusCode != 200 || decode[sessionView](t, body).User.Email != userEmail {
		t.Fatalf("session after the code: %d %s", resp.StatusCode, body)
	}

	// A passkey for the site (the relying party is its host), then a sign-in with it.
	auth := passkeytest.New()
	resp, body = b.post("/auth/passkeys/register/start", "{}")
	if resp.StatusCode != 200 {
		t.Fatalf("register start: %d %s", resp.StatusCode, body)
	}
	created, err := auth.Create(e.site, decode[struct{ Options json.RawMessage }](t, body).Options)
	if err != nil {
		t.Fatalf("the authenticator refused the creation options: %v\n%s", err, body)
	}
	if resp, body := b.post("/auth/passkeys/register/finish", `{"credential":`+string(created)+`}`); resp.StatusCode != 200 {
		t.Fatalf("register finish: %d %s", resp.StatusCode, body)
	}
	resp, body = b.get("/auth/passkeys")
	type passkeys struct {
		Passkeys []struct {
			ID             string `json:"id"`
			RelyingPartyID string `json:"relying_party_id"`
		}
	}
	const host = "localhost"
	if list := decode[passkeys](t, body).Passkeys; resp.StatusCode != 200 || len(list) != 1 || list[0].ID != auth.Credentials(host)[0] || list[0].RelyingPartyID != host {
		t.Fatalf("passkeys: %d %s", resp.StatusCode, body)
	}

	c := e.browser(t)
	resp, body = c.post("/auth/sign-in/start", `{"email":"`+userEmail+`","factor":"WEB_AUTHN"}`)
	p := decode[prompt](t, body)
	options, _ := json.Marshal(p.Parameters["options"])
	if resp.StatusCode != 200 || p.Challenge != "WEB_AUTHN" {
		t.Fatalf("WEB_AUTHN start: %d %s", resp.StatusCode, body)
	}
	assertion, err := auth.Get(e.site, options)
	if err != nil {
		t.Fatalf("the authenticator refused the request options: %v\n%s", err, body)
	}
	if resp, body := c.post("/auth/challenge", `{"credential":`+string(assertion)+`}`); resp.StatusCode != 200 {
		t.Fatalf("passkey sign-in: %d %s", resp.StatusCode, body)
	}
	if resp, body := c.get("/auth/session"); resp.StatusCode != 200 || decode[sessionView](t, body).User.Email != userEmail {
		t.Fatalf("session after the passkey: %d %s", resp.StatusCode, body)
	}
	// The session's refresh token is the emulator's, and works.
	if resp, body := c.post("/auth/refresh", "{}"); resp.StatusCode != 200 {
		t.Fatalf("refresh after a passkey sign-in: %d %s", resp.StatusCode, body)
	}

	// An unknown address is answered like a known one, and its code is wrong.
	d := e.browser(t)
	resp, body = d.post("/auth/sign-in/start", `{"email":"nobody@example.com","factor":"EMAIL_OTP"}`)
	if p := decode[prompt](t, body); resp.StatusCode != 200 || p.Challenge != "EMAIL_OTP" || p.Parameters["destination"] != "n***@e***" {
		t.Fatalf("unknown address: %d %s", resp.StatusCode, body)
	}
	if resp, body := d.post("/auth/challenge", `{"code":"`+devstack.ConfirmationCode+`"}`); resp.StatusCode != 400 || errorCode(t, body) != "code_mismatch" {
		t.Fatalf("unknown address's code: %d %s", resp.StatusCode, body)
	}

	id := auth.Credentials(host)[0]
	if resp, body := b.post("/auth/passkeys/delete", `{"id":"`+id+`"}`); resp.StatusCode != 200 {
		t.Fatalf("delete: %d %s", resp.StatusCode, body)
	}
	if resp, body := b.get("/auth/passkeys"); resp.StatusCode != 200 || len(decode[passkeys](t, body).Passkeys) != 0 {
		t.Fatalf("after deleting: %d %s", resp.StatusCode, body)
	}
}

// sameJSON tells whether v, decoded from JSON, is want.
func sameJSON(v any, want any) bool {
	a, _ := json.Marshal(v)
	b, _ := json.Marshal(want)
	return string(a) == string(b)
}

// startNamedEnv is startEnv with the site at https://localhost:<port>: a passkey's relying
// party is a domain, never an IP address (WebAuthn §5.1.3), so a site on 127.0.0.1 has
// none. The test server's certificate names example.com and 127.0.0.1, so its client (the
// browsers' and the stack's own, for the hosted UI's endpoints) checks it for example.com.
func startNamedEnv(t *testing.T) *env {
	t.Helper()
	var site string
	e := startEnvWith(t, func(o *devstack.StackOptions) {
		u, err := url.Parse(o.SiteURL)
		if err != nil {
			t.Fatal(err)
		}
		site = "https://localhost:" + u.Port()
		o.SiteURL = site
	})
	e.site = site
	tr := e.srv.Client().Transport.(*http.Transport).Clone()
	tr.TLSClientConfig.ServerName = "example.com"
	e.srv.Client().Transport = tr
	return e
}

// Issue 14: a user's own account against make dev's stack. The emulator has the calls; the
// front refuses writes outside the app client's WriteAttributes, masks where a code went and
// gives GetUserAttributeVerificationCode its delivery details, and a confirmed sign-up's
// address is verified. Against the bare emulator every attribute is written, the address
// comes back unmasked, the code's delivery is missing and a confirmed address unverified.
func TestAccountCallsAgainstTheStack(t *testing.T) {
	e := startStandInEnv(t, map[string]string{"MONBAN_SIGNUP_AUTO_CONFIRM": "false"})
	api := e.userPoolAPI()
	ctx := context.Background()
	const una = "una@example.com"
	hash := func(name string) *string {
		return aws.String(cognito.SecretHash(e.stack.Pool.ClientID, e.stack.Pool.ClientSecret, name))
	}
	if _, err := api.SignUp(ctx, &cip.SignUpInput{ClientId: &e.stack.Pool.ClientID, SecretHash: hash(una),
		Username: aws.String(una), Password: aws.String(strongPassword)}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &e.stack.Pool.ClientID, SecretHash: hash(una),
		Username: aws.String(una), ConfirmationCode: aws.String(devstack.ConfirmationCode)}); err != nil {
		t.Fatal(err)
	}
	signedIn, err := api.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: &e.stack.Pool.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": una, "PASSWORD": strongPassword, "SECRET_HASH": *hash(una)},
	})
	if err != nil || signedIn.AuthenticationResult == nil {
		t.Fatalf("InitiateAuth: %v", err)
	}
	access := signedIn.AuthenticationResult.AccessToken
	attrs := func() map[string]string {
		t.Helper()
		out, err := api.GetUser(ctx, &cip.GetUserInput{AccessToken: access})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, a := range out.UserAttributes {
			m[aws.ToString(a.Name)] = aws.ToString(a.Value)
		}
		return m
	}
	if got := attrs(); got["email"] != una || got["email_verified"] != "true" {
		t.Fatalf("after confirming the sign-up: %v", got)
	}

	// Outside the app client's WriteAttributes: refused as Cognito refuses, nothing written.
	_, err = api.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: access, UserAttributes: []types.AttributeType{
		{Name: aws.String("name"), Value: aws.String("Una")}, {Name: aws.String("email_verified"), Value: aws.String("false")},
	}})
	if code, msg := cognitoError(err); code != "NotAuthorizedException" || msg != "A client attempted to write unauthorized attribute" {
		t.Fatalf("an unwritable attribute: %v", err)
	}
	if got := attrs(); got["name"] != "" || got["email_verified"] != "true" {
		t.Fatalf("a refused update wrote: %v", got)
	}

	// An address change waits for its code, sent to the new address, masked.
	out, err := api.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: access, UserAttributes: []types.AttributeType{
		{Name: aws.String("email"), Value: aws.String("ursula@example.org")},
	}})
	if err != nil || len(out.CodeDeliveryDetailsList) != 1 || aws.ToString(out.CodeDeliveryDetailsList[0].Destination) != "u***@e***" {
		t.Fatalf("change the address: %+v %v", out, err)
	}
	if got := attrs(); got["email"] != una || got["email_verified"] != "true" {
		t.Fatalf("while the change waits: %v", got)
	}
	resent, err := api.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{AccessToken: access, AttributeName: aws.String("email")})
	if err != nil || resent.CodeDeliveryDetails == nil || aws.ToString(resent.CodeDeliveryDetails.Destination) != "u***@e***" ||
		resent.CodeDeliveryDetails.DeliveryMedium != types.DeliveryMediumTypeEmail {
		t.Fatalf("the code again: %+v %v", resent, err)
	}
	if _, err := api.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: access, AttributeName: aws.String("email"), Code: aws.String("000000")}); err == nil {
		t.Fatal("a wrong code verified the address")
	} else if code, _ := cognitoError(err); code != "CodeMismatchException" {
		t.Fatalf("a wrong code: %v", err)
	}
	if _, err := api.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: access, AttributeName: aws.String("email"), Code: aws.String(devstack.ConfirmationCode)}); err != nil {
		t.Fatal(err)
	}
	if got := attrs(); got["email"] != "ursula@example.org" || got["email_verified"] != "true" {
		t.Fatalf("after the code: %v", got)
	}
	// A refresh brings the new address into the ID token.
	refreshed, err := api.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: &e.stack.Pool.ClientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(signedIn.AuthenticationResult.RefreshToken), "SECRET_HASH": *hash(una)},
	})
	if err != nil || refreshed.AuthenticationResult == nil {
		t.Fatalf("refresh: %v", err)
	}
	if claims := tokentest.Claims(t, aws.ToString(refreshed.AuthenticationResult.IdToken)); claims["email"] != "ursula@example.org" || claims["email_verified"] != true {
		t.Fatalf("ID token after the change: %v", claims)
	}

	// Deleted: the user's tokens no longer work.
	if _, err := api.DeleteUser(ctx, &cip.DeleteUserInput{AccessToken: access}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.GetUser(ctx, &cip.GetUserInput{AccessToken: access}); err == nil {
		t.Fatal("GetUser answered for a deleted user")
	}
	if _, err := api.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: &e.stack.Pool.ClientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(signedIn.AuthenticationResult.RefreshToken), "SECRET_HASH": *hash(una)},
	}); err == nil {
		t.Fatal("a deleted user's refresh token worked")
	}
}
