package devstack

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/monban-auth/monban/internal/cognito"
	"github.com/monban-auth/monban/internal/tokentest"
)

// The local pool's policy is template.yaml's, read from the template itself.
func TestPasswordPolicyIsTheTemplates(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := map[string]string{}
	indent := -1
	for sc := bufio.NewScanner(f); sc.Scan(); {
		line := sc.Text()
		trimmed := strings.TrimLeft(line, " ")
		depth := len(line) - len(trimmed)
		switch {
		case trimmed == "PasswordPolicy:":
			indent = depth
		case indent >= 0 && depth > indent && trimmed != "":
			k, v, _ := strings.Cut(trimmed, ":")
			got[k] = strings.TrimSpace(v)
		case indent >= 0 && trimmed != "":
			indent = -2 // the block is over
		}
	}
	want := map[string]string{
		"MinimumLength":                 strconv.Itoa(int(aws.ToInt32(PasswordPolicy.MinimumLength))),
		"RequireUppercase":              strconv.FormatBool(PasswordPolicy.RequireUppercase),
		"RequireLowercase":              strconv.FormatBool(PasswordPolicy.RequireLowercase),
		"RequireNumbers":                strconv.FormatBool(PasswordPolicy.RequireNumbers),
		"RequireSymbols":                strconv.FormatBool(PasswordPolicy.RequireSymbols),
		"TemporaryPasswordValidityDays": strconv.Itoa(int(PasswordPolicy.TemporaryPasswordValidityDays)),
	}
	if len(got) != len(want) {
		t.Fatalf("template.yaml's PasswordPolicy = %v, devstack's = %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: template.yaml %q, devstack %q", k, got[k], v)
		}
	}
}

func TestPolicyViolation(t *testing.T) {
	const prefix = "Password did not conform with policy: "
	for _, c := range []struct{ password, want string }{
		{"Str0ng-Passw0rd!", ""},
		{"Aa1!aaaaaaaa", ""},                        // exactly 12
		{"Aa1 aaaaaaaa", ""},                        // the space is a symbol
		{"Aa1^aaaaaaaa", ""},                        // so is ^
		{"Aa1!aaaaaaa", "Password not long enough"}, // 11
		{"weak", "Password not long enough"},
		{"Ää1!ééééééééé", "Password must have lowercase characters"}, // Basic Latin only
		{"AAAA1111!!!!", "Password must have lowercase characters"},
		{"aaaa1111!!!!", "Password must have uppercase characters"},
		{"aaaaBBBB!!!!", "Password must have numeric characters"},
		{"aaaaBBBB1111", "Password must have symbol characters"},
		{"aaaaBBBB1111€", "Password must have symbol characters"},   // not in Cognito's set
		{"ÄÄÄÄÄÄÄÄÄÄÄÄ", "Password must have lowercase characters"}, // 12 runes, 24 bytes
		{"Aa1!Ääää", "Password not long enough"},                    // 8 runes, 12 bytes
	} {
		want := c.want
		if want != "" {
			want = prefix + want
		}
		if got := policyViolation(PasswordPolicy, c.password); got != want {
			t.Errorf("%q: %q, want %q", c.password, got, want)
		}
	}
}

// fakeAdmin answers the front's direct questions to the emulator.
type fakeAdmin struct {
	client *types.UserPoolClientType
	users  map[string]*cip.AdminGetUserOutput
}

func (a *fakeAdmin) DescribeUserPoolClient(_ context.Context, in *cip.DescribeUserPoolClientInput, _ ...func(*cip.Options)) (*cip.DescribeUserPoolClientOutput, error) {
	if aws.ToString(in.ClientId) != aws.ToString(a.client.ClientId) || aws.ToString(in.UserPoolId) != "local_pool" {
		return nil, &types.ResourceNotFoundException{Message: aws.String("no such client")}
	}
	return &cip.DescribeUserPoolClientOutput{UserPoolClient: a.client}, nil
}

func (a *fakeAdmin) AdminGetUser(_ context.Context, in *cip.AdminGetUserInput, _ ...func(*cip.Options)) (*cip.AdminGetUserOutput, error) {
	if u, ok := a.users[aws.ToString(in.Username)]; ok {
		return u, nil
	}
	return nil, &types.UserNotFoundException{Message: aws.String("User does not exist.")}
}

