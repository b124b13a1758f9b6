// Package config reads monban's settings from environment variables and validates them all
// at once, so a bad deployment fails at start with one message naming every problem.
package config

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/monban-auth/monban/internal/allowlist"
)

// MinSecretLength is the shortest session secret accepted, in bytes.
const MinSecretLength = 32

// Config is the validated configuration of the API function.
type Config struct {
	UserPoolID   string
	ClientID     string
	ClientSecret string // or, read from Secrets Manager at start:
	// ClientSecretARN is the Secrets Manager secret holding the app client's secret.
	ClientSecretARN string
	Region          string

	CognitoEndpoint string   // API endpoint override (emulators); empty in production
	HostedUI        *url.URL // the user pool domain (managed login)
	Issuer          string
	JWKSURL         string
	Scopes          []string
	// IdentityProviders are the providers the app client supports besides COGNITO
	// (MONBAN_IDENTITY_PROVIDERS), as the pool names them: the only ones a sign-in may name.
	IdentityProviders []string

	CallbackURL string
	// Redirects is where monban may send a browser: relative paths resolve against the site
	// (MONBAN_SITE_URL, default the first allowed origin); absolute URLs may point at the
	// allowed origins and MONBAN_REDIRECT_ALLOWLIST's.
	Redirects *allowlist.Policy
	// Origins are the site's own origins (MONBAN_ALLOWED_ORIGINS): the only ones CORS answers
	// and the CSRF checks let through.
	Origins   *allowlist.Policy
	ErrorURL  string // resolved through Redirects
	LogoutURI string // resolved through Redirects

	SessionSecrets   [][]byte // newest first; empty when SessionSecretARN is set
	SessionSecretARN string
	CookieDomain     string

	// OriginVerifySecrets are the values CloudFront's origin-verify header may carry; empty
	// (and no ARN) means requests are not checked.
	OriginVerifySecrets   [][]byte
	OriginVerifySecretARN string
	// SecretsRefresh is how often the secrets read from Secrets Manager are read again.
	SecretsRefresh time.Duration

	TokenMode            bool
	TokenEndpoint        bool
	AdminAuth            bool   // ADMIN_USER_PASSWORD_AUTH (needs cognito-idp:AdminInitiateAuth)
	HideExistingUsers    bool   // sign-up answers alike for existing usernames
	RefreshRotation      bool   // the app client rotates refresh tokens
	TOTPIssuer           string // label authenticator apps show
	RefreshTokenValidity time.Duration
	// AnswerFloor is the least time the answers that must not tell accounts apart take
	// (0: the default; negative: off).
	AnswerFloor time.Duration
	// ReauthWindow is how recent a sign-in must be for the account to be deleted without
	// the password.
	ReauthWindow time.Duration
	LogLevel     slog.Level

	// UnsafeAllowMissingNonce accepts ID tokens that carry no nonce at all (cognito-local
	// drops it). Never for production: it is logged loudly at start.
	UnsafeAllowMissingNonce bool
}

