package httpapi

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/monban-auth/monban/internal/auth"
)

// cors answers preflights and marks responses readable by allow-listed origins only, with
// credentials (the cookies). Other origins get no CORS headers, so browsers hide the answer.
func (h *handler) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		allowed := origin != "" && h.Origins.AllowsOrigin(origin)
		w.Header().Add("Vary", "Origin")
		if allowed {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			if !allowed {
				writeError(w, r, h.log, auth.Fail(auth.CodeForbiddenOrigin, "origin not allowed", nil))
				return
			}
			w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
			w.Header().Set("Access-Control-Allow-Headers", "Content-Type, Authorization")
			w.Header().Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkOrigin is the CSRF rule for state-changing requests: an allow-listed Origin, or,
// when a browser sent none, Sec-Fetch-Site: same-origin.
func (h *handler) checkOrigin(r *http.Request) error {
	if o := r.Header.Get("Origin"); o != "" {
		if h.Origins.AllowsOrigin(o) {
			return nil
		}
		return auth.Fail(auth.CodeForbiddenOrigin, "origin not allowed", fmt.Errorf("origin %.80q", o))
	}
	if r.Header.Get("Sec-Fetch-Site") == "same-origin" {
		return nil
	}
	return auth.Fail(auth.CodeForbiddenOrigin, "request origin unknown", nil)
}

// linkFromSite reports whether r is a top-level navigation from one of the site's pages
// (Origins). With Fetch Metadata, it must be a navigation to a document (not an <img>, a
// frame or a fetch: Sec-Fetch-Mode navigate, Sec-Fetch-Dest document) and either come from
// this origin (Sec-Fetch-Site same-origin, which accounts for every redirect on the way),
// be the user's own doing (none: typed, a bookmark), or, from another host (same-site or
// cross-site: a site whose API lives on another host), come from a page whose Referer
// origin is allow-listed. Without Fetch Metadata (older browsers, scripts), only an
// allow-listed Referer origin will do: a sibling subdomain is same-site but not the site.
func (h *handler) linkFromSite(r *http.Request) bool {
	fromSite := h.Origins.AllowsOrigin(refererOrigin(r))
	site := r.Header.Get("Sec-Fetch-Site")
	if site == "" {
		return fromSite
	}
	if r.Header.Get("Sec-Fetch-Mode") != "navigate" || r.Header.Get("Sec-Fetch-Dest") != "document" {
		return false
	}
	switch site {
	case "same-origin", "none":
		return true
	case "same-site", "cross-site":
		return fromSite
	}
	return false
}

// requestSite is the home page of the allow-listed site a request came from (its Origin, or
// for a plain link its Referer), or "" when unknown: a site with several origins gets its
// users back where they signed out, not on the first origin.
func (h *handler) requestSite(r *http.Request) string {
	o := r.Header.Get("Origin")
	if o == "" || o == "null" {
		o = refererOrigin(r)
	}
	if o == "" || !h.Origins.AllowsOrigin(o) {
		return ""
	}
	return strings.ToLower(o) + "/"
}

// refererOrigin is the origin of the page a navigation came from, or "".
func refererOrigin(r *http.Request) string {
	u, err := url.Parse(r.Referer())
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}
