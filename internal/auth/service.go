package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/monban-auth/monban/internal/allowlist"
	"github.com/monban-auth/monban/internal/sealed"
	"github.com/monban-auth/monban/internal/token"
)

// The sealed payloads the flows produce and consume: their one home is package sealed, so
// the API and the library for other APIs read one definition.
type (
	Session   = sealed.Session
	User      = sealed.User
	Attribute = sealed.Attribute
	// Attributes are a user's attributes in a session, sorted by name.
	Attributes = sealed.Attributes
	Refresh    = sealed.Refresh
	Flow       = sealed.Flow
	Challenge  = sealed.Challenge
)

// HostedUI is the part of Cognito's managed login the flows use. Exchange fails with a
// *PoolError: ReasonUnavailable, ReasonMisconfigured (invalid_client, unauthorized_client)
// or ReasonNotAuthorized (any other refusal, such as invalid_grant).
type HostedUI interface {
	AuthorizeURL(AuthorizeRequest) string
	LogoutURL(logoutURI string) string
	Exchange(ctx context.Context, code, verifier, redirectURI string) (*Tokens, error)
}

// Verifier checks Cognito's tokens.
type Verifier interface {
	VerifyID(ctx context.Context, raw, wantNonce string, allowMissingNonce bool) (*token.Claims, error)
	VerifyAccess(ctx context.Context, raw string) (*token.Claims, error)
}

// Grant is the outcome of a sign-in or refresh: a new session, and a new refresh token when
// Cognito issued one (sign-in, or refresh-token rotation). Tokens are the raw tokens, for
// token mode.
type Grant struct {
	Session Session
	Refresh *Refresh
	Tokens  *Tokens
}

// Config is what the flows need to know of the deployment. How the pool is called (client
// secret, admin auth, refresh rotation) is the UserPool's business, not the flows'.
type Config struct {
	CallbackURL       string            // this API's /auth/callback, as registered on the app client
	Scopes            []string          // e.g. openid email profile
	Redirects         *allowlist.Policy // where browsers may be sent
	LogoutURI         string            // default target of Cognito's /logout
	RefreshWindow     time.Duration     // refresh this long before the access token expires
	AllowMissingNonce bool              // emulator relaxation: an ID token without nonce passes
	Now               func() time.Time

	HideExistingUsers bool   // sign-up answers alike for new and existing usernames
	TOTPIssuer        string // the issuer label authenticator apps show

	// IdentityProviders are the providers the app client supports besides COGNITO, as the
	// pool names them: the only ones a hosted-UI sign-in may name.
	IdentityProviders []string

	// AnswerFloor is the least time the answers that must not tell accounts apart take
	// (answerfloor.go).
	AnswerFloor AnswerFloor

	// ReauthWindow is how recent a sign-in must be for the account to be deleted without
	// the password (accountdelete.go). Default DefaultReauthWindow. (There is no "password
	// only": a user with MFA proves themselves by signing in again, within the window.)
	ReauthWindow time.Duration
}

// Deps are the flows' dependencies.
type Deps struct {
	HostedUI HostedUI
	Verifier Verifier
	Pool     UserPool
	Log      *slog.Logger // optional: nil logs through slog.Default()
}

// Service runs the hosted-UI, password, challenge, session, refresh and sign-out flows.
type Service struct {
	cfg      Config
	hosted   HostedUI
	verifier Verifier
	pool     UserPool
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
	if cfg.ReauthWindow <= 0 {
		cfg.ReauthWindow = DefaultReauthWindow
	}
	if cfg.TOTPIssuer == "" {
		cfg.TOTPIssuer = "monban"
	}
	cfg.IdentityProviders = slices.Clone(cfg.IdentityProviders) // the caller's slice stays theirs
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Service{cfg: cfg, hosted: d.HostedUI, verifier: d.Verifier, pool: d.Pool,
		known: newProfileCache(profileCacheSize), log: d.Log}
}

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
