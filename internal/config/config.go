// Package config reads monban's settings from environment variables and validates them all
// at once, so a bad deployment fails at start with one message naming every problem.
package config

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"regexp"
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

	CallbackURL       string
	SiteURL           string
	AllowedOrigins    []string
	RedirectAllowlist []string
	ErrorURL          string
	LogoutURI         string

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
	LogLevel    slog.Level

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
	{"MONBAN_LOG_LEVEL", "debug, info, warn or error; default info"},
	{"MONBAN_UNSAFE_ALLOW_MISSING_NONCE", "emulators only: accept ID tokens without nonce"},
}

var (
	poolIDPattern  = regexp.MustCompile(`^[\w-]+_[0-9a-zA-Z]+$`)
	regionInPoolID = regexp.MustCompile(`^([a-z]{2}(-[a-z]+)+-\d)_`)
	domainPattern  = regexp.MustCompile(`^[a-zA-Z0-9.-]+$`)
)

// Load reads the configuration through getenv (os.Getenv in production).
func Load(getenv func(string) string) (Config, error) {
	var problems Problems
	bad := problems.Add
	get := trimmed(getenv)
	required := func(name string) string {
		v := get(name)
		if v == "" {
			bad(name, "required")
		}
		return v
	}
	flag := func(name string) bool {
		v := get(name)
		if v == "" {
			return false
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad(name, "must be true or false")
		}
		return b
	}

	pool := ReadPool(getenv, &problems)
	c := Config{
		UserPoolID:        pool.ID,
		Region:            pool.Region,
		Issuer:            pool.Issuer,
		JWKSURL:           pool.JWKSURL,
		ClientID:          required("MONBAN_CLIENT_ID"),
		ClientSecret:      get("MONBAN_CLIENT_SECRET"),
		ClientSecretARN:   get("MONBAN_CLIENT_SECRET_ARN"),
		CognitoEndpoint:   get("MONBAN_COGNITO_ENDPOINT"),
		CookieDomain:      get("MONBAN_COOKIE_DOMAIN"),
		TokenMode:         flag("MONBAN_TOKEN_MODE"),
		TokenEndpoint:     flag("MONBAN_TOKEN_ENDPOINT"),
		HideExistingUsers: flag("MONBAN_SIGN_UP_HIDE_EXISTING"),
		RefreshRotation:   flag("MONBAN_REFRESH_ROTATION"),
		TOTPIssuer:        get("MONBAN_TOTP_ISSUER"),
		Scopes:            strings.Fields(get("MONBAN_SCOPES")),

		UnsafeAllowMissingNonce: flag("MONBAN_UNSAFE_ALLOW_MISSING_NONCE"),
	}
	switch f := get("MONBAN_AUTH_FLOW"); f {
	case "", "USER_PASSWORD_AUTH":
	case "ADMIN_USER_PASSWORD_AUTH":
		c.AdminAuth = true
	default:
		bad("MONBAN_AUTH_FLOW", "must be USER_PASSWORD_AUTH or ADMIN_USER_PASSWORD_AUTH")
	}
	if c.TOTPIssuer == "" {
		c.TOTPIssuer = "monban"
	} else if strings.ContainsAny(c.TOTPIssuer, ":\r\n") || len(c.TOTPIssuer) > 64 {
		bad("MONBAN_TOTP_ISSUER", "must be at most 64 characters without ':'")
	}
	if len(c.Scopes) == 0 {
		c.Scopes = []string{"openid", "email", "profile"}
	}

	if v := required("MONBAN_COGNITO_DOMAIN"); v != "" {
		if !strings.Contains(v, "://") {
			v = "https://" + v
		}
		u, err := url.Parse(strings.TrimSuffix(v, "/"))
		if err != nil || u.Host == "" || (u.Scheme != "https" && !isLoopback(u)) || u.RawQuery != "" {
			bad("MONBAN_COGNITO_DOMAIN", "must be an https URL (http only on loopback)")
		} else {
			c.HostedUI = u
		}
	}
	if c.CognitoEndpoint != "" {
		if _, err := httpURL(c.CognitoEndpoint); err != nil {
			bad("MONBAN_COGNITO_ENDPOINT", "%v", err)
		}
	}

	if v := required("MONBAN_CALLBACK_URL"); v != "" {
		u, err := httpURL(v)
		if err != nil {
			bad("MONBAN_CALLBACK_URL", "%v", err)
		} else if !strings.HasSuffix(u.Path, "/auth/callback") {
			bad("MONBAN_CALLBACK_URL", "must end in /auth/callback")
		}
		c.CallbackURL = v
	}

	c.AllowedOrigins = List(required("MONBAN_ALLOWED_ORIGINS"))
	for i, o := range c.AllowedOrigins {
		u, err := allowlist.ParseOrigin(o)
		if err != nil {
			bad("MONBAN_ALLOWED_ORIGINS", "%v", err)
			continue
		}
		c.AllowedOrigins[i] = u.String()
	}
	c.SiteURL = get("MONBAN_SITE_URL")
	if c.SiteURL == "" && len(c.AllowedOrigins) > 0 {
		c.SiteURL = c.AllowedOrigins[0]
	}
	c.RedirectAllowlist = append(List(get("MONBAN_REDIRECT_ALLOWLIST")), c.AllowedOrigins...)
	policy, err := allowlist.NewPolicy(c.SiteURL, c.RedirectAllowlist)
	if err != nil && c.SiteURL != "" {
		bad("MONBAN_SITE_URL/MONBAN_REDIRECT_ALLOWLIST", "%v", err)
	}
	for name, dst := range map[string]*string{"MONBAN_ERROR_URL": &c.ErrorURL, "MONBAN_LOGOUT_URI": &c.LogoutURI} {
		*dst = get(name)
		if policy == nil {
			continue
		}
		resolved, err := policy.Resolve(*dst)
		if err != nil {
			bad(name, "must be a path or an allow-listed URL: %v", err)
		}
		*dst = resolved
	}

	c.SessionSecrets, c.SessionSecretARN = ReadSessionSecrets(getenv, &problems, true, "to seal cookies")
	c.OriginVerifySecrets, c.OriginVerifySecretARN = ReadOriginVerifySecrets(getenv, &problems)
	switch {
	case c.ClientSecret != "" && c.ClientSecretARN != "":
		bad("MONBAN_CLIENT_SECRET", "set either it or MONBAN_CLIENT_SECRET_ARN, not both")
	case c.ClientSecret == "" && c.ClientSecretARN == "":
		bad("MONBAN_CLIENT_SECRET", "required (or MONBAN_CLIENT_SECRET_ARN): monban is a confidential client")
	case c.ClientSecretARN != "" && !strings.HasPrefix(c.ClientSecretARN, "arn:"):
		bad("MONBAN_CLIENT_SECRET_ARN", "not an ARN")
	}
	c.SecretsRefresh = ReadSecretsRefresh(getenv, &problems)

	if c.CookieDomain != "" {
		c.CookieDomain = strings.TrimPrefix(c.CookieDomain, ".")
		if !domainPattern.MatchString(c.CookieDomain) || !strings.Contains(c.CookieDomain, ".") {
			bad("MONBAN_COOKIE_DOMAIN", "%q is not a domain", c.CookieDomain)
		}
	}

	c.RefreshTokenValidity = 720 * time.Hour
	if v := get("MONBAN_REFRESH_TOKEN_VALIDITY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Hour || d > 3650*24*time.Hour {
			bad("MONBAN_REFRESH_TOKEN_VALIDITY", "must be a duration between 1h and 87600h")
		}
		c.RefreshTokenValidity = d
	}
	if v := get("MONBAN_ANSWER_FLOOR"); v != "" {
		d, err := time.ParseDuration(v)
		switch {
		case err != nil || d < 0 || d > 10*time.Second:
			bad("MONBAN_ANSWER_FLOOR", "must be a duration from 0 to 10s, e.g. 300ms")
		case d == 0:
			c.AnswerFloor = -1 // off
		default:
			c.AnswerFloor = d
		}
	}
	if v := get("MONBAN_LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			bad("MONBAN_LOG_LEVEL", "must be debug, info, warn or error")
		}
	}

	if !c.TokenMode && c.CallbackURL != "" && len(c.AllowedOrigins) > 0 {
		if api, _ := url.Parse(c.CallbackURL); api != nil && !sameSiteWithAny(api, c.AllowedOrigins) {
			bad("MONBAN_CALLBACK_URL", "the API at %s://%s is cross-site with every allowed origin (%s): "+
				"browsers do not send its SameSite cookies with the site's requests, so every sign-in would "+
				"read as signed out. Serve /auth from the site's own registrable domain (the template's "+
				"CloudFront distribution or a custom domain), or set MONBAN_TOKEN_MODE=true",
				api.Scheme, api.Host, strings.Join(c.AllowedOrigins, ", "))
		}
	}

	if err := problems.Err(); err != nil {
		return Config{}, err
	}
	return c, nil
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
