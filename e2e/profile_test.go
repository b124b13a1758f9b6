package e2e

import (
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
)

// Issue 14's steps of the conformance suite (TestPasswordFlows): the signed-in user's own
// account through the API — the profile (every attribute GetUser gives), an update, an
// e-mail change that waits for its code, and deleting the account. The cognito-local
// backend runs them through the emulator's own calls and the local stack's stand-ins for
// what it lacks (the app client's WriteAttributes, the code's delivery details); moto has
// no VerifyUserAttribute, GetUserAttributeVerificationCode or DeleteUser (see quirks).

// profileView is GET /auth/profile's answer, and the profile in the answers of the updates.
type profileView struct {
	Username   string            `json:"username"`
	Attributes map[string]string `json:"attributes"`
}

type verification struct {
	Attribute   string `json:"attribute"`
	Medium      string `json:"medium"`
	Destination string `json:"destination"`
}

// profileChange is POST /auth/profile's answer (and, without verification, the verify's).
type profileChange struct {
	Attributes   map[string]string `json:"attributes"`
	Verification []verification    `json:"verification"`
}

func (b *browser) profile(t *testing.T) profileView {
	t.Helper()
	resp, body := b.get("/auth/profile")
	if resp.StatusCode != 200 {
		t.Fatalf("profile: %d %s", resp.StatusCode, body)
	}
	return decode[profileView](t, body)
}

// copyOf is another browser holding b's cookies as they are now: a copy of the session taken
// before something ends it.
func (b *browser) copyOf() *browser {
	jar, _ := cookiejar.New(nil)
	c := *b.c
	c.Jar = jar
	at, _ := url.Parse(b.site + "/auth/")
	var cookies []*http.Cookie
	for _, k := range b.c.Jar.Cookies(at) {
		cookies = append(cookies, &http.Cookie{Name: k.Name, Value: k.Value, Path: "/", Secure: true})
	}
	root, _ := url.Parse(b.site + "/")
	jar.SetCookies(root, cookies)
	return &browser{t: b.t, site: b.site, c: &c}
}

// emailVerification is the one verification entry an e-mail change answers with: a code
// for the e-mail attribute, sent to the address masked as Cognito masks it.
func emailVerification(t *testing.T, got []verification, masked string) {
	t.Helper()
	if len(got) != 1 || got[0] != (verification{Attribute: "email", Medium: "EMAIL", Destination: masked}) {
		t.Fatalf("verification %+v, want one for email, EMAIL, %s", got, masked)
	}
}

func stepProfileReadAndUpdate(t *testing.T, be *backend) {
	b := be.browser(t)
	if resp, body := b.get("/auth/profile"); resp.StatusCode != 401 || errorCode(t, body) != "unauthenticated" {
		t.Fatalf("signed out: %d %s", resp.StatusCode, body)
	}
	const email = "pat@example.com"
	b.signUpConfirmed(t, be, email)
	if st, _, body := b.passwordSignIn(t, email, strongPassword); st != 200 {
		t.Fatalf("sign-in: %d %s", st, body)
	}
	_, session := b.get("/auth/session")
	sub := decode[sessionView](t, session).User.Sub
	// Every attribute, not only the session's: the name given at sign-up too.
	p := b.profile(t)
	if p.Username == "" || p.Attributes["sub"] != sub || p.Attributes["email"] != email || p.Attributes["name"] != "Test User" ||
		(be.quirks.confirmingVerifiesEmail && p.Attributes["email_verified"] != "true") {
		t.Fatalf("profile %+v (session's sub %s)", p, sub)
	}

	resp, body := b.post("/auth/profile", `{"attributes":{"name":"Pat Quill"}}`)
	change := decode[profileChange](t, body)
	if resp.StatusCode != 200 || change.Attributes["name"] != "Pat Quill" || change.Attributes["email"] != email ||
		change.Verification == nil || len(change.Verification) != 0 || !strings.Contains(body, `"verification":[]`) {
		t.Fatalf("update the name: %d %s", resp.StatusCode, body)
	}
	if p := b.profile(t); p.Attributes["name"] != "Pat Quill" || p.Attributes["sub"] != sub {
		t.Fatalf("profile after the update: %+v", p)
	}
	// The session follows a change through a refresh; its ID token carries the name only
	// where the backend puts standard attributes there, and moto refreshes only a session
	// begun with the sub.
	if be.quirks.standardAttributesInID && !be.quirks.refreshHashOverLoginName {
		if resp, body := b.get("/auth/session"); resp.StatusCode != 200 || !strings.Contains(body, `"name":"Pat Quill"`) {
			t.Fatalf("session after the update: %d %s", resp.StatusCode, body)
		}
	}

	// A user never marks their own address verified, whatever the app client allows.
	if resp, body := b.post("/auth/profile", `{"attributes":{"email_verified":"true"}}`); resp.StatusCode != 403 || errorCode(t, body) != "forbidden" || !strings.Contains(body, "email_verified") {
		t.Fatalf("email_verified: %d %s", resp.StatusCode, body)
	}

	// Token mode: the access token alone reads the same profile.
	api := be.newAPI(t, map[string]string{"MONBAN_TOKEN_MODE": "true"})
	tb := be.browserFor(t, api)
	st, _, signedIn := tb.passwordSignIn(t, email, strongPassword)
	var tokens struct {
		Tokens struct {
			AccessToken string `json:"access_token"`
		} `json:"tokens"`
	}
	json.Unmarshal([]byte(signedIn), &tokens)
	if st != 200 || tokens.Tokens.AccessToken == "" {
		t.Fatalf("token-mode sign-in: %d %s", st, signedIn)
	}
	anon := be.browserFor(t, api)
	resp, body = anon.do("GET", "/auth/profile", "", map[string]string{"Authorization": "Bearer " + tokens.Tokens.AccessToken})
	if resp.StatusCode != 200 || decode[profileView](t, body).Attributes["sub"] != sub {
		t.Fatalf("bearer profile: %d %s", resp.StatusCode, body)
	}
}

