package auth_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/auth/userpooltest"
)

// The answers of choice-based sign-in and of passkey management, and what the flows make of
// them; the refusals the fake cannot give are scripted (scripted) or injected (Fail).

const (
	wrongPassword  = "Incorrect username or password."
	notEnabled     = "Passwordless sign-in is not enabled for this user pool (template parameter SignInFirstFactors; the pool's feature plan must be Essentials or Plus)."
	passkeyRefused = "The passkey was not accepted; try again or use another way to sign in."
	signInExpired  = "The sign-in has expired; sign in again."
	sessionOver    = "The session has ended; sign in again."
)

// requestOptions stand for a WEB_AUTHN challenge's PublicKeyCredentialRequestOptionsJSON.
const requestOptions = `{"challenge":"Y2hhbGxlbmdl","rpId":"app.example.com","timeout":180000,"userVerification":"preferred"}`

// scripted is a pool whose choice-based sign-in, challenge answers and passkey calls answer
// as the test says (a nil function: the fake's answer), and which records what the flows
// asked.
type scripted struct {
	*userpooltest.Pool
	start    func(username, preferred string) (*auth.Step, error)
	answer   func(c auth.Challenge, a auth.Answer) (*auth.Step, error)
	register func() (json.RawMessage, error)
	complete func(credential json.RawMessage) error
	list     func() ([]auth.Passkey, error)
	remove   func(id string) error

	calls     int // calls of any scripted function
	username  string
	preferred string
	answered  auth.Answer
	token     string
	id        string
}

func (p *scripted) StartSignIn(ctx context.Context, username, preferred string) (*auth.Step, error) {
	if p.start == nil {
		return p.Pool.StartSignIn(ctx, username, preferred)
	}
	p.calls++
	p.username, p.preferred = username, preferred
	return p.start(username, preferred)
}

func (p *scripted) AnswerChallenge(ctx context.Context, c auth.Challenge, a auth.Answer) (*auth.Step, error) {
	if p.answer == nil {
		return p.Pool.AnswerChallenge(ctx, c, a)
	}
	p.calls++
	p.answered = a
	return p.answer(c, a)
}

func (p *scripted) StartPasskeyRegistration(ctx context.Context, token string) (json.RawMessage, error) {
	if p.register == nil {
		return p.Pool.StartPasskeyRegistration(ctx, token)
	}
	p.calls++
	p.token = token
	return p.register()
}

func (p *scripted) CompletePasskeyRegistration(ctx context.Context, token string, credential json.RawMessage) error {
	if p.complete == nil {
		return p.Pool.CompletePasskeyRegistration(ctx, token, credential)
	}
	p.calls++
	p.token = token
	return p.complete(credential)
}

func (p *scripted) ListPasskeys(ctx context.Context, token string) ([]auth.Passkey, error) {
	if p.list == nil {
		return p.Pool.ListPasskeys(ctx, token)
	}
	p.calls++
	p.token = token
	return p.list()
}

func (p *scripted) DeletePasskey(ctx context.Context, token, id string) error {
	if p.remove == nil {
		return p.Pool.DeletePasskey(ctx, token, id)
	}
	p.calls++
	p.token, p.id = token, id
	return p.remove(id)
}

// withScript runs the harness on a scripted pool that script sets up.
func withScript(script func(p *scripted)) (option, *scripted) {
	s := &scripted{}
	return withWrap(func(p *userpooltest.Pool) auth.UserPool {
		s.Pool = p
		script(s)
		return s
	}), s
}

// challengeStep is a pool's answer naming the next challenge.
func challengeStep(next auth.NextChallenge) *auth.Step {
	if next.Session == "" {
		next.Session = "session-" + next.Name
	}
	return &auth.Step{Next: &next}
}

