package httpapi

import (
	"log/slog"
	"net/http"
	"strconv"

	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/metrics"
)

func (h *handler) signOut(w http.ResponseWriter, r *http.Request, body *refreshRequest) (any, error) {
	// In token mode the page holds the sealed refresh token: it must be revocable too.
	ref, err := h.bodyRefresh(*body)
	if err != nil {
		return nil, err
	}
	return h.doSignOut(w, r, ref)
}

// signOutLink is the plain-link form: GET, then 302 to Cognito's /logout. Any page can make a
// browser GET a URL (an <img>, a frame, a prefetch, a script's fetch), so only a link the
// user follows on the site's own pages signs out (linkFromSite); anything else is refused
// with 403 and changes nothing. A refusal answers rather than redirecting to the site: a
// real user whose browser hid where the link was (no Referer) then sees why they are still
// signed in, instead of a sign-out that silently did nothing.
func (h *handler) signOutLink(w http.ResponseWriter, r *http.Request) {
	if !h.linkFromSite(r) {
		writeError(w, r, h.log, auth.Fail(auth.CodeForbiddenOrigin,
			"a sign-out link works only when followed from the site's own pages; use POST /auth/sign-out", nil))
		return
	}
	if r.URL.Query().Has("global") {
		// Signing out every device is too much for a link any page could embed.
		writeError(w, r, h.log, auth.Fail(auth.CodeInvalidRequest, "global sign-out needs POST /auth/sign-out", nil))
		return
	}
	res, err := h.doSignOut(w, r, nil)
	if err != nil {
		writeError(w, r, h.log, err)
		return
	}
	http.Redirect(w, r, res.LogoutURL, http.StatusFound)
}

// doSignOut signs the browser out; bodyRef is a refresh token the page sent (token mode),
// used when the request carries no refresh cookie.
func (h *handler) doSignOut(w http.ResponseWriter, r *http.Request, bodyRef *auth.Refresh) (auth.SignOutResult, error) {
	q := r.URL.Query()
	global := false
	if v := q.Get("global"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return auth.SignOutResult{}, auth.Fail(auth.CodeInvalidRequest, "global must be true or false", nil)
		}
		global = b
	}
	sess := h.jars.session.read(r)
	var opened []*auth.Refresh
	ref, _ := h.refreshCookie(w, r, sess, &opened)
	var ambiguous []*auth.Refresh
	if ref == nil && len(opened) > 1 {
		ambiguous = opened
	}
	if ref == nil {
		ref = bodyRef
	}
	if global {
		// GlobalSignOut needs a live access token: refresh an expired one first.
		if s, _, err := h.Auth.Current(r.Context(), sess, func() *auth.Refresh { return ref }); err == nil {
			sess = s
		}
	}
	logoutURI := q.Get("logout_uri")
	if logoutURI == "" {
		logoutURI = h.requestSite(r)
	}
	res, err := h.Auth.SignOut(r.Context(), auth.SignOutRequest{LogoutURI: logoutURI, Global: global}, sess, ref)
	h.count(metrics.SignOut, err, false)
	if auth.CodeOf(err) == auth.CodeInvalidRequest {
		return res, err // nothing happened: the request was malformed
	}
	if ref != nil && !res.Revoked {
		h.log.LogAttrs(r.Context(), slog.LevelWarn, "refresh token not revoked at sign-out")
	}
	for _, p := range ambiguous {
		// Two refresh cookies opened and neither could be told to be this browser's: revoke
		// each, so the user's own is revoked whichever it is.
		if pr, _ := h.Auth.SignOut(r.Context(), auth.SignOutRequest{}, nil, p); !pr.Revoked {
			h.log.LogAttrs(r.Context(), slog.LevelWarn, "refresh token not revoked at sign-out")
		}
	}
	// The browser is signed out whatever Cognito said.
	h.clearSession(w, r)
	h.jars.flow.clear(w, r)
	h.jars.challenge.clear(w, r)
	return res, err
}
