package cognito

import (
	"context"
	"errors"
	"fmt"
	"slices"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// ErrTokenRefused is wrapped when Cognito refuses an access token it issued (revoked, or
// the user signed out everywhere or was disabled).
var ErrTokenRefused = errors.New("cognito refused the access token")

// UserGetter is the one user-pool API call Profiles makes.
// *cognitoidentityprovider.Client satisfies it.
type UserGetter interface {
	GetUser(ctx context.Context, in *cip.GetUserInput, opts ...func(*cip.Options)) (*cip.GetUserOutput, error)
}

// Profiles reads a user's attributes with the user's own access token, through whichever
// Cognito endpoint accepts that token: GetUser for tokens from the user-pool API (scope
// aws.cognito.signin.user.admin), /oauth2/userInfo for tokens from the token endpoint (scope
// openid). See "The user attributes endpoint" and GetUser in the Amazon Cognito developer
// guide and API reference.
type Profiles struct {
	pool   UserGetter
	hosted *HostedUI
}

// NewProfiles returns Profiles over the user-pool API client and the managed-login domain.
func NewProfiles(pool UserGetter, hosted *HostedUI) *Profiles {
	return &Profiles{pool: pool, hosted: hosted}
}

// Attributes returns the user's attributes by name (email_verified as "true"/"false"), or
// nil with no error when the token's scopes allow neither call.
func (p *Profiles) Attributes(ctx context.Context, accessToken string, scopes []string) (map[string]string, error) {
	switch {
	case slices.Contains(scopes, "aws.cognito.signin.user.admin"):
		out, err := p.pool.GetUser(ctx, &cip.GetUserInput{AccessToken: &accessToken})
		if err != nil {
			if ErrorCode(err) == "NotAuthorizedException" {
				return nil, fmt.Errorf("%w: %s", ErrTokenRefused, Message(err))
			}
			return nil, fmt.Errorf("get user: %w", Classify(err))
		}
		attrs := make(map[string]string, len(out.UserAttributes))
		for _, a := range out.UserAttributes {
			if a.Name != nil && a.Value != nil {
				attrs[*a.Name] = *a.Value
			}
		}
		return attrs, nil
	case slices.Contains(scopes, "openid"):
		attrs, err := p.hosted.UserInfo(ctx, accessToken)
		var oe *OAuthError
		if errors.As(err, &oe) {
			return nil, fmt.Errorf("%w: userInfo status %d", ErrTokenRefused, oe.Status)
		}
		return attrs, err
	}
	return nil, nil
}
