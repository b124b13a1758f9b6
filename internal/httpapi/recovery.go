package httpapi

import (
	"net/http"

	"github.com/monban-auth/monban/internal/auth"
)

func (h *handler) forgotPassword(w http.ResponseWriter, r *http.Request, body *auth.ForgotPasswordRequest) (any, error) {
	defer h.Auth.HoldAnswer(r.Context()) // the same answer for any address, in the same time
	if err := h.Auth.ForgotPassword(r.Context(), *body); err != nil {
		return nil, err
	}
	// The same answer whether or not the account exists.
	return map[string]bool{"accepted": true}, nil
}

func (h *handler) confirmForgotPassword(w http.ResponseWriter, r *http.Request, body *auth.ConfirmForgotPasswordRequest) (any, error) {
	if err := h.Auth.ConfirmForgotPassword(r.Context(), *body); err != nil {
		return nil, err
	}
	return map[string]bool{"password_reset": true}, nil
}
