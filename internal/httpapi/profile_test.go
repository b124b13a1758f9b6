package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/allowlist"
	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/auth/userpooltest"
)

const (
	ann         = "ann@example.com"
	annPassword = "Corr3ct-Horse!"
)

// accountFixture is a fixture whose flows run on the in-memory user pool, with Ann signed
// up and confirmed (not signed in). The floor's sleeper records what it was asked to wait
// and moves the clock by it.
type accountFixture struct {
	*fixture
	pool  *userpooltest.Pool
	slept []time.Duration
}

func newAccountFixture(t *testing.T, mutate ...func(*Deps)) *accountFixture {
	t.Helper()
	af := &accountFixture{}
	af.fixture = newFixture(t, append([]func(*Deps){func(d *Deps) {
		af.pool = userpooltest.New(userpooltest.Options{AutoConfirm: true, Now: d.Now})
		v, _ := af.pool.Verifier(t)
		redirects, _ := allowlist.NewPolicy(site, nil)
		d.Auth = auth.NewService(auth.Config{
			CallbackURL: callbackURL, Scopes: []string{"openid"}, Redirects: redirects, LogoutURI: site + "/",
			Now: d.Now, AnswerFloor: auth.AnswerFloor{Sleep: func(_ context.Context, wait time.Duration) {
				af.slept = append(af.slept, wait)
				af.now = af.now.Add(wait)
			}},
		}, auth.Deps{HostedUI: stubHostedUI{}, Verifier: v, Pool: af.pool, Log: d.Log})
	}}, mutate...)...)
	if _, err := af.pool.SignUp(context.Background(), auth.NewUser{Username: ann, Password: annPassword}); err != nil {
		t.Fatal(err)
	}
	return af
}

// stubHostedUI is managed login where no test signs in through it: its URLs only.
type stubHostedUI struct{}

func (stubHostedUI) AuthorizeURL(r auth.AuthorizeRequest) string {
	return "https://auth.example.com/oauth2/authorize?state=" + r.State
}

func (stubHostedUI) LogoutURL(string) string { return "https://auth.example.com/logout" }

func (stubHostedUI) Exchange(context.Context, string, string, string) (*auth.Tokens, error) {
	return nil, &auth.PoolError{Reason: auth.ReasonNotAuthorized}
}

// signInAnn signs Ann in with her password; in token mode it returns the access token.
func (af *accountFixture) signInAnn() string {
	af.t.Helper()
	w := af.post("/auth/sign-in/password", `{"email":"`+ann+`","password":"`+annPassword+`"}`)
	var v sessionView
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &v) != nil {
		af.t.Fatalf("sign in: %d %s", w.Code, w.Body)
	}
	if v.Tokens != nil {
		return v.Tokens.AccessToken
	}
	return ""
}

// call sends a request and decodes a 2xx answer into out (nil: not decoded), failing
// unless the status is want.
func (af *accountFixture) call(method, path, body string, want int, out any) *httptest.ResponseRecorder {
	af.t.Helper()
	var w *httptest.ResponseRecorder
	if method == "GET" {
		w = af.do("GET", path, "", nil)
	} else {
		w = af.post(path, body)
	}
	if w.Code != want {
		af.t.Fatalf("%s %s: %d %s, want %d", method, path, w.Code, w.Body, want)
	}
	if out != nil {
		if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
			af.t.Fatalf("%s %s: %q", method, path, w.Body)
		}
	}
	return w
}

// sessionUser is what GET /auth/session says of the user.
func (af *accountFixture) sessionUser() auth.User {
	af.t.Helper()
	var v sessionView
	af.call("GET", "/auth/session", "", http.StatusOK, &v)
	return v.User
}

// cleared names the cookies w deletes.
func cleared(w *httptest.ResponseRecorder) []string {
	var names []string
	for _, c := range w.Result().Cookies() {
		if c.MaxAge < 0 {
			names = append(names, c.Name)
		}
	}
	slices.Sort(names)
	return names
}

// set names the cookies w sets to a value.
func set(w *httptest.ResponseRecorder) []string {
	var names []string
	for _, c := range w.Result().Cookies() {
		if c.MaxAge >= 0 && c.Value != "" {
			names = append(names, c.Name)
		}
	}
	slices.Sort(names)
	return names
}

