package auth_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/tokentest"
)

// social are the providers the app client supports besides COGNITO in the sign-in tests.
var social = []string{"Google", "SignInWithApple", "My OIDC"}

func TestBeginSignIn(t *testing.T) {
	cases := []struct {
		name   string
		req    auth.SignInRequest
		want   auth.Code
		target string
	}{
		{"no target goes to the site's root", auth.SignInRequest{}, "", siteURL + "/"},
		{"a path goes to the site", auth.SignInRequest{RedirectTo: "/account?tab=1"}, "", siteURL + "/account?tab=1"},
		{"an allow-listed origin is kept", auth.SignInRequest{RedirectTo: "https://partner.example.net/x"}, "", "https://partner.example.net/x"},
		{"a configured identity provider skips the picker", auth.SignInRequest{IdentityProvider: "Google"}, "", siteURL + "/"},
		{"any configured provider, spaces and all", auth.SignInRequest{IdentityProvider: "My OIDC"}, "", siteURL + "/"},
		{"the pool's own directory is always a provider", auth.SignInRequest{IdentityProvider: "COGNITO"}, "", siteURL + "/"},
		{"the sign-up screen", auth.SignInRequest{Screen: "signup"}, "", siteURL + "/"},
		{"another origin is an open redirect", auth.SignInRequest{RedirectTo: "https://evil.example.org/"}, auth.CodeInvalidRequest, ""},
		{"a scheme-relative target is another host", auth.SignInRequest{RedirectTo: "//evil.example.org/"}, auth.CodeInvalidRequest, ""},
		{"an identity provider the app client does not support", auth.SignInRequest{IdentityProvider: "Facebook"}, auth.CodeInvalidRequest, ""},
		{"a configured provider in other case", auth.SignInRequest{IdentityProvider: "google"}, auth.CodeInvalidRequest, ""},
		{"COGNITO in other case", auth.SignInRequest{IdentityProvider: "Cognito"}, auth.CodeInvalidRequest, ""},
		{"a malformed identity provider", auth.SignInRequest{IdentityProvider: "Google/../x"}, auth.CodeInvalidRequest, ""},
		{"an identity provider too long", auth.SignInRequest{IdentityProvider: strings.Repeat("a", 41)}, auth.CodeInvalidRequest, ""},
		{"an unknown screen", auth.SignInRequest{Screen: "signin"}, auth.CodeInvalidRequest, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, withConfig(func(c *auth.Config) { c.IdentityProviders = social }))
			u, f, err := h.svc.BeginSignIn(c.req)
			wantErr(t, err, c.want, "")
			if c.want != "" {
				if u != "" || f != (auth.Flow{}) {
					t.Fatalf("a refused sign-in still returned %q %+v", u, f)
				}
				return
			}
			a := h.hosted.authorize
			sum := sha256.Sum256([]byte(f.Verifier))
			switch {
			case f.RedirectTo != c.target:
				t.Fatalf("redirect to %q, want %q", f.RedirectTo, c.target)
			case !strings.Contains(u, "state="+f.State):
				t.Fatalf("authorize URL %q does not carry the flow's state", u)
			case a.State != f.State || a.Nonce != f.Nonce || a.RedirectURI != callbackURL:
				t.Fatalf("authorize request %+v does not match flow %+v", a, f)
			case a.CodeChallenge != base64.RawURLEncoding.EncodeToString(sum[:]):
				t.Fatal("the code challenge is not S256 of the verifier")
			case !slices.Equal(a.Scopes, []string{"openid", "email", "profile"}):
				t.Fatalf("scopes %v", a.Scopes)
			case a.IdentityProvider != c.req.IdentityProvider || a.SignUp != (c.req.Screen == "signup"):
				t.Fatalf("authorize request %+v for %+v", a, c.req)
			}
			// Every flow has its own secrets.
			_, g, _ := h.svc.BeginSignIn(c.req)
			if g.State == f.State || g.Nonce == f.Nonce || g.Verifier == f.Verifier || len(f.Verifier) < 43 {
				t.Fatal("flows share or lack random secrets")
			}
		})
	}
}

// withNonce re-signs an ID token with a nonce (and other changes), as managed login issues it.
func withNonce(t *testing.T, idToken, nonce string, kv ...any) string {
	t.Helper()
	return tokentest.Sign(tokentest.With(tokentest.With(tokentest.Claims(t, idToken), "nonce", nonce), kv...))
}

