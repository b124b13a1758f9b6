// Package cognito holds Cognito's wire protocol: the managed-login (hosted UI) OAuth 2.0
// endpoints, SECRET_HASH, and the mapping of Cognito's errors. It knows nothing of monban's
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
)

// ErrUnavailable is wrapped when Cognito could not be reached or answered with a 5xx.
var ErrUnavailable = errors.New("cognito unavailable")

// OAuthError is a 4xx answer of the token endpoint ({"error": "invalid_grant", ...}).
// Description is Cognito's text: keep it for logs, never show it to a user.
type OAuthError struct {
	Status      int
	Code        string
	Description string
}

func (e *OAuthError) Error() string {
	return fmt.Sprintf("token endpoint: %d %s", e.Status, e.Code)
}

// Tokens are what Cognito issues at sign-in (token endpoint or InitiateAuth). RefreshToken is
// empty on a refresh unless the app client rotates refresh tokens.
type Tokens struct {
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"`
	TokenType    string `json:"token_type"`
}

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
		client = &http.Client{Timeout: 8 * time.Second}
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

// AuthorizeRequest is what the authorize endpoint needs for a code flow with PKCE.
type AuthorizeRequest struct {
	RedirectURI      string
	Scopes           []string
	State, Nonce     string
	CodeChallenge    string // S256
	IdentityProvider string // optional: skip the IdP picker
	SignUp           bool   // open the sign-up screen instead of sign-in
}

// AuthorizeURL builds the URL of the managed-login page for r.
func (h *HostedUI) AuthorizeURL(r AuthorizeRequest) string {
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
// verifier and authenticating with the client secret (HTTP Basic).
func (h *HostedUI) Exchange(ctx context.Context, code, verifier, redirectURI string) (*Tokens, error) {
	return h.token(ctx, url.Values{
		"grant_type":    {"authorization_code"},
		"client_id":     {h.clientID},
		"code":          {code},
		"code_verifier": {verifier},
		"redirect_uri":  {redirectURI},
	})
}

func (h *HostedUI) token(ctx context.Context, form url.Values) (*Tokens, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.endpoint("/oauth2/token", nil), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	// RFC 6749 §2.3.1: form-encode id and secret before Basic.
	req.SetBasicAuth(url.QueryEscape(h.clientID), url.QueryEscape(h.clientSecret))
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, errors.Unwrap(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("%w: reading token response", ErrUnavailable)
	}
	switch {
	case resp.StatusCode >= 500:
		return nil, fmt.Errorf("%w: token endpoint status %d", ErrUnavailable, resp.StatusCode)
	case resp.StatusCode != http.StatusOK:
		oe := &OAuthError{Status: resp.StatusCode}
		var e struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if json.Unmarshal(body, &e) == nil {
			oe.Code, oe.Description = e.Error, e.Description
		}
		return nil, oe
	}
	var t Tokens
	if err := json.Unmarshal(body, &t); err != nil || t.AccessToken == "" || t.IDToken == "" {
		return nil, fmt.Errorf("%w: malformed token response", ErrUnavailable)
	}
	return &t, nil
}

// UserInfo asks the managed-login domain's /oauth2/userInfo for the attributes an access
// token from the token endpoint may read (it needs the openid scope; tokens from the
// user-pool API carry none and are refused there). Values that are not strings
// (email_verified may come as a boolean) are returned in their JSON text.
func (h *HostedUI) UserInfo(ctx context.Context, accessToken string) (map[string]string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.endpoint("/oauth2/userInfo", nil), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, errors.Unwrap(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w: reading userInfo response", ErrUnavailable)
	case resp.StatusCode >= 500:
		return nil, fmt.Errorf("%w: userInfo status %d", ErrUnavailable, resp.StatusCode)
	case resp.StatusCode != http.StatusOK:
		return nil, &OAuthError{Status: resp.StatusCode, Code: "invalid_token"}
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("%w: malformed userInfo response", ErrUnavailable)
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
