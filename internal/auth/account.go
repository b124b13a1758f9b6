package auth

import "context"

// ChangePasswordRequest is POST /auth/change-password's body.
type ChangePasswordRequest struct {
	PreviousPassword string `json:"previous_password"`
	ProposedPassword string `json:"proposed_password"`
}

// ChangePassword changes the signed-in user's password.
func (s *Service) ChangePassword(ctx context.Context, sess *Session, r ChangePasswordRequest) error {
	if err := checkPassword("previous_password", r.PreviousPassword); err != nil {
		return err
	}
	if err := checkPassword("proposed_password", r.ProposedPassword); err != nil {
		return err
	}
	if err := s.pool.ChangePassword(ctx, sess.AccessToken, r.PreviousPassword, r.ProposedPassword); err != nil {
		return poolFailure(err, "change password", changePasswordRefusals)
	}
	return nil
}