// Variables lists every setting with its meaning, for documentation and error messages.
var Variables = []struct{ Name, Meaning string }{
	{"MONBAN_USER_POOL_ID", "user pool id, e.g. eu-west-1_AbCdEf123 (required)"},
	{"MONBAN_CLIENT_ID", "app client id (required)"},
	{"MONBAN_CLIENT_SECRET", "app client secret; or:"},
	{"MONBAN_CLIENT_SECRET_ARN", "Secrets Manager secret holding the app client secret (one of the two is required)"},
	{"MONBAN_REGION", "region of the pool; default: from the pool id, else AWS_REGION"},
	{"MONBAN_COGNITO_DOMAIN", "managed-login domain, e.g. https://auth.example.com (required)"},
	{"MONBAN_COGNITO_ENDPOINT", "Cognito API endpoint override, for emulators only"},
	{"MONBAN_ISSUER", "expected token issuer; default https://cognito-idp.REGION.amazonaws.com/POOL"},
	{"MONBAN_JWKS_URL", "where the signing keys are fetched; default ISSUER/.well-known/jwks.json"},
	{"MONBAN_SCOPES", "OAuth scopes, space separated; default \"openid email profile\""},
	{"MONBAN_IDENTITY_PROVIDERS", "comma-separated identity providers the app client supports besides COGNITO, as the pool names them (e.g. Google,SignInWithApple); the only ones GET /auth/sign-in's identity_provider may name; default none"},
	{"MONBAN_CALLBACK_URL", "this API's /auth/callback URL, as registered on the app client (required)"},
	{"MONBAN_ALLOWED_ORIGINS", "comma-separated origins of the site allowed to call the API (required)"},
	{"MONBAN_SITE_URL", "origin relative redirect paths belong to; default: first allowed origin"},
	{"MONBAN_REDIRECT_ALLOWLIST", "extra comma-separated origins redirect_to/logout_uri may point at"},
	{"MONBAN_ERROR_URL", "page the callback sends failures to as ?error=CODE; default SITE_URL/"},
	{"MONBAN_LOGOUT_URI", "where Cognito's /logout returns to; default SITE_URL/"},
	{"MONBAN_SESSION_SECRET", "comma-separated secrets (>= 32 bytes each), newest first; or:"},
	{"MONBAN_SESSION_SECRET_ARN", "Secrets Manager secret holding MONBAN_SESSION_SECRET's value"},
	{"MONBAN_COOKIE_DOMAIN", "cookie Domain for sibling subdomains; default: host-only __Host- cookies"},
	{"MONBAN_ORIGIN_VERIFY_SECRET", "values (comma-separated, newest first) of the X-Monban-Origin-Verify header CloudFront adds; requests without one are refused; or:"},
	{"MONBAN_ORIGIN_VERIFY_SECRET_ARN", "Secrets Manager secret holding MONBAN_ORIGIN_VERIFY_SECRET's value"},
	{"MONBAN_SECRETS_REFRESH", "how often secrets named by ARN are read again, so a rotated value reaches running containers; default 5m"},
	{"MONBAN_TOKEN_MODE", "true: also return tokens in bodies for Authorization: Bearer use (cross-site)"},
	{"MONBAN_TOKEN_ENDPOINT", "true: enable GET /auth/token"},
	{"MONBAN_AUTH_FLOW", "password sign-in flow: USER_PASSWORD_AUTH (default) or ADMIN_USER_PASSWORD_AUTH"},
	{"MONBAN_SIGN_UP_HIDE_EXISTING", "true: every sign-up gets one answer (check your e-mail), never a session, so it tells no taken address; needs sign-ups confirmed by e-mail code (the pre-sign-up trigger's MONBAN_SIGNUP_AUTO_CONFIRM=false)"},
	{"MONBAN_REFRESH_ROTATION", "true: the app client rotates refresh tokens (refresh with GetTokensFromRefreshToken)"},
	{"MONBAN_TOTP_ISSUER", "issuer name authenticator apps show; default monban"},
	{"MONBAN_REFRESH_TOKEN_VALIDITY", "refresh cookie lifetime, the app client's setting; default 720h"},
	{"MONBAN_ANSWER_FLOOR", "least time forgot-password, resend-code and hidden sign-up take to answer, so timing tells no account apart; default 300ms, 0 turns it off"},
	{"MONBAN_REAUTH_WINDOW", "how recent a sign-in must be to delete the account without typing the password again; default 5m, from 1m to 1h"},
	{"MONBAN_LOG_LEVEL", "debug, info, warn or error; default info"},
	{"MONBAN_UNSAFE_ALLOW_MISSING_NONCE", "emulators only: accept ID tokens without nonce"},
}

