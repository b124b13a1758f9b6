package e2e

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/monban-auth/monban/internal/passkey/passkeytest"
)

// Issue 13's steps of the conformance suite (TestPasswordFlows): choice-based sign-in
// (Cognito's USER_AUTH: an e-mail code, the password, a passkey) and the signed-in user's
// passkeys, through the API. The backends with choiceBasedSignIn run them; the cognito-local
// backend through the local stack's stand-in. The passkeys are passkeytest's software
// authenticator's, for the backend's site (its relying party is the site's host).

// passkeyRP is the relying party of the backends' passkeys: their sites' host.
const passkeyRP = "localhost"

func requireChoiceBasedSignIn(t *testing.T, be *backend) {
	t.Helper()
	if !be.quirks.choiceBasedSignIn {
		t.Skipf("%s implements neither choice-based sign-in (USER_AUTH) nor passkeys", be.name)
	}
}

// startSignIn posts /auth/sign-in/start for email, with factor preferred unless it is "".
func (b *browser) startSignIn(t *testing.T, email, factor string) (int, prompt, string) {
	t.Helper()
	body := `{"email":"` + email + `"}`
	if factor != "" {
		body = `{"email":"` + email + `","factor":"` + factor + `"}`
	}
	resp, answer := b.post("/auth/sign-in/start", body)
	var p prompt
	json.Unmarshal([]byte(answer), &p)
	return resp.StatusCode, p, answer
}

// answer posts an answer to the pending challenge.
func (b *browser) answer(t *testing.T, body string) (int, prompt, string) {
	t.Helper()
	resp, answer := b.post("/auth/challenge", body)
	var p prompt
	json.Unmarshal([]byte(answer), &p)
	return resp.StatusCode, p, answer
}

// signedInAs fails t unless the answer is a session of email, which /auth/session confirms,
// with the challenge cookie gone.
func (b *browser) signedInAs(t *testing.T, email string, st int, p prompt, body string) {
	t.Helper()
	if st != 200 || p.User == nil || p.User.Email != email || p.Challenge != "" {
		t.Fatalf("expected a session of %s: %d %s", email, st, body)
	}
	if resp, body := b.get("/auth/session"); resp.StatusCode != 200 || decode[sessionView](t, body).User.Email != email {
		t.Fatalf("session: %d %s", resp.StatusCode, body)
	}
	if b.cookie("__Host-monban-challenge") != "" {
		t.Fatal("the challenge cookie must be cleared once answered")
	}
}

// wrongCode is a code other than right.
func wrongCode(right string) string {
	if right == "000000" {
		return "111111"
	}
	return "000000"
}

// requestOptions is the WEB_AUTHN prompt's PublicKeyCredentialRequestOptionsJSON, from
// startSignIn's or answer's results.
func (b *browser) requestOptions(st int, p prompt, body string) json.RawMessage {
	b.t.Helper()
	options, _ := json.Marshal(p.Parameters["options"])
	if st != 200 || p.Challenge != "WEB_AUTHN" || !strings.Contains(string(options), `"challenge"`) {
		b.t.Fatalf("expected a WEB_AUTHN prompt: %d %s", st, body)
	}
	return options
}

// credential is the challenge's answer with an authenticator's response, from its Get.
func (b *browser) credential(response json.RawMessage, err error) string {
	b.t.Helper()
	if err != nil {
		b.t.Fatalf("the authenticator refused the options: %v", err)
	}
	return `{"credential":` + string(response) + `}`
}

// registerPasskey adds a passkey made by auth for the signed-in user, as the site's page.
func (b *browser) registerPasskey(t *testing.T, be *backend, auth *passkeytest.Authenticator) {
	t.Helper()
	resp, body := b.post("/auth/passkeys/register/start", "{}")
	if resp.StatusCode != 200 {
		t.Fatalf("register start: %d %s", resp.StatusCode, body)
	}
	created, err := auth.Create(be.site, decode[struct{ Options json.RawMessage }](t, body).Options)
	if err != nil {
		t.Fatalf("the authenticator refused the creation options: %v\n%s", err, body)
	}
	if resp, body := b.post("/auth/passkeys/register/finish", `{"credential":`+string(created)+`}`); resp.StatusCode != 200 || strings.TrimSpace(body) != "{}" {
		t.Fatalf("register finish: %d %s", resp.StatusCode, body)
	}
}

type passkeyListing struct {
	Passkeys []struct {
		ID             string   `json:"id"`
		Name           string   `json:"name"`
		RelyingPartyID string   `json:"relying_party_id"`
		Transports     []string `json:"transports"`
		CreatedAt      string   `json:"created_at"`
	} `json:"passkeys"`
}

