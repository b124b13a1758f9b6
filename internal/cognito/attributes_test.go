package cognito

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/monban-auth/monban/internal/auth"
)

// Each kind of access token is asked about where Cognito accepts it.
func TestAttributesAskTheEndpointTheTokenIsFor(t *testing.T) {
	var userInfoCalls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		userInfoCalls++
		switch {
		case r.URL.Path != "/oauth2/userInfo":
			http.NotFound(w, r)
		case r.Header.Get("Authorization") == "Bearer hosted-token":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"sub":"s","email":"h@example.com","email_verified":true,"custom:tenant":"t1"}`))
		case r.Header.Get("Authorization") == "Bearer broken":
			w.WriteHeader(http.StatusBadGateway)
		case r.Header.Get("Authorization") == "Bearer garbled":
			w.Write([]byte(`<html>`))
		default:
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"invalid_token"}`))
		}
	}))
	defer srv.Close()
	base, _ := url.Parse(srv.URL)
	f := newFake()
	f.user = cip.GetUserOutput{Username: aws.String("u"), UserAttributes: []types.AttributeType{
		{Name: aws.String("email"), Value: aws.String("a@example.com")},
		{Name: aws.String("email_verified"), Value: aws.String("true")},
		{Name: aws.String("no value")},
	}}
	p := NewUserPool(f, NewHostedUI(base, "cid", "secret", srv.Client()), UserPoolConfig{ClientID: "cid"})
	ctx := context.Background()
	admin, openid := []string{"openid", "aws.cognito.signin.user.admin"}, []string{"openid", "email"}

	attrs, err := p.Attributes(ctx, "api-token", admin)
	if err != nil || len(attrs) != 2 || attrs["email"] != "a@example.com" || attrs["email_verified"] != "true" || len(f.calls) != 1 || userInfoCalls != 0 {
		t.Fatalf("GetUser path: %v %v (calls %v, userInfo %d)", attrs, err, f.calls, userInfoCalls)
	}
	if in := f.in["GetUser"].(*cip.GetUserInput); aws.ToString(in.AccessToken) != "api-token" {
		t.Fatalf("GetUser input = %+v", in)
	}
	attrs, err = p.Attributes(ctx, "hosted-token", openid)
	if err != nil || attrs["email"] != "h@example.com" || attrs["email_verified"] != "true" || attrs["custom:tenant"] != "t1" || userInfoCalls != 1 {
		t.Fatalf("userInfo path: %v %v", attrs, err)
	}
	if attrs, err := p.Attributes(ctx, "custom-scope-token", []string{"api/read"}); attrs != nil || err != nil {
		t.Fatalf("a token neither endpoint accepts: %v %v", attrs, err)
	}
	if attrs, err := NewUserPool(f, nil, UserPoolConfig{}).Attributes(ctx, "hosted-token", openid); attrs != nil || err != nil {
		t.Fatalf("without a managed-login domain: %v %v", attrs, err)
	}

	failures := []struct {
		name   string
		getErr error
		token  string
		scopes []string
		want   auth.Reason
	}{
		{"GetUser refuses the token", &types.NotAuthorizedException{Message: aws.String("Invalid token")}, "api-token", admin, auth.ReasonTokenRevoked},
		{"GetUser refuses a revoked token", &types.NotAuthorizedException{Message: aws.String("Access Token has been revoked")}, "api-token", admin, auth.ReasonTokenRevoked},
		{"GetUser is down", &smithy.GenericAPIError{Code: "InternalErrorException", Fault: smithy.FaultServer}, "api-token", admin, auth.ReasonUnavailable},
		{"GetUser is unreachable", errors.New("dial tcp: refused"), "api-token", admin, auth.ReasonUnavailable},
		{"GetUser is throttled", &types.TooManyRequestsException{}, "api-token", admin, auth.ReasonTooManyRequests},
		{"userInfo refuses the token", nil, "revoked", openid, auth.ReasonTokenRevoked},
		{"userInfo is down", nil, "broken", openid, auth.ReasonUnavailable},
		{"userInfo answers with no JSON", nil, "garbled", openid, auth.ReasonUnavailable},
	}
	for _, c := range failures {
		t.Run(c.name, func(t *testing.T) {
			f.err["GetUser"] = c.getErr
			if _, err := p.Attributes(ctx, c.token, c.scopes); reasonOf(t, err) != c.want {
				t.Fatalf("%v, want %s", err, c.want)
			}
		})
	}
	srv.Close()
	if _, err := p.Attributes(ctx, "hosted-token", openid); reasonOf(t, err) != auth.ReasonUnavailable {
		t.Fatalf("an unreachable domain: %v", err)
	}
}
