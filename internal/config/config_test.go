package config

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func env(overrides map[string]string) func(string) string {
	base := map[string]string{
		"MONBAN_USER_POOL_ID":    "eu-west-1_AbC123",
		"MONBAN_CLIENT_ID":       "client123",
		"MONBAN_CLIENT_SECRET":   "s3cr3t",
		"MONBAN_COGNITO_DOMAIN":  "auth.example.com",
		"MONBAN_CALLBACK_URL":    "https://www.example.com/auth/callback",
		"MONBAN_ALLOWED_ORIGINS": "https://www.example.com, https://app.example.com",
		"MONBAN_SESSION_SECRET":  strings.Repeat("a", 32) + "," + strings.Repeat("b", 40),
	}
	for k, v := range overrides {
		base[k] = v
	}
	return func(k string) string { return base[k] }
}

func TestLoadDerivesDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string][2]string{
		"region":     {c.Region, "eu-west-1"},
		"issuer":     {c.Issuer, "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"},
		"jwks":       {c.JWKSURL, "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123/.well-known/jwks.json"},
		"hosted UI":  {c.HostedUI.String(), "https://auth.example.com"},
		"site":       {c.Redirects.Site(), "https://www.example.com"},
		"error page": {c.ErrorURL, "https://www.example.com/"},
		"logout uri": {c.LogoutURI, "https://www.example.com/"},
	}
	for name, v := range checks {
		if v[0] != v[1] {
			t.Errorf("%s = %q, want %q", name, v[0], v[1])
		}
	}
	if len(c.SessionSecrets) != 2 || len(c.SessionSecrets[1]) != 40 {
		t.Errorf("secrets not split for rotation: %d", len(c.SessionSecrets))
	}
	if strings.Join(c.Scopes, " ") != "openid email profile" || c.TokenMode || c.TokenEndpoint || c.UnsafeAllowMissingNonce {
		t.Errorf("defaults wrong: %+v", c)
	}
}

func TestLoadNamesEveryProblemAtOnce(t *testing.T) {
	_, err := Load(env(map[string]string{
		"MONBAN_USER_POOL_ID":    "",
		"MONBAN_CLIENT_ID":       "",
		"MONBAN_COGNITO_DOMAIN":  "http://auth.example.com",
		"MONBAN_CALLBACK_URL":    "https://www.example.com/elsewhere",
		"MONBAN_ALLOWED_ORIGINS": "https://www.example.com/path",
		"MONBAN_SESSION_SECRET":  "short",
		"MONBAN_TOKEN_MODE":      "yes please",
		"MONBAN_COOKIE_DOMAIN":   "bad domain",
		"MONBAN_LOG_LEVEL":       "loud",
	}))
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v", err)
	}
	for _, name := range []string{"MONBAN_USER_POOL_ID", "MONBAN_CLIENT_ID", "MONBAN_COGNITO_DOMAIN", "MONBAN_CALLBACK_URL",
		"MONBAN_ALLOWED_ORIGINS", "MONBAN_SESSION_SECRET", "MONBAN_TOKEN_MODE", "MONBAN_COOKIE_DOMAIN", "MONBAN_LOG_LEVEL"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s:\n%v", name, err)
		}
	}
	if strings.Contains(err.Error(), "short") {
		t.Error("the error message must not contain the secret")
	}
}

func TestLoadSecretSources(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		wantErr bool
	}{
		{"a Secrets Manager ARN alone is accepted", map[string]string{"MONBAN_SESSION_SECRET": "", "MONBAN_SESSION_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:1:secret:x"}, false},
		{"both a secret and an ARN are refused", map[string]string{"MONBAN_SESSION_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:1:secret:x"}, true},
		{"neither is refused", map[string]string{"MONBAN_SESSION_SECRET": ""}, true},
		{"a non-ARN is refused", map[string]string{"MONBAN_SESSION_SECRET": "", "MONBAN_SESSION_SECRET_ARN": "my-secret"}, true},
		{"a second short secret is refused", map[string]string{"MONBAN_SESSION_SECRET": strings.Repeat("a", 32) + ",tiny"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(env(c.env))
			if (err != nil) != c.wantErr {
				t.Fatalf("err = %v, want error: %v", err, c.wantErr)
			}
		})
	}
}

