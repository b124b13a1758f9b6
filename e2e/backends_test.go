package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/monban-auth/monban/internal/app"
	"github.com/monban-auth/monban/internal/auth/userpooltest"
	"github.com/monban-auth/monban/internal/config"
	"github.com/monban-auth/monban/internal/devstack"
	"github.com/monban-auth/monban/internal/devstack/devstacktest"
)

// quirks records what an emulator does not do, so the one suite asks each backend only what
// it can answer (SPEC §9). Production behaviour is never relaxed for them.
//
// What cognito-local lacks and the local stack stands in for, as make dev runs it (each with
// its end-to-end test in standins_test.go; the stand-ins' own tests are devstack's):
//   - ResendConfirmationCode: the API front answers it (code ConfirmationCode, delivery EMAIL
//     to the masked address; "User is already confirmed." for a confirmed user; a simulated
//     delivery for an unknown one, the client preventing user-existence errors), so the
//     cognito-local backend resendsCodes;
//   - GlobalSignOut: the API front records the user and the second, and refuses that user's
//     older refresh tokens ("Refresh Token has been revoked", also at /oauth2/token) and
//     access tokens ("Access Token has been revoked");
//   - the password policy: the API front enforces template.yaml's (12 characters with
//     lowercase, uppercase, number and symbol) on SignUp, ChangePassword,
//     ConfirmForgotPassword and NEW_PASSWORD_REQUIRED answers, with Cognito's
//     InvalidPasswordException and message, so the cognito-local backend
//     enforcesPasswordPolicy;
//   - /signup (managed login's sign-up page, screen=signup): the hosted-UI front serves a
//     plain form that signs up through the API front and completes the sign-in on the
//     emulator's login form;
//   - /logout: the hosted-UI front redirects to a registered logout_uri;
//   - choice-based sign-in (InitiateAuth USER_AUTH: SELECT_CHALLENGE, PASSWORD, EMAIL_OTP,
//     WEB_AUTHN) and the four WebAuthn actions: the API front answers them (devstack's
//     passwordless.go), with the site's host as the passkeys' relying party, so the
//     cognito-local backend serves its site at https://localhost:<port> and
//     choiceBasedSignIn; its e-mail codes are ConfirmationCode;
//   - ConfirmSignUp: the emulator confirms the user but leaves the address unverified; the
//     API front marks it verified, as Cognito does, so the backend confirmingVerifiesEmail;
//   - the app client's WriteAttributes (the emulator ignores them): the API front refuses
//     UpdateUserAttributes outside them with Cognito's NotAuthorizedException, so the
//     cognito-local backend enforcesWriteAttributes; it also masks the address an
//     e-mail change's code went to and gives GetUserAttributeVerificationCode its delivery
//     details, which the emulator leaves out. The emulator itself keeps a changed address
//     pending until verified (the pool's UserAttributeUpdateSettings) with the code
//     ConfirmationCode, and deletes users, so the backend verifiesAttributes and
//     deletesUsers.
//
// moto (5.x) implements neither USER_AUTH nor the WebAuthn actions, so the moto backend
// skips the passwordless steps (not choiceBasedSignIn). Of a user's own account it has
// GetUser and UpdateUserAttributes only: no VerifyUserAttribute,
// GetUserAttributeVerificationCode or DeleteUser, and an e-mail change takes effect at once
// with no code; nor does it read the app client's WriteAttributes. Its ConfirmSignUp leaves
// the address unverified (not confirmingVerifiesEmail).
//
// The emulators' createUser calls AdminCreateUser on the emulator itself, past the stand-ins.
//
// The in-memory pool (auth/userpooltest, the "fake" backend) needs none of these: it is
// written to Cognito's API reference, so it enforces the policy, resends and checks codes,
// rejects wrong TOTP codes, answers admin sign-ins with challenges, puts standard
// attributes in the ID token, and has choice-based sign-in and passkeys (its relying party
// the site's host, verified as the stand-in's). It runs under -short, with no emulator.
type quirks struct {
	enforcesPasswordPolicy bool // sign-up rejects weak passwords
	standardAttributesInID bool // the ID token carries standard attributes such as name
	resendsCodes           bool // ResendConfirmationCode is implemented
	// refreshHashOverLoginName: REFRESH_TOKEN_AUTH's SECRET_HASH is checked against the name
	// the user signed in with, not the name Cognito knows them by (their sub), so refresh
	// only works after signing in with the sub itself.
	refreshHashOverLoginName bool
	// wrongCurrentPasswordIsPolicyError: ChangePassword answers a wrong current password with
	// InvalidPasswordException (Cognito: NotAuthorizedException), indistinguishable from a
	// policy failure, so the contract cannot map it to invalid_credentials.
	wrongCurrentPasswordIsPolicyError bool
	adminChallenges                   bool // ADMIN_USER_PASSWORD_AUTH returns challenges
	rejectsWrongTOTP                  bool // a wrong TOTP code is refused
	checksConfirmCode                 bool // ConfirmSignUp rejects a wrong code
	// choiceBasedSignIn: InitiateAuth with USER_AUTH, its challenges (SELECT_CHALLENGE,
	// PASSWORD, EMAIL_OTP, WEB_AUTHN) and the WebAuthn actions are implemented.
	choiceBasedSignIn bool
	// verifiesAttributes: a changed e-mail address waits for the code sent to it
	// (UserAttributeUpdateSettings), VerifyUserAttribute and GetUserAttributeVerificationCode
	// are implemented.
	verifiesAttributes bool
	// enforcesWriteAttributes: UpdateUserAttributes refuses attributes outside the app
	// client's WriteAttributes.
	enforcesWriteAttributes bool
	deletesUsers            bool // DeleteUser is implemented
	// confirmingVerifiesEmail: ConfirmSignUp marks the address the code went to verified.
	confirmingVerifiesEmail bool
}

