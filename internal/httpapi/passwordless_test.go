package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/allowlist"
	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/metrics"
)

// The request and creation options the fake pool hands out, as Cognito gives them.
const (
	requestOptionsJSON  = `{"challenge":"AAECAwQ","rpId":"www.example.com","timeout":180000,"userVerification":"required"}`
	creationOptionsJSON = `{"rp":{"id":"www.example.com","name":"monban"},"user":{"id":"dXNlcg","name":"a@example.com","displayName":"a@example.com"},"challenge":"_w","pubKeyCredParams":[{"type":"public-key","alg":-7}]}`
	// goodAssertion is an AuthenticationResponseJSON the fake pool accepts: its id says so.
	goodAssertion = `{"id":"good","rawId":"Z29vZA","type":"public-key","response":{"clientDataJSON":"e30","authenticatorData":"AA","signature":"AA","userHandle":"dQ"},"clientExtensionResults":{}}`
)

// passwordlessPool plays choice-based sign-in and passkeys at the port, and leaves the rest
// to the adapter over the fake SDK client: what the flows make of the pool's answers is
// internal/auth's to test, the transport around them is this package's.
type passwordlessPool struct {
	auth.UserPool
	profiles fakeProfiles

	mu         sync.Mutex
	started    []string          // "username factor" of each StartSignIn
	answered   []auth.Answer     // every answer to a passwordless challenge
	sessions   []string          // the pool session each answer came with
	registered []json.RawMessage // credentials CompletePasskeyRegistration took
	keys       []auth.Passkey
	calls      int  // passkey calls, of any kind
	revoked    bool // refuse every access token
}

func newPasswordlessPool(fake *fakeCognito) *passwordlessPool {
	return &passwordlessPool{UserPool: testPool(fake), keys: []auth.Passkey{{
		ID: "cred-1", Name: "Laptop", RelyingPartyID: "www.example.com", Attachment: "platform",
		Transports: []string{"internal", "hybrid"}, CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("x", 3600)),
	}, {ID: "cred-2"}}}
}

func (p *passwordlessPool) Attributes(ctx context.Context, raw string, scopes []string) (map[string]string, error) {
	return p.profiles.Attributes(ctx, raw, scopes)
}

// prompt is the challenge the pool asks for factor (SELECT_CHALLENGE for none).
func prompt(factor string) *auth.Step {
	switch factor {
	case auth.FactorWebAuthn:
		return &auth.Step{Next: &auth.NextChallenge{Name: auth.ChallengeWebAuthn, Session: "pool-session-passkey", Options: json.RawMessage(requestOptionsJSON)}}
	case auth.FactorEmailOTP:
		return &auth.Step{Next: &auth.NextChallenge{Name: auth.ChallengeEmailOTP, Session: "pool-session-email",
			Delivery: &auth.Delivery{Destination: "a***@e***", Medium: "EMAIL"}}}
	case auth.FactorPassword:
		return &auth.Step{Next: &auth.NextChallenge{Name: auth.ChallengePassword, Session: "pool-session-password"}}
	}
	return &auth.Step{Next: &auth.NextChallenge{Name: auth.ChallengeSelect, Session: "pool-session-select",
		Factors: []string{auth.FactorWebAuthn, auth.FactorEmailOTP, auth.FactorPassword}}}
}

func signedIn() *auth.Step {
	return &auth.Step{Tokens: &auth.Tokens{AccessToken: secretAccess, IDToken: secretID, RefreshToken: secretRefresh}}
}

// StartSignIn answers every name alike, as Cognito does for USER_AUTH.
func (p *passwordlessPool) StartSignIn(_ context.Context, username, preferred string) (*auth.Step, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.started = append(p.started, username+" "+preferred)
	return prompt(preferred), nil
}

