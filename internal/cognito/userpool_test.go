package cognito

import (
	"context"
	"errors"
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/monban-auth/monban/internal/auth"
)

const (
	clientID = "cid"
	secret   = "s3cret"
	poolID   = "eu-west-1_pool"
)

func pool(f *fakeAPI, cfg UserPoolConfig) *UserPool {
	cfg.ClientID, cfg.UserPoolID = clientID, poolID
	return NewUserPool(f, nil, cfg)
}

func reasonOf(t *testing.T, err error) auth.Reason {
	t.Helper()
	var pe *auth.PoolError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *auth.PoolError", err, err)
	}
	return pe.Reason
}

// Every call that takes a SECRET_HASH carries one, over the right name, exactly when the
// client has a secret; calls that take the secret itself carry it.
func TestSecretHashGoesWhereCognitoWantsIt(t *testing.T) {
	ctx := context.Background()
	ch := auth.Challenge{Name: auth.ChallengeTOTP, Session: "sess", Username: "sub-1"}
	cases := []struct {
		name string
		cfg  UserPoolConfig
		call func(p *UserPool) error
		// sent is what went out: a SECRET_HASH (or a client secret) or nil.
		sent func(f *fakeAPI) *string
		// over is the name the hash is over; "" when the secret itself is sent.
		over string
	}{
		{name: "sign-up", call: func(p *UserPool) error {
			_, err := p.SignUp(ctx, auth.NewUser{Username: "ann", Password: "pw"})
			return err
		},
			sent: func(f *fakeAPI) *string { return f.in["SignUp"].(*cip.SignUpInput).SecretHash }, over: "ann"},
		{name: "confirm sign-up", call: func(p *UserPool) error { return p.ConfirmSignUp(ctx, "ann", "123") },
			sent: func(f *fakeAPI) *string { return f.in["ConfirmSignUp"].(*cip.ConfirmSignUpInput).SecretHash }, over: "ann"},
		{name: "resend code", call: func(p *UserPool) error { _, err := p.ResendConfirmationCode(ctx, "ann"); return err },
			sent: func(f *fakeAPI) *string {
				return f.in["ResendConfirmationCode"].(*cip.ResendConfirmationCodeInput).SecretHash
			}, over: "ann"},
		{name: "forgot password", call: func(p *UserPool) error { return p.ForgotPassword(ctx, "ann") },
			sent: func(f *fakeAPI) *string { return f.in["ForgotPassword"].(*cip.ForgotPasswordInput).SecretHash }, over: "ann"},
		{name: "confirm forgot password", call: func(p *UserPool) error { return p.ConfirmForgotPassword(ctx, "ann", "123", "pw") },
			sent: func(f *fakeAPI) *string {
				return f.in["ConfirmForgotPassword"].(*cip.ConfirmForgotPasswordInput).SecretHash
			}, over: "ann"},
		{name: "password sign-in", call: func(p *UserPool) error { _, err := p.SignInPassword(ctx, "ann", "pw"); return err },
			sent: func(f *fakeAPI) *string { return param(f.in["InitiateAuth"].(*cip.InitiateAuthInput).AuthParameters) }, over: "ann"},
		{name: "admin password sign-in", cfg: UserPoolConfig{AdminAuth: true},
			call: func(p *UserPool) error { _, err := p.SignInPassword(ctx, "ann", "pw"); return err },
			sent: func(f *fakeAPI) *string {
				return param(f.in["AdminInitiateAuth"].(*cip.AdminInitiateAuthInput).AuthParameters)
			}, over: "ann"},
		{name: "refresh, over the name Cognito knows the user by", call: func(p *UserPool) error {
			_, err := p.Refresh(ctx, auth.Refresh{Token: "rt", Username: "sub-1"})
			return err
		},
			sent: func(f *fakeAPI) *string { return param(f.in["InitiateAuth"].(*cip.InitiateAuthInput).AuthParameters) }, over: "sub-1"},
		{name: "a challenge's answer, over the challenge's username", call: func(p *UserPool) error { _, err := p.AnswerChallenge(ctx, ch, auth.Answer{Code: "1"}); return err },
			sent: func(f *fakeAPI) *string {
				return param(f.in["RespondToAuthChallenge"].(*cip.RespondToAuthChallengeInput).ChallengeResponses)
			}, over: "sub-1"},
		{name: "an admin challenge's answer", cfg: UserPoolConfig{AdminAuth: true},
			call: func(p *UserPool) error { _, err := p.AnswerChallenge(ctx, ch, auth.Answer{Code: "1"}); return err },
			sent: func(f *fakeAPI) *string {
				return param(f.in["AdminRespondToAuthChallenge"].(*cip.AdminRespondToAuthChallengeInput).ChallengeResponses)
			}, over: "sub-1"},
		{name: "rotating refresh sends the secret", cfg: UserPoolConfig{RefreshRotation: true},
			call: func(p *UserPool) error {
				_, err := p.Refresh(ctx, auth.Refresh{Token: "rt", Username: "sub-1"})
				return err
			},
			sent: func(f *fakeAPI) *string {
				return f.in["GetTokensFromRefreshToken"].(*cip.GetTokensFromRefreshTokenInput).ClientSecret
			}},
		{name: "revoking sends the secret", call: func(p *UserPool) error { return p.RevokeToken(ctx, "rt") },
			sent: func(f *fakeAPI) *string { return f.in["RevokeToken"].(*cip.RevokeTokenInput).ClientSecret }},
	}
	for _, c := range cases {
		t.Run(c.name+" with a secret", func(t *testing.T) {
			f := newFake()
			f.rotated.AuthenticationResult = f.auth.result
			cfg := c.cfg
			cfg.ClientSecret = secret
			if err := c.call(pool(f, cfg)); err != nil {
				t.Fatal(err)
			}
			want := secret
			if c.over != "" {
				want = SecretHash(clientID, secret, c.over)
			}
			if got := c.sent(f); got == nil || *got != want {
				t.Fatalf("sent %v, want %q", got, want)
			}
		})
		t.Run(c.name+" without a secret", func(t *testing.T) {
			f := newFake()
			f.rotated.AuthenticationResult = f.auth.result
			if err := c.call(pool(f, c.cfg)); err != nil {
				t.Fatal(err)
			}
			if got := c.sent(f); got != nil {
				t.Fatalf("a public client sent %q", *got)
			}
		})
	}
}

