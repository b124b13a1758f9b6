package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/auth/userpooltest"
)

const tempPassword = "Temp-Passw0rd!"

func TestSignInPassword(t *testing.T) {
	const wrong = "Incorrect username or password."
	type signInCase struct {
		name    string
		cfg     func(*auth.Config)
		prepare func(h *harness) // after alice is signed up and confirmed
		creds   auth.Credentials
		want    auth.Code
		message string
	}
	cases := []signInCase{
		{name: "by username", creds: auth.Credentials{Username: alice, Password: password}},
		{name: "by e-mail", creds: auth.Credentials{Email: alice, Password: password}},
		{name: "the username before the e-mail", creds: auth.Credentials{Username: alice, Email: bob, Password: password}},
		{name: "an unknown user", creds: auth.Credentials{Email: bob, Password: password}, want: auth.CodeInvalidCredentials, message: wrong},
		{name: "a wrong password", creds: auth.Credentials{Email: alice, Password: "Wr0ng-Passw0rd!"}, want: auth.CodeInvalidCredentials, message: wrong},
		{name: "a disabled user", prepare: func(h *harness) { must(h.t, h.pool.Disable(alice)) },
			creds: auth.Credentials{Email: alice, Password: password}, want: auth.CodeInvalidCredentials, message: wrong},
		{name: "an unconfirmed user is told to confirm",
			prepare: func(h *harness) { signUpAtPool(h, bob) },
			creds:   auth.Credentials{Email: bob, Password: password}, want: auth.CodeUserNotConfirmed},
		{name: "an unconfirmed user with existing users hidden",
			cfg:     func(c *auth.Config) { c.HideExistingUsers = true },
			prepare: func(h *harness) { signUpAtPool(h, bob) },
			creds:   auth.Credentials{Email: bob, Password: password}, want: auth.CodeInvalidCredentials, message: wrong},
		{name: "a password an administrator reset",
			prepare: func(h *harness) { must(h.t, h.pool.ResetPassword(alice)) },
			creds:   auth.Credentials{Email: alice, Password: password}, want: auth.CodePasswordResetRequired},
		{name: "no name", creds: auth.Credentials{Password: password}, want: auth.CodeInvalidRequest},
		{name: "a name too long", creds: auth.Credentials{Email: strings.Repeat("a", 117) + "@example.com", Password: password}, want: auth.CodeInvalidRequest},
		{name: "a name of the longest length", creds: auth.Credentials{Email: strings.Repeat("a", 116) + "@example.com", Password: password},
			want: auth.CodeInvalidCredentials},
		{name: "a name with a line break", creds: auth.Credentials{Email: "alice@example.com\n", Password: password}, want: auth.CodeInvalidRequest},
		{name: "a name with a tab", creds: auth.Credentials{Email: "alice\t@example.com", Password: password}, want: auth.CodeInvalidRequest},
		{name: "a name with NUL", creds: auth.Credentials{Email: "alice\x00@example.com", Password: password}, want: auth.CodeInvalidRequest},
		{name: "a name that is not UTF-8", creds: auth.Credentials{Email: "alice\xff@example.com", Password: password}, want: auth.CodeInvalidRequest},
		{name: "no password", creds: auth.Credentials{Email: alice}, want: auth.CodeInvalidRequest},
		{name: "a password too long", creds: auth.Credentials{Email: alice, Password: strings.Repeat("P4ss-", 51) + "xx"}, want: auth.CodeInvalidRequest},
		{name: "a password that is not UTF-8", creds: auth.Credentials{Email: alice, Password: "Passw0rd-\xff"}, want: auth.CodeInvalidRequest},
		{name: "the pool timed out", prepare: func(h *harness) { h.pool.Fail("SignInPassword", context.DeadlineExceeded) },
			creds: auth.Credentials{Email: alice, Password: password}, want: auth.CodeUpstreamUnavailable},
		{name: "the pool failed in a way it cannot name", prepare: func(h *harness) { h.pool.Fail("SignInPassword", errors.New("boom")) },
			creds: auth.Credentials{Email: alice, Password: password}, want: auth.CodeInternal, message: "internal error"},
	}
	// Every reason the pool gives lands on the contract; whatever the pool says about an
	// unknown user or a wrong password, the answer is the same (cognito-local reports a
	// wrong password as an invalid one).
	for _, r := range passwordReasons {
		err := poolErr(r.reason, "whatever Cognito says")
		cases = append(cases, signInCase{name: "the pool says " + string(r.reason), prepare: func(h *harness) { h.pool.Fail("SignInPassword", err) },
			creds: auth.Credentials{Email: alice, Password: password}, want: r.want, message: r.message})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, withConfig(c.cfg))
			h.user(alice, map[string]string{"name": "Alice"})
			if c.prepare != nil {
				c.prepare(h)
			}
			res, err := h.svc.SignInPassword(h.ctx, c.creds)
			wantErr(t, err, c.want, c.message)
			if strings.Contains(messageOf(err), "whatever Cognito says") || (err != nil && strings.Contains(err.Error(), "whatever Cognito says")) {
				t.Fatalf("the pool's words reached the error: %v", err)
			}
			if c.want != "" {
				if res != nil {
					t.Fatalf("a refusal returned %+v", res)
				}
				return
			}
			u := res.Grant.Session.User
			if res.Prompt != nil || res.Pending != nil || u.Email != alice || !u.EmailVerified || u.Attributes.Get("name") != "Alice" {
				t.Fatalf("result %+v, user %+v", res, u)
			}
		})
	}
}

