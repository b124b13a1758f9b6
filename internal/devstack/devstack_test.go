package devstack

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/monban-auth/monban/internal/tokentest"
)

var (
	modulesOnce sync.Once
	modulesDir  string
	modulesErr  error
)

// requireEmulator returns the local/ folder with cognito-local installed. When
// that cannot be had here, the test is skipped, or failed under CI=true, where
// a missing emulator must not pass silently.
func requireEmulator(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: the emulator tests do not run")
	}
	modulesOnce.Do(func() {
		if _, err := exec.LookPath("node"); err != nil {
			modulesErr = errors.New("node is not on PATH")
			return
		}
		if modulesDir, modulesErr = LocalDir(); modulesErr != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		modulesErr = EnsureNodeModules(ctx, modulesDir, os.Stderr)
	})
	if modulesErr != nil {
		why := "cognito-local unavailable: " + modulesErr.Error()
		if os.Getenv("CI") == "true" {
			t.Fatal(why + " (CI=true: the emulator is required)")
		}
		t.Skip(why) // Skip prints why, visible with -v
	}
	return modulesDir
}

// startEmulator starts cognito-local for one test and stops it at cleanup.
func startEmulator(t *testing.T) *CognitoLocal { return startEmulatorIn(t, t.TempDir()) }

