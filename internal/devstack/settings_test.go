package devstack

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/monban-auth/monban/internal/authorizer"
	"github.com/monban-auth/monban/internal/config"
	"github.com/monban-auth/monban/internal/triggers/presignup"
	"github.com/monban-auth/monban/internal/triggers/pretoken"
)

func TestApplyEnv(t *testing.T) {
	const site = "http://localhost:8080"
	demo := StackOptions{
		SiteURL:    site,
		Env:        map[string]string{"MONBAN_TOKEN_ENDPOINT": "true"},
		TriggerEnv: map[string]string{"MONBAN_CLAIM_MAPPINGS": "groups=roles,custom:tenant=tenant"},
	}
	own := StackOptions{SiteURL: site + "/"}
	for _, c := range []struct {
		name       string
		o          StackOptions
		environ    []string
		env        map[string]string // the whole of the resulting Env
		triggerEnv map[string]string // the whole of the resulting TriggerEnv
		lines      []string
	}{
		{
			name:       "nothing exported keeps the defaults",
			o:          demo,
			environ:    []string{"HOME=/home/u", "PATH=/bin", "SITE_DIR=dist", "monban_token_mode=true"},
			env:        demo.Env,
			triggerEnv: demo.TriggerEnv,
		},
		{
			name: "API settings",
			o:    demo,
			environ: []string{"MONBAN_TOKEN_MODE=true", "MONBAN_SIGN_UP_HIDE_EXISTING=true", "MONBAN_LOG_LEVEL=debug",
				"MONBAN_TOTP_ISSUER=My Site", "MONBAN_SCOPES=openid email", "MONBAN_REQUIRED_GROUPS=staff", "MONBAN_TOKEN_ENDPOINT=false"},
			env: map[string]string{"MONBAN_TOKEN_ENDPOINT": "false", "MONBAN_TOKEN_MODE": "true", "MONBAN_SIGN_UP_HIDE_EXISTING": "true",
				"MONBAN_LOG_LEVEL": "debug", "MONBAN_TOTP_ISSUER": "My Site", "MONBAN_SCOPES": "openid email", "MONBAN_REQUIRED_GROUPS": "staff"},
			// Hidden sign-up needs sign-ups confirmed by e-mail code (hiddensignup.go).
			triggerEnv: map[string]string{"MONBAN_CLAIM_MAPPINGS": "groups=roles,custom:tenant=tenant", "MONBAN_SIGNUP_AUTO_CONFIRM": "false"},
			lines: []string{`settings from your environment: MONBAN_TOKEN_MODE=true, MONBAN_SIGN_UP_HIDE_EXISTING=true, ` +
				`MONBAN_LOG_LEVEL=debug, MONBAN_TOTP_ISSUER="My Site", MONBAN_SCOPES="openid email", MONBAN_REQUIRED_GROUPS=staff, MONBAN_TOKEN_ENDPOINT=false`,
				"implied by them: MONBAN_SIGNUP_AUTO_CONFIRM=false (MONBAN_SIGN_UP_HIDE_EXISTING=true needs sign-ups confirmed by e-mail code; locally the code is 123456)"},
		},
		{
			name:       "trigger settings; the user's claim mappings replace the demo's",
			o:          demo,
			environ:    []string{"MONBAN_CLAIM_MAPPINGS=custom:plan=plan", "MONBAN_SIGNUP_ALLOWED_EMAIL_DOMAINS=example.com", "MONBAN_SIGNUP_AUTO_CONFIRM=false"},
			env:        demo.Env,
			triggerEnv: map[string]string{"MONBAN_CLAIM_MAPPINGS": "custom:plan=plan", "MONBAN_SIGNUP_ALLOWED_EMAIL_DOMAINS": "example.com", "MONBAN_SIGNUP_AUTO_CONFIRM": "false"},
			lines: []string{"settings from your environment: MONBAN_CLAIM_MAPPINGS=custom:plan=plan, " +
				"MONBAN_SIGNUP_ALLOWED_EMAIL_DOMAINS=example.com, MONBAN_SIGNUP_AUTO_CONFIRM=false"},
		},
		{
			name:       "an empty value counts: no claim mappings at all",
			o:          demo,
			environ:    []string{"MONBAN_CLAIM_MAPPINGS="},
			env:        demo.Env,
			triggerEnv: map[string]string{"MONBAN_CLAIM_MAPPINGS": ""},
			lines:      []string{`settings from your environment: MONBAN_CLAIM_MAPPINGS=""`},
		},
		{
			name:       "origins add to the local site's",
			o:          own,
			environ:    []string{"MONBAN_ALLOWED_ORIGINS=http://localhost:4321/, http://localhost:8080", "MONBAN_REDIRECT_ALLOWLIST=http://127.0.0.1:3000"},
			env:        map[string]string{"MONBAN_ALLOWED_ORIGINS": site + ",http://localhost:4321", "MONBAN_REDIRECT_ALLOWLIST": "http://127.0.0.1:3000"},
			triggerEnv: map[string]string{},
			lines: []string{`settings from your environment: MONBAN_ALLOWED_ORIGINS="http://localhost:4321/, http://localhost:8080" (added), ` +
				"MONBAN_REDIRECT_ALLOWLIST=http://127.0.0.1:3000 (added)"},
		},
		{
			name: "what the stack owns is ignored, secrets by name only",
			o:    own,
			environ: []string{"MONBAN_SESSION_SECRET=0123456789abcdef0123456789abcdef", "MONBAN_CLIENT_ID=prod-client",
				"MONBAN_USER_POOL_ID=eu-west-1_Prod", "MONBAN_COOKIE_DOMAIN=example.com", "MONBAN_ORIGIN_VERIFY_SECRET=s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t",
				"MONBAN_UNSAFE_ALLOW_MISSING_NONCE=false", "MONBAN_REFRESH_ROTATION=true", "MONBAN_CALLBACK_URL=https://example.com/auth/callback",
				"MONBAN_TOKEN_MODE=true"},
			env:        map[string]string{"MONBAN_TOKEN_MODE": "true"},
			triggerEnv: map[string]string{},
			lines: []string{
				"settings from your environment: MONBAN_TOKEN_MODE=true",
				"ignored, " + whyOwned + ": MONBAN_CALLBACK_URL, MONBAN_CLIENT_ID, MONBAN_COOKIE_DOMAIN, MONBAN_ORIGIN_VERIFY_SECRET, MONBAN_SESSION_SECRET, MONBAN_USER_POOL_ID",
				"ignored, " + whyNonce + ": MONBAN_UNSAFE_ALLOW_MISSING_NONCE",
				"ignored, cognito-local cannot rotate refresh tokens (it has no GetTokensFromRefreshToken): MONBAN_REFRESH_ROTATION",
			},
		},
		{
			name:       "unknown names are reported, tooling is not",
			o:          own,
			environ:    []string{"MONBAN_TOKEN_MOD=true", "MONBAN_SCREENSHOTS=/tmp/s", "MONBAN_BENCH_FIXTURES=/tmp/f", "MONBAN_=x"},
			env:        map[string]string{},
			triggerEnv: map[string]string{},
			lines:      []string{"ignored, " + whyUnknown + ": MONBAN_, MONBAN_TOKEN_MOD"},
		},
		{
			name:       "the first of two entries wins, as with os.Getenv",
			o:          own,
			environ:    []string{"MONBAN_TOKEN_MODE=true", "MONBAN_TOKEN_MODE=false"},
			env:        map[string]string{"MONBAN_TOKEN_MODE": "true"},
			triggerEnv: map[string]string{},
			lines:      []string{"settings from your environment: MONBAN_TOKEN_MODE=true"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := maps.Clone(c.o.Env)
			got, rep := ApplyEnv(c.o, c.environ)
			if !maps.Equal(got.Env, c.env) {
				t.Errorf("Env = %v, want %v", got.Env, c.env)
			}
			if !maps.Equal(got.TriggerEnv, c.triggerEnv) {
				t.Errorf("TriggerEnv = %v, want %v", got.TriggerEnv, c.triggerEnv)
			}
			if lines := rep.Lines(); !slices.Equal(lines, c.lines) {
				t.Errorf("Lines:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(c.lines, "\n"))
			}
			for _, l := range rep.Lines() {
				for _, secret := range []string{"0123456789abcdef", "s3cr3t"} {
					if strings.Contains(l, secret) {
						t.Errorf("a secret is printed: %s", l)
					}
				}
			}
			if !maps.Equal(c.o.Env, before) {
				t.Errorf("the defaults were changed: %v", c.o.Env)
			}
			if got.SiteURL != c.o.SiteURL {
				t.Errorf("SiteURL changed to %q", got.SiteURL)
			}
		})
	}
}

func TestApplyEnvHidesSecretValues(t *testing.T) {
	// No honoured setting is secret today; the rule holds for one that would be.
	table := []localSetting{{name: "MONBAN_API_KEY", use: useAPI, secret: true}}
	got, rep := applyEnv(StackOptions{}, []string{"MONBAN_API_KEY=hunter2"}, table)
	if got.Env["MONBAN_API_KEY"] != "hunter2" {
		t.Errorf("Env = %v", got.Env)
	}
	if want := []string{"settings from your environment: MONBAN_API_KEY"}; !slices.Equal(rep.Lines(), want) {
		t.Errorf("Lines = %q, want %q", rep.Lines(), want)
	}
}

// TestLocalSettingsCoverEveryVariable makes whoever adds a setting decide what make dev
// does with it.
func TestLocalSettingsCoverEveryVariable(t *testing.T) {
	var names []string
	for _, v := range config.Variables {
		names = append(names, v.Name)
	}
	for _, v := range authorizer.Variables {
		names = append(names, v.Name)
	}
	names = append(names, presignup.EnvAllowedEmailDomains, presignup.EnvAutoConfirm, presignup.EnvAutoVerifyEmail,
		presignup.EnvExternalAutoConfirm, presignup.EnvExternalAllowList, pretoken.EnvClaimMappings)
	for _, n := range names {
		if !slices.ContainsFunc(localSettings, func(s localSetting) bool { return s.name == n }) {
			t.Errorf("%s is not in localSettings (settings.go): decide whether make dev honours it", n)
		}
	}
	seen := map[string]bool{}
	for _, s := range localSettings {
		if seen[s.name] {
			t.Errorf("%s is listed twice", s.name)
		}
		seen[s.name] = true
		if s.use == useIgnored && s.why == "" {
			t.Errorf("%s is ignored without a reason", s.name)
		}
		if strings.HasSuffix(s.name, "_SECRET") && !s.secret {
			t.Errorf("%s is not marked secret", s.name)
		}
	}
	usage := EnvUsage()
	for _, s := range localSettings {
		if s.use != useTooling && !strings.Contains(usage, s.name) {
			t.Errorf("EnvUsage does not mention %s", s.name)
		}
	}
}

func TestLocalLogoutURLs(t *testing.T) {
	const site = "http://localhost:8080"
	for _, c := range []struct {
		env  map[string]string
		want []string
	}{
		{nil, []string{site + "/"}},
		{map[string]string{"MONBAN_ALLOWED_ORIGINS": site + ",http://localhost:4321/"}, []string{site + "/", "http://localhost:4321/"}},
		{map[string]string{"MONBAN_REDIRECT_ALLOWLIST": "http://127.0.0.1:3000"}, []string{site + "/", "http://127.0.0.1:3000/"}},
		{map[string]string{"MONBAN_LOGOUT_URI": "/signed-out"}, []string{site + "/", site + "/signed-out"}},
		{map[string]string{"MONBAN_LOGOUT_URI": "/"}, []string{site + "/"}},
		{map[string]string{"MONBAN_ALLOWED_ORIGINS": site + ",http://localhost:4321", "MONBAN_LOGOUT_URI": "http://localhost:4321/bye"},
			[]string{site + "/", "http://localhost:4321/", "http://localhost:4321/bye"}},
		// Not allow-listed: config.Load refuses it at start; nothing is registered for it.
		{map[string]string{"MONBAN_LOGOUT_URI": "https://evil.example/"}, []string{site + "/"}},
		{map[string]string{"MONBAN_ALLOWED_ORIGINS": "not an origin"}, []string{site + "/"}},
	} {
		if got := localLogoutURLs(site, c.env); !slices.Equal(got, c.want) {
			t.Errorf("localLogoutURLs(%v) = %v, want %v", c.env, got, c.want)
		}
	}
}