// reasonCase is how a flow answers one reason the pool gives: the contract's code and, when
// not "", the user-facing message.
type reasonCase struct {
	reason  auth.Reason
	want    auth.Code
	message string
}

// passwordReasons are the answers to a password refused, whether it starts the sign-in or
// answers choice-based sign-in's PASSWORD: whatever the pool says about an unknown user or
// a wrong password, the answer is the same (cognito-local reports a wrong password as an
// invalid one).
var passwordReasons = []reasonCase{
	{auth.ReasonNotAuthorized, auth.CodeInvalidCredentials, wrongPassword},
	{auth.ReasonUserNotFound, auth.CodeInvalidCredentials, wrongPassword},
	{auth.ReasonInvalidPassword, auth.CodeInvalidCredentials, wrongPassword},
	{auth.ReasonUserNotConfirmed, auth.CodeUserNotConfirmed, "The account is not confirmed yet."},
	{auth.ReasonPasswordResetRequired, auth.CodePasswordResetRequired, "The password must be reset before signing in."},
	{auth.ReasonTooManyRequests, auth.CodeTooManyRequests, "Too many requests; try again later."},
	{auth.ReasonTooManyFailedAttempts, auth.CodeTooManyRequests, "Too many failed attempts; try again later."},
	{auth.ReasonUnavailable, auth.CodeUpstreamUnavailable, "Cognito is unavailable, try again"},
	{auth.ReasonMisconfigured, auth.CodeInternal, "internal error"},
	{auth.ReasonUnknown, auth.CodeInternal, "internal error"},
}