// param is the SECRET_HASH in a parameter map, or nil.
func param(m map[string]string) *string {
	if h, ok := m["SECRET_HASH"]; ok {
		return &h
	}
	return nil
}

func TestSignInPasswordUsesTheConfiguredFlow(t *testing.T) {
	ctx := context.Background()
	t.Run("a client signs in with USER_PASSWORD_AUTH", func(t *testing.T) {
		f := newFake()
		step, err := pool(f, UserPoolConfig{}).SignInPassword(ctx, "ann", "pw")
		if err != nil {
			t.Fatal(err)
		}
		in := f.in["InitiateAuth"].(*cip.InitiateAuthInput)
		if in.AuthFlow != types.AuthFlowTypeUserPasswordAuth || aws.ToString(in.ClientId) != clientID ||
			!maps.Equal(in.AuthParameters, map[string]string{"USERNAME": "ann", "PASSWORD": "pw"}) {
			t.Fatalf("InitiateAuth input = %+v", in)
		}
		want := &auth.Tokens{AccessToken: "at", IDToken: "it", RefreshToken: "rt", ExpiresIn: 3600, TokenType: "Bearer"}
		if step.Next != nil || !reflect.DeepEqual(step.Tokens, want) {
			t.Fatalf("step = %+v", step)
		}
	})
	t.Run("with admin auth it signs in with ADMIN_USER_PASSWORD_AUTH", func(t *testing.T) {
		f := newFake()
		if _, err := pool(f, UserPoolConfig{AdminAuth: true}).SignInPassword(ctx, "ann", "pw"); err != nil {
			t.Fatal(err)
		}
		in := f.in["AdminInitiateAuth"].(*cip.AdminInitiateAuthInput)
		if in.AuthFlow != types.AuthFlowTypeAdminUserPasswordAuth || aws.ToString(in.UserPoolId) != poolID || aws.ToString(in.ClientId) != clientID ||
			in.AuthParameters["USERNAME"] != "ann" || in.AuthParameters["PASSWORD"] != "pw" || len(f.calls) != 1 {
			t.Fatalf("AdminInitiateAuth input = %+v (calls %v)", in, f.calls)
		}
	})
	for _, admin := range []bool{false, true} {
		f := newFake()
		f.err["InitiateAuth"] = &types.NotAuthorizedException{Message: aws.String("Incorrect username or password.")}
		f.err["AdminInitiateAuth"] = f.err["InitiateAuth"]
		_, err := pool(f, UserPoolConfig{AdminAuth: admin}).SignInPassword(ctx, "ann", "pw")
		if r := reasonOf(t, err); r != auth.ReasonNotAuthorized {
			t.Fatalf("admin %v: a wrong password is %s", admin, r)
		}
		if !strings.Contains(err.Error(), "initiate auth: NotAuthorizedException") {
			t.Fatalf("admin %v: cause = %v", admin, err)
		}
	}
}