func (p *passwordlessPool) AnswerChallenge(ctx context.Context, c auth.Challenge, a auth.Answer) (*auth.Step, error) {
	switch c.Name {
	case auth.ChallengeSelect, auth.ChallengeEmailOTP, auth.ChallengeWebAuthn, auth.ChallengePassword:
	default:
		return p.UserPool.AnswerChallenge(ctx, c, a)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.answered = append(p.answered, a)
	p.sessions = append(p.sessions, c.Session)
	switch c.Name {
	case auth.ChallengeSelect:
		if a.Factor == auth.FactorPassword {
			return p.password(a.Password)
		}
		return prompt(a.Factor), nil
	case auth.ChallengeEmailOTP:
		if a.Code != "123456" {
			return nil, &auth.PoolError{Reason: auth.ReasonCodeMismatch}
		}
		return signedIn(), nil
	case auth.ChallengeWebAuthn:
		var cred map[string]any
		dec := json.NewDecoder(bytes.NewReader(a.Credential))
		dec.UseNumber() // a credential may carry any number
		if dec.Decode(&cred) != nil || cred["id"] != "good" {
			return nil, &auth.PoolError{Reason: auth.ReasonPasskeyRefused}
		}
		return signedIn(), nil
	}
	return p.password(a.Password)
}

func (p *passwordlessPool) password(pw string) (*auth.Step, error) {
	if pw != "Corr3ct-Horse!" {
		return nil, &auth.PoolError{Reason: auth.ReasonNotAuthorized, Message: "Incorrect username or password."}
	}
	return signedIn(), nil
}

// holder refuses an access token the fake did not issue, as Cognito refuses a revoked one.
func (p *passwordlessPool) holder(token string) error {
	p.calls++
	if token != secretAccess || p.revoked {
		return &auth.PoolError{Reason: auth.ReasonNotAuthorized}
	}
	return nil
}

func (p *passwordlessPool) StartPasskeyRegistration(_ context.Context, token string) (json.RawMessage, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.holder(token); err != nil {
		return nil, err
	}
	return json.RawMessage(creationOptionsJSON), nil
}

func (p *passwordlessPool) CompletePasskeyRegistration(_ context.Context, token string, credential json.RawMessage) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.holder(token); err != nil {
		return err
	}
	if bytes.Contains(credential, []byte(`"refuse-me"`)) {
		return &auth.PoolError{Reason: auth.ReasonPasskeyRefused}
	}
	p.registered = append(p.registered, credential)
	return nil
}

func (p *passwordlessPool) ListPasskeys(_ context.Context, token string) ([]auth.Passkey, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.holder(token); err != nil {
		return nil, err
	}
	return slices.Clone(p.keys), nil
}

func (p *passwordlessPool) DeletePasskey(_ context.Context, token, id string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.holder(token); err != nil {
		return err
	}
	i := slices.IndexFunc(p.keys, func(k auth.Passkey) bool { return k.ID == id })
	if i < 0 {
		return &auth.PoolError{Reason: auth.ReasonNotFound}
	}
	p.keys = slices.Delete(p.keys, i, i+1)
	return nil
}

// passwordlessFixture is a fixture whose pool is a passwordlessPool; slept lists the waits
// the answer floor asked for.
func passwordlessFixture(t *testing.T, mutate ...func(*Deps)) (fx *fixture, pool *passwordlessPool, slept *[]time.Duration) {
	t.Helper()
	slept = new([]time.Duration)
	var fake *fakeCognito
	fx = newFixture(t, append(mutate, func(d *Deps) {
		fake = &fakeCognito{now: d.Now, lifetime: time.Hour}
		pool = newPasswordlessPool(fake)
		redirects, _ := allowlist.NewPolicy(site, nil)
		d.Auth = auth.NewService(auth.Config{
			CallbackURL: callbackURL, Scopes: []string{"openid"}, Redirects: redirects, LogoutURI: site + "/", Now: d.Now,
			AnswerFloor: auth.AnswerFloor{Sleep: func(_ context.Context, d time.Duration) { *slept = append(*slept, d) }},
		}, auth.Deps{HostedUI: fake, Verifier: fake, Pool: pool})
	})...)
	fx.fake = fake // the hosted UI's (fx.signIn) and the verifier's
	return fx, pool, slept
}

// startFactor starts a sign-in of a@example.com with factor's challenge.
func (fx *fixture) startFactor(factor string) *httptest.ResponseRecorder {
	return fx.post("/auth/sign-in/start", `{"email":"a@example.com","factor":"`+factor+`"}`)
}

func bodyOf(t *testing.T, w *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatalf("not a JSON object: %d %q", w.Code, w.Body)
	}
	return m
}

func errorMessage(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var b errorBody
	if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
		t.Fatalf("body is not the error contract: %q", w.Body)
	}
	return b.Error.Message
}

func jsonEqual(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%q: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%q: %v", want, err)
	}
	gj, _ := json.Marshal(g)
	wj, _ := json.Marshal(w)
	if !bytes.Equal(gj, wj) {
		t.Fatalf("got  %s\nwant %s", gj, wj)
	}
}