func user(email string, status types.UserStatusType, enabled bool) *cip.AdminGetUserOutput {
	return &cip.AdminGetUserOutput{
		Username: aws.String("sub-" + email), UserStatus: status, Enabled: enabled,
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}},
	}
}

// recorder keeps what reached a stand-in of the emulator until the test takes it.
type recorder[T any] struct {
	mu  sync.Mutex
	got []T
}

func (r *recorder[T]) add(v T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, v)
}

// took is what was recorded since the last call.
func (r *recorder[T]) took() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.got
	r.got = nil
	return out
}

// fakeEmulator records what reaches the emulator (method, path, target and body) and
// answers every call with {}.
type fakeEmulator struct {
	recorder[string]
}

func (e *fakeEmulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	e.add(r.Method + " " + r.URL.Path + " " + r.Header.Get("X-Amz-Target") + " " + string(b))
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	io.WriteString(w, "{}")
}

type frontFixture struct {
	front    *APIFront
	emulator *fakeEmulator
	admin    *fakeAdmin
	api      *cip.Client // the SDK aimed at the front
	now      time.Time
	slept    []time.Duration
	file     string
}

const (
	frontClientID = tokentest.ClientID
	frontSecret   = "s3cr3t"
)

func newFrontFixture(t *testing.T) *frontFixture {
	t.Helper()
	fx := &frontFixture{
		emulator: &fakeEmulator{},
		now:      time.Unix(1_800_000_000, 400_000_000),
		file:     filepath.Join(t.TempDir(), "sign-outs.json"),
	}
	fx.admin = &fakeAdmin{
		client: frontClient(),
		users: map[string]*cip.AdminGetUserOutput{
			"una@example.com":  user("una@example.com", types.UserStatusTypeUnconfirmed, true),
			"cora@example.com": user("cora@example.com", types.UserStatusTypeConfirmed, true),
			"dora@example.com": user("dora@example.com", types.UserStatusTypeUnconfirmed, false),
		},
	}
	fx.front, fx.api = serveFront(t, fx.emulator, func(emulatorURL, jwksURL string) *APIFront { return fx.build(t, emulatorURL, jwksURL) })
	return fx
}

// frontClient is the app client the fixtures' fakeAdmin describes: with a secret and
// PreventUserExistenceErrors, as the stack's, and flows.
func frontClient(flows ...types.ExplicitAuthFlowsType) *types.UserPoolClientType {
	return &types.UserPoolClientType{
		ClientId: aws.String(frontClientID), ClientSecret: aws.String(frontSecret),
		PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled,
		ExplicitAuthFlows:          flows,
	}
}

// serveFront serves emulator, and the front build makes for it and a new JWKS; it returns
// the front and the SDK aimed at it.
func serveFront(t *testing.T, emulator http.Handler, build func(emulatorURL, jwksURL string) *APIFront) (*APIFront, *cip.Client) {
	t.Helper()
	emu := httptest.NewServer(emulator)
	t.Cleanup(emu.Close)
	jwks := tokentest.NewJWKS(t)
	front := build(emu.URL, jwks.URL())
	srv := httptest.NewServer(front)
	t.Cleanup(srv.Close)
	return front, NewCognitoClient(srv.URL)
}

