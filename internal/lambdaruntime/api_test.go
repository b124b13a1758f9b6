package lambdaruntime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/monban-auth/monban/internal/secrets/secretstest"
)

// siteOrigin is the static site of the api fixtures; the API is routed under its /auth.
const siteOrigin = "https://www.example.com"

// sessionSecret is this run's MONBAN_SESSION_SECRET.
var sessionSecret = randomSecret()

var apiSuite = suite{
	env:       apiEnv,
	coldStart: "health",
	checks: map[string]check{
		"health": func(t *testing.T, _ map[string]string, resp []byte, fnErr *FunctionError) {
			r := httpResponse(t, resp, fnErr, http.StatusOK)
			var body map[string]string
			decodeBody(t, r, &body)
			if body["status"] != "ok" || len(r.Cookies) != 0 || header(r, "Cache-Control") != "no-store" {
				t.Errorf("health: body %v, cookies %q, Cache-Control %q", body, r.Cookies, header(r, "Cache-Control"))
			}
		},
		"sign-in": checkSignIn,
		"session-without-cookies": func(t *testing.T, _ map[string]string, resp []byte, fnErr *FunctionError) {
			// Signed out is a 200 with no user (SPEC §2), not an error.
			r := httpResponse(t, resp, fnErr, http.StatusOK)
			if strings.TrimSpace(r.Body) != `{"user":null}` {
				t.Errorf("signed-out session: %s", r.Body)
			}
			for _, c := range r.Cookies {
				if parsed, err := http.ParseSetCookie(c); err != nil || parsed.Value != "" || parsed.MaxAge >= 0 {
					t.Errorf("a cookie other than a deletion, without a session: %q", c)
				}
			}
		},
		// aws-lambda-go's REST API sample: the wrong integration, refused in a 500 that names it.
		"rest-api-proxy-sample": wantWrongWiring(`monban's api function serves API Gateway HTTP API requests in payload format 2.0, `+
			`but received a REST API proxy event (payload format 1.0). A REST API cannot send payload format 2.0: `+
			`integrate it with an HTTP API (AWS::ApiGatewayV2::Integration, IntegrationType AWS_PROXY) with PayloadFormatVersion "2.0", as template.yaml does.`, ""),
		"refresh-from-foreign-origin": func(t *testing.T, _ map[string]string, resp []byte, fnErr *FunctionError) {
			r := httpResponse(t, resp, fnErr, http.StatusForbidden)
			wantErrorCode(t, r, "forbidden_origin")
			if len(r.Cookies) != 0 {
				t.Errorf("a foreign origin changed cookies: %q", r.Cookies)
			}
			if v := header(r, "Access-Control-Allow-Origin"); v != "" {
				t.Errorf("CORS allows the foreign origin: %q", v)
			}
		},
	},
}

// apiEnv is the api function's environment against the shared cognito-local: the
// template's variables, with the client secret given rather than read at start.
func apiEnv(tb testing.TB) map[string]string {
	tb.Helper()
	cl, pool := requireEmulator(tb)
	return map[string]string{
		"MONBAN_USER_POOL_ID":     pool.ID,
		"MONBAN_CLIENT_ID":        pool.ClientID,
		"MONBAN_CLIENT_SECRET":    pool.ClientSecret,
		"MONBAN_COGNITO_DOMAIN":   cl.URL, // cognito-local serves /oauth2/authorize itself
		"MONBAN_COGNITO_ENDPOINT": cl.URL,
		"MONBAN_ISSUER":           pool.Issuer,
		"MONBAN_JWKS_URL":         pool.JWKSURL,
		"MONBAN_CALLBACK_URL":     siteOrigin + "/auth/callback",
		"MONBAN_ALLOWED_ORIGINS":  siteOrigin,
		"MONBAN_SESSION_SECRET":   sessionSecret,
	}
}

// wantWrongWiring wants the 500 an HTTP function answers an HTTP event of the wrong
// integration with: the error contract, with exactly message; statusDescription is set
// for a load balancer.
func wantWrongWiring(message, statusDescription string) check {
	return func(t *testing.T, _ map[string]string, resp []byte, fnErr *FunctionError) {
		if fnErr != nil {
			t.Fatalf("function error %v; want a 500 the caller shows", fnErr)
		}
		var r struct {
			StatusCode        int               `json:"statusCode"`
			StatusDescription string            `json:"statusDescription"`
			Headers           map[string]string `json:"headers"`
			Body              string            `json:"body"`
		}
		if err := json.Unmarshal(resp, &r); err != nil {
			t.Fatalf("response %s: %v", resp, err)
		}
		var body struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
			t.Fatalf("body %q: %v", r.Body, err)
		}
		if r.StatusCode != http.StatusInternalServerError || r.StatusDescription != statusDescription ||
			r.Headers["Content-Type"] != "application/json" || body.Error.Code != "internal" || body.Error.Message != message {
			t.Errorf("response %s\nwant 500 (statusDescription %q) with the message %s", resp, statusDescription, message)
		}
	}
}