// The profile over HTTP: read it, change the name (the session's claims follow at once),
// change the address with the code sent to it.
func TestProfileThroughTheFakePool(t *testing.T) {
	const newAddr = "nan@example.org"
	af := newAccountFixture(t)
	af.signInAnn()
	sub := af.sessionUser().Sub

	var p profileView
	af.call("GET", "/auth/profile", "", http.StatusOK, &p)
	if p.Username != sub || p.Attributes["sub"] != sub || p.Attributes["email"] != ann || p.Attributes["email_verified"] != "true" {
		t.Fatalf("profile %+v", p)
	}

	var change profileChangeView
	w := af.call("POST", "/auth/profile", `{"attributes":{"name":"Ann","given_name":"Ann"}}`, http.StatusOK, &change)
	if change.Attributes["name"] != "Ann" || change.Verification == nil || len(change.Verification) != 0 || !strings.Contains(w.Body.String(), `"verification":[]`) {
		t.Fatalf("change %s", w.Body)
	}
	if got := set(w); !slices.Equal(got, []string{"__Host-monban-session"}) {
		t.Fatalf("cookies set %v, want the refreshed session", got)
	}
	if u := af.sessionUser(); u.Attributes.Get("name") != "Ann" {
		t.Fatalf("the session after the change: %+v", u)
	}
	if len(af.slept) != 0 {
		t.Fatalf("a change of name waited %v", af.slept)
	}

	w = af.call("POST", "/auth/profile", `{"attributes":{"email":"`+newAddr+`"}}`, http.StatusOK, &change)
	want := []auth.Verification{{Attribute: "email", Medium: "EMAIL", Destination: "n***@e***"}}
	if !slices.Equal(change.Verification, want) || change.Attributes["email"] != ann {
		t.Fatalf("change of address %s", w.Body)
	}
	if len(af.slept) != 1 {
		t.Fatalf("a change of address did not take the floor: %v", af.slept)
	}
	var sent verificationView
	af.call("POST", "/auth/profile/resend-code", `{"attribute":"email"}`, http.StatusOK, &sent)
	if !slices.Equal(sent.Verification, want) {
		t.Fatalf("resent %+v", sent)
	}
	code := af.pool.Code(ann)
	w = af.post("/auth/profile/verify", `{"attribute":"email","code":"`+otherCode(code)+`"}`)
	if w.Code != http.StatusBadRequest || errorCode(t, w) != auth.CodeCodeMismatch {
		t.Fatalf("a wrong code: %d %s", w.Code, w.Body)
	}
	var verified attributesView
	w = af.call("POST", "/auth/profile/verify", `{"attribute":"email","code":"`+code+`"}`, http.StatusOK, &verified)
	if verified.Attributes["email"] != newAddr || verified.Attributes["email_verified"] != "true" {
		t.Fatalf("verified %s", w.Body)
	}
	if u := af.sessionUser(); u.Email != newAddr || !u.EmailVerified {
		t.Fatalf("the session after the verification: %+v", u)
	}
}

// otherCode is a six-digit code that is not code.
func otherCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

// An e-mail change to an address another account has answers as one to a free address,
// after the same floor.
func TestProfileChangeToATakenAddressAnswersAsAFreeOne(t *testing.T) {
	af := newAccountFixture(t)
	if _, err := af.pool.SignUp(context.Background(), auth.NewUser{Username: "nat@example.com", Password: annPassword}); err != nil {
		t.Fatal(err)
	}
	af.signInAnn()
	free := af.call("POST", "/auth/profile", `{"attributes":{"email":"nan@example.com","name":"A"}}`, http.StatusOK, nil).Body.String()
	taken := af.call("POST", "/auth/profile", `{"attributes":{"email":"nat@example.com","name":"A"}}`, http.StatusOK, nil).Body.String()
	if free != taken || len(af.slept) != 2 || af.slept[0] != af.slept[1] {
		t.Fatalf("free %s\ntaken %s\nslept %v", free, taken, af.slept)
	}
	if strings.Contains(af.logs.String(), "nat@") {
		t.Fatalf("the taken address was logged: %s", af.logs)
	}
}