func TestStartSignInChecksItsInput(t *testing.T) {
	cases := []struct {
		name string
		req  auth.StartSignInRequest
	}{
		{"no name", auth.StartSignInRequest{Factor: auth.FactorWebAuthn}},
		{"a name too long", auth.StartSignInRequest{Email: strings.Repeat("a", 117) + "@example.com"}},
		{"a name with a line break", auth.StartSignInRequest{Email: "alice@example.com\n"}},
		{"a name that is not UTF-8", auth.StartSignInRequest{Username: "alice\xff"}},
		{"a factor monban does not sign in with", auth.StartSignInRequest{Email: alice, Factor: "SMS_OTP"}},
		{"SRP", auth.StartSignInRequest{Email: alice, Factor: "PASSWORD_SRP"}},
		{"a factor in lower case", auth.StartSignInRequest{Email: alice, Factor: "web_authn"}},
		{"a second factor", auth.StartSignInRequest{Email: alice, Factor: auth.ChallengeTOTP}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opt, pool := withScript(func(p *scripted) {
				p.start = func(string, string) (*auth.Step, error) { return nil, nil }
			})
			h := newHarness(t, opt)
			res, err := h.svc.StartSignIn(h.ctx, c.req)
			wantErr(t, err, auth.CodeInvalidRequest, "")
			if res != nil || pool.calls != 0 {
				t.Fatalf("%+v, %d calls of the pool", res, pool.calls)
			}
		})
	}
}

// The first answer of a choice-based sign-in is a prompt as a password sign-in's is: the
// pool's session in the pending challenge only, the name the pool knows the user by, and
// the parameters the browser needs.
func TestStartSignInPrompts(t *testing.T) {
	cases := []struct {
		name      string
		req       auth.StartSignInRequest
		step      *auth.Step
		preferred string // what the pool is asked for
		challenge string
		params    map[string]any
		username  string // the pending challenge's
	}{
		{name: "a choice of factors", req: auth.StartSignInRequest{Email: alice},
			step:      challengeStep(auth.NextChallenge{Name: auth.ChallengeSelect, Factors: []string{auth.FactorWebAuthn, auth.FactorEmailOTP, auth.FactorPassword}}),
			challenge: auth.ChallengeSelect, params: map[string]any{"factors": []string{"WEB_AUTHN", "EMAIL_OTP", "PASSWORD"}}, username: alice},
		{name: "a choice of no factors", req: auth.StartSignInRequest{Email: alice},
			step:      challengeStep(auth.NextChallenge{Name: auth.ChallengeSelect}),
			challenge: auth.ChallengeSelect, params: map[string]any{"factors": []string{}}, username: alice},
		{name: "a code by e-mail", req: auth.StartSignInRequest{Email: alice, Factor: auth.FactorEmailOTP}, preferred: auth.FactorEmailOTP,
			step:      challengeStep(auth.NextChallenge{Name: auth.ChallengeEmailOTP, Username: "sub-1", Delivery: &auth.Delivery{Destination: "a***@e***", Medium: "EMAIL"}}),
			challenge: auth.ChallengeEmailOTP, params: map[string]any{"destination": "a***@e***", "medium": "EMAIL"}, username: "sub-1"},
		{name: "a passkey", req: auth.StartSignInRequest{Username: "alice", Email: bob, Factor: auth.FactorWebAuthn}, preferred: auth.FactorWebAuthn,
			step:      challengeStep(auth.NextChallenge{Name: auth.ChallengeWebAuthn, Options: json.RawMessage(" \n" + requestOptions)}),
			challenge: auth.ChallengeWebAuthn, params: map[string]any{"options": json.RawMessage(requestOptions)}, username: "alice"},
		{name: "the password", req: auth.StartSignInRequest{Email: alice, Factor: auth.FactorPassword}, preferred: auth.FactorPassword,
			step:      challengeStep(auth.NextChallenge{Name: auth.ChallengePassword}),
			challenge: auth.ChallengePassword, params: map[string]any{}, username: alice},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opt, pool := withScript(func(p *scripted) {
				p.start = func(string, string) (*auth.Step, error) { return c.step, nil }
			})
			h := newHarness(t, opt)
			res, err := h.svc.StartSignIn(h.ctx, c.req)
			if err != nil || res.Grant != nil || res.Prompt == nil || res.Pending == nil {
				t.Fatalf("%+v %v", res, err)
			}
			asked := c.req.Username
			if asked == "" {
				asked = c.req.Email
			}
			if pool.preferred != c.preferred || pool.username != asked {
				t.Fatalf("the pool was asked for %q with %q", pool.username, pool.preferred)
			}
			want := auth.Challenge{Name: c.challenge, Session: c.step.Next.Session, Username: c.username, Label: asked}
			if *res.Pending != want || res.Prompt.Challenge != c.challenge {
				t.Fatalf("pending %+v, prompt %s", res.Pending, res.Prompt.Challenge)
			}
			params(t, res.Prompt, c.params)
			if b, _ := json.Marshal(res.Prompt); strings.Contains(string(b), res.Pending.Session) {
				t.Fatalf("the pool's session leaked into the prompt: %s", b)
			}
		})
	}
}