func (fx *frontFixture) build(t *testing.T, emulatorURL, jwksURL string) *APIFront {
	t.Helper()
	f, err := NewAPIFront(CognitoAPIFrontOptions{
		EmulatorURL: emulatorURL, Admin: fx.admin, RevocationsFile: fx.file,
		Pool:  Pool{ID: "local_pool", Issuer: tokentest.Issuer, JWKSURL: jwksURL},
		now:   func() time.Time { return fx.now },
		sleep: func(d time.Duration) { fx.slept = append(fx.slept, d) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// apiErr is the exception name and message the SDK read from an answer.
func apiErr(err error) (string, string) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode(), ae.ErrorMessage()
	}
	return "", ""
}

func TestAPIFrontPasswordPolicy(t *testing.T) {
	fx := newFrontFixture(t)
	ctx := t.Context()
	const weak, strong = "short1!A", "Str0ng-Passw0rd!"
	const tooShort = "Password did not conform with policy: Password not long enough"
	calls := map[string]func(password string) error{
		"SignUp": func(p string) error {
			_, err := fx.api.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(frontClientID), Username: aws.String("a@example.com"), Password: &p})
			return err
		},
		"ConfirmForgotPassword": func(p string) error {
			_, err := fx.api.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(frontClientID), Username: aws.String("a@example.com"), ConfirmationCode: aws.String("123456"), Password: &p})
			return err
		},
		"ChangePassword": func(p string) error {
			_, err := fx.api.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: aws.String("not-a-jwt"), PreviousPassword: aws.String("whatever"), ProposedPassword: &p})
			return err
		},
		"RespondToAuthChallenge": func(p string) error {
			_, err := fx.api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(frontClientID), ChallengeName: types.ChallengeNameTypeNewPasswordRequired,
				Session: aws.String("s"), ChallengeResponses: map[string]string{"USERNAME": "a@example.com", "NEW_PASSWORD": p}})
			return err
		},
		"AdminRespondToAuthChallenge": func(p string) error {
			_, err := fx.api.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: aws.String("local_pool"), ClientId: aws.String(frontClientID),
				ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: aws.String("s"), ChallengeResponses: map[string]string{"USERNAME": "a@example.com", "NEW_PASSWORD": p}})
			return err
		},
	}
	for op, call := range calls {
		t.Run(op, func(t *testing.T) {
			err := call(weak)
			var ip *types.InvalidPasswordException
			if !errors.As(err, &ip) || aws.ToString(ip.Message) != tooShort {
				t.Fatalf("weak password: %v", err)
			}
			if got := fx.emulator.took(); len(got) != 0 {
				t.Fatalf("a refused password reached the emulator: %q", got)
			}
			if err := call(strong); err != nil {
				t.Fatalf("strong password: %v", err)
			}
			if got := fx.emulator.took(); len(got) != 1 || !strings.Contains(got[0], "AWSCognitoIdentityProviderService."+op+" ") || !strings.Contains(got[0], strong) {
				t.Fatalf("the emulator got %q", got)
			}
		})
	}
	t.Run("sign-in and other challenges are not policed", func(t *testing.T) {
		if _, err := fx.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(frontClientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "a@example.com", "PASSWORD": weak}}); err != nil {
			t.Fatal(err)
		}
		if _, err := fx.api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(frontClientID), ChallengeName: types.ChallengeNameTypeSoftwareTokenMfa,
			Session: aws.String("s"), ChallengeResponses: map[string]string{"USERNAME": "a@example.com", "SOFTWARE_TOKEN_MFA_CODE": "123"}}); err != nil {
			t.Fatal(err)
		}
		if got := fx.emulator.took(); len(got) != 2 || !strings.Contains(got[0], weak) {
			t.Fatalf("the emulator got %q", got)
		}
	})
}