// What a browser may not do: every endpoint needs a session, every POST the CSRF rules and
// a well-formed body; the attributes no user may change are refused, whatever the app
// client allows; none of it reaches Cognito.
func TestProfileRefusals(t *testing.T) {
	type call struct{ method, path, body string }
	endpoints := []call{
		{"GET", "/auth/profile", ""},
		{"POST", "/auth/profile", `{"attributes":{"name":"A"}}`},
		{"POST", "/auth/profile/verify", `{"attribute":"email","code":"123456"}`},
		{"POST", "/auth/profile/resend-code", `{"attribute":"email"}`},
		{"POST", "/auth/account/delete", `{}`},
	}
	ops := []string{"Profile", "UpdateAttributes", "VerifyAttribute", "SendAttributeCode", "DeleteUser", "SignInPassword"}
	noCalls := func(t *testing.T, af *accountFixture, signIns int) {
		t.Helper()
		for _, op := range ops {
			want := 0
			if op == "SignInPassword" {
				want = signIns
			}
			if n := af.pool.Calls(op); n != want {
				t.Fatalf("%s was called %d times", op, n)
			}
		}
	}
	for _, e := range endpoints {
		t.Run("signed out: "+e.method+" "+e.path, func(t *testing.T) {
			af := newAccountFixture(t)
			af.call(e.method, e.path, e.body, http.StatusUnauthorized, nil)
			noCalls(t, af, 0)
		})
		if e.method == "GET" {
			continue
		}
		for _, c := range []struct {
			name   string
			hdr    map[string]string
			body   string
			status int
			code   auth.Code
		}{
			{"no Origin", map[string]string{"Content-Type": "application/json"}, e.body, 403, auth.CodeForbiddenOrigin},
			{"a foreign Origin", map[string]string{"Origin": "https://evil.example", "Content-Type": "application/json"}, e.body, 403, auth.CodeForbiddenOrigin},
			{"a form", map[string]string{"Origin": site, "Content-Type": "application/x-www-form-urlencoded"}, "a=b", 415, auth.CodeInvalidRequest},
			{"malformed JSON", map[string]string{"Origin": site, "Content-Type": "application/json"}, "{", 400, auth.CodeInvalidRequest},
			{"an unknown field", map[string]string{"Origin": site, "Content-Type": "application/json"}, `{"x":1}`, 400, auth.CodeInvalidRequest},
			{"an oversized body", map[string]string{"Origin": site, "Content-Type": "application/json"}, `{"attribute":"` + strings.Repeat("a", MaxBodyBytes) + `"}`, 413, auth.CodeInvalidRequest},
		} {
			t.Run(c.name+": "+e.path, func(t *testing.T) {
				af := newAccountFixture(t)
				af.signInAnn()
				w := af.do("POST", e.path, c.body, c.hdr)
				if w.Code != c.status || errorCode(t, w) != c.code {
					t.Fatalf("%d %s, want %d %s", w.Code, w.Body, c.status, c.code)
				}
				if len(w.Result().Cookies()) != 0 {
					t.Fatalf("a refused request touched the cookies: %v", w.Result().Cookies())
				}
				noCalls(t, af, 1)
			})
		}
	}

	for _, c := range []struct {
		name, path, body string
		status           int
		code             auth.Code
		message          string
	}{
		{"no attributes", "/auth/profile", `{}`, 400, auth.CodeInvalidRequest, "attributes is required"},
		{"a malformed name", "/auth/profile", `{"attributes":{"given name":"A"}}`, 400, auth.CodeInvalidRequest, `attribute "given name" is malformed`},
		{"a duplicate attribute", "/auth/profile", `{"attributes":{"name":"A","name":"B"}}`, 400, auth.CodeInvalidRequest, `duplicate field "attributes.name"`},
		{"a value of the wrong type", "/auth/profile", `{"attributes":{"name":1}}`, 400, auth.CodeInvalidRequest, "wrong type"},
		{"email_verified", "/auth/profile", `{"attributes":{"email_verified":"true"}}`, 403, auth.CodeForbidden, `The attribute "email_verified" cannot be changed.`},
		{"sub", "/auth/profile", `{"attributes":{"name":"A","sub":"x"}}`, 403, auth.CodeForbidden, `The attribute "sub" cannot be changed.`},
		{"a cognito: attribute", "/auth/profile", `{"attributes":{"cognito:username":"x"}}`, 403, auth.CodeForbidden, `The attribute "cognito:username" cannot be changed.`},
		{"an attribute without codes", "/auth/profile/verify", `{"attribute":"name","code":"123456"}`, 400, auth.CodeInvalidRequest, "attribute must be email or phone_number"},
		{"a malformed code", "/auth/profile/verify", `{"attribute":"email","code":"12-456"}`, 400, auth.CodeInvalidRequest, "code is malformed"},
		{"no code", "/auth/profile/verify", `{"attribute":"email"}`, 400, auth.CodeInvalidRequest, "code is required"},
		{"resend for an attribute without codes", "/auth/profile/resend-code", `{"attribute":"sub"}`, 400, auth.CodeInvalidRequest, "attribute must be email or phone_number"},
		{"a password too long", "/auth/account/delete", `{"password":"` + strings.Repeat("a", 257) + `"}`, 400, auth.CodeInvalidRequest, "password is malformed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			af := newAccountFixture(t, func(d *Deps) {})
			af.signInAnn()
			w := af.post(c.path, c.body)
			var b errorBody
			json.Unmarshal(w.Body.Bytes(), &b)
			if w.Code != c.status || b.Error.Code != c.code || !strings.Contains(b.Error.Message, c.message) {
				t.Fatalf("%d %s, want %d %s %q", w.Code, w.Body, c.status, c.code, c.message)
			}
			noCalls(t, af, 1)
			if af.cookie("__Host-monban-session") == nil {
				t.Fatal("a refusal signed the browser out")
			}
		})
	}

	t.Run("an attribute the app client may not write", func(t *testing.T) {
		af := newAccountFixture(t)
		af.signInAnn()
		w := af.post("/auth/profile", `{"attributes":{"custom:tenant":"t2"}}`)
		if w.Code != http.StatusForbidden || errorCode(t, w) != auth.CodeForbidden || af.pool.Calls("UpdateAttributes") != 1 {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
	})
}