// codeReasons are the answers to a code refused, an MFA code or choice-based sign-in's
// e-mail code: a sign-in the pool no longer knows has expired.
var codeReasons = []reasonCase{
	{auth.ReasonNotAuthorized, auth.CodeUnauthenticated, signInExpired},
	{auth.ReasonUserNotFound, auth.CodeUnauthenticated, signInExpired},
	{auth.ReasonCodeMismatch, auth.CodeCodeMismatch, "The code is not correct."},
	{auth.ReasonExpiredCode, auth.CodeExpiredCode, "The code has expired; request a new one."},
	{auth.ReasonTooManyFailedAttempts, auth.CodeTooManyRequests, "Too many failed attempts; try again later."},
	{auth.ReasonLimitExceeded, auth.CodeTooManyRequests, "Too many attempts; try again later."},
	{auth.ReasonUnavailable, auth.CodeUpstreamUnavailable, "Cognito is unavailable, try again"},
	{auth.ReasonNotFound, auth.CodeInternal, "internal error"},
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// signUpAtPool registers an unconfirmed user straight at the pool.
func signUpAtPool(h *harness, name string) {
	h.t.Helper()
	if _, err := h.pool.SignUp(h.ctx, auth.NewUser{Username: name, Password: password}); err != nil {
		h.t.Fatal(err)
	}
}

// step is one answer of a chained sign-in: the prompt it expects and the answer it gives.
type step struct {
	prompt string
	check  func(t *testing.T, h *harness, p *auth.Prompt)
	answer func(h *harness, p *auth.Prompt) auth.ChallengeAnswer
}

func codeFromPool(name string) func(h *harness, _ *auth.Prompt) auth.ChallengeAnswer {
	return func(h *harness, _ *auth.Prompt) auth.ChallengeAnswer {
		return auth.ChallengeAnswer{Code: h.pool.Code(name)}
	}
}

func totpNow(h *harness, secret string) string {
	h.t.Helper()
	c, err := userpooltest.TOTP(secret, h.clock.Now())
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

// addAuthenticator sets up an authenticator app for a signed-in user through the flows and
// returns its secret.
func addAuthenticator(h *harness, name string) string {
	h.t.Helper()
	g := h.signIn(name)
	setup, err := h.svc.SetupTOTP(h.ctx, &g.Session)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := h.svc.VerifyTOTP(h.ctx, &g.Session, auth.VerifyTOTPRequest{Code: totpNow(h, setup.Secret)}); err != nil {
		h.t.Fatal(err)
	}
	return setup.Secret
}

func params(t *testing.T, p *auth.Prompt, want map[string]any) {
	t.Helper()
	got, _ := json.Marshal(p.Parameters)
	exp, _ := json.Marshal(want)
	if string(got) != string(exp) {
		t.Fatalf("%s parameters %s, want %s", p.Challenge, got, exp)
	}
}

// Cognito chains challenges: a new password, then a second factor, or a choice of factor,
// then its code. Each prompt says what the browser needs and never carries Cognito's
// session; each pending challenge names the user as the pool knows them.
func TestChainedChallenges(t *testing.T) {
	var secret string // the authenticator app set up at sign-in
	cases := []struct {
		name      string
		pool      func(*userpooltest.Options)
		prepare   func(h *harness) (signInPassword string)
		steps     []step
		attrs     map[string]string // the session's user has them
		afterTOTP bool              // the next sign-in asks for the authenticator app
	}{
		{
			name: "a new password, then an SMS code",
			prepare: func(h *harness) string {
				must(h.t, h.pool.CreateUser(alice, tempPassword, map[string]string{"phone_number": "+15555550100"}))
				must(h.t, h.pool.SetMFAPreference(alice, []string{auth.ChallengeSMS}, auth.ChallengeSMS))
				return tempPassword
			},
			steps: []step{
				{prompt: auth.ChallengeNewPassword,
					check: func(t *testing.T, h *harness, p *auth.Prompt) {
						params(t, p, map[string]any{"required_attributes": []string{}})
					},
					answer: func(*harness, *auth.Prompt) auth.ChallengeAnswer {
						return auth.ChallengeAnswer{Challenge: auth.ChallengeNewPassword, NewPassword: password, Attributes: map[string]string{"name": "Alice"}}
					}},
				{prompt: auth.ChallengeSMS,
					check: func(t *testing.T, h *harness, p *auth.Prompt) {
						params(t, p, map[string]any{"destination": "+*******0100", "medium": "SMS"})
					},
					answer: codeFromPool(alice)},
			},
			attrs: map[string]string{"name": "Alice", "phone_number": "+15555550100"},
		},
		{
			name: "a new password, then setting up an authenticator app",
			pool: func(o *userpooltest.Options) { o.MFARequired = true },
			prepare: func(h *harness) string {
				must(h.t, h.pool.CreateUser(alice, tempPassword, nil))
				return tempPassword
			},
			steps: []step{
				{prompt: auth.ChallengeNewPassword, answer: func(*harness, *auth.Prompt) auth.ChallengeAnswer {
					return auth.ChallengeAnswer{NewPassword: password}
				}},
				{prompt: auth.ChallengeMFASetup,
					check: func(t *testing.T, h *harness, p *auth.Prompt) {
						secret, _ = p.Parameters["secret"].(string)
						uri, _ := p.Parameters["otpauth_uri"].(string)
						// The app shows the address the user signed in with, not the pool's UUID
						// for them, even after a challenge before this one.
						if secret == "" || !strings.HasPrefix(uri, "otpauth://totp/"+url.PathEscape("Example:"+alice)+"?") || !strings.Contains(uri, "secret="+secret) {
							t.Fatalf("MFA_SETUP parameters %v", p.Parameters)
						}
						if !slices.Equal(p.Parameters["mfas_can_setup"].([]string), []string{auth.ChallengeTOTP}) {
							t.Fatalf("mfas_can_setup %v", p.Parameters["mfas_can_setup"])
						}
					},
					answer: func(h *harness, p *auth.Prompt) auth.ChallengeAnswer {
						return auth.ChallengeAnswer{Code: totpNow(h, p.Parameters["secret"].(string))}
					}},
			},
			afterTOTP: true,
		},
		{
			name: "choosing a factor, then its code",
			prepare: func(h *harness) string {
				h.user(alice, map[string]string{"phone_number": "+15555550100"})
				must(h.t, h.pool.SetMFAPreference(alice, []string{auth.ChallengeSMS, auth.ChallengeEmailOTP}, ""))
				return password
			},
			steps: []step{
				{prompt: auth.ChallengeSelectMFAType,
					check: func(t *testing.T, h *harness, p *auth.Prompt) {
						params(t, p, map[string]any{"mfas_can_choose": []string{auth.ChallengeSMS, auth.ChallengeEmailOTP}})
					},
					answer: func(*harness, *auth.Prompt) auth.ChallengeAnswer {
						return auth.ChallengeAnswer{MFAType: auth.ChallengeEmailOTP}
					}},
				{prompt: auth.ChallengeEmailOTP,
					check: func(t *testing.T, h *harness, p *auth.Prompt) {
						params(t, p, map[string]any{"destination": "a***@e***", "medium": "EMAIL"})
					},
					answer: codeFromPool(alice)},
			},
		},
		{
			name: "an e-mail one-time code",
			prepare: func(h *harness) string {
				h.user(alice, nil)
				must(h.t, h.pool.SetMFAPreference(alice, []string{auth.ChallengeEmailOTP}, auth.ChallengeEmailOTP))
				return password
			},
			steps: []step{{prompt: auth.ChallengeEmailOTP, answer: codeFromPool(alice)}},
		},
		{
			name: "an authenticator code",
			prepare: func(h *harness) string {
				h.user(alice, nil)
				secret = addAuthenticator(h, alice)
				return password
			},
			steps: []step{{prompt: auth.ChallengeTOTP,
				check: func(t *testing.T, h *harness, p *auth.Prompt) { params(t, p, map[string]any{}) },
				answer: func(h *harness, _ *auth.Prompt) auth.ChallengeAnswer {
					return auth.ChallengeAnswer{Challenge: auth.ChallengeTOTP, Code: totpNow(h, secret)}
				}}},
			afterTOTP: true,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, withPool(c.pool))
			pw := c.prepare(h)
			res, err := h.svc.SignInPassword(h.ctx, auth.Credentials{Email: alice, Password: pw})
			var sub string
			for i, s := range c.steps {
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if res.Grant != nil || res.Prompt == nil || res.Prompt.Challenge != s.prompt || res.Pending.Name != s.prompt {
					t.Fatalf("step %d: %+v, want %s", i, res, s.prompt)
				}
				if b, _ := json.Marshal(res.Prompt); strings.Contains(string(b), res.Pending.Session) {
					t.Fatalf("Cognito's session leaked into the prompt: %s", b)
				}
				// The pool knows an e-mail user by their sub: every answer names that.
				if sub == "" {
					sub = res.Pending.Username
				}
				if res.Pending.Username == alice || res.Pending.Username != sub {
					t.Fatalf("step %d: the answer names %q", i, res.Pending.Username)
				}
				if s.check != nil {
					s.check(t, h, res.Prompt)
				}
				res, err = h.svc.RespondToChallenge(h.ctx, res.Pending, s.answer(h, res.Prompt))
			}
			if err != nil || res.Grant == nil || res.Prompt != nil {
				t.Fatalf("final: %+v %v", res, err)
			}
			u := res.Grant.Session.User
			if u.Sub != sub || u.Email != alice || res.Grant.Refresh == nil {
				t.Fatalf("user %+v", u)
			}
			for k, v := range c.attrs {
				if u.Attributes.Get(k) != v {
					t.Fatalf("attribute %s = %q, want %q", k, u.Attributes.Get(k), v)
				}
			}
			// The password the user chose is theirs from now on.
			h.clock.Advance(time.Minute)
			res, err = h.svc.SignInPassword(h.ctx, auth.Credentials{Email: alice, Password: password})
			if err != nil {
				t.Fatal(err)
			}
			if c.afterTOTP != (res.Prompt != nil && res.Prompt.Challenge == auth.ChallengeTOTP) {
				t.Fatalf("next sign-in: %+v", res.Prompt)
			}
		})
	}
}

