package auth_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/auth/userpooltest"
	"github.com/monban-auth/monban/internal/passkey/passkeytest"
)

// Choice-based sign-in and passkeys end to end: the flows on the in-memory pool (relying
// party app.example.com) with a software authenticator in the part of the browser.

const (
	rpID       = "app.example.com"
	siteOrigin = siteURL // the page the ceremonies run in
)

// withPasskeys sets the pool up as the site's relying party, allowing factors (nil: all).
func withPasskeys(factors ...string) option {
	return withPool(func(o *userpooltest.Options) {
		o.PasskeyRPID, o.PasskeyOrigins, o.FirstFactors = rpID, []string{siteOrigin}, factors
	})
}

// addPasskey registers a passkey of the signed-in session's user on a through the flows.
func (h *harness) addPasskey(sess *auth.Session, a *passkeytest.Authenticator) {
	h.t.Helper()
	options, err := h.svc.StartPasskeyRegistration(h.ctx, sess)
	if err != nil {
		h.t.Fatalf("start registration: %v", err)
	}
	credential, err := a.Create(siteOrigin, options)
	if err != nil {
		h.t.Fatalf("the authenticator: %v", err)
	}
	if err := h.svc.CompletePasskeyRegistration(h.ctx, sess, credential); err != nil {
		h.t.Fatalf("complete registration: %v", err)
	}
}

// prompted fails the test unless res is a prompt for challenge.
func prompted(t *testing.T, res *auth.SignInResult, err error, challenge string) *auth.SignInResult {
	t.Helper()
	if err != nil || res == nil || res.Grant != nil || res.Prompt == nil || res.Prompt.Challenge != challenge || res.Pending.Name != challenge {
		t.Fatalf("%+v %v, want a %s prompt", res, err, challenge)
	}
	return res
}

// granted fails the test unless res is a session of name.
func granted(t *testing.T, res *auth.SignInResult, err error, name string) {
	t.Helper()
	if err != nil || res == nil || res.Grant == nil || res.Prompt != nil || res.Grant.Session.User.Email != name || res.Grant.Refresh == nil {
		t.Fatalf("%+v %v, want a session of %s", res, err, name)
	}
}

// requestOptionsOf is a WEB_AUTHN prompt's request options.
func requestOptionsOf(t *testing.T, p *auth.Prompt) json.RawMessage {
	t.Helper()
	o, ok := p.Parameters["options"].(json.RawMessage)
	if !ok || len(o) == 0 || o[0] != '{' {
		t.Fatalf("options %v", p.Parameters)
	}
	return o
}

// A passkey added with a session signs the user in: straight away when preferred, or
// chosen among the factors; listed, and deleted, it no longer does.
func TestPasskeyLifecycle(t *testing.T) {
	h := newHarness(t, withPasskeys())
	sess := sessionOf(h)
	device := passkeytest.New()
	h.addPasskey(sess, device)

	keys, err := h.svc.ListPasskeys(h.ctx, sess)
	if err != nil || len(keys) != 1 {
		t.Fatalf("%+v %v", keys, err)
	}
	k := keys[0]
	if k.ID != device.Credentials(rpID)[0] || k.RelyingPartyID != rpID || k.Attachment != "platform" ||
		!slices.Equal(k.Transports, []string{"internal", "hybrid"}) || !k.CreatedAt.Equal(h.clock.Now()) {
		t.Fatalf("passkey %+v", k)
	}

	// Preferred: the passkey's challenge at once.
	res, err := h.svc.StartSignIn(h.ctx, auth.StartSignInRequest{Email: alice, Factor: auth.FactorWebAuthn})
	res = prompted(t, res, err, auth.ChallengeWebAuthn)
	if res.Pending.Username == alice || res.Pending.Username == "" {
		t.Fatalf("the answer names %q, not the user's sub", res.Pending.Username)
	}
	answer, err := device.Get(siteOrigin, requestOptionsOf(t, res.Prompt))
	must(t, err)
	res, err = h.svc.RespondToChallenge(h.ctx, res.Pending, auth.ChallengeAnswer{Challenge: auth.ChallengeWebAuthn, Credential: answer})
	granted(t, res, err, alice)

	// Chosen: the factors first, then the passkey's challenge.
	res, err = h.svc.StartSignIn(h.ctx, auth.StartSignInRequest{Email: alice})
	res = prompted(t, res, err, auth.ChallengeSelect)
	params(t, res.Prompt, map[string]any{"factors": []string{auth.FactorWebAuthn, auth.FactorEmailOTP, auth.FactorPassword}})
	res, err = h.svc.RespondToChallenge(h.ctx, res.Pending, auth.ChallengeAnswer{Factor: auth.FactorWebAuthn})
	res = prompted(t, res, err, auth.ChallengeWebAuthn)
	answer, err = device.Get(siteOrigin, requestOptionsOf(t, res.Prompt))
	must(t, err)
	res, err = h.svc.RespondToChallenge(h.ctx, res.Pending, auth.ChallengeAnswer{Credential: answer})
	granted(t, res, err, alice)

	must(t, h.svc.DeletePasskey(h.ctx, sess, k.ID))
	wantErr(t, h.svc.DeletePasskey(h.ctx, sess, k.ID), auth.CodeNotFound, "No such passkey.")
	if keys, err := h.svc.ListPasskeys(h.ctx, sess); err != nil || keys == nil || len(keys) != 0 {
		t.Fatalf("after deleting: %+v %v", keys, err)
	}
	res, err = h.svc.StartSignIn(h.ctx, auth.StartSignInRequest{Email: alice})
	res = prompted(t, res, err, auth.ChallengeSelect)
	params(t, res.Prompt, map[string]any{"factors": []string{auth.FactorEmailOTP, auth.FactorPassword}})
}

