package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/auth/userpooltest"
)

const newPassword = "N3w-Passw0rd!"

// wrongCode is the one answer to a code that does not confirm: a wrong code, an unknown
// user and a user already confirmed alike, or the answer would tell who has an account.
const wrongCode = "The code is not correct."

// codeCase is a row of a flow that takes the code the pool sent: the request is made once
// the code is out, then the clock moves on by advance, and the pool's call fails with fail.
type codeCase[R any] struct {
	name    string
	req     func(h *harness) R
	fail    error
	advance time.Duration
	want    auth.Code
	message string
}

// run makes c's request with call and checks the answer; op is the pool's call fail stands in
// for.
func (c codeCase[R]) run(h *harness, op string, call func(context.Context, R) error) {
	h.t.Helper()
	req := c.req(h)
	h.clock.Advance(c.advance)
	h.pool.Fail(op, c.fail)
	wantErr(h.t, call(h.ctx, req), c.want, c.message)
}

func TestConfirmSignUp(t *testing.T) {
	sent := func(h *harness) auth.CodeRequest { return auth.CodeRequest{Email: alice, Code: h.pool.Code(alice)} }
	anyCode := func(*harness) auth.CodeRequest { return auth.CodeRequest{Email: alice, Code: "123456"} }
	cases := []codeCase[auth.CodeRequest]{
		{name: "the code sent confirms", req: sent},
		{name: "by username",
			req: func(h *harness) auth.CodeRequest { return auth.CodeRequest{Username: alice, Code: h.pool.Code(alice)} }},
		{name: "a wrong code",
			req: func(h *harness) auth.CodeRequest {
				return auth.CodeRequest{Email: alice, Code: otherThan(h.pool.Code(alice))}
			},
			want: auth.CodeCodeMismatch, message: wrongCode},
		{name: "an unknown user",
			req:  func(h *harness) auth.CodeRequest { return auth.CodeRequest{Email: bob, Code: h.pool.Code(alice)} },
			want: auth.CodeCodeMismatch, message: wrongCode},
		{name: "a user already confirmed",
			req: func(h *harness) auth.CodeRequest {
				c := h.pool.Code(alice)
				must(h.t, h.pool.ConfirmSignUp(h.ctx, alice, c))
				return auth.CodeRequest{Email: alice, Code: c}
			},
			want: auth.CodeCodeMismatch, message: wrongCode},
		{name: "a code too old", req: sent,
			advance: 25 * time.Hour, want: auth.CodeExpiredCode, message: "The code has expired; request a new one."},
		{name: "the pool says user_not_found", req: anyCode,
			fail: poolErr(auth.ReasonUserNotFound, ""), want: auth.CodeCodeMismatch, message: wrongCode},
		{name: "too many attempts", req: anyCode,
			fail: poolErr(auth.ReasonTooManyFailedAttempts, ""), want: auth.CodeTooManyRequests},
		{name: "no name", req: func(h *harness) auth.CodeRequest { return auth.CodeRequest{Code: "123456"} }, want: auth.CodeInvalidRequest},
		{name: "no code", req: func(h *harness) auth.CodeRequest { return auth.CodeRequest{Email: alice} }, want: auth.CodeInvalidRequest},
		{name: "a code with a space", req: func(h *harness) auth.CodeRequest { return auth.CodeRequest{Email: alice, Code: "123 456"} }, want: auth.CodeInvalidRequest},
		{name: "a code too long", req: func(h *harness) auth.CodeRequest {
			return auth.CodeRequest{Email: alice, Code: strings.Repeat("1", 65)}
		}, want: auth.CodeInvalidRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			signUpAtPool(h, alice)
			c.run(h, "ConfirmSignUp", h.svc.ConfirmSignUp)
			if c.want == "" {
				h.signIn(alice)
			}
		})
	}
}