// NEW_PASSWORD_REQUIRED lists the attributes the pool requires (without Cognito's
// "userAttributes." prefix, which the adapter strips), and the answer sets them.
func TestNewPasswordPromptListsRequiredAttributes(t *testing.T) {
	h := newHarness(t, withWrap(func(p *userpooltest.Pool) auth.UserPool {
		return signInWith{p, func(ctx context.Context, name, pw string) (*auth.Step, error) {
			st, err := p.SignInPassword(ctx, name, pw)
			if err == nil && st.Next != nil {
				st.Next.RequiredAttributes = []string{"name", "custom:tenant"}
			}
			return st, err
		}}
	}))
	must(t, h.pool.CreateUser(alice, tempPassword, nil))
	res, err := h.svc.SignInPassword(h.ctx, auth.Credentials{Email: alice, Password: tempPassword})
	if err != nil {
		t.Fatal(err)
	}
	params(t, res.Prompt, map[string]any{"required_attributes": []string{"name", "custom:tenant"}})
	res, err = h.svc.RespondToChallenge(h.ctx, res.Pending, auth.ChallengeAnswer{NewPassword: password, Attributes: map[string]string{"custom:tenant": "t1"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Grant.Session.User.Attributes.Get("custom:tenant"); got != "t1" {
		t.Fatalf("custom:tenant = %q", got)
	}
}

// signInWith is a pool whose SignInPassword answers with what the test says.
type signInWith struct {
	*userpooltest.Pool
	answer func(ctx context.Context, username, password string) (*auth.Step, error)
}

func (p signInWith) SignInPassword(ctx context.Context, username, password string) (*auth.Step, error) {
	return p.answer(ctx, username, password)
}

// A pool answer the flows cannot follow is monban's fault (internal), never a session.
func TestSignInWithAnAnswerTheFlowsCannotFollow(t *testing.T) {
	cases := []struct {
		name string
		step *auth.Step
	}{
		{"no step", nil},
		{"neither tokens nor a challenge", &auth.Step{}},
		{"a challenge without a session", &auth.Step{Next: &auth.NextChallenge{Name: auth.ChallengeTOTP}}},
		{"a challenge without a name", &auth.Step{Next: &auth.NextChallenge{Session: "s"}}},
		{"a challenge monban does not answer", &auth.Step{Next: &auth.NextChallenge{Name: "CUSTOM_CHALLENGE", Session: "s"}}},
		{"SRP", &auth.Step{Next: &auth.NextChallenge{Name: "PASSWORD_VERIFIER", Session: "s"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, withWrap(func(p *userpooltest.Pool) auth.UserPool {
				return signInWith{p, func(context.Context, string, string) (*auth.Step, error) { return c.step, nil }}
			}))
			res, err := h.svc.SignInPassword(h.ctx, auth.Credentials{Email: alice, Password: password})
			if codeOf(err) != auth.CodeInternal || res != nil {
				t.Fatalf("%+v %v", res, err)
			}
		})
	}
}

func TestChallengeAnswersAreChecked(t *testing.T) {
	pending := func(name string) *auth.Challenge {
		return &auth.Challenge{Name: name, Session: "session-" + name, Username: "sub-1"}
	}
	many := map[string]string{}
	for i := range 33 {
		many["custom:a"+string(rune('a'+i%26))+string(rune('a'+i/26))] = "x"
	}
	cases := []struct {
		name    string
		pending *auth.Challenge
		answer  auth.ChallengeAnswer
		want    auth.Code
	}{
		{"no pending challenge", nil, auth.ChallengeAnswer{Code: "1"}, auth.CodeNoChallenge},
		{"an answer to another challenge", pending(auth.ChallengeTOTP), auth.ChallengeAnswer{Challenge: auth.ChallengeSMS, Code: "1"}, auth.CodeInvalidRequest},
		{"a pending challenge monban does not answer", pending("CUSTOM_CHALLENGE"), auth.ChallengeAnswer{Code: "1"}, auth.CodeInvalidRequest},
		{"a missing code", pending(auth.ChallengeTOTP), auth.ChallengeAnswer{}, auth.CodeInvalidRequest},
		{"a code with spaces", pending(auth.ChallengeSMS), auth.ChallengeAnswer{Code: "12 34"}, auth.CodeInvalidRequest},
		{"a code with NUL", pending(auth.ChallengeEmailOTP), auth.ChallengeAnswer{Code: "12\x0034"}, auth.CodeInvalidRequest},
		{"a code too long", pending(auth.ChallengeEmailOTP), auth.ChallengeAnswer{Code: strings.Repeat("1", 65)}, auth.CodeInvalidRequest},
		{"a code that is not UTF-8", pending(auth.ChallengeEmailOTP), auth.ChallengeAnswer{Code: "12\xff"}, auth.CodeInvalidRequest},
		{"a missing new password", pending(auth.ChallengeNewPassword), auth.ChallengeAnswer{}, auth.CodeInvalidRequest},
		{"a new password too long", pending(auth.ChallengeNewPassword), auth.ChallengeAnswer{NewPassword: strings.Repeat("x", 257)}, auth.CodeInvalidRequest},
		{"a malformed attribute name", pending(auth.ChallengeNewPassword), auth.ChallengeAnswer{NewPassword: password, Attributes: map[string]string{"bad name": "x"}}, auth.CodeInvalidRequest},
		{"an attribute value too long", pending(auth.ChallengeNewPassword), auth.ChallengeAnswer{NewPassword: password, Attributes: map[string]string{"name": strings.Repeat("x", 2049)}}, auth.CodeInvalidRequest},
		{"an attribute value not UTF-8", pending(auth.ChallengeNewPassword), auth.ChallengeAnswer{NewPassword: password, Attributes: map[string]string{"name": "\xff"}}, auth.CodeInvalidRequest},
		{"too many attributes", pending(auth.ChallengeNewPassword), auth.ChallengeAnswer{NewPassword: password, Attributes: many}, auth.CodeInvalidRequest},
		{"an unknown factor", pending(auth.ChallengeSelectMFAType), auth.ChallengeAnswer{MFAType: "PIGEON"}, auth.CodeInvalidRequest},
		{"no factor", pending(auth.ChallengeSelectMFAType), auth.ChallengeAnswer{}, auth.CodeInvalidRequest},
		{"no code for a new authenticator app", pending(auth.ChallengeMFASetup), auth.ChallengeAnswer{}, auth.CodeInvalidRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			res, err := h.svc.RespondToChallenge(h.ctx, c.pending, c.answer)
			if codeOf(err) != c.want || res != nil {
				t.Fatalf("%+v %v, want %s", res, err, c.want)
			}
			if n := h.pool.Calls("AnswerChallenge") + h.pool.Calls("VerifyTOTP"); n != 0 {
				t.Fatalf("a malformed answer reached the pool (%d calls)", n)
			}
		})
	}
}

// What the pool says about an answer lands on the contract: a sign-in the pool no longer
// knows has expired; a wrong code may be tried again.
func TestChallengeRefusals(t *testing.T) {
	const expired = "The sign-in has expired; sign in again."
	type answerer func(h *harness, pending *auth.Challenge) (*auth.SignInResult, error)
	right := func(h *harness, pending *auth.Challenge) (*auth.SignInResult, error) {
		return h.svc.RespondToChallenge(h.ctx, pending, auth.ChallengeAnswer{Code: h.pool.Code(alice)})
	}
	type refusalCase struct {
		name    string
		answer  answerer
		want    auth.Code
		message string
		retry   bool // the right code still signs in afterwards
	}
	cases := []refusalCase{
		{name: "a wrong code", answer: func(h *harness, pending *auth.Challenge) (*auth.SignInResult, error) {
			return h.svc.RespondToChallenge(h.ctx, pending, auth.ChallengeAnswer{Code: otherThan(h.pool.Code(alice))})
		}, want: auth.CodeCodeMismatch, message: "The code is not correct.", retry: true},
		{name: "a session used twice", answer: func(h *harness, pending *auth.Challenge) (*auth.SignInResult, error) {
			if _, err := right(h, pending); err != nil {
				h.t.Fatal(err)
			}
			return right(h, pending)
		}, want: auth.CodeUnauthenticated, message: expired},
		{name: "a session too old", answer: func(h *harness, pending *auth.Challenge) (*auth.SignInResult, error) {
			h.clock.Advance(4 * time.Minute)
			return right(h, pending)
		}, want: auth.CodeUnauthenticated, message: expired},
		{name: "a session of another user", answer: func(h *harness, pending *auth.Challenge) (*auth.SignInResult, error) {
			other := *pending
			other.Username = bob
			return right(h, &other)
		}, want: auth.CodeUnauthenticated, message: expired},
		{name: "a forged session", answer: func(h *harness, pending *auth.Challenge) (*auth.SignInResult, error) {
			other := *pending
			other.Session = "forged"
			return right(h, &other)
		}, want: auth.CodeUnauthenticated, message: expired, retry: true},
	}
	for _, r := range codeReasons {
		err := poolErr(r.reason, "")
		cases = append(cases, refusalCase{name: "the pool says " + string(r.reason), answer: func(h *harness, pending *auth.Challenge) (*auth.SignInResult, error) {
			h.pool.Fail("AnswerChallenge", err)
			return right(h, pending)
		}, want: r.want, message: r.message, retry: true})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			h.user(alice, nil)
			h.user(bob, nil)
			must(t, h.pool.SetMFAPreference(alice, []string{auth.ChallengeEmailOTP}, auth.ChallengeEmailOTP))
			res, err := h.svc.SignInPassword(h.ctx, auth.Credentials{Email: alice, Password: password})
			if err != nil || res.Pending == nil {
				t.Fatalf("%+v %v", res, err)
			}
			pending := res.Pending
			got, err := c.answer(h, pending)
			wantErr(t, err, c.want, c.message)
			if got != nil {
				t.Fatalf("a refusal returned %+v", got)
			}
			if c.retry {
				if res, err := right(h, pending); err != nil || res.Grant == nil {
					t.Fatalf("the right code after the refusal: %+v %v", res, err)
				}
			}
		})
	}
}

