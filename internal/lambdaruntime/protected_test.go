package lambdaruntime

import (
	"encoding/json"
	"net/http"
	"testing"
)

// authorizerSuite runs the Lambda authorizer against the shared cognito-local's keys,
// configured as the template configures it for SessionAuthorizer plus bearer tokens. The
// fixtures are recorded events without a credential, or with a forged one: each must be
// refused in its event shape's own way, and nothing forged may be let through.
var authorizerSuite = suite{
	env: func(tb testing.TB) map[string]string {
		tb.Helper()
		_, pool := requireEmulator(tb)
		return map[string]string{
			"MONBAN_USER_POOL_ID":         pool.ID,
			"MONBAN_CLIENT_ID":            pool.ClientID,
			"MONBAN_ISSUER":               pool.Issuer,
			"MONBAN_JWKS_URL":             pool.JWKSURL,
			"MONBAN_SESSION_SECRET":       sessionSecret,
			"MONBAN_ACCEPTED_CREDENTIALS": "bearer,cookie",
		}
	},
	coldStart: "http-api-v2-without-credentials",
	checks: map[string]check{
		"http-api-v2-without-credentials": wantNotAuthorized,
		"http-api-v2-forged-bearer":       wantNotAuthorized,
		"http-api-v2-forged-cookie":       wantNotAuthorized,
		// API Gateway answers 401 to exactly this error message.
		"rest-request-without-credentials": wantUnauthorizedError,
		"rest-token-unsigned":              wantUnauthorizedError,
		// aws-lambda-go's copy of API Gateway's stock TOKEN sample, whose stage is "*".
		"rest-token-sample-wildcard-stage": wantFunctionError(`authorizer: methodArn "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/GET/" ` +
			`has the wildcard stage "*", as API Gateway's sample TOKEN event does; API Gateway names the invoked stage (…/prod/GET/…) in every real event, ` +
			`and a policy for "*" would allow every stage of the API: put the name of a deployed stage in its place, or call the API through that stage`),
	},
}

// wantNotAuthorized wants the HTTP API simple response refusing the request.
func wantNotAuthorized(t *testing.T, _ map[string]string, resp []byte, fnErr *FunctionError) {
	if fnErr != nil {
		t.Fatalf("function error %v; a refusal is a response, not an error", fnErr)
	}
	var r map[string]any
	if err := json.Unmarshal(resp, &r); err != nil {
		t.Fatalf("response %s: %v", resp, err)
	}
	if r["isAuthorized"] != false || r["context"] != nil {
		t.Errorf("response %s; want {\"isAuthorized\":false}", resp)
	}
}

// wantFunctionError wants the invocation to fail with exactly message.
func wantFunctionError(message string) check {
	return func(t *testing.T, _ map[string]string, resp []byte, fnErr *FunctionError) {
		if fnErr == nil || fnErr.Message != message {
			t.Errorf("got %s, %v\nwant the error %s", resp, fnErr, message)
		}
	}
}

func wantUnauthorizedError(t *testing.T, _ map[string]string, resp []byte, fnErr *FunctionError) {
	if fnErr == nil || fnErr.Message != "Unauthorized" {
		t.Errorf("got %s, %v; want the error \"Unauthorized\"", resp, fnErr)
	}
}

// sampleAPISuite runs the sample protected API with recorded events as each authorizer
// leaves them.
var sampleAPISuite = suite{
	env:       func(testing.TB) map[string]string { return map[string]string{} },
	coldStart: "me-lambda-authorizer",
	checks: map[string]check{
		"me-lambda-authorizer":  wantCaller("cookie"),
		"me-jwt-authorizer":     wantCaller("bearer"),
		"me-without-authorizer": wantNoCaller,
		// aws-lambda-go's load balancer sample: the wrong integration, refused in a 500
		// the load balancer passes on.
		"alb-sample": wantWrongWiring(`monban's sample-api function serves API Gateway HTTP API requests in payload format 2.0, `+
			`but received an Application Load Balancer target group event. Put it behind an HTTP API instead of a load balancer: `+
			`integrate it with an HTTP API (AWS::ApiGatewayV2::Integration, IntegrationType AWS_PROXY) with PayloadFormatVersion "2.0", as template.yaml does.`,
			"500 Internal Server Error"),
	},
}

// wantNoCaller wants the 401 of a request that reached the API without an authorizer.
func wantNoCaller(t *testing.T, _ map[string]string, resp []byte, fnErr *FunctionError) {
	wantErrorCode(t, httpResponse(t, resp, fnErr, http.StatusUnauthorized), "unauthenticated")
}

// wantCaller wants the recorded caller, proved by the credential via.
func wantCaller(via string) check {
	return func(t *testing.T, _ map[string]string, resp []byte, fnErr *FunctionError) {
		r := httpResponse(t, resp, fnErr, http.StatusOK)
		var me struct {
			Sub    string
			Groups []string
			Via    string
		}
		decodeBody(t, r, &me)
		if me.Sub != "7c9a1f0e-0000-4000-8000-000000000001" || len(me.Groups) != 2 || me.Via != via || header(r, "Cache-Control") != "no-store" {
			t.Errorf("body %s, headers %v", r.Body, r.Headers)
		}
	}
}