// Each challenge is answered with the keys Cognito expects for it.
func TestAnswerChallengeSendsEachChallengesKeys(t *testing.T) {
	cases := []struct {
		challenge string
		answer    auth.Answer
		want      map[string]string
	}{
		{auth.ChallengeNewPassword, auth.Answer{NewPassword: "N3w!pass", Attributes: map[string]string{"name": "Ann", "custom:team": "x"}, Code: "ignored"},
			map[string]string{"NEW_PASSWORD": "N3w!pass", "userAttributes.name": "Ann", "userAttributes.custom:team": "x"}},
		{auth.ChallengeTOTP, auth.Answer{Code: "123456"}, map[string]string{"SOFTWARE_TOKEN_MFA_CODE": "123456"}},
		{auth.ChallengeSMS, auth.Answer{Code: "111"}, map[string]string{"SMS_MFA_CODE": "111"}},
		{auth.ChallengeEmailOTP, auth.Answer{Code: "222"}, map[string]string{"EMAIL_OTP_CODE": "222"}},
		{auth.ChallengeSelectMFAType, auth.Answer{MFAType: "SOFTWARE_TOKEN_MFA"}, map[string]string{"ANSWER": "SOFTWARE_TOKEN_MFA"}},
		{auth.ChallengeMFASetup, auth.Answer{Code: "333"}, map[string]string{}},
	}
	for _, c := range cases {
		t.Run(c.challenge, func(t *testing.T) {
			for _, admin := range []bool{false, true} {
				f := newFake()
				_, err := pool(f, UserPoolConfig{AdminAuth: admin}).AnswerChallenge(context.Background(),
					auth.Challenge{Name: c.challenge, Session: "sess", Username: "u1"}, c.answer)
				if err != nil {
					t.Fatal(err)
				}
				want := maps.Clone(c.want)
				want["USERNAME"] = "u1"
				var got map[string]string
				var name types.ChallengeNameType
				var session string
				if admin {
					in := f.in["AdminRespondToAuthChallenge"].(*cip.AdminRespondToAuthChallengeInput)
					got, name, session = in.ChallengeResponses, in.ChallengeName, aws.ToString(in.Session)
					if aws.ToString(in.UserPoolId) != poolID || aws.ToString(in.ClientId) != clientID {
						t.Fatalf("admin input = %+v", in)
					}
				} else {
					in := f.in["RespondToAuthChallenge"].(*cip.RespondToAuthChallengeInput)
					got, name, session = in.ChallengeResponses, in.ChallengeName, aws.ToString(in.Session)
					if aws.ToString(in.ClientId) != clientID {
						t.Fatalf("input = %+v", in)
					}
				}
				if !maps.Equal(got, want) || string(name) != c.challenge || session != "sess" || len(f.calls) != 1 {
					t.Fatalf("admin %v: responses %v for %s with session %q, want %v (calls %v)", admin, got, name, session, want, f.calls)
				}
			}
		})
	}
	t.Run("a challenge monban does not answer is refused without a call", func(t *testing.T) {
		f := newFake()
		_, err := pool(f, UserPoolConfig{}).AnswerChallenge(context.Background(), auth.Challenge{Name: "CUSTOM_CHALLENGE"}, auth.Answer{})
		if reasonOf(t, err) != auth.ReasonInvalidParameter || len(f.calls) != 0 {
			t.Fatalf("err %v, calls %v", err, f.calls)
		}
	})
	t.Run("a refused answer is a pool error", func(t *testing.T) {
		for _, admin := range []bool{false, true} {
			f := newFake()
			f.err["RespondToAuthChallenge"] = &types.CodeMismatchException{Message: aws.String("Invalid code received for user")}
			f.err["AdminRespondToAuthChallenge"] = f.err["RespondToAuthChallenge"]
			_, err := pool(f, UserPoolConfig{AdminAuth: admin}).AnswerChallenge(context.Background(),
				auth.Challenge{Name: auth.ChallengeTOTP, Session: "s", Username: "u"}, auth.Answer{Code: "1"})
			if reasonOf(t, err) != auth.ReasonCodeMismatch {
				t.Fatalf("admin %v: %v", admin, err)
			}
		}
	})
}

