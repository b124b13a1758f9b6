// Package monbanauth verifies the callers of a site's own APIs the way the
// monban authorizer does, for Go services that sit behind monban: either an
// "Authorization: Bearer" Cognito access token, or the monban session cookie
// (which monban seals, and which carries the user's access token).
//
// The same Authenticator backs the monban Lambda authorizer and the net/http
// middleware here, so the two always agree. For a bearer token it checks the
// RS256 signature against the user pool's JWKS, the issuer, token_use
// "access", client_id and exp/nbf. For the cookie it first opens the sealed
// value with the session secret (proving monban issued it and it is not
// expired), then verifies the access token inside it the same way. Verified
// tokens are remembered in a bounded cache until their exp, so a warm process
// does not check the same signature twice.
//
// Optionally, every caller must hold all of Config.RequiredScopes and at
// least one of Config.RequiredGroups.
//
// A typical service:
//
//	a, err := monbanauth.New(monbanauth.Config{
//		Issuer:         "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123",
//		ClientID:       "3n4b5urk1ft4fl3mg5e62d9ado",
//		SessionSecrets: [][]byte{secret}, // MONBAN_SESSION_SECRET of the monban API
//	})
//	...
//	mux.Handle("/api/", a.Middleware(api))
//	// in a handler: id, _ := monbanauth.FromContext(r.Context())
package monbanauth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/monban-auth/monban/internal/cookie"
	"github.com/monban-auth/monban/internal/originverify"
	"github.com/monban-auth/monban/internal/seal"
	"github.com/monban-auth/monban/internal/sealed"
	"github.com/monban-auth/monban/internal/token"
	"github.com/monban-auth/monban/internal/tokencache"
)

// Credential names a kind of credential a caller can present.
type Credential string

// The credentials monban understands.
const (
	// Bearer is an "Authorization: Bearer <Cognito access token>" header.
	Bearer Credential = "bearer"
	// Cookie is the monban session cookie (__Host-monban-session, or
	// __Secure-monban-session when a cookie domain is set), possibly chunked.
	Cookie Credential = "cookie"
)

// SessionCookieName is the base name of monban's session cookie; the prefix
// and any chunk suffix are added to it. It is the name of the session kind
// the monban API writes (a test keeps the two equal; a constant cannot be
// read from that kind).
const SessionCookieName = "monban-session"

// sessionKind is the session cookie's kind, the one the monban API writes.
var sessionKind = sealed.SessionKind

// Config configures an Authenticator.
type Config struct {
	// Issuer is the user pool's issuer, exactly as in its tokens, e.g.
	// https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123.
	Issuer string
	// JWKSURL is where the signing keys are fetched; empty means
	// Issuer + "/.well-known/jwks.json".
	JWKSURL string
	// ClientID is the app client id access tokens must carry in client_id.
	ClientID string

	// SessionSecrets are the monban API's session secrets, newest first
	// (MONBAN_SESSION_SECRET split on commas). Required when cookies are
	// accepted.
	SessionSecrets [][]byte
	// CookieDomain is the monban API's cookie domain, if it sets one; it
	// decides between the __Host- and __Secure- cookie name prefixes.
	CookieDomain string

	// Accept lists the credentials accepted; nil means both Bearer and
	// Cookie. Behind an API Gateway authorizer that caches its results, it
	// must name only the credentials in the authorizer's identity sources,
	// so that the cached decision depends on nothing outside the cache key.
	Accept []Credential

	// RequiredScopes must all be in the access token's scope.
	RequiredScopes []string
	// RequiredGroups, when not empty, must include at least one of the
	// user's groups (cognito:groups).
	RequiredGroups []string

	// OriginSecrets, when set, are the values of the X-Monban-Origin-Verify header the
	// site's CloudFront distribution adds (newest first while rotating): a request without
	// one of them did not come through CloudFront and is refused (ErrForbidden).
	OriginSecrets [][]byte

	// CacheSize is how many verified tokens are remembered, at most 32768
	// (each costs about 1.6 KiB with a typical Cognito access token); zero
	// means 1024 and a negative value turns the cache off.
	CacheSize int

	// HTTPClient fetches the JWKS; nil means a client with a 5s timeout.
	HTTPClient *http.Client
	// Now is the clock for expiry checks; nil means time.Now.
	Now func() time.Time
	// Log receives one line per refused request (never a token or cookie);
	// nil discards.
	Log *slog.Logger
}

// accessVerifier is a token verifier, cached or not.
type accessVerifier interface {
	VerifyAccess(ctx context.Context, raw string) (*token.Claims, error)
}