// A passkey's answer the pool does not accept may be tried again while the sign-in lasts;
// once used or expired, the sign-in is over.
func TestPasskeySignInRefusals(t *testing.T) {
	cases := []struct {
		name string
		// answer is what the browser sends for the request options.
		answer  func(h *harness, device *passkeytest.Authenticator, options json.RawMessage) json.RawMessage
		want    auth.Code
		message string
		retry   bool // the right answer still signs in afterwards
	}{
		{name: "another authenticator's passkey", answer: func(h *harness, _ *passkeytest.Authenticator, options json.RawMessage) json.RawMessage {
			other := passkeytest.New()
			h.addPasskey(sessionOfBob(h), other)
			// The browser offers what the user picks, whatever the options allow.
			o := strings.Replace(string(options), `"allowCredentials"`, `"ignored"`, 1)
			answer, err := other.Get(siteOrigin, json.RawMessage(o))
			must(h.t, err)
			return answer
		}, want: auth.CodeInvalidCredentials, message: passkeyRefused, retry: true},
		{name: "an answer from another origin", answer: func(h *harness, device *passkeytest.Authenticator, options json.RawMessage) json.RawMessage {
			answer, err := device.Get("https://evil."+rpID, options)
			must(h.t, err)
			return answer
		}, want: auth.CodeInvalidCredentials, message: passkeyRefused, retry: true},
		{name: "an answer tampered with", answer: func(h *harness, device *passkeytest.Authenticator, options json.RawMessage) json.RawMessage {
			answer, err := device.Get(siteOrigin, options)
			must(h.t, err)
			var m map[string]any
			must(h.t, json.Unmarshal(answer, &m))
			m["response"].(map[string]any)["signature"] = "AAAA"
			b, _ := json.Marshal(m)
			return b
		}, want: auth.CodeInvalidCredentials, message: passkeyRefused, retry: true},
		{name: "an answer used twice", answer: func(h *harness, device *passkeytest.Authenticator, options json.RawMessage) json.RawMessage {
			return nil // see below
		}, want: auth.CodeUnauthenticated, message: signInExpired},
		{name: "a sign-in too old", answer: func(h *harness, device *passkeytest.Authenticator, options json.RawMessage) json.RawMessage {
			h.clock.Advance(4 * time.Minute)
			answer, err := device.Get(siteOrigin, options)
			must(h.t, err)
			return answer
		}, want: auth.CodeUnauthenticated, message: signInExpired},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, withPasskeys())
			device := passkeytest.New()
			h.addPasskey(sessionOf(h), device)
			res, err := h.svc.StartSignIn(h.ctx, auth.StartSignInRequest{Email: alice, Factor: auth.FactorWebAuthn})
			pending := prompted(t, res, err, auth.ChallengeWebAuthn).Pending
			opts := requestOptionsOf(t, res.Prompt)
			answer := c.answer(h, device, opts)
			if answer == nil {
				answer, err = device.Get(siteOrigin, opts)
				must(t, err)
				res, err := h.svc.RespondToChallenge(h.ctx, pending, auth.ChallengeAnswer{Credential: answer})
				granted(t, res, err, alice)
			}
			res, err = h.svc.RespondToChallenge(h.ctx, pending, auth.ChallengeAnswer{Credential: answer})
			wantErr(t, err, c.want, c.message)
			if res != nil {
				t.Fatalf("a refusal returned %+v", res)
			}
			if c.retry {
				answer, err := device.Get(siteOrigin, opts)
				must(t, err)
				res, err := h.svc.RespondToChallenge(h.ctx, pending, auth.ChallengeAnswer{Credential: answer})
				granted(t, res, err, alice)
			}
		})
	}
}

