package httpapi

import (
	"net/http"
	"time"

	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/metrics"
)

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

func (h *handler) signInPassword(w http.ResponseWriter, r *http.Request, body *auth.Credentials) (any, error) {
	res, err := h.Auth.SignInPassword(r.Context(), *body)
	return h.signInStep(w, r, res, err)
}

func (h *handler) challenge(w http.ResponseWriter, r *http.Request, body *challengeBody) (any, error) {
	pending := h.jars.challenge.read(r)
	if pending == nil && h.TokenMode && body.ChallengeToken != "" {
		pending, _ = h.jars.challenge.open(body.ChallengeToken) // nil when it does not open
	}
	res, err := h.Auth.RespondToChallenge(r.Context(), pending, body.ChallengeAnswer)
	// A wrong code may be retried within the challenge's life; a dead challenge may not.
	if c := auth.CodeOf(err); err != nil && (c == auth.CodeUnauthenticated || c == auth.CodeNoChallenge) {
		h.jars.challenge.clear(w, r)
	}
	return h.signInStep(w, r, res, err)
}

// signInStep counts a step of a sign-in (a challenge is neither success nor failure yet) and
// answers with its outcome or its error.
func (h *handler) signInStep(w http.ResponseWriter, r *http.Request, res *auth.SignInResult, err error) (any, error) {
	h.count(metrics.SignIn, err, err == nil && res.Grant == nil)
	if err != nil {
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
		h.jars.challenge.clear(w, r)
		v, err := h.grantView(res.Grant)
		return &signInView{sessionView: v}, err
	}
	sealed, err := h.jars.challenge.write(w, r, res.Pending, time.Time{})
	if err != nil {
		return nil, err
	}
	v := &signInView{Prompt: res.Prompt}
	if h.TokenMode {
		v.ChallengeToken = sealed
	}
	return v, nil
}

func (h *handler) changePassword(w http.ResponseWriter, r *http.Request, body *auth.ChangePasswordRequest) (any, error) {
	return h.withSession(w, r, func(sess *auth.Session) (any, error) {
		return map[string]bool{"changed": true}, h.Auth.ChangePassword(r.Context(), sess, *body)
	})
}
