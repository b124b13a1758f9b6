// Package cognito is the adapter of auth.UserPool and auth.HostedUI to Cognito: the
// user-pool API calls, the managed-login (hosted UI) OAuth 2.0 endpoints, SECRET_HASH, and
// the mapping of Cognito's exceptions to the port's reasons. It knows nothing of monban's
// HTTP API or of Lambda.
package cognito

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/rootcerts"
)

// HostedUI talks to a user pool domain's OAuth 2.0 endpoints as a confidential client.
type HostedUI struct {
	base         *url.URL
	clientID     string
	clientSecret string
	client       *http.Client
}

// NewHostedUI returns a client for the domain at base (e.g.
// https://prefix.auth.eu-west-1.amazoncognito.com or a custom domain).
func NewHostedUI(base *url.URL, clientID, clientSecret string, client *http.Client) *HostedUI {
	if client == nil {
		client = &http.Client{Timeout: 8 * time.Second, Transport: rootcerts.Default()}
	}
	b := *base
	b.Path = strings.TrimSuffix(b.Path, "/")
	return &HostedUI{base: &b, clientID: clientID, clientSecret: clientSecret, client: client}
}

func (h *HostedUI) endpoint(path string, q url.Values) string {
	u := *h.base
	u.Path += path
	if q != nil {
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// AuthorizeURL builds the URL of the managed-login page for r.
func (h *HostedUI) AuthorizeURL(r auth.AuthorizeRequest) string {
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {h.clientID},
		"redirect_uri":          {r.RedirectURI},
		"scope":                 {strings.Join(r.Scopes, " ")},
		"state":                 {r.State},
		"nonce":                 {r.Nonce},
		"code_challenge":        {r.CodeChallenge},
		"code_challenge_method": {"S256"},
	}
	if r.IdentityProvider != "" {
		q.Set("identity_provider", r.IdentityProvider)
	}
	path := "/oauth2/authorize"
	if r.SignUp {
		path = "/signup"
	}
	return h.endpoint(path, q)
}

// LogoutURL is Cognito's /logout, which ends the managed-login session and sends the
// browser on to logoutURI (one of the client's registered sign-out URLs).
func (h *HostedUI) LogoutURL(logoutURI string) string {
	return h.endpoint("/logout", url.Values{"client_id": {h.clientID}, "logout_uri": {logoutURI}})
}

// Exchange trades an authorization code for tokens, proving possession of the PKCE
// verifier and authenticating with the client secret (HTTP Basic). It fails with a
// *auth.PoolError: ReasonUnavailable when the endpoint is unreachable, answers with a 5xx
// or with no tokens; ReasonMisconfigured for invalid_client or unauthorized_client (the app
// client, not the user, is wrong); ReasonNotAuthorized for any other refusal (invalid_grant:
// a used, expired or foreign code).
func (h *HostedUI) Exchange(ctx context.Context, code, verifier, redirectURI string) (*auth.Tokens, error) {
	return h.token(ctx, url.Values{
		"grant_type":    {"authorization_code"},
		"client_id":     {h.clientID},
		"code":          {code},
		"code_verifier": {verifier},
		"redirect_uri":  {redirectURI},
	})
}

func (h *HostedUI) token(ctx context.Context, form url.Values) (*auth.Tokens, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.endpoint("/oauth2/token", nil), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, unavailable("token endpoint: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	// RFC 6749 §2.3.1: form-encode id and secret before Basic.
	req.SetBasicAuth(url.QueryEscape(h.clientID), url.QueryEscape(h.clientSecret))
	status, body, err := h.do(req)
	if err != nil {
		return nil, unavailable("token endpoint: %w", err)
	}
	switch {
	case status >= 500:
		return nil, unavailable("token endpoint: status %d", status)
	case status != http.StatusOK:
		// error_description is Cognito's text: neither shown nor logged.
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(body, &e)
		reason := auth.ReasonNotAuthorized
		if e.Error == "invalid_client" || e.Error == "unauthorized_client" {
			reason = auth.ReasonMisconfigured
		}
		return nil, &auth.PoolError{Reason: reason, Err: fmt.Errorf("token endpoint: %d %.64s", status, e.Error)}
	}
	var t auth.Tokens
	if err := json.Unmarshal(body, &t); err != nil || t.AccessToken == "" || t.IDToken == "" {
		return nil, unavailable("token endpoint: malformed token response")
	}
	return &t, nil
}

// do sends req and reads a bounded body; err is a failure to get an answer at all.
func (h *HostedUI) do(req *http.Request) (status int, body []byte, err error) {
	resp, err := h.client.Do(req)
	if err != nil {
		// The *url.Error's own text repeats the URL; its cause is enough.
		if cause := errors.Unwrap(err); cause != nil {
			err = cause
		}
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return 0, nil, fmt.Errorf("reading the answer: %w", err)
	}
	return resp.StatusCode, body, nil
}

func unavailable(format string, args ...any) *auth.PoolError {
	return &auth.PoolError{Reason: auth.ReasonUnavailable, Err: fmt.Errorf(format, args...)}
}

// userInfo asks the managed-login domain's /oauth2/userInfo for the attributes an access
// token from the token endpoint may read (it needs the openid scope; tokens from the
// user-pool API carry none and are refused there). Values that are not strings
// (email_verified may come as a boolean) are returned in their JSON text. A refused token
// (any 4xx) is ReasonTokenRevoked.
func (h *HostedUI) userInfo(ctx context.Context, accessToken string) (map[string]string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.endpoint("/oauth2/userInfo", nil), nil)
	if err != nil {
		return nil, unavailable("userInfo: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	status, body, err := h.do(req)
	switch {
	case err != nil:
		return nil, unavailable("userInfo: %w", err)
	case status >= 500:
		return nil, unavailable("userInfo: status %d", status)
	case status != http.StatusOK:
		return nil, &auth.PoolError{Reason: auth.ReasonTokenRevoked, Err: fmt.Errorf("userInfo: status %d", status)}
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, unavailable("userInfo: malformed response")
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		var s string
		if json.Unmarshal(v, &s) != nil {
			s = string(v)
		}
		out[k] = s
	}
	return out, nil
}