// The pool's own words about a new password (its policy) and a refused attribute are shown;
// a factor it did not offer is refused.
func TestChallengeAnswersThePoolRefuses(t *testing.T) {
	cases := []struct {
		name    string
		prepare func(h *harness)
		answer  auth.ChallengeAnswer
		want    auth.Code
		message string
	}{
		{name: "a new password against the policy",
			prepare: func(h *harness) { must(h.t, h.pool.CreateUser(alice, tempPassword, nil)) },
			answer:  auth.ChallengeAnswer{NewPassword: "short"},
			want:    auth.CodeInvalidPassword, message: "Password does not conform to policy: Password not long enough"},
		{name: "an attribute outside the schema",
			prepare: func(h *harness) { must(h.t, h.pool.CreateUser(alice, tempPassword, nil)) },
			answer:  auth.ChallengeAnswer{NewPassword: password, Attributes: map[string]string{"shoe_size": "9"}},
			want:    auth.CodeInvalidRequest, message: "Attributes did not conform to the schema: Type for attribute {shoe_size} could not be determined"},
		{name: "a factor not offered",
			prepare: func(h *harness) {
				h.user(alice, map[string]string{"phone_number": "+15555550100"})
				must(h.t, h.pool.SetMFAPreference(alice, []string{auth.ChallengeSMS, auth.ChallengeEmailOTP}, ""))
			},
			answer: auth.ChallengeAnswer{MFAType: auth.ChallengeTOTP},
			want:   auth.CodeInvalidRequest, message: "Invalid MFA type: SOFTWARE_TOKEN_MFA"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			c.prepare(h)
			pw := password
			if h.pool.Calls("SignUp") == 0 {
				pw = tempPassword
			}
			res, err := h.svc.SignInPassword(h.ctx, auth.Credentials{Email: alice, Password: pw})
			if err != nil || res.Pending == nil {
				t.Fatalf("%+v %v", res, err)
			}
			_, err = h.svc.RespondToChallenge(h.ctx, res.Pending, c.answer)
			wantErr(t, err, c.want, c.message)
		})
	}
}

