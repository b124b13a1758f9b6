package devstack

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/monban-auth/monban/internal/cognito"
)

// signUpFakes are the user-pool API (as the API front answers it) and the emulator's login
// form, as the sign-up page sees them.
type signUpFakes struct {
	mu        sync.Mutex
	api       []map[string]any // requests, with "target"
	logins    []url.Values
	confirmed bool // what SignUp answers
}

func (f *signUpFakes) apiHandler(w http.ResponseWriter, r *http.Request) {
	var req map[string]any
	json.NewDecoder(r.Body).Decode(&req)
	target := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), apiTargetPrefix)
	req["target"] = target
	f.mu.Lock()
	f.api = append(f.api, req)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	fail := func(typ, msg string) {
		w.WriteHeader(400)
		json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
	}
	switch target {
	case "DescribeUserPoolClient":
		if req["ClientId"] != "the-client" {
			fail("ResourceNotFoundException", "no such client")
			return
		}
		io.WriteString(w, `{"UserPoolClient":{"ClientId":"the-client","ClientSecret":"the-secret","CallbackURLs":["https://site.example/auth/callback"]}}`)
	case "SignUp":
		if req["Password"] == "weak" {
			fail("InvalidPasswordException", "Password did not conform with policy: Password not long enough")
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"UserConfirmed": f.confirmed, "UserSub": "sub-1"})
	case "ConfirmSignUp":
		if req["ConfirmationCode"] != ConfirmationCode {
			fail("CodeMismatchException", "Incorrect confirmation code")
			return
		}
		io.WriteString(w, "{}")
	default:
		fail("InternalErrorException", "unexpected "+target)
	}
}

func (f *signUpFakes) loginHandler(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f.mu.Lock()
	f.logins = append(f.logins, r.PostForm)
	f.mu.Unlock()
	if r.URL.Path != "/oauth2/authorize" || r.Method != "POST" {
		http.NotFound(w, r)
		return
	}
	http.Redirect(w, r, r.PostForm.Get("redirect_uri")+"?code=the-code&state="+url.QueryEscape(r.PostForm.Get("state")), http.StatusFound)
}

func newSignUpFixture(t *testing.T) (*signUpFakes, http.Handler) {
	f := &signUpFakes{}
	api := httptest.NewServer(http.HandlerFunc(f.apiHandler))
	t.Cleanup(api.Close)
	emu := httptest.NewServer(http.HandlerFunc(f.loginHandler))
	t.Cleanup(emu.Close)
	u, _ := url.Parse(emu.URL)
	return f, newSignUpPage(u, NewCognitoClient(api.URL), "local_pool")
}

var goodAuthorize = url.Values{
	"client_id": {"the-client"}, "redirect_uri": {"https://site.example/auth/callback"}, "response_type": {"code"},
	"scope": {"openid email"}, "state": {`st"<b>ate`}, "nonce": {"n"}, "code_challenge": {"cc"}, "code_challenge_method": {"S256"},
}

func with(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = vs
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			out.Del(kv[i])
		} else {
			out.Set(kv[i], kv[i+1])
		}
	}
	return out
}

