package auth_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/monban-auth/monban/internal/auth"
)

func TestError(t *testing.T) {
	cause := errors.New("cause")
	cases := []struct {
		err  error
		text string
		code auth.Code
	}{
		{auth.Fail(auth.CodeCodeMismatch, "The code is not correct.", nil), "code_mismatch: The code is not correct.", auth.CodeCodeMismatch},
		{auth.Fail(auth.CodeInternal, "internal error", cause), "internal: internal error: cause", auth.CodeInternal},
		{fmt.Errorf("wrapped: %w", auth.Fail(auth.CodeNotFound, "x", nil)), "wrapped: not_found: x", auth.CodeNotFound},
		{cause, "cause", auth.CodeInternal},
	}
	for _, c := range cases {
		if c.err.Error() != c.text || auth.CodeOf(c.err) != c.code {
			t.Errorf("%q (%s), want %q (%s)", c.err, auth.CodeOf(c.err), c.text, c.code)
		}
	}
	if !errors.Is(auth.Fail(auth.CodeInternal, "m", cause), cause) {
		t.Error("an Error unwraps to its cause")
	}
}

func TestReasonOf(t *testing.T) {
	cause := errors.New("cause")
	cases := []struct {
		name string
		err  error
		want auth.Reason
		text string
	}{
		{"a pool error", &auth.PoolError{Reason: auth.ReasonCodeMismatch}, auth.ReasonCodeMismatch, "user pool: code_mismatch"},
		{"a pool error with its cause", &auth.PoolError{Reason: auth.ReasonRejected, Message: "m", Err: cause}, auth.ReasonRejected, "user pool: rejected: cause"},
		{"a wrapped pool error", fmt.Errorf("op: %w", &auth.PoolError{Reason: auth.ReasonUnavailable}), auth.ReasonUnavailable, "op: user pool: unavailable"},
		{"a deadline", fmt.Errorf("op: %w", context.DeadlineExceeded), auth.ReasonUnavailable, "op: context deadline exceeded"},
		{"anything else", cause, auth.ReasonUnknown, "cause"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := auth.ReasonOf(c.err); got != c.want || c.err.Error() != c.text {
				t.Fatalf("%s %q, want %s %q", got, c.err, c.want, c.text)
			}
		})
	}
	if !errors.Is(&auth.PoolError{Reason: auth.ReasonUnknown, Err: cause}, cause) {
		t.Error("a PoolError unwraps to its cause")
	}
}

// The logged cause of a pool failure names the operation and the reason, never the pool's
// text (it may echo what was sent); an error that is no pool error is kept whole.
func TestPoolFailureCause(t *testing.T) {
	h := newHarness(t)
	h.pool.Fail("SignUp", &auth.PoolError{Reason: auth.ReasonInvalidParameter, Message: "Invalid email address format: <script>", Err: errors.New("Invalid email address format: <script>")})
	_, err := h.svc.SignUp(h.ctx, auth.SignUpRequest{Credentials: auth.Credentials{Email: alice, Password: password}})
	var e *auth.Error
	if !errors.As(err, &e) || e.Err == nil || e.Err.Error() != "sign up: invalid_parameter" {
		t.Fatalf("cause %v", e.Err)
	}
	if e.Message != "Invalid email address format: <script>" {
		t.Fatalf("an invalid parameter is shown in the pool's words: %q", e.Message)
	}
	boom := errors.New("boom")
	h.pool.Fail("SignUp", boom)
	_, err = h.svc.SignUp(h.ctx, auth.SignUpRequest{Credentials: auth.Credentials{Email: alice, Password: password}})
	if !errors.Is(err, boom) || auth.CodeOf(err) != auth.CodeInternal {
		t.Fatalf("err = %v", err)
	}
}

// Every reason a pool gives has one answer unless a flow says otherwise (sign-up overrides
// none): the contract's code, and a message of monban's own or, where the pool's words are
// meant for the user, those words (monban's own when the pool gave none).
func TestCommonRefusals(t *testing.T) {
	const words = "the pool's words"
	cases := []struct {
		reason auth.Reason
		code   auth.Code
		// message is the answer's message; poolText: the pool's words replace it.
		message  string
		poolText bool
	}{
		{auth.ReasonNotAuthorized, auth.CodeInvalidCredentials, "The request was refused.", true},
		{auth.ReasonTokenRevoked, auth.CodeUnauthenticated, "The session has ended; sign in again.", false},
		{auth.ReasonUserNotFound, auth.CodeInvalidCredentials, "Incorrect username or password.", false},
		{auth.ReasonUserNotConfirmed, auth.CodeUserNotConfirmed, "The account is not confirmed yet.", false},
		{auth.ReasonPasswordResetRequired, auth.CodePasswordResetRequired, "The password must be reset before signing in.", false},
		{auth.ReasonCodeMismatch, auth.CodeCodeMismatch, "The code is not correct.", false},
		{auth.ReasonExpiredCode, auth.CodeExpiredCode, "The code has expired; request a new one.", false},
		{auth.ReasonInvalidPassword, auth.CodeInvalidPassword, "The request was refused.", true},
		{auth.ReasonUsernameExists, auth.CodeUsernameExists, "An account with this username already exists.", false},
		{auth.ReasonAliasExists, auth.CodeUsernameExists, "An account with this e-mail address already exists.", false},
		{auth.ReasonInvalidParameter, auth.CodeInvalidRequest, "The request was refused.", true},
		{auth.ReasonTooManyRequests, auth.CodeTooManyRequests, "Too many requests; try again later.", false},
		{auth.ReasonLimitExceeded, auth.CodeTooManyRequests, "Too many attempts; try again later.", false},
		{auth.ReasonTooManyFailedAttempts, auth.CodeTooManyRequests, "Too many failed attempts; try again later.", false},
		{auth.ReasonDeliveryFailed, auth.CodeUpstreamUnavailable, "The code could not be delivered; try again later.", false},
		{auth.ReasonNoTOTPSetup, auth.CodeInvalidRequest, "No authenticator app is being set up.", false},
		{auth.ReasonRejected, auth.CodeSignUpRejected, "Sign-up was refused.", true},
		{auth.ReasonNotFound, auth.CodeInternal, "internal error", false},
		{auth.ReasonMisconfigured, auth.CodeInternal, "internal error", false},
		{auth.ReasonUnavailable, auth.CodeUpstreamUnavailable, "Cognito is unavailable, try again", false},
		{auth.ReasonUnknown, auth.CodeInternal, "internal error", false},
		{"a reason from a newer pool", auth.CodeInternal, "internal error", false},
	}
	for _, c := range cases {
		for _, msg := range []string{words, ""} {
			t.Run(string(c.reason)+"/"+msg, func(t *testing.T) {
				h := newHarness(t)
				h.pool.Fail("SignUp", &auth.PoolError{Reason: c.reason, Message: msg})
				_, err := h.svc.SignUp(h.ctx, auth.SignUpRequest{Credentials: auth.Credentials{Email: alice, Password: password}})
				want := c.message
				if c.poolText && msg != "" {
					want = msg
				}
				if auth.CodeOf(err) != c.code || messageOf(err) != want {
					t.Fatalf("%s: %v (%q), want %s %q", c.reason, err, messageOf(err), c.code, want)
				}
				if e := (*auth.Error)(nil); errors.As(err, &e) && e.Err != nil && strings.Contains(e.Err.Error(), words) {
					t.Fatalf("the pool's words reached the logged cause: %v", e.Err)
				}
			})
		}
	}
}