func TestResendCode(t *testing.T) {
	email := &auth.Delivery{Medium: "EMAIL"}
	cases := []struct {
		name string
		user string
		fail error
		want auth.Code
		// sent: a new code went out.
		sent bool
	}{
		{name: "an unconfirmed user gets a new code", user: alice, sent: true},
		{name: "an unknown user gets the same answer", user: bob},
		{name: "a confirmed user gets the same answer", user: "confirmed@example.com"},
		{name: "the pool says user_not_found", user: alice, fail: poolErr(auth.ReasonUserNotFound, "")},
		{name: "the pool says not_authorized", user: alice, fail: poolErr(auth.ReasonNotAuthorized, "")},
		{name: "the pool says invalid_parameter", user: alice, fail: poolErr(auth.ReasonInvalidParameter, "")},
		{name: "too many codes", user: alice, fail: poolErr(auth.ReasonLimitExceeded, ""), want: auth.CodeTooManyRequests},
		{name: "the code could not be sent", user: alice, fail: poolErr(auth.ReasonDeliveryFailed, ""), want: auth.CodeUpstreamUnavailable},
		{name: "the pool unavailable", user: alice, fail: poolErr(auth.ReasonUnavailable, ""), want: auth.CodeUpstreamUnavailable},
		{name: "no name", want: auth.CodeInvalidRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			signUpAtPool(h, alice)
			h.user("confirmed@example.com", nil)
			// The sign-up's code has expired: only a code sent now confirms.
			h.clock.Advance(25 * time.Hour)
			h.pool.Fail("ResendConfirmationCode", c.fail)
			d, err := h.svc.ResendCode(h.ctx, auth.CodeRequest{Email: c.user})
			wantErr(t, err, c.want, "")
			if c.want != "" {
				return
			}
			// The destination is left out: it would tell a real account's masked address.
			if *d != *email {
				t.Fatalf("delivery %+v", d)
			}
			err = h.pool.ConfirmSignUp(h.ctx, alice, h.pool.Code(alice))
			if sent := err == nil; sent != c.sent {
				t.Fatalf("sent %v, want %v (%v)", sent, c.sent, err)
			}
		})
	}
}

// resendWith is a pool whose ResendConfirmationCode tells nothing of where the code went.
type resendWith struct {
	auth.UserPool
}

func (resendWith) ResendConfirmationCode(_ context.Context, _ string) (*auth.Delivery, error) {
	return nil, nil
}

func TestResendCodeWithoutDeliveryDetails(t *testing.T) {
	h := newHarness(t, withWrap(func(p *userpooltest.Pool) auth.UserPool { return resendWith{p} }))
	d, err := h.svc.ResendCode(h.ctx, auth.CodeRequest{Username: alice})
	if err != nil || d.Medium != "EMAIL" || d.Destination != "" {
		t.Fatalf("%+v %v", d, err)
	}
}

