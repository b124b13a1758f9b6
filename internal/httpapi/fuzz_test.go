package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/monban-auth/monban/internal/auth"
)

// FuzzRequests throws arbitrary paths, bodies and cookies at the API: the answer is always a
// 2xx/3xx/4xx, never a panic or a 5xx.
func FuzzRequests(f *testing.F) {
	f.Add("POST", "/auth/refresh", `{"refresh_token":"x"}`, "__Secure-monban-refresh=abc")
	f.Add("GET", "/auth/session", "", "__Host-monban-session=eyJ..a.b.c")
	f.Add("GET", "/auth/callback?code=a&state=b", "", "__Host-monban-flow.0=x; __Host-monban-flow.1=y")
	f.Add("POST", "/auth/sign-out?global=maybe", "[1,2]", "")
	f.Add("GET", "/auth/sign-in?redirect_to=%2F%5Cevil", "", "")
	f.Add("POST", "/auth/sign-in/start", `{"email":"a@example.com","factor":"WEB_AUTHN"}`, "")
	f.Add("POST", "/auth/passkeys/register/finish", `{"credential":{"id":"x"}}`, "__Host-monban-session=x")
	f.Add("GET", "/auth/passkeys", "", "")
	f.Add("POST", "/auth/profile", `{"attributes":{"email_verified":"true","cognito:x":"y"}}`, "__Host-monban-session=x")
	f.Add("POST", "/auth/profile/verify", `{"attribute":"email","code":"12 34"}`, "")
	f.Add("POST", "/auth/account/delete", `{"password":null}`, "__Host-monban-refresh=x")
	fx := newFixture(f)
	f.Fuzz(func(t *testing.T, method, target, body, cookies string) {
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \r\n\t#") || strings.ContainsAny(method, " \r\n\t") || method == "" {
			return
		}
		r := httptest.NewRequest("GET", "https://www.example.com/", strings.NewReader(body))
		r.Method = method
		r.RequestURI = ""
		u, err := r.URL.Parse(target)
		if err != nil {
			return
		}
		r.URL = u
		r.Header.Set("Origin", site)
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Cookie", cookies)
		w := httptest.NewRecorder()
		fx.h.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%s %s -> %d %s", method, target, w.Code, w.Body)
		}
	})
}

// bodyTypes are the types POST bodies decode into, each with its documented field names
// (written out here, not read from the types, so that the check below is independent of
// strictKeys).
var bodyTypes = []struct {
	name  string
	new   func() any
	names []string
}{
	{"refresh, sign-out", func() any { return new(refreshRequest) }, []string{"refresh_token"}},
	{"sign-up", func() any { return new(auth.SignUpRequest) }, []string{"username", "email", "password", "attributes", "sign_in"}},
	{"confirm-sign-up, resend-code", func() any { return new(auth.CodeRequest) }, []string{"username", "email", "code"}},
	{"sign-in", func() any { return new(auth.Credentials) }, []string{"username", "email", "password"}},
	{"challenge", func() any { return new(challengeBody) }, []string{"challenge", "code", "new_password", "attributes", "mfa_type", "factor", "password", "credential", "challenge_token"}},
	{"sign-in start", func() any { return new(auth.StartSignInRequest) }, []string{"username", "email", "factor"}},
	{"passkey registration", func() any { return new(passkeyCredential) }, []string{"credential"}},
	{"passkey deletion", func() any { return new(passkeyID) }, []string{"id"}},
	{"forgot-password", func() any { return new(auth.ForgotPasswordRequest) }, []string{"username", "email"}},
	{"confirm-forgot-password", func() any { return new(auth.ConfirmForgotPasswordRequest) }, []string{"username", "email", "code", "password"}},
	{"change-password", func() any { return new(auth.ChangePasswordRequest) }, []string{"previous_password", "proposed_password"}},
	{"TOTP setup", func() any { return new(struct{}) }, nil},
	{"TOTP verify", func() any { return new(auth.VerifyTOTPRequest) }, []string{"code", "friendly_name"}},
	{"profile update", func() any { return new(auth.ProfileUpdate) }, []string{"attributes"}},
	{"profile verify", func() any { return new(auth.AttributeCode) }, []string{"attribute", "code"}},
	{"profile resend-code", func() any { return new(auth.AttributeCodeRequest) }, []string{"attribute"}},
	{"account delete", func() any { return new(auth.DeleteAccountRequest) }, []string{"password"}},
}

