package auth_test

import (
	"strings"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/tokentest"
)

// An account is deleted by a user who shows they are there: a sign-in within the window, or
// the password. A session alone, older than that, deletes nothing.
func TestDeleteAccount(t *testing.T) {
	const wrongPassword = "Wr0ng-Horse!"
	emailMFA := func(h *harness) {
		if err := h.pool.SetMFAPreference(alice, []string{auth.ChallengeEmailOTP}, auth.ChallengeEmailOTP); err != nil {
			h.t.Fatal(err)
		}
	}
	cases := []struct {
		name     string
		age      time.Duration // since the sign-in
		password string
		prepare  func(h *harness)
		window   time.Duration
		want     auth.Code
		message  string
		// revokes: refresh tokens revoked (the session's, and the password check's).
		revokes int
		// keysGone: the signing keys cannot be fetched (and were not before: the session's
		// tokens come straight from the pool).
		keysGone bool
	}{
		{name: "a sign-in just made", revokes: 1},
		{name: "a sign-in at the end of the window", age: 5 * time.Minute, revokes: 1},
		{name: "an older sign-in", age: 5*time.Minute + time.Second,
			want: auth.CodeReauthRequired, message: "Sign in again, then delete the account within 5 minutes."},
		{name: "an older sign-in with the password", age: time.Hour - time.Minute, password: password, revokes: 2},
		{name: "an older sign-in with a wrong password", age: 10 * time.Minute, password: wrongPassword,
			want: auth.CodeInvalidCredentials, message: "Incorrect username or password."},
		{name: "a sign-in just made with a wrong password", password: wrongPassword, want: auth.CodeInvalidCredentials},
		{name: "a password too long", password: strings.Repeat("a", 257), want: auth.CodeInvalidRequest},
		{name: "a password that leads to a challenge proves nothing", age: 10 * time.Minute, password: password,
			prepare: emailMFA, want: auth.CodeReauthRequired},
		{name: "a challenge beside a sign-in just made", password: password, prepare: emailMFA, revokes: 1},
		{name: "a window of its own", age: 2 * time.Minute, window: time.Minute,
			want: auth.CodeReauthRequired, message: "Sign in again, then delete the account within 1 minute."},
		{name: "a window in seconds", age: 2 * time.Minute, window: 90 * time.Second,
			want: auth.CodeReauthRequired, message: "Sign in again, then delete the account within 90 seconds."},
		{name: "a window of many minutes", age: 9 * time.Minute, window: 10 * time.Minute, revokes: 1},
		{name: "the signing keys unavailable", keysGone: true, want: auth.CodeUpstreamUnavailable},
		{name: "the password checked while the keys are unavailable", age: 10 * time.Minute, password: password,
			keysGone: true, want: auth.CodeUpstreamUnavailable, revokes: 1},
		{name: "a token revoked elsewhere", prepare: func(h *harness) {
			h.pool.Fail("DeleteUser", poolErr(auth.ReasonTokenRevoked, ""))
		}, want: auth.CodeUnauthenticated},
		{name: "the pool unreachable", prepare: func(h *harness) {
			h.pool.Fail("DeleteUser", poolErr(auth.ReasonUnavailable, ""))
		}, want: auth.CodeUpstreamUnavailable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, withConfig(func(cfg *auth.Config) { cfg.ReauthWindow = c.window }))
			h.user(alice, nil)
			var g *auth.Grant
			if c.keysGone {
				tok := h.tokens(alice)
				claims := tokentest.Claims(t, tok.AccessToken)
				g = &auth.Grant{Session: auth.Session{AccessToken: tok.AccessToken, User: auth.User{
					Sub: claims["sub"].(string), Username: claims["username"].(string)}}}
				h.jwks.Close()
			} else {
				g = h.signIn(alice)
			}
			h.clock.Advance(c.age)
			if c.prepare != nil {
				c.prepare(h)
			}
			err := h.svc.DeleteAccount(h.ctx, &g.Session, auth.DeleteAccountRequest{Password: c.password}, g.Refresh)
			wantErr(t, err, c.want, c.message)
			if n := h.pool.Calls("RevokeToken"); n != c.revokes {
				t.Errorf("%d refresh tokens revoked, want %d", n, c.revokes)
			}
			_, profileErr := h.pool.Profile(h.ctx, g.Session.AccessToken)
			if deleted := profileErr != nil; deleted != (err == nil) {
				t.Fatalf("deleted: %v, yet the answer was %v", deleted, err)
			}
			if err == nil {
				if _, err := h.svc.Refresh(h.ctx, g.Refresh); auth.CodeOf(err) != auth.CodeUnauthenticated {
					t.Fatalf("the session's refresh token after the deletion: %v", err)
				}
			}
		})
	}
}