// backend is one Cognito emulator (or the in-memory pool) behind a monban API served over
// TLS.
type backend struct {
	name string
	// site is where be.browser's pages are: srv's URL, or https://localhost on srv's port
	// when passkeys are tested (see onLocalhost).
	site   string
	srv    *httptest.Server
	quirks quirks
	// signUpCode and resetCode give the code the emulator expects for a user.
	signUpCode func(email string) string
	resetCode  func(email string) string
	// signInCode is the e-mail sign-in code (EMAIL_OTP) last sent to a user, when the backend
	// has choice-based sign-in.
	signInCode func(email string) string
	// attributeCode is the code last sent to verify an attribute of the user whose address
	// is email (for an e-mail change, the code sent to the new address), when the backend
	// verifiesAttributes.
	attributeCode func(email string) string
	// createUser makes a user the way an administrator does (AdminCreateUser, no message
	// sent): with a temporary password and a verified e-mail address.
	createUser func(t *testing.T, email, temp string)
	// newAPI builds another API on the same pool with extra settings.
	newAPI func(t *testing.T, extra map[string]string) *httptest.Server
}

func (b *backend) browser(t *testing.T) *browser { return (&env{srv: b.srv, site: b.site}).browser(t) }

func (b *backend) browserFor(t *testing.T, srv *httptest.Server) *browser {
	return (&env{srv: srv, site: srv.URL}).browser(t)
}

// swappable is a TLS server whose handler is set once the API exists (the API needs the
// server's URL as its origin first).
func swappable(t *testing.T) (*httptest.Server, func(http.Handler)) {
	var h atomic.Pointer[http.Handler]
	none := http.Handler(http.NotFoundHandler())
	h.Store(&none)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*h.Load()).ServeHTTP(w, r) }))
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, func(x http.Handler) { h.Store(&x) }
}

// onLocalhost names srv's site https://localhost:<port>: a passkey's relying party is a
// domain, never an IP address (WebAuthn §5.1.3), so a site on 127.0.0.1 could have none.
// The test server's certificate names example.com and 127.0.0.1, so srv's client (the
// browsers' and the API's own) checks it for example.com from now on.
func onLocalhost(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.TLSClientConfig.ServerName = "example.com"
	srv.Client().Transport = tr
	return "https://localhost:" + u.Port()
}