func TestForgotPassword(t *testing.T) {
	cases := []struct {
		name string
		req  auth.ForgotPasswordRequest
		fail error
		want auth.Code
		sent bool
	}{
		{name: "a user with a verified address gets a code", req: auth.ForgotPasswordRequest{Email: alice}, sent: true},
		{name: "by username", req: auth.ForgotPasswordRequest{Username: alice}, sent: true},
		{name: "an unknown user gets the same answer", req: auth.ForgotPasswordRequest{Email: bob}},
		{name: "a user without a verified address gets the same answer", req: auth.ForgotPasswordRequest{Email: "unverified@example.com"}},
		{name: "the pool says user_not_found", req: auth.ForgotPasswordRequest{Email: alice}, fail: poolErr(auth.ReasonUserNotFound, "")},
		{name: "the pool says not_authorized", req: auth.ForgotPasswordRequest{Email: alice}, fail: poolErr(auth.ReasonNotAuthorized, "")},
		{name: "the pool says user_not_confirmed", req: auth.ForgotPasswordRequest{Email: alice}, fail: poolErr(auth.ReasonUserNotConfirmed, "")},
		{name: "too many resets", req: auth.ForgotPasswordRequest{Email: alice}, fail: poolErr(auth.ReasonLimitExceeded, ""), want: auth.CodeTooManyRequests},
		{name: "the code could not be sent", req: auth.ForgotPasswordRequest{Email: alice}, fail: poolErr(auth.ReasonDeliveryFailed, ""), want: auth.CodeUpstreamUnavailable},
		{name: "a misconfigured client", req: auth.ForgotPasswordRequest{Email: alice}, fail: poolErr(auth.ReasonMisconfigured, ""), want: auth.CodeInternal},
		{name: "no name", want: auth.CodeInvalidRequest},
		{name: "a name too long", req: auth.ForgotPasswordRequest{Email: strings.Repeat("a", 129)}, want: auth.CodeInvalidRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			h.user(alice, nil)
			signUpAtPool(h, "unverified@example.com")
			h.pool.Fail("ForgotPassword", c.fail)
			wantErr(t, h.svc.ForgotPassword(h.ctx, c.req), c.want, "")
			// Only a reset code sent now sets a new password.
			err := h.pool.ConfirmForgotPassword(h.ctx, alice, h.pool.Code(alice), newPassword)
			if sent := err == nil; sent != c.sent {
				t.Fatalf("sent %v, want %v (%v)", sent, c.sent, err)
			}
		})
	}
}

func TestConfirmForgotPassword(t *testing.T) {
	type reset = auth.ConfirmForgotPasswordRequest
	sent := func(h *harness) reset { return reset{Email: alice, Code: h.pool.Code(alice), Password: newPassword} }
	anyCode := func(*harness) reset { return reset{Email: alice, Code: "123456", Password: newPassword} }
	cases := []codeCase[reset]{
		{name: "the code sets the new password", req: sent},
		{name: "by username", req: func(h *harness) reset { return reset{Username: alice, Code: h.pool.Code(alice), Password: newPassword} }},
		{name: "a wrong code", req: func(h *harness) reset {
			return reset{Email: alice, Code: otherThan(h.pool.Code(alice)), Password: newPassword}
		}, want: auth.CodeCodeMismatch, message: wrongCode},
		{name: "an unknown user gets the wrong code's answer", req: func(h *harness) reset {
			return reset{Email: bob, Code: h.pool.Code(alice), Password: newPassword}
		}, want: auth.CodeCodeMismatch, message: wrongCode},
		{name: "a code too old", req: sent, advance: 2 * time.Hour, want: auth.CodeExpiredCode},
		{name: "a new password against the policy, in the pool's words", req: func(h *harness) reset {
			return reset{Email: alice, Code: h.pool.Code(alice), Password: "n3w-passw0rd!"}
		}, want: auth.CodeInvalidPassword, message: "Password does not conform to policy: Password must have uppercase characters"},
		{name: "the pool says user_not_found", req: anyCode, fail: poolErr(auth.ReasonUserNotFound, ""), want: auth.CodeCodeMismatch, message: wrongCode},
		{name: "the pool says not_authorized", req: anyCode, fail: poolErr(auth.ReasonNotAuthorized, ""), want: auth.CodeCodeMismatch, message: wrongCode},
		// moto's answer for an unknown user.
		{name: "the pool says not_found", req: anyCode, fail: poolErr(auth.ReasonNotFound, ""), want: auth.CodeCodeMismatch, message: wrongCode},
		{name: "too many attempts", req: anyCode, fail: poolErr(auth.ReasonTooManyFailedAttempts, ""), want: auth.CodeTooManyRequests},
		{name: "no name", req: func(*harness) reset { return reset{Code: "123456", Password: newPassword} }, want: auth.CodeInvalidRequest},
		{name: "no code", req: func(*harness) reset { return reset{Email: alice, Password: newPassword} }, want: auth.CodeInvalidRequest},
		{name: "no password", req: func(*harness) reset { return reset{Email: alice, Code: "123456"} }, want: auth.CodeInvalidRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			h.user(alice, nil)
			must(t, h.svc.ForgotPassword(h.ctx, auth.ForgotPasswordRequest{Email: alice}))
			c.run(h, "ConfirmForgotPassword", h.svc.ConfirmForgotPassword)
			pw := password
			if c.want == "" {
				pw = newPassword
			}
			if _, err := h.svc.SignInPassword(h.ctx, auth.Credentials{Email: alice, Password: pw}); err != nil {
				t.Fatalf("sign-in with %s password: %v", map[bool]string{true: "the new", false: "the old"}[c.want == ""], err)
			}
		})
	}
}

