package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/cookie"
)

// readRefreshCookie returns this browser's refresh token for sess (nil: none, or none that
// may refresh sess), rewriting one of an earlier release as the new cookie (see
// refreshCookie).
func (h *handler) readRefreshCookie(w http.ResponseWriter, r *http.Request, sess *auth.Session) *auth.Refresh {
	ref, legacyRaw := h.refreshCookie(w, r, sess, nil)
	if legacyRaw != "" {
		h.jars.refresh.writeSealed(w, r, legacyRaw)
	}
	return ref
}

// refreshCookie finds this browser's refresh token for sess. Only a value that opens and
// may refresh sess (auth.Bound: the same user, when there is a session) counts, whatever
// else the browser sends beside it (cookie.Codec.Pick). Two that count are ambiguous (copies
// planted with a cookie Domain, where a sibling subdomain can set monban's names): neither
// is used and the cookie is deleted everywhere it can be, so a planted cookie can sign the
// user out, never in as someone else. opened, if not nil, receives every value that counted.
//
// The refresh cookie of earlier releases (sealed.LegacyRefreshKind), which any sibling
// subdomain could have planted, counts only beside a session cookie of the same user, which
// no other host can set; it is always deleted, and when it counted legacyRaw is its sealed
// value, for the caller to keep as the new cookie. Without that session it is not used: its
// user signs in again.
func (h *handler) refreshCookie(w http.ResponseWriter, r *http.Request, sess *auth.Session, opened *[]*auth.Refresh) (ref *auth.Refresh, legacyRaw string) {
	mayRefresh := func(ref *auth.Refresh) bool { return ref.Token != "" && auth.Bound(sess, ref) != nil }
	ref, _, res := h.jars.refresh.pick(r, mayRefresh, opened)
	if res == cookie.Ambiguous {
		h.log.LogAttrs(r.Context(), slog.LevelWarn, "ambiguous refresh cookies: none used, all deleted")
		h.jars.refresh.clear(w, r)
		h.jars.refresh.clearStray(w, r)
	}
	if !h.legacyRefreshSent(r) {
		return ref, ""
	}
	if res == cookie.Absent && sess != nil {
		if old, raw, res := h.jars.legacyRefresh.pick(r, mayRefresh, nil); res == cookie.Found {
			ref, legacyRaw = old, raw
		}
	}
	h.jars.legacyRefresh.clear(w, r)
	return ref, legacyRaw
}

// legacyRefreshSent reports whether r carries the refresh cookie of an earlier release
// under a name the current one does not use (it shares the name with a cookie Domain).
func (h *handler) legacyRefreshSent(r *http.Request) bool {
	return h.jars.legacyRefresh.name() != h.jars.refresh.name() && h.jars.legacyRefresh.sent(r)
}

// clearSession deletes the session and refresh cookies the browser sent: with a cookie
// Domain also their copies under other paths (Codec.ClearStray), and the refresh cookie of
// an earlier release, with the new one this response may have rewritten it as. A request
// that sent none (a signed-out page load) gets no Set-Cookie at all.
func (h *handler) clearSession(w http.ResponseWriter, r *http.Request) {
	legacy := h.legacyRefreshSent(r)
	if h.jars.session.sent(r) {
		h.jars.session.clear(w, r)
		h.jars.session.clearStray(w, r)
	}
	if h.jars.refresh.sent(r) || legacy {
		h.jars.refresh.clear(w, r)
		h.jars.refresh.clearStray(w, r)
	}
	if legacy {
		h.jars.legacyRefresh.clear(w, r)
	}
}