func (b *browser) passkeys(t *testing.T) passkeyListing {
	t.Helper()
	resp, body := b.get("/auth/passkeys")
	if resp.StatusCode != 200 || !strings.Contains(body, `"passkeys":[`) {
		t.Fatalf("passkeys: %d %s", resp.StatusCode, body)
	}
	return decode[passkeyListing](t, body)
}

func stepEmailCodePreferred(t *testing.T, be *backend) {
	requireChoiceBasedSignIn(t, be)
	const email = "olga@example.com"
	be.browser(t).signUpConfirmed(t, be, email)
	b := be.browser(t)
	st, p, body := b.startSignIn(t, email, "EMAIL_OTP")
	dest, _ := p.Parameters["destination"].(string)
	if st != 200 || p.Challenge != "EMAIL_OTP" || p.Parameters["medium"] != "EMAIL" || !strings.HasPrefix(dest, "o***@") || p.User != nil {
		t.Fatalf("EMAIL_OTP preferred: %d %s", st, body)
	}
	if strings.Contains(body, "ession\"") || b.cookie("__Host-monban-challenge") == "" {
		t.Fatalf("Cognito's session must live in the challenge cookie only: %s", body)
	}
	code := be.signInCode(email)
	if st, _, body := b.answer(t, `{"code":"`+wrongCode(code)+`"}`); st != 400 || errorCode(t, body) != "code_mismatch" {
		t.Fatalf("a wrong code: %d %s", st, body)
	}
	if resp, body := b.get("/auth/session"); !signedOut(resp, body) {
		t.Fatalf("a wrong code signed in: %s", body)
	}
	st, p, body = b.answer(t, `{"code":"`+code+`"}`)
	b.signedInAs(t, email, st, p, body)
}

func stepEmailCodeChosen(t *testing.T, be *backend) {
	requireChoiceBasedSignIn(t, be)
	const email = "pia@example.com"
	be.browser(t).signUpConfirmed(t, be, email)
	b := be.browser(t)
	st, p, body := b.startSignIn(t, email, "")
	// A user with no passkey is offered the e-mail code and the password.
	if st != 200 || p.Challenge != "SELECT_CHALLENGE" || !sameJSON(p.Parameters["factors"], []string{"EMAIL_OTP", "PASSWORD"}) {
		t.Fatalf("SELECT_CHALLENGE: %d %s", st, body)
	}
	st, p, body = b.answer(t, `{"factor":"EMAIL_OTP"}`)
	if st != 200 || p.Challenge != "EMAIL_OTP" || p.Parameters["medium"] != "EMAIL" {
		t.Fatalf("EMAIL_OTP chosen: %d %s", st, body)
	}
	code := be.signInCode(email)
	if st, _, body := b.answer(t, `{"code":"`+wrongCode(code)+`"}`); st != 400 || errorCode(t, body) != "code_mismatch" {
		t.Fatalf("a wrong code: %d %s", st, body)
	}
	st, p, body = b.answer(t, `{"code":"`+code+`"}`)
	b.signedInAs(t, email, st, p, body)
}

func stepPasswordThroughUserAuth(t *testing.T, be *backend) {
	requireChoiceBasedSignIn(t, be)
	const email = "quinn@example.com"
	be.browser(t).signUpConfirmed(t, be, email)
	// Preferred: the PASSWORD prompt, then the password.
	b := be.browser(t)
	if st, p, body := b.startSignIn(t, email, "PASSWORD"); st != 200 || p.Challenge != "PASSWORD" || len(p.Parameters) != 0 {
		t.Fatalf("PASSWORD preferred: %d %s", st, body)
	}
	st, p, body := b.answer(t, `{"password":"`+strongPassword+`"}`)
	b.signedInAs(t, email, st, p, body)
	// Chosen with the password in the same answer; a wrong one is refused as at
	// /auth/sign-in/password.
	c := be.browser(t)
	if st, p, body := c.startSignIn(t, email, ""); st != 200 || p.Challenge != "SELECT_CHALLENGE" {
		t.Fatalf("SELECT_CHALLENGE: %d %s", st, body)
	}
	if st, _, body := c.answer(t, `{"factor":"PASSWORD","password":"Wr0ng-Passw0rd!"}`); st != 401 || errorCode(t, body) != "invalid_credentials" {
		t.Fatalf("a wrong password: %d %s", st, body)
	}
	d := be.browser(t)
	d.startSignIn(t, email, "")
	st, p, body = d.answer(t, `{"factor":"PASSWORD","password":"`+strongPassword+`"}`)
	d.signedInAs(t, email, st, p, body)
}