// A pool that signs the user in at once (no factor to prove: not Cognito's way, but its
// API allows it) gives a session.
func TestStartSignInWithTokensAtOnce(t *testing.T) {
	var h *harness
	opt, _ := withScript(func(p *scripted) {
		p.start = func(string, string) (*auth.Step, error) { return &auth.Step{Tokens: h.tokens(alice)}, nil }
	})
	h = newHarness(t, opt)
	h.user(alice, nil)
	res, err := h.svc.StartSignIn(h.ctx, auth.StartSignInRequest{Email: alice})
	if err != nil || res.Grant == nil || res.Grant.Session.User.Email != alice || res.Prompt != nil {
		t.Fatalf("%+v %v", res, err)
	}
}

// An answer the flows cannot follow is monban's fault, never a prompt without what the
// browser needs.
func TestStartSignInWithAnAnswerTheFlowsCannotFollow(t *testing.T) {
	cases := []struct {
		name string
		step *auth.Step
	}{
		{"no step", nil},
		{"neither tokens nor a challenge", &auth.Step{}},
		{"a challenge without a session", &auth.Step{Next: &auth.NextChallenge{Name: auth.ChallengeSelect}}},
		{"a factor monban does not sign in with", challengeStep(auth.NextChallenge{Name: "SMS_OTP"})},
		{"SRP", challengeStep(auth.NextChallenge{Name: "PASSWORD_SRP"})},
		{"a passkey without options", challengeStep(auth.NextChallenge{Name: auth.ChallengeWebAuthn})},
		{"a passkey with null options", challengeStep(auth.NextChallenge{Name: auth.ChallengeWebAuthn, Options: json.RawMessage("null")})},
		{"a passkey with options that are a string", challengeStep(auth.NextChallenge{Name: auth.ChallengeWebAuthn, Options: json.RawMessage(`"{}"`)})},
		{"a passkey with options that are no JSON", challengeStep(auth.NextChallenge{Name: auth.ChallengeWebAuthn, Options: json.RawMessage(`{"challenge":`)})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opt, _ := withScript(func(p *scripted) {
				p.start = func(string, string) (*auth.Step, error) { return c.step, nil }
			})
			h := newHarness(t, opt)
			res, err := h.svc.StartSignIn(h.ctx, auth.StartSignInRequest{Email: alice})
			wantErr(t, err, auth.CodeInternal, "internal error")
			if res != nil {
				t.Fatalf("%+v", res)
			}
		})
	}
}

// Every reason the pool gives for a start lands on the contract as a password sign-in's
// does, and a pool without choice-based sign-in says what to change.
func TestStartSignInRefusals(t *testing.T) {
	cases := []struct {
		reasonCase
		hide bool
	}{
		{reasonCase: reasonCase{auth.ReasonNotAuthorized, auth.CodeInvalidCredentials, wrongPassword}},
		{reasonCase: reasonCase{auth.ReasonUserNotFound, auth.CodeInvalidCredentials, wrongPassword}},
		{reasonCase: reasonCase{auth.ReasonUserNotConfirmed, auth.CodeUserNotConfirmed, "The account is not confirmed yet."}},
		{reasonCase: reasonCase{auth.ReasonUserNotConfirmed, auth.CodeInvalidCredentials, wrongPassword}, hide: true},
		{reasonCase: reasonCase{auth.ReasonNotEnabled, auth.CodeInvalidRequest, notEnabled}},
		{reasonCase: reasonCase{auth.ReasonInvalidParameter, auth.CodeInvalidRequest, "the pool's words"}},
		{reasonCase: reasonCase{auth.ReasonTooManyRequests, auth.CodeTooManyRequests, "Too many requests; try again later."}},
		{reasonCase: reasonCase{auth.ReasonUnavailable, auth.CodeUpstreamUnavailable, "Cognito is unavailable, try again"}},
		{reasonCase: reasonCase{auth.ReasonMisconfigured, auth.CodeInternal, "internal error"}},
		{reasonCase: reasonCase{auth.ReasonUnknown, auth.CodeInternal, "internal error"}},
	}
	for _, c := range cases {
		name := string(c.reason)
		if c.hide {
			name += " with existing users hidden"
		}
		t.Run(name, func(t *testing.T) {
			opt, _ := withScript(func(p *scripted) {
				p.start = func(string, string) (*auth.Step, error) { return nil, poolErr(c.reason, "the pool's words") }
			})
			h := newHarness(t, opt, withConfig(func(cfg *auth.Config) { cfg.HideExistingUsers = c.hide }))
			res, err := h.svc.StartSignIn(h.ctx, auth.StartSignInRequest{Email: alice, Factor: auth.FactorWebAuthn})
			wantErr(t, err, c.want, c.message)
			if res != nil {
				t.Fatalf("%+v", res)
			}
		})
	}
}