// everyCookie are the cookies a sign-out clears, sorted.
var everyCookie = []string{"__Host-monban-challenge", "__Host-monban-flow", "__Host-monban-refresh", "__Host-monban-session"}

// Deleting the account: at once after a sign-in; later only with the password. The
// browser is then signed out, and its old cookies lead nowhere.
func TestDeleteAccountThroughTheFakePool(t *testing.T) {
	t.Run("just signed in", func(t *testing.T) {
		af := newAccountFixture(t)
		af.signInAnn()
		old := slices.Clone(af.cookies)
		af.fixture.do("GET", "/auth/sign-in", "", nil) // a flow cookie, to be cleared too
		w := af.call("POST", "/auth/account/delete", ``, http.StatusOK, nil)
		if strings.TrimSpace(w.Body.String()) != `{"deleted":true}` {
			t.Fatalf("%s", w.Body)
		}
		if got := cleared(w); !slices.Equal(got, everyCookie) || len(af.cookies) != 0 {
			t.Fatalf("cleared %v, left %v", got, af.cookies)
		}
		if af.pool.Calls("RevokeToken") != 1 {
			t.Fatalf("the refresh token was not revoked")
		}
		// A copy of the cookies taken before: refused by whatever asks Cognito, and cleared.
		// (GET /auth/session asks Cognito nothing while the access token lasts.)
		af.cookies = old
		if w := af.do("GET", "/auth/profile", "", nil); w.Code != http.StatusUnauthorized || len(af.cookies) != 0 {
			t.Fatalf("the old cookies: %d %s, left %v", w.Code, w.Body, af.cookies)
		}
		af.cookies = old
		af.now = af.now.Add(2 * time.Hour) // the access token expired: only the refresh token is left
		if w := af.do("GET", "/auth/session", "", nil); !signedOut(w) {
			t.Fatalf("the old refresh cookie: %d %s", w.Code, w.Body)
		}
		w = af.post("/auth/sign-in/password", `{"email":"`+ann+`","password":"`+annPassword+`"}`)
		if w.Code != http.StatusUnauthorized || errorCode(t, w) != auth.CodeInvalidCredentials {
			t.Fatalf("signing in to the deleted account: %d %s", w.Code, w.Body)
		}
	})
	t.Run("later, without the password", func(t *testing.T) {
		af := newAccountFixture(t)
		af.signInAnn()
		af.now = af.now.Add(10 * time.Minute)
		w := af.post("/auth/account/delete", `{}`)
		if w.Code != http.StatusForbidden || errorCode(t, w) != auth.CodeReauthRequired || len(w.Result().Cookies()) != 0 {
			t.Fatalf("%d %s %v", w.Code, w.Body, w.Result().Cookies())
		}
		var b errorBody
		json.Unmarshal(w.Body.Bytes(), &b)
		if b.Error.Message != "Sign in again, then delete the account within 5 minutes." {
			t.Fatalf("message %q", b.Error.Message)
		}
		af.call("GET", "/auth/profile", "", http.StatusOK, nil)
	})
	t.Run("later, with a wrong password", func(t *testing.T) {
		af := newAccountFixture(t)
		af.signInAnn()
		af.now = af.now.Add(10 * time.Minute)
		w := af.post("/auth/account/delete", `{"password":"Wr0ng-Horse!"}`)
		if w.Code != http.StatusUnauthorized || errorCode(t, w) != auth.CodeInvalidCredentials || len(w.Result().Cookies()) != 0 {
			t.Fatalf("%d %s %v", w.Code, w.Body, w.Result().Cookies())
		}
		af.call("GET", "/auth/profile", "", http.StatusOK, nil)
	})
	t.Run("later, with the password", func(t *testing.T) {
		af := newAccountFixture(t)
		af.signInAnn()
		af.now = af.now.Add(10 * time.Minute)
		w := af.call("POST", "/auth/account/delete", `{"password":"`+annPassword+`"}`, http.StatusOK, nil)
		if len(af.cookies) != 0 || af.pool.Calls("RevokeToken") != 2 {
			t.Fatalf("cookies %v, %d revoked", af.cookies, af.pool.Calls("RevokeToken"))
		}
		if got := cleared(w); !slices.Equal(got, everyCookie) {
			t.Fatalf("cleared %v", got)
		}
	})
}