func TestStartSignInAnswersEachFactorsPrompt(t *testing.T) {
	cases := []struct{ body, want string }{
		{`{"email":"a@example.com"}`, `{"challenge":"SELECT_CHALLENGE","parameters":{"factors":["WEB_AUTHN","EMAIL_OTP","PASSWORD"]}}`},
		{`{"email":"a@example.com","factor":"EMAIL_OTP"}`, `{"challenge":"EMAIL_OTP","parameters":{"destination":"a***@e***","medium":"EMAIL"}}`},
		{`{"username":"ann","factor":"WEB_AUTHN"}`, `{"challenge":"WEB_AUTHN","parameters":{"options":` + requestOptionsJSON + `}}`},
		{`{"email":"a@example.com","factor":"PASSWORD"}`, `{"challenge":"PASSWORD","parameters":{}}`},
	}
	for _, c := range cases {
		t.Run(c.body, func(t *testing.T) {
			fx, pool, slept := passwordlessFixture(t)
			w := fx.post("/auth/sign-in/start", c.body)
			if w.Code != http.StatusOK {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
			jsonEqual(t, w.Body.Bytes(), c.want)
			if fx.cookie("__Host-monban-challenge") == nil {
				t.Fatal("no challenge cookie")
			}
			if strings.Contains(w.Body.String(), "pool-session") {
				t.Fatal("the pool's session reached the body")
			}
			if w.Header().Get("Cache-Control") != "no-store" {
				t.Fatal("not no-store")
			}
			if len(*slept) != 1 || (*slept)[0] != auth.DefaultAnswerFloor {
				t.Fatalf("the answer floor slept %v, want once the whole floor (the fake clock stands still)", *slept)
			}
			if len(pool.started) != 1 {
				t.Fatalf("started %v", pool.started)
			}
		})
	}
	t.Run("the name and factor reach the pool", func(t *testing.T) {
		fx, pool, _ := passwordlessFixture(t)
		fx.post("/auth/sign-in/start", `{"username":"ann","email":"a@example.com","factor":"WEB_AUTHN"}`)
		if !slices.Equal(pool.started, []string{"ann WEB_AUTHN"}) {
			t.Fatalf("started %q", pool.started)
		}
	})
	t.Run("a refusal is held to the floor too", func(t *testing.T) {
		fx, pool, slept := passwordlessFixture(t)
		w := fx.startFactor("SMS_OTP")
		if w.Code != http.StatusBadRequest || errorCode(t, w) != auth.CodeInvalidRequest {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
		if len(*slept) != 1 || len(pool.started) != 0 {
			t.Fatalf("slept %v, started %v", *slept, pool.started)
		}
	})
}

// Each prompt is answered through POST /auth/challenge, and a session results as with a
// password: the session cookies set, the challenge cookie gone.
func TestPasswordlessPromptsLeadToASession(t *testing.T) {
	cases := []struct {
		name    string
		start   string
		answers []string // the last one signs in
	}{
		{"an e-mail code", `{"email":"a@example.com","factor":"EMAIL_OTP"}`, []string{`{"code":"123456"}`}},
		{"a passkey", `{"email":"a@example.com","factor":"WEB_AUTHN"}`, []string{`{"credential":` + goodAssertion + `}`}},
		{"the password", `{"email":"a@example.com","factor":"PASSWORD"}`, []string{`{"challenge":"PASSWORD","password":"Corr3ct-Horse!"}`}},
		{"a choice, then an e-mail code", `{"email":"a@example.com"}`, []string{`{"factor":"EMAIL_OTP"}`, `{"code":"123456"}`}},
		{"a choice, then a passkey", `{"email":"a@example.com"}`, []string{`{"factor":"WEB_AUTHN"}`, `{"challenge":"WEB_AUTHN","credential":` + goodAssertion + `}`}},
		{"a choice of the password, with it", `{"email":"a@example.com"}`, []string{`{"challenge":"SELECT_CHALLENGE","factor":"PASSWORD","password":"Corr3ct-Horse!"}`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fx, pool, _ := passwordlessFixture(t)
			if w := fx.post("/auth/sign-in/start", c.start); w.Code != http.StatusOK {
				t.Fatalf("start: %d %s", w.Code, w.Body)
			}
			var w *httptest.ResponseRecorder
			for i, a := range c.answers {
				w = fx.post("/auth/challenge", a)
				if w.Code != http.StatusOK {
					t.Fatalf("answer %d: %d %s", i, w.Code, w.Body)
				}
				if i < len(c.answers)-1 && bodyOf(t, w)["challenge"] == nil {
					t.Fatalf("answer %d: %s, want the next prompt", i, w.Body)
				}
			}
			if userOf(t, w) == "" || fx.cookie("__Host-monban-session") == nil || fx.cookie("__Host-monban-refresh") == nil {
				t.Fatalf("no session: %s %v", w.Body, fx.cookies)
			}
			if fx.cookie("__Host-monban-challenge") != nil {
				t.Fatal("the challenge cookie outlived the sign-in")
			}
			if s := fx.do("GET", "/auth/session", "", nil); userOf(t, s) != userOf(t, w) {
				t.Fatalf("session %s", s.Body)
			}
			// Each answer went with the session of the prompt it answers.
			for i, sess := range pool.sessions {
				if !strings.HasPrefix(sess, "pool-session-") || (i > 0 && sess == pool.sessions[i-1]) {
					t.Fatalf("pool sessions %q", pool.sessions)
				}
			}
		})
	}
}

func TestPasswordlessAnswersThatFail(t *testing.T) {
	type answerCase struct {
		name, factor, answer string // factor "": no sign-in started
		status               int
		code                 auth.Code
		then                 func(t *testing.T, fx *fixture, pool *passwordlessPool)
	}
	cases := []answerCase{
		{"a wrong e-mail code may be retried", "EMAIL_OTP", `{"code":"000000"}`, http.StatusBadRequest, auth.CodeCodeMismatch,
			func(t *testing.T, fx *fixture, _ *passwordlessPool) {
				if w := fx.post("/auth/challenge", `{"code":"123456"}`); w.Code != http.StatusOK {
					t.Fatalf("retry: %d %s", w.Code, w.Body)
				}
			}},
		{"a passkey that does not verify is invalid_credentials", "WEB_AUTHN", `{"credential":{"id":"forged","response":{}}}`, http.StatusUnauthorized, auth.CodeInvalidCredentials,
			func(t *testing.T, fx *fixture, pool *passwordlessPool) {
				if fx.cookie("__Host-monban-session") != nil || len(pool.answered) != 1 {
					t.Fatal("a refused passkey signed in")
				}
			}},
		{"a wrong password is invalid_credentials", "PASSWORD", `{"password":"nope"}`, http.StatusUnauthorized, auth.CodeInvalidCredentials, nil},
		{"no pending challenge", "", `{"credential":` + goodAssertion + `}`, http.StatusUnauthorized, auth.CodeNoChallenge, nil},
	}
	for _, body := range []string{`{}`, `{"credential":null}`, `{"credential":"eyJpZCI6Imdvb2QifQ"}`, `{"credential":[1]}`} {
		cases = append(cases, answerCase{"no credential, or not an object, for WEB_AUTHN: " + body, "WEB_AUTHN", body, http.StatusBadRequest, auth.CodeInvalidRequest,
			func(t *testing.T, _ *fixture, pool *passwordlessPool) {
				if len(pool.answered) != 0 {
					t.Fatal("a malformed answer reached the pool")
				}
			}})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fx, pool, _ := passwordlessFixture(t)
			if c.factor != "" {
				fx.startFactor(c.factor)
			}
			w := fx.post("/auth/challenge", c.answer)
			if w.Code != c.status || errorCode(t, w) != c.code {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
			if c.then != nil {
				c.then(t, fx, pool)
			}
		})
	}
}

func TestPasswordlessSignInInTokenMode(t *testing.T) {
	fx, _, _ := passwordlessFixture(t, func(d *Deps) { d.TokenMode = true })
	w := fx.startFactor("WEB_AUTHN")
	token, _ := bodyOf(t, w)["challenge_token"].(string)
	if token == "" {
		t.Fatalf("no challenge_token: %s", w.Body)
	}
	fx.cookies = nil // a cross-site page: no cookie comes back
	w = fx.post("/auth/challenge", `{"credential":`+goodAssertion+`,"challenge_token":"`+token+`"}`)
	tokens, _ := bodyOf(t, w)["tokens"].(map[string]any)
	if w.Code != http.StatusOK || tokens["access_token"] != secretAccess {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

// The credential's members are Cognito's to check: any names, nesting and values pass the
// strict decoding and reach the pool as they were sent; the body around it stays strict.
func TestCredentialBodiesKeepTheCredentialAsSent(t *testing.T) {
	odd := `{"id":"good","Id":"case-differs","rawId":"Z29vZA","response":{"clientDataJSON":"e30","x-vendor":{"deep":[{"a":1},{"a":2}]},"n":1e400},"clientExtensionResults":{"credProps":{"rk":true}},"type":"public-key","unknownL4member":null}`
	t.Run("registration", func(t *testing.T) {
		fx, pool, _ := passwordlessFixture(t)
		fx.signIn("/")
		w := fx.post("/auth/passkeys/register/finish", `{"credential":`+odd+`}`)
		if w.Code != http.StatusOK || w.Body.String() != "{}\n" && w.Body.String() != "{}" {
			t.Fatalf("%d %q", w.Code, w.Body)
		}
		if len(pool.registered) != 1 || string(pool.registered[0]) != odd {
			t.Fatalf("the pool got %q", pool.registered)
		}
	})
	t.Run("sign-in", func(t *testing.T) {
		fx, pool, _ := passwordlessFixture(t)
		fx.startFactor("WEB_AUTHN")
		if w := fx.post("/auth/challenge", `{"credential":`+odd+`}`); w.Code != http.StatusOK {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
		if string(pool.answered[0].Credential) != odd {
			t.Fatalf("the pool got %q", pool.answered[0].Credential)
		}
	})
	refusals := []struct{ name, body, message string }{
		{"an unknown field beside it", `{"credential":{},"extra":1}`, `unknown field "extra"`},
		{"the field in another case", `{"Credential":{}}`, `unknown field "Credential"`},
		{"a key twice inside it", `{"credential":{"id":"a","id":"b"}}`, `duplicate field "credential.id"`},
		{"a key twice deeper inside it", `{"credential":{"response":{"signature":"a","signature":"b"}}}`, `duplicate field "credential.response.signature"`},
		{"malformed JSON inside it", `{"credential":{"id":}}`, "not a valid JSON object"},
	}
	for _, path := range []string{"/auth/passkeys/register/finish", "/auth/challenge"} {
		for _, r := range refusals {
			t.Run(path+": "+r.name, func(t *testing.T) {
				fx, pool, _ := passwordlessFixture(t)
				fx.signIn("/")
				fx.startFactor("WEB_AUTHN")
				w := fx.post(path, r.body)
				if w.Code != http.StatusBadRequest || errorCode(t, w) != auth.CodeInvalidRequest || !strings.Contains(errorMessage(t, w), r.message) {
					t.Fatalf("%d %s, want 400 %s", w.Code, w.Body, r.message)
				}
				if len(pool.registered)+len(pool.answered) != 0 {
					t.Fatal("a refused body reached the pool")
				}
			})
		}
	}
}

// The two routes that carry a credential take bodies up to 32 KiB, with the credential up to
// 16 KiB; every other route keeps 16 KiB.
func TestCredentialBodyLimits(t *testing.T) {
	credential := func(size int) string {
		c := `{"id":"good","pad":"`
		return c + strings.Repeat("a", size-len(c)-2) + `"}`
	}
	cases := []struct {
		name, path, body string
		status           int
	}{
		{"a 16 KiB credential", "/auth/passkeys/register/finish", `{"credential":` + credential(MaxCredentialBytes) + `}`, http.StatusOK},
		{"a credential one byte over", "/auth/passkeys/register/finish", `{"credential":` + credential(MaxCredentialBytes+1) + `}`, http.StatusRequestEntityTooLarge},
		{"a 16 KiB credential to sign in", "/auth/challenge", `{"credential":` + credential(MaxCredentialBytes) + `}`, http.StatusOK},
		{"a credential one byte over to sign in", "/auth/challenge", `{"credential":` + credential(MaxCredentialBytes+1) + `}`, http.StatusRequestEntityTooLarge},
		{"a body of the limit", "/auth/passkeys/register/finish", `{"credential":{}}` + strings.Repeat(" ", MaxCredentialBodyBytes-17), http.StatusOK},
		{"a body one byte over", "/auth/passkeys/register/finish", `{"credential":{}}` + strings.Repeat(" ", MaxCredentialBodyBytes-16), http.StatusRequestEntityTooLarge},
		{"a body one byte over to sign in", "/auth/challenge", `{"credential":{}}` + strings.Repeat(" ", MaxCredentialBodyBytes-16), http.StatusRequestEntityTooLarge},
		{"other routes keep their limit", "/auth/passkeys/delete", `{"id":"cred-1"}` + strings.Repeat(" ", MaxBodyBytes), http.StatusRequestEntityTooLarge},
		{"other routes keep their limit (start)", "/auth/sign-in/start", `{"email":"a@example.com"}` + strings.Repeat(" ", MaxBodyBytes), http.StatusRequestEntityTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fx, _, _ := passwordlessFixture(t)
			fx.signIn("/")
			fx.startFactor("WEB_AUTHN")
			w := fx.post(c.path, c.body)
			if w.Code != c.status {
				t.Fatalf("%d bytes: %d %.200s, want %d", len(c.body), w.Code, w.Body, c.status)
			}
			if c.status != http.StatusOK && errorCode(t, w) != auth.CodeInvalidRequest {
				t.Fatalf("code %s", errorCode(t, w))
			}
		})
	}
}

func TestPasskeyManagement(t *testing.T) {
	fx, pool, _ := passwordlessFixture(t)
	fx.signIn("/")

	w := fx.post("/auth/passkeys/register/start", "")
	if w.Code != http.StatusOK {
		t.Fatalf("register/start: %d %s", w.Code, w.Body)
	}
	jsonEqual(t, w.Body.Bytes(), `{"options":`+creationOptionsJSON+`}`)

	w = fx.post("/auth/passkeys/register/finish", `{"credential":{"id":"new","response":{"attestationObject":"oA"}}}`)
	if w.Code != http.StatusOK || strings.TrimSpace(w.Body.String()) != "{}" {
		t.Fatalf("register/finish: %d %s", w.Code, w.Body)
	}
	w = fx.post("/auth/passkeys/register/finish", `{"credential":{"id":"refuse-me"}}`)
	if w.Code != http.StatusBadRequest || errorCode(t, w) != auth.CodeInvalidRequest {
		t.Fatalf("a refused registration: %d %s", w.Code, w.Body)
	}

	w = fx.do("GET", "/auth/passkeys", "", nil)
	if w.Code != http.StatusOK || w.Header().Get("Cache-Control") != "no-store" || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("list: %d %v %s", w.Code, w.Header(), w.Body)
	}
	jsonEqual(t, w.Body.Bytes(), `{"passkeys":[
		{"id":"cred-1","name":"Laptop","relying_party_id":"www.example.com","attachment":"platform","transports":["internal","hybrid"],"created_at":"2025-12-31T23:00:00Z"},
		{"id":"cred-2","name":"","relying_party_id":"","attachment":"","transports":[],"created_at":"0001-01-01T00:00:00Z"}]}`)

	w = fx.post("/auth/passkeys/delete", `{"id":"cred-1"}`)
	if w.Code != http.StatusOK || strings.TrimSpace(w.Body.String()) != "{}" {
		t.Fatalf("delete: %d %s", w.Code, w.Body)
	}
	w = fx.post("/auth/passkeys/delete", `{"id":"cred-1"}`)
	if w.Code != http.StatusNotFound || errorCode(t, w) != auth.CodeNotFound {
		t.Fatalf("delete again: %d %s", w.Code, w.Body)
	}
	if len(pool.keys) != 1 || pool.keys[0].ID != "cred-2" {
		t.Fatalf("keys left %v", pool.keys)
	}

	pool.keys = nil
	if w := fx.do("GET", "/auth/passkeys", "", nil); strings.TrimSpace(w.Body.String()) != `{"passkeys":[]}` {
		t.Fatalf("no passkeys: %s", w.Body)
	}
}

// In token mode the passkey routes take the access token as a bearer token, like
// change-password.
func TestPasskeyRoutesTakeABearerTokenInTokenMode(t *testing.T) {
	fx, pool, _ := passwordlessFixture(t, func(d *Deps) { d.TokenMode = true })
	bearer := map[string]string{"Origin": site, "Content-Type": "application/json", "Authorization": "Bearer " + secretAccess}
	for _, r := range []struct{ method, path, body string }{
		{"POST", "/auth/passkeys/register/start", ""},
		{"POST", "/auth/passkeys/register/finish", `{"credential":{"id":"x"}}`},
		{"GET", "/auth/passkeys", ""},
		{"POST", "/auth/passkeys/delete", `{"id":"cred-2"}`},
	} {
		if w := fx.do(r.method, r.path, r.body, bearer); w.Code != http.StatusOK {
			t.Fatalf("%s %s: %d %s", r.method, r.path, w.Code, w.Body)
		}
	}
	if pool.calls != 4 {
		t.Fatalf("%d passkey calls, want 4", pool.calls)
	}
}

// passkeyRoutes are the routes that need a session, with a body each accepts.
var passkeyRoutes = []struct{ method, path, body string }{
	{"POST", "/auth/passkeys/register/start", `{}`},
	{"POST", "/auth/passkeys/register/finish", `{"credential":{"id":"x"}}`},
	{"GET", "/auth/passkeys", ""},
	{"POST", "/auth/passkeys/delete", `{"id":"cred-1"}`},
}

func TestPasskeyRoutesNeedASession(t *testing.T) {
	for _, r := range passkeyRoutes {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			fx, pool, _ := passwordlessFixture(t)
			w := fx.do(r.method, r.path, r.body, map[string]string{"Origin": site, "Content-Type": "application/json"})
			if w.Code != http.StatusUnauthorized || errorCode(t, w) != auth.CodeUnauthenticated {
				t.Fatalf("signed out: %d %s", w.Code, w.Body)
			}
			// A bearer token outside token mode is ignored.
			w = fx.do(r.method, r.path, r.body, map[string]string{"Origin": site, "Content-Type": "application/json", "Authorization": "Bearer " + secretAccess})
			if w.Code != http.StatusUnauthorized {
				t.Fatalf("bearer outside token mode: %d %s", w.Code, w.Body)
			}
			if pool.calls != 0 {
				t.Fatal("the pool was asked without a session")
			}
		})
	}
	for _, r := range passkeyRoutes {
		t.Run(r.method+" "+r.path+" with a token the pool refuses", func(t *testing.T) {
			fx, pool, _ := passwordlessFixture(t)
			fx.signIn("/")
			pool.revoked = true // signed out everywhere, say
			w := fx.do(r.method, r.path, r.body, map[string]string{"Origin": site, "Content-Type": "application/json"})
			if w.Code != http.StatusUnauthorized || errorCode(t, w) != auth.CodeUnauthenticated {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
			if fx.cookie("__Host-monban-session") != nil || fx.cookie("__Host-monban-refresh") != nil {
				t.Fatal("the ended session's cookies were kept")
			}
		})
	}
}

func TestPasswordlessRoutesApplyTheCSRFRules(t *testing.T) {
	posts := []struct{ path, body string }{
		{"/auth/sign-in/start", `{"email":"a@example.com"}`},
		{"/auth/passkeys/register/start", `{}`},
		{"/auth/passkeys/register/finish", `{"credential":{"id":"x"}}`},
		{"/auth/passkeys/delete", `{"id":"cred-1"}`},
		{"/auth/challenge", `{"credential":` + goodAssertion + `}`},
	}
	for _, p := range posts {
		t.Run(p.path, func(t *testing.T) {
			fx, pool, _ := passwordlessFixture(t)
			fx.signIn("/")
			fx.startFactor("WEB_AUTHN")
			started := len(pool.started)
			for _, hdr := range []map[string]string{
				{"Origin": "https://evil.example", "Content-Type": "application/json"},
				{"Origin": "null", "Content-Type": "application/json"},
				{"Content-Type": "application/json"}, // neither Origin nor Sec-Fetch-Site
				{"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"},
			} {
				w := fx.do("POST", p.path, p.body, hdr)
				if w.Code != http.StatusForbidden || errorCode(t, w) != auth.CodeForbiddenOrigin {
					t.Fatalf("%v: %d %s", hdr, w.Code, w.Body)
				}
			}
			w := fx.do("POST", p.path, p.body, map[string]string{"Origin": site, "Content-Type": "text/plain"})
			if w.Code != http.StatusUnsupportedMediaType || errorCode(t, w) != auth.CodeInvalidRequest {
				t.Fatalf("text/plain: %d %s", w.Code, w.Body)
			}
			if pool.calls != 0 || len(pool.started) != started || len(pool.answered) != 0 {
				t.Fatal("a refused request reached the pool")
			}
			// The site itself, without Origin, passes.
			w = fx.do("POST", p.path, p.body, map[string]string{"Content-Type": "application/json", "Sec-Fetch-Site": "same-origin"})
			if w.Code != http.StatusOK {
				t.Fatalf("same-origin: %d %s", w.Code, w.Body)
			}
		})
	}
	t.Run("GET /auth/passkeys is not readable by another origin", func(t *testing.T) {
		fx, _, _ := passwordlessFixture(t)
		fx.signIn("/")
		w := fx.do("GET", "/auth/passkeys", "", map[string]string{"Origin": "https://evil.example"})
		if w.Header().Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("CORS answered another origin: %v", w.Header())
		}
		w = fx.do("GET", "/auth/passkeys", "", map[string]string{"Origin": "https://app.example.com"})
		if w.Header().Get("Access-Control-Allow-Origin") != "https://app.example.com" || w.Header().Get("Access-Control-Allow-Credentials") != "true" {
			t.Fatalf("CORS did not answer the site's origin: %v", w.Header())
		}
	})
}

