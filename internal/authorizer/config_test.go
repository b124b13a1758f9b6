package authorizer_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/authorizer"
	"github.com/monban-auth/monban/internal/secrets/secretstest"
	"github.com/monban-auth/monban/internal/tokencache"
	"github.com/monban-auth/monban/pkg/monbanauth"
)

const testSecret = "0123456789abcdef0123456789abcdef-test-only"

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestLoadConfig(t *testing.T) {
	base := func() map[string]string {
		return map[string]string{
			"MONBAN_USER_POOL_ID":   "eu-west-1_AbCdEf123",
			"MONBAN_CLIENT_ID":      "3n4b5urk1ft4fl3mg5e62d9ado",
			"MONBAN_SESSION_SECRET": testSecret,
		}
	}
	tests := []struct {
		name    string
		change  map[string]string
		check   func(t *testing.T, s authorizer.Settings)
		problem string // a substring of the error, or "" for success
	}{
		{name: "the issuer is derived from the pool id", check: func(t *testing.T, s authorizer.Settings) {
			if s.Auth.Issuer != "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123" || s.Auth.JWKSURL != s.Auth.Issuer+"/.well-known/jwks.json" {
				t.Fatalf("issuer %q, jwks %q", s.Auth.Issuer, s.Auth.JWKSURL)
			}
			if s.Auth.Accept != nil || len(s.Auth.SessionSecrets) != 1 || s.Auth.CacheSize != 0 {
				t.Fatalf("defaults: %+v", s.Auth)
			}
		}},
		{name: "an explicit issuer and JWKS URL are kept", change: map[string]string{"MONBAN_ISSUER": "http://127.0.0.1:9229/local_x", "MONBAN_JWKS_URL": "http://127.0.0.1:9229/local_x/.well-known/jwks.json"}, check: func(t *testing.T, s authorizer.Settings) {
			if s.Auth.Issuer != "http://127.0.0.1:9229/local_x" || !strings.HasSuffix(s.Auth.JWKSURL, "jwks.json") {
				t.Fatalf("%+v", s.Auth)
			}
		}},
		{name: "required scopes split on spaces or commas and groups on commas", change: map[string]string{"MONBAN_REQUIRED_SCOPES": "openid, email  profile", "MONBAN_REQUIRED_GROUPS": " admins , Billing Team "}, check: func(t *testing.T, s authorizer.Settings) {
			if strings.Join(s.Auth.RequiredScopes, "|") != "openid|email|profile" || strings.Join(s.Auth.RequiredGroups, "|") != "admins|Billing Team" {
				t.Fatalf("scopes %q groups %q", s.Auth.RequiredScopes, s.Auth.RequiredGroups)
			}
		}},
		{name: "the accepted credentials are read", change: map[string]string{"MONBAN_ACCEPTED_CREDENTIALS": "Cookie"}, check: func(t *testing.T, s authorizer.Settings) {
			if len(s.Auth.Accept) != 1 || s.Auth.Accept[0] != monbanauth.Cookie {
				t.Fatalf("%v", s.Auth.Accept)
			}
		}},
		{name: "a bearer-only authorizer needs no session secret", change: map[string]string{"MONBAN_ACCEPTED_CREDENTIALS": "bearer", "MONBAN_SESSION_SECRET": ""}, check: func(t *testing.T, s authorizer.Settings) {
			if s.Auth.SessionSecrets != nil {
				t.Fatal("secrets set")
			}
		}},
		{name: "a secret ARN is kept for the start-up read", change: map[string]string{"MONBAN_SESSION_SECRET": "", "MONBAN_SESSION_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:monban-AbCdEf"}, check: func(t *testing.T, s authorizer.Settings) {
			if s.SessionSecretARN == "" || s.Auth.SessionSecrets != nil {
				t.Fatalf("%+v", s)
			}
		}},
		{name: "a token cache size of 0 turns the cache off", change: map[string]string{"MONBAN_TOKEN_CACHE_SIZE": "0"}, check: func(t *testing.T, s authorizer.Settings) {
			if s.Auth.CacheSize >= 0 {
				t.Fatalf("cache size %d", s.Auth.CacheSize)
			}
		}},
		{name: "the cookie domain loses a leading dot", change: map[string]string{"MONBAN_COOKIE_DOMAIN": ".example.com"}, check: func(t *testing.T, s authorizer.Settings) {
			if s.Auth.CookieDomain != "example.com" {
				t.Fatalf("%q", s.Auth.CookieDomain)
			}
		}},
		{name: "a missing pool id is reported", change: map[string]string{"MONBAN_USER_POOL_ID": ""}, problem: "MONBAN_USER_POOL_ID: required"},
		{name: "a malformed pool id is reported", change: map[string]string{"MONBAN_USER_POOL_ID": "not a pool"}, problem: "not a user pool id"},
		{name: "a missing client id is reported", change: map[string]string{"MONBAN_CLIENT_ID": ""}, problem: "MONBAN_CLIENT_ID: required"},
		{name: "cookies without a secret are reported", change: map[string]string{"MONBAN_SESSION_SECRET": ""}, problem: "required to accept session cookies"},
		{name: "a secret and an ARN together are reported", change: map[string]string{"MONBAN_SESSION_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:1:secret:x"}, problem: "not both"},
		{name: "a short secret is reported without its value", change: map[string]string{"MONBAN_SESSION_SECRET": "hunter2hunter2"}, problem: "at least 32"},
		{name: "an unknown credential kind is reported", change: map[string]string{"MONBAN_ACCEPTED_CREDENTIALS": "bearer,basic"}, problem: `"basic" is neither`},
		{name: "the largest token cache size is taken", change: map[string]string{"MONBAN_TOKEN_CACHE_SIZE": strconv.Itoa(tokencache.MaxCapacity)}, check: func(t *testing.T, s authorizer.Settings) {
			if s.Auth.CacheSize != tokencache.MaxCapacity {
				t.Fatalf("cache size %d", s.Auth.CacheSize)
			}
		}},
		{name: "a bad cache size is reported", change: map[string]string{"MONBAN_TOKEN_CACHE_SIZE": "lots"}, problem: "MONBAN_TOKEN_CACHE_SIZE"},
		{name: "a cache size over the maximum is reported with the maximum", change: map[string]string{"MONBAN_TOKEN_CACHE_SIZE": strconv.Itoa(tokencache.MaxCapacity + 1)},
			problem: "from 0 to " + strconv.Itoa(tokencache.MaxCapacity)},
		{name: "a bad log level is reported", change: map[string]string{"MONBAN_LOG_LEVEL": "loud"}, problem: "MONBAN_LOG_LEVEL"},
		{name: "an underivable issuer is reported", change: map[string]string{"MONBAN_USER_POOL_ID": "local_AbC123"}, problem: "cannot be derived"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kv := base()
			for k, v := range tt.change {
				kv[k] = v
			}
			s, err := authorizer.LoadConfig(env(kv))
			if tt.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tt.problem) {
					t.Fatalf("err = %v, want %q", err, tt.problem)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Fatal("the error shows the secret")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, s)
		})
	}
}

