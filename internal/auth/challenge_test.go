package auth

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/monban-auth/monban/internal/cognito"
	"github.com/monban-auth/monban/internal/token"
)

// scriptedPool answers the sign-in state machine from a script, the way real Cognito chains
// challenges (neither emulator chains NEW_PASSWORD_REQUIRED into MFA through the SDK), and
// records every request so the tests can check USERNAME and SECRET_HASH.
type scriptedPool struct {
	UserPool
	t        *testing.T
	steps    []step // what each InitiateAuth/RespondToAuthChallenge answers, in order
	requests []map[string]string
	names    []types.ChallengeNameType
	verified []string // VerifySoftwareToken codes
}

type step struct {
	challenge types.ChallengeNameType
	params    map[string]string
	err       error
}

func (p *scriptedPool) next() (*types.AuthenticationResultType, types.ChallengeNameType, map[string]string, *string, error) {
	if len(p.steps) == 0 {
		p.t.Fatal("unexpected call")
	}
	s := p.steps[0]
	p.steps = p.steps[1:]
	if s.err != nil {
		return nil, "", nil, nil, s.err
	}
	if s.challenge == "" {
		return &types.AuthenticationResultType{AccessToken: aws.String("access"), IdToken: aws.String("id"), RefreshToken: aws.String("refresh")}, "", nil, nil, nil
	}
	return nil, s.challenge, s.params, aws.String("session-" + string(s.challenge)), nil
}

func (p *scriptedPool) InitiateAuth(_ context.Context, in *cip.InitiateAuthInput, _ ...func(*cip.Options)) (*cip.InitiateAuthOutput, error) {
	p.requests = append(p.requests, in.AuthParameters)
	r, c, params, sess, err := p.next()
	if err != nil {
		return nil, err
	}
	return &cip.InitiateAuthOutput{AuthenticationResult: r, ChallengeName: c, ChallengeParameters: params, Session: sess}, nil
}

func (p *scriptedPool) RespondToAuthChallenge(_ context.Context, in *cip.RespondToAuthChallengeInput, _ ...func(*cip.Options)) (*cip.RespondToAuthChallengeOutput, error) {
	p.requests = append(p.requests, in.ChallengeResponses)
	p.names = append(p.names, in.ChallengeName)
	if aws.ToString(in.Session) != "session-"+string(in.ChallengeName) && aws.ToString(in.Session) != "verified-session" {
		p.t.Fatalf("answered %s with session %q", in.ChallengeName, aws.ToString(in.Session))
	}
	r, c, params, sess, err := p.next()
	if err != nil {
		return nil, err
	}
	return &cip.RespondToAuthChallengeOutput{AuthenticationResult: r, ChallengeName: c, ChallengeParameters: params, Session: sess}, nil
}

func (p *scriptedPool) AssociateSoftwareToken(_ context.Context, in *cip.AssociateSoftwareTokenInput, _ ...func(*cip.Options)) (*cip.AssociateSoftwareTokenOutput, error) {
	return &cip.AssociateSoftwareTokenOutput{SecretCode: aws.String("JBSWY3DPEHPK3PXP"), Session: aws.String("session-MFA_SETUP")}, nil
}

func (p *scriptedPool) VerifySoftwareToken(_ context.Context, in *cip.VerifySoftwareTokenInput, _ ...func(*cip.Options)) (*cip.VerifySoftwareTokenOutput, error) {
	p.verified = append(p.verified, aws.ToString(in.UserCode))
	if aws.ToString(in.UserCode) != "123456" {
		return &cip.VerifySoftwareTokenOutput{Status: types.VerifySoftwareTokenResponseTypeError}, nil
	}
	return &cip.VerifySoftwareTokenOutput{Status: types.VerifySoftwareTokenResponseTypeSuccess, Session: aws.String("verified-session")}, nil
}

type okVerifier struct{}

func (okVerifier) VerifyID(_ context.Context, raw, _ string, _ bool) (*token.Claims, error) {
	return &token.Claims{Subject: "sub-1", Username: "sub-1", Email: "a@example.com", ExpiresAt: time.Now().Add(time.Hour)}, nil
}

func (okVerifier) VerifyAccess(_ context.Context, raw string) (*token.Claims, error) {
	return &token.Claims{Subject: "sub-1", ExpiresAt: time.Now().Add(time.Hour)}, nil
}

func scripted(t *testing.T, steps ...step) (*Service, *scriptedPool) {
	p := &scriptedPool{t: t, steps: steps}
	return NewService(Config{ClientID: "cid", ClientSecret: "csecret"}, Deps{Verifier: okVerifier{}, Pool: p}), p
}