// pendingChallenge is a challenge cookie's content for a challenge named name.
func pendingChallenge(name string) *auth.Challenge {
	return &auth.Challenge{Name: name, Session: "session-" + name, Username: "sub-1"}
}

// credential stands for an authenticator's answer (AuthenticationResponseJSON,
// RegistrationResponseJSON) of n bytes.
func credential(n int) json.RawMessage {
	const head, tail = `{"id":"`, `"}`
	return json.RawMessage(head + strings.Repeat("A", n-len(head)-len(tail)) + tail)
}

// An answer is checked before it reaches the pool.
func TestChoiceAnswersAreChecked(t *testing.T) {
	cases := []struct {
		name    string
		pending string
		answer  auth.ChallengeAnswer
	}{
		{"no factor", auth.ChallengeSelect, auth.ChallengeAnswer{}},
		{"a factor monban does not sign in with", auth.ChallengeSelect, auth.ChallengeAnswer{Factor: "SMS_OTP"}},
		{"a second factor", auth.ChallengeSelect, auth.ChallengeAnswer{Factor: auth.ChallengeTOTP}},
		{"an MFA type instead of a factor", auth.ChallengeSelect, auth.ChallengeAnswer{MFAType: auth.ChallengeEmailOTP}},
		{"the password factor without a password", auth.ChallengeSelect, auth.ChallengeAnswer{Factor: auth.FactorPassword}},
		{"the password factor with a password too long", auth.ChallengeSelect, auth.ChallengeAnswer{Factor: auth.FactorPassword, Password: strings.Repeat("x", 257)}},
		{"the password factor with a password not UTF-8", auth.ChallengeSelect, auth.ChallengeAnswer{Factor: auth.FactorPassword, Password: "Passw0rd-\xff"}},
		{"an answer to another challenge", auth.ChallengeSelect, auth.ChallengeAnswer{Challenge: auth.ChallengeWebAuthn, Factor: auth.FactorEmailOTP}},
		{"no credential", auth.ChallengeWebAuthn, auth.ChallengeAnswer{}},
		{"a credential of spaces", auth.ChallengeWebAuthn, auth.ChallengeAnswer{Credential: json.RawMessage("  ")}},
		{"a null credential", auth.ChallengeWebAuthn, auth.ChallengeAnswer{Credential: json.RawMessage("null")}},
		{"a credential that is a string", auth.ChallengeWebAuthn, auth.ChallengeAnswer{Credential: json.RawMessage(`"{}"`)}},
		{"a credential that is a list", auth.ChallengeWebAuthn, auth.ChallengeAnswer{Credential: json.RawMessage(`[{}]`)}},
		{"a credential that is no JSON", auth.ChallengeWebAuthn, auth.ChallengeAnswer{Credential: json.RawMessage(`{"id":`)}},
		{"a credential too large", auth.ChallengeWebAuthn, auth.ChallengeAnswer{Credential: credential(16<<10 + 1)}},
		{"a code instead of a credential", auth.ChallengeWebAuthn, auth.ChallengeAnswer{Code: "123456"}},
		{"no password", auth.ChallengePassword, auth.ChallengeAnswer{}},
		{"a new password instead of the password", auth.ChallengePassword, auth.ChallengeAnswer{NewPassword: password}},
		{"a password too long", auth.ChallengePassword, auth.ChallengeAnswer{Password: strings.Repeat("x", 257)}},
		{"no code sent by e-mail", auth.ChallengeEmailOTP, auth.ChallengeAnswer{Password: password}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			res, err := h.svc.RespondToChallenge(h.ctx, pendingChallenge(c.pending), c.answer)
			wantErr(t, err, auth.CodeInvalidRequest, "")
			if res != nil {
				t.Fatalf("%+v", res)
			}
			if n := h.pool.Calls("AnswerChallenge"); n != 0 {
				t.Fatalf("a malformed answer reached the pool (%d calls)", n)
			}
		})
	}
}