func TestEveryVariableIsDocumented(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range authorizer.Variables {
		if v.Meaning == "" || seen[v.Name] {
			t.Errorf("%s: empty or repeated", v.Name)
		}
		seen[v.Name] = true
	}
	for _, name := range []string{"MONBAN_REQUIRED_SCOPES", "MONBAN_REQUIRED_GROUPS", "MONBAN_ACCEPTED_CREDENTIALS", "MONBAN_TOKEN_CACHE_SIZE", "MONBAN_SESSION_SECRET_ARN"} {
		if !seen[name] {
			t.Errorf("%s is not documented", name)
		}
	}
}

func TestNewAuthenticatorFromSettings(t *testing.T) {
	s, err := authorizer.LoadConfig(env(map[string]string{
		"MONBAN_USER_POOL_ID": "eu-west-1_AbCdEf123", "MONBAN_CLIENT_ID": "c", "MONBAN_SESSION_SECRET": testSecret,
	}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := authorizer.NewAuthenticator(context.Background(), s, authorizer.Options{}); err != nil {
		t.Fatal(err)
	}
}

// The deployed authorizer reads its secrets from Secrets Manager at start and again once
// MONBAN_SECRETS_REFRESH has passed: a rotated origin-verify value is honoured without a
// deploy, and a cookie sealed with a removed session secret stops passing.
func TestAuthenticatorReadsAndRefreshesItsSecrets(t *testing.T) {
	const origin1, origin2 = "origin-verify-value-one-0123456789abcdef", "origin-verify-value-two-0123456789abcdef"
	other := strings.Repeat("z", 40)
	sm := secretstest.New(t)
	sm.Set(secretstest.ARN("session"), testSecret)
	sm.Set(secretstest.ARN("origin"), origin1)
	s, err := authorizer.LoadConfig(env(map[string]string{
		"MONBAN_USER_POOL_ID": "eu-west-1_AbCdEf123", "MONBAN_CLIENT_ID": "c",
		"MONBAN_SESSION_SECRET_ARN": secretstest.ARN("session"), "MONBAN_ORIGIN_VERIFY_SECRET_ARN": secretstest.ARN("origin"),
		"MONBAN_SECRETS_REFRESH": "30s", "MONBAN_ACCEPTED_CREDENTIALS": "cookie",
	}))
	if err != nil {
		t.Fatal(err)
	}
	var clock atomic.Int64
	clock.Store(time.Unix(1_750_000_000, 0).UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	smEnv := sm.Env()
	a, err := authorizer.NewAuthenticator(context.Background(), s, authorizer.Options{Now: now, Getenv: func(k string) string { return smEnv[k] }})
	if err != nil {
		t.Fatal(err)
	}
	if sm.Calls() != 2 {
		t.Fatalf("%d reads at start, want 2", sm.Calls())
	}
	// A malformed cookie is refused as invalid credentials; one the origin check stops is
	// forbidden: that tells which check decided.
	decide := func(originHeader string) error {
		_, err := a.Authenticate(context.Background(), monbanauth.Request{Cookies: []string{"__Host-monban-session=garbage"}, OriginVerify: []string{originHeader}})
		return err
	}
	passesOrigin := func(v string) bool { return !errors.Is(decide(v), monbanauth.ErrForbidden) }
	if !passesOrigin(origin1) || passesOrigin(origin2) {
		t.Fatal("at start")
	}
	sm.Set(secretstest.ARN("origin"), origin2+","+origin1)
	sm.Set(secretstest.ARN("session"), other+","+testSecret)
	clock.Add(int64(30 * time.Second))
	for i := 0; !passesOrigin(origin2); i++ {
		if i == 200 {
			t.Fatal("the rotated origin-verify value was not read again within 2 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !passesOrigin(origin1) {
		t.Fatal("the previous origin-verify value stopped passing during the rotation")
	}
}
