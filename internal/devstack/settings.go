package devstack

import (
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/monban-auth/monban/internal/allowlist"
	"github.com/monban-auth/monban/internal/config"
	"github.com/monban-auth/monban/internal/triggers/presignup"
	"github.com/monban-auth/monban/internal/triggers/pretoken"
)

// settingUse says what the local stack does with a MONBAN_* variable the user exported.
type settingUse int

const (
	// useAPI: into StackOptions.Env, read by the API and the protected sample API (/api).
	useAPI settingUse = iota + 1
	// useTrigger: into StackOptions.TriggerEnv, read by the trigger handlers.
	useTrigger
	// useOrigins: into StackOptions.Env, added to the local site's own origin.
	useOrigins
	// useIgnored: not applied; why says why.
	useIgnored
	// useTooling: not a monban setting but a test or benchmark knob; skipped silently.
	useTooling
)

// Why a setting the local stack owns is ignored.
const (
	whyOwned   = "the local stack sets these itself (its own pool, client, emulator, URL and secrets)"
	whyNonce   = "the local stack needs it on: cognito-local drops the nonce from ID tokens"
	whyUnknown = "not a monban setting (a typo?)"
	// No provider can sign anyone in locally, so none can be offered or linked.
	whyNoProviders = "the local app client supports COGNITO only (the emulators have no external identity providers)"
)

type localSetting struct {
	name   string
	use    settingUse
	secret bool   // never printed with its value
	why    string // for useIgnored
}

// localSettings decides, per variable, what make dev does with the user's MONBAN_*
// environment. Every variable of config.Variables, authorizer.Variables and the triggers
// is here (TestLocalSettingsCoverEveryVariable).
var localSettings = []localSetting{
	// The API (config.Load) and the protected sample API (authorizer.LoadConfig).
	{name: "MONBAN_SCOPES", use: useAPI},
	{name: "MONBAN_ERROR_URL", use: useAPI},
	{name: "MONBAN_LOGOUT_URI", use: useAPI}, // also registered on the local app client
	{name: "MONBAN_TOKEN_MODE", use: useAPI},
	{name: "MONBAN_TOKEN_ENDPOINT", use: useAPI},
	{name: "MONBAN_AUTH_FLOW", use: useAPI},
	{name: "MONBAN_SIGN_UP_HIDE_EXISTING", use: useAPI},
	{name: "MONBAN_TOTP_ISSUER", use: useAPI},
	{name: "MONBAN_REFRESH_TOKEN_VALIDITY", use: useAPI},
	{name: "MONBAN_LOG_LEVEL", use: useAPI},
	{name: "MONBAN_REAUTH_WINDOW", use: useAPI},
	{name: "MONBAN_ANSWER_FLOOR", use: useAPI},
	{name: "MONBAN_ACCEPTED_CREDENTIALS", use: useAPI},
	{name: "MONBAN_REQUIRED_SCOPES", use: useAPI},
	{name: "MONBAN_REQUIRED_GROUPS", use: useAPI},
	{name: "MONBAN_TOKEN_CACHE_SIZE", use: useAPI},

	{name: "MONBAN_ALLOWED_ORIGINS", use: useOrigins},
	{name: "MONBAN_REDIRECT_ALLOWLIST", use: useOrigins},

	{name: presignup.EnvAllowedEmailDomains, use: useTrigger},
	{name: presignup.EnvAutoConfirm, use: useTrigger},
	{name: presignup.EnvAutoVerifyEmail, use: useTrigger},
	{name: presignup.EnvExternalAutoConfirm, use: useTrigger},
	{name: presignup.EnvExternalAllowList, use: useTrigger},
	{name: pretoken.EnvClaimMappings, use: useTrigger},

	{name: "MONBAN_USER_POOL_ID", use: useIgnored, why: whyOwned},
	{name: "MONBAN_CLIENT_ID", use: useIgnored, why: whyOwned},
	{name: "MONBAN_CLIENT_SECRET", use: useIgnored, why: whyOwned, secret: true},
	{name: "MONBAN_CLIENT_SECRET_ARN", use: useIgnored, why: whyOwned},
	{name: "MONBAN_REGION", use: useIgnored, why: whyOwned},
	{name: "MONBAN_COGNITO_DOMAIN", use: useIgnored, why: whyOwned},
	{name: "MONBAN_COGNITO_ENDPOINT", use: useIgnored, why: whyOwned},
	{name: "MONBAN_ISSUER", use: useIgnored, why: whyOwned},
	{name: "MONBAN_JWKS_URL", use: useIgnored, why: whyOwned},
	{name: "MONBAN_CALLBACK_URL", use: useIgnored, why: whyOwned},
	{name: "MONBAN_SITE_URL", use: useIgnored, why: whyOwned},
	{name: "MONBAN_COOKIE_DOMAIN", use: useIgnored, why: whyOwned},
	{name: "MONBAN_SESSION_SECRET", use: useIgnored, why: whyOwned, secret: true},
	{name: "MONBAN_SESSION_SECRET_ARN", use: useIgnored, why: whyOwned},
	{name: "MONBAN_ORIGIN_VERIFY_SECRET", use: useIgnored, why: whyOwned, secret: true},
	{name: "MONBAN_ORIGIN_VERIFY_SECRET_ARN", use: useIgnored, why: whyOwned},
	{name: "MONBAN_SECRETS_REFRESH", use: useIgnored, why: "the local stack reads no secret from Secrets Manager"},
	{name: "MONBAN_UNSAFE_ALLOW_MISSING_NONCE", use: useIgnored, why: whyNonce},
	{name: "MONBAN_REFRESH_ROTATION", use: useIgnored,
		why: "cognito-local cannot rotate refresh tokens (it has no GetTokensFromRefreshToken)"},
	{name: "MONBAN_IDENTITY_PROVIDERS", use: useIgnored, why: whyNoProviders},
	{name: presignup.EnvLinkExistingAccounts, use: useIgnored, why: whyNoProviders},
	{name: presignup.EnvLinkProviders, use: useIgnored, why: whyNoProviders},

	{name: "MONBAN_SCREENSHOTS", use: useTooling},    // e2e browser tests
	{name: "MONBAN_BENCH_FIXTURES", use: useTooling}, // make bench
}

