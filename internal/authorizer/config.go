package authorizer

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/monban-auth/monban/internal/config"
	"github.com/monban-auth/monban/internal/secrets"
	"github.com/monban-auth/monban/internal/tokencache"
	"github.com/monban-auth/monban/pkg/monbanauth"
)

// Variables lists the settings of the authorizer (and of any API protected by
// the monbanauth middleware configured from the environment), with their
// meanings, for documentation and error messages. The pool, client, secret and
// cookie settings are the monban API's own and must have the same values.
var Variables = []struct{ Name, Meaning string }{
	{"MONBAN_USER_POOL_ID", "user pool id, e.g. eu-west-1_AbCdEf123 (required)"},
	{"MONBAN_CLIENT_ID", "app client id access tokens must carry in client_id (required)"},
	{"MONBAN_REGION", "region of the pool; default: from the pool id, else AWS_REGION"},
	{"MONBAN_ISSUER", "expected token issuer; default https://cognito-idp.REGION.amazonaws.com/POOL"},
	{"MONBAN_JWKS_URL", "where the signing keys are fetched; default ISSUER/.well-known/jwks.json"},
	{"MONBAN_SESSION_SECRET", "the API's session secrets (comma-separated, newest first); or:"},
	{"MONBAN_SESSION_SECRET_ARN", "Secrets Manager secret holding MONBAN_SESSION_SECRET's value"},
	{"MONBAN_COOKIE_DOMAIN", "the API's cookie domain, if any: selects __Secure- over __Host- cookie names"},
	{"MONBAN_ORIGIN_VERIFY_SECRET", "the API's origin-verify values: requests without CloudFront's X-Monban-Origin-Verify header are refused; or:"},
	{"MONBAN_ORIGIN_VERIFY_SECRET_ARN", "Secrets Manager secret holding MONBAN_ORIGIN_VERIFY_SECRET's value"},
	{"MONBAN_SECRETS_REFRESH", "how often secrets named by ARN are read again; default 5m"},
	{"MONBAN_ACCEPTED_CREDENTIALS", "bearer, cookie, or bearer,cookie (default); behind a caching authorizer, exactly its identity sources"},
	{"MONBAN_REQUIRED_SCOPES", "space- or comma-separated scopes a caller must all have; default none"},
	{"MONBAN_REQUIRED_GROUPS", "comma-separated groups a caller must be in at least one of; default none"},
	{"MONBAN_TOKEN_CACHE_SIZE", "verified access tokens remembered until their exp (about 1.6 KiB each); default 1024, at most 32768, 0 turns the cache off"},
	{"MONBAN_LOG_LEVEL", "debug, info, warn or error; default info"},
}

// Settings is the validated configuration of the authorizer.
type Settings struct {
	Auth monbanauth.Config
	// SessionSecretARN, when set, is read at start into Auth.SessionSecrets.
	SessionSecretARN string
	// OriginVerifySecretARN, when set, is read at start into Auth.OriginSecrets.
	OriginVerifySecretARN string
	// SecretsRefresh is how often the secrets named by ARN are read again.
	SecretsRefresh time.Duration
	Region         string
	LogLevel       slog.Level
}