// sessionOfBob is a signed-in session of bob.
func sessionOfBob(h *harness) *auth.Session {
	h.t.Helper()
	h.user(bob, nil)
	return &h.signIn(bob).Session
}

// A code sent by e-mail signs the user in, preferred or chosen; a wrong code may be tried
// again.
func TestEmailCodeSignIn(t *testing.T) {
	for _, preferred := range []bool{true, false} {
		t.Run(map[bool]string{true: "preferred", false: "chosen"}[preferred], func(t *testing.T) {
			h := newHarness(t, withPasskeys())
			h.user(alice, nil)
			var res *auth.SignInResult
			var err error
			if preferred {
				res, err = h.svc.StartSignIn(h.ctx, auth.StartSignInRequest{Email: alice, Factor: auth.FactorEmailOTP})
			} else {
				res, err = h.svc.StartSignIn(h.ctx, auth.StartSignInRequest{Email: alice})
				res = prompted(t, res, err, auth.ChallengeSelect)
				params(t, res.Prompt, map[string]any{"factors": []string{auth.FactorEmailOTP, auth.FactorPassword}})
				res, err = h.svc.RespondToChallenge(h.ctx, res.Pending, auth.ChallengeAnswer{Factor: auth.FactorEmailOTP})
			}
			pending := prompted(t, res, err, auth.ChallengeEmailOTP).Pending
			params(t, res.Prompt, map[string]any{"destination": "a***@e***", "medium": "EMAIL"})
			right := h.pool.Code(alice)
			_, err = h.svc.RespondToChallenge(h.ctx, pending, auth.ChallengeAnswer{Code: otherThan(right)})
			wantErr(t, err, auth.CodeCodeMismatch, "The code is not correct.")
			res, err = h.svc.RespondToChallenge(h.ctx, pending, auth.ChallengeAnswer{Code: right})
			granted(t, res, err, alice)
		})
	}
}

// The password as a first factor: its own challenge, or given with the choice; a wrong
// one may be tried again, and a second factor follows as after a password sign-in.
func TestPasswordAsFirstFactor(t *testing.T) {
	h := newHarness(t, withPasskeys())
	h.user(alice, nil)

	res, err := h.svc.StartSignIn(h.ctx, auth.StartSignInRequest{Email: alice, Factor: auth.FactorPassword})
	pending := prompted(t, res, err, auth.ChallengePassword).Pending
	params(t, res.Prompt, map[string]any{})
	_, err = h.svc.RespondToChallenge(h.ctx, pending, auth.ChallengeAnswer{Password: "Wr0ng-Passw0rd!"})
	wantErr(t, err, auth.CodeInvalidCredentials, wrongPassword)
	res, err = h.svc.RespondToChallenge(h.ctx, pending, auth.ChallengeAnswer{Password: password})
	granted(t, res, err, alice)

	res, err = h.svc.StartSignIn(h.ctx, auth.StartSignInRequest{Email: alice})
	pending = prompted(t, res, err, auth.ChallengeSelect).Pending
	_, err = h.svc.RespondToChallenge(h.ctx, pending, auth.ChallengeAnswer{Factor: auth.FactorPassword, Password: "Wr0ng-Passw0rd!"})
	wantErr(t, err, auth.CodeInvalidCredentials, wrongPassword)
	res, err = h.svc.RespondToChallenge(h.ctx, pending, auth.ChallengeAnswer{Factor: auth.FactorPassword, Password: password})
	granted(t, res, err, alice)

	// With a second factor set up, the password leads to it.
	must(t, h.pool.SetMFAPreference(alice, []string{auth.ChallengeEmailOTP}, auth.ChallengeEmailOTP))
	res, err = h.svc.StartSignIn(h.ctx, auth.StartSignInRequest{Email: alice, Factor: auth.FactorPassword})
	res, err = h.svc.RespondToChallenge(h.ctx, prompted(t, res, err, auth.ChallengePassword).Pending, auth.ChallengeAnswer{Password: password})
	res = prompted(t, res, err, auth.ChallengeEmailOTP)
	res, err = h.svc.RespondToChallenge(h.ctx, res.Pending, auth.ChallengeAnswer{Code: h.pool.Code(alice)})
	granted(t, res, err, alice)
}

