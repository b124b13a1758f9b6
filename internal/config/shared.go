package config

import (
	"fmt"
	"strings"
	"time"
)

// The settings the API and the authorizer share are read here once, so that the two can
// never disagree on what a pool id, an issuer or a session secret setting means.

// Problems collects what is wrong with a configuration, to report it all at once.
type Problems []string

// Add records a problem with the setting name.
func (p *Problems) Add(name, format string, args ...any) {
	*p = append(*p, name+": "+fmt.Sprintf(format, args...))
}

// Err is nil when nothing was added, else an *Error listing every problem.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	return &Error{Problems: p}
}

// Pool is which user pool's tokens to trust and where their keys are.
type Pool struct {
	ID      string
	Region  string
	Issuer  string
	JWKSURL string
}

// ReadPool reads MONBAN_USER_POOL_ID (required), MONBAN_REGION (default: from the pool id,
// else AWS_REGION), MONBAN_ISSUER (default: the pool's Cognito issuer) and MONBAN_JWKS_URL
// (default: the issuer's).
func ReadPool(getenv func(string) string, p *Problems) Pool {
	get := trimmed(getenv)
	pool := Pool{ID: get("MONBAN_USER_POOL_ID"), Region: get("MONBAN_REGION")}
	switch {
	case pool.ID == "":
		p.Add("MONBAN_USER_POOL_ID", "required")
	case !poolIDPattern.MatchString(pool.ID):
		p.Add("MONBAN_USER_POOL_ID", "%q is not a user pool id", pool.ID)
	}
	if pool.Region == "" {
		if m := regionInPoolID.FindStringSubmatch(pool.ID); m != nil {
			pool.Region = m[1]
		} else {
			pool.Region = get("AWS_REGION")
		}
	}
	pool.Issuer = get("MONBAN_ISSUER")
	if pool.Issuer == "" && pool.ID != "" {
		if pool.Region == "" {
			p.Add("MONBAN_ISSUER", "cannot be derived: set MONBAN_REGION or MONBAN_ISSUER")
		}
		pool.Issuer = "https://cognito-idp." + pool.Region + ".amazonaws.com/" + pool.ID
	} else if pool.Issuer != "" {
		if _, err := httpURL(pool.Issuer); err != nil {
			p.Add("MONBAN_ISSUER", "%v", err)
		}
	}
	pool.JWKSURL = get("MONBAN_JWKS_URL")
	if pool.JWKSURL == "" {
		pool.JWKSURL = strings.TrimSuffix(pool.Issuer, "/") + "/.well-known/jwks.json"
	} else if _, err := httpURL(pool.JWKSURL); err != nil {
		p.Add("MONBAN_JWKS_URL", "%v", err)
	}
	return pool
}

// ReadSessionSecrets reads MONBAN_SESSION_SECRET (the secrets themselves) or
// MONBAN_SESSION_SECRET_ARN (where Secrets Manager keeps them): one of them, not both, and
// one is required when required is set (why says what for).
func ReadSessionSecrets(getenv func(string) string, p *Problems, required bool, why string) (secrets [][]byte, arn string) {
	return readSecretList(getenv, p, "MONBAN_SESSION_SECRET", required, why)
}

// ReadOriginVerifySecrets reads MONBAN_ORIGIN_VERIFY_SECRET or MONBAN_ORIGIN_VERIFY_SECRET_ARN:
// the values of the header CloudFront adds to the requests it forwards (newest first, comma
// separated while rotating). Neither set means requests are not checked.
func ReadOriginVerifySecrets(getenv func(string) string, p *Problems) (secrets [][]byte, arn string) {
	return readSecretList(getenv, p, "MONBAN_ORIGIN_VERIFY_SECRET", false, "")
}

// ReadSecretsRefresh reads MONBAN_SECRETS_REFRESH: how often secrets read from Secrets
// Manager are read again (default 5 minutes; from 10 seconds to a day).
func ReadSecretsRefresh(getenv func(string) string, p *Problems) time.Duration {
	v := strings.TrimSpace(getenv("MONBAN_SECRETS_REFRESH"))
	if v == "" {
		return 5 * time.Minute
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 10*time.Second || d > 24*time.Hour {
		p.Add("MONBAN_SECRETS_REFRESH", "must be a duration from 10s to 24h, e.g. 5m")
		return 5 * time.Minute
	}
	return d
}

// readSecretList reads a comma-separated secret list from name, or the ARN of the Secrets
// Manager secret holding it from name_ARN.
func readSecretList(getenv func(string) string, p *Problems, name string, required bool, why string) (secrets [][]byte, arn string) {
	secret, arn := getenv(name), strings.TrimSpace(getenv(name+"_ARN"))
	switch {
	case secret != "" && arn != "":
		p.Add(name, "set either it or %s_ARN, not both", name)
	case secret != "":
		s, err := ParseSecrets(secret)
		if err != nil {
			p.Add(name, "%v", err)
		}
		return s, ""
	case arn != "":
		if !strings.HasPrefix(arn, "arn:") {
			p.Add(name+"_ARN", "not an ARN")
		}
		return nil, arn
	case required:
		p.Add(name, "required %s (or %s_ARN)", why, name)
	}
	return nil, ""
}

// List splits a comma-separated setting, dropping blanks.
func List(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func trimmed(getenv func(string) string) func(string) string {
	return func(name string) string { return strings.TrimSpace(getenv(name)) }
}
