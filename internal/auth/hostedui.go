package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"slices"
)

// SignInRequest is GET /auth/sign-in's query.
type SignInRequest struct {
	RedirectTo       string
	IdentityProvider string
	Screen           string // "" or "signup"
}

// cognitoProvider is the pool's own directory, which every app client monban runs with
// supports.
const cognitoProvider = "COGNITO"

// BeginSignIn validates r and returns the managed-login URL to send the browser to, with the
// flow state that must come back with the callback.
func (s *Service) BeginSignIn(r SignInRequest) (string, Flow, error) {
	target, err := s.cfg.Redirects.Resolve(r.RedirectTo)
	if err != nil {
		return "", Flow{}, Fail(CodeInvalidRequest, "redirect_to is not an allowed target", err)
	}
	if r.IdentityProvider != "" && !s.signsInWith(r.IdentityProvider) {
		// A name the app client does not support would only reach managed login's own error
		// page. Not echoed: the value is the caller's, not ours to repeat.
		return "", Flow{}, Fail(CodeInvalidRequest, "identity_provider is not one of this site's sign-in providers", nil)
	}
	if r.Screen != "" && r.Screen != "signup" {
		return "", Flow{}, Fail(CodeInvalidRequest, `screen must be "signup" or absent`, nil)
	}
	f := Flow{State: random(), Nonce: random(), Verifier: random(), RedirectTo: target}
	sum := sha256.Sum256([]byte(f.Verifier))
	u := s.hosted.AuthorizeURL(AuthorizeRequest{
		RedirectURI:      s.cfg.CallbackURL,
		Scopes:           s.cfg.Scopes,
		State:            f.State,
		Nonce:            f.Nonce,
		CodeChallenge:    base64.RawURLEncoding.EncodeToString(sum[:]),
		IdentityProvider: r.IdentityProvider,
		SignUp:           r.Screen == "signup",
	})
	return u, f, nil
}

// signsInWith reports whether a sign-in may name provider: COGNITO or a configured one,
// matched exactly, as Cognito matches names.
func (s *Service) signsInWith(provider string) bool {
	return provider == cognitoProvider || slices.Contains(s.cfg.IdentityProviders, provider)
}

// IdentityProviders are the providers a sign-in may name besides COGNITO, so a page offers
// only the ones that work. The caller gets its own copy.
func (s *Service) IdentityProviders() []string {
	return append([]string{}, s.cfg.IdentityProviders...)
}

// CallbackRequest is GET /auth/callback's query.
type CallbackRequest struct {
	Code, State, Error string
}

// CompleteSignIn checks the callback against the flow (nil when the flow cookie was missing,
// forged or expired), exchanges the code and validates the tokens. It returns the grant and
// where to send the browser.
func (s *Service) CompleteSignIn(ctx context.Context, r CallbackRequest, f *Flow) (*Grant, string, error) {
	if f == nil || r.State == "" || subtle.ConstantTimeCompare([]byte(r.State), []byte(f.State)) != 1 {
		return nil, "", Fail(CodeInvalidState, "sign-in state is missing, expired or does not match", nil)
	}
	if r.Error != "" {
		if r.Error == "access_denied" {
			return nil, "", Fail(CodeAccessDenied, "sign-in was cancelled or refused", nil)
		}
		return nil, "", Fail(CodeSignInFailed, "the identity provider reported an error", fmt.Errorf("cognito error %q", truncate(r.Error, 64)))
	}
	if r.Code == "" {
		return nil, "", Fail(CodeInvalidRequest, "code is missing", nil)
	}
	t, err := s.hosted.Exchange(ctx, r.Code, f.Verifier, s.cfg.CallbackURL)
	if err != nil {
		return nil, "", upstreamFailure(err, CodeSignInFailed, "exchange code")
	}
	g, err := s.grant(ctx, t, f.Nonce)
	if err != nil {
		return nil, "", err
	}
	return g, f.RedirectTo, nil
}
