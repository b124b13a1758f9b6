package cognito

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/document"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	smithydocument "github.com/aws/smithy-go/document"

	"github.com/monban-auth/monban/internal/auth"
)

// passwordlessFake is fakeAPI with what choice-based sign-in and passkeys add: InitiateAuth's
// AvailableChallenges and the four WebAuthn calls, recorded the same way (every
// ListWebAuthnCredentials input is kept, for paging).
type passwordlessFake struct {
	*fakeAPI
	available []types.ChallengeNameType
	creation  document.Interface
	pages     []cip.ListWebAuthnCredentialsOutput // answered in turn; the last one again after
	lists     []*cip.ListWebAuthnCredentialsInput
}

func newPasswordlessFake() *passwordlessFake { return &passwordlessFake{fakeAPI: newFake()} }

func (f *passwordlessFake) pool(cfg UserPoolConfig) *UserPool {
	cfg.ClientID, cfg.UserPoolID = clientID, poolID
	return NewUserPool(f, nil, cfg)
}

func (f *passwordlessFake) InitiateAuth(ctx context.Context, in *cip.InitiateAuthInput, _ ...func(*cip.Options)) (*cip.InitiateAuthOutput, error) {
	out, err := f.fakeAPI.InitiateAuth(ctx, in)
	if out != nil {
		out.AvailableChallenges = f.available
	}
	return out, err
}

func (f *passwordlessFake) AdminInitiateAuth(ctx context.Context, in *cip.AdminInitiateAuthInput, _ ...func(*cip.Options)) (*cip.AdminInitiateAuthOutput, error) {
	out, err := f.fakeAPI.AdminInitiateAuth(ctx, in)
	if out != nil {
		out.AvailableChallenges = f.available
	}
	return out, err
}

func (f *passwordlessFake) StartWebAuthnRegistration(_ context.Context, in *cip.StartWebAuthnRegistrationInput, _ ...func(*cip.Options)) (*cip.StartWebAuthnRegistrationOutput, error) {
	return reply(f.fakeAPI, "StartWebAuthnRegistration", in, &cip.StartWebAuthnRegistrationOutput{CredentialCreationOptions: f.creation})
}

func (f *passwordlessFake) CompleteWebAuthnRegistration(_ context.Context, in *cip.CompleteWebAuthnRegistrationInput, _ ...func(*cip.Options)) (*cip.CompleteWebAuthnRegistrationOutput, error) {
	return reply(f.fakeAPI, "CompleteWebAuthnRegistration", in, &cip.CompleteWebAuthnRegistrationOutput{})
}

func (f *passwordlessFake) ListWebAuthnCredentials(_ context.Context, in *cip.ListWebAuthnCredentialsInput, _ ...func(*cip.Options)) (*cip.ListWebAuthnCredentialsOutput, error) {
	f.lists = append(f.lists, in)
	page := cip.ListWebAuthnCredentialsOutput{}
	if len(f.pages) > 0 {
		page = f.pages[min(len(f.lists), len(f.pages))-1]
	}
	return reply(f.fakeAPI, "ListWebAuthnCredentials", in, &page)
}

func (f *passwordlessFake) DeleteWebAuthnCredential(_ context.Context, in *cip.DeleteWebAuthnCredentialInput, _ ...func(*cip.Options)) (*cip.DeleteWebAuthnCredentialOutput, error) {
	return reply(f.fakeAPI, "DeleteWebAuthnCredential", in, &cip.DeleteWebAuthnCredentialOutput{})
}