var (
	poolIDPattern  = regexp.MustCompile(`^[\w-]+_[0-9a-zA-Z]+$`)
	regionInPoolID = regexp.MustCompile(`^([a-z]{2}(-[a-z]+)+-\d)_`)
	domainPattern  = regexp.MustCompile(`^[a-zA-Z0-9.-]+$`)
	// providerPattern is the names monban passes to managed login: Cognito's own names
	// (Google, SignInWithApple…) and the usual OIDC and SAML ones, nothing a URL could
	// misread.
	providerPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 ._-]{0,39}$`)
)

// Load reads the configuration through getenv (os.Getenv in production). Each step reads
// one group of settings and notes every problem, so the error names them all at once.
func Load(getenv func(string) string) (Config, error) {
	l := &loader{getenv: getenv}
	var c Config
	l.poolAndClient(&c)
	l.callback(&c)
	origins := l.origins(&c)
	l.secrets(&c)
	l.modes(&c)
	l.limits(&c)
	l.crossSite(&c, origins)
	if err := l.problems.Err(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// loader reads settings and collects what is wrong with them.
type loader struct {
	getenv   func(string) string
	problems Problems
}

func (l *loader) get(name string) string { return strings.TrimSpace(l.getenv(name)) }

func (l *loader) bad(name, format string, args ...any) { l.problems.Add(name, format, args...) }

func (l *loader) required(name string) string {
	v := l.get(name)
	if v == "" {
		l.bad(name, "required")
	}
	return v
}

func (l *loader) flag(name string) bool {
	v := l.get(name)
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		l.bad(name, "must be true or false")
	}
	return b
}

// poolAndClient reads which user pool and app client monban is, and where Cognito answers.
func (l *loader) poolAndClient(c *Config) {
	pool := ReadPool(l.getenv, &l.problems)
	c.UserPoolID, c.Region, c.Issuer, c.JWKSURL = pool.ID, pool.Region, pool.Issuer, pool.JWKSURL
	c.ClientID = l.required("MONBAN_CLIENT_ID")
	c.ClientSecret = l.get("MONBAN_CLIENT_SECRET")
	c.ClientSecretARN = l.get("MONBAN_CLIENT_SECRET_ARN")

	if v := l.required("MONBAN_COGNITO_DOMAIN"); v != "" {
		if !strings.Contains(v, "://") {
			v = "https://" + v
		}
		u, err := url.Parse(strings.TrimSuffix(v, "/"))
		if err != nil || u.Host == "" || (u.Scheme != "https" && !isLoopback(u)) || u.RawQuery != "" {
			l.bad("MONBAN_COGNITO_DOMAIN", "must be an https URL (http only on loopback)")
		} else {
			c.HostedUI = u
		}
	}
	c.CognitoEndpoint = l.get("MONBAN_COGNITO_ENDPOINT")
	if c.CognitoEndpoint != "" {
		if _, err := httpURL(c.CognitoEndpoint); err != nil {
			l.bad("MONBAN_COGNITO_ENDPOINT", "%v", err)
		}
	}
}

// callback reads this API's own /auth/callback URL.
func (l *loader) callback(c *Config) {
	v := l.required("MONBAN_CALLBACK_URL")
	if v == "" {
		return
	}
	u, err := httpURL(v)
	if err != nil {
		l.bad("MONBAN_CALLBACK_URL", "%v", err)
	} else if !strings.HasSuffix(u.Path, "/auth/callback") {
		l.bad("MONBAN_CALLBACK_URL", "must end in /auth/callback")
	}
	c.CallbackURL = v
}

// origins reads the site's origins and where browsers may be sent, builds the two policies
// once, and resolves the error page and the logout URI through them. It returns the allowed
// origins, normalized, for the cross-site check.
func (l *loader) origins(c *Config) []string {
	origins := List(l.required("MONBAN_ALLOWED_ORIGINS"))
	valid := true
	for i, o := range origins {
		u, err := allowlist.ParseOrigin(o)
		if err != nil {
			l.bad("MONBAN_ALLOWED_ORIGINS", "%v", err)
			valid = false
			continue
		}
		origins[i] = u.String()
	}
	site := l.get("MONBAN_SITE_URL")
	if site == "" && len(origins) > 0 {
		site = origins[0]
	}
	if valid && len(origins) > 0 {
		// Cannot fail: every origin parsed above.
		c.Origins, _ = allowlist.NewPolicy(origins[0], origins)
	}
	var err error
	c.Redirects, err = allowlist.NewPolicy(site, append(List(l.get("MONBAN_REDIRECT_ALLOWLIST")), origins...))
	if err != nil && site != "" {
		l.bad("MONBAN_SITE_URL/MONBAN_REDIRECT_ALLOWLIST", "%v", err)
	}
	c.ErrorURL = l.redirect(c.Redirects, "MONBAN_ERROR_URL")
	c.LogoutURI = l.redirect(c.Redirects, "MONBAN_LOGOUT_URI")
	return origins
}

// redirect reads a page monban sends browsers to, resolved through the redirect policy (a
// path is on the site; an empty value is the site's root).
func (l *loader) redirect(p *allowlist.Policy, name string) string {
	v := l.get(name)
	if p == nil {
		return v
	}
	resolved, err := p.Resolve(v)
	if err != nil {
		l.bad(name, "must be a path or an allow-listed URL: %v", err)
	}
	return resolved
}

// secrets reads the secrets, or the Secrets Manager ARNs they are read from at start.
func (l *loader) secrets(c *Config) {
	c.SessionSecrets, c.SessionSecretARN = ReadSessionSecrets(l.getenv, &l.problems, true, "to seal cookies")
	c.OriginVerifySecrets, c.OriginVerifySecretARN = ReadOriginVerifySecrets(l.getenv, &l.problems)
	switch {
	case c.ClientSecret != "" && c.ClientSecretARN != "":
		l.bad("MONBAN_CLIENT_SECRET", "set either it or MONBAN_CLIENT_SECRET_ARN, not both")
	case c.ClientSecret == "" && c.ClientSecretARN == "":
		l.bad("MONBAN_CLIENT_SECRET", "required (or MONBAN_CLIENT_SECRET_ARN): monban is a confidential client")
	case c.ClientSecretARN != "" && !strings.HasPrefix(c.ClientSecretARN, "arn:"):
		l.bad("MONBAN_CLIENT_SECRET_ARN", "not an ARN")
	}
	c.SecretsRefresh = ReadSecretsRefresh(l.getenv, &l.problems)
}

// modes reads the switches and the names that change how monban answers.
func (l *loader) modes(c *Config) {
	c.TokenMode = l.flag("MONBAN_TOKEN_MODE")
	c.TokenEndpoint = l.flag("MONBAN_TOKEN_ENDPOINT")
	c.HideExistingUsers = l.flag("MONBAN_SIGN_UP_HIDE_EXISTING")
	c.RefreshRotation = l.flag("MONBAN_REFRESH_ROTATION")
	c.UnsafeAllowMissingNonce = l.flag("MONBAN_UNSAFE_ALLOW_MISSING_NONCE")
	switch f := l.get("MONBAN_AUTH_FLOW"); f {
	case "", "USER_PASSWORD_AUTH":
	case "ADMIN_USER_PASSWORD_AUTH":
		c.AdminAuth = true
	default:
		l.bad("MONBAN_AUTH_FLOW", "must be USER_PASSWORD_AUTH or ADMIN_USER_PASSWORD_AUTH")
	}
	c.TOTPIssuer = l.get("MONBAN_TOTP_ISSUER")
	if c.TOTPIssuer == "" {
		c.TOTPIssuer = "monban"
	} else if strings.ContainsAny(c.TOTPIssuer, ":\r\n") || len(c.TOTPIssuer) > 64 {
		l.bad("MONBAN_TOTP_ISSUER", "must be at most 64 characters without ':'")
	}
	c.IdentityProviders = l.identityProviders()
	c.Scopes = strings.Fields(l.get("MONBAN_SCOPES"))
	if len(c.Scopes) == 0 {
		c.Scopes = []string{"openid", "email", "profile"}
	}
	c.CookieDomain = l.get("MONBAN_COOKIE_DOMAIN")
	if c.CookieDomain != "" {
		c.CookieDomain = strings.TrimPrefix(c.CookieDomain, ".")
		if !domainPattern.MatchString(c.CookieDomain) || !strings.Contains(c.CookieDomain, ".") {
			l.bad("MONBAN_COOKIE_DOMAIN", "%q is not a domain", c.CookieDomain)
		}
	}
	if v := l.get("MONBAN_LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			l.bad("MONBAN_LOG_LEVEL", "must be debug, info, warn or error")
		}
	}
}

// identityProviders reads the providers a sign-in may name besides COGNITO. COGNITO itself
// is refused: it is always allowed, and listing it would offer it as a social sign-in.
func (l *loader) identityProviders() []string {
	const name = "MONBAN_IDENTITY_PROVIDERS"
	var out []string
	for _, p := range List(l.get(name)) {
		switch {
		case !providerPattern.MatchString(p):
			l.bad(name, "%q is not a provider name (letters, digits, space, '.', '_', '-'; at most 40)", p)
		case p == "COGNITO":
			l.bad(name, "COGNITO is always allowed; list only the other providers")
		case slices.Contains(out, p):
			l.bad(name, "%q is listed twice", p)
		default:
			out = append(out, p)
		}
	}
	return out
}

// limits reads the durations.
func (l *loader) limits(c *Config) {
	c.RefreshTokenValidity = 720 * time.Hour
	if v := l.get("MONBAN_REFRESH_TOKEN_VALIDITY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Hour || d > 3650*24*time.Hour {
			l.bad("MONBAN_REFRESH_TOKEN_VALIDITY", "must be a duration between 1h and 87600h")
		}
		c.RefreshTokenValidity = d
	}
	if v := l.get("MONBAN_ANSWER_FLOOR"); v != "" {
		d, err := time.ParseDuration(v)
		switch {
		case err != nil || d < 0 || d > 10*time.Second:
			l.bad("MONBAN_ANSWER_FLOOR", "must be a duration from 0 to 10s, e.g. 300ms")
		case d == 0:
			c.AnswerFloor = -1 // off
		default:
			c.AnswerFloor = d
		}
	}
	c.ReauthWindow = 5 * time.Minute
	if v := l.get("MONBAN_REAUTH_WINDOW"); v != "" {
		// Under a minute, clock skew and a slow page eat the window; over an hour, a session
		// found in a browser left open is as good as the password.
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute || d > time.Hour {
			l.bad("MONBAN_REAUTH_WINDOW", "must be a duration from 1m to 1h, e.g. 5m")
		}
		c.ReauthWindow = d
	}
}

// crossSite refuses cookie mode for an API every allowed origin sees as another site.
func (l *loader) crossSite(c *Config, origins []string) {
	if c.TokenMode || c.CallbackURL == "" || len(origins) == 0 {
		return
	}
	if api, _ := url.Parse(c.CallbackURL); api != nil && !sameSiteWithAny(api, origins) {
		l.bad("MONBAN_CALLBACK_URL", "the API at %s://%s is cross-site with every allowed origin (%s): "+
			"browsers do not send its SameSite cookies with the site's requests, so every sign-in would "+
			"read as signed out. Serve /auth from the site's own registrable domain (the template's "+
			"CloudFront distribution or a custom domain), or set MONBAN_TOKEN_MODE=true",
			api.Scheme, api.Host, strings.Join(origins, ", "))
	}
}

// sameSiteWithAny reports whether api is same-site with at least one of origins, as
// browsers judge it for SameSite cookies: the same scheme and the same registrable domain
// (public suffix + one label, e.g. example.com for www.example.com and auth.example.com).
// The public suffix list has the private suffixes too, so two execute-api or cloudfront.net
// hosts are different sites, as they are to browsers.
func sameSiteWithAny(api *url.URL, origins []string) bool {
	site := siteOf(api)
	for _, o := range origins {
		if u, err := url.Parse(o); err == nil && siteOf(u) == site {
			return true
		}
	}
	return false
}

func siteOf(u *url.URL) string {
	host := strings.ToLower(u.Hostname())
	if net.ParseIP(host) == nil {
		if d, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
			host = d
		}
	}
	return u.Scheme + "://" + host
}

// Error lists every invalid or missing setting.
type Error struct{ Problems []string }

func (e *Error) Error() string {
	return "invalid configuration:\n  - " + strings.Join(e.Problems, "\n  - ")
}

// ParseSecrets splits a comma-separated list of session secrets (newest first) and checks
// their length. The message never contains a secret.
func ParseSecrets(v string) ([][]byte, error) {
	var out [][]byte
	for i, s := range strings.Split(v, ",") {
		s = strings.TrimSpace(s)
		if len(s) < MinSecretLength {
			return nil, fmt.Errorf("secret #%d is %d bytes; at least %d are needed", i+1, len(s), MinSecretLength)
		}
		out = append(out, []byte(s))
	}
	return out, nil
}

func httpURL(v string) (*url.URL, error) {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("%q is not an http(s) URL", v)
	}
	return u, nil
}

func isLoopback(u *url.URL) bool {
	h := u.Hostname()
	return h == "localhost" || h == "127.0.0.1" || h == "::1"
}