// A challenge's parameters are decoded into what the flows need.
func TestChallengeParametersAreDecoded(t *testing.T) {
	cases := []struct {
		name   string
		answer authAnswer
		want   *auth.NextChallenge
	}{
		{"a new password with required attributes, for a user known by another name",
			authAnswer{name: types.ChallengeNameTypeNewPasswordRequired, session: aws.String("s1"),
				params: map[string]string{"USER_ID_FOR_SRP": "sub-1", "requiredAttributes": `["userAttributes.name","userAttributes.custom:team"]`, "userAttributes": "{}"}},
			&auth.NextChallenge{Name: auth.ChallengeNewPassword, Session: "s1", Username: "sub-1", RequiredAttributes: []string{"name", "custom:team"}}},
		{"a new password with nothing required",
			authAnswer{name: types.ChallengeNameTypeNewPasswordRequired, session: aws.String("s1"), params: map[string]string{"requiredAttributes": "[]"}},
			&auth.NextChallenge{Name: auth.ChallengeNewPassword, Session: "s1", RequiredAttributes: []string{}}},
		{"a new password with a malformed list",
			authAnswer{name: types.ChallengeNameTypeNewPasswordRequired, session: aws.String("s1"), params: map[string]string{"requiredAttributes": "name"}},
			&auth.NextChallenge{Name: auth.ChallengeNewPassword, Session: "s1", RequiredAttributes: []string{}}},
		{"an SMS code says where it went",
			authAnswer{name: types.ChallengeNameTypeSmsMfa, session: aws.String("s2"),
				params: map[string]string{"CODE_DELIVERY_DESTINATION": "+*******1234", "CODE_DELIVERY_DELIVERY_MEDIUM": "SMS"}},
			&auth.NextChallenge{Name: auth.ChallengeSMS, Session: "s2", Delivery: &auth.Delivery{Medium: "SMS", Destination: "+*******1234"}}},
		{"an e-mail code says where it went",
			authAnswer{name: types.ChallengeNameTypeEmailOtp, session: aws.String("s3"),
				params: map[string]string{"CODE_DELIVERY_DESTINATION": "a***@e***", "CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL"}},
			&auth.NextChallenge{Name: auth.ChallengeEmailOTP, Session: "s3", Delivery: &auth.Delivery{Medium: "EMAIL", Destination: "a***@e***"}}},
		{"an authenticator code needs nothing",
			authAnswer{name: types.ChallengeNameTypeSoftwareTokenMfa, session: aws.String("s4"), params: map[string]string{"USER_ID_FOR_SRP": "ann"}},
			&auth.NextChallenge{Name: auth.ChallengeTOTP, Session: "s4", Username: "ann"}},
		{"a choice of factor lists them",
			authAnswer{name: types.ChallengeNameTypeSelectMfaType, session: aws.String("s5"), params: map[string]string{"MFAS_CAN_CHOOSE": `["SMS_MFA","SOFTWARE_TOKEN_MFA"]`}},
			&auth.NextChallenge{Name: auth.ChallengeSelectMFAType, Session: "s5", MFATypes: []string{"SMS_MFA", "SOFTWARE_TOKEN_MFA"}}},
		{"a factor to set up lists what can be",
			authAnswer{name: types.ChallengeNameTypeMfaSetup, session: aws.String("s6"), params: map[string]string{"MFAS_CAN_SETUP": `["SOFTWARE_TOKEN_MFA"]`}},
			&auth.NextChallenge{Name: auth.ChallengeMFASetup, Session: "s6", MFATypes: []string{"SOFTWARE_TOKEN_MFA"}}},
		{"a factor to set up without a list",
			authAnswer{name: types.ChallengeNameTypeMfaSetup, session: aws.String("s6")},
			&auth.NextChallenge{Name: auth.ChallengeMFASetup, Session: "s6", MFATypes: []string{}}},
		{"a challenge monban does not answer is passed on for the flows to refuse",
			authAnswer{name: types.ChallengeNameTypeCustomChallenge, session: aws.String("s7")},
			&auth.NextChallenge{Name: "CUSTOM_CHALLENGE", Session: "s7"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFake()
			f.auth = c.answer
			step, err := pool(f, UserPoolConfig{}).SignInPassword(context.Background(), "ann", "pw")
			if err != nil {
				t.Fatal(err)
			}
			if step.Tokens != nil || !reflect.DeepEqual(step.Next, c.want) {
				t.Fatalf("next = %+v, want %+v", step.Next, c.want)
			}
		})
	}
	for _, a := range []authAnswer{{}, {name: types.ChallengeNameTypeSmsMfa}, {session: aws.String("s")}} {
		f := newFake()
		f.auth = a
		_, err := pool(f, UserPoolConfig{}).SignInPassword(context.Background(), "ann", "pw")
		if reasonOf(t, err) != auth.ReasonUnknown {
			t.Fatalf("an answer with neither tokens nor a challenge and session (%+v): %v", a, err)
		}
	}
}

