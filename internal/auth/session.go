package auth

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/monban-auth/monban/internal/token"
)

// Current returns the session to answer GET /auth/session with. It alone decides whether a
// refresh is due (no session, or the access token inside the refresh window); only then does
// it call refresh for the refresh cookie (nil: none), so a fresh session never opens it. A
// refresh returns its grant for the caller to write; when Cognito is unavailable a session
// still valid is kept.
func (s *Service) Current(ctx context.Context, sess *Session, refresh func() *Refresh) (cur *Session, refreshed *Grant, err error) {
	now := s.cfg.Now()
	valid := sess != nil && sess.ExpiresAt.After(now)
	var ref *Refresh
	if s.due(sess) && refresh != nil {
		ref = Bound(sess, refresh())
	}
	if ref == nil {
		if valid {
			return sess, nil, nil
		}
		return nil, nil, Fail(CodeUnauthenticated, "no valid session", nil)
	}
	g, err := s.Refresh(ctx, ref)
	if err != nil {
		// Cognito being down must not sign out a user whose token is still good.
		if CodeOf(err) == CodeUpstreamUnavailable && valid {
			return sess, nil, nil
		}
		return nil, nil, err
	}
	return &g.Session, g, nil
}

// due reports whether sess (nil: none) should be refreshed: it is missing or inside the
// refresh window.
func (s *Service) due(sess *Session) bool {
	return sess == nil || sess.ExpiresAt.Sub(s.cfg.Now()) <= s.cfg.RefreshWindow
}

// Bound returns ref if it may refresh sess: a refresh cookie of another user beside a
// session was planted (a sibling subdomain can set /auth cookies) and must never swap the
// signed-in user, so it reads as absent.
func Bound(sess *Session, ref *Refresh) *Refresh {
	if sess != nil && ref != nil && ref.Sub != sess.User.Sub {
		return nil
	}
	return ref
}

// Refresh uses the refresh token for a new session (and, when the app client rotates refresh
// tokens, the next refresh token). A refresh token Cognito refuses (revoked, expired, user
// disabled) is CodeUnauthenticated.
func (s *Service) Refresh(ctx context.Context, ref *Refresh) (*Grant, error) {
	if ref == nil || ref.Token == "" {
		return nil, Fail(CodeUnauthenticated, "no refresh token", nil)
	}
	t, err := s.pool.Refresh(ctx, *ref)
	if err != nil {
		return nil, poolFailure(err, "refresh", refreshRefusals)
	}
	if t == nil {
		return nil, Fail(CodeUpstreamUnavailable, "Cognito answered without tokens", nil)
	}
	g, err := s.grant(ctx, t, "")
	if errors.Is(err, errSessionTooLarge) {
		// The user gained groups or claims since signing in: sign the browser out (the next
		// sign-in says why) rather than fail every page load.
		return nil, Fail(CodeUnauthenticated, "The session has grown too large for its cookie; sign in again.", err)
	}
	if err != nil {
		return nil, err
	}
	if ref.Sub != "" && g.Session.User.Sub != ref.Sub {
		return nil, Fail(CodeInvalidToken, "refreshed tokens belong to another user", nil)
	}
	return g, nil
}

// BearerSession is the session an "Authorization: Bearer" access token stands for (token
// mode, where a cross-site page holds its tokens instead of cookies). The token is verified
// like any other; the user has the shape a cookie session's has: the access token names the
// user and groups, and Cognito, asked with the token itself, adds the e-mail and attributes
// the ID token would carry. That answer is remembered for the token's life, so a page load
// costs Cognito one call per token, not one per request.
func (s *Service) BearerSession(ctx context.Context, raw string) (*Session, error) {
	c, err := s.verifier.VerifyAccess(ctx, raw)
	if err != nil {
		if errors.Is(err, token.ErrKeysUnavailable) {
			return nil, tokenFailure(err, "bearer token")
		}
		return nil, Fail(CodeUnauthenticated, "the bearer token is not valid", err)
	}
	if u, ok := s.known.get(raw, s.cfg.Now()); ok {
		return &Session{AccessToken: raw, ExpiresAt: c.ExpiresAt, User: u}, nil
	}
	u := User{Sub: c.Subject, Username: c.Username, Attributes: userAttributes(c.Attributes)}
	// No cookie to fit, but the same shape as a cookie session's user.
	u.Groups, u.GroupsTruncated = sessionGroups(c.Groups, maxSessionGroupBytes)
	attrs, err := s.pool.Attributes(ctx, raw, strings.Fields(c.Scope))
	switch r := ReasonOf(err); {
	case err == nil:
		if attrs != nil {
			u = withProfile(u, c.Attributes, attrs)
		}
	case r == ReasonTokenRevoked || r == ReasonNotAuthorized || r == ReasonUserNotFound:
		return nil, Fail(CodeUnauthenticated, "the bearer token was revoked", fmt.Errorf("attributes: %s", r))
	default:
		// Cognito unreachable: the token is still good, so answer with what it says.
		return &Session{AccessToken: raw, ExpiresAt: c.ExpiresAt, User: u}, nil
	}
	s.known.put(raw, u, c.ExpiresAt)
	return &Session{AccessToken: raw, ExpiresAt: c.ExpiresAt, User: u}, nil
}