func stepUnwritableAttributeRefused(t *testing.T, be *backend) {
	if !be.quirks.enforcesWriteAttributes {
		t.Skipf("%s does not enforce the app client's WriteAttributes", be.name)
	}
	const email = "quentin@example.com"
	b := be.browser(t)
	b.signUpConfirmed(t, be, email)
	b.passwordSignIn(t, email, strongPassword)
	// birthdate is a standard attribute the template's app client does not write: Cognito
	// refuses the whole update, and monban says so.
	resp, body := b.post("/auth/profile", `{"attributes":{"name":"Quentin","birthdate":"2000-01-01"}}`)
	if resp.StatusCode != 403 || errorCode(t, body) != "forbidden" || !strings.Contains(body, "birthdate") {
		t.Fatalf("an unwritable attribute: %d %s", resp.StatusCode, body)
	}
	if p := b.profile(t); p.Attributes["name"] != "Test User" || p.Attributes["birthdate"] != "" {
		t.Fatalf("a refused update changed the profile: %+v", p)
	}
}

func stepEmailChangeWaitsForItsCode(t *testing.T, be *backend) {
	if !be.quirks.verifiesAttributes {
		t.Skipf("%s changes an address at once, with no code to verify it", be.name)
	}
	const (
		email   = "rhea@example.com"
		newAddr = "rhea.new@example.com"
		other   = "ruth@example.com"
	)
	be.browser(t).signUpConfirmed(t, be, other)
	b := be.browser(t)
	b.signUpConfirmed(t, be, email)
	b.passwordSignIn(t, email, strongPassword)

	// Another account's address is answered as a free one is (no account is revealed), and
	// changes nothing.
	resp, body := b.post("/auth/profile", `{"attributes":{"email":"`+other+`"}}`)
	change := decode[profileChange](t, body)
	if resp.StatusCode != 200 || change.Attributes["email"] != email {
		t.Fatalf("another account's address: %d %s", resp.StatusCode, body)
	}
	emailVerification(t, change.Verification, "r***@e***")

	// The new address waits for its code: the old one stays the user's, still verified.
	resp, body = b.post("/auth/profile", `{"attributes":{"email":"`+newAddr+`"}}`)
	change = decode[profileChange](t, body)
	if resp.StatusCode != 200 || change.Attributes["email"] != email || change.Attributes["email_verified"] != "true" {
		t.Fatalf("change the address: %d %s", resp.StatusCode, body)
	}
	emailVerification(t, change.Verification, "r***@e***")
	if p := b.profile(t); p.Attributes["email"] != email || p.Attributes["email_verified"] != "true" {
		t.Fatalf("profile while the change waits: %+v", p)
	}

	// The code again, to the new address.
	resp, body = b.post("/auth/profile/resend-code", `{"attribute":"email"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("resend the code: %d %s", resp.StatusCode, body)
	}
	emailVerification(t, decode[profileChange](t, body).Verification, "r***@e***")
	code := be.attributeCode(email)
	if code == "" {
		t.Fatal("the backend gave no code")
	}

	if resp, body := b.post("/auth/profile/verify", `{"attribute":"email","code":"`+wrongCode(code)+`"}`); resp.StatusCode != 400 || errorCode(t, body) != "code_mismatch" {
		t.Fatalf("a wrong code: %d %s", resp.StatusCode, body)
	}
	if p := b.profile(t); p.Attributes["email"] != email {
		t.Fatalf("a wrong code changed the address: %+v", p)
	}
	resp, body = b.post("/auth/profile/verify", `{"attribute":"email","code":"`+code+`"}`)
	if p := decode[profileChange](t, body); resp.StatusCode != 200 || p.Attributes["email"] != newAddr || p.Attributes["email_verified"] != "true" {
		t.Fatalf("the code: %d %s", resp.StatusCode, body)
	}
	// The session was refreshed: its ID token carries the new address.
	if resp, body := b.get("/auth/session"); resp.StatusCode != 200 || decode[sessionView](t, body).User.Email != newAddr {
		t.Fatalf("session after the change: %d %s", resp.StatusCode, body)
	}
	// The new address signs in; the old one no longer does.
	c := be.browser(t)
	if st, _, body := c.passwordSignIn(t, newAddr, strongPassword); st != 200 {
		t.Fatalf("sign-in with the new address: %d %s", st, body)
	}
	if st, _, body := c.passwordSignIn(t, email, strongPassword); st != 401 || errorCode(t, body) != "invalid_credentials" {
		t.Fatalf("sign-in with the old address: %d %s", st, body)
	}
}

func stepDeleteAccount(t *testing.T, be *backend) {
	if !be.quirks.deletesUsers {
		t.Skipf("%s has no DeleteUser", be.name)
	}
	b := be.browser(t)
	if resp, body := b.post("/auth/account/delete", `{}`); resp.StatusCode != 401 || errorCode(t, body) != "unauthenticated" {
		t.Fatalf("signed out: %d %s", resp.StatusCode, body)
	}

	// Just signed in: no password needed.
	const fresh = "dmitri@example.com"
	b.signUpConfirmed(t, be, fresh)
	b.passwordSignIn(t, fresh, strongPassword)
	if resp, body := b.post("/auth/account/delete", `{}`); resp.StatusCode != 200 || strings.TrimSpace(body) != `{"deleted":true}` {
		t.Fatalf("delete after a fresh sign-in: %d %s", resp.StatusCode, body)
	}
	if st, _, body := b.passwordSignIn(t, fresh, strongPassword); st != 401 || errorCode(t, body) != "invalid_credentials" {
		t.Fatalf("sign-in to a deleted account: %d %s", st, body)
	}

	// With the password; a wrong one keeps the account and the session.
	const email = "delia@example.com"
	c := be.browser(t)
	c.signUpConfirmed(t, be, email)
	c.passwordSignIn(t, email, strongPassword)
	if resp, body := c.post("/auth/account/delete", `{"password":"Wr0ng-Passw0rd!"}`); resp.StatusCode != 401 || errorCode(t, body) != "invalid_credentials" {
		t.Fatalf("a wrong password: %d %s", resp.StatusCode, body)
	}
	if resp, body := c.get("/auth/session"); resp.StatusCode != 200 || decode[sessionView](t, body).User.Email != email {
		t.Fatalf("session after a wrong password: %d %s", resp.StatusCode, body)
	}
	stolen, stolenAgain := c.copyOf(), c.copyOf()
	resp, body := c.post("/auth/account/delete", `{"password":"`+strongPassword+`"}`)
	if resp.StatusCode != 200 || strings.TrimSpace(body) != `{"deleted":true}` {
		t.Fatalf("delete with the password: %d %s", resp.StatusCode, body)
	}
	for _, name := range []string{"__Host-monban-session", "__Host-monban-refresh"} {
		if c.cookie(name) != "" {
			t.Errorf("%s not cleared by the deletion", name)
		}
	}
	if resp, body := c.get("/auth/session"); !signedOut(resp, body) {
		t.Fatalf("session after the deletion: %d %s", resp.StatusCode, body)
	}
	// The old cookies are refused where the pool is asked: the profile (and they are
	// cleared), and a refresh.
	if resp, body := stolen.get("/auth/profile"); resp.StatusCode != 401 || errorCode(t, body) != "unauthenticated" {
		t.Fatalf("profile with the old cookies: %d %s", resp.StatusCode, body)
	}
	if stolen.cookie("__Host-monban-session") != "" || stolen.cookie("__Host-monban-refresh") != "" {
		t.Error("a refused session's cookies were not cleared")
	}
	if resp, body := stolenAgain.post("/auth/refresh", "{}"); resp.StatusCode != 401 || errorCode(t, body) != "unauthenticated" {
		t.Fatalf("refresh with the old cookies: %d %s", resp.StatusCode, body)
	}
	if st, _, body := c.passwordSignIn(t, email, strongPassword); st != 401 || errorCode(t, body) != "invalid_credentials" {
		t.Fatalf("sign-in to a deleted account: %d %s", st, body)
	}
}