// EnvReport says what ApplyEnv made of the environment, for printing (Lines).
type EnvReport struct {
	// Applied are the honoured variables as NAME=value (NAME alone for a secret), in the
	// environment's order.
	Applied []string
	// Ignored are the variables left out, grouped by why, names only.
	Ignored []IgnoredSettings
	// Implied are settings the honoured ones need, applied with them (NAME=value (why)).
	Implied []string
}

// IgnoredSettings are variables ignored for one reason.
type IgnoredSettings struct {
	Why   string
	Names []string
}

// ApplyEnv applies the MONBAN_* variables of environ (os.Environ's NAME=value form) to o,
// where they make sense for a local stack, and says what it did. o.Env and o.TriggerEnv
// are the stack's defaults (the demo's, say), which the user's values replace; o itself is
// not changed (the maps are copied).
//
//   - API settings (MONBAN_TOKEN_MODE, MONBAN_TOKEN_ENDPOINT, MONBAN_LOG_LEVEL, the
//     protected API's MONBAN_REQUIRED_GROUPS, …) go into Env as they are;
//   - trigger settings (MONBAN_SIGNUP_*, MONBAN_CLAIM_MAPPINGS) go into TriggerEnv as they
//     are, a user's MONBAN_CLAIM_MAPPINGS replacing the default mapping;
//   - MONBAN_ALLOWED_ORIGINS and MONBAN_REDIRECT_ALLOWLIST add to the local site's origin
//     (o.SiteURL), which stays first;
//   - what the stack owns (pool, client, secrets, Cognito URLs, callback, cookie domain,
//     origin-verify secret, the nonce relaxation), what cognito-local cannot do
//     (MONBAN_REFRESH_ROTATION) and unknown names are ignored and reported;
//   - MONBAN_SIGN_UP_HIDE_EXISTING=true turns the trigger's MONBAN_SIGNUP_AUTO_CONFIRM off
//     unless it was given (hidden sign-up needs confirmation by e-mail code), and says so.
//
// A variable exported empty counts as set: the API then sees it blank, which is its
// default. Values are not validated here: config.Load and the trigger handlers do that at
// start, with their own messages (CheckOptions, StartStack).
func ApplyEnv(o StackOptions, environ []string) (StackOptions, EnvReport) {
	return applyEnv(o, environ, localSettings)
}

func applyEnv(o StackOptions, environ []string, table []localSetting) (StackOptions, EnvReport) {
	var rep EnvReport
	env, trig := copyMap(o.Env), copyMap(o.TriggerEnv)
	ignored := map[string][]string{}
	var whys []string
	ignore := func(why, name string) {
		if _, ok := ignored[why]; !ok {
			whys = append(whys, why)
		}
		if !slices.Contains(ignored[why], name) {
			ignored[why] = append(ignored[why], name)
		}
	}
	seen := map[string]bool{}
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, "MONBAN_") || seen[name] {
			continue
		}
		seen[name] = true // the first one wins, as with os.Getenv
		i := slices.IndexFunc(table, func(s localSetting) bool { return s.name == name })
		if i < 0 {
			ignore(whyUnknown, name)
			continue
		}
		s := table[i]
		shown := name
		if !s.secret {
			shown += "=" + printable(value)
		}
		switch s.use {
		case useAPI:
			env[name] = value
		case useTrigger:
			trig[name] = value
		case useOrigins:
			base := env[name]
			if name == "MONBAN_ALLOWED_ORIGINS" && base == "" {
				base = strings.TrimSuffix(o.SiteURL, "/")
			}
			env[name] = addOrigins(base, value)
			shown += " (added)"
		case useIgnored:
			ignore(s.why, name)
			continue
		default: // useTooling
			continue
		}
		rep.Applied = append(rep.Applied, shown)
	}
	for _, why := range whys {
		names := ignored[why]
		sort.Strings(names)
		rep.Ignored = append(rep.Ignored, IgnoredSettings{Why: why, Names: names})
	}
	if implied := confirmHiddenSignUps(env, trig); implied != "" {
		rep.Implied = append(rep.Implied, implied)
	}
	o.Env, o.TriggerEnv = env, trig
	return o, rep
}

