package userpooltest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/auth/userpooltest"
	"github.com/monban-auth/monban/internal/passkey/passkeytest"
	"github.com/monban-auth/monban/internal/tokentest"
)

const (
	passwordlessOrigin   = "http://localhost:8080"
	passwordlessEmail    = "dana@example.com"
	passwordlessPassword = "Str0ng-Passw0rd!"
)

type passwordlessFixture struct {
	pool  *userpooltest.Pool
	clock *tokentest.Clock
	ctx   context.Context
}

func newPasswordless(t *testing.T, change ...func(*userpooltest.Options)) *passwordlessFixture {
	t.Helper()
	clock := tokentest.NewClock(time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC))
	o := userpooltest.Options{AutoConfirm: true, Now: clock.Now, PasskeyOrigins: []string{passwordlessOrigin}}
	for _, f := range change {
		f(&o)
	}
	f := &passwordlessFixture{pool: userpooltest.New(o), clock: clock, ctx: context.Background()}
	if _, err := f.pool.SignUp(f.ctx, auth.NewUser{Username: passwordlessEmail, Password: passwordlessPassword}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *passwordlessFixture) start(t *testing.T, name, preferred string) *auth.NextChallenge {
	t.Helper()
	st, err := f.pool.StartSignIn(f.ctx, name, preferred)
	if err != nil {
		t.Fatalf("StartSignIn(%s, %q): %v", name, preferred, err)
	}
	if st.Next == nil {
		t.Fatalf("StartSignIn(%s, %q) gave tokens", name, preferred)
	}
	return st.Next
}

func (f *passwordlessFixture) answer(next *auth.NextChallenge, a auth.Answer) (*auth.Step, error) {
	return f.pool.AnswerChallenge(f.ctx, auth.Challenge{Name: next.Name, Session: next.Session, Username: next.Username}, a)
}

// signedIn answers next and wants tokens.
func (f *passwordlessFixture) signedIn(t *testing.T, next *auth.NextChallenge, a auth.Answer) *auth.Tokens {
	t.Helper()
	st, err := f.answer(next, a)
	if err != nil {
		t.Fatalf("answer to %s: %v", next.Name, err)
	}
	if st.Tokens == nil || st.Tokens.AccessToken == "" {
		t.Fatalf("answer to %s: no tokens but %+v", next.Name, st.Next)
	}
	return st.Tokens
}

// addPasskey registers a passkey of a for the user of access.
func (f *passwordlessFixture) addPasskey(t *testing.T, access string, a *passkeytest.Authenticator) {
	t.Helper()
	options, err := f.pool.StartPasskeyRegistration(f.ctx, access)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := a.Create(passwordlessOrigin, options)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.pool.CompletePasskeyRegistration(f.ctx, access, resp); err != nil {
		t.Fatal(err)
	}
}

func wantPasswordlessReason(t *testing.T, what string, err error, want auth.Reason) {
	t.Helper()
	if got := auth.ReasonOf(err); got != want {
		t.Fatalf("%s: reason %s (%v), want %s", what, got, err, want)
	}
}

func TestChoiceBasedSignInOffersTheUsersFactors(t *testing.T) {
	f := newPasswordless(t)
	next := f.start(t, passwordlessEmail, "")
	if next.Name != auth.ChallengeSelect || !slices.Equal(next.Factors, []string{auth.FactorEmailOTP, auth.FactorPassword}) {
		t.Fatalf("start = %s %v", next.Name, next.Factors)
	}
	// SELECT_CHALLENGE answered with the password at once: tokens.
	access := f.signedIn(t, next, auth.Answer{Factor: auth.FactorPassword, Password: passwordlessPassword}).AccessToken

	f.addPasskey(t, access, passkeytest.New())
	next = f.start(t, passwordlessEmail, "")
	if !slices.Equal(next.Factors, []string{auth.FactorWebAuthn, auth.FactorEmailOTP, auth.FactorPassword}) {
		t.Fatalf("factors with a passkey = %v", next.Factors)
	}

	// A pool that allows fewer factors offers fewer.
	g := newPasswordless(t, func(o *userpooltest.Options) { o.FirstFactors = []string{auth.FactorPassword} })
	if next := g.start(t, passwordlessEmail, auth.FactorEmailOTP); next.Name != auth.ChallengeSelect || !slices.Equal(next.Factors, []string{auth.FactorPassword}) {
		t.Fatalf("password-only pool: %s %v", next.Name, next.Factors)
	}
	_, err := g.pool.StartSignIn(g.ctx, passwordlessEmail, "SMOKE_SIGNALS")
	wantPasswordlessReason(t, "an unknown factor", err, auth.ReasonInvalidParameter)
}