// checkSignIn wants a redirect to the hosted UI's authorize endpoint with PKCE, state and
// nonce, and the sealed flow cookie in the response's cookies array.
func checkSignIn(t *testing.T, env map[string]string, resp []byte, fnErr *FunctionError) {
	r := httpResponse(t, resp, fnErr, http.StatusFound)
	loc, err := url.Parse(header(r, "Location"))
	if err != nil {
		t.Fatalf("Location %q: %v", header(r, "Location"), err)
	}
	if got, want := loc.Scheme+"://"+loc.Host+loc.Path, env["MONBAN_COGNITO_DOMAIN"]+"/oauth2/authorize"; got != want {
		t.Errorf("redirect to %s, want %s", got, want)
	}
	q := loc.Query()
	want := map[string]string{
		"response_type":         "code",
		"client_id":             env["MONBAN_CLIENT_ID"],
		"redirect_uri":          env["MONBAN_CALLBACK_URL"],
		"scope":                 "openid email profile",
		"code_challenge_method": "S256",
	}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("authorize %s = %q, want %q", k, q.Get(k), v)
		}
	}
	if len(q.Get("code_challenge")) != 43 || q.Get("state") == "" || q.Get("nonce") == "" {
		t.Errorf("authorize query lacks PKCE, state or nonce: %v", q)
	}
	if len(r.Cookies) != 1 {
		t.Fatalf("cookies %q; want the flow cookie alone", r.Cookies)
	}
	c, err := http.ParseSetCookie(r.Cookies[0])
	if err != nil {
		t.Fatalf("cookie %q: %v", r.Cookies[0], err)
	}
	// Ten minutes, counted from when the flow was sealed, a moment before the cookie was written.
	if c.Name != "__Host-monban-flow" || c.Path != "/" || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.MaxAge < 590 || c.MaxAge > 600 {
		t.Errorf("flow cookie %q", r.Cookies[0])
	}
	if strings.Count(c.Value, ".") != 4 || strings.Contains(c.Value, q.Get("state")) {
		t.Errorf("flow cookie is not a sealed JWE: %q", c.Value)
	}
}

// httpResponse decodes an API Gateway v2 response, checking the status and that every
// Set-Cookie went to the cookies array (API Gateway keeps one header value only).
func httpResponse(t *testing.T, resp []byte, fnErr *FunctionError, status int) events.APIGatewayV2HTTPResponse {
	t.Helper()
	if fnErr != nil {
		t.Fatalf("function error %v", fnErr)
	}
	var r events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(resp, &r); err != nil {
		t.Fatalf("response is not an API Gateway v2 response: %v: %s", err, resp)
	}
	if r.StatusCode != status {
		t.Fatalf("status %d, want %d; body %s", r.StatusCode, status, r.Body)
	}
	if header(r, "Set-Cookie") != "" {
		t.Errorf("Set-Cookie left in headers, where API Gateway keeps one value only: %q", header(r, "Set-Cookie"))
	}
	return r
}

func header(r events.APIGatewayV2HTTPResponse, name string) string {
	for k, v := range r.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

func decodeBody(t *testing.T, r events.APIGatewayV2HTTPResponse, v any) {
	t.Helper()
	if ct := header(r, "Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	if r.IsBase64Encoded {
		t.Fatalf("JSON body is base64-encoded")
	}
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		t.Fatalf("body %q: %v", r.Body, err)
	}
}

// wantErrorCode checks the error contract {error:{code, message}}.
func wantErrorCode(t *testing.T, r events.APIGatewayV2HTTPResponse, code string) {
	t.Helper()
	var body struct {
		Error struct{ Code, Message string }
	}
	decodeBody(t, r, &body)
	if body.Error.Code != code || body.Error.Message == "" {
		t.Errorf("error %+v, want code %q with a message", body.Error, code)
	}
}

// apiFunction is the api function's folder.
func apiFunction(tb testing.TB) function {
	tb.Helper()
	for _, fn := range discoverFunctions(tb) {
		if fn.name == "api" {
			return fn
		}
	}
	tb.Fatal("functions/api not found")
	return function{}
}