// USER_AUTH goes out with USERNAME, SECRET_HASH exactly when the client has a secret and
// PREFERRED_CHALLENGE exactly when a factor is preferred, through the configured call.
func TestStartSignInSendsUserAuth(t *testing.T) {
	for _, admin := range []bool{false, true} {
		for _, withSecret := range []bool{false, true} {
			for _, preferred := range []string{"", auth.FactorWebAuthn, auth.FactorEmailOTP, auth.FactorPassword} {
				name := fmt.Sprintf("admin %v, secret %v, preferring %q", admin, withSecret, preferred)
				t.Run(name, func(t *testing.T) {
					f := newPasswordlessFake()
					cfg := UserPoolConfig{AdminAuth: admin}
					want := map[string]string{"USERNAME": "ann@example.com"}
					if withSecret {
						cfg.ClientSecret = secret
						want["SECRET_HASH"] = SecretHash(clientID, secret, "ann@example.com")
					}
					if preferred != "" {
						want["PREFERRED_CHALLENGE"] = preferred
					}
					if _, err := f.pool(cfg).StartSignIn(context.Background(), "ann@example.com", preferred); err != nil {
						t.Fatal(err)
					}
					var flow types.AuthFlowType
					var params map[string]string
					if admin {
						in := f.in["AdminInitiateAuth"].(*cip.AdminInitiateAuthInput)
						if aws.ToString(in.UserPoolId) != poolID || aws.ToString(in.ClientId) != clientID {
							t.Fatalf("AdminInitiateAuth input = %+v", in)
						}
						flow, params = in.AuthFlow, in.AuthParameters
					} else {
						in := f.in["InitiateAuth"].(*cip.InitiateAuthInput)
						if aws.ToString(in.ClientId) != clientID {
							t.Fatalf("InitiateAuth input = %+v", in)
						}
						flow, params = in.AuthFlow, in.AuthParameters
					}
					if flow != types.AuthFlowTypeUserAuth || !maps.Equal(params, want) || len(f.calls) != 1 {
						t.Fatalf("flow %s, parameters %v (calls %v); want USER_AUTH, %v", flow, params, f.calls, want)
					}
				})
			}
		}
	}
}

// Cognito's answer to USER_AUTH becomes the port's step: the factors offered (from the
// answer's AvailableChallenges), the code's delivery, the passkey request options as the
// JSON object Cognito sent in a string.
func TestStartSignInDecodesTheAnswer(t *testing.T) {
	const options = `{ "challenge": "Y2hhbGxlbmdl", "rpId": "example.com", "timeout": 180000,
		"userVerification": "required", "allowCredentials": [{"id": "Y3JlZA", "type": "public-key"}] }`
	cases := []struct {
		name      string
		challenge types.ChallengeNameType
		params    map[string]string
		available []types.ChallengeNameType
		want      auth.NextChallenge
	}{
		{name: "a choice offers the factors monban answers, in Cognito's order",
			challenge: types.ChallengeNameTypeSelectChallenge,
			available: []types.ChallengeNameType{"PASSWORD_SRP", "WEB_AUTHN", "SMS_OTP", "EMAIL_OTP", "PASSWORD"},
			want:      auth.NextChallenge{Name: auth.ChallengeSelect, Factors: []string{"WEB_AUTHN", "EMAIL_OTP", "PASSWORD"}}},
		{name: "a choice without factors offers none", challenge: types.ChallengeNameTypeSelectChallenge,
			want: auth.NextChallenge{Name: auth.ChallengeSelect, Factors: []string{}}},
		{name: "an e-mail code says where it went", challenge: types.ChallengeNameTypeEmailOtp,
			params: map[string]string{"CODE_DELIVERY_DESTINATION": "a***@e***", "CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL"},
			want:   auth.NextChallenge{Name: auth.ChallengeEmailOTP, Delivery: &auth.Delivery{Medium: "EMAIL", Destination: "a***@e***"}}},
		{name: "a passkey's request options are the object Cognito sent as a string", challenge: types.ChallengeNameTypeWebAuthn,
			params: map[string]string{"CREDENTIAL_REQUEST_OPTIONS": options},
			want: auth.NextChallenge{Name: auth.ChallengeWebAuthn, Options: json.RawMessage(
				`{"challenge":"Y2hhbGxlbmdl","rpId":"example.com","timeout":180000,"userVerification":"required","allowCredentials":[{"id":"Y3JlZA","type":"public-key"}]}`)}},
		{name: "a password asks for nothing more", challenge: types.ChallengeNameTypePassword,
			want: auth.NextChallenge{Name: auth.ChallengePassword}},
	}
	for _, c := range cases {
		for _, admin := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s (admin %v)", c.name, admin), func(t *testing.T) {
				f := newPasswordlessFake()
				f.auth = authAnswer{name: c.challenge, params: c.params, session: aws.String("sess")}
				f.available = c.available
				step, err := f.pool(UserPoolConfig{AdminAuth: admin}).StartSignIn(context.Background(), "ann", "")
				if err != nil {
					t.Fatal(err)
				}
				want := c.want
				want.Session = "sess"
				if step.Tokens != nil || !reflect.DeepEqual(*step.Next, want) {
					t.Fatalf("next = %+v\nwant   %+v", *step.Next, want)
				}
			})
		}
	}
	t.Run("tokens at once", func(t *testing.T) {
		step, err := newPasswordlessFake().pool(UserPoolConfig{}).StartSignIn(context.Background(), "ann", auth.FactorWebAuthn)
		if err != nil || step.Next != nil || step.Tokens == nil || step.Tokens.AccessToken != "at" {
			t.Fatalf("step %+v, %v", step, err)
		}
	})
	for _, bad := range []string{"", "not JSON", `"a string"`, `["an","array"]`, `{"unterminated":`} {
		t.Run(fmt.Sprintf("request options %q are refused", bad), func(t *testing.T) {
			f := newPasswordlessFake()
			f.auth = authAnswer{name: types.ChallengeNameTypeWebAuthn, params: map[string]string{"CREDENTIAL_REQUEST_OPTIONS": bad}, session: aws.String("s")}
			_, err := f.pool(UserPoolConfig{}).StartSignIn(context.Background(), "ann", "")
			if r := reasonOf(t, err); r != auth.ReasonUnknown || !strings.Contains(err.Error(), "CREDENTIAL_REQUEST_OPTIONS") {
				t.Fatalf("reason %s, error %v", r, err)
			}
		})
	}
}

