package httpapi

import (
	"net/http"

	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/metrics"
)

// signUpView is POST /auth/sign-up's answer; with sign_in it also carries the session or the
// first challenge.
type signUpView struct {
	*auth.SignUpResult
	*signInView
}

func (h *handler) signUp(w http.ResponseWriter, r *http.Request, body *auth.SignUpRequest) (any, error) {
	if h.Auth.HidesExistingUsers() {
		// Hidden sign-up answers alike for new and taken addresses: in time too.
		defer h.Auth.HoldAnswer(r.Context())
	}
	res, err := h.Auth.SignUp(r.Context(), *body)
	h.count(metrics.SignUp, err, false)
	if err != nil {
		return nil, err
	}
	v := signUpView{SignUpResult: res}
	if res.SignIn != nil {
		if v.signInView, err = h.signInOutcome(w, r, res.SignIn); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (h *handler) confirmSignUp(w http.ResponseWriter, r *http.Request, body *auth.CodeRequest) (any, error) {
	if err := h.Auth.ConfirmSignUp(r.Context(), *body); err != nil {
		return nil, err
	}
	return map[string]bool{"confirmed": true}, nil
}

func (h *handler) resendCode(w http.ResponseWriter, r *http.Request, body *auth.CodeRequest) (any, error) {
	defer h.Auth.HoldAnswer(r.Context()) // the same answer for any address, in the same time
	d, err := h.Auth.ResendCode(r.Context(), *body)
	if err != nil {
		return nil, err
	}
	return map[string]any{"delivery": d}, nil
}