// FuzzBodies throws arbitrary bodies at the decoding of every body type. A refusal is 400
// invalid_request, or 413 exactly when the body is over MaxBodyBytes, never a panic or a
// 5xx; a body accepted is at most MaxBodyBytes, decodes with encoding/json too, has no key
// twice in any object and, at the top (the struct), only the documented names, exactly.
func FuzzBodies(f *testing.F) {
	for _, s := range []string{
		``, ` `, `{}`, `[]`, `null`, `{"email":"a@example.com"}`,
		`{"email":"a","email":"b"}`, `{"Email":"a"}`, `{"\u0065mail":"a","email":"b"}`, `{"ſign_in":true}`,
		`{"attributes":{"name":"a","Name":"b"}}`, `{"attributes":{"name":"a","name":"b"}}`,
		`{"code":"1","challenge_token":"t","attributes":{}}`, `{"refresh_token":{"a":[{"b":1,"b":2}]}}`,
		`{} {}`, `{"sign_in":1e999}`, `{"a":` + strings.Repeat("[", 100),
		`{"credential":{"id":"a","response":{"x":[{"y":1,"y":2}]}}}`, `{"credential":{"Id":1,"id":1e999}}`, `{"credential":"x","factor":"WEB_AUTHN"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, bt := range bodyTypes {
			r := httptest.NewRequest("POST", "https://www.example.com/auth/x", strings.NewReader(body))
			err := decode(httptest.NewRecorder(), r, bt.new())
			if err != nil {
				var e *auth.Error
				if !errors.As(err, &e) || e.Code != auth.CodeInvalidRequest {
					t.Fatalf("%s: %q refused with %v", bt.name, body, err)
				}
				st := StatusOf(err)
				var se *statusError
				if errors.As(err, &se) {
					st = se.status
				}
				want := http.StatusBadRequest
				if len(body) > MaxBodyBytes {
					want = http.StatusRequestEntityTooLarge
				}
				if st != want {
					t.Fatalf("%s: %d bytes refused with %d, want %d: %v", bt.name, len(body), st, want, err)
				}
				continue
			}
			if len(body) > MaxBodyBytes {
				t.Fatalf("%s: accepted %d bytes", bt.name, len(body))
			}
			dec := json.NewDecoder(strings.NewReader(body))
			dec.DisallowUnknownFields()
			if err := dec.Decode(bt.new()); err != nil && !errors.Is(err, io.EOF) {
				t.Fatalf("%s: accepted %q, which encoding/json refuses: %v", bt.name, body, err)
			}
			keys := json.NewDecoder(strings.NewReader(body))
			keys.UseNumber() // a credential's numbers need not fit a float64
			keysOnce(t, keys, true, bt.names, body)
		}
	})
}

// keysOnce reads one JSON value and fails when an object in it has a key twice, or when the
// outer one (top) has a key not in names.
func keysOnce(t *testing.T, dec *json.Decoder, top bool, names []string, body string) {
	t.Helper()
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) && top {
		return // an empty body
	}
	if err != nil {
		t.Fatalf("accepted %q: %v", body, err)
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				t.Fatalf("accepted %q: %v", body, err)
			}
			key := k.(string)
			if seen[key] {
				t.Fatalf("accepted %q with the key %q twice", body, key)
			}
			seen[key] = true
			if top && !slices.Contains(names, key) {
				t.Fatalf("accepted %q with the key %q, not one of %q", body, key, names)
			}
			keysOnce(t, dec, false, nil, body)
		}
		dec.Token()
	case json.Delim('['):
		for dec.More() {
			keysOnce(t, dec, false, nil, body)
		}
		dec.Token()
	}
}