func TestStartSignInRefusals(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want auth.Reason
	}{
		{"an app client without USER_AUTH", &types.InvalidParameterException{Message: aws.String("USER_AUTH flow not enabled for this client")}, auth.ReasonNotEnabled},
		{"an app client without USER_AUTH, as an administrator", &types.InvalidParameterException{Message: aws.String("Auth flow not enabled for this client")}, auth.ReasonNotEnabled},
		{"another bad parameter", &types.InvalidParameterException{Message: aws.String("1 validation error detected")}, auth.ReasonInvalidParameter},
		{"a refusal", &types.NotAuthorizedException{Message: aws.String("Incorrect username or password.")}, auth.ReasonNotAuthorized},
		{"too many requests", &types.TooManyRequestsException{}, auth.ReasonTooManyRequests},
		{"an unreachable Cognito", context.DeadlineExceeded, auth.ReasonUnavailable},
	}
	for _, c := range cases {
		for _, admin := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s (admin %v)", c.name, admin), func(t *testing.T) {
				f := newPasswordlessFake()
				f.err["InitiateAuth"] = fmt.Errorf("operation error: %w", c.err)
				f.err["AdminInitiateAuth"] = f.err["InitiateAuth"]
				_, err := f.pool(UserPoolConfig{AdminAuth: admin}).StartSignIn(context.Background(), "ann", "")
				if r := reasonOf(t, err); r != c.want {
					t.Fatalf("reason %s, want %s (%v)", r, c.want, err)
				}
			})
		}
	}
}