func TestChangePassword(t *testing.T) {
	cases := []struct {
		name    string
		prepare func(h *harness, g *auth.Grant)
		req     auth.ChangePasswordRequest
		want    auth.Code
		message string
	}{
		{name: "the current password changes it", req: auth.ChangePasswordRequest{PreviousPassword: password, ProposedPassword: newPassword}},
		{name: "a wrong current password", req: auth.ChangePasswordRequest{PreviousPassword: "Wr0ng-Passw0rd!", ProposedPassword: newPassword},
			want: auth.CodeInvalidCredentials, message: "The current password is not correct."},
		{name: "a session signed out everywhere",
			prepare: func(h *harness, g *auth.Grant) { must(h.t, h.pool.GlobalSignOut(h.ctx, g.Session.AccessToken)) },
			req:     auth.ChangePasswordRequest{PreviousPassword: password, ProposedPassword: newPassword},
			want:    auth.CodeUnauthenticated, message: "The session has ended; sign in again."},
		{name: "a session of a disabled user",
			prepare: func(h *harness, g *auth.Grant) { must(h.t, h.pool.Disable(alice)) },
			req:     auth.ChangePasswordRequest{PreviousPassword: password, ProposedPassword: newPassword},
			want:    auth.CodeUnauthenticated},
		{name: "a new password against the policy, in the pool's words",
			req:  auth.ChangePasswordRequest{PreviousPassword: password, ProposedPassword: "N3W-PASSW0RD!"},
			want: auth.CodeInvalidPassword, message: "Password does not conform to policy: Password must have lowercase characters"},
		{name: "too many attempts",
			prepare: func(h *harness, _ *auth.Grant) { h.pool.Fail("ChangePassword", poolErr(auth.ReasonLimitExceeded, "")) },
			req:     auth.ChangePasswordRequest{PreviousPassword: password, ProposedPassword: newPassword},
			want:    auth.CodeTooManyRequests},
		{name: "the pool unavailable",
			prepare: func(h *harness, _ *auth.Grant) { h.pool.Fail("ChangePassword", poolErr(auth.ReasonUnavailable, "")) },
			req:     auth.ChangePasswordRequest{PreviousPassword: password, ProposedPassword: newPassword},
			want:    auth.CodeUpstreamUnavailable},
		{name: "no current password", req: auth.ChangePasswordRequest{ProposedPassword: newPassword}, want: auth.CodeInvalidRequest},
		{name: "no new password", req: auth.ChangePasswordRequest{PreviousPassword: password}, want: auth.CodeInvalidRequest},
		{name: "a new password too long", req: auth.ChangePasswordRequest{PreviousPassword: password, ProposedPassword: strings.Repeat("x", 257)}, want: auth.CodeInvalidRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			h.user(alice, nil)
			g := h.signIn(alice)
			if c.prepare != nil {
				c.prepare(h, g)
			}
			wantErr(t, h.svc.ChangePassword(h.ctx, &g.Session, c.req), c.want, c.message)
			if c.want == "" {
				if _, err := h.svc.SignInPassword(h.ctx, auth.Credentials{Email: alice, Password: newPassword}); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
