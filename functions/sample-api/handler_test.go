package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
)

// Recorded HTTP API events, as each authorizer leaves them, through the
// Lambda entry point's handler and the runtime's JSON decoding.
func TestRecordedEvents(t *testing.T) {
	tests := []struct {
		name   string
		event  string
		edit   func(map[string]any)
		status int
		want   string // a substring of the body
	}{
		{"behind the monban authorizer the caller is the authorizer's user", "me-lambda-authorizer.json", nil, 200,
			`{"sub":"7c9a1f0e-0000-4000-8000-000000000001","username":"7c9a1f0e-0000-4000-8000-000000000001","groups":["staff","admins"],"scopes":["openid","email","profile"],"client_id":"3n4b5urk1ft4fl3mg5e62d9ado","expires_at":"2026-11-21T11:15:30Z","via":"cookie"}`},
		{"behind the JWT authorizer the caller is the token's user", "me-jwt-authorizer.json", nil, 200,
			`{"sub":"7c9a1f0e-0000-4000-8000-000000000001","username":"7c9a1f0e-0000-4000-8000-000000000001","groups":["staff","admins"],"scopes":["openid","email","profile"],"client_id":"3n4b5urk1ft4fl3mg5e62d9ado","expires_at":"2026-11-21T11:13:20Z","via":"bearer"}`},
		{"without an authorizer the answer is 401", "me-lambda-authorizer.json", func(ev map[string]any) {
			delete(ev["requestContext"].(map[string]any), "authorizer")
		}, 401, `"code":"unauthenticated"`},
		{"an authorizer context without sub is not trusted", "me-lambda-authorizer.json", func(ev map[string]any) {
			delete(ev["requestContext"].(map[string]any)["authorizer"].(map[string]any)["lambda"].(map[string]any), "sub")
		}, 401, `"code":"unauthenticated"`},
		{"an identity header sent by the client is not trusted", "me-lambda-authorizer.json", func(ev map[string]any) {
			delete(ev["requestContext"].(map[string]any), "authorizer")
			ev["headers"].(map[string]any)["x-golambdaproxy-apigw-context"] = `{"authorizer":{"lambda":{"sub":"mallory"}}}`
		}, 401, `"code":"unauthenticated"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := os.ReadFile("testdata/" + tt.event)
			if err != nil {
				t.Fatal(err)
			}
			if tt.edit != nil {
				var ev map[string]any
				json.Unmarshal(raw, &ev)
				tt.edit(ev)
				raw, _ = json.Marshal(ev)
			}
			var logs bytes.Buffer
			out, err := lambda.NewHandler(newHandler(slog.New(slog.NewJSONHandler(&logs, nil)))).Invoke(context.Background(), raw)
			if err != nil {
				t.Fatal(err)
			}
			var resp struct {
				StatusCode int               `json:"statusCode"`
				Headers    map[string]string `json:"headers"`
				Body       string            `json:"body"`
			}
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status || !strings.Contains(resp.Body, tt.want) {
				t.Fatalf("%d %s\nwant %d with %s", resp.StatusCode, resp.Body, tt.status, tt.want)
			}
			if resp.Headers["Cache-Control"] != "no-store" {
				t.Errorf("headers %v", resp.Headers)
			}
			if strings.Contains(logs.String(), "monban-session=") || strings.Contains(logs.String(), "Bearer ") {
				t.Fatalf("a credential reached the log: %s", logs.String())
			}
		})
	}
}