// startEmulatorIn is startEmulator with its data in dataDir.
func startEmulatorIn(t *testing.T, dataDir string) *CognitoLocal {
	t.Helper()
	local := requireEmulator(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cl, err := StartCognitoLocal(ctx, CognitoLocalOptions{LocalDir: local, DataDir: dataDir, Log: t.Output()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cl.Stop(); err != nil {
			t.Error(err)
		}
	})
	return cl
}

const (
	testCallback = "http://127.0.0.1:8787/auth/callback"
	testLogout   = "http://127.0.0.1:8787/"
	testEmail    = "alice@example.com"
	testPassword = "Corr3ct-Horse!"
)

func testBootstrapOptions() BootstrapOptions {
	return BootstrapOptions{
		PoolName:            "monban-test",
		ClientName:          "monban-web",
		CallbackURLs:        []string{testCallback},
		LogoutURLs:          []string{testLogout},
		AccessTokenValidity: 15 * time.Minute,
		Users: []User{{
			Email:      testEmail,
			Password:   testPassword,
			Groups:     []string{"admin", "staff"},
			Attributes: map[string]string{"name": "Alice"},
		}},
	}
}

func TestCognitoLocalEndToEnd(t *testing.T) {
	dataDir := t.TempDir()
	cl := startEmulatorIn(t, dataDir)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	c := NewCognitoClient(cl.URL)
	opts := testBootstrapOptions()

	p, err := Bootstrap(ctx, c, cl.URL, opts)
	if err != nil {
		t.Fatalf("Bootstrap: %v\n%s", err, cl.Output())
	}
	if p.ID == "" || p.ClientID == "" || p.ClientSecret == "" {
		t.Fatalf("Bootstrap returned incomplete pool %+v", p)
	}
	if want := cl.URL + "/" + p.ID; p.Issuer != want || p.JWKSURL != want+"/.well-known/jwks.json" {
		t.Fatalf("issuer/JWKS = %q, %q; want %q", p.Issuer, p.JWKSURL, want)
	}
	again, err := Bootstrap(ctx, c, cl.URL, opts)
	if err != nil {
		t.Fatalf("second Bootstrap: %v", err)
	}
	if again != p {
		t.Fatalf("second Bootstrap is not a no-op: %+v != %+v", again, p)
	}

	t.Run("user is confirmed and in its groups", func(t *testing.T) {
		u, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &p.ID, Username: aws.String(testEmail)})
		if err != nil {
			t.Fatal(err)
		}
		if u.UserStatus != types.UserStatusTypeConfirmed {
			t.Errorf("status %s, want CONFIRMED", u.UserStatus)
		}
		attrs := map[string]string{}
		for _, a := range u.UserAttributes {
			attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
		}
		if attrs["email"] != testEmail || attrs["email_verified"] != "true" || attrs["name"] != "Alice" {
			t.Errorf("attributes %v", attrs)
		}
		g, err := c.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: &p.ID, Username: u.Username})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, x := range g.Groups {
			names = append(names, aws.ToString(x.GroupName))
		}
		slices.Sort(names)
		if !slices.Equal(names, []string{"admin", "staff"}) {
			t.Errorf("groups %v, want [admin staff] (after two Bootstraps)", names)
		}
	})

	t.Run("JWKS is served", func(t *testing.T) {
		resp, err := http.Get(p.JWKSURL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var jwks struct {
			Keys []map[string]any `json:"keys"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&jwks); err != nil || resp.StatusCode != 200 || len(jwks.Keys) == 0 {
			t.Fatalf("JWKS: status %d, err %v, keys %d", resp.StatusCode, err, len(jwks.Keys))
		}
	})

	front := httptest.NewServer(HostedUIFront(cl.URL, c, p.ID))
	t.Cleanup(front.Close)
	hc := &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}

	t.Run("hosted UI login and code exchange", func(t *testing.T) {
		verifier := rand.Text() + rand.Text()
		sum := sha256.Sum256([]byte(verifier))
		state := rand.Text()
		authorize := front.URL + "/oauth2/authorize?" + url.Values{
			"response_type":         {"code"},
			"client_id":             {p.ClientID},
			"redirect_uri":          {testCallback},
			"scope":                 {"openid email profile"},
			"state":                 {state},
			"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
			"code_challenge_method": {"S256"},
		}.Encode()
		page := get(t, hc, authorize, http.StatusOK)
		action, fields := parseForm(t, page)
		target, err := url.Parse(authorize)
		if err != nil {
			t.Fatal(err)
		}
		postURL := target.ResolveReference(action).String()

		fields.Set("username", testEmail)
		fields.Set("password", "wrong-"+testPassword)
		resp := postForm(t, hc, postURL, fields, nil)
		if resp.StatusCode == http.StatusFound {
			t.Fatalf("wrong password was accepted")
		}

		fields.Set("password", testPassword)
		resp = postForm(t, hc, postURL, fields, nil)
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("login POST: status %d, want 302", resp.StatusCode)
		}
		loc, err := url.Parse(resp.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		code := loc.Query().Get("code")
		base := *loc
		base.RawQuery = ""
		if base.String() != testCallback || code == "" || loc.Query().Get("state") != state {
			t.Fatalf("redirect %q: want %s with code and state %s", loc, testCallback, state)
		}

		tokenForm := url.Values{
			"grant_type":    {"authorization_code"},
			"code":          {code},
			"redirect_uri":  {testCallback},
			"client_id":     {p.ClientID},
			"code_verifier": {verifier},
		}
		basic := [2]string{p.ClientID, p.ClientSecret}
		resp = postForm(t, hc, front.URL+"/oauth2/token", tokenForm, &basic)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("token: status %d", resp.StatusCode)
		}
		var tok struct {
			IDToken      string `json:"id_token"`
			AccessToken  string `json:"access_token"`
			RefreshToken string `json:"refresh_token"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
			t.Fatal(err)
		}
		if tok.AccessToken == "" || tok.RefreshToken == "" {
			t.Fatalf("missing tokens: %+v", tok)
		}
		claims := tokentest.Claims(t, tok.IDToken)
		if claims["iss"] != p.Issuer || claims["aud"] != p.ClientID || claims["email"] != testEmail {
			t.Errorf("ID token claims %v: want iss %s, aud %s, email %s", claims, p.Issuer, p.ClientID, testEmail)
		}
		if exp, iat := claims["exp"].(float64), claims["iat"].(float64); exp-iat != (15 * time.Minute).Seconds() {
			t.Errorf("ID token lifetime %vs, want 900s", exp-iat)
		}

		// Codes are single use.
		resp = postForm(t, hc, front.URL+"/oauth2/token", tokenForm, &basic)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("reused code: status %d, want 400", resp.StatusCode)
		}
	})

	t.Run("logout", func(t *testing.T) {
		logout := func(clientID, uri string) string {
			return front.URL + "/logout?" + url.Values{"client_id": {clientID}, "logout_uri": {uri}}.Encode()
		}
		resp := doGet(t, hc, logout(p.ClientID, testLogout))
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != testLogout {
			t.Errorf("registered logout_uri: %d %q, want 302 to %s", resp.StatusCode, resp.Header.Get("Location"), testLogout)
		}
		for name, u := range map[string]string{
			"unregistered uri": logout(p.ClientID, "https://evil.example/"),
			"prefix of uri":    logout(p.ClientID, testLogout+"x"),
			"unknown client":   logout("nosuchclient", testLogout),
			"no parameters":    front.URL + "/logout",
		} {
			if resp := doGet(t, hc, u); resp.StatusCode != http.StatusBadRequest {
				t.Errorf("%s: status %d, want 400", name, resp.StatusCode)
			}
		}
	})

	t.Run("changed URLs update the client in place", func(t *testing.T) {
		changed := opts
		changed.LogoutURLs = []string{testLogout, "http://127.0.0.1:8787/bye"}
		got, err := Bootstrap(ctx, c, cl.URL, changed)
		if err != nil {
			t.Fatal(err)
		}
		if got != p {
			t.Fatalf("update changed identity: %+v != %+v", got, p)
		}
		d, err := c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: &p.ID, ClientId: &p.ClientID})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(d.UserPoolClient.LogoutURLs, changed.LogoutURLs) || aws.ToString(d.UserPoolClient.ClientSecret) != p.ClientSecret {
			t.Errorf("after update: logout URLs %v, secret kept %v", d.UserPoolClient.LogoutURLs, aws.ToString(d.UserPoolClient.ClientSecret) == p.ClientSecret)
		}
		if !slices.Equal(d.UserPoolClient.CallbackURLs, opts.CallbackURLs) {
			t.Errorf("after update: callback URLs %v", d.UserPoolClient.CallbackURLs)
		}
	})

	t.Run("a changed e-mail address waits for its code", func(t *testing.T) {
		// The emulator's DescribeUserPool does not show UserAttributeUpdateSettings: its data
		// file does.
		b, err := os.ReadFile(emulatorDBFile(dataDir, p.ID))
		if err != nil {
			t.Fatal(err)
		}
		var db struct {
			Options struct {
				UserAttributeUpdateSettings struct{ AttributesRequireVerificationBeforeUpdate []string }
			}
		}
		if err := json.Unmarshal(b, &db); err != nil {
			t.Fatal(err)
		}
		if got := db.Options.UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate; !slices.Equal(got, []string{"email"}) {
			t.Errorf("AttributesRequireVerificationBeforeUpdate %v, want [email]", got)
		}
	})

	t.Run("a pool and client of an earlier release gain choice-based sign-in", func(t *testing.T) {
		d, err := c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: &p.ID, ClientId: &p.ClientID})
		if err != nil {
			t.Fatal(err)
		}
		old := d.UserPoolClient
		// As an earlier release left them: no ALLOW_USER_AUTH, no sign-in policy; every other
		// managed setting as opts wants, so only the flows can make Bootstrap update the client.
		if _, err := c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{
			UserPoolId: &p.ID, ClientId: &p.ClientID, ClientName: old.ClientName,
			AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: old.AllowedOAuthFlows,
			AllowedOAuthScopes: old.AllowedOAuthScopes, SupportedIdentityProviders: old.SupportedIdentityProviders,
			ExplicitAuthFlows: explicitFlows[:2], CallbackURLs: opts.CallbackURLs, LogoutURLs: opts.LogoutURLs,
			AccessTokenValidity: old.AccessTokenValidity, IdTokenValidity: old.IdTokenValidity,
			RefreshTokenValidity: old.RefreshTokenValidity, TokenValidityUnits: old.TokenValidityUnits,
			ReadAttributes: []string{}, WriteAttributes: []string{}, // no attribute permissions either
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &p.ID,
			Policies: &types.UserPoolPolicyType{PasswordPolicy: &PasswordPolicy}}); err != nil {
			t.Fatal(err)
		}
		if _, err := Bootstrap(ctx, c, cl.URL, opts); err != nil {
			t.Fatal(err)
		}
		d, err = c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: &p.ID, ClientId: &p.ClientID})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(d.UserPoolClient.ExplicitAuthFlows, types.ExplicitAuthFlowsTypeAllowUserAuth) {
			t.Errorf("flows after Bootstrap: %v", d.UserPoolClient.ExplicitAuthFlows)
		}
		if !slices.Equal(d.UserPoolClient.ReadAttributes, readAttributes) || !slices.Equal(d.UserPoolClient.WriteAttributes, writeAttributes) {
			t.Errorf("attributes after Bootstrap: read %v, write %v", d.UserPoolClient.ReadAttributes, d.UserPoolClient.WriteAttributes)
		}
		pool, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &p.ID})
		if err != nil {
			t.Fatal(err)
		}
		if pol := pool.UserPool.Policies; pol == nil || pol.SignInPolicy == nil || !slices.Equal(pol.SignInPolicy.AllowedFirstAuthFactors, firstFactors) {
			t.Errorf("sign-in policy after Bootstrap: %+v", pol)
		}
	})

	if err := cl.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := cl.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(cl.Port))
	if err != nil {
		t.Fatalf("port %d still busy after Stop: %v", cl.Port, err)
	}
	_ = l.Close()
}