// withProfile completes a user from Cognito's attributes: e-mail, its verification, and the
// other attributes beside the access token's own extra claims, within the session budget.
func withProfile(u User, tokenClaims, attrs map[string]string) User {
	u.Email = attrs["email"]
	u.EmailVerified = attrs["email_verified"] == "true"
	all := make(map[string]string, len(tokenClaims)+len(attrs))
	for k, v := range attrs {
		switch k {
		case "sub", "email", "email_verified", "username":
		default:
			all[k] = v
		}
	}
	for k, v := range tokenClaims {
		all[k] = v
	}
	u.Attributes = userAttributes(all)
	return u
}

// SignOutRequest is POST/GET /auth/sign-out's query.
type SignOutRequest struct {
	LogoutURI string // optional, allow-listed; default Config.LogoutURI
	Global    bool   // also sign out every other device (GlobalSignOut)
}

// SignOutResult says where the browser goes next (Cognito's /logout, which ends the
// managed-login session too) and whether the refresh token was revoked.
type SignOutResult struct {
	LogoutURL string `json:"logout_url"`
	Revoked   bool   `json:"revoked"`
}

// SignOut revokes the refresh token and, for a global sign-out, every token of the user.
// Only a malformed request is refused before anything happens; otherwise the refresh token
// is revoked and the result returned even when the global sign-out failed (that failure is
// the error), because the caller must sign the browser out whatever Cognito says. A failed
// revocation is reported in the result.
func (s *Service) SignOut(ctx context.Context, r SignOutRequest, sess *Session, ref *Refresh) (SignOutResult, error) {
	uri := s.cfg.LogoutURI
	if r.LogoutURI != "" {
		u, err := s.cfg.Redirects.Resolve(r.LogoutURI)
		if err != nil {
			return SignOutResult{}, Fail(CodeInvalidRequest, "logout_uri is not an allowed target", err)
		}
		uri = u
	}
	res := SignOutResult{LogoutURL: s.hosted.LogoutURL(uri)}
	var globalErr error
	if r.Global {
		if sess == nil {
			globalErr = Fail(CodeUnauthenticated, "a global sign-out needs a valid session", nil)
		} else if err := s.pool.GlobalSignOut(ctx, sess.AccessToken); err != nil {
			globalErr = upstreamFailure(err, CodeUnauthenticated, "global sign-out")
		}
	}
	if ref != nil {
		res.Revoked = s.pool.RevokeToken(ctx, ref.Token) == nil
	}
	return res, globalErr
}

// grant validates freshly issued tokens and builds the session from them.
func (s *Service) grant(ctx context.Context, t *Tokens, nonce string) (*Grant, error) {
	id, err := s.verifier.VerifyID(ctx, t.IDToken, nonce, s.cfg.AllowMissingNonce)
	if err != nil {
		return nil, tokenFailure(err, "id token")
	}
	acc, err := s.verifier.VerifyAccess(ctx, t.AccessToken)
	if err != nil {
		return nil, tokenFailure(err, "access token")
	}
	if id.Subject == "" || id.Subject != acc.Subject {
		return nil, Fail(CodeInvalidToken, "tokens do not belong to one user", nil)
	}
	groups := id.Groups
	if groups == nil {
		groups = acc.Groups
	}
	g := &Grant{Tokens: t, Session: Session{
		AccessToken: t.AccessToken,
		ExpiresAt:   acc.ExpiresAt,
		User: User{
			Sub:           id.Subject,
			Username:      id.Username,
			Email:         id.Email,
			EmailVerified: id.EmailVerified,
			Attributes:    userAttributes(id.Attributes),
		},
	}}
	if err := fitSession(&g.Session, groups); err != nil {
		return nil, err
	}
	if t.RefreshToken != "" {
		g.Refresh = &Refresh{Token: t.RefreshToken, Username: id.Username, Sub: id.Subject}
	}
	return g, nil
}

// Claims of an ID token that describe the token, not the user.
var tokenBookkeeping = map[string]bool{
	"event_id": true, "jti": true, "origin_jti": true, "at_hash": true, "c_hash": true,
	"auth_time": true, "identities": true, "cognito:roles": true, "cognito:preferred_role": true,
}

// The session cookie carries at most this much of the user's attributes: users can write
// their own attributes, and a cookie that outgrows browsers' and API Gateway's header
// limits would lock them out.
const (
	maxSessionAttributes     = 24
	maxSessionAttributeBytes = 2048
)

// userAttributes picks the claims that describe the user, within the budget; the shortest
// go first, so one oversized attribute cannot crowd out the rest. Sizes are as sealed (JSON),
// so characters JSON escapes cannot stretch the budget six-fold.
func userAttributes(all map[string]string) Attributes {
	keys := make([]string, 0, len(all))
	size := make(map[string]int, len(all))
	for k, v := range all {
		if !tokenBookkeeping[k] {
			keys = append(keys, k)
			size[k] = jsonLen(k) + jsonLen(v)
		}
	}
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(size[a], size[b]), strings.Compare(a, b))
	})
	out := make(Attributes, 0, min(len(keys), maxSessionAttributes))
	budget := maxSessionAttributeBytes
	for _, k := range keys {
		n := size[k]
		if len(out) == maxSessionAttributes || n > budget {
			break
		}
		out = append(out, Attribute{Name: k, Value: all[k]})
		budget -= n
	}
	slices.SortFunc(out, func(a, b Attribute) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func tokenFailure(err error, what string) error {
	if errors.Is(err, token.ErrKeysUnavailable) {
		return Fail(CodeUpstreamUnavailable, "Cognito's signing keys are unavailable", fmt.Errorf("%s: %w", what, err))
	}
	return Fail(CodeInvalidToken, "Cognito issued a token that failed validation", fmt.Errorf("%s: %w", what, err))
}