// Choice-based sign-in's challenges are answered with the keys the RespondToAuthChallenge
// reference gives for each, beside USERNAME and SECRET_HASH.
func TestAnswerChallengeSendsFirstFactorKeys(t *testing.T) {
	const assertion = `{"id":"Y3JlZA","rawId":"Y3JlZA","type":"public-key","response":{"clientDataJSON":"e30","authenticatorData":"YQ","signature":"c2ln"},"clientExtensionResults":{}}`
	cases := []struct {
		name      string
		challenge string
		answer    auth.Answer
		want      map[string]string
	}{
		{"choosing an e-mail code", auth.ChallengeSelect, auth.Answer{Factor: auth.FactorEmailOTP, Password: "ignored"},
			map[string]string{"ANSWER": "EMAIL_OTP"}},
		{"choosing a passkey", auth.ChallengeSelect, auth.Answer{Factor: auth.FactorWebAuthn},
			map[string]string{"ANSWER": "WEB_AUTHN"}},
		{"choosing the password sends it along", auth.ChallengeSelect, auth.Answer{Factor: auth.FactorPassword, Password: "pw"},
			map[string]string{"ANSWER": "PASSWORD", "PASSWORD": "pw"}},
		{"the password", auth.ChallengePassword, auth.Answer{Password: "pw", Code: "ignored"},
			map[string]string{"PASSWORD": "pw"}},
		{"an e-mail code", auth.ChallengeEmailOTP, auth.Answer{Code: "123456"},
			map[string]string{"EMAIL_OTP_CODE": "123456"}},
		{"a passkey's assertion, as a string", auth.ChallengeWebAuthn, auth.Answer{Credential: json.RawMessage(assertion)},
			map[string]string{"CREDENTIAL": assertion}},
	}
	for _, c := range cases {
		for _, admin := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s (admin %v)", c.name, admin), func(t *testing.T) {
				f := newPasswordlessFake()
				ch := auth.Challenge{Name: c.challenge, Session: "sess", Username: "sub-1"}
				if _, err := f.pool(UserPoolConfig{AdminAuth: admin, ClientSecret: secret}).AnswerChallenge(context.Background(), ch, c.answer); err != nil {
					t.Fatal(err)
				}
				want := maps.Clone(c.want)
				want["USERNAME"] = "sub-1"
				want["SECRET_HASH"] = SecretHash(clientID, secret, "sub-1")
				var name types.ChallengeNameType
				var got map[string]string
				if admin {
					in := f.in["AdminRespondToAuthChallenge"].(*cip.AdminRespondToAuthChallengeInput)
					name, got = in.ChallengeName, in.ChallengeResponses
				} else {
					in := f.in["RespondToAuthChallenge"].(*cip.RespondToAuthChallengeInput)
					name, got = in.ChallengeName, in.ChallengeResponses
				}
				if string(name) != c.challenge || !maps.Equal(got, want) {
					t.Fatalf("%s %v, want %s %v", name, got, c.challenge, want)
				}
			})
		}
	}
}

func TestStartPasskeyRegistration(t *testing.T) {
	ctx := context.Background()
	t.Run("the creation options are the document's JSON object", func(t *testing.T) {
		f := newPasswordlessFake()
		f.creation = document.NewLazyDocument(map[string]any{
			"challenge": "Y2g", "rp": map[string]any{"id": "example.com", "name": "Example"}, "timeout": 60000,
		})
		got, err := f.pool(UserPoolConfig{}).StartPasskeyRegistration(ctx, "access")
		if err != nil {
			t.Fatal(err)
		}
		if want := `{"challenge":"Y2g","rp":{"id":"example.com","name":"Example"},"timeout":60000}`; string(got) != want {
			t.Fatalf("options %s, want %s", got, want)
		}
		if in := f.in["StartWebAuthnRegistration"].(*cip.StartWebAuthnRegistrationInput); aws.ToString(in.AccessToken) != "access" {
			t.Fatalf("input %+v", in)
		}
	})
	for name, doc := range map[string]document.Interface{
		"no options":            nil,
		"options not an object": document.NewLazyDocument("options"),
		"options not encoded":   document.NewLazyDocument(map[string]any{"n": smithydocument.Number("not a number")}),
	} {
		t.Run(name+" is refused", func(t *testing.T) {
			f := newPasswordlessFake()
			f.creation = doc
			_, err := f.pool(UserPoolConfig{}).StartPasskeyRegistration(ctx, "access")
			if r := reasonOf(t, err); r != auth.ReasonUnknown {
				t.Fatalf("reason %s (%v)", r, err)
			}
		})
	}
}

// The credential goes into the document unchanged: the same JSON object, numbers and all.
func TestCompletePasskeyRegistrationSendsTheCredentialAsAnObject(t *testing.T) {
	const credential = `{"id":"Y3JlZA","rawId":"Y3JlZA","type":"public-key","authenticatorAttachment":"platform",
		"response":{"clientDataJSON":"e30","attestationObject":"o2M","transports":["internal","hybrid"],"publicKeyAlgorithm":-7},
		"clientExtensionResults":{"credProps":{"rk":true}},"big":12345678901234567890,"none":null,"empty":[],"zero":0,"no":false,"blank":""}`
	f := newPasswordlessFake()
	if err := f.pool(UserPoolConfig{}).CompletePasskeyRegistration(context.Background(), "access", json.RawMessage(credential)); err != nil {
		t.Fatal(err)
	}
	in := f.in["CompleteWebAuthnRegistration"].(*cip.CompleteWebAuthnRegistrationInput)
	if aws.ToString(in.AccessToken) != "access" {
		t.Fatalf("access token %q", aws.ToString(in.AccessToken))
	}
	sent, err := in.Credential.MarshalSmithyDocument()
	if err != nil {
		t.Fatal(err)
	}
	if !sameJSON(t, sent, []byte(credential)) || !bytes.Contains(sent, []byte(`12345678901234567890`)) {
		t.Fatalf("sent %s\nwant %s", sent, credential)
	}

	for _, bad := range []string{``, `not JSON`, `"a string"`, `[{}]`, `{} {}`, `null`} {
		t.Run(fmt.Sprintf("%q is refused without a call", bad), func(t *testing.T) {
			f := newPasswordlessFake()
			err := f.pool(UserPoolConfig{}).CompletePasskeyRegistration(context.Background(), "access", json.RawMessage(bad))
			if r := reasonOf(t, err); r != auth.ReasonInvalidParameter || len(f.calls) != 0 {
				t.Fatalf("reason %s, calls %v", r, f.calls)
			}
		})
	}
}