func TestStartCognitoLocalPortInUse(t *testing.T) {
	local := requireEmulator(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cl, err := StartCognitoLocal(ctx, CognitoLocalOptions{LocalDir: local, DataDir: t.TempDir(), Port: port})
	if err == nil {
		_ = cl.Stop()
		t.Fatal("started on a busy port")
	}
	if !strings.Contains(err.Error(), strconv.Itoa(port)) {
		t.Errorf("error does not name the port: %v", err)
	}

	// Past the up-front check (as when another process grabs the port in
	// between), the failure must still surface with the emulator's own words.
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(local, "node_modules", "cognito-local", "lib", "bin", "start.js")
	cl, err = startNode(ctx, node, script, t.TempDir(), port, nil)
	if err == nil {
		_ = cl.Stop()
		t.Fatal("node started on a busy port")
	}
	if !errors.Is(err, errAddrInUse) || !strings.Contains(err.Error(), "EADDRINUSE") {
		t.Errorf("error lacks the emulator's log tail: %v", err)
	}
	t.Logf("busy-port error, as a user sees it: %v", err)
}

func TestWriteConfigMerges(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".cognito", "config.json")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	old := `{"UserPoolDefaults":{"MfaConfiguration":"OPTIONAL"},"LambdaClient":{"region":"local","endpoint":"http://old"},"TriggerFunctions":{"Stale":"x"},"ServerConfig":{"port":9229,"development":true}}`
	if err := os.WriteFile(path, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	err := writeConfig(dir, 4321, CognitoLocalOptions{
		LambdaEndpoint:   "http://127.0.0.1:9001",
		TriggerFunctions: map[string]string{"PreSignUp": "pre-sign-up"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	b, _ := os.ReadFile(path)
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	check := func(v any, want any, what string) {
		t.Helper()
		if !jsonEqual(v, want) {
			t.Errorf("%s = %v, want %v", what, v, want)
		}
	}
	check(got["UserPoolDefaults"], map[string]any{"MfaConfiguration": "OPTIONAL"}, "kept UserPoolDefaults")
	check(got["LambdaClient"], map[string]any{"region": "local", "endpoint": "http://127.0.0.1:9001"}, "LambdaClient")
	check(got["TriggerFunctions"], map[string]any{"PreSignUp": "pre-sign-up"}, "TriggerFunctions")
	check(got["ServerConfig"], map[string]any{"port": 4321, "hostname": "127.0.0.1", "https": false, "development": true}, "ServerConfig")
	check(got["TokenConfig"], map[string]any{"IssuerDomain": "http://127.0.0.1:4321"}, "TokenConfig")

	// Without triggers, a stale endpoint and trigger map must not survive.
	if err := writeConfig(dir, 4321, CognitoLocalOptions{}); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(path)
	got = nil
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	check(got["LambdaClient"], map[string]any{"region": "local"}, "LambdaClient without endpoint")
	check(got["TriggerFunctions"], map[string]any{}, "TriggerFunctions cleared")

	if err := os.WriteFile(path, []byte(`[1]`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := writeConfig(dir, 1, CognitoLocalOptions{}); err == nil {
		t.Error("a non-object config.json was overwritten")
	}
}

func TestLocalDir(t *testing.T) {
	dir, err := LocalDir()
	if err != nil {
		t.Fatal(err)
	}
	if !isFile(filepath.Join(dir, "package.json")) || filepath.Base(dir) != "local" {
		t.Fatalf("LocalDir() = %s", dir)
	}
}

func TestBootstrapValidatesLifetimes(t *testing.T) {
	for _, o := range []BootstrapOptions{
		{AccessTokenValidity: time.Minute},
		{AccessTokenValidity: 90 * time.Second},
		{AccessTokenValidity: 25 * time.Hour},
		{RefreshTokenValidity: 30 * time.Minute},
	} {
		o.PoolName, o.ClientName, o.CallbackURLs = "p", "c", []string{testCallback}
		// The client is never reached: validation comes first.
		if _, err := Bootstrap(t.Context(), nil, "http://127.0.0.1:1", o); err == nil {
			t.Errorf("accepted access %s refresh %s", o.AccessTokenValidity, o.RefreshTokenValidity)
		}
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

var (
	formAction = regexp.MustCompile(`<form[^>]*action="([^"]*)"`)
	formInput  = regexp.MustCompile(`<input[^>]*name="([^"]*)"[^>]*value="([^"]*)"`)
)

// parseForm extracts the login form's action and hidden fields.
func parseForm(t *testing.T, page string) (*url.URL, url.Values) {
	t.Helper()
	m := formAction.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no form in page:\n%s", page)
	}
	action, err := url.Parse(html.UnescapeString(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	fields := url.Values{}
	for _, in := range formInput.FindAllStringSubmatch(page, -1) {
		fields.Set(html.UnescapeString(in[1]), html.UnescapeString(in[2]))
	}
	if fields.Get("client_id") == "" || fields.Get("code_challenge") == "" {
		t.Fatalf("form lacks hidden fields: %v", fields)
	}
	return action, fields
}

func doGet(t *testing.T, hc *http.Client, u string) *http.Response {
	t.Helper()
	resp, err := hc.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

func get(t *testing.T, hc *http.Client, u string, want int) string {
	t.Helper()
	resp := doGet(t, hc, u)
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != want {
		t.Fatalf("GET %s: status %d, want %d: %s", u, resp.StatusCode, want, b)
	}
	return string(b)
}

func postForm(t *testing.T, hc *http.Client, u string, form url.Values, basic *[2]string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic != nil {
		req.SetBasicAuth(basic[0], basic[1])
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}