// Authenticator verifies requests. It is safe for concurrent use; build one
// per process and keep it, so its key and token caches stay warm.
type Authenticator struct {
	verifier       accessVerifier
	keys           *token.Verifier // under the cache, if any: FetchKeys
	sealer         *seal.Sealer
	cookies        cookie.Codec
	bearer, cookie bool
	requiredScopes []string
	requiredGroups []string
	origin         *originverify.Check
	now            func() time.Time
	log            *slog.Logger
}

// New validates cfg and returns an Authenticator. It does no network I/O:
// the signing keys are fetched on first use, or by FetchKeys.
func New(cfg Config) (*Authenticator, error) {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	v, err := token.NewVerifier(token.Config{
		Issuer:     cfg.Issuer,
		JWKSURL:    cfg.JWKSURL,
		ClientID:   cfg.ClientID,
		HTTPClient: cfg.HTTPClient,
		Now:        now,
	})
	if err != nil {
		return nil, fmt.Errorf("monbanauth: %w", err)
	}
	a := &Authenticator{
		verifier:       v,
		keys:           v,
		cookies:        cookie.Codec{Domain: strings.TrimPrefix(cfg.CookieDomain, "."), Now: now},
		requiredScopes: slices.Clone(cfg.RequiredScopes),
		requiredGroups: slices.Clone(cfg.RequiredGroups),
		origin:         originverify.New(cfg.OriginSecrets),
		now:            now,
		log:            cfg.Log,
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	accept := cfg.Accept
	if accept == nil {
		accept = []Credential{Bearer, Cookie}
	}
	for _, c := range accept {
		switch c {
		case Bearer:
			a.bearer = true
		case Cookie:
			a.cookie = true
		default:
			return nil, fmt.Errorf("monbanauth: unknown credential %q (want %q or %q)", c, Bearer, Cookie)
		}
	}
	if !a.bearer && !a.cookie {
		return nil, errors.New("monbanauth: Accept names no credential")
	}
	if a.cookie {
		if len(cfg.SessionSecrets) == 0 {
			return nil, errors.New("monbanauth: session cookies are accepted, so SessionSecrets is required")
		}
		if a.sealer, err = seal.NewSealer(cfg.SessionSecrets); err != nil {
			return nil, fmt.Errorf("monbanauth: %w", err)
		}
	}
	for _, s := range a.requiredScopes {
		if s == "" || strings.ContainsAny(s, " \t") {
			return nil, fmt.Errorf("monbanauth: required scope %q is not a scope", s)
		}
	}
	for _, g := range a.requiredGroups {
		if g == "" {
			return nil, errors.New("monbanauth: empty required group")
		}
	}
	if cfg.CacheSize >= 0 {
		size := cfg.CacheSize
		if size == 0 {
			size = tokencache.DefaultCapacity
		}
		if a.verifier, err = tokencache.New(v, size, now); err != nil {
			return nil, fmt.Errorf("monbanauth: %w", err)
		}
	}
	return a, nil
}

// FetchKeys fetches the user pool's signing keys now, unless they are cached, and waits
// for them until ctx ends. A service calls it while starting, with a short deadline, so
// that its first bearer or cookie request does not wait for the fetch. An error (matching
// ErrUnavailable) is no reason to stop: the keys are then fetched on first use, as without
// the call, or that use waits for the fetch still under way.
func (a *Authenticator) FetchKeys(ctx context.Context) error {
	if err := a.keys.FetchKeys(ctx); err != nil {
		return &failure{kind: ErrUnavailable, reason: "fetching the key set", cause: err}
	}
	return nil
}

// Rekey puts rotated secrets into use for every request that starts afterwards: the
// session secrets (newest first, as Config.SessionSecrets) when cookies are accepted, and
// the origin-verify values when Config.OriginSecrets was set. A nil list leaves that kind
// as it is; an unusable one is refused and changes nothing.
func (a *Authenticator) Rekey(sessionSecrets, originSecrets [][]byte) error {
	var errs []error
	if sessionSecrets != nil && a.sealer != nil {
		errs = append(errs, a.sealer.Rekey(sessionSecrets))
	}
	if originSecrets != nil {
		if !a.origin.Enabled() {
			errs = append(errs, errors.New("monbanauth: origin secrets were not configured, so they cannot be rotated"))
		} else {
			errs = append(errs, a.origin.Set(originSecrets))
		}
	}
	return errors.Join(errs...)
}

// Request is what a caller presents, taken from an HTTP request or an API
// Gateway authorizer event.
type Request struct {
	// Authorization holds every Authorization header value; more than one
	// is refused as ambiguous.
	Authorization []string
	// Cookies holds Cookie header lines ("a=1; b=2") or single cookies
	// ("a=1"), as in the cookies array of an HTTP API event.
	Cookies []string
	// OriginVerify holds every X-Monban-Origin-Verify header value; it matters only when
	// Config.OriginSecrets is set.
	OriginVerify []string
}

// RequestOf returns the credentials an HTTP request presents.
func RequestOf(r *http.Request) Request {
	return Request{Authorization: r.Header.Values("Authorization"), Cookies: r.Header.Values("Cookie"),
		OriginVerify: r.Header.Values(originverify.Header)}
}

// Authenticate verifies the credentials in req. A Bearer Authorization header
// is used when present and accepted; otherwise the session cookie is. A
// credential that is presented but fails is never passed over for the
// other one.
//
// It returns the caller's identity, or an error matching (errors.Is) one of
// ErrNoCredentials, ErrInvalidCredentials, ErrForbidden or ErrUnavailable.
// With ErrForbidden the identity is returned as well, when known: it is who was refused.
func (a *Authenticator) Authenticate(ctx context.Context, req Request) (*Identity, error) {
	if !a.origin.Allows(req.OriginVerify) {
		return nil, errNotViaOrigin
	}
	id, err := a.authenticate(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := a.authorize(id); err != nil {
		return id, err
	}
	return id, nil
}

func (a *Authenticator) authenticate(ctx context.Context, req Request) (*Identity, error) {
	if a.bearer {
		raw, present, err := bearerToken(req.Authorization)
		if err != nil {
			return nil, err
		}
		if present {
			claims, err := a.verifier.VerifyAccess(ctx, raw)
			if err != nil {
				return nil, tokenFailure("bearer token", err)
			}
			return identityOf(claims, Bearer), nil
		}
	}
	if a.cookie {
		hdr := &http.Request{Header: http.Header{"Cookie": req.Cookies}}
		// Of everything sent under the cookie's name (copies a sibling subdomain planted for
		// other paths when cookies carry a Domain, stray chunks), only an authentic value
		// counts, and two different ones count as none: a planted copy cannot make the
		// request read as another user.
		var s sealed.SessionToken
		_, res := a.cookies.Pick(hdr, sessionKind.Cookie, func(v string) bool {
			var opened sealed.SessionToken
			if a.sealer.Open(sessionKind.Purpose, v, &opened, a.now()) != nil || opened.AccessToken == "" {
				return false
			}
			s = opened
			return true
		})
		if res == cookie.Ambiguous {
			return nil, errCookieAmbiguous
		}
		if res != cookie.Found {
			if raw, ok := a.cookies.Read(hdr, sessionKind.Cookie); ok {
				// Sent but not authentic: say why, as before.
				if err := a.sealer.Open(sessionKind.Purpose, raw, &s, a.now()); errors.Is(err, seal.ErrExpired) {
					return nil, errCookieExpired
				}
				return nil, errCookieInvalid
			}
		}
		if res == cookie.Found {
			claims, err := a.verifier.VerifyAccess(ctx, s.AccessToken)
			if err != nil {
				return nil, tokenFailure("session cookie's access token", err)
			}
			return identityOf(claims, Cookie), nil
		}
	}
	return nil, errNoCredentials
}

// bearerToken finds a Bearer token among the Authorization values. present
// is false when there is no Authorization header or it uses another scheme,
// which is left to whatever else may handle it.
func bearerToken(values []string) (raw string, present bool, err error) {
	switch len(values) {
	case 0:
		return "", false, nil
	case 1:
	default:
		return "", false, errSeveralAuthorization
	}
	v := strings.Trim(values[0], " \t")
	scheme, rest, _ := strings.Cut(v, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", false, nil
	}
	raw = strings.TrimLeft(rest, " ")
	// Three byte searches, not ContainsAny: a token is a kilobyte or more, and
	// the search for one ASCII byte is vectorised where ContainsAny tests byte by byte.
	if raw == "" || strings.ContainsRune(raw, ' ') || strings.ContainsRune(raw, '\t') || strings.ContainsRune(raw, ',') {
		return "", true, errMalformedBearer
	}
	return raw, true, nil
}

// authorize applies the required scopes (all) and groups (any).
func (a *Authenticator) authorize(id *Identity) error {
	for _, s := range a.requiredScopes {
		if !id.HasScope(s) {
			return &failure{kind: ErrForbidden, reason: "missing required scope " + s}
		}
	}
	if len(a.requiredGroups) > 0 && !slices.ContainsFunc(a.requiredGroups, id.InGroup) {
		return &failure{kind: ErrForbidden, reason: "in none of the required groups"}
	}
	return nil
}