func TestPasswordlessRoutesRefuseMalformedBodies(t *testing.T) {
	posts := []struct {
		path     string
		specific []string // refusals of this route's fields
	}{
		{"/auth/sign-in/start", []string{`{"email":5}`, `{"email":"a@example.com","factor":"SMS_OTP"}`, `{"factor":"WEB_AUTHN"}`, `{"email":"a@example.com","factor":["WEB_AUTHN"]}`}},
		{"/auth/passkeys/register/start", []string{`{"options":{}}`}},
		{"/auth/passkeys/register/finish", []string{`{}`, `{"credential":"x"}`, `{"credential":5}`}},
		{"/auth/passkeys/delete", []string{`{}`, `{"id":5}`, `{"id":""}`, `{"id":"a\u0000b"}`, `{"id":"` + strings.Repeat("a", 2000) + `"}`}},
	}
	common := []string{`not json`, `[]`, `"x"`, `{"a":1}`, `{} {}`, `{`}
	for _, p := range posts {
		for _, body := range append(common, p.specific...) {
			t.Run(p.path+" "+body[:min(len(body), 40)], func(t *testing.T) {
				fx, pool, _ := passwordlessFixture(t)
				fx.signIn("/")
				w := fx.post(p.path, body)
				if w.Code != http.StatusBadRequest || errorCode(t, w) != auth.CodeInvalidRequest {
					t.Fatalf("%d %s", w.Code, w.Body)
				}
				if pool.calls != 0 || len(pool.started) != 0 {
					t.Fatal("a malformed body reached the pool")
				}
			})
		}
	}
}