func TestRefreshUsesTheConfiguredFlow(t *testing.T) {
	ctx := context.Background()
	ref := auth.Refresh{Token: "rt", Username: "sub-1", Sub: "sub-1"}
	t.Run("without rotation it is REFRESH_TOKEN_AUTH", func(t *testing.T) {
		f := newFake()
		f.auth.result.RefreshToken = nil
		tok, err := pool(f, UserPoolConfig{}).Refresh(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		in := f.in["InitiateAuth"].(*cip.InitiateAuthInput)
		if in.AuthFlow != types.AuthFlowTypeRefreshTokenAuth || !maps.Equal(in.AuthParameters, map[string]string{"REFRESH_TOKEN": "rt"}) || aws.ToString(in.ClientId) != clientID {
			t.Fatalf("input = %+v", in)
		}
		if tok.AccessToken != "at" || tok.IDToken != "it" || tok.RefreshToken != "" {
			t.Fatalf("tokens = %+v", tok)
		}
	})
	t.Run("with rotation it is GetTokensFromRefreshToken", func(t *testing.T) {
		f := newFake()
		f.rotated.AuthenticationResult = &types.AuthenticationResultType{AccessToken: aws.String("at2"), IdToken: aws.String("it2"), RefreshToken: aws.String("rt2")}
		tok, err := pool(f, UserPoolConfig{RefreshRotation: true}).Refresh(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		in := f.in["GetTokensFromRefreshToken"].(*cip.GetTokensFromRefreshTokenInput)
		if aws.ToString(in.RefreshToken) != "rt" || aws.ToString(in.ClientId) != clientID || len(f.calls) != 1 {
			t.Fatalf("input = %+v, calls %v", in, f.calls)
		}
		if tok.RefreshToken != "rt2" || tok.AccessToken != "at2" {
			t.Fatalf("tokens = %+v", tok)
		}
	})
	for _, rotation := range []bool{false, true} {
		f := newFake()
		f.auth.result = nil
		if _, err := pool(f, UserPoolConfig{RefreshRotation: rotation}).Refresh(ctx, ref); reasonOf(t, err) != auth.ReasonUnavailable ||
			!strings.Contains(err.Error(), "answered without tokens") {
			t.Fatalf("rotation %v: an answer without tokens: %v", rotation, err)
		}
		f.err["InitiateAuth"] = &types.NotAuthorizedException{Message: aws.String("Refresh Token has been revoked")}
		f.err["GetTokensFromRefreshToken"] = f.err["InitiateAuth"]
		if _, err := pool(f, UserPoolConfig{RefreshRotation: rotation}).Refresh(ctx, ref); reasonOf(t, err) != auth.ReasonNotAuthorized {
			t.Fatalf("rotation %v: a revoked refresh token: %v", rotation, err)
		}
	}
}

func TestAccountCallsSendWhatTheyAreGiven(t *testing.T) {
	ctx := context.Background()
	f := newFake()
	p := pool(f, UserPoolConfig{})

	f.signUp = cip.SignUpOutput{UserConfirmed: false, CodeDeliveryDetails: &types.CodeDeliveryDetailsType{DeliveryMedium: types.DeliveryMediumTypeEmail, Destination: aws.String("a***@e***")}}
	su, err := p.SignUp(ctx, auth.NewUser{Username: "ann@example.com", Password: "pw", Attributes: map[string]string{"email": "ann@example.com", "name": "Ann"}})
	if err != nil || su.Confirmed || !reflect.DeepEqual(su.Delivery, &auth.Delivery{Medium: "EMAIL", Destination: "a***@e***"}) {
		t.Fatalf("sign-up = %+v, %v", su, err)
	}
	in := f.in["SignUp"].(*cip.SignUpInput)
	if aws.ToString(in.Username) != "ann@example.com" || aws.ToString(in.Password) != "pw" || aws.ToString(in.ClientId) != clientID ||
		len(in.UserAttributes) != 2 || aws.ToString(in.UserAttributes[0].Name) != "email" || aws.ToString(in.UserAttributes[1].Value) != "Ann" {
		t.Fatalf("SignUp input = %+v", in)
	}
	f.signUp = cip.SignUpOutput{UserConfirmed: true}
	if su, err := p.SignUp(ctx, auth.NewUser{Username: "bob", Password: "pw"}); err != nil || !su.Confirmed || su.Delivery != nil {
		t.Fatalf("a confirmed sign-up = %+v, %v", su, err)
	}
	if in := f.in["SignUp"].(*cip.SignUpInput); in.UserAttributes == nil || len(in.UserAttributes) != 0 {
		t.Fatalf("no attributes are sent as an empty list: %#v", in.UserAttributes)
	}

	if err := p.ConfirmSignUp(ctx, "ann", "123456"); err != nil {
		t.Fatal(err)
	}
	if in := f.in["ConfirmSignUp"].(*cip.ConfirmSignUpInput); aws.ToString(in.Username) != "ann" || aws.ToString(in.ConfirmationCode) != "123456" || aws.ToString(in.ClientId) != clientID {
		t.Fatalf("ConfirmSignUp input = %+v", in)
	}

	if d, err := p.ResendConfirmationCode(ctx, "ann"); err != nil || d != nil {
		t.Fatalf("a resend without details = %+v, %v", d, err)
	}
	f.resend.CodeDeliveryDetails = &types.CodeDeliveryDetailsType{DeliveryMedium: types.DeliveryMediumTypeEmail}
	if d, err := p.ResendConfirmationCode(ctx, "ann"); err != nil || d == nil || d.Medium != "EMAIL" {
		t.Fatalf("resend = %+v, %v", d, err)
	}

	if err := p.ForgotPassword(ctx, "ann"); err != nil || aws.ToString(f.in["ForgotPassword"].(*cip.ForgotPasswordInput).Username) != "ann" {
		t.Fatalf("forgot password: %v", err)
	}
	if err := p.ConfirmForgotPassword(ctx, "ann", "999", "N3w!"); err != nil {
		t.Fatal(err)
	}
	if in := f.in["ConfirmForgotPassword"].(*cip.ConfirmForgotPasswordInput); aws.ToString(in.ConfirmationCode) != "999" || aws.ToString(in.Password) != "N3w!" || aws.ToString(in.Username) != "ann" {
		t.Fatalf("ConfirmForgotPassword input = %+v", in)
	}

	if err := p.ChangePassword(ctx, "at", "old", "new"); err != nil {
		t.Fatal(err)
	}
	if in := f.in["ChangePassword"].(*cip.ChangePasswordInput); aws.ToString(in.AccessToken) != "at" || aws.ToString(in.PreviousPassword) != "old" || aws.ToString(in.ProposedPassword) != "new" {
		t.Fatalf("ChangePassword input = %+v", in)
	}

	// Each call's failure is a pool error.
	fail := &types.LimitExceededException{Message: aws.String("Attempt limit exceeded")}
	for op, call := range map[string]func() error{
		"SignUp":                 func() error { _, err := p.SignUp(ctx, auth.NewUser{}); return err },
		"ConfirmSignUp":          func() error { return p.ConfirmSignUp(ctx, "", "") },
		"ResendConfirmationCode": func() error { _, err := p.ResendConfirmationCode(ctx, ""); return err },
		"ForgotPassword":         func() error { return p.ForgotPassword(ctx, "") },
		"ConfirmForgotPassword":  func() error { return p.ConfirmForgotPassword(ctx, "", "", "") },
		"ChangePassword":         func() error { return p.ChangePassword(ctx, "", "", "") },
	} {
		f.err[op] = fail
		if r := reasonOf(t, call()); r != auth.ReasonLimitExceeded {
			t.Fatalf("%s: %s", op, r)
		}
	}
}

// ChangePassword's NotAuthorizedException is a wrong password or a refused token, told
// apart by the message.
func TestChangePasswordTellsARevokedTokenFromAWrongPassword(t *testing.T) {
	cases := []struct {
		message string
		want    auth.Reason
	}{
		{"Incorrect username or password.", auth.ReasonNotAuthorized},
		{"Access Token has been revoked", auth.ReasonTokenRevoked},
		{"Invalid access token", auth.ReasonTokenRevoked},
		{"ACCESS TOKEN has expired", auth.ReasonTokenRevoked},
	}
	for _, c := range cases {
		f := newFake()
		f.err["ChangePassword"] = &types.NotAuthorizedException{Message: aws.String(c.message)}
		if r := reasonOf(t, pool(f, UserPoolConfig{}).ChangePassword(context.Background(), "at", "a", "b")); r != c.want {
			t.Errorf("%q: %s, want %s", c.message, r, c.want)
		}
	}
}

func TestSessionsEnd(t *testing.T) {
	ctx := context.Background()
	t.Run("revoking a refresh token", func(t *testing.T) {
		f := newFake()
		p := pool(f, UserPoolConfig{})
		if err := p.RevokeToken(ctx, "rt"); err != nil {
			t.Fatal(err)
		}
		if in := f.in["RevokeToken"].(*cip.RevokeTokenInput); aws.ToString(in.Token) != "rt" || aws.ToString(in.ClientId) != clientID {
			t.Fatalf("input = %+v", in)
		}
		f.err["RevokeToken"] = &types.NotAuthorizedException{Message: aws.String("Invalid token")}
		if err := p.RevokeToken(ctx, "rt"); err != nil {
			t.Fatalf("a token Cognito no longer knows counts as revoked: %v", err)
		}
		f.err["RevokeToken"] = &smithy.GenericAPIError{Code: "InternalErrorException", Fault: smithy.FaultServer}
		if r := reasonOf(t, p.RevokeToken(ctx, "rt")); r != auth.ReasonUnavailable {
			t.Fatalf("an outage: %s", r)
		}
		f.err["RevokeToken"] = &types.UnsupportedTokenTypeException{Message: aws.String("x")}
		if r := reasonOf(t, p.RevokeToken(ctx, "rt")); r != auth.ReasonUnknown {
			t.Fatalf("another refusal: %s", r)
		}
	})
	t.Run("signing out everywhere", func(t *testing.T) {
		f := newFake()
		p := pool(f, UserPoolConfig{})
		if err := p.GlobalSignOut(ctx, "at"); err != nil || aws.ToString(f.in["GlobalSignOut"].(*cip.GlobalSignOutInput).AccessToken) != "at" {
			t.Fatalf("global sign-out: %v", err)
		}
		f.err["GlobalSignOut"] = &types.NotAuthorizedException{Message: aws.String("Invalid token")}
		if r := reasonOf(t, p.GlobalSignOut(ctx, "at")); r != auth.ReasonTokenRevoked {
			t.Fatalf("a refused access token: %s", r)
		}
		f.err["GlobalSignOut"] = errors.New("dial tcp: connection refused")
		if r := reasonOf(t, p.GlobalSignOut(ctx, "at")); r != auth.ReasonUnavailable {
			t.Fatalf("unreachable: %s", r)
		}
	})
}

func TestTOTP(t *testing.T) {
	ctx := context.Background()
	signedIn := auth.TOTPUser{AccessToken: "at"}
	signingIn := auth.TOTPUser{Session: "sess"}

	t.Run("associating for a signed-in user and a sign-in in progress", func(t *testing.T) {
		f := newFake()
		p := pool(f, UserPoolConfig{})
		f.associate = cip.AssociateSoftwareTokenOutput{SecretCode: aws.String("SECRET")}
		a, err := p.AssociateTOTP(ctx, signedIn)
		in := f.in["AssociateSoftwareToken"].(*cip.AssociateSoftwareTokenInput)
		if err != nil || *a != (auth.TOTPAssociation{Secret: "SECRET"}) || aws.ToString(in.AccessToken) != "at" || in.Session != nil {
			t.Fatalf("association %+v, %v; input %+v", a, err, in)
		}
		f.associate.Session = aws.String("sess2")
		a, err = p.AssociateTOTP(ctx, signingIn)
		in = f.in["AssociateSoftwareToken"].(*cip.AssociateSoftwareTokenInput)
		if err != nil || *a != (auth.TOTPAssociation{Secret: "SECRET", Session: "sess2"}) || aws.ToString(in.Session) != "sess" || in.AccessToken != nil {
			t.Fatalf("association %+v, %v; input %+v", a, err, in)
		}
		f.err["AssociateSoftwareToken"] = &types.NotAuthorizedException{Message: aws.String("Invalid session for the user.")}
		if _, err := p.AssociateTOTP(ctx, signingIn); reasonOf(t, err) != auth.ReasonSessionExpired {
			t.Fatalf("an expired sign-in: %v", err)
		}
		if _, err := p.AssociateTOTP(ctx, signedIn); reasonOf(t, err) != auth.ReasonTokenRevoked {
			t.Fatalf("a refused access token: %v", err)
		}
	})
	t.Run("verifying", func(t *testing.T) {
		f := newFake()
		p := pool(f, UserPoolConfig{})
		f.verify = cip.VerifySoftwareTokenOutput{Status: types.VerifySoftwareTokenResponseTypeSuccess}
		s, err := p.VerifyTOTP(ctx, signedIn, "123456", "phone")
		in := f.in["VerifySoftwareToken"].(*cip.VerifySoftwareTokenInput)
		if err != nil || s != "" || aws.ToString(in.AccessToken) != "at" || in.Session != nil || aws.ToString(in.UserCode) != "123456" || aws.ToString(in.FriendlyDeviceName) != "phone" {
			t.Fatalf("verify %q, %v; input %+v", s, err, in)
		}
		f.verify.Session = aws.String("sess3")
		s, err = p.VerifyTOTP(ctx, signingIn, "654321", "")
		in = f.in["VerifySoftwareToken"].(*cip.VerifySoftwareTokenInput)
		if err != nil || s != "sess3" || aws.ToString(in.Session) != "sess" || in.AccessToken != nil || in.FriendlyDeviceName != nil {
			t.Fatalf("verify %q, %v; input %+v", s, err, in)
		}
		f.verify.Status = types.VerifySoftwareTokenResponseTypeError
		if _, err := p.VerifyTOTP(ctx, signedIn, "000000", ""); reasonOf(t, err) != auth.ReasonCodeMismatch {
			t.Fatalf("a wrong code answered with ERROR: %v", err)
		}
		f.err["VerifySoftwareToken"] = &types.EnableSoftwareTokenMFAException{Message: aws.String("Code mismatch")}
		if _, err := p.VerifyTOTP(ctx, signedIn, "000000", ""); reasonOf(t, err) != auth.ReasonCodeMismatch {
			t.Fatalf("a wrong code refused: %v", err)
		}
		f.err["VerifySoftwareToken"] = &types.NotAuthorizedException{Message: aws.String("Invalid session")}
		if _, err := p.VerifyTOTP(ctx, signingIn, "000000", ""); reasonOf(t, err) != auth.ReasonSessionExpired {
			t.Fatalf("an expired sign-in: %v", err)
		}
	})
	t.Run("preferring", func(t *testing.T) {
		f := newFake()
		p := pool(f, UserPoolConfig{})
		if err := p.PreferTOTP(ctx, "at"); err != nil {
			t.Fatal(err)
		}
		in := f.in["SetUserMFAPreference"].(*cip.SetUserMFAPreferenceInput)
		if aws.ToString(in.AccessToken) != "at" || in.SoftwareTokenMfaSettings == nil || !in.SoftwareTokenMfaSettings.Enabled || !in.SoftwareTokenMfaSettings.PreferredMfa ||
			in.SMSMfaSettings != nil || in.EmailMfaSettings != nil {
			t.Fatalf("input = %+v", in)
		}
		f.err["SetUserMFAPreference"] = &types.NotAuthorizedException{Message: aws.String("Invalid token")}
		if r := reasonOf(t, p.PreferTOTP(ctx, "at")); r != auth.ReasonTokenRevoked {
			t.Fatalf("a refused access token: %s", r)
		}
	})
}
