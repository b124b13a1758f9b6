package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/monban-auth/monban/internal/golden"
	"github.com/monban-auth/monban/internal/lambdasamples"
)

// atPath returns a payload 2.0 sample as a GET of path.
func atPath(t *testing.T, sample, path string) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(lambdasamples.Read(t, sample), &ev); err != nil {
		t.Fatal(err)
	}
	ev["rawPath"], ev["rawQueryString"] = path, ""
	delete(ev, "queryStringParameters")
	h := ev["requestContext"].(map[string]any)["http"].(map[string]any)
	h["method"], h["path"] = "GET", path
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// aws-lambda-go's own sample events (events/testdata, at the version go.mod requires),
// through the Lambda runtime's handler: authorizer contexts that name no user are not
// trusted, and events of another kind than an HTTP API payload 2.0 request are refused with
// a message naming what to change.
func TestAWSLambdaGoSampleEvents(t *testing.T) {
	cases := []struct {
		name    string
		event   func(t *testing.T) []byte
		golden  string
		wantErr string
	}{
		{name: "a JWT authorizer's claims without sub are not trusted", golden: "sample-jwt-authorizer.json",
			event: func(t *testing.T) []byte { return atPath(t, "apigw-v2-request-jwt-authorizer.json", "/api/me-jwt") }},
		{name: "a Lambda authorizer's context without sub is not trusted", golden: "sample-lambda-authorizer.json",
			event: func(t *testing.T) []byte { return atPath(t, "apigw-v2-request-lambda-authorizer.json", "/api/me") }},
		{name: "IAM authorization names no monban user", golden: "sample-iam.json",
			event: func(t *testing.T) []byte { return atPath(t, "apigw-v2-request-iam.json", "/api/me") }},
		{name: "a path outside the sample API is not found", golden: "sample-no-authorizer.json",
			event: func(t *testing.T) []byte { return lambdasamples.Read(t, "apigw-v2-request-no-authorizer.json") }},
		{name: "a REST API proxy event is refused in a 500 naming the integration to change", golden: "sample-rest-api.json",
			event: func(t *testing.T) []byte { return lambdasamples.Read(t, "apigw-request.json") }},
		{name: "a load balancer event is refused in a 500", golden: "sample-alb.json",
			event: func(t *testing.T) []byte {
				return lambdasamples.Read(t, "alb-lambda-target-request-multivalue-headers.json")
			}},
		{name: "a pre-token-generation event is refused",
			wantErr: `monban's sample-api function serves API Gateway HTTP API requests in payload format 2.0, but received a Cognito user pool trigger event (triggerSource "TokenGeneration_Authentication"). ` +
				`monban's trigger functions are under triggers/ (pre-sign-up, pre-token-generation); attach those to the user pool, not this one.`,
			event: func(t *testing.T) []byte {
				return lambdasamples.Read(t, "cognito-event-userpools-pretokengen-v2_0.json")
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := lambda.NewHandler(newHandler(slog.New(slog.DiscardHandler))).Invoke(context.Background(), c.event(t))
			golden.Answer(t, c.golden, out, err, c.wantErr)
		})
	}
}
