package httpapi

import (
	"net/http"

	"github.com/monban-auth/monban/internal/auth"
)

func (h *handler) setupTOTP(w http.ResponseWriter, r *http.Request, _ *struct{}) (any, error) {
	return h.withSession(w, r, func(sess *auth.Session) (any, error) {
		return h.Auth.SetupTOTP(r.Context(), sess)
	})
}

func (h *handler) verifyTOTP(w http.ResponseWriter, r *http.Request, body *auth.VerifyTOTPRequest) (any, error) {
	return h.withSession(w, r, func(sess *auth.Session) (any, error) {
		return map[string]bool{"enabled": true}, h.Auth.VerifyTOTP(r.Context(), sess, *body)
	})
}

// withSession answers with what call makes of the request's session. A failure of call that
// ends the session clears its cookies (ended); the answer is dropped with any failure.
func (h *handler) withSession(w http.ResponseWriter, r *http.Request, call func(*auth.Session) (any, error)) (any, error) {
	sess, err := h.current(w, r)
	if err != nil {
		return nil, err
	}
	v, err := call(sess)
	if err != nil {
		return nil, h.ended(w, r, err)
	}
	return v, nil
}
