package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/monban-auth/monban/internal/authorizer"
	"github.com/monban-auth/monban/internal/cognito"
	"github.com/monban-auth/monban/internal/config"
	"github.com/monban-auth/monban/internal/devstack"
	"github.com/monban-auth/monban/internal/devstack/devstacktest"
	"github.com/monban-auth/monban/internal/seal"
)

const (
	userEmail    = "carol@example.com"
	userPassword = "Corr3ct-Horse!"
)

// event reads a recorded authorizer event (the same recordings the
// authorizer package's tests use) with the credentials put in.
func event(t *testing.T, name, authorization, cookies string) []byte {
	t.Helper()
	raw, err := os.ReadFile("../../internal/authorizer/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ReplaceAll(string(raw), "AUTHORIZATION_HEADER", authorization)
	return []byte(strings.ReplaceAll(s, "SESSION_COOKIES", cookies))
}

// accessToken signs the user in at cognito-local with USER_PASSWORD_AUTH and
// returns the access token and its sub.
func accessToken(t *testing.T, stack *devstack.Stack) (string, string) {
	t.Helper()
	idp := devstack.NewCognitoClient(stack.Cognito.URL)
	out, err := idp.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		ClientId: aws.String(stack.Pool.ClientID),
		AuthParameters: map[string]string{
			"USERNAME":    userEmail,
			"PASSWORD":    userPassword,
			"SECRET_HASH": cognito.SecretHash(stack.Pool.ClientID, stack.Pool.ClientSecret, userEmail),
		},
	})
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("InitiateAuth: %v", err)
	}
	at := aws.ToString(out.AuthenticationResult.AccessToken)
	// The test reads sub without verifying: the authorizer is what verifies.
	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(at, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims struct{ Sub string }
	json.Unmarshal(payload, &claims)
	return at, claims.Sub
}

// sessionCookie seals a session holding at with the stack's session secret,
// as the monban API would.
func sessionCookie(t *testing.T, stack *devstack.Stack, at string) string {
	t.Helper()
	secrets, err := config.ParseSecrets(stack.Env["MONBAN_SESSION_SECRET"])
	if err != nil {
		t.Fatal(err)
	}
	s, err := seal.NewSealer(secrets)
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(time.Hour)
	sealed, err := s.Seal(seal.PurposeSession, map[string]any{"at": at, "exp": exp}, exp)
	if err != nil {
		t.Fatal(err)
	}
	return "__Host-monban-session=" + sealed
}

// Recorded authorizer events carrying real cognito-local credentials, through
// the Lambda entry point's handler and the runtime's own JSON decoding and
// encoding.
func TestAuthorizerAgainstCognitoLocal(t *testing.T) {
	stack := devstacktest.Start(t, devstack.StackOptions{
		SiteURL: "https://www.example.com",
		Users:   []devstack.User{{Email: userEmail, Password: userPassword, Groups: []string{"staff"}}},
	})
	at, sub := accessToken(t, stack)
	cookie := sessionCookie(t, stack, at)
	ctx := context.Background()

	invoke := func(t *testing.T, extra map[string]string, payload []byte) (map[string]any, error) {
		t.Helper()
		env := map[string]string{}
		for k, v := range stack.Env {
			env[k] = v
		}
		for k, v := range extra {
			env[k] = v
		}
		h, err := newHandler(ctx, func(k string) string { return env[k] }, authorizer.Options{Log: devstack.DevLogger(t.Output())})
		if err != nil {
			t.Fatal(err)
		}
		out, err := lambda.NewHandler(h).Invoke(ctx, payload)
		if err != nil {
			return nil, err
		}
		var m map[string]any
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatalf("response is not JSON: %v: %s", err, out)
		}
		return m, nil
	}
	authorizedAs := func(m map[string]any) string {
		if m["isAuthorized"] != true {
			return ""
		}
		c, _ := m["context"].(map[string]any)
		s, _ := c["sub"].(string)
		return s
	}
	allowedAs := func(m map[string]any) string {
		doc, _ := m["policyDocument"].(map[string]any)
		st, _ := doc["Statement"].([]any)
		if len(st) != 1 || st[0].(map[string]any)["Effect"] != "Allow" {
			return ""
		}
		s, _ := m["principalId"].(string)
		return s
	}

	tests := []struct {
		name          string
		extra         map[string]string
		event         string
		authorization string
		cookies       string
		check         func(t *testing.T, m map[string]any, err error)
	}{
		{"an HTTP API request with the user's access token is authorized as the user", nil, "http-api-v2.json", "Bearer " + at, "", func(t *testing.T, m map[string]any, err error) {
			if err != nil || authorizedAs(m) != sub {
				t.Fatalf("%v %v", m, err)
			}
			if c := m["context"].(map[string]any); c["groups"] != `["staff"]` || c["via"] != "bearer" {
				t.Fatalf("context %v", c)
			}
		}},
		{"an HTTP API request with the user's session cookie is authorized as the user", nil, "http-api-v2.json", "", cookie, func(t *testing.T, m map[string]any, err error) {
			if err != nil || authorizedAs(m) != sub {
				t.Fatalf("%v %v", m, err)
			}
		}},
		{"an HTTP API request without credentials is refused", nil, "http-api-v2.json", "", "", func(t *testing.T, m map[string]any, err error) {
			if err != nil || m["isAuthorized"] != false {
				t.Fatalf("%v %v", m, err)
			}
		}},
		{"an HTTP API request from a user outside the required groups is refused", map[string]string{"MONBAN_REQUIRED_GROUPS": "ops"}, "http-api-v2.json", "Bearer " + at, "", func(t *testing.T, m map[string]any, err error) {
			if err != nil || m["isAuthorized"] != false {
				t.Fatalf("%v %v", m, err)
			}
		}},
		{"a REST request with the user's session cookie is allowed as the user", nil, "rest-request.json", "", cookie, func(t *testing.T, m map[string]any, err error) {
			if err != nil || allowedAs(m) != sub {
				t.Fatalf("%v %v", m, err)
			}
		}},
		{"a REST request without credentials is Unauthorized", nil, "rest-request.json", "", "", func(t *testing.T, m map[string]any, err error) {
			if err == nil || err.Error() != "Unauthorized" {
				t.Fatalf("%v %v", m, err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := invoke(t, tt.extra, event(t, tt.event, tt.authorization, tt.cookies))
			tt.check(t, m, err)
		})
	}
}

func TestBadConfigurationIsReportedAtStart(t *testing.T) {
	_, err := newHandler(context.Background(), func(k string) string {
		if k == "MONBAN_SESSION_SECRET" {
			return "too-short-secret"
		}
		return ""
	}, authorizer.Options{})
	if err == nil || !strings.Contains(err.Error(), "MONBAN_USER_POOL_ID") || strings.Contains(err.Error(), "too-short-secret") {
		t.Fatalf("err = %v", err)
	}
}