func TestLoadForAnEmulator(t *testing.T) {
	c, err := Load(env(map[string]string{
		"MONBAN_USER_POOL_ID":               "local_5f3a1b",
		"MONBAN_COGNITO_DOMAIN":             "http://localhost:8080",
		"MONBAN_COGNITO_ENDPOINT":           "http://127.0.0.1:9229",
		"MONBAN_ISSUER":                     "http://127.0.0.1:9229/local_5f3a1b",
		"MONBAN_CALLBACK_URL":               "http://localhost:8080/auth/callback",
		"MONBAN_ALLOWED_ORIGINS":            "http://localhost:8080",
		"MONBAN_UNSAFE_ALLOW_MISSING_NONCE": "true",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.JWKSURL != "http://127.0.0.1:9229/local_5f3a1b/.well-known/jwks.json" || !c.UnsafeAllowMissingNonce || c.HostedUI.Scheme != "http" {
		t.Fatalf("%+v", c)
	}
	if _, err := Load(env(map[string]string{"MONBAN_USER_POOL_ID": "local_5f3a1b"})); err == nil || !strings.Contains(err.Error(), "MONBAN_ISSUER") {
		t.Fatalf("a pool id without region needs an explicit issuer or region: %v", err)
	}
}

func TestVariablesDocumentEveryRead(t *testing.T) {
	read := map[string]bool{}
	Load(func(k string) string { read[k] = true; return "" })
	documented := map[string]bool{}
	for _, v := range Variables {
		documented[v.Name] = true
	}
	for k := range read {
		if strings.HasPrefix(k, "MONBAN_") && !documented[k] {
			t.Errorf("%s is read but not in Variables", k)
		}
	}
}

// A newcomer configures monban from the README: every setting must be in its table.
func TestReadmeDocumentsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range Variables {
		if !strings.Contains(string(readme), "`"+v.Name+"`") {
			t.Errorf("README.md does not document %s", v.Name)
		}
	}
}

// Cookie mode with an API that every allowed origin sees as a third party can never work in
// a browser (SameSite cookies are not sent), so it is refused at start, naming the fix.
func TestLoadRefusesACrossSiteAPIInCookieMode(t *testing.T) {
	cases := []struct {
		name     string
		callback string
		origins  string
		token    string
		refused  bool
	}{
		{"the site's own origin", "https://www.example.com/auth/callback", "https://www.example.com", "", false},
		{"a sibling subdomain is same-site", "https://auth.example.com/auth/callback", "https://www.example.com", "", false},
		{"one same-site origin among others is enough", "https://d111.cloudfront.net/auth/callback", "http://localhost:4321,https://d111.cloudfront.net", "", false},
		{"a local stack on loopback", "http://localhost:8080/auth/callback", "http://localhost:8080", "", false},
		{"the execute-api URL for a site elsewhere", "https://abc123.execute-api.eu-west-1.amazonaws.com/auth/callback", "https://www.example.com", "", true},
		{"two execute-api hosts are different sites", "https://abc123.execute-api.eu-west-1.amazonaws.com/auth/callback", "https://def456.execute-api.eu-west-1.amazonaws.com", "", true},
		{"two cloudfront.net hosts are different sites", "https://d111.cloudfront.net/auth/callback", "https://d222.cloudfront.net", "", true},
		{"another registrable domain", "https://auth.example.net/auth/callback", "https://www.example.com", "", true},
		{"http and https are different sites", "http://www.example.com/auth/callback", "https://www.example.com", "", true},
		{"localhost and 127.0.0.1 are different sites", "http://127.0.0.1:8080/auth/callback", "http://localhost:8080", "", true},
		{"token mode works cross-site", "https://abc123.execute-api.eu-west-1.amazonaws.com/auth/callback", "https://www.example.com", "true", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(env(map[string]string{"MONBAN_CALLBACK_URL": c.callback, "MONBAN_ALLOWED_ORIGINS": c.origins, "MONBAN_TOKEN_MODE": c.token}))
			if !c.refused {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("a cross-site API in cookie mode was accepted")
			}
			for _, want := range []string{"MONBAN_CALLBACK_URL", "cross-site", "MONBAN_TOKEN_MODE=true", "CloudFront"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the message does not name %q: %v", want, err)
				}
			}
		})
	}
}

