package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/monban-auth/monban/internal/allowlist"
	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/auth/userpooltest"
	"github.com/monban-auth/monban/internal/passkey/passkeytest"
)

// The whole passwordless story over HTTP, against the in-memory user pool (a real relying
// party) and a software authenticator on the site's origin: sign in with a password, add a
// passkey, sign in with it with no password typed, sign in with an e-mail code, list and
// delete the passkey; and an unknown address is prompted like a known one.
func TestPasswordlessThroughTheFakePool(t *testing.T) {
	const name, password = "ann@example.com", "Corr3ct-Horse!"
	var pool *userpooltest.Pool
	fx := newFixture(t, func(d *Deps) {
		pool = userpooltest.New(userpooltest.Options{AutoConfirm: true, Now: d.Now,
			PasskeyRPID: "www.example.com", PasskeyOrigins: []string{site}})
		v, _ := pool.Verifier(t)
		redirects, _ := allowlist.NewPolicy(site, nil)
		d.Auth = auth.NewService(auth.Config{
			CallbackURL: callbackURL, Scopes: []string{"openid"}, Redirects: redirects, LogoutURI: site + "/",
			Now: d.Now, AnswerFloor: auth.AnswerFloor{Min: -1},
		}, auth.Deps{Verifier: v, Pool: pool})
	})
	if _, err := pool.SignUp(context.Background(), auth.NewUser{Username: name, Password: password,
		Attributes: map[string]string{"email": name}}); err != nil {
		t.Fatal(err)
	}
	device := passkeytest.New()
	post := func(path, body string, want int) map[string]json.RawMessage {
		t.Helper()
		w := fx.post(path, body)
		if w.Code != want {
			t.Fatalf("POST %s: %d %s, want %d", path, w.Code, w.Body, want)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
			t.Fatalf("POST %s: %q", path, w.Body)
		}
		return m
	}
	list := func() []passkeyView {
		t.Helper()
		w := fx.do("GET", "/auth/passkeys", "", nil)
		var l passkeyList
		if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &l) != nil {
			t.Fatalf("GET /auth/passkeys: %d %s", w.Code, w.Body)
		}
		return l.Passkeys
	}
	signedOut := func() { fx.cookies = nil }

	// Before any passkey: a password sign-in, then the passkey added.
	post("/auth/sign-in/password", `{"email":"`+name+`","password":"`+password+`"}`, http.StatusOK)
	if len(list()) != 0 {
		t.Fatal("a new user has passkeys")
	}
	options := post("/auth/passkeys/register/start", ``, http.StatusOK)["options"]
	credential, err := device.Create(site, options)
	if err != nil {
		t.Fatalf("the authenticator refused the creation options %s: %v", options, err)
	}
	post("/auth/passkeys/register/finish", `{"credential":`+string(credential)+`}`, http.StatusOK)
	keys := list()
	ids := device.Credentials("www.example.com")
	if len(keys) != 1 || len(ids) != 1 || keys[0].ID != ids[0] || keys[0].RelyingPartyID != "www.example.com" {
		t.Fatalf("listed %+v, the device holds %v", keys, ids)
	}

	// Signed out, back with the passkey: no password typed.
	signedOut()
	prompt := post("/auth/sign-in/start", `{"email":"`+name+`","factor":"WEB_AUTHN"}`, http.StatusOK)
	var params struct {
		Options json.RawMessage `json:"options"`
	}
	if string(prompt["challenge"]) != `"WEB_AUTHN"` || json.Unmarshal(prompt["parameters"], &params) != nil {
		t.Fatalf("prompt %s", prompt)
	}
	assertion, err := device.Get(site, params.Options)
	if err != nil {
		t.Fatalf("the authenticator refused the request options %s: %v", params.Options, err)
	}
	if m := post("/auth/challenge", `{"credential":`+string(assertion)+`}`, http.StatusOK); m["user"] == nil {
		t.Fatalf("no session: %s", m)
	}
	if fx.cookie("__Host-monban-session") == nil || fx.cookie("__Host-monban-challenge") != nil {
		t.Fatalf("cookies after the passkey sign-in: %v", fx.cookies)
	}
	// The same answer again is a replay: the challenge is spent.
	fx.post("/auth/sign-in/start", `{"email":"`+name+`","factor":"WEB_AUTHN"}`)
	if w := fx.post("/auth/challenge", `{"credential":`+string(assertion)+`}`); w.Code == http.StatusOK {
		t.Fatal("a replayed assertion signed in")
	}

	// An e-mail code, through the choice of factors.
	signedOut()
	choice := post("/auth/sign-in/start", `{"email":"`+name+`"}`, http.StatusOK)
	if string(choice["challenge"]) != `"SELECT_CHALLENGE"` || !strings.Contains(string(choice["parameters"]), "EMAIL_OTP") {
		t.Fatalf("choice %s", choice)
	}
	post("/auth/challenge", `{"factor":"EMAIL_OTP"}`, http.StatusOK)
	post("/auth/challenge", `{"code":"`+pool.Code(name)+`"}`, http.StatusOK)
	if fx.cookie("__Host-monban-session") == nil {
		t.Fatal("no session after the e-mail code")
	}

	// The passkey deleted: listed no more, and it signs in no more.
	post("/auth/passkeys/delete", `{"id":"`+keys[0].ID+`"}`, http.StatusOK)
	if len(list()) != 0 {
		t.Fatal("the deleted passkey is still listed")
	}
	post("/auth/passkeys/delete", `{"id":"`+keys[0].ID+`"}`, http.StatusNotFound)

	// An unknown address gets a prompt a known one could get: the passkey's, or (as for an
	// account without a passkey) the choice of the other factors.
	signedOut()
	unknown := post("/auth/sign-in/start", `{"email":"nobody@example.com","factor":"WEB_AUTHN"}`, http.StatusOK)
	if c := string(unknown["challenge"]); c != `"WEB_AUTHN"` && c != `"SELECT_CHALLENGE"` || fx.cookie("__Host-monban-challenge") == nil {
		t.Fatalf("unknown address: %s", unknown)
	}
}
