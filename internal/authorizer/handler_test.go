package authorizer_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/monban-auth/monban/internal/authorizer"
	"github.com/monban-auth/monban/internal/cookie"
	"github.com/monban-auth/monban/internal/golden"
	"github.com/monban-auth/monban/internal/lambdasamples"
	"github.com/monban-auth/monban/internal/seal"
	"github.com/monban-auth/monban/internal/tokentest"
	"github.com/monban-auth/monban/pkg/monbanauth"
)

var epoch = time.Unix(1_750_000_000, 0)

var secret = []byte("0123456789abcdef0123456789abcdef-test-only")

const (
	httpV2  = "http-api-v2.json"
	httpV1  = "http-api-v1.json"
	restReq = "rest-request.json"
	restTok = "rest-token.json"
)

// load reads a recorded event and puts the credentials in: authorization is
// the Authorization header's value, cookies the session cookie pairs.
func load(t testing.TB, name, authorization, cookies string) []byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ReplaceAll(string(raw), "AUTHORIZATION_HEADER", authorization)
	return []byte(strings.ReplaceAll(s, "SESSION_COOKIES", cookies))
}

// decode is what the Lambda runtime does with the payload.
func decode(t testing.TB, payload []byte) authorizer.Event {
	t.Helper()
	var ev authorizer.Event
	if err := json.Unmarshal(payload, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

type fixture struct {
	jwks *tokentest.JWKS
	h    *authorizer.Handler
}

func newFixture(t testing.TB, tweak ...func(*monbanauth.Config)) *fixture {
	t.Helper()
	f := &fixture{jwks: tokentest.NewJWKS(t)}
	cfg := monbanauth.Config{
		Issuer: tokentest.Issuer, JWKSURL: f.jwks.URL(), ClientID: tokentest.ClientID,
		SessionSecrets: [][]byte{secret},
		Now:            func() time.Time { return epoch },
	}
	for _, fn := range tweak {
		fn(&cfg)
	}
	a, err := monbanauth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.h = authorizer.NewHandler(a, nil)
	return f
}

// handle runs one recorded event through the handler and returns the
// response as the JSON API Gateway would receive, or the error message.
func (f *fixture) handle(t testing.TB, name, authorization, cookies string) (string, string) {
	t.Helper()
	resp, err := f.h.Handle(context.Background(), decode(t, load(t, name, authorization, cookies)))
	if err != nil {
		if resp != nil {
			t.Fatalf("both a response and an error: %v", err)
		}
		return "", err.Error()
	}
	b, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), ""
}

// sealCookie returns the session cookie pairs the monban API would set for a
// session holding accessToken (chunked when padded past one cookie).
func sealCookie(t testing.TB, sec []byte, accessToken string, exp time.Time, pad int) string {
	t.Helper()
	s, err := seal.NewSealer([][]byte{sec})
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s.Seal(seal.PurposeSession, map[string]any{"at": accessToken, "exp": exp, "u": map[string]any{"sub": tokentest.Subject, "pad": strings.Repeat("p", pad)}}, exp)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	cookie.Codec{Now: func() time.Time { return epoch }}.Write(rec, httptest.NewRequest("GET", "/", nil), cookie.Spec{Name: monbanauth.SessionCookieName, Path: "/"}, sealed, exp)
	var pairs []string
	for _, c := range rec.Result().Cookies() {
		pairs = append(pairs, c.Name+"="+c.Value)
	}
	return strings.Join(pairs, "; ")
}

var (
	good = tokentest.Sign(tokentest.AccessClaims(epoch))
	exp  = epoch.Add(time.Hour)
)

// allowContext is the context every allowed response carries.
func allowContext(via string) map[string]any {
	return map[string]any{
		"sub": tokentest.Subject, "username": tokentest.Username, "groups": `["staff","admins"]`,
		"scope": "openid email profile", "client_id": tokentest.ClientID, "exp": float64(exp.Unix()), "via": via,
	}
}

func simpleAllow(via string) map[string]any {
	return map[string]any{"isAuthorized": true, "context": allowContext(via)}
}

var simpleRefuse = map[string]any{"isAuthorized": false}

func policy(effect, resource, via string) map[string]any {
	p := map[string]any{
		"principalId": tokentest.Subject,
		"policyDocument": map[string]any{
			"Version": "2012-10-17",
			"Statement": []any{map[string]any{
				"Action": []any{"execute-api:Invoke"}, "Effect": effect, "Resource": []any{resource},
			}},
		},
	}
	if via != "" {
		p["context"] = allowContext(via)
	}
	return p
}

const (
	httpStage = "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/$default/*/*"
	restStage = "arn:aws:execute-api:eu-west-1:123456789012:k7l8m9n0p1/prod/*/*"
)

func TestDecisionsForEachEventShape(t *testing.T) {
	cookiePairs := sealCookie(t, secret, good, exp, 0)
	chunked := sealCookie(t, secret, good, exp, 6000)
	tests := []struct {
		name          string
		event         string
		tweak         func(*monbanauth.Config)
		authorization string
		cookies       string
		want          map[string]any // nil: an error is wanted
		wantErr       string
	}{
		{name: "an HTTP API event with a genuine bearer token is authorized", event: httpV2, authorization: "Bearer " + good, want: simpleAllow("bearer")},
		{name: "an HTTP API event with a genuine session cookie is authorized", event: httpV2, cookies: cookiePairs, want: simpleAllow("cookie")},
		{name: "an HTTP API event with a chunked session cookie is authorized", event: httpV2, cookies: chunked, want: simpleAllow("cookie")},
		{name: "an HTTP API event without credentials is not authorized", event: httpV2, want: simpleRefuse},
		{name: "an HTTP API event from a caller outside the required groups is not authorized", event: httpV2, tweak: needGroup("ops"), cookies: cookiePairs, want: simpleRefuse},
		{name: "an HTTP API event from a caller without a required scope is not authorized", event: httpV2, tweak: needScope("monban/admin"), authorization: "Bearer " + good, want: simpleRefuse},
		{name: "an HTTP API event from a caller in one of the required groups is authorized", event: httpV2, tweak: needGroup("ops", "staff"), cookies: cookiePairs, want: simpleAllow("cookie")},
		{name: "a cookie-only authorizer decides by the cookie even when a bearer token is sent", event: httpV2, tweak: acceptOnly(monbanauth.Cookie), authorization: "Bearer not-even-a-token", cookies: cookiePairs, want: simpleAllow("cookie")},

		{name: "a REST request with a genuine bearer token gets an Allow for the whole stage", event: restReq, authorization: "Bearer " + good, want: policy("Allow", restStage, "bearer")},
		{name: "a REST request with a genuine session cookie gets an Allow for the whole stage", event: restReq, cookies: cookiePairs, want: policy("Allow", restStage, "cookie")},
		{name: "a REST request without credentials is Unauthorized (401)", event: restReq, wantErr: "Unauthorized"},
		{name: "a REST request with an invalid credential is Unauthorized (401)", event: restReq, authorization: "Bearer " + tokentest.Unsigned(tokentest.AccessClaims(epoch)), wantErr: "Unauthorized"},
		{name: "a REST request from a caller outside the required groups gets a Deny (403)", event: restReq, tweak: needGroup("ops"), authorization: "Bearer " + good, want: policy("Deny", restStage, "")},

		{name: "an HTTP API 1.0 event is answered with a policy", event: httpV1, authorization: "Bearer " + good, want: policy("Allow", httpStage, "bearer")},
		{name: "an HTTP API 1.0 event with a session cookie is answered with a policy", event: httpV1, cookies: cookiePairs, want: policy("Allow", httpStage, "cookie")},

		{name: "a REST token event with a genuine bearer token gets an Allow", event: restTok, authorization: "Bearer " + good, want: policy("Allow", restStage, "bearer")},
		{name: "a REST token event with an empty token is Unauthorized", event: restTok, wantErr: "Unauthorized"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tweaks []func(*monbanauth.Config)
			if tt.tweak != nil {
				tweaks = append(tweaks, tt.tweak)
			}
			f := newFixture(t, tweaks...)
			got, errMsg := f.handle(t, tt.event, tt.authorization, tt.cookies)
			if tt.want == nil {
				if errMsg != tt.wantErr {
					t.Fatalf("got %s / error %q, want error %q", got, errMsg, tt.wantErr)
				}
				return
			}
			if errMsg != "" {
				t.Fatalf("error %q", errMsg)
			}
			want, _ := json.Marshal(tt.want)
			if !jsonEqual(t, got, string(want)) {
				t.Fatalf("response\n got %s\nwant %s", got, want)
			}
		})
	}
}