func TestCompleteSignIn(t *testing.T) {
	const code = "the-code"
	type fixture struct {
		h   *harness
		f   auth.Flow
		tok *auth.Tokens
	}
	type prepare func(t *testing.T, x *fixture) (auth.CallbackRequest, *auth.Flow)
	// plain is the callback managed login sends for the flow: its code and state.
	plain := func(_ *testing.T, x *fixture) (auth.CallbackRequest, *auth.Flow) {
		return auth.CallbackRequest{Code: code, State: x.f.State}, &x.f
	}
	// endpointFails is that callback with the token endpoint failing with err.
	endpointFails := func(err error) prepare {
		return func(t *testing.T, x *fixture) (auth.CallbackRequest, *auth.Flow) {
			x.h.hosted.fail = err
			return plain(t, x)
		}
	}
	cases := []struct {
		name    string
		cfg     func(*auth.Config)
		prepare prepare
		want    auth.Code
	}{
		{"the code with the flow's state signs in", nil, func(t *testing.T, x *fixture) (auth.CallbackRequest, *auth.Flow) {
			x.tok.IDToken = withNonce(t, x.tok.IDToken, x.f.Nonce)
			return auth.CallbackRequest{Code: code, State: x.f.State}, &x.f
		}, ""},
		{"no flow cookie", nil, func(t *testing.T, x *fixture) (auth.CallbackRequest, *auth.Flow) {
			return auth.CallbackRequest{Code: code, State: x.f.State}, nil
		}, auth.CodeInvalidState},
		{"no state", nil, func(t *testing.T, x *fixture) (auth.CallbackRequest, *auth.Flow) {
			return auth.CallbackRequest{Code: code}, &x.f
		}, auth.CodeInvalidState},
		{"another flow's state", nil, func(t *testing.T, x *fixture) (auth.CallbackRequest, *auth.Flow) {
			return auth.CallbackRequest{Code: code, State: x.f.State + "x"}, &x.f
		}, auth.CodeInvalidState},
		{"the user cancelled", nil, func(t *testing.T, x *fixture) (auth.CallbackRequest, *auth.Flow) {
			return auth.CallbackRequest{State: x.f.State, Error: "access_denied"}, &x.f
		}, auth.CodeAccessDenied},
		{"the identity provider failed", nil, func(t *testing.T, x *fixture) (auth.CallbackRequest, *auth.Flow) {
			return auth.CallbackRequest{State: x.f.State, Error: strings.Repeat("server_error", 10)}, &x.f
		}, auth.CodeSignInFailed},
		{"the identity provider failed briefly", nil, func(t *testing.T, x *fixture) (auth.CallbackRequest, *auth.Flow) {
			return auth.CallbackRequest{State: x.f.State, Error: "server_error"}, &x.f
		}, auth.CodeSignInFailed},
		{"no code", nil, func(t *testing.T, x *fixture) (auth.CallbackRequest, *auth.Flow) {
			return auth.CallbackRequest{State: x.f.State}, &x.f
		}, auth.CodeInvalidRequest},
		{"a code managed login does not know", nil, func(t *testing.T, x *fixture) (auth.CallbackRequest, *auth.Flow) {
			return auth.CallbackRequest{Code: "other", State: x.f.State}, &x.f
		}, auth.CodeSignInFailed},
		{"another flow's verifier", nil, func(t *testing.T, x *fixture) (auth.CallbackRequest, *auth.Flow) {
			f := x.f
			f.Verifier = "another"
			return auth.CallbackRequest{Code: code, State: x.f.State}, &f
		}, auth.CodeSignInFailed},
		{"the token endpoint is unreachable", nil, endpointFails(poolErr(auth.ReasonUnavailable, "")), auth.CodeUpstreamUnavailable},
		{"the token endpoint timed out", nil, endpointFails(context.DeadlineExceeded), auth.CodeUpstreamUnavailable},
		{"the app client is misconfigured", nil, endpointFails(poolErr(auth.ReasonMisconfigured, "")), auth.CodeInternal},
		{"managed login answers in the contract's terms", nil, endpointFails(auth.Fail(auth.CodeAccessDenied, "refused", nil)), auth.CodeAccessDenied},
		{"an ID token without the nonce", nil, plain, auth.CodeInvalidToken},
		{"an ID token without the nonce where an emulator is allowed", func(c *auth.Config) { c.AllowMissingNonce = true }, plain, ""},
		{"an ID token with another nonce", func(c *auth.Config) { c.AllowMissingNonce = true },
			func(t *testing.T, x *fixture) (auth.CallbackRequest, *auth.Flow) {
				x.tok.IDToken = withNonce(t, x.tok.IDToken, "another")
				return auth.CallbackRequest{Code: code, State: x.f.State}, &x.f
			}, auth.CodeInvalidToken},
		{"an ID token of another user", nil, func(t *testing.T, x *fixture) (auth.CallbackRequest, *auth.Flow) {
			x.tok.IDToken = withNonce(t, x.tok.IDToken, x.f.Nonce, "sub", "someone-else")
			return auth.CallbackRequest{Code: code, State: x.f.State}, &x.f
		}, auth.CodeInvalidToken},
		{"a forged access token", nil, func(t *testing.T, x *fixture) (auth.CallbackRequest, *auth.Flow) {
			x.tok.IDToken = withNonce(t, x.tok.IDToken, x.f.Nonce)
			x.tok.AccessToken = tokentest.Unsigned(tokentest.Claims(t, x.tok.AccessToken))
			return auth.CallbackRequest{Code: code, State: x.f.State}, &x.f
		}, auth.CodeInvalidToken},
		{"expired tokens", nil, func(t *testing.T, x *fixture) (auth.CallbackRequest, *auth.Flow) {
			x.tok.IDToken = withNonce(t, x.tok.IDToken, x.f.Nonce)
			x.h.clock.Advance(2 * time.Hour)
			return auth.CallbackRequest{Code: code, State: x.f.State}, &x.f
		}, auth.CodeInvalidToken},
		{"the signing keys are unavailable", nil, func(t *testing.T, x *fixture) (auth.CallbackRequest, *auth.Flow) {
			x.tok.IDToken = withNonce(t, x.tok.IDToken, x.f.Nonce)
			x.h.jwks.Close()
			return auth.CallbackRequest{Code: code, State: x.f.State}, &x.f
		}, auth.CodeUpstreamUnavailable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, withConfig(c.cfg))
			h.user("alice@example.com", map[string]string{"email": "alice@example.com", "custom:tenant": "t1"})
			_, f, err := h.svc.BeginSignIn(auth.SignInRequest{RedirectTo: "/home"})
			if err != nil {
				t.Fatal(err)
			}
			x := &fixture{h: h, f: f, tok: h.tokens("alice@example.com")}
			req, flow := c.prepare(t, x)
			h.hosted.issue(code, x.tok)
			g, target, err := h.svc.CompleteSignIn(h.ctx, req, flow)
			wantErr(t, err, c.want, "")
			if c.want != "" {
				if g != nil || target != "" {
					t.Fatalf("a failed callback returned %+v %q", g, target)
				}
				return
			}
			u := g.Session.User
			switch {
			case target != siteURL+"/home":
				t.Fatalf("target %q", target)
			case u.Sub == "" || u.Username == "" || u.Email != "alice@example.com" || u.Attributes.Get("custom:tenant") != "t1":
				t.Fatalf("user %+v", u)
			case g.Session.AccessToken != x.tok.AccessToken || g.Tokens != x.tok:
				t.Fatal("the grant does not carry the tokens")
			case g.Refresh == nil || g.Refresh.Token != x.tok.RefreshToken || g.Refresh.Sub != u.Sub || g.Refresh.Username != u.Username:
				t.Fatalf("refresh %+v", g.Refresh)
			case !g.Session.ExpiresAt.After(h.clock.Now()):
				t.Fatalf("session expires at %v", g.Session.ExpiresAt)
			}
		})
	}
}