// What reaches the pool is the answer the challenge takes, and nothing the browser sent
// beside it.
func TestChoiceAnswersReachThePool(t *testing.T) {
	cases := []struct {
		name    string
		pending string
		answer  auth.ChallengeAnswer
		want    auth.Answer
	}{
		{"a factor that needs a round trip", auth.ChallengeSelect,
			auth.ChallengeAnswer{Factor: auth.FactorEmailOTP, Password: password, Code: "123456"},
			auth.Answer{Factor: auth.FactorEmailOTP}},
		{"a passkey chosen", auth.ChallengeSelect, auth.ChallengeAnswer{Challenge: auth.ChallengeSelect, Factor: auth.FactorWebAuthn},
			auth.Answer{Factor: auth.FactorWebAuthn}},
		{"the password chosen, with it", auth.ChallengeSelect, auth.ChallengeAnswer{Factor: auth.FactorPassword, Password: password},
			auth.Answer{Factor: auth.FactorPassword, Password: password}},
		{"a passkey's answer", auth.ChallengeWebAuthn, auth.ChallengeAnswer{Credential: credential(16 << 10), Factor: auth.FactorPassword},
			auth.Answer{Credential: credential(16 << 10)}},
		{"a passkey's answer after spaces", auth.ChallengeWebAuthn, auth.ChallengeAnswer{Credential: json.RawMessage(" \t\r\n{}")},
			auth.Answer{Credential: json.RawMessage(" \t\r\n{}")}},
		{"the password", auth.ChallengePassword, auth.ChallengeAnswer{Password: password, Code: "123456"}, auth.Answer{Password: password}},
		{"a code sent by e-mail", auth.ChallengeEmailOTP, auth.ChallengeAnswer{Code: "12345678", Factor: auth.FactorEmailOTP}, auth.Answer{Code: "12345678"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var h *harness
			opt, pool := withScript(func(p *scripted) {
				p.answer = func(auth.Challenge, auth.Answer) (*auth.Step, error) { return &auth.Step{Tokens: h.tokens(alice)}, nil }
			})
			h = newHarness(t, opt)
			h.user(alice, nil)
			res, err := h.svc.RespondToChallenge(h.ctx, pendingChallenge(c.pending), c.answer)
			if err != nil || res.Grant == nil {
				t.Fatalf("%+v %v", res, err)
			}
			got, want := pool.answered, c.want
			if got.Factor != want.Factor || got.Password != want.Password || got.Code != want.Code ||
				string(got.Credential) != string(want.Credential) || got.MFAType != "" || got.NewPassword != "" || got.Attributes != nil {
				t.Fatalf("the pool was answered %+v, want %+v", got, want)
			}
		})
	}
}

// A factor chosen leads to its own challenge, prompted as a first one is.
func TestChoiceLeadsToTheFactorsChallenge(t *testing.T) {
	opt, _ := withScript(func(p *scripted) {
		p.answer = func(c auth.Challenge, a auth.Answer) (*auth.Step, error) {
			return challengeStep(auth.NextChallenge{Name: a.Factor, Options: json.RawMessage(requestOptions), Session: "next-" + c.Session,
				Delivery: &auth.Delivery{Destination: "a***@e***", Medium: "EMAIL"}}), nil
		}
	})
	h := newHarness(t, opt)
	for factor, want := range map[string]map[string]any{
		auth.FactorWebAuthn: {"options": json.RawMessage(requestOptions)},
		auth.FactorEmailOTP: {"destination": "a***@e***", "medium": "EMAIL"},
		auth.FactorPassword: {},
	} {
		answer := auth.ChallengeAnswer{Factor: factor}
		if factor == auth.FactorPassword {
			answer.Password = password
		}
		res, err := h.svc.RespondToChallenge(h.ctx, pendingChallenge(auth.ChallengeSelect), answer)
		if err != nil || res.Prompt == nil {
			t.Fatalf("%s: %+v %v", factor, res, err)
		}
		pending := auth.Challenge{Name: factor, Session: "next-session-SELECT_CHALLENGE", Username: "sub-1"}
		if res.Prompt.Challenge != factor || *res.Pending != pending {
			t.Fatalf("%s: %+v %+v", factor, res.Prompt, res.Pending)
		}
		params(t, res.Prompt, want)
	}
}