// offerWith is a pool whose MFA_SETUP offers the factors the test names.
type offerWith struct {
	*userpooltest.Pool
	offer []string
}

func (p offerWith) SignInPassword(ctx context.Context, username, password string) (*auth.Step, error) {
	st, err := p.Pool.SignInPassword(ctx, username, password)
	if err == nil && st.Next != nil && st.Next.Name == auth.ChallengeMFASetup {
		st.Next.MFATypes = p.offer
	}
	return st, err
}

// stableSessions is a pool that keeps one session for a whole sign-in, as some emulators
// do: adding an authenticator app hands out no new session, so the flows must keep the one
// they hold. Behind it, the sessions the real pool hands out are followed.
type stableSessions struct {
	*userpooltest.Pool
	latest map[string]string // the session the flows hold → the pool's current one
}

func (p *stableSessions) current(s string) string {
	if l, ok := p.latest[s]; ok {
		return l
	}
	return s
}

func (p *stableSessions) AssociateTOTP(ctx context.Context, who auth.TOTPUser) (*auth.TOTPAssociation, error) {
	if who.Session == "" {
		return p.Pool.AssociateTOTP(ctx, who)
	}
	a, err := p.Pool.AssociateTOTP(ctx, auth.TOTPUser{Session: p.current(who.Session)})
	if err != nil {
		return nil, err
	}
	p.latest[who.Session] = a.Session
	return &auth.TOTPAssociation{Secret: a.Secret}, nil
}

