package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/metrics"
)

// The signed-in user's own account: the profile, its changes and their codes, and deleting
// the account.

// profileView is GET /auth/profile's answer.
type profileView struct {
	Username   string            `json:"username"`
	Attributes map[string]string `json:"attributes"`
}

// profileChangeView is POST /auth/profile's answer: the profile as it now is and where the
// codes went.
type profileChangeView struct {
	Attributes   map[string]string   `json:"attributes"`
	Verification []auth.Verification `json:"verification"`
}

// attributesView is POST /auth/profile/verify's answer.
type attributesView struct {
	Attributes map[string]string `json:"attributes"`
}

// verificationView is POST /auth/profile/resend-code's answer.
type verificationView struct {
	Verification []auth.Verification `json:"verification"`
}

// deletedView is POST /auth/account/delete's answer.
type deletedView struct {
	Deleted bool `json:"deleted"`
}

// profile is GET /auth/profile. Like GET /auth/session it reads and changes nothing, so it
// needs no CSRF check; CORS keeps other origins from reading the answer.
func (h *handler) profile(w http.ResponseWriter, r *http.Request) {
	v, err := h.withSession(w, r, func(sess *auth.Session) (any, error) {
		p, err := h.Auth.Profile(r.Context(), sess)
		if err != nil {
			return nil, err
		}
		return profileView{Username: p.Username, Attributes: p.Attributes}, nil
	})
	if err != nil {
		writeError(w, r, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (h *handler) updateProfile(w http.ResponseWriter, r *http.Request, body *auth.ProfileUpdate) (any, error) {
	if _, ok := body.Attributes["email"]; ok {
		// An address another account has is answered as a free one; the floor hides the
		// time too.
		defer h.Auth.HoldAnswer(r.Context())
	}
	return h.withSession(w, r, func(sess *auth.Session) (any, error) {
		c, err := h.Auth.UpdateProfile(r.Context(), sess, *body)
		if err != nil {
			return nil, err
		}
		h.refreshAfterChange(w, r, sess)
		return profileChangeView{Attributes: c.Profile.Attributes, Verification: c.Verification}, nil
	})
}

func (h *handler) verifyAttribute(w http.ResponseWriter, r *http.Request, body *auth.AttributeCode) (any, error) {
	return h.withSession(w, r, func(sess *auth.Session) (any, error) {
		p, err := h.Auth.VerifyAttribute(r.Context(), sess, *body)
		if err != nil {
			return nil, err
		}
		h.refreshAfterChange(w, r, sess)
		return attributesView{Attributes: p.Attributes}, nil
	})
}

func (h *handler) resendAttributeCode(w http.ResponseWriter, r *http.Request, body *auth.AttributeCodeRequest) (any, error) {
	return h.withSession(w, r, func(sess *auth.Session) (any, error) {
		sent, err := h.Auth.ResendAttributeCode(r.Context(), sess, *body)
		if err != nil {
			return nil, err
		}
		return verificationView{Verification: sent}, nil
	})
}

// deleteAccount is POST /auth/account/delete. Once the account is gone the browser is
// signed out as by POST /auth/sign-out: every monban cookie cleared.
func (h *handler) deleteAccount(w http.ResponseWriter, r *http.Request, body *auth.DeleteAccountRequest) (any, error) {
	return h.withSession(w, r, func(sess *auth.Session) (any, error) {
		var ref *auth.Refresh
		if _, bearer := h.bearer(r); !bearer {
			ref = h.readRefreshCookie(w, r, sess)
		}
		if err := h.Auth.DeleteAccount(r.Context(), sess, *body, ref); err != nil {
			return nil, err
		}
		h.clearSession(w, r)
		h.jars.flow.clear(w, r)
		h.jars.challenge.clear(w, r)
		return deletedView{Deleted: true}, nil
	})
}

// refreshAfterChange refreshes the session after a change of the profile, so that its
// claims (the ID token's attributes) follow, and writes the new cookies as POST
// /auth/refresh does. Only a refresh cookie of the session's user is used; a bearer session
// (token mode) holds its own tokens and is left to refresh them. A refresh that fails is
// logged and leaves the answer alone: the change is made.
func (h *handler) refreshAfterChange(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	if _, bearer := h.bearer(r); bearer {
		return
	}
	ref := h.readRefreshCookie(w, r, sess)
	if ref == nil {
		return
	}
	g, err := h.Auth.Refresh(r.Context(), ref)
	h.count(metrics.Refresh, err, false)
	if err == nil {
		err = h.writeGrant(w, r, g)
	}
	if err != nil {
		h.log.LogAttrs(r.Context(), slog.LevelWarn, "session not refreshed after a profile change",
			slog.String("code", string(auth.CodeOf(err))))
	}
}