func TestChainedChallenges(t *testing.T) {
	const user = "user@example.com"
	srpID := map[string]string{"USER_ID_FOR_SRP": "sub-1", "requiredAttributes": `["userAttributes.name"]`}
	cases := []struct {
		name    string
		steps   []step
		answers []ChallengeAnswer
		prompts []string
	}{
		{
			name:    "a new password, then an authenticator code",
			steps:   []step{{challenge: "NEW_PASSWORD_REQUIRED", params: srpID}, {challenge: "SOFTWARE_TOKEN_MFA", params: map[string]string{}}, {}},
			answers: []ChallengeAnswer{{NewPassword: "N3w-Passw0rd!", Attributes: map[string]string{"name": "A"}}, {Code: "123456"}},
			prompts: []string{"NEW_PASSWORD_REQUIRED", "SOFTWARE_TOKEN_MFA"},
		},
		{
			name:    "a new password, then setting up an authenticator app",
			steps:   []step{{challenge: "NEW_PASSWORD_REQUIRED", params: srpID}, {challenge: "MFA_SETUP", params: map[string]string{"MFAS_CAN_SETUP": `["SOFTWARE_TOKEN_MFA"]`}}, {}},
			answers: []ChallengeAnswer{{NewPassword: "N3w-Passw0rd!"}, {Code: "123456"}},
			prompts: []string{"NEW_PASSWORD_REQUIRED", "MFA_SETUP"},
		},
		{
			name:    "choosing a factor, then its code",
			steps:   []step{{challenge: "SELECT_MFA_TYPE", params: map[string]string{"MFAS_CAN_CHOOSE": `["SMS_MFA","SOFTWARE_TOKEN_MFA"]`}}, {challenge: "SMS_MFA", params: map[string]string{"CODE_DELIVERY_DESTINATION": "+*******1234"}}, {}},
			answers: []ChallengeAnswer{{MFAType: "SMS_MFA"}, {Code: "654321"}},
			prompts: []string{"SELECT_MFA_TYPE", "SMS_MFA"},
		},
		{
			name:    "an e-mail one-time code",
			steps:   []step{{challenge: "EMAIL_OTP", params: map[string]string{"CODE_DELIVERY_DESTINATION": "u***@e***"}}, {}},
			answers: []ChallengeAnswer{{Code: "11112222"}},
			prompts: []string{"EMAIL_OTP"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, pool := scripted(t, c.steps...)
			res, err := s.SignInPassword(context.Background(), Credentials{Email: user, Password: "Temp-Passw0rd!"})
			for i, a := range c.answers {
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if res.Prompt == nil || res.Prompt.Challenge != c.prompts[i] || res.Grant != nil {
					t.Fatalf("step %d: prompt %+v", i, res.Prompt)
				}
				if b, _ := json.Marshal(res.Prompt); strings.Contains(string(b), "session-") {
					t.Fatalf("Cognito's session leaked into the prompt: %s", b)
				}
				res, err = s.RespondToChallenge(context.Background(), res.Pending, a)
			}
			if err != nil || res.Grant == nil || res.Grant.Session.User.Sub != "sub-1" {
				t.Fatalf("final: %+v %v", res, err)
			}
			// Every answer names the user as Cognito knows them and carries their SECRET_HASH.
			for i, r := range pool.requests[1:] {
				want := c.steps[0].params["USER_ID_FOR_SRP"]
				if want == "" {
					want = user
				}
				if r["USERNAME"] != want || r["SECRET_HASH"] != cognito.SecretHash("cid", "csecret", want) {
					t.Fatalf("answer %d: USERNAME=%q SECRET_HASH=%q", i, r["USERNAME"], r["SECRET_HASH"])
				}
			}
		})
	}
}

func TestNewPasswordPromptListsRequiredAttributes(t *testing.T) {
	s, pool := scripted(t, step{challenge: "NEW_PASSWORD_REQUIRED", params: map[string]string{"requiredAttributes": `["userAttributes.name","userAttributes.custom:tenant"]`}}, step{})
	res, err := s.SignInPassword(context.Background(), Credentials{Username: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	got := res.Prompt.Parameters["required_attributes"].([]string)
	if strings.Join(got, ",") != "name,custom:tenant" {
		t.Fatalf("required attributes = %v", got)
	}
	if _, err := s.RespondToChallenge(context.Background(), res.Pending, ChallengeAnswer{NewPassword: "N3w!", Attributes: map[string]string{"custom:tenant": "t1"}}); err != nil {
		t.Fatal(err)
	}
	if pool.requests[1]["userAttributes.custom:tenant"] != "t1" || pool.requests[1]["NEW_PASSWORD"] != "N3w!" {
		t.Fatalf("answer = %v", pool.requests[1])
	}
}

func TestChallengeAnswersAreChecked(t *testing.T) {
	pending := func(name string) *Challenge { return &Challenge{Name: name, Session: "session-" + name, Username: "u"} }
	cases := []struct {
		name    string
		pending *Challenge
		answer  ChallengeAnswer
		want    Code
	}{
		{"no pending challenge", nil, ChallengeAnswer{Code: "1"}, CodeNoChallenge},
		{"an answer to another challenge", pending("SOFTWARE_TOKEN_MFA"), ChallengeAnswer{Challenge: "SMS_MFA", Code: "1"}, CodeInvalidRequest},
		{"a missing code", pending("SOFTWARE_TOKEN_MFA"), ChallengeAnswer{}, CodeInvalidRequest},
		{"a code with spaces", pending("SMS_MFA"), ChallengeAnswer{Code: "12 34"}, CodeInvalidRequest},
		{"a missing new password", pending("NEW_PASSWORD_REQUIRED"), ChallengeAnswer{}, CodeInvalidRequest},
		{"a malformed attribute name", pending("NEW_PASSWORD_REQUIRED"), ChallengeAnswer{NewPassword: "x", Attributes: map[string]string{"bad name": "x"}}, CodeInvalidRequest},
		{"an unknown factor", pending("SELECT_MFA_TYPE"), ChallengeAnswer{MFAType: "PIGEON"}, CodeInvalidRequest},
		{"a wrong authenticator code during setup", pending("MFA_SETUP"), ChallengeAnswer{Code: "000000"}, CodeCodeMismatch},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _ := scripted(t)
			_, err := s.RespondToChallenge(context.Background(), c.pending, c.answer)
			if CodeOf(err) != c.want {
				t.Fatalf("err = %v, want %s", err, c.want)
			}
		})
	}
}

