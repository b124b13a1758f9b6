package httpapi

import (
	"net/http"

	"github.com/monban-auth/monban/internal/auth"
)

func (h *handler) setupTOTP(w http.ResponseWriter, r *http.Request, _ *struct{}) (any, error) {
	sess, err := h.current(w, r)
	if err != nil {
		return nil, err
	}
	setup, err := h.Auth.SetupTOTP(r.Context(), sess)
	if err != nil {
		return nil, h.ended(w, r, err)
	}
	return setup, nil
}

func (h *handler) verifyTOTP(w http.ResponseWriter, r *http.Request, body *auth.VerifyTOTPRequest) (any, error) {
	sess, err := h.current(w, r)
	if err != nil {
		return nil, err
	}
	if err := h.Auth.VerifyTOTP(r.Context(), sess, *body); err != nil {
		return nil, h.ended(w, r, err)
	}
	return map[string]bool{"enabled": true}, nil
}