// sameJSON says whether a and b hold the same JSON value (numbers compared by their text).
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	decode := func(raw []byte) any {
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		return v
	}
	return reflect.DeepEqual(decode(a), decode(b))
}

func TestListPasskeys(t *testing.T) {
	ctx := context.Background()
	created := time.Date(2025, 3, 1, 12, 0, 0, 0, time.FixedZone("CET", 3600))
	credential := func(id string) types.WebAuthnCredentialDescription {
		return types.WebAuthnCredentialDescription{CredentialId: aws.String(id)}
	}
	t.Run("a passkey's description is mapped", func(t *testing.T) {
		f := newPasswordlessFake()
		f.pages = []cip.ListWebAuthnCredentialsOutput{{Credentials: []types.WebAuthnCredentialDescription{{
			CredentialId: aws.String("Y3JlZA"), FriendlyCredentialName: aws.String("Chrome on Mac"),
			RelyingPartyId: aws.String("example.com"), AuthenticatorAttachment: aws.String("platform"),
			AuthenticatorTransports: []string{"internal", "hybrid"}, CreatedAt: &created,
		}, credential("bare")}}}
		got, err := f.pool(UserPoolConfig{}).ListPasskeys(ctx, "access")
		if err != nil {
			t.Fatal(err)
		}
		want := []auth.Passkey{
			{ID: "Y3JlZA", Name: "Chrome on Mac", RelyingPartyID: "example.com", Attachment: "platform",
				Transports: []string{"internal", "hybrid"}, CreatedAt: created.UTC()},
			{ID: "bare", Transports: []string{}},
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("passkeys %+v\nwant     %+v", got, want)
		}
		in := f.lists[0]
		if aws.ToString(in.AccessToken) != "access" || aws.ToInt32(in.MaxResults) != 20 || in.NextToken != nil {
			t.Fatalf("input %+v", in)
		}
	})
	t.Run("none is an empty list", func(t *testing.T) {
		got, err := newPasswordlessFake().pool(UserPoolConfig{}).ListPasskeys(ctx, "access")
		if err != nil || got == nil || len(got) != 0 {
			t.Fatalf("%#v, %v", got, err)
		}
	})
	t.Run("pages are followed", func(t *testing.T) {
		f := newPasswordlessFake()
		f.pages = []cip.ListWebAuthnCredentialsOutput{
			{Credentials: []types.WebAuthnCredentialDescription{credential("a"), credential("b")}, NextToken: aws.String("t1")},
			{Credentials: []types.WebAuthnCredentialDescription{credential("c")}, NextToken: aws.String("t2")},
			{Credentials: []types.WebAuthnCredentialDescription{credential("d")}, NextToken: aws.String("")},
		}
		got, err := f.pool(UserPoolConfig{}).ListPasskeys(ctx, "access")
		if err != nil {
			t.Fatal(err)
		}
		var ids, tokens []string
		for _, p := range got {
			ids = append(ids, p.ID)
		}
		for _, in := range f.lists {
			tokens = append(tokens, aws.ToString(in.NextToken))
		}
		if !reflect.DeepEqual(ids, []string{"a", "b", "c", "d"}) || !reflect.DeepEqual(tokens, []string{"", "t1", "t2"}) {
			t.Fatalf("ids %v, tokens sent %q", ids, tokens)
		}
	})
	t.Run("a pool that never stops paging is read up to the cap", func(t *testing.T) {
		f := newPasswordlessFake()
		f.pages = []cip.ListWebAuthnCredentialsOutput{{Credentials: []types.WebAuthnCredentialDescription{credential("a")}, NextToken: aws.String("more")}}
		got, err := f.pool(UserPoolConfig{}).ListPasskeys(ctx, "access")
		if err != nil || len(f.lists) != passkeyPages || len(got) != passkeyPages {
			t.Fatalf("%d calls, %d passkeys, %v", len(f.lists), len(got), err)
		}
	})
	t.Run("a failing page fails the list", func(t *testing.T) {
		f := newPasswordlessFake()
		f.err["ListWebAuthnCredentials"] = &types.TooManyRequestsException{}
		_, err := f.pool(UserPoolConfig{}).ListPasskeys(ctx, "access")
		if r := reasonOf(t, err); r != auth.ReasonTooManyRequests {
			t.Fatalf("reason %s", r)
		}
	})
}

