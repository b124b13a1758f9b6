package httpapi

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/metrics"
)

// sessionView is GET /auth/session's answer.
type sessionView struct {
	User      auth.User `json:"user"`
	ExpiresAt time.Time `json:"expires_at"`
	Tokens    *tokens   `json:"tokens,omitempty"`
}

type tokens struct {
	AccessToken  string    `json:"access_token"`
	IDToken      string    `json:"id_token,omitempty"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	ExpiresAt    time.Time `json:"expires_at"`
}

func (h *handler) session(w http.ResponseWriter, r *http.Request) {
	sess, err := h.current(w, r)
	if err != nil {
		if auth.CodeOf(err) == auth.CodeUnauthenticated {
			writeSignedOut(w)
			return
		}
		writeError(w, r, h.log, err)
		return
	}
	writeSession(w, &sessionView{User: sess.User, ExpiresAt: sess.ExpiresAt})
}

func (h *handler) token(w http.ResponseWriter, r *http.Request) {
	if !h.TokenEndpoint {
		writeError(w, r, h.log, auth.Fail(auth.CodeNotFound, "the token endpoint is disabled", nil))
		return
	}
	sess, err := h.current(w, r)
	if err != nil {
		writeError(w, r, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, tokens{AccessToken: sess.AccessToken, ExpiresAt: sess.ExpiresAt})
}

// current is the request's session: its bearer token's (token mode), or its cookies', which
// auth.Service.Current refreshes when it finds that due. Only then is the refresh cookie
// opened (the hot path, every page load, reads the session cookie alone). The cookies are
// rewritten on refresh and cleared when they no longer lead to a session.
func (h *handler) current(w http.ResponseWriter, r *http.Request) (*auth.Session, error) {
	if raw, ok := h.bearer(r); ok {
		return h.Auth.BearerSession(r.Context(), raw)
	}
	sess := h.jars.session.read(r)
	var ref *auth.Refresh
	read, tried := false, false
	if h.legacyRefreshSent(r) {
		// An earlier release's refresh cookie is migrated (or deleted) whenever it is sent,
		// whether or not a refresh is due.
		ref, read = h.readRefreshCookie(w, r, sess), true
	}
	s, g, err := h.Auth.Current(r.Context(), sess, func() *auth.Refresh {
		if !read {
			ref, read = h.readRefreshCookie(w, r, sess), true
		}
		tried = ref != nil
		return ref
	})
	if tried && (g != nil || err != nil) {
		// A refresh was due and was tried; one that Cognito could not answer while the
		// session is still good counts as neither.
		h.count(metrics.Refresh, err, false)
	}
	if err != nil {
		if auth.CodeOf(err) == auth.CodeUnauthenticated {
			h.clearSession(w, r)
		}
		return nil, err
	}
	if g != nil {
		if err := h.writeGrant(w, r, g); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// refreshRequest is POST /auth/refresh's and POST /auth/sign-out's body. RefreshToken is
// read only in token mode.
type refreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

func (h *handler) refresh(w http.ResponseWriter, r *http.Request, body *refreshRequest) (any, error) {
	ref := h.readRefreshCookie(w, r, h.jars.session.read(r))
	if body.RefreshToken != "" {
		var err error
		if ref, err = h.bodyRefresh(*body); err != nil {
			return nil, err
		}
	}
	g, err := h.Auth.Refresh(r.Context(), ref)
	h.count(metrics.Refresh, err, false)
	if err != nil {
		return nil, h.ended(w, r, err)
	}
	if err := h.writeGrant(w, r, g); err != nil {
		return nil, err
	}
	return h.grantView(g)
}

// bodyRefresh opens the refresh token a page sent in the body (nil when none): in token mode
// the browser holds the sealed refresh value, never Cognito's token.
func (h *handler) bodyRefresh(body refreshRequest) (*auth.Refresh, error) {
	if body.RefreshToken == "" {
		return nil, nil
	}
	if !h.TokenMode {
		return nil, auth.Fail(auth.CodeInvalidRequest, "refresh_token in the body needs token mode", nil)
	}
	ref, err := h.jars.refresh.open(body.RefreshToken)
	if err != nil {
		return nil, auth.Fail(auth.CodeUnauthenticated, "refresh_token is not valid", err)
	}
	return ref, nil
}

// writeGrant seals a new session (and refresh token, when Cognito issued one) into cookies.
func (h *handler) writeGrant(w http.ResponseWriter, r *http.Request, g *auth.Grant) error {
	if _, err := h.jars.session.write(w, r, &g.Session, g.Session.ExpiresAt); err != nil {
		return err
	}
	if g.Refresh != nil {
		if _, err := h.jars.refresh.write(w, r, g.Refresh, time.Time{}); err != nil {
			return err
		}
	}
	return nil
}

// ended clears the session cookies when err says the session is gone (Cognito refused its
// token or the refresh token: revoked elsewhere), so the browser stops presenting them; it
// returns err.
func (h *handler) ended(w http.ResponseWriter, r *http.Request, err error) error {
	if auth.CodeOf(err) == auth.CodeUnauthenticated {
		h.clearSession(w, r)
	}
	return err
}

// bearer returns the access token of an "Authorization: Bearer" header, honoured in token
// mode only (elsewhere the session lives in cookies and a header is a mistake to ignore).
func (h *handler) bearer(r *http.Request) (string, bool) {
	if !h.TokenMode {
		return "", false
	}
	v := r.Header.Get("Authorization")
	if len(v) < 8 || !strings.EqualFold(v[:7], "Bearer ") {
		return "", false
	}
	return strings.TrimSpace(v[7:]), true
}

// grantView is the answer to a new or refreshed session; in token mode it carries the tokens,
// with the refresh token sealed so that only this API can use it.
func (h *handler) grantView(g *auth.Grant) (*sessionView, error) {
	v := &sessionView{User: g.Session.User, ExpiresAt: g.Session.ExpiresAt}
	if !h.TokenMode {
		return v, nil
	}
	v.Tokens = &tokens{AccessToken: g.Tokens.AccessToken, IDToken: g.Tokens.IDToken, ExpiresAt: g.Session.ExpiresAt}
	if g.Refresh != nil {
		sealed, _, err := h.jars.refresh.seal(g.Refresh, time.Time{})
		if err != nil {
			return nil, err
		}
		v.Tokens.RefreshToken = sealed
	}
	return v, nil
}

func (t *tokens) fields() url.Values {
	v := url.Values{
		"access_token": {t.AccessToken},
		"id_token":     {t.IDToken},
		"expires_at":   {strconv.FormatInt(t.ExpiresAt.Unix(), 10)},
	}
	if t.RefreshToken != "" {
		v.Set("refresh_token", t.RefreshToken)
	}
	return v
}
