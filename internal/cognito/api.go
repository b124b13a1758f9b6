package cognito

import (
	"context"
	"errors"
	"fmt"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go"
)

// IdentityProvider is the subset of the Cognito user-pool API client that monban calls.
// *cognitoidentityprovider.Client satisfies it.
type IdentityProvider interface {
	RevokeToken(ctx context.Context, in *cip.RevokeTokenInput, opts ...func(*cip.Options)) (*cip.RevokeTokenOutput, error)
	GlobalSignOut(ctx context.Context, in *cip.GlobalSignOutInput, opts ...func(*cip.Options)) (*cip.GlobalSignOutOutput, error)
}

// Sessions ends sessions through the user-pool API as a confidential app client.
type Sessions struct {
	idp          IdentityProvider
	clientID     string
	clientSecret string
}

// NewSessions returns a Sessions for the app client.
func NewSessions(idp IdentityProvider, clientID, clientSecret string) *Sessions {
	return &Sessions{idp: idp, clientID: clientID, clientSecret: clientSecret}
}

// RevokeToken revokes a refresh token and the access tokens issued from it. A token Cognito
// no longer knows counts as revoked.
func (s *Sessions) RevokeToken(ctx context.Context, refreshToken string) error {
	in := &cip.RevokeTokenInput{ClientId: &s.clientID, Token: &refreshToken}
	if s.clientSecret != "" {
		in.ClientSecret = &s.clientSecret
	}
	_, err := s.idp.RevokeToken(ctx, in)
	if err != nil && ErrorCode(err) != "NotAuthorizedException" {
		return fmt.Errorf("revoke token: %w", Classify(err))
	}
	return nil
}

// GlobalSignOut invalidates every token of the access token's user.
func (s *Sessions) GlobalSignOut(ctx context.Context, accessToken string) error {
	if _, err := s.idp.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: &accessToken}); err != nil {
		return fmt.Errorf("global sign-out: %w", Classify(err))
	}
	return nil
}

// ErrorCode is the Cognito exception name of err ("NotAuthorizedException"), or "".
func ErrorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// Classify marks failures that are Cognito's fault (5xx, unreachable) as ErrUnavailable so
// callers answer 503, not 401.
func Classify(err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorFault() != smithy.FaultServer {
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

// Message is the message of a Cognito exception, or "". For password-policy and parameter
// errors it is what the user needs to read ("Password must have uppercase characters").
func Message(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}
