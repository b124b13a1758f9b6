package httpapi

import (
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/metrics"
)

// signIn starts a hosted UI sign-in: the flow's state goes into its cookie, the browser to
// Cognito.
func (h *handler) signIn(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	to, flow, err := h.Auth.BeginSignIn(auth.SignInRequest{
		RedirectTo:       q.Get("redirect_to"),
		IdentityProvider: q.Get("identity_provider"),
		Screen:           q.Get("screen"),
	})
	if err != nil {
		writeError(w, r, h.log, err)
		return
	}
	if _, err := h.jars.flow.write(w, r, &flow, time.Time{}); err != nil {
		writeError(w, r, h.log, err)
		return
	}
	http.Redirect(w, r, to, http.StatusFound)
}

// callback completes a hosted UI sign-in and sends the browser on, signed in, or to the
// error page with the code of what went wrong.
func (h *handler) callback(w http.ResponseWriter, r *http.Request) {
	flow := h.jars.flow.read(r)
	// Single use: whatever happens next, this flow is spent.
	h.jars.flow.clear(w, r)
	q := r.URL.Query()
	g, target, err := h.Auth.CompleteSignIn(r.Context(), auth.CallbackRequest{
		Code: q.Get("code"), State: q.Get("state"), Error: q.Get("error"),
	}, flow)
	h.count(metrics.SignIn, err, false)
	if err != nil {
		h.log.LogAttrs(r.Context(), slog.LevelWarn, "sign-in failed",
			slog.String("code", string(auth.CodeOf(err))), slog.String("cause", err.Error()))
		h.toErrorPage(w, r, auth.CodeOf(err))
		return
	}
	if err := h.writeGrant(w, r, g); err != nil {
		h.toErrorPage(w, r, auth.CodeInternal)
		return
	}
	if h.TokenMode {
		if target, err = h.withTokens(r, target, g); err != nil {
			h.toErrorPage(w, r, auth.CodeInternal)
			return
		}
	}
	http.Redirect(w, r, target, http.StatusFound)
}

// withTokens adds the tokens to target's fragment (token mode). Tokens go only to the site's
// own origins (Origins): MONBAN_REDIRECT_ALLOWLIST adds places a browser may be sent, not
// pages trusted with its tokens. Elsewhere the browser arrives signed in by the cookies
// alone.
func (h *handler) withTokens(r *http.Request, target string, g *auth.Grant) (string, error) {
	origin := ""
	if u, err := url.Parse(target); err == nil {
		origin = u.Scheme + "://" + u.Host
	}
	if !h.Origins.AllowsOrigin(origin) {
		h.log.LogAttrs(r.Context(), slog.LevelInfo, "tokens withheld: the target is not one of the site's origins",
			slog.String("origin", origin))
		return target, nil
	}
	v, err := h.grantView(g)
	if err != nil {
		return "", err
	}
	return withFragment(target, v.Tokens.fields()), nil
}

// toErrorPage sends the browser to the site's sign-in error page with code.
func (h *handler) toErrorPage(w http.ResponseWriter, r *http.Request, code auth.Code) {
	http.Redirect(w, r, withQuery(h.ErrorURL, "error", string(code)), http.StatusFound)
}

func withQuery(target, key, value string) string {
	u, err := url.Parse(target)
	if err != nil {
		return target
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

func withFragment(target string, v url.Values) string {
	u, err := url.Parse(target)
	if err != nil {
		return target
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String() + "#" + v.Encode()
}