func TestLoadReadsOriginVerifySecrets(t *testing.T) {
	c, err := Load(env(map[string]string{"MONBAN_ORIGIN_VERIFY_SECRET": strings.Repeat("n", 48) + "," + strings.Repeat("o", 48)}))
	if err != nil || len(c.OriginVerifySecrets) != 2 || c.OriginVerifySecretARN != "" {
		t.Fatalf("%v %d", err, len(c.OriginVerifySecrets))
	}
	c, err = Load(env(map[string]string{"MONBAN_ORIGIN_VERIFY_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:1:secret:origin"}))
	if err != nil || c.OriginVerifySecretARN == "" || c.OriginVerifySecrets != nil {
		t.Fatalf("%v %+v", err, c.OriginVerifySecretARN)
	}
	if c, err := Load(env(nil)); err != nil || c.OriginVerifySecrets != nil || c.OriginVerifySecretARN != "" {
		t.Fatalf("unset must mean unchecked: %v", err)
	}
	for name, v := range map[string]map[string]string{
		"too short":  {"MONBAN_ORIGIN_VERIFY_SECRET": "short"},
		"both":       {"MONBAN_ORIGIN_VERIFY_SECRET": strings.Repeat("n", 48), "MONBAN_ORIGIN_VERIFY_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:1:secret:origin"},
		"not an ARN": {"MONBAN_ORIGIN_VERIFY_SECRET_ARN": "origin"},
	} {
		_, err := Load(env(v))
		if err == nil || !strings.Contains(err.Error(), "MONBAN_ORIGIN_VERIFY_SECRET") || strings.Contains(err.Error(), strings.Repeat("n", 48)) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// The client secret comes from the environment or Secrets Manager; there is no third way
// (DescribeUserPoolClient's quota is too small for cold starts).
func TestLoadNeedsTheClientSecret(t *testing.T) {
	arn := "arn:aws:secretsmanager:eu-west-1:1:secret:client"
	if c, err := Load(env(map[string]string{"MONBAN_CLIENT_SECRET": "", "MONBAN_CLIENT_SECRET_ARN": arn})); err != nil || c.ClientSecretARN != arn {
		t.Fatalf("by ARN: %v", err)
	}
	for name, v := range map[string]map[string]string{
		"neither":    {"MONBAN_CLIENT_SECRET": ""},
		"both":       {"MONBAN_CLIENT_SECRET_ARN": arn},
		"not an ARN": {"MONBAN_CLIENT_SECRET": "", "MONBAN_CLIENT_SECRET_ARN": "client"},
	} {
		if _, err := Load(env(v)); err == nil || !strings.Contains(err.Error(), "MONBAN_CLIENT_SECRET") || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("%s: %v", name, err)
		}
	}
	for v, ok := range map[string]bool{"": true, "30s": true, "1h": true, "5s": false, "48h": false, "soon": false} {
		c, err := Load(env(map[string]string{"MONBAN_SECRETS_REFRESH": v}))
		if (err == nil) != ok || (ok && c.SecretsRefresh <= 0) {
			t.Errorf("MONBAN_SECRETS_REFRESH=%q: %v", v, err)
		}
	}
}

// The two policies are built here once: CORS and the CSRF checks trust only the site's own
// origins, while redirects may also go to MONBAN_REDIRECT_ALLOWLIST's.
func TestLoadBuildsTheOriginAndRedirectPolicies(t *testing.T) {
	c, err := Load(env(map[string]string{
		"MONBAN_SITE_URL":           "https://app.example.com",
		"MONBAN_REDIRECT_ALLOWLIST": "https://partner.example.net",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Redirects.Site() != "https://app.example.com" || c.LogoutURI != "https://app.example.com/" {
		t.Errorf("relative targets must resolve on MONBAN_SITE_URL: %s, %s", c.Redirects.Site(), c.LogoutURI)
	}
	for _, o := range []string{"https://www.example.com", "https://app.example.com", "https://partner.example.net"} {
		if _, err := c.Redirects.Resolve(o + "/x"); err != nil {
			t.Errorf("redirects to %s refused: %v", o, err)
		}
	}
	if !c.Origins.AllowsOrigin("https://www.example.com") || !c.Origins.AllowsOrigin("https://app.example.com") {
		t.Error("an allowed origin is not let through")
	}
	if c.Origins.AllowsOrigin("https://partner.example.net") {
		t.Error("a redirect-only origin must not pass CORS or the CSRF checks")
	}
}

func TestLoadReadsIdentityProviders(t *testing.T) {
	cases := []struct {
		name, value string
		want        []string
		problem     string // in the error; "" for none
	}{
		{"unset is none", "", nil, ""},
		{"the names in their order", "Google, SignInWithApple,Facebook,My OIDC", []string{"Google", "SignInWithApple", "Facebook", "My OIDC"}, ""},
		{"blanks are dropped", ",Google,,", []string{"Google"}, ""},
		{"names are case-sensitive, as Cognito's are", "Google,google", []string{"Google", "google"}, ""},
		{"a duplicate", "Google,Facebook,Google", nil, `"Google" is listed twice`},
		{"COGNITO is implied", "COGNITO,Google", nil, "COGNITO is always allowed"},
		{"a malformed name", "Google/../x", nil, "is not a provider name"},
		{"a name too long", strings.Repeat("a", 41), nil, "is not a provider name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := Load(env(map[string]string{"MONBAN_IDENTITY_PROVIDERS": c.value}))
			if c.problem != "" {
				if err == nil || !strings.Contains(err.Error(), "MONBAN_IDENTITY_PROVIDERS: ") || !strings.Contains(err.Error(), c.problem) {
					t.Fatalf("err = %v, want MONBAN_IDENTITY_PROVIDERS: …%s", err, c.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(cfg.IdentityProviders, c.want) {
				t.Fatalf("providers = %q, want %q", cfg.IdentityProviders, c.want)
			}
		})
	}
}

func TestLoadReadsTheReauthWindow(t *testing.T) {
	cases := []struct {
		value string
		want  time.Duration // 0: refused
	}{
		{"", 5 * time.Minute},
		{"90s", 90 * time.Second},
		{"1m", time.Minute},
		{"1h", time.Hour},
		{"59s", 0},
		{"61m", 0},
		{"0", 0},
		{"-5m", 0},
		{"five minutes", 0},
	}
	for _, c := range cases {
		t.Run(c.value, func(t *testing.T) {
			cfg, err := Load(env(map[string]string{"MONBAN_REAUTH_WINDOW": c.value}))
			if c.want == 0 {
				if err == nil || !strings.Contains(err.Error(), "MONBAN_REAUTH_WINDOW: must be a duration from 1m to 1h") {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil || cfg.ReauthWindow != c.want {
				t.Fatalf("%v %v, want %v", cfg.ReauthWindow, err, c.want)
			}
		})
	}
}