// The password is checked as the session's user: a sign-in that proves another user, or no
// tokens at all, proves nothing; the check's own refresh token is revoked whatever it proves.
func TestDeleteAccountPasswordCheck(t *testing.T) {
	cases := []struct {
		name    string
		session func(s *auth.Session)
		signIn  func(h *harness) func(username, password string) (*auth.Step, error)
		want    auth.Code
		asked   string // the name the pool was asked for
	}{
		{name: "by the session's username", want: ""},
		{name: "by e-mail when the session names no username", session: func(s *auth.Session) { s.User.Username = "" }, asked: alice},
		{name: "another user's tokens", signIn: func(h *harness) func(string, string) (*auth.Step, error) {
			h.user(bob, nil)
			return func(string, string) (*auth.Step, error) { return &auth.Step{Tokens: h.tokens(bob)}, nil }
		}, want: auth.CodeReauthRequired},
		{name: "no tokens and no challenge", signIn: func(h *harness) func(string, string) (*auth.Step, error) {
			return func(string, string) (*auth.Step, error) { return &auth.Step{}, nil }
		}, want: auth.CodeReauthRequired},
		{name: "tokens that fail verification", signIn: func(h *harness) func(string, string) (*auth.Step, error) {
			return func(string, string) (*auth.Step, error) {
				t := h.tokens(alice)
				t.AccessToken = tokentest.Unsigned(tokentest.Claims(h.t, t.AccessToken))
				return &auth.Step{Tokens: t}, nil
			}
		}, want: auth.CodeInvalidToken},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var asked string
			var h *harness
			opt, pp := withProfilePool(nil)
			h = newHarness(t, opt)
			h.user(alice, nil)
			g := h.signIn(alice)
			if c.session != nil {
				c.session(&g.Session)
			}
			var scripted func(string, string) (*auth.Step, error)
			if c.signIn != nil {
				scripted = c.signIn(h)
			}
			pp.signIn = func(username, pw string) (*auth.Step, error) {
				asked = username
				if scripted != nil {
					return scripted(username, pw)
				}
				return pp.Pool.SignInPassword(h.ctx, username, pw)
			}
			h.clock.Advance(time.Hour - time.Minute)
			err := h.svc.DeleteAccount(h.ctx, &g.Session, auth.DeleteAccountRequest{Password: password}, nil)
			wantErr(t, err, c.want, "")
			want := c.asked
			if want == "" {
				want = g.Session.User.Username
			}
			if asked != want {
				t.Fatalf("the pool was asked to sign %q in, want %q", asked, want)
			}
			if n := h.pool.Calls("RevokeToken"); c.name != "no tokens and no challenge" && n != 1 {
				t.Fatalf("%d refresh tokens revoked, want the check's", n)
			}
		})
	}
}

// A session whose access token no longer verifies proves no recent sign-in; a refresh
// token Cognito will not revoke is logged, without the token, and the deletion stands.
func TestDeleteAccountEdges(t *testing.T) {
	t.Run("a forged access token", func(t *testing.T) {
		h := newHarness(t)
		sess := sessionOf(h)
		forged := *sess
		forged.AccessToken = tokentest.Unsigned(tokentest.Claims(t, sess.AccessToken))
		wantErr(t, h.svc.DeleteAccount(h.ctx, &forged, auth.DeleteAccountRequest{}, nil), auth.CodeReauthRequired, "")
	})
	t.Run("another user's access token", func(t *testing.T) {
		h := newHarness(t)
		sess := sessionOf(h)
		h.user(bob, nil)
		other := *sess
		other.AccessToken = h.tokens(bob).AccessToken
		wantErr(t, h.svc.DeleteAccount(h.ctx, &other, auth.DeleteAccountRequest{}, nil), auth.CodeReauthRequired, "")
	})
	t.Run("a token without auth_time", func(t *testing.T) {
		h := newHarness(t)
		sess := sessionOf(h)
		c := tokentest.Claims(t, sess.AccessToken)
		delete(c, "auth_time")
		bare := *sess
		bare.AccessToken = tokentest.Sign(c)
		wantErr(t, h.svc.DeleteAccount(h.ctx, &bare, auth.DeleteAccountRequest{}, nil), auth.CodeReauthRequired, "")
	})
	t.Run("an auth_time in the future", func(t *testing.T) {
		h := newHarness(t)
		sess := sessionOf(h)
		c := tokentest.Claims(t, sess.AccessToken)
		c["auth_time"] = h.clock.Now().Add(2 * time.Minute).Unix()
		future := *sess
		future.AccessToken = tokentest.Sign(c)
		wantErr(t, h.svc.DeleteAccount(h.ctx, &future, auth.DeleteAccountRequest{}, nil), auth.CodeReauthRequired, "")
	})
	t.Run("a refresh token Cognito will not revoke", func(t *testing.T) {
		h := newHarness(t)
		h.user(alice, nil)
		g := h.signIn(alice)
		h.pool.Fail("RevokeToken", poolErr(auth.ReasonUnavailable, ""))
		if err := h.svc.DeleteAccount(h.ctx, &g.Session, auth.DeleteAccountRequest{}, g.Refresh); err != nil {
			t.Fatal(err)
		}
		logs := h.logs.String()
		if !strings.Contains(logs, "refresh token not revoked after the account was deleted") || strings.Contains(logs, g.Refresh.Token) {
			t.Fatalf("logs: %s", logs)
		}
	})
}

