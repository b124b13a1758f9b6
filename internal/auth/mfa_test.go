package auth_test

import (
	"strings"
	"testing"

	"github.com/monban-auth/monban/internal/auth"
)

// The otpauth:// URI is what authenticator apps read from the QR code: the issuer label and
// the account (the e-mail address, else the username), escaped.
func TestSetupTOTPURI(t *testing.T) {
	cases := []struct {
		name    string
		issuer  string
		session func(g *auth.Grant) *auth.Session
		label   string
		q       string
	}{
		{name: "the e-mail address names the account", issuer: "Example Site",
			session: func(g *auth.Grant) *auth.Session { return &g.Session },
			label:   "Example%20Site:alice@example.com", q: "issuer=Example+Site"},
		{name: "the username without an e-mail address", issuer: "Example Site",
			session: func(g *auth.Grant) *auth.Session {
				s := g.Session
				s.User.Email = ""
				return &s
			},
			label: "Example%20Site:" + "SUB", q: "issuer=Example+Site"},
		{name: "monban is the default issuer",
			session: func(g *auth.Grant) *auth.Session { return &g.Session },
			label:   "monban:alice@example.com", q: "issuer=monban"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, withConfig(func(cfg *auth.Config) { cfg.TOTPIssuer = c.issuer }))
			h.user(alice, nil)
			g := h.signIn(alice)
			got, err := h.svc.SetupTOTP(h.ctx, c.session(g))
			if err != nil {
				t.Fatal(err)
			}
			label := strings.Replace(c.label, "SUB", g.Session.User.Username, 1)
			want := "otpauth://totp/" + label + "?algorithm=SHA1&digits=6&" + c.q + "&period=30&secret=" + got.Secret
			if len(got.Secret) < 32 || got.OTPAuthURI != want {
				t.Fatalf("uri = %s\nwant  %s", got.OTPAuthURI, want)
			}
		})
	}
}

func TestSetupTOTPRefusals(t *testing.T) {
	cases := []struct {
		name    string
		prepare func(h *harness, g *auth.Grant)
		want    auth.Code
	}{
		{"a session signed out everywhere", func(h *harness, g *auth.Grant) { must(h.t, h.pool.GlobalSignOut(h.ctx, g.Session.AccessToken)) }, auth.CodeUnauthenticated},
		{"the pool says not_authorized", func(h *harness, _ *auth.Grant) { h.pool.Fail("AssociateTOTP", poolErr(auth.ReasonNotAuthorized, "")) }, auth.CodeUnauthenticated},
		{"the pool unavailable", func(h *harness, _ *auth.Grant) { h.pool.Fail("AssociateTOTP", poolErr(auth.ReasonUnavailable, "")) }, auth.CodeUpstreamUnavailable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			h.user(alice, nil)
			g := h.signIn(alice)
			c.prepare(h, g)
			if res, err := h.svc.SetupTOTP(h.ctx, &g.Session); codeOf(err) != c.want || res != nil {
				t.Fatalf("%+v %v, want %s", res, err, c.want)
			}
		})
	}
}

func TestVerifyTOTP(t *testing.T) {
	// prepare returns the request; secret is the app being added ("" when none).
	type prepare func(h *harness, g *auth.Grant, secret string) auth.VerifyTOTPRequest
	// rightCodeBut is the app's code now, with the pool's op refusing for reason r.
	rightCodeBut := func(op string, r auth.Reason) prepare {
		return func(h *harness, _ *auth.Grant, secret string) auth.VerifyTOTPRequest {
			h.pool.Fail(op, poolErr(r, ""))
			return auth.VerifyTOTPRequest{Code: totpNow(h, secret)}
		}
	}
	cases := []struct {
		name    string
		prepare prepare
		setup   bool // an app is being added
		want    auth.Code
		message string
	}{
		{name: "the first code adds the app", setup: true,
			prepare: func(h *harness, _ *auth.Grant, secret string) auth.VerifyTOTPRequest {
				return auth.VerifyTOTPRequest{Code: totpNow(h, secret), FriendlyName: "Phone"}
			}},
		{name: "a wrong code", setup: true,
			prepare: func(h *harness, _ *auth.Grant, secret string) auth.VerifyTOTPRequest {
				return auth.VerifyTOTPRequest{Code: h.wrongTOTP(secret)}
			}, want: auth.CodeCodeMismatch, message: "The code is not correct."},
		{name: "no app being added",
			prepare: func(h *harness, _ *auth.Grant, _ string) auth.VerifyTOTPRequest {
				return auth.VerifyTOTPRequest{Code: "123456"}
			}, want: auth.CodeInvalidRequest, message: "No authenticator app is being set up."},
		{name: "a session signed out everywhere", setup: true,
			prepare: func(h *harness, g *auth.Grant, secret string) auth.VerifyTOTPRequest {
				must(h.t, h.pool.GlobalSignOut(h.ctx, g.Session.AccessToken))
				return auth.VerifyTOTPRequest{Code: totpNow(h, secret)}
			}, want: auth.CodeUnauthenticated},
		{name: "the pool says not_authorized", setup: true, prepare: rightCodeBut("VerifyTOTP", auth.ReasonNotAuthorized),
			want: auth.CodeUnauthenticated, message: "The session has ended; sign in again."},
		{name: "the preference cannot be set", setup: true, prepare: rightCodeBut("PreferTOTP", auth.ReasonUnavailable),
			want: auth.CodeUpstreamUnavailable},
		{name: "the preference's token is refused", setup: true, prepare: rightCodeBut("PreferTOTP", auth.ReasonNotAuthorized),
			want: auth.CodeUnauthenticated},
		{name: "no code",
			prepare: func(*harness, *auth.Grant, string) auth.VerifyTOTPRequest { return auth.VerifyTOTPRequest{} },
			want:    auth.CodeInvalidRequest},
		{name: "a code with a space",
			prepare: func(*harness, *auth.Grant, string) auth.VerifyTOTPRequest {
				return auth.VerifyTOTPRequest{Code: "123 456"}
			},
			want: auth.CodeInvalidRequest},
		{name: "a friendly name too long", setup: true,
			prepare: func(h *harness, _ *auth.Grant, secret string) auth.VerifyTOTPRequest {
				return auth.VerifyTOTPRequest{Code: totpNow(h, secret), FriendlyName: strings.Repeat("p", 65)}
			}, want: auth.CodeInvalidRequest, message: "friendly_name is too long"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			h.user(alice, nil)
			g := h.signIn(alice)
			var secret string
			if c.setup {
				s, err := h.svc.SetupTOTP(h.ctx, &g.Session)
				if err != nil {
					t.Fatal(err)
				}
				secret = s.Secret
			}
			wantErr(t, h.svc.VerifyTOTP(h.ctx, &g.Session, c.prepare(h, g, secret)), c.want, c.message)
			// Only a verified app with the preference set makes sign-in ask for its code.
			res, err := h.svc.SignInPassword(h.ctx, auth.Credentials{Email: alice, Password: password})
			if err != nil && c.want != auth.CodeUnauthenticated {
				t.Fatal(err)
			}
			asks := err == nil && res.Prompt != nil && res.Prompt.Challenge == auth.ChallengeTOTP
			if asks != (c.want == "") {
				t.Fatalf("sign-in after verifying: %+v %v", res, err)
			}
		})
	}
}