func stepPasskeyRegisterListSignInDelete(t *testing.T, be *backend) {
	requireChoiceBasedSignIn(t, be)
	const email = "rosa@example.com"
	b := be.browser(t)
	b.signUpConfirmed(t, be, email)
	b.passwordSignIn(t, email, strongPassword)
	auth := passkeytest.New()
	b.registerPasskey(t, be, auth)
	list := b.passkeys(t).Passkeys
	if len(list) != 1 || list[0].ID != auth.Credentials(passkeyRP)[0] || list[0].RelyingPartyID != passkeyRP || list[0].CreatedAt == "" {
		t.Fatalf("passkeys after registering: %+v", list)
	}
	// Another browser, no password: the user now has WEB_AUTHN to choose.
	c := be.browser(t)
	st, p, body := c.startSignIn(t, email, "")
	if st != 200 || p.Challenge != "SELECT_CHALLENGE" || !sameJSON(p.Parameters["factors"], []string{"WEB_AUTHN", "EMAIL_OTP", "PASSWORD"}) {
		t.Fatalf("SELECT_CHALLENGE with a passkey: %d %s", st, body)
	}
	options := c.requestOptions(c.answer(t, `{"factor":"WEB_AUTHN"}`))
	st, p, body = c.answer(t, c.credential(auth.Get(be.site, options)))
	c.signedInAs(t, email, st, p, body)
	// Deleted from the session the passkey opened; the list is then empty.
	if resp, body := c.post("/auth/passkeys/delete", `{"id":"`+list[0].ID+`"}`); resp.StatusCode != 200 || strings.TrimSpace(body) != "{}" {
		t.Fatalf("delete: %d %s", resp.StatusCode, body)
	}
	if list := c.passkeys(t).Passkeys; len(list) != 0 {
		t.Fatalf("passkeys after deleting: %+v", list)
	}
	if resp, body := c.post("/auth/passkeys/delete", `{"id":"`+list[0].ID+`"}`); resp.StatusCode != 404 || errorCode(t, body) != "not_found" {
		t.Fatalf("deleting it again: %d %s", resp.StatusCode, body)
	}
	// Without a passkey, WEB_AUTHN is no longer offered.
	if st, p, body := be.browser(t).startSignIn(t, email, "WEB_AUTHN"); st != 200 || p.Challenge != "SELECT_CHALLENGE" || slices.Contains(factors(p), "WEB_AUTHN") {
		t.Fatalf("WEB_AUTHN preferred after deleting: %d %s", st, body)
	}
}

func factors(p prompt) []string {
	var out []string
	list, _ := p.Parameters["factors"].([]any)
	for _, f := range list {
		s, _ := f.(string)
		out = append(out, s)
	}
	return out
}

func stepRefusedPasskeyIsInvalidCredentials(t *testing.T, be *backend) {
	requireChoiceBasedSignIn(t, be)
	const email = "sven@example.com"
	b := be.browser(t)
	b.signUpConfirmed(t, be, email)
	b.passwordSignIn(t, email, strongPassword)
	auth := passkeytest.New()
	b.registerPasskey(t, be, auth)
	// Another authenticator with a credential for the site that was never registered (its
	// registration not finished).
	other := passkeytest.New()
	_, body := b.post("/auth/passkeys/register/start", "{}")
	if _, err := other.Create(be.site, decode[struct{ Options json.RawMessage }](t, body).Options); err != nil {
		t.Fatal(err)
	}
	for _, refused := range []struct {
		name string
		get  func(options json.RawMessage) (json.RawMessage, error)
	}{
		// The registered passkey, from a page of another origin of the same host.
		{"another origin", func(o json.RawMessage) (json.RawMessage, error) { return auth.Get("https://localhost:1", o) }},
		// The other authenticator, asked with no allow list (a browser lets the user pick).
		{"another authenticator", func(o json.RawMessage) (json.RawMessage, error) { return other.Get(be.site, withoutAllowList(t, o)) }},
	} {
		c := be.browser(t)
		options := c.requestOptions(c.startSignIn(t, email, "WEB_AUTHN"))
		if st, _, body := c.answer(t, c.credential(refused.get(options))); st != 401 || errorCode(t, body) != "invalid_credentials" {
			t.Errorf("%s: %d %s", refused.name, st, body)
		}
		if resp, body := c.get("/auth/session"); !signedOut(resp, body) {
			t.Fatalf("%s signed in: %s", refused.name, body)
		}
	}
	// The registered passkey from the site still signs in.
	c := be.browser(t)
	options := c.requestOptions(c.startSignIn(t, email, "WEB_AUTHN"))
	st, p, body := c.answer(t, c.credential(auth.Get(be.site, options)))
	c.signedInAs(t, email, st, p, body)
}