// Lines are the report as make dev prints it: one line for the honoured settings, one per
// reason for the ignored ones; none when the environment set nothing.
func (r EnvReport) Lines() []string {
	var out []string
	if len(r.Applied) > 0 {
		out = append(out, "settings from your environment: "+strings.Join(r.Applied, ", "))
	}
	for _, g := range r.Ignored {
		out = append(out, fmt.Sprintf("ignored, %s: %s", g.Why, strings.Join(g.Names, ", ")))
	}
	if len(r.Implied) > 0 {
		out = append(out, "implied by them: "+strings.Join(r.Implied, ", "))
	}
	return out
}

// EnvUsage describes, for monban-dev -h, which MONBAN_* variables the local stack honours.
func EnvUsage() string {
	group := func(use settingUse, why string) string {
		var names []string
		for _, s := range localSettings {
			if s.use == use && (why == "" || s.why == why) {
				names = append(names, s.name)
			}
		}
		return wrap(strings.Join(names, ", "), 6, 88)
	}
	var b strings.Builder
	b.WriteString("  MONBAN_* settings you export are honoured where they make sense locally:\n")
	b.WriteString("    the API and the protected sample API (/api):\n" + group(useAPI, ""))
	b.WriteString("    the Cognito triggers:\n" + group(useTrigger, ""))
	b.WriteString("    added to the local site's origin (a second dev server, say):\n" + group(useOrigins, ""))
	b.WriteString("    ignored, " + whyOwned + ":\n" + group(useIgnored, whyOwned))
	for _, s := range localSettings {
		if s.use == useIgnored && s.why != whyOwned {
			b.WriteString("    ignored, " + s.why + ":\n" + wrap(s.name, 6, 88))
		}
	}
	b.WriteString("  Unknown MONBAN_* names are reported at start. The stack prints what it applied.\n")
	return b.String()
}

// wrap breaks a comma-separated list into indented lines of at most width columns.
func wrap(s string, indent, width int) string {
	pad := strings.Repeat(" ", indent)
	var b strings.Builder
	line := pad
	for _, w := range strings.Fields(s) {
		if len(line) > indent && len(line)+1+len(w) > width {
			b.WriteString(line + "\n")
			line = pad
		}
		if len(line) > indent {
			line += " "
		}
		line += w
	}
	return b.String() + line + "\n"
}

// addOrigins appends the comma-separated origins of extra to those of base, without
// duplicates (compared without a trailing "/").
func addOrigins(base, extra string) string {
	var out []string
	for _, o := range append(config.List(base), config.List(extra)...) {
		if o = strings.TrimSuffix(o, "/"); !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return strings.Join(out, ",")
}

// printable shows a value on one line, quoted when it is blank or has spaces or odd
// characters.
func printable(v string) string {
	if v == "" || strings.ContainsFunc(v, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) || r == '"' }) {
		return strconv.Quote(v)
	}
	return v
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// localLogoutURLs are the sign-out targets the local app client registers: the site's
// root, the root of every other allowed origin (so a second dev server can sign out back
// to itself), and MONBAN_LOGOUT_URI resolved as the API resolves it. Cognito's /logout,
// and the local stand-in for it, only return to registered URLs.
func localLogoutURLs(site string, env map[string]string) []string {
	urls := []string{site + "/"}
	add := func(u string) {
		if !slices.Contains(urls, u) {
			urls = append(urls, u)
		}
	}
	origins := append(config.List(env["MONBAN_ALLOWED_ORIGINS"]), config.List(env["MONBAN_REDIRECT_ALLOWLIST"])...)
	for _, o := range origins {
		if u, err := allowlist.ParseOrigin(o); err == nil {
			add(u.String() + "/")
		}
	}
	if v := strings.TrimSpace(env["MONBAN_LOGOUT_URI"]); v != "" {
		if p, err := allowlist.NewPolicy(site, origins); err == nil {
			if u, err := p.Resolve(v); err == nil {
				add(u)
			} // else config.Load reports it, naming the variable
		}
	}
	return urls
}

// DevLoggerAt is DevLogger at the given level (make dev honours MONBAN_LOG_LEVEL).
func DevLoggerAt(w io.Writer, level slog.Leveler) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
