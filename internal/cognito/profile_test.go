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
)

type fakeGetUser struct {
	calls int
	err   error
}

func (f *fakeGetUser) GetUser(_ context.Context, in *cip.GetUserInput, _ ...func(*cip.Options)) (*cip.GetUserOutput, error) {
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	if aws.ToString(in.AccessToken) != "api-token" {
		return nil, &smithy.GenericAPIError{Code: "NotAuthorizedException", Message: "Invalid Access Token"}
	}
	return &cip.GetUserOutput{Username: aws.String("u"), UserAttributes: []types.AttributeType{
		{Name: aws.String("email"), Value: aws.String("a@example.com")},
		{Name: aws.String("email_verified"), Value: aws.String("true")},
	}}, nil
}

// Each kind of access token is asked about where Cognito accepts it.
func TestProfilesAskTheEndpointTheTokenIsFor(t *testing.T) {
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
		default:
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"invalid_token"}`))
		}
	}))
	defer srv.Close()
	base, _ := url.Parse(srv.URL)
	pool := &fakeGetUser{}
	p := NewProfiles(pool, NewHostedUI(base, "cid", "secret", srv.Client()))
	ctx := context.Background()

	attrs, err := p.Attributes(ctx, "api-token", []string{"aws.cognito.signin.user.admin"})
	if err != nil || attrs["email"] != "a@example.com" || attrs["email_verified"] != "true" || pool.calls != 1 || userInfoCalls != 0 {
		t.Fatalf("GetUser path: %v %v (GetUser %d, userInfo %d)", attrs, err, pool.calls, userInfoCalls)
	}
	attrs, err = p.Attributes(ctx, "hosted-token", []string{"openid", "email"})
	if err != nil || attrs["email"] != "h@example.com" || attrs["email_verified"] != "true" || attrs["custom:tenant"] != "t1" || userInfoCalls != 1 {
		t.Fatalf("userInfo path: %v %v", attrs, err)
	}
	if attrs, err := p.Attributes(ctx, "custom-scope-token", []string{"api/read"}); attrs != nil || err != nil {
		t.Fatalf("a token neither endpoint accepts: %v %v", attrs, err)
	}
	if _, err := p.Attributes(ctx, "revoked", []string{"aws.cognito.signin.user.admin"}); !errors.Is(err, ErrTokenRefused) {
		t.Fatalf("GetUser refusal: %v", err)
	}
	if _, err := p.Attributes(ctx, "revoked", []string{"openid"}); !errors.Is(err, ErrTokenRefused) {
		t.Fatalf("userInfo refusal: %v", err)
	}
	if _, err := p.Attributes(ctx, "broken", []string{"openid"}); !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrTokenRefused) {
		t.Fatalf("userInfo outage: %v", err)
	}
	pool.err = &smithy.GenericAPIError{Code: "InternalErrorException", Fault: smithy.FaultServer}
	if _, err := p.Attributes(ctx, "api-token", []string{"aws.cognito.signin.user.admin"}); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("GetUser outage: %v", err)
	}
}