func (p *stableSessions) VerifyTOTP(ctx context.Context, who auth.TOTPUser, code, name string) (string, error) {
	if who.Session == "" {
		return p.Pool.VerifyTOTP(ctx, who, code, name)
	}
	s, err := p.Pool.VerifyTOTP(ctx, auth.TOTPUser{Session: p.current(who.Session)}, code, name)
	if err != nil {
		return "", err
	}
	p.latest[who.Session] = s
	return "", nil
}

func (p *stableSessions) AnswerChallenge(ctx context.Context, c auth.Challenge, a auth.Answer) (*auth.Step, error) {
	c.Session = p.current(c.Session)
	return p.Pool.AnswerChallenge(ctx, c, a)
}

// MFA_SETUP: an authenticator app is associated as the prompt is made (unless the pool
// offers other factors only), and its first code is verified before the challenge is
// answered, with whichever session the pool handed out last.
func TestMFASetup(t *testing.T) {
	cases := []struct {
		name    string
		wrap    func(p *userpooltest.Pool) auth.UserPool
		prepare func(h *harness)
		// signIn is the code expected of the sign-in, answer of the answer ("": success).
		signIn, answer auth.Code
		secret         bool   // the prompt carries a secret
		code           string // the answer's code ("": the right one)
		wrong          bool   // the answer's code is a wrong one
		retry          bool   // the right code still signs in afterwards
	}{
		{name: "the pool offers the authenticator app", secret: true},
		{name: "the pool names no factor", wrap: func(p *userpooltest.Pool) auth.UserPool { return offerWith{p, nil} }, secret: true},
		{name: "the pool offers other factors only", wrap: func(p *userpooltest.Pool) auth.UserPool { return offerWith{p, []string{auth.ChallengeSMS}} },
			code: "123456", answer: auth.CodeInvalidRequest},
		{name: "a pool that keeps one session", wrap: func(p *userpooltest.Pool) auth.UserPool {
			return &stableSessions{Pool: p, latest: map[string]string{}}
		}, secret: true},
		{name: "the association fails", prepare: func(h *harness) { h.pool.Fail("AssociateTOTP", poolErr(auth.ReasonNotAuthorized, "")) },
			signIn: auth.CodeUnauthenticated},
		{name: "the association is unavailable", prepare: func(h *harness) { h.pool.Fail("AssociateTOTP", poolErr(auth.ReasonUnavailable, "")) },
			signIn: auth.CodeUpstreamUnavailable},
		{name: "a wrong first code", secret: true, wrong: true, answer: auth.CodeCodeMismatch, retry: true},
		{name: "the verification finds the sign-in expired", prepare: func(h *harness) {
			h.pool.Fail("VerifyTOTP", poolErr(auth.ReasonNotAuthorized, ""))
		}, secret: true, answer: auth.CodeUnauthenticated, retry: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, withPool(func(o *userpooltest.Options) { o.MFARequired = true }), withWrap(c.wrap))
			h.user(alice, nil)
			if c.prepare != nil {
				c.prepare(h)
			}
			res, err := h.svc.SignInPassword(h.ctx, auth.Credentials{Email: alice, Password: password})
			if codeOf(err) != c.signIn {
				t.Fatalf("sign-in: %v, want %q", err, c.signIn)
			}
			if c.signIn != "" {
				return
			}
			secret, _ := res.Prompt.Parameters["secret"].(string)
			if (secret != "") != c.secret || (res.Prompt.Parameters["otpauth_uri"] != nil) != c.secret {
				t.Fatalf("parameters %v", res.Prompt.Parameters)
			}
			pending := res.Pending
			code := c.code
			switch {
			case c.wrong:
				code = h.wrongTOTP(secret)
			case code == "":
				code = totpNow(h, secret)
			}
			res, err = h.svc.RespondToChallenge(h.ctx, pending, auth.ChallengeAnswer{Code: code})
			if codeOf(err) != c.answer {
				t.Fatalf("answer: %v, want %q", err, c.answer)
			}
			if c.answer == "" && (res == nil || res.Grant == nil) {
				t.Fatalf("answer: %+v", res)
			}
			if c.retry {
				res, err = h.svc.RespondToChallenge(h.ctx, pending, auth.ChallengeAnswer{Code: totpNow(h, secret)})
				if err != nil || res.Grant == nil {
					t.Fatalf("the right code after the refusal: %+v %v", res, err)
				}
			}
		})
	}
}