func TestSignUpPageChecksTheAuthorizeRequest(t *testing.T) {
	_, page := newSignUpFixture(t)
	for name, q := range map[string]url.Values{
		"unknown client":      with(goodAuthorize, "client_id", "other"),
		"unregistered URI":    with(goodAuthorize, "redirect_uri", "https://evil.example/cb"),
		"no PKCE":             with(goodAuthorize, "code_challenge", ""),
		"plain PKCE":          with(goodAuthorize, "code_challenge_method", "plain"),
		"implicit grant":      with(goodAuthorize, "response_type", "token"),
		"no redirect_uri":     with(goodAuthorize, "redirect_uri", ""),
		"no client_id at all": with(goodAuthorize, "client_id", ""),
	} {
		for _, method := range []string{"GET", "POST"} {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(method, "/signup?"+q.Encode(), nil)
			if method == "POST" {
				req = httptest.NewRequest(method, "/signup", strings.NewReader(with(q, "username", "a@example.com", "password", "Str0ng-Passw0rd!").Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			page.ServeHTTP(rec, req)
			if rec.Code != 400 || strings.Contains(rec.Body.String(), "<form") {
				t.Errorf("%s %s: %d %s", method, name, rec.Code, rec.Body)
			}
		}
	}
	rec := httptest.NewRecorder()
	page.ServeHTTP(rec, httptest.NewRequest("GET", "/signup?"+goodAuthorize.Encode(), nil))
	body := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(body, `name="password"`) || !strings.Contains(body, `<input type="hidden" name="code_challenge" value="cc" />`) {
		t.Fatalf("%d %s", rec.Code, body)
	}
	if strings.Contains(body, `<b>`) || !strings.Contains(body, `value="st&#34;&lt;b&gt;ate"`) {
		t.Fatalf("the state is not escaped: %s", body)
	}
	rec = httptest.NewRecorder()
	page.ServeHTTP(rec, httptest.NewRequest("DELETE", "/signup?"+goodAuthorize.Encode(), nil))
	if rec.Code != 405 {
		t.Fatalf("DELETE: %d", rec.Code)
	}
}

func postSignUp(page http.Handler, fields url.Values) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/signup", strings.NewReader(fields.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	page.ServeHTTP(rec, req)
	return rec
}

func TestSignUpPageSignsUpAndIn(t *testing.T) {
	f, page := newSignUpFixture(t)
	f.confirmed = true
	rec := postSignUp(page, with(goodAuthorize, "username", " sam@example.com ", "password", "weak"))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Password did not conform with policy: Password not long enough") || len(f.logins) != 0 {
		t.Fatalf("weak: %d %s", rec.Code, rec.Body)
	}
	rec = postSignUp(page, with(goodAuthorize, "username", "sam@example.com", "password", "Str0ng-Passw0rd!"))
	want := "https://site.example/auth/callback?code=the-code&state=" + url.QueryEscape(`st"<b>ate`)
	if rec.Code != 302 || rec.Header().Get("Location") != want {
		t.Fatalf("strong: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	signUp := f.api[len(f.api)-1]
	if signUp["target"] != "SignUp" || signUp["Username"] != "sam@example.com" || signUp["SecretHash"] != cognito.SecretHash("the-client", "the-secret", "sam@example.com") {
		t.Fatalf("SignUp sent %v", signUp)
	}
	login := f.logins[0]
	if login.Get("username") != "sam@example.com" || login.Get("password") != "Str0ng-Passw0rd!" || login.Get("code_challenge") != "cc" || login.Get("state") != `st"<b>ate` {
		t.Fatalf("the login form got %v", login)
	}
}

func TestSignUpPageConfirmsByCode(t *testing.T) {
	f, page := newSignUpFixture(t)
	rec := postSignUp(page, with(goodAuthorize, "username", "tom@example.com", "password", "Str0ng-Passw0rd!"))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "We sent a code to t***@e***") || !strings.Contains(rec.Body.String(), `name="step" value="confirm"`) {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	confirm := with(goodAuthorize, "username", "tom@example.com", "step", "confirm", "code", "000000")
	if rec := postSignUp(page, confirm); rec.Code != 200 || !strings.Contains(rec.Body.String(), "Incorrect confirmation code") {
		t.Fatalf("wrong code: %d %s", rec.Code, rec.Body)
	}
	rec = postSignUp(page, with(confirm, "code", ConfirmationCode))
	loc, _ := url.Parse(rec.Header().Get("Location"))
	if rec.Code != 303 || loc.Path != "/oauth2/authorize" || loc.Query().Get("state") != `st"<b>ate` || loc.Query().Get("code_challenge") != "cc" {
		t.Fatalf("right code: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	if len(f.logins) != 0 {
		t.Fatal("the page signed in without the password")
	}
}