func needGroup(g ...string) func(*monbanauth.Config) {
	return func(c *monbanauth.Config) { c.RequiredGroups = g }
}

func needScope(s ...string) func(*monbanauth.Config) {
	return func(c *monbanauth.Config) { c.RequiredScopes = s }
}

func acceptOnly(cr ...monbanauth.Credential) func(*monbanauth.Config) {
	return func(c *monbanauth.Config) { c.Accept = cr }
}

func jsonEqual(t testing.TB, a, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal([]byte(a), &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatal(err)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

// refused reports whether a response is a refusal of its event's shape.
func refused(event, got, errMsg string) bool {
	if event == httpV2 {
		return errMsg == "" && got == `{"isAuthorized":false}`
	}
	return got == "" && errMsg == "Unauthorized"
}

// Every forgery is refused, in every event shape, as a bearer token and
// (where the shape carries cookies) inside an authentic session cookie.
func TestAttacksAreRefused(t *testing.T) {
	for _, fg := range tokentest.Forgeries(epoch) {
		t.Run(fg.Name, func(t *testing.T) {
			for _, ev := range []string{httpV2, httpV1, restReq, restTok} {
				f := newFixture(t)
				if got, errMsg := f.handle(t, ev, "Bearer "+fg.Token, ""); !refused(ev, got, errMsg) {
					t.Errorf("%s, as a bearer token: %s %q", ev, got, errMsg)
				}
				if ev == restTok {
					continue
				}
				if got, errMsg := f.handle(t, ev, "", sealCookie(t, secret, fg.Token, exp, 0)); !refused(ev, got, errMsg) {
					t.Errorf("%s, inside a session cookie: %s %q", ev, got, errMsg)
				}
			}
		})
	}
}

func TestForgedAndExpiredSessionCookiesAreRefused(t *testing.T) {
	real := sealCookie(t, secret, good, exp, 0)
	for _, tc := range []struct{ name, cookies string }{
		{"a cookie sealed with another secret is refused", sealCookie(t, []byte("fedcba9876543210fedcba9876543210-other"), good, exp, 0)},
		{"an expired cookie is refused", sealCookie(t, secret, good, epoch.Add(-time.Minute), 0)},
		{"a cookie with a flipped byte is refused", real[:len(real)-6] + flip(real[len(real)-6]) + real[len(real)-5:]},
		{"a truncated cookie is refused", real[:len(real)/2]},
		{"a chunked cookie missing a chunk is refused", strings.Split(sealCookie(t, secret, good, exp, 6000), "; ")[0]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, ev := range []string{httpV2, httpV1, restReq} {
				f := newFixture(t)
				if got, errMsg := f.handle(t, ev, "", tc.cookies); !refused(ev, got, errMsg) {
					t.Errorf("%s: %s %q", ev, got, errMsg)
				}
			}
		})
	}
}

func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

func TestUnknownKeyIDCostsOneRefetchThenIsRefused(t *testing.T) {
	f := newFixture(t)
	if got, _ := f.handle(t, httpV2, "Bearer "+good, ""); !strings.Contains(got, `"isAuthorized":true`) {
		t.Fatalf("genuine token: %s", got)
	}
	unknown := tokentest.SignHeader(map[string]any{"alg": "RS256", "kid": "kid-rotated-out"}, tokentest.AccessClaims(epoch))
	for range 3 {
		if got, errMsg := f.handle(t, httpV2, "Bearer "+unknown, ""); !refused(httpV2, got, errMsg) {
			t.Fatalf("unknown kid: %s %q", got, errMsg)
		}
	}
	if f.jwks.Hits() != 2 {
		t.Fatalf("JWKS fetched %d times; want the first load and one refetch", f.jwks.Hits())
	}
}

func TestAJWKSOutageIsAnErrorNotACachedRefusal(t *testing.T) {
	t.Run("with keys cached, genuine tokens keep passing", func(t *testing.T) {
		f := newFixture(t)
		f.handle(t, httpV2, "Bearer "+good, "")
		f.jwks.SetDown(true)
		fresh := tokentest.Sign(tokentest.With(tokentest.AccessClaims(epoch), "jti", "never-seen"))
		for _, ev := range []string{httpV2, restReq} {
			if got, errMsg := f.handle(t, ev, "Bearer "+fresh, ""); errMsg != "" || strings.Contains(got, "false") || strings.Contains(got, "Deny") {
				t.Errorf("%s: %s %q", ev, got, errMsg)
			}
		}
	})
	t.Run("with no keys ever fetched, every shape returns an error", func(t *testing.T) {
		f := newFixture(t)
		f.jwks.SetDown(true)
		for _, ev := range []string{httpV2, httpV1, restReq, restTok} {
			if got, errMsg := f.handle(t, ev, "Bearer "+good, ""); got != "" || errMsg != "signing keys unavailable" {
				t.Errorf("%s: %s %q", ev, got, errMsg)
			}
		}
	})
}

func TestEventsThatCannotBeAnsweredAreErrors(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name string
		ev   authorizer.Event
	}{
		{"an event of no known shape is an error", authorizer.Event{Version: "3.0", Type: "REQUEST"}},
		{"a TOKEN event claiming a version is an error", authorizer.Event{Version: "2.0", Type: "TOKEN"}},
		{"an empty event is an error", authorizer.Event{}},
		{"a REST event without methodArn is an error", authorizer.Event{Type: "REQUEST", Headers: map[string]string{"Authorization": "Bearer " + good}}},
		{"a methodArn of another service is an error", authorizer.Event{Type: "REQUEST", MethodArn: "arn:aws:lambda:eu-west-1:123456789012:function:x"}},
		{"a methodArn with a wildcard is an error", authorizer.Event{Type: "REQUEST", MethodArn: "arn:aws:execute-api:eu-west-1:123456789012:*/prod/GET/"}},
		{"a methodArn without a stage is an error", authorizer.Event{Type: "REQUEST", MethodArn: "arn:aws:execute-api:eu-west-1:123456789012:abc"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := f.h.Handle(context.Background(), tc.ev)
			if err == nil || resp != nil || err.Error() == "Unauthorized" {
				t.Fatalf("got %v, %v", resp, err)
			}
		})
	}
}