func TestAPIFrontResendConfirmationCode(t *testing.T) {
	fx := newFrontFixture(t)
	ctx := t.Context()
	resend := func(username string, hash *string) (*cip.ResendConfirmationCodeOutput, error) {
		if hash == nil {
			hash = aws.String(cognito.SecretHash(frontClientID, frontSecret, username))
		}
		return fx.api.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(frontClientID), Username: &username, SecretHash: hash})
	}
	delivered := func(t *testing.T, out *cip.ResendConfirmationCodeOutput, err error, dest string) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		d := out.CodeDeliveryDetails
		if d == nil || d.DeliveryMedium != types.DeliveryMediumTypeEmail || aws.ToString(d.AttributeName) != "email" || aws.ToString(d.Destination) != dest {
			t.Fatalf("CodeDeliveryDetails = %+v", d)
		}
	}
	t.Run("an unconfirmed user gets the code", func(t *testing.T) {
		out, err := resend("una@example.com", nil)
		delivered(t, out, err, "u***@e***")
	})
	t.Run("a confirmed user is told so", func(t *testing.T) {
		_, err := resend("cora@example.com", nil)
		if c, m := apiErr(err); c != "InvalidParameterException" || m != "User is already confirmed." {
			t.Fatalf("%v", err)
		}
	})
	t.Run("an unknown or disabled user gets a simulated delivery", func(t *testing.T) {
		out, err := resend("nobody@example.com", nil)
		delivered(t, out, err, "n***@e***")
		out, err = resend("dora@example.com", nil)
		delivered(t, out, err, "d***@e***")
	})
	t.Run("without PreventUserExistenceErrors an unknown user is UserNotFoundException", func(t *testing.T) {
		fx.admin.client.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesLegacy
		defer func() { fx.admin.client.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesEnabled }()
		_, err := resend("nobody@example.com", nil)
		var nf *types.UserNotFoundException
		if !errors.As(err, &nf) {
			t.Fatalf("%v", err)
		}
	})
	t.Run("SECRET_HASH is checked", func(t *testing.T) {
		_, err := fx.api.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(frontClientID), Username: aws.String("una@example.com")})
		if c, m := apiErr(err); c != "NotAuthorizedException" || !strings.Contains(m, "SECRET_HASH was not received") {
			t.Fatalf("no hash: %v", err)
		}
		_, err = resend("una@example.com", aws.String(cognito.SecretHash(frontClientID, frontSecret, "cora@example.com")))
		if c, m := apiErr(err); c != "NotAuthorizedException" || !strings.Contains(m, "Unable to verify secret hash") {
			t.Fatalf("wrong hash: %v", err)
		}
	})
	t.Run("an unknown client", func(t *testing.T) {
		_, err := fx.api.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String("nope"), Username: aws.String("una@example.com")})
		var nf *types.ResourceNotFoundException
		if !errors.As(err, &nf) {
			t.Fatalf("%v", err)
		}
	})
	if got := fx.emulator.took(); len(got) != 0 {
		t.Fatalf("ResendConfirmationCode reached the emulator: %q", got)
	}
}

// refreshToken mints a token shaped like cognito-local's refresh tokens.
func refreshToken(username string, iat int64) string {
	return tokentest.Sign(map[string]any{"cognito:username": username, "email": "alice@example.com", "iat": iat, "jti": strconv.FormatInt(iat, 10), "iss": tokentest.Issuer})
}