// A session Cognito no longer accepts (the account deleted from another browser, a global
// sign-out) is answered 401 by every signed-in endpoint, and its cookies are cleared at
// once.
func TestARefusedTokenSignsTheBrowserOut(t *testing.T) {
	endpoints := []struct{ method, path, body string }{
		{"GET", "/auth/profile", ""},
		{"POST", "/auth/profile", `{"attributes":{"name":"A"}}`},
		{"POST", "/auth/profile/verify", `{"attribute":"email","code":"123456"}`},
		{"POST", "/auth/profile/resend-code", `{"attribute":"email"}`},
		{"POST", "/auth/account/delete", `{}`},
		{"GET", "/auth/passkeys", ""},
		{"POST", "/auth/passkeys/register/start", ``},
		{"POST", "/auth/passkeys/delete", `{"id":"aWQ"}`},
		{"POST", "/auth/change-password", `{"previous_password":"` + annPassword + `","proposed_password":"N3w-Passw0rd!!"}`},
		{"POST", "/auth/mfa/totp/setup", ``},
		{"POST", "/auth/mfa/totp/verify", `{"code":"123456"}`},
	}
	for _, e := range endpoints {
		for _, how := range []string{"deleted elsewhere", "signed out everywhere"} {
			t.Run(how+": "+e.method+" "+e.path, func(t *testing.T) {
				af := newAccountFixture(t)
				af.signInAnn()
				mine := af.cookies
				af.cookies = nil
				af.signInAnn() // another browser
				if how == "deleted elsewhere" {
					af.call("POST", "/auth/account/delete", ``, http.StatusOK, nil)
				} else {
					af.call("POST", "/auth/sign-out?global=true", `{}`, http.StatusOK, nil)
				}
				af.cookies = mine
				var w *httptest.ResponseRecorder
				if e.method == "GET" {
					w = af.do("GET", e.path, "", nil)
				} else {
					w = af.post(e.path, e.body)
				}
				if w.Code != http.StatusUnauthorized || errorCode(t, w) != auth.CodeUnauthenticated {
					t.Fatalf("%d %s", w.Code, w.Body)
				}
				if got := cleared(w); !slices.Equal(got, []string{"__Host-monban-refresh", "__Host-monban-session"}) || len(af.cookies) != 0 {
					t.Fatalf("cleared %v, left %v", got, af.cookies)
				}
			})
		}
	}
}

