package passkey_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/passkey"
	"github.com/monban-auth/monban/internal/passkey/passkeytest"
)

const origin = "http://localhost:8080"

func newRP(t *testing.T, now func() time.Time) *passkey.RelyingParty {
	t.Helper()
	rp, err := passkey.New(passkey.Config{RPID: "localhost", Origins: []string{origin}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return rp
}

// register adds a passkey of a to u through rp.
func register(t *testing.T, rp *passkey.RelyingParty, a *passkeytest.Authenticator, u *passkey.User) passkey.Credential {
	t.Helper()
	options, state := begin(t, rp.BeginRegistration, *u)
	c, err := rp.FinishRegistration(*u, state, answer(t, a.Create, origin, options))
	if err != nil {
		t.Fatalf("FinishRegistration: %v", err)
	}
	u.Credentials = append(u.Credentials, c)
	return c
}

// begin runs one of rp's Begin methods (BeginRegistration, BeginLogin) for u.
func begin(t *testing.T, b func(passkey.User) (json.RawMessage, []byte, error), u passkey.User) (json.RawMessage, []byte) {
	t.Helper()
	options, state, err := b(u)
	if err != nil {
		t.Fatal(err)
	}
	return options, state
}

// answer has an authenticator answer options from origin with its Create or Get.
func answer(t *testing.T, f func(string, json.RawMessage) (json.RawMessage, error), origin string, options json.RawMessage) json.RawMessage {
	t.Helper()
	resp, err := f(origin, options)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func alice() *passkey.User {
	return &passkey.User{ID: []byte("3f0c5a1e-sub-of-alice"), Name: "alice@example.com"}
}

func TestRegisterThenLogIn(t *testing.T) {
	rp, a, u := newRP(t, nil), passkeytest.New(), alice()
	c := register(t, rp, a, u)
	if c.AttestationFormat != "none" || c.Attachment != "platform" || len(c.Transports) != 2 || c.SignCount != 0 {
		t.Fatalf("credential = %+v", c)
	}
	if got := a.Credentials("localhost"); len(got) != 1 || got[0] != c.EncodedID() {
		t.Fatalf("authenticator holds %v, registered %s", got, c.EncodedID())
	}
	for i := 1; i <= 2; i++ {
		options, state := begin(t, rp.BeginLogin, *u)
		used, err := rp.FinishLogin(*u, state, answer(t, a.Get, origin, options))
		if err != nil {
			t.Fatalf("login %d: %v", i, err)
		}
		if used.EncodedID() != c.EncodedID() || used.SignCount != uint32(i) {
			t.Fatalf("login %d used %+v", i, used)
		}
		u.Credentials[0] = used
	}
}

// The options are the Level 3 JSON objects, unwrapped, with base64url binaries.
func TestOptionsShapes(t *testing.T) {
	rp, a, u := newRP(t, nil), passkeytest.New(), alice()
	options, _ := begin(t, rp.BeginRegistration, *u)
	var creation map[string]any
	if err := json.Unmarshal(options, &creation); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"rp", "user", "challenge", "pubKeyCredParams", "timeout", "authenticatorSelection", "attestation"} {
		if _, ok := creation[k]; !ok {
			t.Errorf("creation options lack %s: %s", k, options)
		}
	}
	if _, wrapped := creation["publicKey"]; wrapped {
		t.Errorf("creation options are wrapped: %s", options)
	}
	user := creation["user"].(map[string]any)
	if user["id"] != base64.RawURLEncoding.EncodeToString(u.ID) || user["name"] != "alice@example.com" {
		t.Errorf("user = %v", user)
	}
	sel := creation["authenticatorSelection"].(map[string]any)
	if sel["residentKey"] != "required" || sel["userVerification"] != "preferred" {
		t.Errorf("authenticatorSelection = %v", sel)
	}
	if creation["attestation"] != "none" || creation["timeout"] != float64(180000) {
		t.Errorf("attestation, timeout = %v, %v", creation["attestation"], creation["timeout"])
	}
	challenge, _ := creation["challenge"].(string)
	if _, err := base64.RawURLEncoding.DecodeString(challenge); err != nil || len(challenge) < 22 {
		t.Errorf("challenge %q is not base64url", challenge)
	}

	// A user with no passkeys and one with some get the same members.
	empty, _ := begin(t, rp.BeginLogin, *u)
	register(t, rp, a, u)
	some, _ := begin(t, rp.BeginLogin, *u)
	var e, s map[string]any
	_ = json.Unmarshal(empty, &e)
	_ = json.Unmarshal(some, &s)
	if e["rpId"] != "localhost" || e["userVerification"] != "preferred" || e["timeout"] != float64(180000) {
		t.Errorf("request options = %s", empty)
	}
	if _, ok := e["allowCredentials"]; ok {
		t.Errorf("options for no passkeys list some: %s", empty)
	}
	allow, _ := s["allowCredentials"].([]any)
	if len(allow) != 1 || allow[0].(map[string]any)["id"] != u.Credentials[0].EncodedID() || allow[0].(map[string]any)["type"] != "public-key" {
		t.Errorf("allowCredentials = %v", s["allowCredentials"])
	}
	for k := range e {
		if _, ok := s[k]; !ok {
			t.Errorf("%s only for a user without passkeys", k)
		}
	}

	// The authenticator refuses to register the same account twice (excludeCredentials).
	options, _ = begin(t, rp.BeginRegistration, *u)
	if _, err := a.Create(origin, options); err == nil || !strings.Contains(err.Error(), "InvalidStateError") {
		t.Errorf("second registration: %v", err)
	}
}

func TestRefusals(t *testing.T) {
	rp, a, u := newRP(t, nil), passkeytest.New(), alice()
	register(t, rp, a, u)
	login := func() (json.RawMessage, []byte) { return begin(t, rp.BeginLogin, *u) }
	get := func(origin string, options json.RawMessage) json.RawMessage { return answer(t, a.Get, origin, options) }
	refused := func(name string, err error) {
		t.Helper()
		t.Logf("%s: %v", name, err)
		if !errors.Is(err, passkey.ErrRefused) {
			t.Errorf("%s: %v, want ErrRefused", name, err)
		}
	}

	options, state := login()
	_, err := rp.FinishLogin(*u, state, tamper(t, get(origin, options), "signature"))
	refused("tampered signature", err)

	options, state = login()
	_, err = rp.FinishLogin(*u, state, get("http://localhost:9999", options))
	refused("wrong origin", err)

	options, _ = login()
	_, state = login()
	_, err = rp.FinishLogin(*u, state, get(origin, options))
	refused("another ceremony's challenge", err)

	options, state = login()
	resp := get(origin, options)
	used, err := rp.FinishLogin(*u, state, resp)
	if err != nil {
		t.Fatal(err)
	}
	u.Credentials[0] = used
	_, err = rp.FinishLogin(*u, state, resp)
	refused("replayed sign count", err)

	options, state = login()
	_, err = rp.FinishLogin(*u, state, json.RawMessage(`{"id":"x"}`))
	refused("malformed", err)
	_, err = rp.FinishRegistration(*u, state, get(origin, options))
	refused("a login state to finish a registration", err)

	// Another user's passkey answering (a discoverable request) is refused.
	bob := &passkey.User{ID: []byte("bob-sub"), Name: "bob@example.com"}
	options, state = begin(t, rp.BeginLogin, *bob)
	_, err = rp.FinishLogin(*bob, state, get(origin, options))
	refused("a passkey of someone else", err)

	// User verification when required.
	strict, err := passkey.New(passkey.Config{RPID: "localhost", Origins: []string{origin}, UserVerification: "required"})
	if err != nil {
		t.Fatal(err)
	}
	lax := passkeytest.New()
	lax.NoUserVerification = true
	options, state = begin(t, strict.BeginRegistration, *bob)
	_, err = strict.FinishRegistration(*bob, state, answer(t, lax.Create, origin, options))
	refused("no user verification", err)
}

func TestExpiry(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	rp, a, u := newRP(t, func() time.Time { return now }), passkeytest.New(), alice()
	register(t, rp, a, u)
	options, state := begin(t, rp.BeginLogin, *u)
	resp := answer(t, a.Get, origin, options)
	now = now.Add(3 * time.Minute)
	if _, err := rp.FinishLogin(*u, state, resp); !errors.Is(err, passkey.ErrRefused) {
		t.Fatalf("expired ceremony: %v", err)
	}
}

func TestNewChecksConfig(t *testing.T) {
	for _, c := range []passkey.Config{
		{Origins: []string{origin}},
		{RPID: "localhost"},
		{RPID: "localhost", Origins: []string{origin}, UserVerification: "discouraged"},
	} {
		if _, err := passkey.New(c); err == nil {
			t.Errorf("New(%+v) accepted", c)
		}
	}
	rp := newRP(t, nil)
	if _, _, err := rp.BeginLogin(passkey.User{}); err == nil {
		t.Error("a user without a handle was accepted")
	}
}

// tamper flips a bit of one of the response's base64url members.
func tamper(t *testing.T, resp json.RawMessage, member string) json.RawMessage {
	t.Helper()
	var r map[string]any
	if err := json.Unmarshal(resp, &r); err != nil {
		t.Fatal(err)
	}
	inner := r["response"].(map[string]any)
	b, err := base64.RawURLEncoding.DecodeString(inner[member].(string))
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-1] ^= 1
	inner[member] = base64.RawURLEncoding.EncodeToString(b)
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The software authenticator refuses what a browser refuses.
func TestAuthenticatorChecksLikeABrowser(t *testing.T) {
	rp, a, u := newRP(t, nil), passkeytest.New(), alice()
	options, _ := begin(t, rp.BeginRegistration, *u)
	if _, err := a.Create("https://evil.example", options); err == nil || !strings.Contains(err.Error(), "SecurityError") {
		t.Errorf("a relying party id not the origin's: %v", err)
	}
	if _, err := a.Create("https://login.localhost", options); err != nil {
		t.Errorf("a parent domain's relying party id: %v", err)
	}
	options, _ = begin(t, rp.BeginLogin, passkey.User{ID: []byte("nobody")})
	if _, err := passkeytest.New().Get(origin, options); err == nil || !strings.Contains(err.Error(), "NotAllowedError") {
		t.Errorf("no credential to answer with: %v", err)
	}
	// The wrapped form navigator.credentials takes is read too.
	wrapped := json.RawMessage(`{"publicKey":` + string(options) + `}`)
	if _, err := a.Get(origin, wrapped); err != nil {
		t.Errorf("wrapped options: %v", err)
	}
	a.Forget(a.Credentials("localhost")[0])
	if got := a.Credentials("localhost"); len(got) != 0 {
		t.Errorf("after Forget: %v", got)
	}
}