// A challenge cookie sealed before labels were kept has none: an authenticator app set up
// after it is labelled with the pool's name for the user, as before.
func TestMFASetupAfterAnUnlabelledChallenge(t *testing.T) {
	h := newHarness(t, withPool(func(o *userpooltest.Options) { o.MFARequired = true }))
	must(t, h.pool.CreateUser(alice, tempPassword, nil))
	res, err := h.svc.SignInPassword(h.ctx, auth.Credentials{Email: alice, Password: tempPassword})
	if err != nil || res.Pending == nil || res.Pending.Label != alice {
		t.Fatalf("sign-in: %+v %v", res, err)
	}
	old := *res.Pending
	old.Label = ""
	next, err := h.svc.RespondToChallenge(h.ctx, &old, auth.ChallengeAnswer{NewPassword: password})
	if err != nil || next.Prompt == nil || next.Prompt.Challenge != auth.ChallengeMFASetup {
		t.Fatalf("new password: %+v %v", next, err)
	}
	uri, _ := next.Prompt.Parameters["otpauth_uri"].(string)
	if want := "otpauth://totp/" + url.PathEscape("Example:"+old.Username) + "?"; !strings.HasPrefix(uri, want) {
		t.Fatalf("otpauth_uri %q, want the prefix %q", uri, want)
	}
}