// What the pool says about an answer lands on the contract: a passkey or password it does
// not accept may be tried again, a sign-in it no longer knows has expired.
func TestChoiceAnswerRefusals(t *testing.T) {
	type refusalCase struct {
		name    string
		pending string
		answer  auth.ChallengeAnswer
		reason  auth.Reason
		hide    bool
		want    auth.Code
		message string
	}
	passkey := auth.ChallengeAnswer{Credential: json.RawMessage(`{"id":"x"}`)}
	pw := auth.ChallengeAnswer{Password: password}
	choosePassword := auth.ChallengeAnswer{Factor: auth.FactorPassword, Password: password}
	chooseCode := auth.ChallengeAnswer{Factor: auth.FactorEmailOTP}
	code := auth.ChallengeAnswer{Code: "123456"}
	cases := []refusalCase{
		{"a passkey not accepted", auth.ChallengeWebAuthn, passkey, auth.ReasonPasskeyRefused, false, auth.CodeInvalidCredentials, passkeyRefused},
		{"a passkey for a sign-in expired", auth.ChallengeWebAuthn, passkey, auth.ReasonSessionExpired, false, auth.CodeUnauthenticated, signInExpired},
		// RespondToAuthChallenge has no WebAuthn exception: a passkey that does not verify is
		// NotAuthorizedException.
		{"a passkey refused as not authorized", auth.ChallengeWebAuthn, passkey, auth.ReasonNotAuthorized, false, auth.CodeInvalidCredentials, passkeyRefused},
		{"a passkey without passkeys enabled", auth.ChallengeWebAuthn, passkey, auth.ReasonNotEnabled, false, auth.CodeInvalidRequest, notEnabled},
		{"a password of a user not confirmed, existing users hidden", auth.ChallengePassword, pw, auth.ReasonUserNotConfirmed, true, auth.CodeInvalidCredentials, wrongPassword},
		{"a wrong password chosen", auth.ChallengeSelect, choosePassword, auth.ReasonNotAuthorized, false, auth.CodeInvalidCredentials, wrongPassword},
		{"a wrong password chosen, existing users hidden", auth.ChallengeSelect, choosePassword, auth.ReasonNotAuthorized, true, auth.CodeInvalidCredentials, wrongPassword},
		{"a factor for a sign-in expired", auth.ChallengeSelect, chooseCode, auth.ReasonNotAuthorized, false, auth.CodeUnauthenticated, signInExpired},
		{"a factor not offered", auth.ChallengeSelect, chooseCode, auth.ReasonInvalidParameter, false, auth.CodeInvalidRequest, "the pool's words"},
		{"a factor the pool does not allow", auth.ChallengeSelect, chooseCode, auth.ReasonNotEnabled, false, auth.CodeInvalidRequest, notEnabled},
		{"a code that cannot be sent", auth.ChallengeSelect, chooseCode, auth.ReasonDeliveryFailed, false, auth.CodeUpstreamUnavailable, "The code could not be delivered; try again later."},
		{"the pool unreachable", auth.ChallengeWebAuthn, passkey, auth.ReasonUnavailable, false, auth.CodeUpstreamUnavailable, "Cognito is unavailable, try again"},
	}
	// PASSWORD and EMAIL_OTP answer as a password sign-in and an MFA code do.
	for _, r := range passwordReasons {
		cases = append(cases, refusalCase{"a password, the pool says " + string(r.reason), auth.ChallengePassword, pw, r.reason, false, r.want, r.message})
	}
	for _, r := range codeReasons {
		cases = append(cases, refusalCase{"a code, the pool says " + string(r.reason), auth.ChallengeEmailOTP, code, r.reason, false, r.want, r.message})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, withConfig(func(cfg *auth.Config) { cfg.HideExistingUsers = c.hide }))
			h.pool.Fail("AnswerChallenge", poolErr(c.reason, "the pool's words"))
			res, err := h.svc.RespondToChallenge(h.ctx, pendingChallenge(c.pending), c.answer)
			wantErr(t, err, c.want, c.message)
			if res != nil {
				t.Fatalf("%+v", res)
			}
		})
	}
}

// sessionOf is a signed-in session of alice, for the passkey calls.
func sessionOf(h *harness) *auth.Session {
	h.t.Helper()
	h.user(alice, nil)
	return &h.signIn(alice).Session
}

