package httpapi

import (
	"net/http"

	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/metrics"
	"github.com/monban-auth/monban/internal/seal"
)

// jsonPost wraps a POST handler with the CSRF rules and body decoding: fn gets the decoded
// body and returns the value to answer 200 with, or an error for the contract.
func jsonPost[T any](h *handler, fn func(w http.ResponseWriter, r *http.Request, body *T) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r = r.WithContext(h.Auth.Started(r.Context())) // the answer floor counts from here
		if err := h.checkPost(r); err != nil {
			writeError(w, r, h.log, err)
			return
		}
		var body T
		if err := decode(w, r, &body); err != nil {
			writeError(w, r, h.log, err)
			return
		}
		out, err := fn(w, r, &body)
		if err != nil {
			writeError(w, r, h.log, err)
			return
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// signUpView is POST /auth/sign-up's answer; with sign_in it also carries the session or the
// first challenge.
type signUpView struct {
	*auth.SignUpResult
	*signInView
}

// signInView answers a password sign-in or a challenge response: a session, or the next
// challenge to answer.
type signInView struct {
	*sessionView
	*auth.Prompt
	// ChallengeToken is the sealed pending challenge, in token mode only: a cross-site page
	// gets no challenge cookie, so it sends this back with its answer.
	ChallengeToken string `json:"challenge_token,omitempty"`
}

// challengeBody is POST /auth/challenge's body.
type challengeBody struct {
	auth.ChallengeAnswer
	ChallengeToken string `json:"challenge_token"` // token mode, without the cookie
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

func (h *handler) signInPassword(w http.ResponseWriter, r *http.Request, body *auth.Credentials) (any, error) {
	res, err := h.Auth.SignInPassword(r.Context(), *body)
	h.count(metrics.SignIn, err, err == nil && res.Grant == nil)
	if err != nil {
		return nil, err
	}
	return h.signInOutcome(w, r, res)
}

func (h *handler) challenge(w http.ResponseWriter, r *http.Request, body *challengeBody) (any, error) {
	var pending auth.Challenge
	pp := &pending
	if !h.open(r, ChallengeCookie, seal.PurposeChallenge, pp) {
		pp = nil
		if h.TokenMode && body.ChallengeToken != "" && h.Sealer.Open(seal.PurposeChallenge, body.ChallengeToken, &pending, h.Now()) == nil {
			pp = &pending
		}
	}
	res, err := h.Auth.RespondToChallenge(r.Context(), pp, body.ChallengeAnswer)
	h.count(metrics.SignIn, err, err == nil && res.Grant == nil)
	if err != nil {
		// A wrong code may be retried within the challenge's life; a dead challenge may not.
		if c := auth.CodeOf(err); c == auth.CodeUnauthenticated || c == auth.CodeNoChallenge {
			h.Cookies.Clear(w, r, ChallengeCookie)
		}
		return nil, err
	}
	return h.signInOutcome(w, r, res)
}

// signInOutcome sets the session cookies, or seals the pending challenge into its cookie,
// and builds the answer.
func (h *handler) signInOutcome(w http.ResponseWriter, r *http.Request, res *auth.SignInResult) (*signInView, error) {
	if res.Grant != nil {
		if err := h.writeGrant(w, r, res.Grant); err != nil {
			return nil, err
		}
		h.Cookies.Clear(w, r, ChallengeCookie)
		v, err := h.grantView(res.Grant)
		return &signInView{sessionView: v}, err
	}
	exp := h.Now().Add(ChallengeLifetime)
	sealed, err := h.Sealer.Seal(seal.PurposeChallenge, res.Pending, exp)
	if err != nil {
		return nil, err
	}
	h.Cookies.Write(w, r, ChallengeCookie, sealed, exp)
	v := &signInView{Prompt: res.Prompt}
	if h.TokenMode {
		v.ChallengeToken = sealed
	}
	return v, nil
}

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

func (h *handler) changePassword(w http.ResponseWriter, r *http.Request, body *auth.ChangePasswordRequest) (any, error) {
	sess, _, err := h.current(w, r)
	if err != nil {
		return nil, err
	}
	if err := h.Auth.ChangePassword(r.Context(), sess, *body); err != nil {
		return nil, h.ended(w, r, err)
	}
	return map[string]bool{"changed": true}, nil
}

func (h *handler) setupTOTP(w http.ResponseWriter, r *http.Request, _ *struct{}) (any, error) {
	sess, _, err := h.current(w, r)
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
	sess, _, err := h.current(w, r)
	if err != nil {
		return nil, err
	}
	if err := h.Auth.VerifyTOTP(r.Context(), sess, *body); err != nil {
		return nil, h.ended(w, r, err)
	}
	return map[string]bool{"enabled": true}, nil
}

// ended clears the session cookies when Cognito says the session's token is no longer good
// (revoked elsewhere), so the browser stops presenting it; it returns err.
func (h *handler) ended(w http.ResponseWriter, r *http.Request, err error) error {
	if auth.CodeOf(err) == auth.CodeUnauthenticated {
		h.clearSession(w, r)
	}
	return err
}