func TestPasswordlessRoutesRefuseOtherMethods(t *testing.T) {
	cases := []struct{ method, path, allow string }{
		{"GET", "/auth/sign-in/start", "POST"},
		{"PUT", "/auth/sign-in/start", "POST"},
		{"POST", "/auth/passkeys", "GET"},
		{"DELETE", "/auth/passkeys", "GET"},
		{"GET", "/auth/passkeys/register/start", "POST"},
		{"GET", "/auth/passkeys/register/finish", "POST"},
		{"GET", "/auth/passkeys/delete", "POST"},
		{"DELETE", "/auth/passkeys/delete", "POST"},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			fx, _, _ := passwordlessFixture(t)
			fx.signIn("/")
			w := fx.do(c.method, c.path, "", map[string]string{"Origin": site, "Content-Type": "application/json"})
			if w.Code != http.StatusMethodNotAllowed || errorCode(t, w) != auth.CodeMethodNotAllowed || w.Header().Get("Allow") != c.allow {
				t.Fatalf("%d Allow=%q %s", w.Code, w.Header().Get("Allow"), w.Body)
			}
		})
	}
	fx, _, _ := passwordlessFixture(t)
	if w := fx.do("GET", "/auth/passkeys/1", "", nil); w.Code != http.StatusNotFound {
		t.Fatalf("GET /auth/passkeys/1: %d", w.Code)
	}
}