func TestStartPasskeyRegistration(t *testing.T) {
	const creation = `{"challenge":"Y2hhbGxlbmdl","rp":{"id":"app.example.com","name":"Example"},"user":{"id":"dXNlcg","name":"alice@example.com","displayName":"alice@example.com"},"pubKeyCredParams":[{"type":"public-key","alg":-7}]}`
	cases := []struct {
		name    string
		options json.RawMessage
		err     error
		want    auth.Code
		message string
	}{
		{name: "creation options", options: json.RawMessage(creation)},
		{name: "no options", want: auth.CodeInternal, message: "internal error"},
		{name: "options that are a list", options: json.RawMessage(`[]`), want: auth.CodeInternal, message: "internal error"},
		{name: "options that are no JSON", options: json.RawMessage(`{`), want: auth.CodeInternal, message: "internal error"},
		{name: "passkeys not enabled", err: poolErr(auth.ReasonNotEnabled, ""), want: auth.CodeInvalidRequest, message: notEnabled},
		{name: "a revoked token", err: poolErr(auth.ReasonTokenRevoked, ""), want: auth.CodeUnauthenticated, message: sessionOver},
		{name: "a token refused", err: poolErr(auth.ReasonNotAuthorized, ""), want: auth.CodeUnauthenticated, message: sessionOver},
		{name: "the pool unreachable", err: poolErr(auth.ReasonUnavailable, ""), want: auth.CodeUpstreamUnavailable},
		{name: "the pool misconfigured", err: poolErr(auth.ReasonMisconfigured, ""), want: auth.CodeInternal},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opt, pool := withScript(func(p *scripted) {
				p.register = func() (json.RawMessage, error) { return c.options, c.err }
			})
			h := newHarness(t, opt)
			sess := sessionOf(h)
			got, err := h.svc.StartPasskeyRegistration(h.ctx, sess)
			wantErr(t, err, c.want, c.message)
			if pool.token != sess.AccessToken {
				t.Fatal("the pool was not asked with the session's access token")
			}
			if c.want == "" && string(got) != creation || c.want != "" && got != nil {
				t.Fatalf("options %s", got)
			}
		})
	}
}

func TestCompletePasskeyRegistration(t *testing.T) {
	cases := []struct {
		name       string
		credential json.RawMessage
		err        error
		calls      int // of the pool
		want       auth.Code
		message    string
	}{
		{name: "a new passkey", credential: credential(512), calls: 1},
		{name: "the largest answer", credential: credential(16 << 10), calls: 1},
		{name: "no answer", want: auth.CodeInvalidRequest, message: "credential is required"},
		{name: "a null answer", credential: json.RawMessage("null"), want: auth.CodeInvalidRequest, message: "credential is required"},
		{name: "an answer too large", credential: credential(16<<10 + 1), want: auth.CodeInvalidRequest, message: "credential is malformed"},
		{name: "an answer that is a list", credential: json.RawMessage(`[]`), want: auth.CodeInvalidRequest, message: "credential is malformed"},
		{name: "an answer that is no JSON", credential: json.RawMessage(`{"id"}`), want: auth.CodeInvalidRequest, message: "credential is malformed"},
		{name: "an answer that does not verify", credential: credential(512), err: poolErr(auth.ReasonPasskeyRefused, "the pool's words"), calls: 1,
			want: auth.CodeInvalidRequest, message: "The passkey could not be registered."},
		{name: "passkeys not enabled", credential: credential(512), err: poolErr(auth.ReasonNotEnabled, ""), calls: 1, want: auth.CodeInvalidRequest, message: notEnabled},
		{name: "a revoked token", credential: credential(512), err: poolErr(auth.ReasonTokenRevoked, ""), calls: 1, want: auth.CodeUnauthenticated, message: sessionOver},
		{name: "a token refused", credential: credential(512), err: poolErr(auth.ReasonNotAuthorized, ""), calls: 1, want: auth.CodeUnauthenticated, message: sessionOver},
		{name: "a value the pool refuses", credential: credential(512), err: poolErr(auth.ReasonInvalidParameter, "the pool's words"), calls: 1,
			want: auth.CodeInvalidRequest, message: "the pool's words"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got json.RawMessage
			opt, pool := withScript(func(p *scripted) {
				p.complete = func(credential json.RawMessage) error { got = credential; return c.err }
			})
			h := newHarness(t, opt)
			sess := sessionOf(h)
			err := h.svc.CompletePasskeyRegistration(h.ctx, sess, c.credential)
			wantErr(t, err, c.want, c.message)
			if pool.calls != c.calls || c.calls > 0 && (pool.token != sess.AccessToken || string(got) != string(c.credential)) {
				t.Fatalf("%d calls of the pool, with %.40s", pool.calls, got)
			}
		})
	}
}