// withoutAllowList is request options with their allowCredentials removed.
func withoutAllowList(t *testing.T, options json.RawMessage) json.RawMessage {
	t.Helper()
	var o map[string]json.RawMessage
	if err := json.Unmarshal(options, &o); err != nil {
		t.Fatal(err)
	}
	delete(o, "allowCredentials")
	out, _ := json.Marshal(o)
	return out
}

func stepUnknownAddressAnsweredLikeAKnownOne(t *testing.T, be *backend) {
	requireChoiceBasedSignIn(t, be)
	const known, unknown = "tara@example.com", "nobody-at-all@example.com"
	be.browser(t).signUpConfirmed(t, be, known)
	k, u := be.browser(t), be.browser(t)
	// The choice: the same prompt, whatever factors are offered (for an unknown address
	// Cognito picks them at random: "Managing user existence error responses").
	st1, p1, body1 := k.startSignIn(t, known, "")
	st2, p2, body2 := u.startSignIn(t, unknown, "")
	if st1 != 200 || st2 != 200 || p1.Challenge != "SELECT_CHALLENGE" || p2.Challenge != p1.Challenge || !sameKeys(p1, p2) || len(factors(p2)) == 0 {
		t.Fatalf("known: %d %s\nunknown: %d %s", st1, body1, st2, body2)
	}
	// An e-mail code: the same prompt, the destination masked alike.
	st1, p1, body1 = k.startSignIn(t, known, "EMAIL_OTP")
	st2, p2, body2 = u.startSignIn(t, unknown, "EMAIL_OTP")
	if st1 != 200 || st2 != 200 || p2.Challenge != "EMAIL_OTP" || p1.Challenge != p2.Challenge || !sameKeys(p1, p2) ||
		p2.Parameters["medium"] != "EMAIL" || p2.Parameters["destination"] != "n***@e***" || u.cookie("__Host-monban-challenge") == "" {
		t.Fatalf("known: %d %s\nunknown: %d %s", st1, body1, st2, body2)
	}
	// No code signs the unknown address in, and its refusal is a wrong code's.
	_, _, wrong := k.answer(t, `{"code":"`+wrongCode(be.signInCode(known))+`"}`)
	st, _, none := u.answer(t, `{"code":"123456"}`)
	if st != 400 || none != wrong || errorCode(t, none) != "code_mismatch" {
		t.Fatalf("known, a wrong code: %s\nunknown: %d %s", wrong, st, none)
	}
	// A password: refused as a wrong one.
	k, u = be.browser(t), be.browser(t)
	k.startSignIn(t, known, "PASSWORD")
	u.startSignIn(t, unknown, "PASSWORD")
	_, _, wrong = k.answer(t, `{"password":"Wr0ng-Passw0rd!"}`)
	st, _, none = u.answer(t, `{"password":"Wr0ng-Passw0rd!"}`)
	if st != 401 || none != wrong || errorCode(t, none) != "invalid_credentials" {
		t.Fatalf("known, a wrong password: %s\nunknown: %d %s", wrong, st, none)
	}
}

// sameKeys tells whether two prompts have the same parameter names.
func sameKeys(a, b prompt) bool {
	keys := func(p prompt) []string {
		var out []string
		for k := range p.Parameters {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(keys(a), keys(b))
}

// The passkey routes need a session: signed out they are 401 before any call to the pool,
// so every backend runs this step.
func stepPasskeyRoutesNeedASession(t *testing.T, be *backend) {
	b := be.browser(t)
	for _, r := range []struct{ method, path, body string }{
		{"GET", "/auth/passkeys", ""},
		{"POST", "/auth/passkeys/register/start", "{}"},
		{"POST", "/auth/passkeys/register/finish", `{"credential":{"id":"x","type":"public-key"}}`},
		{"POST", "/auth/passkeys/delete", `{"id":"x"}`},
	} {
		resp, body := b.get(r.path)
		if r.method == "POST" {
			resp, body = b.post(r.path, r.body)
		}
		if resp.StatusCode != 401 || errorCode(t, body) != "unauthenticated" {
			t.Errorf("%s %s signed out: %d %s", r.method, r.path, resp.StatusCode, body)
		}
	}
}