// A passwordless sign-in counts as a sign-in, by outcome, and its log lines carry no
// credential, code or password.
func TestPasswordlessSignInIsCountedAndNothingSecretIsLogged(t *testing.T) {
	var lines bytes.Buffer
	fx, _, _ := passwordlessFixture(t, func(d *Deps) { d.Metrics = metrics.New(&lines, "monban-api", d.Now) })
	fx.startFactor("EMAIL_OTP")                     // challenge
	fx.post("/auth/challenge", `{"code":"999999"}`) // failure
	fx.post("/auth/challenge", `{"code":"123456"}`) // success
	fx.startFactor("WEB_AUTHN")                     // challenge
	fx.post("/auth/challenge", `{"credential":{"id":"forged","signature":"SIGNATURE-SECRET"}}`)
	want := []string{"challenge", "failure", "success", "challenge", "failure"}
	got := strings.Split(strings.TrimSpace(lines.String()), "\n")
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(got), len(want), lines.String())
	}
	for i, l := range got {
		if !strings.Contains(l, `"SignIn":1`) || !strings.Contains(l, `"Outcome":"`+want[i]+`"`) {
			t.Errorf("line %d = %s, want a sign-in, %s", i, l, want[i])
		}
	}
	for _, secret := range []string{"999999", "123456", "SIGNATURE-SECRET", "pool-session", secretAccess, secretRefresh} {
		if strings.Contains(fx.logs.String(), secret) || strings.Contains(lines.String(), secret) {
			t.Errorf("%q was logged", secret)
		}
	}
}

// Through the real adapter: an app client without ALLOW_USER_AUTH is a 400 that says what
// to change, not a 500.
func TestStartSignInWithoutChoiceBasedSignIn(t *testing.T) {
	fx := newFixture(t)
	w := fx.startFactor("WEB_AUTHN")
	if w.Code != http.StatusBadRequest || errorCode(t, w) != auth.CodeInvalidRequest || !strings.Contains(errorMessage(t, w), "not enabled") {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if fx.cookie("__Host-monban-challenge") != nil {
		t.Fatal("a refused start left a challenge cookie")
	}
}