// In token mode the page holds its tokens: the endpoints take the access token as a bearer,
// nothing is refreshed into cookies after a change, and deleting the account sets none.
func TestProfileInTokenMode(t *testing.T) {
	af := newAccountFixture(t, func(d *Deps) { d.TokenMode = true })
	access := af.signInAnn()
	af.cookies = nil // cross-site: the page has only the tokens
	bearer := func(method, path, body string) *httptest.ResponseRecorder {
		hdr := map[string]string{"Authorization": "Bearer " + access}
		if method == "POST" {
			hdr["Origin"], hdr["Content-Type"] = site, "application/json"
		}
		return af.do(method, path, body, hdr)
	}
	if w := bearer("GET", "/auth/profile", ""); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"email":"`+ann+`"`) {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	w := bearer("POST", "/auth/profile", `{"attributes":{"name":"Ann"}}`)
	if w.Code != http.StatusOK || len(w.Result().Cookies()) != 0 || af.pool.Calls("Refresh") != 0 {
		t.Fatalf("%d %s %v", w.Code, w.Body, w.Result().Cookies())
	}
	if w := bearer("GET", "/auth/session", ""); !strings.Contains(w.Body.String(), `"name":"Ann"`) {
		t.Fatalf("the bearer session after the change: %s", w.Body)
	}
	if w := bearer("POST", "/auth/profile", `{"attributes":{"name":"Ann"}}`); w.Code != http.StatusOK {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if w := af.do("POST", "/auth/profile", `{"attributes":{"name":"Ann"}}`, map[string]string{"Authorization": "Bearer " + access, "Content-Type": "application/json"}); w.Code != http.StatusForbidden {
		t.Fatalf("a bearer request without Origin: %d %s", w.Code, w.Body)
	}
	if w := bearer("POST", "/auth/account/delete", `{}`); w.Code != http.StatusOK || len(set(w)) != 0 || af.pool.Calls("RevokeToken") != 0 {
		t.Fatalf("%d %s %v", w.Code, w.Body, w.Result().Cookies())
	}
	if w := bearer("GET", "/auth/profile", ""); w.Code != http.StatusUnauthorized {
		t.Fatalf("after the deletion: %d %s", w.Code, w.Body)
	}
}

// A refresh after a change that fails is logged and leaves the answer alone: the change is
// made. A refresh cookie of another user is not used.
func TestRefreshAfterAChange(t *testing.T) {
	t.Run("a failed refresh", func(t *testing.T) {
		af := newAccountFixture(t)
		af.signInAnn()
		af.pool.Fail("Refresh", &auth.PoolError{Reason: auth.ReasonUnavailable})
		w := af.call("POST", "/auth/profile", `{"attributes":{"name":"Ann"}}`, http.StatusOK, nil)
		if len(w.Result().Cookies()) != 0 || !strings.Contains(af.logs.String(), "session not refreshed after a profile change") {
			t.Fatalf("cookies %v, logs %s", w.Result().Cookies(), af.logs)
		}
	})
	t.Run("no refresh cookie", func(t *testing.T) {
		af := newAccountFixture(t)
		af.signInAnn()
		kept := af.cookies[:0]
		for _, c := range af.cookies {
			if c.Name != "__Host-monban-refresh" {
				kept = append(kept, c)
			}
		}
		af.cookies = kept
		af.call("POST", "/auth/profile", `{"attributes":{"name":"Ann"}}`, http.StatusOK, nil)
		if af.pool.Calls("Refresh") != 0 {
			t.Fatal("refreshed without a refresh cookie")
		}
	})
	t.Run("a verification refreshes", func(t *testing.T) {
		af := newAccountFixture(t)
		af.signInAnn()
		af.call("POST", "/auth/profile", `{"attributes":{"email":"nan@example.org"}}`, http.StatusOK, nil)
		w := af.call("POST", "/auth/profile/verify", `{"attribute":"email","code":"`+af.pool.Code(ann)+`"}`, http.StatusOK, nil)
		if got := set(w); !slices.Equal(got, []string{"__Host-monban-session"}) || af.pool.Calls("Refresh") != 2 {
			t.Fatalf("set %v after %d refreshes", got, af.pool.Calls("Refresh"))
		}
	})
}