func TestHeaderNamesAreMatchedWhateverTheirCase(t *testing.T) {
	f := newFixture(t)
	ev := authorizer.Event{
		Type:      "REQUEST",
		MethodArn: "arn:aws:execute-api:eu-west-1:123456789012:k7l8m9n0p1/prod/GET/",
		Headers:   map[string]string{"AUTHORIZATION": "Bearer " + good},
	}
	resp, err := f.h.Handle(context.Background(), ev)
	if r, ok := resp.(events.APIGatewayCustomAuthorizerResponse); err != nil || !ok || r.PolicyDocument.Statement[0].Effect != "Allow" {
		t.Fatalf("%#v %v", resp, err)
	}
	// Two spellings of Authorization with different values are ambiguous.
	ev.MultiValueHeaders = map[string][]string{"authorization": {"Bearer " + good}, "Authorization": {"Bearer other"}}
	if _, err := f.h.Handle(context.Background(), ev); err == nil || err.Error() != "Unauthorized" {
		t.Fatalf("ambiguous Authorization: %v", err)
	}
}

// BenchmarkHandle is a warm authorizer's job for a returning caller done
// through encoding/json, as the Lambda runtime does it for Handle: decode the
// whole event, authenticate (cache hit), encode the response. The function runs
// Invoke instead (BenchmarkAuthorizerWarm); this is the comparison.
func BenchmarkHandle(b *testing.B) {
	for _, bc := range []struct{ name, event, authorization, cookies string }{
		{"http-api-v2-cookie", httpV2, "", sealCookie(b, secret, good, exp, 0)},
		{"http-api-v2-bearer", httpV2, "Bearer " + good, ""},
		{"rest-request-bearer", restReq, "Bearer " + good, ""},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f := newFixture(b)
			payload := load(b, bc.event, bc.authorization, bc.cookies)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				var ev authorizer.Event
				if err := json.Unmarshal(payload, &ev); err != nil {
					b.Fatal(err)
				}
				resp, err := f.h.Handle(ctx, ev)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := json.Marshal(resp); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Decisions are logged with their reason and the caller's sub, never with a token or
// a cookie, at every level.
func TestDecisionsAreLoggedWithoutCredentials(t *testing.T) {
	var logs strings.Builder
	f := newFixture(t)
	f.h = authorizer.NewHandler(mustAuthenticator(t, f), slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	forged := tokentest.HS256WithPublicKey(tokentest.AccessClaims(epoch))
	cookiePairs := sealCookie(t, secret, good, exp, 0)
	f.handle(t, httpV2, "Bearer "+good, "")
	f.handle(t, restReq, "", cookiePairs)
	f.handle(t, httpV2, "Bearer "+forged, "")
	f.handle(t, restReq, "", "__Host-monban-session=forged.value.that.is.bad")
	out := logs.String()
	if strings.Count(out, `"msg":"authorizer decision"`) != 4 || !strings.Contains(out, `"decision":"allow"`) || !strings.Contains(out, "algorithm not accepted") {
		t.Fatalf("logs:\n%s", out)
	}
	sealed := strings.TrimPrefix(cookiePairs, "__Host-monban-session=")
	for _, secretish := range []string{good, strings.Split(good, ".")[2][:16], forged[:24], sealed[:32], "forged.value"} {
		if strings.Contains(out, secretish) {
			t.Fatalf("a credential reached the log:\n%s", out)
		}
	}
}

func mustAuthenticator(t *testing.T, f *fixture) *monbanauth.Authenticator {
	t.Helper()
	a, err := monbanauth.New(monbanauth.Config{
		Issuer: tokentest.Issuer, JWKSURL: f.jwks.URL(), ClientID: tokentest.ClientID,
		SessionSecrets: [][]byte{secret}, Now: func() time.Time { return epoch },
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Behind CloudFront, a request sent to the execute-api URL directly lacks the origin-verify
// header: it is refused whatever credentials it carries, in every event shape.
func TestRequestsMustComeThroughCloudFront(t *testing.T) {
	const originSecret = "origin-verify-secret-0123456789abcdef"
	cookiePairs := sealCookie(t, secret, good, exp, 0)
	f := newFixture(t, func(c *monbanauth.Config) { c.OriginSecrets = [][]byte{[]byte(originSecret)} })
	handle := func(name, header string) (string, string) {
		ev := decode(t, load(t, name, "", cookiePairs))
		if header != "" {
			if ev.Headers == nil {
				ev.Headers = map[string]string{}
			}
			ev.Headers["x-monban-origin-verify"] = header
			if ev.MultiValueHeaders != nil {
				ev.MultiValueHeaders["X-Monban-Origin-Verify"] = []string{header}
			}
		}
		resp, err := f.h.Handle(context.Background(), ev)
		if err != nil {
			return "", err.Error()
		}
		b, _ := json.Marshal(resp)
		return string(b), ""
	}
	deny := func(resource string) map[string]any {
		p := policy("Deny", resource, "")
		p["principalId"] = "anonymous"
		return p
	}
	cases := []struct {
		name, event, header string
		want                map[string]any
	}{
		{"an HTTP API event through CloudFront is authorized", httpV2, originSecret, simpleAllow("cookie")},
		{"an HTTP API event sent directly is not authorized", httpV2, "", simpleRefuse},
		{"an HTTP API event with a wrong origin secret is not authorized", httpV2, "guess", simpleRefuse},
		{"a REST request through CloudFront gets an Allow", restReq, originSecret, policy("Allow", restStage, "cookie")},
		{"a REST request sent directly gets a Deny", restReq, "", deny(restStage)},
		{"an HTTP API 1.0 event sent directly gets a Deny", httpV1, "", deny(httpStage)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, errMsg := handle(c.event, c.header)
			want, _ := json.Marshal(c.want)
			if errMsg != "" || !jsonEqual(t, got, string(want)) {
				t.Fatalf("response\n got %s (error %q)\nwant %s", got, errMsg, want)
			}
		})
	}
}

// sample reads one of aws-lambda-go's sample events (events/testdata, at the version
// go.mod requires), with edit applied to it as a JSON object.
func sample(t *testing.T, name string, edit func(ev map[string]any)) []byte {
	t.Helper()
	raw := lambdasamples.Read(t, name)
	if edit == nil {
		return raw
	}
	var ev map[string]any
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	edit(ev)
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// aws-lambda-go's own sample authorizer events, through the Lambda runtime's decoding and
// encoding: each shape is answered as API Gateway expects it, API Gateway's stock TOKEN
// sample (stage "*") is refused with an error saying what is wrong and what to send, and
// events that are not an authorizer's are refused naming what arrived.
func TestAWSLambdaGoSampleEvents(t *testing.T) {
	atStage := func(stage string) func(map[string]any) {
		return func(ev map[string]any) {
			ev["methodArn"] = strings.Replace(ev["methodArn"].(string), "/*/", "/"+stage+"/", 1)
		}
	}
	withToken := func(token string, then ...func(map[string]any)) func(map[string]any) {
		return func(ev map[string]any) {
			for _, fn := range then {
				fn(ev)
			}
			if _, ok := ev["authorizationToken"]; ok && ev["type"] == "TOKEN" {
				ev["authorizationToken"] = token
				return
			}
			ev["headers"].(map[string]any)["Authorization"] = token
		}
	}
	const wrongKind = "authorizer: received %s; it answers API Gateway Lambda authorizer events (HTTP API REQUEST, payload format 2.0 or 1.0; REST API REQUEST or TOKEN): " +
		"attach it to the routes it guards as their Lambda authorizer, not as their integration or another event source"
	cases := []struct {
		name    string
		sample  string
		edit    func(map[string]any)
		golden  string // the expected answer
		wantErr string // or the expected error, exactly
	}{
		{name: "the stock TOKEN sample's stage \"*\" is refused, saying what to send instead", sample: "apigw-custom-auth-request.json",
			wantErr: `authorizer: methodArn "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/GET/" has the wildcard stage "*", as API Gateway's sample TOKEN event does; ` +
				`API Gateway names the invoked stage (…/prod/GET/…) in every real event, and a policy for "*" would allow every stage of the API: ` +
				`put the name of a deployed stage in its place, or call the API through that stage`},
		{name: "the TOKEN sample at a real stage is refused as unauthenticated (its token is no JWT)", sample: "apigw-custom-auth-request.json",
			edit: atStage("prod"), wantErr: "Unauthorized"},
		{name: "the TOKEN sample at a real stage with a good token is allowed the stage", sample: "apigw-custom-auth-request.json",
			edit: withToken("Bearer "+good, atStage("prod")), golden: "sample-token-allow.json"},
		{name: "the REST REQUEST sample without credentials is unauthenticated", sample: "apigw-custom-auth-request-type-request.json",
			wantErr: "Unauthorized"},
		{name: "the REST REQUEST sample with a good token is allowed its stage", sample: "apigw-custom-auth-request-type-request.json",
			edit: withToken("Bearer " + good), golden: "sample-rest-request-allow.json"},
		{name: "the HTTP API payload 1.0 sample without credentials is unauthenticated", sample: "apigw-v2-custom-authorizer-v1-request.json",
			wantErr: "Unauthorized"},
		{name: "the HTTP API payload 1.0 sample with a good token is allowed its stage", sample: "apigw-v2-custom-authorizer-v1-request.json",
			edit: withToken("Bearer " + good), golden: "sample-http-api-1.0-allow.json"},
		{name: "the HTTP API payload 2.0 sample without monban credentials is refused", sample: "apigw-v2-custom-authorizer-v2-request.json",
			golden: "sample-http-api-2.0-refuse.json"},
		{name: "the HTTP API payload 2.0 sample with a good token is authorized", sample: "apigw-v2-custom-authorizer-v2-request.json",
			edit: withToken("Bearer " + good), golden: "sample-http-api-2.0-allow.json"},
		{name: "an HTTP API request is refused as no authorizer event", sample: "apigw-v2-request-no-authorizer.json",
			wantErr: strings.Replace(wrongKind, "%s", "an HTTP API request (payload format 2.0), not an authorizer event", 1)},
		{name: "a REST API proxy request is refused as no authorizer event", sample: "apigw-request.json",
			wantErr: strings.Replace(wrongKind, "%s", "a proxy integration's request (REST API or HTTP API payload format 1.0), not an authorizer event", 1)},
		{name: "a Cognito trigger event is refused", sample: "cognito-event-userpools-presignup.json",
			wantErr: strings.Replace(wrongKind, "%s", `a Cognito user pool trigger event (triggerSource "PreSignUp_SignUp")`, 1)},
		{name: "an SQS event is refused", sample: "sqs-event.json",
			wantErr: strings.Replace(wrongKind, "%s", "an event without a type, which no API Gateway authorizer sends", 1)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			out, err := lambda.NewHandler(f.h.Handle).Invoke(context.Background(), sample(t, c.sample, c.edit))
			golden.Answer(t, c.golden, out, err, c.wantErr)
		})
	}
}

// A methodArn API Gateway would not send is refused with what is wrong in it and what to
// send instead (API Gateway turns the error into a 500, so the message is read in the
// function's log or the console's test).
func TestMethodArnRefusalsSayWhatIsWrong(t *testing.T) {
	const tail = "; API Gateway sends arn:PARTITION:execute-api:REGION:ACCOUNT:API_ID/STAGE/METHOD/PATH, naming the API's id and the invoked stage, " +
		"and this authorizer writes its policy for that stage: send the event through API Gateway, or give it a methodArn of that form"
	f := newFixture(t)
	for _, c := range []struct{ arn, want string }{
		{"", "authorizer: the event has no methodArn, which API Gateway sends with every REST API and HTTP API payload format 1.0 authorizer event " +
			"(arn:PARTITION:execute-api:REGION:ACCOUNT:API_ID/STAGE/METHOD/PATH): send the event through API Gateway, or give it one"},
		{"execute-api/prod/GET/", `authorizer: methodArn "execute-api/prod/GET/" is not an ARN` + tail},
		{"arn:aws:lambda:eu-west-1:123456789012:function:x", `authorizer: methodArn "arn:aws:lambda:eu-west-1:123456789012:function:x" names the service "lambda", not execute-api` + tail},
		{"arn:aws:execute-api:eu-west-1:123456789012:abc", `authorizer: methodArn "arn:aws:execute-api:eu-west-1:123456789012:abc" has no API_ID/STAGE/METHOD part` + tail},
		{"arn:aws:execute-api::123456789012:abc/prod/GET/", `authorizer: methodArn "arn:aws:execute-api::123456789012:abc/prod/GET/" has an empty region` + tail},
		{"arn:aws:execute-api:eu-west-1:123456789012:*/prod/GET/", `authorizer: methodArn "arn:aws:execute-api:eu-west-1:123456789012:*/prod/GET/" ` +
			`has a wildcard, a slash or a space in its API id ("*"), where API Gateway puts a name` + tail},
		{"arn:aws:execute-api:eu-west-1:*:abc/prod/GET/", `authorizer: methodArn "arn:aws:execute-api:eu-west-1:*:abc/prod/GET/" ` +
			`has a wildcard, a slash or a space in its account ("*"), where API Gateway puts a name` + tail},
	} {
		t.Run(c.arn, func(t *testing.T) {
			resp, err := f.h.Handle(context.Background(), authorizer.Event{Type: "TOKEN", AuthorizationToken: "Bearer " + good, MethodArn: c.arn})
			if resp != nil || err == nil || err.Error() != c.want {
				t.Fatalf("got %v, %v\nwant error %s", resp, err, c.want)
			}
		})
	}
}

// An authorizer event of a shape API Gateway does not send is refused with what to set.
func TestUnknownAuthorizerShapesSayWhatToSet(t *testing.T) {
	const head = "authorizer: received %s; it answers API Gateway Lambda authorizer events (HTTP API REQUEST, payload format 2.0 or 1.0; REST API REQUEST or TOKEN): "
	f := newFixture(t)
	for _, c := range []struct {
		ev   authorizer.Event
		want string
	}{
		{authorizer.Event{Version: "3.0", Type: "REQUEST"}, strings.Replace(head, "%s", `a REQUEST event with payload format version "3.0"`, 1) +
			`set the authorizer's AuthorizerPayloadFormatVersion to "2.0" (with EnableSimpleResponses) or "1.0"`},
		{authorizer.Event{Version: "2.0", Type: "TOKEN"}, strings.Replace(head, "%s", `a TOKEN event with payload format version "2.0", which API Gateway does not send (TOKEN authorizers are REST API ones, unversioned)`, 1) +
			`on an HTTP API, use a REQUEST authorizer with AuthorizerPayloadFormatVersion "2.0" and EnableSimpleResponses`},
		{authorizer.Event{Type: "COGNITO_USER_POOLS"}, strings.Replace(head, "%s", `an authorizer event of type "COGNITO_USER_POOLS"`, 1) +
			"use a REQUEST authorizer (or TOKEN, on a REST API)"},
	} {
		t.Run(c.ev.Type+c.ev.Version, func(t *testing.T) {
			resp, err := f.h.Handle(context.Background(), c.ev)
			if resp != nil || err == nil || err.Error() != c.want {
				t.Fatalf("got %v, %v\nwant error %s", resp, err, c.want)
			}
		})
	}
}
