package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/monban-auth/monban/internal/app"
	"github.com/monban-auth/monban/internal/golden"
	"github.com/monban-auth/monban/internal/lambdahttp"
	"github.com/monban-auth/monban/internal/lambdasamples"
)

// offlineEnv configures the function for events that never reach Cognito: the endpoints
// are closed ports, so a test that reached them would fail rather than pass.
var offlineEnv = map[string]string{
	"MONBAN_USER_POOL_ID":     "eu-west-1_AbCdEf123",
	"MONBAN_CLIENT_ID":        "1example23456789abcdefghij",
	"MONBAN_CLIENT_SECRET":    "client-secret-for-tests-only",
	"MONBAN_COGNITO_DOMAIN":   "https://auth.example.com",
	"MONBAN_COGNITO_ENDPOINT": "http://127.0.0.1:1",
	"MONBAN_JWKS_URL":         "http://127.0.0.1:1/jwks.json",
	"MONBAN_CALLBACK_URL":     "https://www.example.com/auth/callback",
	"MONBAN_ALLOWED_ORIGINS":  "https://www.example.com",
	"MONBAN_SESSION_SECRET":   "0123456789abcdef0123456789abcdef-test-only",
	"MONBAN_ANSWER_FLOOR":     "0",
}

func offlineHandler(t *testing.T, logs *bytes.Buffer) *lambdahttp.Handler {
	t.Helper()
	env := func(k string) string { return offlineEnv[k] }
	h, err := newHandlerWith(context.Background(), env, app.Options{Getenv: env, Log: slog.New(slog.NewJSONHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// edited returns a sample with edit applied to it as a JSON object.
func edited(t *testing.T, sample string, edit func(ev map[string]any)) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(lambdasamples.Read(t, sample), &ev); err != nil {
		t.Fatal(err)
	}
	edit(ev)
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// asRequest makes a payload 2.0 sample a request for method and path.
func asRequest(method, path string) func(map[string]any) {
	return func(ev map[string]any) {
		ev["rawPath"] = path
		ev["rawQueryString"] = ""
		delete(ev, "queryStringParameters")
		h := ev["requestContext"].(map[string]any)["http"].(map[string]any)
		h["method"], h["path"] = method, path
	}
}

// Messages of a wrong wiring, as the API function words them.
const (
	wrongRESTAPI = `monban's api function serves API Gateway HTTP API requests in payload format 2.0, but received a REST API proxy event (payload format 1.0). ` +
		`A REST API cannot send payload format 2.0: integrate it with an HTTP API (AWS::ApiGatewayV2::Integration, IntegrationType AWS_PROXY) with PayloadFormatVersion "2.0", as template.yaml does.`
	wrongAuthorizer = `monban's api function serves API Gateway HTTP API requests in payload format 2.0, but received an API Gateway Lambda authorizer event (type %s). ` +
		`It is a route's integration, not an authorizer: attach monban's authorizer function (functions/authorizer) as the authorizer, ` +
		`and integrate this one with an HTTP API (AWS::ApiGatewayV2::Integration, IntegrationType AWS_PROXY) with PayloadFormatVersion "2.0", as template.yaml does.`
)

// aws-lambda-go's own sample events (events/testdata, at the version go.mod requires),
// through the Lambda entry point as the runtime calls it. HTTP API payload 2.0 events (and a
// function URL's, which has the same format) are served; every other kind is refused with a
// message that names what arrived and what to change: in a 500 of the error contract when
// the caller is HTTP-shaped (it shows the body), as the invocation's error otherwise.
func TestAWSLambdaGoSampleEvents(t *testing.T) {
	cases := []struct {
		name    string
		event   func(t *testing.T) []byte
		golden  string // the expected answer
		wantErr string // or the expected error, exactly
	}{
		{name: "an HTTP API request outside /auth is not found", golden: "sample-v2-no-authorizer.json",
			event: func(t *testing.T) []byte { return lambdasamples.Read(t, "apigw-v2-request-no-authorizer.json") }},
		{name: "an HTTP API request with IAM authorization outside /auth is not found", golden: "sample-v2-iam.json",
			event: func(t *testing.T) []byte { return lambdasamples.Read(t, "apigw-v2-request-iam.json") }},
		{name: "an HTTP API request behind a JWT authorizer outside /auth is not found", golden: "sample-v2-jwt-authorizer.json",
			event: func(t *testing.T) []byte { return lambdasamples.Read(t, "apigw-v2-request-jwt-authorizer.json") }},
		{name: "an HTTP API request behind a Lambda authorizer outside /auth is not found", golden: "sample-v2-lambda-authorizer.json",
			event: func(t *testing.T) []byte { return lambdasamples.Read(t, "apigw-v2-request-lambda-authorizer.json") }},
		{name: "an HTTP API request for /auth/health is answered", golden: "sample-v2-health.json",
			event: func(t *testing.T) []byte {
				return edited(t, "apigw-v2-request-no-authorizer.json", asRequest("GET", "/auth/health"))
			}},
		{name: "a body with an unknown field gets a 400 naming the field", golden: "sample-v2-unknown-field.json",
			event: func(t *testing.T) []byte {
				return edited(t, "apigw-v2-request-no-authorizer.json", func(ev map[string]any) {
					asRequest("POST", "/auth/forgot-password")(ev)
					hs := ev["headers"].(map[string]any)
					hs["origin"], hs["content-type"] = "https://www.example.com", "application/json"
					ev["body"] = `{"email":"ann@example.com","emial":"ann@example.com"}`
				})
			}},
		{name: "a function URL request (payload format 2.0 too) is served", golden: "sample-function-url.json",
			event: func(t *testing.T) []byte { return lambdasamples.Read(t, "lambda-urls-request.json") }},
		{name: "a REST API proxy event is refused in a 500 naming the integration to change", golden: "sample-rest-api.json",
			event: func(t *testing.T) []byte { return lambdasamples.Read(t, "apigw-request.json") }},
		{name: "a REST API proxy event from an OpenAPI-defined API is refused the same way", golden: "sample-rest-api-openapi.json",
			event: func(t *testing.T) []byte { return lambdasamples.Read(t, "apigw-restapi-openapi-request.json") }},
		{name: "an HTTP API event in payload format 1.0 is refused in a 500 naming PayloadFormatVersion", golden: "sample-http-api-1.0.json",
			event: func(t *testing.T) []byte {
				return edited(t, "apigw-request.json", func(ev map[string]any) { ev["version"] = "1.0" })
			}},
		{name: "a load balancer event is refused in a 500 the load balancer reads", golden: "sample-alb.json",
			event: func(t *testing.T) []byte { return lambdasamples.Read(t, "alb-lambda-target-request-headers-only.json") }},
		{name: "a load balancer event with multi-value headers is refused the same way", golden: "sample-alb-multivalue.json",
			event: func(t *testing.T) []byte {
				return lambdasamples.Read(t, "alb-lambda-target-request-multivalue-headers.json")
			}},
		{name: "a WebSocket event is refused in a 500", golden: "sample-websocket.json",
			event: func(t *testing.T) []byte { return lambdasamples.Read(t, "apigw-websocket-request.json") }},
		{name: "an HTTP API authorizer event is refused", wantErr: strings.Replace(wrongAuthorizer, "%s", `"REQUEST"`, 1),
			event: func(t *testing.T) []byte { return lambdasamples.Read(t, "apigw-v2-custom-authorizer-v2-request.json") }},
		{name: "a REST API TOKEN authorizer event is refused", wantErr: strings.Replace(wrongAuthorizer, "%s", `"TOKEN"`, 1),
			event: func(t *testing.T) []byte { return lambdasamples.Read(t, "apigw-custom-auth-request.json") }},
		{name: "a Cognito trigger event is refused",
			wantErr: `monban's api function serves API Gateway HTTP API requests in payload format 2.0, but received a Cognito user pool trigger event (triggerSource "PreSignUp_SignUp"). ` +
				`monban's trigger functions are under triggers/ (pre-sign-up, pre-token-generation); attach those to the user pool, not this one.`,
			event: func(t *testing.T) []byte { return lambdasamples.Read(t, "cognito-event-userpools-presignup.json") }},
		{name: "an SQS event is refused, its top-level fields named",
			wantErr: `monban's api function serves API Gateway HTTP API requests in payload format 2.0, but received an event that is not an HTTP request (top-level fields "Records"). ` +
				`Invoke it only through an HTTP API route: integrate it with an HTTP API (AWS::ApiGatewayV2::Integration, IntegrationType AWS_PROXY) with PayloadFormatVersion "2.0", as template.yaml does.`,
			event: func(t *testing.T) []byte { return lambdasamples.Read(t, "sqs-event.json") }},
		{name: "a payload 2.0 event without requestContext.http is refused in a 500", golden: "sample-v2-without-http.json",
			event: func(t *testing.T) []byte {
				return edited(t, "apigw-v2-request-no-authorizer.json", func(ev map[string]any) {
					delete(ev["requestContext"].(map[string]any), "http")
				})
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var logs bytes.Buffer
			out, err := offlineHandler(t, &logs).Invoke(context.Background(), c.event(t))
			golden.Answer(t, c.golden, out, err, c.wantErr)
		})
	}
}

// A wrong wiring is logged once per container, at error level, with the message: the
// operator finds it on the first request without every later one flooding the log. A
// well-wired request is served all the same.
func TestWrongWiringIsLoggedOnce(t *testing.T) {
	var logs bytes.Buffer
	h := offlineHandler(t, &logs)
	for _, sample := range []string{"apigw-request.json", "alb-lambda-target-request-headers-only.json", "apigw-request.json", "sqs-event.json"} {
		h.Invoke(context.Background(), lambdasamples.Read(t, sample))
	}
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "function wired to the wrong event source" {
			lines = append(lines, m)
		}
	}
	if len(lines) != 1 || lines[0]["level"] != "ERROR" || lines[0]["received"] != "rest-api" || lines[0]["error"] != wrongRESTAPI {
		t.Fatalf("wiring log lines %v; want one ERROR line with the REST API message\nall logs: %s", lines, logs.String())
	}
	out, err := h.Invoke(context.Background(), edited(t, "apigw-v2-request-no-authorizer.json", asRequest("GET", "/auth/health")))
	if err != nil || !strings.Contains(string(out), `"statusCode":200`) {
		t.Fatalf("after a wrong event, a right one: %s %v", out, err)
	}
}