func buildAPI(t *testing.T, env map[string]string, o app.Options) http.Handler {
	t.Helper()
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	h, err := app.New(context.Background(), cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func cognitoLocalBackend(t *testing.T) *backend {
	srv, set := swappable(t)
	site := onLocalhost(t, srv) // the stand-in's relying party is the site's host
	stack := devstacktest.Start(t, devstack.StackOptions{
		SiteURL: site,
		App:     app.Options{HTTPClient: srv.Client(), Log: devstack.DevLogger(t.Output())},
		// The confirmation-code path is under test here; auto-confirmation has its own tests.
		TriggerEnv: map[string]string{"MONBAN_SIGNUP_AUTO_CONFIRM": "false"},
	})
	set(stack.Handler)
	b := &backend{
		name: "cognito-local", site: site, srv: srv,
		createUser: adminCreateUser(devstack.NewCognitoClient(stack.Cognito.URL), stack.Pool.ID),
		quirks: quirks{rejectsWrongTOTP: true, checksConfirmCode: true, wrongCurrentPasswordIsPolicyError: true,
			// Both by the stack's API front, not the emulator (see above).
			resendsCodes: true, enforcesPasswordPolicy: true, choiceBasedSignIn: true, enforcesWriteAttributes: true,
			confirmingVerifiesEmail: true,
			// The emulator's own.
			verifiesAttributes: true, deletesUsers: true},
		signUpCode:    func(string) string { return devstack.ConfirmationCode },
		resetCode:     func(string) string { return devstack.ConfirmationCode },
		signInCode:    func(string) string { return devstack.ConfirmationCode },
		attributeCode: func(string) string { return devstack.ConfirmationCode },
	}
	b.newAPI = func(t *testing.T, extra map[string]string) *httptest.Server {
		srv2, set2 := swappable(t)
		env := map[string]string{}
		for k, v := range stack.Env {
			env[k] = v
		}
		// Another site, on its own server: the stack's callback (on the localhost site)
		// would be cross-site with it. No step signs in through the hosted UI here.
		env["MONBAN_ALLOWED_ORIGINS"] = srv2.URL
		env["MONBAN_CALLBACK_URL"] = srv2.URL + "/auth/callback"
		for k, v := range extra {
			env[k] = v
		}
		set2(buildAPI(t, env, app.Options{HTTPClient: srv2.Client(), Log: devstack.DevLogger(t.Output())}))
		return srv2
	}
	return b
}

// motoCodes reads the forgot-password code moto returns in a response header, from inside
// the SDK client the API uses.
type motoCodes struct {
	mu   sync.Mutex
	last string
}

func (m *motoCodes) option(o *cip.Options) {
	o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
		return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("motoResetCode",
			func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleDeserialize(ctx, in)
				if resp, ok := out.RawResponse.(*smithyhttp.Response); ok {
					if c := resp.Header.Get("x-moto-forgot-password-confirmation-code"); c != "" {
						m.mu.Lock()
						m.last = c
						m.mu.Unlock()
					}
				}
				return out, md, err
			}), middleware.After)
	})
}

func motoBackend(t *testing.T) *backend { return motoBackendWith(t, types.UserPoolMfaTypeOptional) }