func TestAPIFrontGlobalSignOut(t *testing.T) {
	fx := newFrontFixture(t)
	ctx := t.Context()
	sec := fx.now.Unix()
	access := func(iat int64, kv ...any) string {
		c := tokentest.With(tokentest.AccessClaims(fx.now), "iat", iat, "auth_time", iat, "scope", "aws.cognito.signin.user.admin")
		return tokentest.Sign(tokentest.With(c, kv...))
	}
	refresh := func(rt string) error {
		_, err := fx.api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(frontClientID), AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
			AuthParameters: map[string]string{"REFRESH_TOKEN": rt, "SECRET_HASH": "x"}})
		return err
	}
	oldAccess, oldRefresh := access(sec-60), refreshToken(tokentest.Username, sec-60)
	sameSecond := refreshToken(tokentest.Username, sec)
	otherUser := refreshToken("bob", sec-60)

	t.Run("bad tokens are refused", func(t *testing.T) {
		for name, c := range map[string]struct{ token, msg string }{
			"forged":  {tokentest.Unsigned(tokentest.AccessClaims(fx.now)), "Invalid Access Token"},
			"expired": {access(sec-7200, "exp", sec-3600), "Access Token has expired"},
			"scope":   {tokentest.Sign(tokentest.AccessClaims(fx.now)), "Access Token does not have required scopes"},
			"garbage": {"garbage", "Invalid Access Token"},
		} {
			_, err := fx.api.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: aws.String(c.token)})
			if code, m := apiErr(err); code != "NotAuthorizedException" || m != c.msg {
				t.Errorf("%s: %v", name, err)
			}
		}
		if len(fx.slept) != 0 || refresh(oldRefresh) != nil {
			t.Fatal("a refused sign-out revoked something")
		}
	})
	fx.emulator.took()

	if _, err := fx.api.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: aws.String(oldAccess)}); err != nil {
		t.Fatal(err)
	}
	if len(fx.slept) != 1 || fx.slept[0] != 600*time.Millisecond {
		t.Fatalf("the answer waited %v, want the rest of the second (600ms)", fx.slept)
	}
	for name, rt := range map[string]string{"older": oldRefresh, "same second": sameSecond} {
		if code, m := apiErr(refresh(rt)); code != "NotAuthorizedException" || m != "Refresh Token has been revoked" {
			t.Errorf("%s refresh token: %s %q", name, code, m)
		}
	}
	if _, err := fx.api.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: aws.String(oldAccess), PreviousPassword: aws.String("x"), ProposedPassword: aws.String("Str0ng-Passw0rd!")}); err == nil {
		t.Error("ChangePassword with a revoked access token passed")
	} else if code, m := apiErr(err); code != "NotAuthorizedException" || m != "Access Token has been revoked" {
		t.Errorf("ChangePassword: %v", err)
	}
	if _, err := fx.api.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: aws.String(oldAccess)}); err == nil {
		t.Error("a second GlobalSignOut with the revoked token passed")
	}
	if got := fx.emulator.took(); len(got) != 0 {
		t.Fatalf("revoked tokens reached the emulator: %q", got)
	}
	// A session started after the answer, and another user's, are untouched.
	if err := refresh(refreshToken(tokentest.Username, sec+1)); err != nil {
		t.Errorf("a newer refresh token: %v", err)
	}
	if err := refresh(otherUser); err != nil {
		t.Errorf("another user's refresh token: %v", err)
	}
	if _, err := fx.api.GetUser(ctx, &cip.GetUserInput{AccessToken: aws.String(access(sec + 1))}); err != nil {
		t.Errorf("a newer access token: %v", err)
	}
	if got := fx.emulator.took(); len(got) != 3 {
		t.Fatalf("the emulator got %q", got)
	}

	t.Run("the token endpoint's refresh grant", func(t *testing.T) {
		var passed []string
		guard := fx.front.GuardTokenEndpoint(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			passed = append(passed, r.URL.Path+"?"+string(b))
		}))
		post := func(path string, form url.Values) *httptest.ResponseRecorder {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			guard.ServeHTTP(rec, req)
			return rec
		}
		rec := post("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {oldRefresh}})
		if rec.Code != 400 || strings.TrimSpace(rec.Body.String()) != `{"error":"invalid_grant"}` || len(passed) != 0 {
			t.Fatalf("revoked: %d %s, passed %q", rec.Code, rec.Body, passed)
		}
		newer := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken(tokentest.Username, sec+1)}}
		code := url.Values{"grant_type": {"authorization_code"}, "code": {"c"}}
		post("/oauth2/token", newer)
		post("/oauth2/token", code)
		if len(passed) != 2 || passed[0] != "/oauth2/token?"+newer.Encode() || passed[1] != "/oauth2/token?"+code.Encode() {
			t.Fatalf("passed on: %q", passed)
		}
	})

	t.Run("a restart remembers", func(t *testing.T) {
		again := fx.build(t, "http://127.0.0.1:1", "http://127.0.0.1:1/jwks.json")
		if !again.revoked.tokenRevoked(oldRefresh) || again.revoked.tokenRevoked(refreshToken(tokentest.Username, sec+1)) {
			t.Fatal("the sign-out was not kept")
		}
		var f revocationsFile
		b, _ := os.ReadFile(fx.file)
		if json.Unmarshal(b, &f) != nil || f.Users[tokentest.Username] != sec {
			t.Fatalf("%s", b)
		}
		os.WriteFile(fx.file, []byte("{not json"), 0o600)
		if _, err := NewAPIFront(CognitoAPIFrontOptions{EmulatorURL: "http://127.0.0.1:1", Admin: fx.admin, RevocationsFile: fx.file,
			Pool: Pool{ID: "p", Issuer: tokentest.Issuer}}); err == nil || !strings.Contains(err.Error(), "delete the file") {
			t.Fatalf("a corrupt file: %v", err)
		}
	})
}