// LoadConfig reads the settings through getenv (os.Getenv in production) and
// reports every problem at once.
func LoadConfig(getenv func(string) string) (Settings, error) {
	var problems config.Problems
	bad := problems.Add
	get := func(name string) string { return strings.TrimSpace(getenv(name)) }

	var s Settings
	a := &s.Auth
	// Pool, client and session secret mean what they mean for the API: same reader.
	pool := config.ReadPool(getenv, &problems)
	s.Region, a.Issuer, a.JWKSURL = pool.Region, pool.Issuer, pool.JWKSURL
	if a.ClientID = get("MONBAN_CLIENT_ID"); a.ClientID == "" {
		bad("MONBAN_CLIENT_ID", "required")
	}
	a.CookieDomain = strings.TrimPrefix(get("MONBAN_COOKIE_DOMAIN"), ".")

	a.Accept = nil
	for _, c := range config.List(get("MONBAN_ACCEPTED_CREDENTIALS")) {
		switch cred := monbanauth.Credential(strings.ToLower(c)); cred {
		case monbanauth.Bearer, monbanauth.Cookie:
			a.Accept = append(a.Accept, cred)
		default:
			bad("MONBAN_ACCEPTED_CREDENTIALS", "%q is neither bearer nor cookie", c)
		}
	}
	cookies := a.Accept == nil || containsCred(a.Accept, monbanauth.Cookie)

	a.SessionSecrets, s.SessionSecretARN = config.ReadSessionSecrets(getenv, &problems, cookies,
		"to accept session cookies (or MONBAN_ACCEPTED_CREDENTIALS=bearer)")
	a.OriginSecrets, s.OriginVerifySecretARN = config.ReadOriginVerifySecrets(getenv, &problems)
	s.SecretsRefresh = config.ReadSecretsRefresh(getenv, &problems)

	// Scopes never contain spaces or commas, so either separates them.
	a.RequiredScopes = strings.FieldsFunc(get("MONBAN_REQUIRED_SCOPES"), func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
	a.RequiredGroups = config.List(get("MONBAN_REQUIRED_GROUPS"))

	if v := get("MONBAN_TOKEN_CACHE_SIZE"); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil || n < 0 || n > tokencache.MaxCapacity:
			bad("MONBAN_TOKEN_CACHE_SIZE", "must be a whole number from 0 to %d", tokencache.MaxCapacity)
		case n == 0:
			a.CacheSize = -1
		default:
			a.CacheSize = n
		}
	}
	if v := get("MONBAN_LOG_LEVEL"); v != "" {
		if err := s.LogLevel.UnmarshalText([]byte(v)); err != nil {
			bad("MONBAN_LOG_LEVEL", "must be debug, info, warn or error")
		}
	}
	if err := problems.Err(); err != nil {
		return Settings{}, err
	}
	return s, nil
}

func containsCred(list []monbanauth.Credential, c monbanauth.Credential) bool {
	for _, x := range list {
		if x == c {
			return true
		}
	}
	return false
}

// Options are the seams tests and the local stack use; production passes the
// zero value.
type Options struct {
	HTTPClient *http.Client // JWKS fetches; nil: 5s timeout
	Now        func() time.Time
	Log        *slog.Logger // refusals; nil: discarded
	// Getenv is where the AWS credentials and endpoint overrides for Secrets Manager are
	// read (default os.Getenv).
	Getenv func(string) string
}

// Authenticator is the monbanauth.Authenticator the settings describe, with the secrets it
// read from Secrets Manager kept fresh: a rotated session or origin-verify secret is in use
// within Settings.SecretsRefresh, with no deploy.
type Authenticator struct {
	*monbanauth.Authenticator
	refresher *secrets.Refresher
}

// Authenticate starts a background re-read of the secrets when one is due (no request
// waits for it), then verifies req.
func (a *Authenticator) Authenticate(ctx context.Context, req monbanauth.Request) (*monbanauth.Identity, error) {
	a.refresher.Poll()
	return a.Authenticator.Authenticate(ctx, req)
}

// NewAuthenticator builds the Authenticator s describes, reading the secrets it names by
// ARN from Secrets Manager first.
func NewAuthenticator(ctx context.Context, s Settings, o Options) (*Authenticator, error) {
	cfg := s.Auth
	cfg.HTTPClient, cfg.Now, cfg.Log = o.HTTPClient, o.Now, o.Log
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	arns := secrets.ARNs{Session: s.SessionSecretARN, OriginVerify: s.OriginVerifySecretARN}
	reader := secrets.NewReader(getenv, nil)
	if arns != (secrets.ARNs{}) {
		v, err := reader.Read(ctx, arns)
		if err != nil {
			return nil, err
		}
		if v.Session != nil {
			cfg.SessionSecrets = v.Session
		}
		if v.OriginVerify != nil {
			cfg.OriginSecrets = v.OriginVerify
		}
	}
	a, err := monbanauth.New(cfg)
	if err != nil {
		return nil, err
	}
	out := &Authenticator{Authenticator: a}
	if arns != (secrets.ARNs{}) {
		out.refresher = secrets.NewRefresher(s.SecretsRefresh, o.Now, func(ctx context.Context) error {
			v, err := reader.Read(ctx, arns)
			if err != nil {
				return err
			}
			return a.Rekey(v.Session, v.OriginVerify)
		}, o.Log)
	}
	return out, nil
}