// An address with no account is answered as one with an account: a prompt of the same
// kind, whose answers fail as wrong ones do.
func TestStartSignInForAnUnknownAddress(t *testing.T) {
	h := newHarness(t, withPasskeys())
	h.user(alice, nil)
	for _, name := range []string{alice, "nobody@example.com"} {
		res, err := h.svc.StartSignIn(h.ctx, auth.StartSignInRequest{Email: name, Factor: auth.FactorEmailOTP})
		res = prompted(t, res, err, auth.ChallengeEmailOTP)
		if len(res.Prompt.Parameters) != 2 || res.Prompt.Parameters["medium"] != "EMAIL" || res.Prompt.Parameters["destination"] == "" {
			t.Fatalf("%s: %v", name, res.Prompt.Parameters)
		}
		_, err = h.svc.RespondToChallenge(h.ctx, res.Pending, auth.ChallengeAnswer{Code: otherThan(h.pool.Code(alice))})
		wantErr(t, err, auth.CodeCodeMismatch, "The code is not correct.")

		res, err = h.svc.StartSignIn(h.ctx, auth.StartSignInRequest{Email: name, Factor: auth.FactorPassword})
		res = prompted(t, res, err, auth.ChallengePassword)
		_, err = h.svc.RespondToChallenge(h.ctx, res.Pending, auth.ChallengeAnswer{Password: "Wr0ng-Passw0rd!"})
		wantErr(t, err, auth.CodeInvalidCredentials, wrongPassword)
	}
}

// Adding a passkey: the pool verifies the authenticator's answer against the registration
// it began, with the session's user.
func TestPasskeyRegistrationRefusals(t *testing.T) {
	cases := []struct {
		name    string
		factors []string // the pool's first factors (nil: all)
		run     func(h *harness, sess *auth.Session) error
		want    auth.Code
		message string
	}{
		{name: "no registration begun", run: func(h *harness, sess *auth.Session) error {
			return h.svc.CompletePasskeyRegistration(h.ctx, sess, json.RawMessage(`{"id":"AAEC","type":"public-key"}`))
		}, want: auth.CodeInvalidRequest, message: "The passkey could not be registered."},
		{name: "an answer from another origin", run: func(h *harness, sess *auth.Session) error {
			options, err := h.svc.StartPasskeyRegistration(h.ctx, sess)
			must(h.t, err)
			answer, err := passkeytest.New().Create("https://evil."+rpID, options)
			must(h.t, err)
			return h.svc.CompletePasskeyRegistration(h.ctx, sess, answer)
		}, want: auth.CodeInvalidRequest, message: "The passkey could not be registered."},
		{name: "passkeys not allowed", factors: []string{auth.FactorEmailOTP, auth.FactorPassword}, run: func(h *harness, sess *auth.Session) error {
			_, err := h.svc.StartPasskeyRegistration(h.ctx, sess)
			return err
		}, want: auth.CodeInvalidRequest, message: notEnabled},
		{name: "a session ended", run: func(h *harness, sess *auth.Session) error {
			must(h.t, h.pool.GlobalSignOut(h.ctx, sess.AccessToken))
			_, err := h.svc.StartPasskeyRegistration(h.ctx, sess)
			return err
		}, want: auth.CodeUnauthenticated, message: sessionOver},
		{name: "a list for a session ended", run: func(h *harness, sess *auth.Session) error {
			must(h.t, h.pool.GlobalSignOut(h.ctx, sess.AccessToken))
			_, err := h.svc.ListPasskeys(h.ctx, sess)
			return err
		}, want: auth.CodeUnauthenticated, message: sessionOver},
		{name: "a passkey of someone else", run: func(h *harness, sess *auth.Session) error {
			other := passkeytest.New()
			h.addPasskey(sessionOfBob(h), other)
			return h.svc.DeletePasskey(h.ctx, sess, other.Credentials(rpID)[0])
		}, want: auth.CodeNotFound, message: "No such passkey."},
		{name: "the pool unreachable", run: func(h *harness, sess *auth.Session) error {
			h.pool.Fail("ListPasskeys", poolErr(auth.ReasonUnavailable, ""))
			_, err := h.svc.ListPasskeys(h.ctx, sess)
			return err
		}, want: auth.CodeUpstreamUnavailable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, withPasskeys(c.factors...))
			wantErr(t, c.run(h, sessionOf(h)), c.want, c.message)
		})
	}
}

// A pool that does not offer choice-based sign-in says what to change in the deployment.
func TestStartSignInNotEnabled(t *testing.T) {
	h := newHarness(t, withPasskeys())
	h.pool.Fail("StartSignIn", poolErr(auth.ReasonNotEnabled, ""))
	_, err := h.svc.StartSignIn(h.ctx, auth.StartSignInRequest{Email: alice})
	wantErr(t, err, auth.CodeInvalidRequest, notEnabled)
}