func TestDeletePasskey(t *testing.T) {
	f := newPasswordlessFake()
	if err := f.pool(UserPoolConfig{}).DeletePasskey(context.Background(), "access", "Y3JlZA"); err != nil {
		t.Fatal(err)
	}
	in := f.in["DeleteWebAuthnCredential"].(*cip.DeleteWebAuthnCredentialInput)
	if aws.ToString(in.AccessToken) != "access" || aws.ToString(in.CredentialId) != "Y3JlZA" {
		t.Fatalf("input %+v", in)
	}
}

// Each passkey call maps Cognito's exceptions through the one table; NotAuthorizedException
// with only an access token to refuse is the token refused.
func TestPasskeyExceptions(t *testing.T) {
	ctx := context.Background()
	calls := map[string]func(p *UserPool) error{
		"StartWebAuthnRegistration": func(p *UserPool) error { _, err := p.StartPasskeyRegistration(ctx, "access"); return err },
		"CompleteWebAuthnRegistration": func(p *UserPool) error {
			return p.CompletePasskeyRegistration(ctx, "access", json.RawMessage(`{"id":"x"}`))
		},
		"ListWebAuthnCredentials":  func(p *UserPool) error { _, err := p.ListPasskeys(ctx, "access"); return err },
		"DeleteWebAuthnCredential": func(p *UserPool) error { return p.DeletePasskey(ctx, "access", "x") },
	}
	generic := func(code string) error { return &smithy.GenericAPIError{Code: code, Message: "m"} }
	cases := []struct {
		op   string
		err  error
		want auth.Reason
	}{
		{"StartWebAuthnRegistration", &types.WebAuthnNotEnabledException{}, auth.ReasonNotEnabled},
		{"StartWebAuthnRegistration", &types.WebAuthnConfigurationMissingException{}, auth.ReasonNotEnabled},
		{"StartWebAuthnRegistration", &types.LimitExceededException{}, auth.ReasonLimitExceeded},
		{"StartWebAuthnRegistration", &types.NotAuthorizedException{Message: aws.String("Invalid Access Token")}, auth.ReasonTokenRevoked},
		{"StartWebAuthnRegistration", &types.NotAuthorizedException{}, auth.ReasonTokenRevoked},
		{"CompleteWebAuthnRegistration", &types.WebAuthnNotEnabledException{}, auth.ReasonNotEnabled},
		{"CompleteWebAuthnRegistration", &types.WebAuthnChallengeNotFoundException{}, auth.ReasonPasskeyRefused},
		{"CompleteWebAuthnRegistration", &types.WebAuthnRelyingPartyMismatchException{}, auth.ReasonPasskeyRefused},
		{"CompleteWebAuthnRegistration", &types.WebAuthnClientMismatchException{}, auth.ReasonPasskeyRefused},
		{"CompleteWebAuthnRegistration", &types.WebAuthnOriginNotAllowedException{}, auth.ReasonPasskeyRefused},
		{"CompleteWebAuthnRegistration", &types.WebAuthnCredentialNotSupportedException{}, auth.ReasonPasskeyRefused},
		{"CompleteWebAuthnRegistration", generic("WebAuthnConfigurationMissingException"), auth.ReasonNotEnabled},
		{"CompleteWebAuthnRegistration", &types.NotAuthorizedException{Message: aws.String("Access Token has expired")}, auth.ReasonTokenRevoked},
		{"CompleteWebAuthnRegistration", &types.NotAuthorizedException{Message: aws.String("Not authorized")}, auth.ReasonNotAuthorized},
		{"ListWebAuthnCredentials", &types.NotAuthorizedException{}, auth.ReasonTokenRevoked},
		{"ListWebAuthnCredentials", &types.InternalErrorException{}, auth.ReasonUnavailable},
		{"DeleteWebAuthnCredential", &types.ResourceNotFoundException{Message: aws.String("not found")}, auth.ReasonNotFound},
		{"DeleteWebAuthnCredential", &types.NotAuthorizedException{Message: aws.String("Access Token has been revoked")}, auth.ReasonTokenRevoked},
		{"DeleteWebAuthnCredential", context.DeadlineExceeded, auth.ReasonUnavailable},
	}
	for _, c := range cases {
		t.Run(c.op+" "+fmt.Sprint(c.err), func(t *testing.T) {
			f := newPasswordlessFake()
			f.err[c.op] = fmt.Errorf("operation error: %w", c.err)
			err := calls[c.op](f.pool(UserPoolConfig{}))
			if r := reasonOf(t, err); r != c.want {
				t.Fatalf("reason %s, want %s (%v)", r, c.want, err)
			}
		})
	}
}