// Once the account is deleted (or the pool says it no longer has the user, or refuses the
// token), every signed-in call answers that the session has ended, so the browser is signed
// out at once.
func TestSignedInCallsEndTheSessionOfADeletedAccount(t *testing.T) {
	calls := map[string]func(h *harness, s *auth.Session) error{
		"ChangePassword": func(h *harness, s *auth.Session) error {
			return h.svc.ChangePassword(h.ctx, s, auth.ChangePasswordRequest{PreviousPassword: password, ProposedPassword: "N3w-Passw0rd!!"})
		},
		"AssociateTOTP": func(h *harness, s *auth.Session) error { _, err := h.svc.SetupTOTP(h.ctx, s); return err },
		"VerifyTOTP": func(h *harness, s *auth.Session) error {
			return h.svc.VerifyTOTP(h.ctx, s, auth.VerifyTOTPRequest{Code: "123456"})
		},
		"StartPasskeyRegistration": func(h *harness, s *auth.Session) error {
			_, err := h.svc.StartPasskeyRegistration(h.ctx, s)
			return err
		},
		"ListPasskeys":  func(h *harness, s *auth.Session) error { _, err := h.svc.ListPasskeys(h.ctx, s); return err },
		"DeletePasskey": func(h *harness, s *auth.Session) error { return h.svc.DeletePasskey(h.ctx, s, "aWQ") },
		"Profile":       func(h *harness, s *auth.Session) error { _, err := h.svc.Profile(h.ctx, s); return err },
		"UpdateAttributes": func(h *harness, s *auth.Session) error {
			_, err := h.svc.UpdateProfile(h.ctx, s, auth.ProfileUpdate{Attributes: map[string]string{"name": "Ann"}})
			return err
		},
		"VerifyAttribute": func(h *harness, s *auth.Session) error {
			_, err := h.svc.VerifyAttribute(h.ctx, s, auth.AttributeCode{Attribute: "email", Code: "123456"})
			return err
		},
		"SendAttributeCode": func(h *harness, s *auth.Session) error {
			_, err := h.svc.ResendAttributeCode(h.ctx, s, auth.AttributeCodeRequest{Attribute: "email"})
			return err
		},
		"DeleteUser": func(h *harness, s *auth.Session) error {
			return h.svc.DeleteAccount(h.ctx, s, auth.DeleteAccountRequest{}, nil)
		},
	}
	for op, call := range calls {
		t.Run(op, func(t *testing.T) {
			for _, reason := range []auth.Reason{auth.ReasonUserNotFound, auth.ReasonNotAuthorized, auth.ReasonTokenRevoked} {
				if op == "ChangePassword" && reason == auth.ReasonNotAuthorized {
					continue // the current password is wrong (TestChangePassword)
				}
				h := newHarness(t)
				sess := sessionOf(h)
				h.pool.Fail(op, poolErr(reason, ""))
				wantErr(t, call(h, sess), auth.CodeUnauthenticated, "The session has ended; sign in again.")
			}
			h := newHarness(t)
			sess := sessionOf(h)
			if err := h.svc.DeleteAccount(h.ctx, sess, auth.DeleteAccountRequest{}, nil); err != nil {
				t.Fatal(err)
			}
			wantErr(t, call(h, sess), auth.CodeUnauthenticated, "")
		})
	}
}