func TestAPIWithABadConfigurationReportsAConfigErrorWithoutSecrets(t *testing.T) {
	requireLinux(t)
	fn := apiFunction(t)
	sessionValue := "short-" + randomSecret()[:12]         // under 32 bytes: rejected
	clientSecret := "client-secret-" + randomSecret()[:20] // valid, must not leak either
	var logs bytes.Buffer
	bin := bootstrap(t, fn) // before the start's deadline: a cold build takes minutes
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	f, err := Start(ctx, Options{
		Bootstrap: bin,
		Name:      fn.name,
		Log:       &logs,
		Env: map[string]string{
			// MONBAN_CLIENT_ID is missing.
			"MONBAN_USER_POOL_ID":    "eu-west-1_AbCdEf123",
			"MONBAN_CLIENT_SECRET":   clientSecret,
			"MONBAN_COGNITO_DOMAIN":  "https://auth.example.com",
			"MONBAN_CALLBACK_URL":    siteOrigin + "/auth/callback",
			"MONBAN_ALLOWED_ORIGINS": siteOrigin,
			"MONBAN_SESSION_SECRET":  sessionValue,
		},
	})
	if err == nil {
		_ = f.Stop()
		t.Fatal("the api started with a bad configuration")
	}
	var ie *InitError
	if !errors.As(err, &ie) {
		t.Fatalf("err %v; want an *InitError", err)
	}
	if !ie.Reported || ie.Type != "Runtime.ConfigError" || ie.ExitCode != 1 {
		t.Errorf("init error: reported %v, type %q, exit code %d", ie.Reported, ie.Type, ie.ExitCode)
	}
	for _, name := range []string{"MONBAN_CLIENT_ID", "MONBAN_SESSION_SECRET"} {
		if !strings.Contains(ie.Message, name) {
			t.Errorf("message does not name %s: %q", name, ie.Message)
		}
	}
	for what, secret := range map[string]string{"session secret": sessionValue, "client secret": clientSecret} {
		if strings.Contains(ie.Message, secret) {
			t.Errorf("the init error carries the %s", what)
		}
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the logs carry the %s", what)
		}
	}
	if !strings.Contains(logs.String(), `"errorType":"Runtime.ConfigError"`) {
		t.Errorf("no JSON log line for the failure:\n%s", logs.String())
	}
}

// The deployed API reads its client and session secrets from Secrets Manager at init, with
// one signed call each and the credentials Lambda puts in the environment: here against a
// local stand-in that checks the signature.
func TestAPIReadsItsSecretsFromSecretsManager(t *testing.T) {
	requireLinux(t)
	fn := apiFunction(t)
	base := apiEnv(t)
	sm := secretstest.New(t)
	sm.Set(secretstest.ARN("client"), base["MONBAN_CLIENT_SECRET"])
	sm.Set(secretstest.ARN("session"), sessionSecret)
	env := withEnv(withEnv(base, sm.Env()), map[string]string{
		"MONBAN_CLIENT_SECRET":      "",
		"MONBAN_SESSION_SECRET":     "",
		"MONBAN_CLIENT_SECRET_ARN":  secretstest.ARN("client"),
		"MONBAN_SESSION_SECRET_ARN": secretstest.ARN("session"),
	})
	sign, err := os.ReadFile(filepath.Join("testdata", "events", "api", "sign-in.json"))
	if err != nil {
		t.Fatal(err)
	}

	t.Run("at init", func(t *testing.T) {
		before := sm.Calls()
		f := startFunction(t, fn, env)
		if got := sm.Calls() - before; got != 2 {
			t.Errorf("%d calls to Secrets Manager at init, want 2 (client and session secret)", got)
		}
		resp, fnErr, err := f.Invoke(t.Context(), sign)
		if err != nil {
			t.Fatalf("Invoke: %v\nstderr:\n%s", err, f.Stderr())
		}
		checkSignIn(t, env, resp, fnErr)
	})

	for _, c := range []struct {
		name, want string
		change     map[string]string
	}{
		{"and fails init when a secret does not exist", "ResourceNotFoundException", map[string]string{"MONBAN_CLIENT_SECRET_ARN": secretstest.ARN("missing")}},
		{"and fails init when its credentials are wrong", "InvalidSignatureException", map[string]string{"AWS_SECRET_ACCESS_KEY": "not-the-role's"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			bin := bootstrap(t, fn)
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			f, err := Start(ctx, Options{Bootstrap: bin, Name: fn.name, Log: t.Output(), Env: withEnv(env, c.change)})
			if err == nil {
				_ = f.Stop()
				t.Fatal("the api started")
			}
			var ie *InitError
			if !errors.As(err, &ie) || ie.Type != "Runtime.ConfigError" || !strings.Contains(ie.Message, c.want) {
				t.Fatalf("err %v; want a Runtime.ConfigError naming %s", err, c.want)
			}
			if strings.Contains(ie.Message, sessionSecret) || strings.Contains(ie.Message, base["MONBAN_CLIENT_SECRET"]) {
				t.Fatal("the init error carries a secret")
			}
		})
	}
}
