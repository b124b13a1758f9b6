package cognito

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/monban-auth/monban/internal/auth"
)

// Vectors computed independently with `openssl dgst -sha256 -hmac SECRET -binary | base64`.
func TestSecretHashMatchesKnownVectors(t *testing.T) {
	cases := []struct{ name, clientID, secret, username, want string }{
		{"an e-mail username", "1example23456789", "secret0123", "user@example.com", "j73e8Th/Dprgu0DUmr8J1DEkms7vbauuP0HKHrDCuqA="},
		{"a sub as username, as REFRESH_TOKEN_AUTH needs", "abcdefghijklmnopqrstuvwxyz", "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8s9t0u1v2w3x4y5z6", "11111111-2222-3333-4444-555555555555", "5JcD7654QIEtO5JXiwY2DCrdYaOuN3aH0PyWKxsP7Fg="},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := SecretHash(c.clientID, c.secret, c.username); got != c.want {
				t.Fatalf("SecretHash = %s, want %s", got, c.want)
			}
		})
	}
}

func TestAuthorizeURLCarriesPKCEStateAndNonce(t *testing.T) {
	base, _ := url.Parse("https://auth.example.com/")
	h := NewHostedUI(base, "cid", "secret", nil)
	u, err := url.Parse(h.AuthorizeURL(auth.AuthorizeRequest{
		RedirectURI: "https://api.example.com/auth/callback", Scopes: []string{"openid", "email"},
		State: "st", Nonce: "no", CodeChallenge: "ch", IdentityProvider: "Google",
	}))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Path != "/oauth2/authorize" || q.Get("response_type") != "code" || q.Get("client_id") != "cid" ||
		q.Get("state") != "st" || q.Get("nonce") != "no" || q.Get("code_challenge") != "ch" ||
		q.Get("code_challenge_method") != "S256" || q.Get("scope") != "openid email" || q.Get("identity_provider") != "Google" {
		t.Fatalf("authorize URL is missing parameters: %s", u)
	}
	if q.Has("client_secret") {
		t.Fatal("the client secret must never appear in a browser URL")
	}
	su, _ := url.Parse(h.AuthorizeURL(auth.AuthorizeRequest{SignUp: true}))
	if su.Path != "/signup" {
		t.Fatalf("sign-up screen path = %s", su.Path)
	}
}

func TestTokenEndpoint(t *testing.T) {
	var got *http.Request
	var form url.Values
	status, body := 200, `{"access_token":"a","id_token":"i","refresh_token":"r","expires_in":3600}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		r.ParseForm()
		form = r.PostForm
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	defer srv.Close()
	base, _ := url.Parse(srv.URL)
	h := NewHostedUI(base, "cid", "s&cret", srv.Client())

	tok, err := h.Exchange(context.Background(), "code1", "ver1", "https://api/cb")
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != "a" || tok.RefreshToken != "r" {
		t.Fatalf("tokens = %+v", tok)
	}
	id, secret, ok := got.BasicAuth()
	if !ok || id != "cid" || secret != url.QueryEscape("s&cret") {
		t.Fatalf("basic auth = %q %q %v", id, secret, ok)
	}
	if form.Get("grant_type") != "authorization_code" || form.Get("code") != "code1" || form.Get("code_verifier") != "ver1" || form.Get("redirect_uri") != "https://api/cb" {
		t.Fatalf("form = %v", form)
	}

	exchange := func() error { _, err := h.Exchange(context.Background(), "c", "v", "https://api/cb"); return err }
	cases := []struct {
		name        string
		status      int
		body        string
		want        auth.Reason
		wantInCause string
	}{
		{"a refused code", 400, `{"error":"invalid_grant","error_description":"ann@example.com: bad"}`, auth.ReasonNotAuthorized, "400 invalid_grant"},
		{"a refusal without a body", 401, ``, auth.ReasonNotAuthorized, "401"},
		{"a wrong client secret", 401, `{"error":"invalid_client"}`, auth.ReasonMisconfigured, "invalid_client"},
		{"a client not allowed the code flow", 400, `{"error":"unauthorized_client"}`, auth.ReasonMisconfigured, "unauthorized_client"},
		{"an outage", 503, `oops`, auth.ReasonUnavailable, "status 503"},
		{"a malformed answer", 200, `{"access_token":""}`, auth.ReasonUnavailable, "malformed"},
		{"an answer that is no JSON", 200, `<html>`, auth.ReasonUnavailable, "malformed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body = c.status, c.body
			err := exchange()
			var pe *auth.PoolError
			if !errors.As(err, &pe) || pe.Reason != c.want || !strings.Contains(err.Error(), c.wantInCause) {
				t.Fatalf("error = %v, want reason %s", err, c.want)
			}
			if pe.Message != "" || strings.Contains(err.Error(), "ann@") {
				t.Fatalf("the endpoint's description was passed on: %q / %v", pe.Message, err)
			}
		})
	}
	srv.Close()
	if err := exchange(); auth.ReasonOf(err) != auth.ReasonUnavailable {
		t.Fatalf("unreachable error = %v", err)
	}
}

func TestLogoutURL(t *testing.T) {
	base, _ := url.Parse("https://auth.example.com/prefix/")
	u, _ := url.Parse(NewHostedUI(base, "cid", "secret", nil).LogoutURL("https://app.example.com/bye"))
	if u.Path != "/prefix/logout" || u.Query().Get("client_id") != "cid" || u.Query().Get("logout_uri") != "https://app.example.com/bye" {
		t.Fatalf("logout URL = %s", u)
	}
}