// Everything else passes through as sent, whatever the front makes of it.
func TestAPIFrontForwards(t *testing.T) {
	fx := newFrontFixture(t)
	if _, err := fx.api.ConfirmForgotPassword(t.Context(), &cip.ConfirmForgotPasswordInput{ClientId: aws.String(frontClientID), Username: aws.String("una@example.com"),
		ConfirmationCode: aws.String("123456"), Password: aws.String("Str0ng-Passw0rd!")}); err != nil {
		t.Fatal(err)
	}
	got := fx.emulator.took()
	if len(got) != 1 || !strings.HasPrefix(got[0], "POST / AWSCognitoIdentityProviderService.ConfirmForgotPassword {") || !strings.Contains(got[0], `"ConfirmationCode":"123456"`) {
		t.Fatalf("%q", got)
	}
	srv := httptest.NewServer(fx.front)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/local_pool/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := fx.emulator.took(); len(got) != 1 || got[0] != "GET /local_pool/.well-known/jwks.json  " {
		t.Fatalf("%q", got)
	}
}

// Seed users' passwords meet the policy, as Cognito's AdminSetUserPassword requires; the
// check comes before anything reaches the emulator.
func TestBootstrapRefusesAWeakSeedPassword(t *testing.T) {
	_, err := Bootstrap(t.Context(), nil, "http://127.0.0.1:1", BootstrapOptions{
		PoolName: "p", ClientName: "c", CallbackURLs: []string{"http://localhost/cb"},
		Users: []User{{Email: "a@example.com", Password: "Str0ng-Passw0rd!"}, {Email: "b@example.com", Password: "password"}},
	})
	if err == nil || !strings.Contains(err.Error(), "b@example.com") || !strings.Contains(err.Error(), "InvalidPasswordException") {
		t.Fatalf("%v", err)
	}
}

// Confirming a sign-up verifies the address the code went to, as with Cognito; the emulator
// only confirms.
func TestAPIFrontConfirmSignUpVerifiesTheAddress(t *testing.T) {
	fx := newFrontFixture(t)
	confirm := func(api *cip.Client, username string) error {
		_, err := api.ConfirmSignUp(t.Context(), &cip.ConfirmSignUpInput{ClientId: aws.String(frontClientID), Username: aws.String(username), ConfirmationCode: aws.String("123456")})
		return err
	}
	if err := confirm(fx.api, "una@example.com"); err != nil {
		t.Fatal(err)
	}
	got := fx.emulator.took()
	if len(got) != 2 || !strings.HasPrefix(got[0], "POST / AWSCognitoIdentityProviderService.ConfirmSignUp {") || !strings.Contains(got[0], `"ConfirmationCode":"123456"`) ||
		got[1] != `POST / AWSCognitoIdentityProviderService.AdminUpdateUserAttributes {"UserAttributes":[{"Name":"email","Value":"una@example.com"},{"Name":"email_verified","Value":"true"}],"UserPoolId":"local_pool","Username":"sub-una@example.com"}` {
		t.Fatalf("%q", got)
	}
	// Already verified: nothing more.
	u := user("vera@example.com", types.UserStatusTypeConfirmed, true)
	u.UserAttributes = append(u.UserAttributes, types.AttributeType{Name: aws.String("email_verified"), Value: aws.String("true")})
	fx.admin.users["vera@example.com"] = u
	if err := confirm(fx.api, "vera@example.com"); err != nil {
		t.Fatal(err)
	}
	if got := fx.emulator.took(); len(got) != 1 {
		t.Fatalf("%q", got)
	}
	// A refused code verifies nothing.
	refusing := &profileEmulator{fail: `{"__type":"CodeMismatchException","message":"Invalid verification code provided, please try again."}`}
	_, api := serveFront(t, refusing, func(emulatorURL, jwksURL string) *APIFront { return fx.build(t, emulatorURL, jwksURL) })
	wantAPIError(t, confirm(api, "una@example.com"), "CodeMismatchException", "Invalid verification code provided, please try again.")
	if got := refusing.took(); len(got) != 1 || !strings.HasPrefix(got[0], "ConfirmSignUp ") {
		t.Fatalf("%q", got)
	}
}