// Whatever the token endpoint says, its text never becomes the user's message.
func TestCompleteSignInKeepsTheEndpointsWordsInTheCause(t *testing.T) {
	h := newHarness(t)
	_, f, _ := h.svc.BeginSignIn(auth.SignInRequest{})
	h.hosted.fail = &auth.PoolError{Reason: auth.ReasonNotAuthorized, Message: "invalid_grant: code already used", Err: errors.New("invalid_grant")}
	_, _, err := h.svc.CompleteSignIn(h.ctx, auth.CallbackRequest{Code: "c", State: f.State}, &f)
	if codeOf(err) != auth.CodeSignInFailed || strings.Contains(messageOf(err), "invalid_grant") {
		t.Fatalf("err = %v (message %q)", err, messageOf(err))
	}
}

// A provider the site does not offer is refused in words that say so, without repeating the
// caller's value, and no flow starts; with none configured only COGNITO is left.
func TestBeginSignInRefusesProvidersTheSiteDoesNotOffer(t *testing.T) {
	cases := []struct {
		name       string
		configured []string
		provider   string
	}{
		{"none configured", nil, "Google"},
		{"another provider", []string{"Google"}, "Facebook"},
		{"a name that is only a prefix", []string{"Google"}, "Goog"},
		{"a name with a trailing space", []string{"Google"}, "Google "},
		{"markup", []string{"Google"}, "<script>alert(1)</script>"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, withConfig(func(cfg *auth.Config) { cfg.IdentityProviders = c.configured }))
			_, _, err := h.svc.BeginSignIn(auth.SignInRequest{IdentityProvider: c.provider})
			wantErr(t, err, auth.CodeInvalidRequest, "identity_provider is not one of this site's sign-in providers")
			if h.hosted.authorize.State != "" {
				t.Fatalf("managed login was asked for %+v", h.hosted.authorize)
			}
		})
	}
	h := newHarness(t)
	if _, _, err := h.svc.BeginSignIn(auth.SignInRequest{IdentityProvider: "COGNITO"}); err != nil {
		t.Fatalf("COGNITO without configured providers: %v", err)
	}
}

func TestIdentityProvidersAreTheConfiguredOnes(t *testing.T) {
	configured := []string{"Google", "SignInWithApple"}
	h := newHarness(t, withConfig(func(c *auth.Config) { c.IdentityProviders = configured }))
	got := h.svc.IdentityProviders()
	if !slices.Equal(got, []string{"Google", "SignInWithApple"}) {
		t.Fatalf("providers = %q", got)
	}
	// Neither the caller's slice nor the answer reaches the service's own list.
	configured[0], got[1] = "Changed", "Changed"
	if again := h.svc.IdentityProviders(); !slices.Equal(again, []string{"Google", "SignInWithApple"}) {
		t.Fatalf("providers changed from outside: %q", again)
	}
	if p := newHarness(t).svc.IdentityProviders(); p == nil || len(p) != 0 {
		t.Fatalf("no providers = %#v, want an empty list", p)
	}
}
