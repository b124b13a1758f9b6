package auth

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/monban-auth/monban/internal/allowlist"
	"github.com/monban-auth/monban/internal/cognito"
	"github.com/monban-auth/monban/internal/token"
)

// HostedUI is the part of Cognito's managed login the flows use.
type HostedUI interface {
	AuthorizeURL(cognito.AuthorizeRequest) string
	LogoutURL(logoutURI string) string
	Exchange(ctx context.Context, code, verifier, redirectURI string) (*cognito.Tokens, error)
}

// Verifier checks Cognito's tokens.
type Verifier interface {
	VerifyID(ctx context.Context, raw, wantNonce string, allowMissingNonce bool) (*token.Claims, error)
	VerifyAccess(ctx context.Context, raw string) (*token.Claims, error)
}

// Revoker ends sessions at Cognito.
type Revoker interface {
	RevokeToken(ctx context.Context, refreshToken string) error
	GlobalSignOut(ctx context.Context, accessToken string) error
}

// Profiles reads a user's attributes with the user's own access token: how a bearer session
// (token mode) learns what a cookie session has from the ID token.
type Profiles interface {
	Attributes(ctx context.Context, accessToken string, scopes []string) (map[string]string, error)
}

// User is what a session knows about its user: a small subset of the ID token's claims.
// Groups are within the session's budget (sessionbudget.go); GroupsTruncated says that the
// user is in more groups than it lists, all of which the access token carries.
type User struct {
	Sub             string            `json:"sub"`
	Username        string            `json:"username"`
	Email           string            `json:"email,omitempty"`
	EmailVerified   bool              `json:"email_verified"`
	Groups          []string          `json:"groups"`
	GroupsTruncated bool              `json:"groups_truncated,omitempty"`
	Attributes      map[string]string `json:"attributes"`
}

// Session is the sealed content of the session cookie: the access token (for calling other
// APIs and Cognito's user APIs), its expiry, and the user. Not the raw ID token.
type Session struct {
	AccessToken string    `json:"at"`
	ExpiresAt   time.Time `json:"exp"`
	User        User      `json:"u"`
}

// Refresh is the sealed content of the refresh cookie. Username and Sub are kept for
// SECRET_HASH on REFRESH_TOKEN_AUTH.
type Refresh struct {
	Token    string `json:"rt"`
	Username string `json:"un"`
	Sub      string `json:"sub"`
}

// Flow is the sealed content of the flow cookie between sign-in and callback.
type Flow struct {
	State      string `json:"s"`
	Nonce      string `json:"n"`
	Verifier   string `json:"v"`
	RedirectTo string `json:"r"`
}

// Grant is the outcome of a sign-in or refresh: a new session, and a new refresh token when
// Cognito issued one (sign-in, or refresh-token rotation). Tokens are the raw tokens, for
// token mode.
type Grant struct {
	Session Session
	Refresh *Refresh
	Tokens  *cognito.Tokens
}

// Config is what the flows need to know of the deployment.
type Config struct {
	CallbackURL       string            // this API's /auth/callback, as registered on the app client
	Scopes            []string          // e.g. openid email profile
	Redirects         *allowlist.Policy // where browsers may be sent
	LogoutURI         string            // default target of Cognito's /logout
	RefreshWindow     time.Duration     // refresh this long before the access token expires
	AllowMissingNonce bool              // emulator relaxation: an ID token without nonce passes
	Now               func() time.Time

	UserPoolID        string
	ClientID          string
	ClientSecret      string // for SECRET_HASH; empty for a public client
	AdminAuth         bool   // ADMIN_USER_PASSWORD_AUTH instead of USER_PASSWORD_AUTH
	HideExistingUsers bool   // sign-up answers alike for new and existing usernames
	RefreshRotation   bool   // refresh with GetTokensFromRefreshToken (rotation on)
	TOTPIssuer        string // the issuer label authenticator apps show

	// AnswerFloor is the least time the answers that must not tell accounts apart take
	// (answerfloor.go).
	AnswerFloor AnswerFloor
}

// Deps are the flows' dependencies.
type Deps struct {
	HostedUI HostedUI
	Verifier Verifier
	Revoker  Revoker
	Pool     UserPool
	Profiles Profiles     // optional: without it a bearer session has no e-mail
	Log      *slog.Logger // optional: nil logs through slog.Default()
}

// Service runs the hosted-UI, password, challenge, session, refresh and sign-out flows.
type Service struct {
	cfg      Config
	hosted   HostedUI
	verifier Verifier
	revoker  Revoker
	pool     UserPool
	profiles Profiles
	known    *profileCache
	log      *slog.Logger
	// autoConfirmed reports, once, a sign-up confirmed at once with existing users hidden.
	autoConfirmed sync.Once
}

// NewService wires the flows to their dependencies.
func NewService(cfg Config, d Deps) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RefreshWindow == 0 {
		cfg.RefreshWindow = 5 * time.Minute
	}
	if cfg.TOTPIssuer == "" {
		cfg.TOTPIssuer = "monban"
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Service{cfg: cfg, hosted: d.HostedUI, verifier: d.Verifier, revoker: d.Revoker, pool: d.Pool,
		profiles: d.Profiles, known: newProfileCache(profileCacheSize), log: d.Log}
}

// SignInRequest is GET /auth/sign-in's query.
type SignInRequest struct {
	RedirectTo       string
	IdentityProvider string
	Screen           string // "" or "signup"
}

