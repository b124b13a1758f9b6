package auth

import (
	"context"
	"slices"
)

// ForgotPasswordRequest is POST /auth/forgot-password's body.
type ForgotPasswordRequest struct {
	Username string `json:"username"`
	Email    string `json:"email"`
}

// forgotAlike are the refusals of a reset request that answer like a code sent: unknown
// users, users without a verified address and real users get the same answer.
var forgotAlike = []Reason{ReasonUserNotFound, ReasonInvalidParameter, ReasonNotAuthorized, ReasonUserNotConfirmed}

// ForgotPassword asks Cognito to send a reset code. Unknown users, users without a verified
// address and real users get the same answer.
func (s *Service) ForgotPassword(ctx context.Context, r ForgotPasswordRequest) error {
	name := Credentials{Username: r.Username, Email: r.Email}.name()
	if err := checkName(name); err != nil {
		return err
	}
	if err := s.pool.ForgotPassword(ctx, name); err != nil {
		if slices.Contains(forgotAlike, ReasonOf(err)) {
			return nil
		}
		return poolFailure(err, "forgot password", nil)
	}
	return nil
}

// ConfirmForgotPasswordRequest is POST /auth/confirm-forgot-password's body.
type ConfirmForgotPasswordRequest struct {
	Username string `json:"username"`
	Email    string `json:"email"`
	Code     string `json:"code"`
	Password string `json:"password"`
}

// ConfirmForgotPassword sets a new password with the reset code.
func (s *Service) ConfirmForgotPassword(ctx context.Context, r ConfirmForgotPasswordRequest) error {
	name := Credentials{Username: r.Username, Email: r.Email}.name()
	if err := checkName(name); err != nil {
		return err
	}
	if err := checkCode(r.Code); err != nil {
		return err
	}
	if err := checkPassword("password", r.Password); err != nil {
		return err
	}
	if err := s.pool.ConfirmForgotPassword(ctx, name, r.Code, r.Password); err != nil {
		return poolFailure(err, "confirm forgot password", resetRefusals)
	}
	return nil
}