func TestListPasskeys(t *testing.T) {
	created := epoch.Add(-time.Hour)
	cases := []struct {
		name string
		keys []auth.Passkey
		err  error
		want []auth.Passkey
		code auth.Code
	}{
		{name: "none", want: []auth.Passkey{}},
		{name: "none, as an empty list", keys: []auth.Passkey{}, want: []auth.Passkey{}},
		{name: "two",
			keys: []auth.Passkey{
				{ID: "a", Name: "Phone", RelyingPartyID: "app.example.com", Attachment: "platform", Transports: []string{"internal", "hybrid"}, CreatedAt: created},
				{ID: "b", RelyingPartyID: "app.example.com"},
			},
			want: []auth.Passkey{
				{ID: "a", Name: "Phone", RelyingPartyID: "app.example.com", Attachment: "platform", Transports: []string{"internal", "hybrid"}, CreatedAt: created},
				{ID: "b", RelyingPartyID: "app.example.com", Transports: []string{}},
			}},
		{name: "passkeys not enabled", err: poolErr(auth.ReasonNotEnabled, ""), code: auth.CodeInvalidRequest},
		{name: "a revoked token", err: poolErr(auth.ReasonTokenRevoked, ""), code: auth.CodeUnauthenticated},
		{name: "a token refused", err: poolErr(auth.ReasonNotAuthorized, ""), code: auth.CodeUnauthenticated},
		{name: "the pool unreachable", err: poolErr(auth.ReasonUnavailable, ""), code: auth.CodeUpstreamUnavailable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opt, pool := withScript(func(p *scripted) {
				p.list = func() ([]auth.Passkey, error) { return c.keys, c.err }
			})
			h := newHarness(t, opt)
			sess := sessionOf(h)
			got, err := h.svc.ListPasskeys(h.ctx, sess)
			wantErr(t, err, c.code, "")
			if pool.token != sess.AccessToken {
				t.Fatal("the pool was not asked with the session's access token")
			}
			b, _ := json.Marshal(got)
			w, _ := json.Marshal(c.want)
			if string(b) != string(w) || (c.want != nil) != (got != nil) {
				t.Fatalf("passkeys %s, want %s", b, w)
			}
		})
	}
}

func TestDeletePasskey(t *testing.T) {
	cases := []struct {
		name    string
		id      string
		err     error
		calls   int
		want    auth.Code
		message string
	}{
		{name: "a passkey", id: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", calls: 1},
		{name: "the longest id", id: base64.RawURLEncoding.EncodeToString(make([]byte, 1023)), calls: 1},
		{name: "no id", want: auth.CodeInvalidRequest, message: "id is required"},
		{name: "an id too long", id: base64.RawURLEncoding.EncodeToString(make([]byte, 1024)), want: auth.CodeInvalidRequest, message: "id is malformed"},
		{name: "an id with a line break", id: "AAEC\n", want: auth.CodeInvalidRequest, message: "id is malformed"},
		{name: "an id with NUL", id: "AA\x00EC", want: auth.CodeInvalidRequest, message: "id is malformed"},
		{name: "an id that is not UTF-8", id: "AA\xffEC", want: auth.CodeInvalidRequest, message: "id is malformed"},
		{name: "an unknown passkey", id: "AAEC", err: poolErr(auth.ReasonNotFound, ""), calls: 1, want: auth.CodeNotFound, message: "No such passkey."},
		{name: "a revoked token", id: "AAEC", err: poolErr(auth.ReasonTokenRevoked, ""), calls: 1, want: auth.CodeUnauthenticated, message: sessionOver},
		{name: "a token refused", id: "AAEC", err: poolErr(auth.ReasonNotAuthorized, ""), calls: 1, want: auth.CodeUnauthenticated, message: sessionOver},
		{name: "passkeys not enabled", id: "AAEC", err: poolErr(auth.ReasonNotEnabled, ""), calls: 1, want: auth.CodeInvalidRequest, message: notEnabled},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opt, pool := withScript(func(p *scripted) {
				p.remove = func(string) error { return c.err }
			})
			h := newHarness(t, opt)
			sess := sessionOf(h)
			err := h.svc.DeletePasskey(h.ctx, sess, c.id)
			wantErr(t, err, c.want, c.message)
			if pool.calls != c.calls || c.calls > 0 && (pool.token != sess.AccessToken || pool.id != c.id) {
				t.Fatalf("%d calls of the pool, with %q", pool.calls, pool.id)
			}
		})
	}
}