func TestEmailCodeSignIn(t *testing.T) {
	f := newPasswordless(t)
	next := f.start(t, passwordlessEmail, auth.FactorEmailOTP)
	if next.Name != auth.ChallengeEmailOTP || next.Delivery == nil || next.Delivery.Destination != "d***@e***" || next.Delivery.Medium != "EMAIL" {
		t.Fatalf("EMAIL_OTP = %+v", next)
	}
	code := f.pool.Code(passwordlessEmail)
	if len(code) != 6 {
		t.Fatalf("code %q", code)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	_, err := f.answer(next, auth.Answer{Code: wrong})
	wantPasswordlessReason(t, "a wrong code", err, auth.ReasonCodeMismatch)
	f.signedIn(t, next, auth.Answer{Code: code}) // the session outlived the wrong code
	_, err = f.answer(next, auth.Answer{Code: code})
	wantPasswordlessReason(t, "a used session", err, auth.ReasonSessionExpired)

	// Through SELECT_CHALLENGE, with the sign-in's own name as USERNAME.
	sel := f.start(t, passwordlessEmail, "")
	st, err := f.pool.AnswerChallenge(f.ctx, auth.Challenge{Name: sel.Name, Session: sel.Session, Username: passwordlessEmail}, auth.Answer{Factor: auth.FactorEmailOTP})
	if err != nil || st.Next == nil || st.Next.Name != auth.ChallengeEmailOTP {
		t.Fatalf("select EMAIL_OTP: %+v, %v", st, err)
	}
	f.signedIn(t, st.Next, auth.Answer{Code: f.pool.Code(passwordlessEmail)})
}

func TestPasswordChallengeGoesOnToMFA(t *testing.T) {
	f := newPasswordless(t)
	next := f.start(t, passwordlessEmail, auth.FactorPassword)
	if next.Name != auth.ChallengePassword {
		t.Fatalf("preferred PASSWORD = %s", next.Name)
	}
	_, err := f.answer(next, auth.Answer{Password: "Wr0ng-Passw0rd!"})
	wantPasswordlessReason(t, "a wrong password", err, auth.ReasonNotAuthorized)
	f.signedIn(t, next, auth.Answer{Password: passwordlessPassword})

	if err := f.pool.SetMFAPreference(passwordlessEmail, []string{auth.ChallengeEmailOTP}, auth.ChallengeEmailOTP); err != nil {
		t.Fatal(err)
	}
	st, err := f.answer(f.start(t, passwordlessEmail, auth.FactorPassword), auth.Answer{Password: passwordlessPassword})
	if err != nil || st.Next == nil || st.Next.Name != auth.ChallengeEmailOTP {
		t.Fatalf("password with MFA: %+v, %v", st, err)
	}
	f.signedIn(t, st.Next, auth.Answer{Code: f.pool.Code(passwordlessEmail)})

	// A passwordless factor needs no second one.
	f.signedIn(t, f.start(t, passwordlessEmail, auth.FactorEmailOTP), auth.Answer{Code: f.pool.Code(passwordlessEmail)})
}

func TestPasskeySignInAndManagement(t *testing.T) {
	f := newPasswordless(t)
	access := f.signedIn(t, f.start(t, passwordlessEmail, auth.FactorPassword), auth.Answer{Password: passwordlessPassword}).AccessToken
	a := passkeytest.New()
	f.addPasskey(t, access, a)

	keys, err := f.pool.ListPasskeys(f.ctx, access)
	if err != nil || len(keys) != 1 {
		t.Fatalf("ListPasskeys = %+v, %v", keys, err)
	}
	k := keys[0]
	if k.ID != a.Credentials("localhost")[0] || k.RelyingPartyID != "localhost" || k.Attachment != "platform" ||
		!slices.Equal(k.Transports, []string{"internal", "hybrid"}) || !k.CreatedAt.Equal(f.clock.Now()) || k.Name == "" {
		t.Fatalf("passkey = %+v", k)
	}

	next := f.start(t, passwordlessEmail, auth.FactorWebAuthn)
	if next.Name != auth.ChallengeWebAuthn {
		t.Fatalf("preferred WEB_AUTHN = %s", next.Name)
	}
	var options struct {
		RPID  string `json:"rpId"`
		Allow []struct {
			ID string `json:"id"`
		} `json:"allowCredentials"`
	}
	if err := json.Unmarshal(next.Options, &options); err != nil || options.RPID != "localhost" || len(options.Allow) != 1 || options.Allow[0].ID != k.ID {
		t.Fatalf("options = %s (%v)", next.Options, err)
	}
	// Another origin, then a replay of an answer already used: refused.
	bad, err := a.Get("http://localhost:9999", next.Options)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.answer(next, auth.Answer{Credential: bad})
	wantPasswordlessReason(t, "another origin", err, auth.ReasonPasskeyRefused)
	good, err := a.Get(passwordlessOrigin, next.Options)
	if err != nil {
		t.Fatal(err)
	}
	f.signedIn(t, next, auth.Answer{Credential: good})

	next = f.start(t, passwordlessEmail, auth.FactorWebAuthn)
	_, err = f.answer(next, auth.Answer{Credential: good})
	wantPasswordlessReason(t, "a replayed answer", err, auth.ReasonPasskeyRefused)
	_, err = f.answer(next, auth.Answer{Credential: json.RawMessage(`{}`)})
	wantPasswordlessReason(t, "a malformed answer", err, auth.ReasonPasskeyRefused)

	// Through SELECT_CHALLENGE.
	st, err := f.answer(f.start(t, passwordlessEmail, ""), auth.Answer{Factor: auth.FactorWebAuthn})
	if err != nil || st.Next == nil || st.Next.Name != auth.ChallengeWebAuthn || len(st.Next.Options) == 0 {
		t.Fatalf("select WEB_AUTHN: %+v, %v", st, err)
	}
	resp, err := a.Get(passwordlessOrigin, st.Next.Options)
	if err != nil {
		t.Fatal(err)
	}
	f.signedIn(t, st.Next, auth.Answer{Credential: resp})

	// Delete: an unknown id, then the passkey; then it signs in no more.
	wantPasswordlessReason(t, "an unknown id", f.pool.DeletePasskey(f.ctx, access, "bm9wZQ"), auth.ReasonNotFound)
	if err := f.pool.DeletePasskey(f.ctx, access, k.ID); err != nil {
		t.Fatal(err)
	}
	if keys, err := f.pool.ListPasskeys(f.ctx, access); err != nil || len(keys) != 0 {
		t.Fatalf("after delete: %+v, %v", keys, err)
	}
	if next := f.start(t, passwordlessEmail, auth.FactorWebAuthn); next.Name != auth.ChallengeSelect {
		t.Fatalf("WEB_AUTHN without a passkey = %s", next.Name)
	}
}

func TestPasskeyRegistrationRefusals(t *testing.T) {
	f := newPasswordless(t)
	access := f.signedIn(t, f.start(t, passwordlessEmail, auth.FactorPassword), auth.Answer{Password: passwordlessPassword}).AccessToken
	a := passkeytest.New()

	wantPasswordlessReason(t, "no registration started",
		f.pool.CompletePasskeyRegistration(f.ctx, access, json.RawMessage(`{}`)), auth.ReasonPasskeyRefused)

	options, err := f.pool.StartPasskeyRegistration(f.ctx, access)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := a.Create("http://localhost:9999", options)
	if err != nil {
		t.Fatal(err)
	}
	wantPasswordlessReason(t, "another origin",
		f.pool.CompletePasskeyRegistration(f.ctx, access, resp), auth.ReasonPasskeyRefused)
	// One answer per start.
	wantPasswordlessReason(t, "a second answer",
		f.pool.CompletePasskeyRegistration(f.ctx, access, resp), auth.ReasonPasskeyRefused)

	options, err = f.pool.StartPasskeyRegistration(f.ctx, access)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(3 * time.Minute)
	resp, err = a.Create(passwordlessOrigin, options)
	if err != nil {
		t.Fatal(err)
	}
	wantPasswordlessReason(t, "an expired registration",
		f.pool.CompletePasskeyRegistration(f.ctx, access, resp), auth.ReasonPasskeyRefused)

	_, err = f.pool.StartPasskeyRegistration(f.ctx, "not-a-token")
	wantPasswordlessReason(t, "a bad access token", err, auth.ReasonTokenRevoked)
	if err := f.pool.GlobalSignOut(f.ctx, access); err != nil {
		t.Fatal(err)
	}
	_, err = f.pool.ListPasskeys(f.ctx, access)
	wantPasswordlessReason(t, "a revoked access token", err, auth.ReasonTokenRevoked)
	wantPasswordlessReason(t, "a revoked access token", f.pool.DeletePasskey(f.ctx, access, "x"), auth.ReasonTokenRevoked)

	g := newPasswordless(t, func(o *userpooltest.Options) {
		o.FirstFactors = []string{auth.FactorPassword, auth.FactorEmailOTP}
	})
	access = g.signedIn(t, g.start(t, passwordlessEmail, auth.FactorPassword), auth.Answer{Password: passwordlessPassword}).AccessToken
	_, err = g.pool.StartPasskeyRegistration(g.ctx, access)
	wantPasswordlessReason(t, "a pool without passkeys", err, auth.ReasonNotEnabled)
}

// An unknown address is answered like a known one, and every answer fails like a wrong one.
func TestAnUnknownUserLooksKnownAndNeverSignsIn(t *testing.T) {
	f := newPasswordless(t)
	const nobody = "nobody@example.com"
	first := f.start(t, nobody, "")
	if first.Name != auth.ChallengeSelect || first.Username == "" || first.Username == nobody {
		t.Fatalf("start = %+v", first)
	}
	again := f.start(t, nobody, "")
	if !slices.Equal(first.Factors, again.Factors) || first.Username != again.Username {
		t.Fatalf("the made-up user changed: %+v then %+v", first, again)
	}
	if len(first.Factors) < 2 || !slices.Contains(first.Factors, auth.FactorEmailOTP) || !slices.Contains(first.Factors, auth.FactorPassword) {
		t.Fatalf("factors = %v", first.Factors)
	}

	next := f.start(t, nobody, auth.FactorEmailOTP)
	if next.Name != auth.ChallengeEmailOTP || next.Delivery == nil || next.Delivery.Destination != "n***@e***" {
		t.Fatalf("EMAIL_OTP = %+v", next)
	}
	_, err := f.answer(next, auth.Answer{Code: "123456"})
	wantPasswordlessReason(t, "a code", err, auth.ReasonCodeMismatch)

	_, err = f.answer(f.start(t, nobody, ""), auth.Answer{Factor: auth.FactorPassword, Password: passwordlessPassword})
	wantPasswordlessReason(t, "a password", err, auth.ReasonNotAuthorized)
	_, err = f.answer(f.start(t, nobody, auth.FactorPassword), auth.Answer{Password: passwordlessPassword})
	wantPasswordlessReason(t, "a password", err, auth.ReasonNotAuthorized)

	// Whether or not the made-up user has a passkey, WEB_AUTHN's options have a known user's
	// shape, and someone's real passkey answering them is refused.
	access := f.signedIn(t, f.start(t, passwordlessEmail, auth.FactorPassword), auth.Answer{Password: passwordlessPassword}).AccessToken
	a := passkeytest.New()
	f.addPasskey(t, access, a)
	known := f.start(t, passwordlessEmail, auth.FactorWebAuthn)
	with, without := 0, 0
	for i := 0; i < 64 && (with == 0 || without == 0); i++ {
		name := fmt.Sprintf("nobody%d@example.com", i)
		st, err := f.answer(f.start(t, name, ""), auth.Answer{Factor: auth.FactorPassword})
		if err != nil || st.Next == nil || st.Next.Name != auth.ChallengePassword {
			t.Fatalf("select PASSWORD: %+v, %v", st, err)
		}
		sel := f.start(t, name, "")
		if !slices.Contains(sel.Factors, auth.FactorWebAuthn) {
			without++
			continue
		}
		with++
		next := f.start(t, name, auth.FactorWebAuthn)
		if next.Name != auth.ChallengeWebAuthn || !sameMembers(t, known.Options, next.Options) {
			t.Fatalf("%s: %s %s, a known user gets %s", name, next.Name, next.Options, known.Options)
		}
		// A discoverable answer (the options name another credential, so ask without it).
		resp, err := a.Get(passwordlessOrigin, json.RawMessage(`{"challenge":"AAAAAAAAAAAAAAAAAAAAAA","rpId":"localhost"}`))
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.answer(next, auth.Answer{Credential: resp})
		wantPasswordlessReason(t, "a passkey", err, auth.ReasonPasskeyRefused)
	}
	if with == 0 || without == 0 {
		t.Fatalf("made-up users: %d with a passkey, %d without", with, without)
	}
}

// sameMembers says whether two JSON objects have the same members, and the same members in
// their allowCredentials' entries.
func sameMembers(t *testing.T, a, b json.RawMessage) bool {
	t.Helper()
	keys := func(raw json.RawMessage) []string {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		var out []string
		for k := range m {
			out = append(out, k)
		}
		var allow []map[string]json.RawMessage
		_ = json.Unmarshal(m["allowCredentials"], &allow)
		for _, c := range allow {
			for k := range c {
				out = append(out, "allowCredentials."+k)
			}
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	return slices.Equal(keys(a), keys(b))
}

func TestFirstFactorSessionsExpireAndCheckTheirName(t *testing.T) {
	f := newPasswordless(t)
	next := f.start(t, passwordlessEmail, auth.FactorEmailOTP)
	_, err := f.pool.AnswerChallenge(f.ctx, auth.Challenge{Name: auth.ChallengePassword, Session: next.Session}, auth.Answer{Password: passwordlessPassword})
	wantPasswordlessReason(t, "another challenge's name", err, auth.ReasonInvalidParameter)
	_, err = f.pool.AnswerChallenge(f.ctx, auth.Challenge{Name: next.Name, Session: next.Session, Username: "someone@example.com"}, auth.Answer{Code: f.pool.Code(passwordlessEmail)})
	wantPasswordlessReason(t, "another user's name", err, auth.ReasonNotAuthorized)
	f.clock.Advance(3 * time.Minute)
	_, err = f.answer(next, auth.Answer{Code: f.pool.Code(passwordlessEmail)})
	wantPasswordlessReason(t, "an expired session", err, auth.ReasonSessionExpired)

	if err := f.pool.Disable(passwordlessEmail); err != nil {
		t.Fatal(err)
	}
	next = f.start(t, passwordlessEmail, auth.FactorEmailOTP)
	_, err = f.answer(next, auth.Answer{Code: f.pool.Code(passwordlessEmail)})
	wantPasswordlessReason(t, "a disabled user", err, auth.ReasonNotAuthorized)
}