// Cognito's exceptions land on the contract's codes, with the emulators' variants absorbed.
func TestSignInFailuresAreIndistinguishable(t *testing.T) {
	for _, exc := range []string{"NotAuthorizedException", "UserNotFoundException", "InvalidPasswordException"} {
		t.Run(exc, func(t *testing.T) {
			s, _ := scripted(t, step{err: &smithy.GenericAPIError{Code: exc, Message: "whatever Cognito says"}})
			_, err := s.SignInPassword(context.Background(), Credentials{Email: "a@example.com", Password: "p"})
			var e *Error
			if CodeOf(err) != CodeInvalidCredentials || !asError(err, &e) || e.Message != "Incorrect username or password." {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestPoolFailureMapping(t *testing.T) {
	cases := []struct {
		exc  string
		want Code
	}{
		{"UserNotConfirmedException", CodeUserNotConfirmed},
		{"CodeMismatchException", CodeCodeMismatch},
		{"ExpiredCodeException", CodeExpiredCode},
		{"InvalidPasswordException", CodeInvalidPassword},
		{"TooManyRequestsException", CodeTooManyRequests},
		{"LimitExceededException", CodeTooManyRequests},
		{"UsernameExistsException", CodeUsernameExists},
		{"PasswordResetRequiredException", CodePasswordResetRequired},
		{"UserLambdaValidationException", CodeSignUpRejected},
		{"InternalErrorException", CodeUpstreamUnavailable},
		{"SomethingNewException", CodeInternal},
	}
	for _, c := range cases {
		t.Run(c.exc, func(t *testing.T) {
			fault := smithy.FaultClient
			if c.exc == "InternalErrorException" {
				fault = smithy.FaultServer
			}
			err := poolFailure(&smithy.GenericAPIError{Code: c.exc, Message: "PreSignUp failed with error Only example.com addresses may sign up.", Fault: fault}, "op", nil)
			if CodeOf(err) != c.want {
				t.Fatalf("%s -> %s, want %s", c.exc, CodeOf(err), c.want)
			}
			if e := err.(*Error); strings.Contains(e.Err.Error(), "PreSignUp failed") {
				t.Fatal("Cognito's message must not reach the logged cause (it may echo input)")
			}
		})
	}
	err := poolFailure(&smithy.GenericAPIError{Code: "UserLambdaValidationException", Message: "PreSignUp failed with error Only example.com addresses may sign up."}, "sign up", nil)
	var e *Error
	if !asError(err, &e) || e.Message != "Only example.com addresses may sign up" {
		t.Fatalf("trigger rejection message = %v", err)
	}
}

func TestTOTPSetupURI(t *testing.T) {
	s := NewService(Config{TOTPIssuer: "Example Site"}, Deps{})
	got := s.totpSetup("JBSWY3DPEHPK3PXP", "a@example.com")
	if got.OTPAuthURI != "otpauth://totp/Example%20Site:a@example.com?algorithm=SHA1&digits=6&issuer=Example+Site&period=30&secret=JBSWY3DPEHPK3PXP" {
		t.Fatalf("uri = %s", got.OTPAuthURI)
	}
}

func asError(err error, target **Error) bool {
	e, ok := err.(*Error)
	if ok {
		*target = e
	}
	return ok
}

func TestSessionAttributesStayWithinBudget(t *testing.T) {
	all := map[string]string{"custom:tenant": "t1", "name": "Alice", "jti": "x"}
	for i := 0; i < 6; i++ {
		all["custom:big"+string(rune('a'+i))] = strings.Repeat("x", 2000)
	}
	got := userAttributes(all)
	if got["custom:tenant"] != "t1" || got["name"] != "Alice" || got["jti"] != "" {
		t.Fatalf("small attributes must survive, bookkeeping must not: %v", got)
	}
	size := 0
	for k, v := range got {
		size += len(k) + len(v)
	}
	if size > maxSessionAttributeBytes || len(got) > maxSessionAttributes {
		t.Fatalf("%d attributes, %d bytes", len(got), size)
	}
}