var providerName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 ._-]{0,39}$`)

// BeginSignIn validates r and returns the managed-login URL to send the browser to, with the
// flow state that must come back with the callback.
func (s *Service) BeginSignIn(r SignInRequest) (string, Flow, error) {
	target, err := s.cfg.Redirects.Resolve(r.RedirectTo)
	if err != nil {
		return "", Flow{}, Fail(CodeInvalidRequest, "redirect_to is not an allowed target", err)
	}
	if r.IdentityProvider != "" && !providerName.MatchString(r.IdentityProvider) {
		return "", Flow{}, Fail(CodeInvalidRequest, "identity_provider is malformed", nil)
	}
	if r.Screen != "" && r.Screen != "signup" {
		return "", Flow{}, Fail(CodeInvalidRequest, `screen must be "signup" or absent`, nil)
	}
	f := Flow{State: random(), Nonce: random(), Verifier: random(), RedirectTo: target}
	sum := sha256.Sum256([]byte(f.Verifier))
	u := s.hosted.AuthorizeURL(cognito.AuthorizeRequest{
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

// Bound returns ref if it may refresh sess: a refresh cookie of another user beside a
// session was planted (a sibling subdomain can set /auth cookies) and must never swap the
// signed-in user, so it reads as absent.
func Bound(sess *Session, ref *Refresh) *Refresh {
	if sess != nil && ref != nil && ref.Sub != sess.User.Sub {
		return nil
	}
	return ref
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
	if s.profiles != nil {
		attrs, err := s.profiles.Attributes(ctx, raw, strings.Fields(c.Scope))
		switch {
		case errors.Is(err, cognito.ErrTokenRefused):
			return nil, Fail(CodeUnauthenticated, "the bearer token was revoked", err)
		case err != nil:
			// Cognito unreachable: the token is still good, so answer with what it says.
			return &Session{AccessToken: raw, ExpiresAt: c.ExpiresAt, User: u}, nil
		case attrs != nil:
			u = withProfile(u, c.Attributes, attrs)
		}
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

// Due reports whether sess (nil: none) should be refreshed: it is missing or inside the
// refresh window. A fresh session needs nothing else, not even the refresh cookie opened.
func (s *Service) Due(sess *Session) bool {
	return sess == nil || sess.ExpiresAt.Sub(s.cfg.Now()) <= s.cfg.RefreshWindow
}

// Current returns the session to answer GET /auth/session with. When the access token is
// within the refresh window (or the session cookie is gone) and a refresh token is present,
// it refreshes and returns the grant so the caller rewrites the cookies.
func (s *Service) Current(ctx context.Context, sess *Session, ref *Refresh) (*Session, *Grant, error) {
	now := s.cfg.Now()
	ref = Bound(sess, ref)
	if !s.Due(sess) || ref == nil {
		if sess != nil && sess.ExpiresAt.After(now) {
			return sess, nil, nil
		}
		return nil, nil, Fail(CodeUnauthenticated, "no valid session", nil)
	}
	g, err := s.Refresh(ctx, ref)
	if err != nil {
		// Cognito being down must not sign out a user whose token is still good.
		if CodeOf(err) == CodeUpstreamUnavailable && sess != nil && sess.ExpiresAt.After(now) {
			return sess, nil, nil
		}
		return nil, nil, err
	}
	return &g.Session, g, nil
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
		} else if err := s.revoker.GlobalSignOut(ctx, sess.AccessToken); err != nil {
			globalErr = upstreamFailure(err, CodeUnauthenticated, "global sign-out")
		}
	}
	if ref != nil {
		res.Revoked = s.revoker.RevokeToken(ctx, ref.Token) == nil
	}
	return res, globalErr
}

// grant validates freshly issued tokens and builds the session from them.
func (s *Service) grant(ctx context.Context, t *cognito.Tokens, nonce string) (*Grant, error) {
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
func userAttributes(all map[string]string) map[string]string {
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
	out := make(map[string]string, min(len(keys), maxSessionAttributes))
	budget := maxSessionAttributeBytes
	for _, k := range keys {
		n := size[k]
		if len(out) == maxSessionAttributes || n > budget {
			break
		}
		out[k] = all[k]
		budget -= n
	}
	return out
}

func tokenFailure(err error, what string) error {
	if errors.Is(err, token.ErrKeysUnavailable) {
		return Fail(CodeUpstreamUnavailable, "Cognito's signing keys are unavailable", fmt.Errorf("%s: %w", what, err))
	}
	return Fail(CodeInvalidToken, "Cognito issued a token that failed validation", fmt.Errorf("%s: %w", what, err))
}

// upstreamFailure maps a Cognito failure: unreachable → upstream_unavailable; refused →
// refused (the caller's code for "Cognito said no").
func upstreamFailure(err error, refused Code, what string) error {
	var ae *Error
	if errors.As(err, &ae) {
		return err
	}
	if errors.Is(err, cognito.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
		return Fail(CodeUpstreamUnavailable, "Cognito is unavailable, try again", fmt.Errorf("%s: %w", what, err))
	}
	var oe *cognito.OAuthError
	if errors.As(err, &oe) && (oe.Code == "invalid_client" || oe.Code == "unauthorized_client") {
		return Fail(CodeInternal, "the app client is misconfigured", fmt.Errorf("%s: %w", what, err))
	}
	return Fail(refused, "Cognito refused the request", fmt.Errorf("%s: %w", what, err))
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

func random() string {
	b := make([]byte, 32)
	rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