// Through the SDK's own client and serializers, against a stand-in for Cognito: the creation
// options come back as the object Cognito sent, the credential goes out as an object (not
// a string holding one), and WebAuthn exceptions arrive by name.
func TestPasskeysOnTheWire(t *testing.T) {
	const options = `{"challenge":"Y2g","rp":{"id":"example.com","name":"Example"},"user":{"id":"dQ","name":"ann","displayName":"Ann"},"pubKeyCredParams":[{"type":"public-key","alg":-7}],"timeout":60000}`
	const credential = `{"id":"Y3JlZA","rawId":"Y3JlZA","type":"public-key","response":{"clientDataJSON":"e30","attestationObject":"o2M","transports":["internal"]},"clientExtensionResults":{},"n":12345678901234567890}`
	var target string
	var body []byte
	answer := func(w http.ResponseWriter) {}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target = r.Header.Get("X-Amz-Target")
		body, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		answer(w)
	}))
	defer srv.Close()
	client := cip.New(cip.Options{
		Region: "eu-west-1", BaseEndpoint: aws.String(srv.URL), Credentials: aws.AnonymousCredentials{},
		HTTPClient: srv.Client(), RetryMaxAttempts: 1,
	})
	p := NewUserPool(client, nil, UserPoolConfig{UserPoolID: poolID, ClientID: clientID})
	ctx := context.Background()

	answer = func(w http.ResponseWriter) { fmt.Fprintf(w, `{"CredentialCreationOptions":%s}`, options) }
	got, err := p.StartPasskeyRegistration(ctx, "access")
	if err != nil {
		t.Fatal(err)
	}
	if target != "AWSCognitoIdentityProviderService.StartWebAuthnRegistration" || !sameJSON(t, got, []byte(options)) {
		t.Fatalf("%s answered %s", target, got)
	}

	answer = func(w http.ResponseWriter) { fmt.Fprint(w, `{}`) }
	if err := p.CompletePasskeyRegistration(ctx, "access", json.RawMessage(credential)); err != nil {
		t.Fatal(err)
	}
	var sent struct {
		AccessToken string
		Credential  json.RawMessage
	}
	if err := json.Unmarshal(body, &sent); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	if target != "AWSCognitoIdentityProviderService.CompleteWebAuthnRegistration" || sent.AccessToken != "access" ||
		!sameJSON(t, sent.Credential, []byte(credential)) || !bytes.Contains(sent.Credential, []byte("12345678901234567890")) {
		t.Fatalf("%s sent %s", target, body)
	}

	answer = func(w http.ResponseWriter) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"__type":"WebAuthnChallengeNotFoundException","message":"challenge expired"}`)
	}
	err = p.CompletePasskeyRegistration(ctx, "access", json.RawMessage(credential))
	if r := reasonOf(t, err); r != auth.ReasonPasskeyRefused {
		t.Fatalf("reason %s (%v)", r, err)
	}
}