// motoBackendWith makes a moto pool whose MFA setting is mfa (ON makes every user set up an
// authenticator app at first sign-in).
func motoBackendWith(t *testing.T, mfa types.UserPoolMfaType) *backend {
	m := devstacktest.RequireMoto(t)
	admin := devstack.NewCognitoClient(m.URL)
	ctx := context.Background()
	pool, err := admin.CreateUserPool(ctx, &cip.CreateUserPoolInput{
		PoolName:               aws.String("monban-moto"),
		UsernameAttributes:     []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		MfaConfiguration:       mfa,
		Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{
			MinimumLength: aws.Int32(10), RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true,
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	poolID := aws.ToString(pool.UserPool.Id)
	if _, err := admin.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{
		UserPoolId: &poolID, MfaConfiguration: mfa,
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true},
	}); err != nil {
		t.Fatal(err)
	}
	client, err := admin.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: &poolID, ClientName: aws.String("monban-site"), GenerateSecret: true,
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{
			types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth,
			types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
		},
		ReadAttributes:             []string{"email", "email_verified", "name"},
		PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled,
		EnableTokenRevocation:      aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	codes := &motoCodes{}
	mk := func(t *testing.T, extra map[string]string) *httptest.Server {
		srv, set := swappable(t)
		env := map[string]string{
			"MONBAN_USER_POOL_ID":     poolID,
			"MONBAN_CLIENT_ID":        aws.ToString(client.UserPoolClient.ClientId),
			"MONBAN_CLIENT_SECRET":    aws.ToString(client.UserPoolClient.ClientSecret),
			"MONBAN_COGNITO_DOMAIN":   "https://auth.example.com", // moto has no hosted UI
			"MONBAN_COGNITO_ENDPOINT": m.URL,
			"MONBAN_ISSUER":           devstack.MotoIssuer(poolID),
			"MONBAN_JWKS_URL":         m.JWKSURL(poolID),
			"MONBAN_CALLBACK_URL":     srv.URL + "/auth/callback",
			"MONBAN_ALLOWED_ORIGINS":  srv.URL,
			"MONBAN_SESSION_SECRET":   strings.Repeat("s", 40),
		}
		for k, v := range extra {
			env[k] = v
		}
		set(buildAPI(t, env, app.Options{HTTPClient: srv.Client(), CognitoOptions: []func(*cip.Options){codes.option}, Log: devstack.DevLogger(t.Output())}))
		return srv
	}
	srv := mk(t, nil)
	return &backend{
		name: "moto", site: srv.URL, srv: srv, newAPI: mk, createUser: adminCreateUser(admin, poolID),
		quirks: quirks{enforcesPasswordPolicy: true, adminChallenges: true,
			standardAttributesInID: true, refreshHashOverLoginName: true},
		// moto accepts any confirmation code.
		signUpCode: func(string) string { return "000000" },
		resetCode: func(string) string {
			codes.mu.Lock()
			defer codes.mu.Unlock()
			return codes.last
		},
	}
}

// adminCreateUser is createUser through an emulator's AdminCreateUser.
func adminCreateUser(admin *cip.Client, poolID string) func(t *testing.T, email, temp string) {
	return func(t *testing.T, email, temp string) {
		t.Helper()
		_, err := admin.AdminCreateUser(context.Background(), &cip.AdminCreateUserInput{
			UserPoolId: &poolID, Username: &email, TemporaryPassword: &temp,
			MessageAction: types.MessageActionTypeSuppress,
			UserAttributes: []types.AttributeType{
				{Name: aws.String("email"), Value: &email}, {Name: aws.String("email_verified"), Value: aws.String("true")},
			},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// fakeBackend is the in-memory pool behind the API through the app's UserPool seam, its keys
// served on 127.0.0.1 for the API's verifier. Codes are read from the pool, as from an inbox.
// Its site is on localhost, the passkeys' relying party.
func fakeBackend(t *testing.T) *backend {
	srv, set := swappable(t)
	site := onLocalhost(t, srv)
	// The pool's default issuer and client id; the issuer is never fetched, the keys come
	// from the pool's own JWKS server.
	pool := userpooltest.New(userpooltest.Options{PasskeyRPID: "localhost", PasskeyOrigins: []string{site}})
	jwks := httptest.NewServer(pool.JWKSHandler())
	t.Cleanup(jwks.Close)
	serve := func(t *testing.T, srv *httptest.Server, set func(http.Handler), site string, extra map[string]string) {
		env := map[string]string{
			"MONBAN_USER_POOL_ID":    "us-east-1_Fake",
			"MONBAN_CLIENT_ID":       userpooltest.DefaultClientID,
			"MONBAN_CLIENT_SECRET":   "fake-client-secret",       // required by the configuration; the pool needs none
			"MONBAN_COGNITO_DOMAIN":  "https://auth.example.com", // no hosted UI in this suite
			"MONBAN_ISSUER":          userpooltest.DefaultIssuer,
			"MONBAN_JWKS_URL":        jwks.URL + "/us-east-1_Fake/.well-known/jwks.json",
			"MONBAN_CALLBACK_URL":    site + "/auth/callback",
			"MONBAN_ALLOWED_ORIGINS": site,
			"MONBAN_SESSION_SECRET":  strings.Repeat("s", 40),
		}
		for k, v := range extra {
			env[k] = v
		}
		set(buildAPI(t, env, app.Options{HTTPClient: srv.Client(), UserPool: pool, Log: devstack.DevLogger(t.Output())}))
	}
	serve(t, srv, set, site, nil)
	return &backend{
		name: "fake", site: site, srv: srv,
		newAPI: func(t *testing.T, extra map[string]string) *httptest.Server {
			srv, set := swappable(t)
			serve(t, srv, set, srv.URL, extra)
			return srv
		},
		quirks: quirks{enforcesPasswordPolicy: true, standardAttributesInID: true, resendsCodes: true,
			adminChallenges: true, rejectsWrongTOTP: true, checksConfirmCode: true, choiceBasedSignIn: true,
			verifiesAttributes: true, enforcesWriteAttributes: true, deletesUsers: true, confirmingVerifiesEmail: true},
		signUpCode:    pool.Code,
		resetCode:     pool.Code,
		signInCode:    pool.Code,
		attributeCode: pool.Code,
		createUser: func(t *testing.T, email, temp string) {
			t.Helper()
			if err := pool.CreateUser(email, temp, map[string]string{"email_verified": "true"}); err != nil {
				t.Fatal(err)
			}
		},
	}
}

// totp computes the RFC 6238 code an authenticator app shows for a base32 secret.
func totp(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := userpooltest.TOTP(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return code
}
