package cognito

import (
	"context"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/monban-auth/monban/internal/auth"
)

// API is the part of the Cognito user-pool API that UserPool calls.
// *cognitoidentityprovider.Client satisfies it.
type API interface {
	SignUp(context.Context, *cip.SignUpInput, ...func(*cip.Options)) (*cip.SignUpOutput, error)
	ConfirmSignUp(context.Context, *cip.ConfirmSignUpInput, ...func(*cip.Options)) (*cip.ConfirmSignUpOutput, error)
	ResendConfirmationCode(context.Context, *cip.ResendConfirmationCodeInput, ...func(*cip.Options)) (*cip.ResendConfirmationCodeOutput, error)
	ForgotPassword(context.Context, *cip.ForgotPasswordInput, ...func(*cip.Options)) (*cip.ForgotPasswordOutput, error)
	ConfirmForgotPassword(context.Context, *cip.ConfirmForgotPasswordInput, ...func(*cip.Options)) (*cip.ConfirmForgotPasswordOutput, error)
	InitiateAuth(context.Context, *cip.InitiateAuthInput, ...func(*cip.Options)) (*cip.InitiateAuthOutput, error)
	AdminInitiateAuth(context.Context, *cip.AdminInitiateAuthInput, ...func(*cip.Options)) (*cip.AdminInitiateAuthOutput, error)
	RespondToAuthChallenge(context.Context, *cip.RespondToAuthChallengeInput, ...func(*cip.Options)) (*cip.RespondToAuthChallengeOutput, error)
	AdminRespondToAuthChallenge(context.Context, *cip.AdminRespondToAuthChallengeInput, ...func(*cip.Options)) (*cip.AdminRespondToAuthChallengeOutput, error)
	GetTokensFromRefreshToken(context.Context, *cip.GetTokensFromRefreshTokenInput, ...func(*cip.Options)) (*cip.GetTokensFromRefreshTokenOutput, error)
	ChangePassword(context.Context, *cip.ChangePasswordInput, ...func(*cip.Options)) (*cip.ChangePasswordOutput, error)
	AssociateSoftwareToken(context.Context, *cip.AssociateSoftwareTokenInput, ...func(*cip.Options)) (*cip.AssociateSoftwareTokenOutput, error)
	VerifySoftwareToken(context.Context, *cip.VerifySoftwareTokenInput, ...func(*cip.Options)) (*cip.VerifySoftwareTokenOutput, error)
	SetUserMFAPreference(context.Context, *cip.SetUserMFAPreferenceInput, ...func(*cip.Options)) (*cip.SetUserMFAPreferenceOutput, error)
	RevokeToken(context.Context, *cip.RevokeTokenInput, ...func(*cip.Options)) (*cip.RevokeTokenOutput, error)
	GlobalSignOut(context.Context, *cip.GlobalSignOutInput, ...func(*cip.Options)) (*cip.GlobalSignOutOutput, error)
	GetUser(context.Context, *cip.GetUserInput, ...func(*cip.Options)) (*cip.GetUserOutput, error)
	WebAuthnAPI
	ProfileAPI
}

// UserPoolConfig is the app client UserPool speaks as.
type UserPoolConfig struct {
	UserPoolID string
	ClientID   string
	// ClientSecret, when set, is sent as SECRET_HASH (or as the secret itself where the call
	// takes it): a confidential client.
	ClientSecret string
	// AdminAuth signs in with ADMIN_USER_PASSWORD_AUTH (AdminInitiateAuth, IAM credentials)
	// instead of USER_PASSWORD_AUTH.
	AdminAuth bool
	// RefreshRotation refreshes with GetTokensFromRefreshToken, which also returns the next
	// refresh token, instead of REFRESH_TOKEN_AUTH.
	RefreshRotation bool
}

// UserPool is auth.UserPool over Cognito's user-pool API (and, for attributes, the managed
// login domain's /oauth2/userInfo).
type UserPool struct {
	api    API
	hosted *HostedUI
	cfg    UserPoolConfig
}

var _ auth.UserPool = (*UserPool)(nil)

// NewUserPool returns the adapter for the app client cfg over api. hosted may be nil when
// no access token from the token endpoint ever reaches Attributes.
func NewUserPool(api API, hosted *HostedUI, cfg UserPoolConfig) *UserPool {
	return &UserPool{api: api, hosted: hosted, cfg: cfg}
}

// secretHash is SECRET_HASH for username, or nil for a client without a secret.
func (p *UserPool) secretHash(username string) *string {
	if p.cfg.ClientSecret == "" {
		return nil
	}
	h := SecretHash(p.cfg.ClientID, p.cfg.ClientSecret, username)
	return &h
}

// clientSecret is the secret for calls that take it as such, or nil.
func (p *UserPool) clientSecret() *string {
	if p.cfg.ClientSecret == "" {
		return nil
	}
	return &p.cfg.ClientSecret
}

// SignUp registers a user with SignUp.
func (p *UserPool) SignUp(ctx context.Context, u auth.NewUser) (*auth.SignedUp, error) {
	// Sorted, so one sign-up is always the same request.
	attrs := make([]types.AttributeType, 0, len(u.Attributes))
	for _, k := range slices.Sorted(maps.Keys(u.Attributes)) {
		attrs = append(attrs, types.AttributeType{Name: aws.String(k), Value: aws.String(u.Attributes[k])})
	}
	out, err := p.api.SignUp(ctx, &cip.SignUpInput{
		ClientId:       &p.cfg.ClientID,
		SecretHash:     p.secretHash(u.Username),
		Username:       &u.Username,
		Password:       &u.Password,
		UserAttributes: attrs,
	})
	if err != nil {
		return nil, poolError("sign up", err)
	}
	return &auth.SignedUp{Confirmed: out.UserConfirmed, Delivery: delivery(out.CodeDeliveryDetails)}, nil
}

// ConfirmSignUp confirms a user with ConfirmSignUp.
func (p *UserPool) ConfirmSignUp(ctx context.Context, username, code string) error {
	_, err := p.api.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{
		ClientId: &p.cfg.ClientID, SecretHash: p.secretHash(username), Username: &username, ConfirmationCode: &code,
	})
	if err != nil {
		return poolError("confirm sign-up", err)
	}
	return nil
}

// ResendConfirmationCode sends the sign-up code again with ResendConfirmationCode.
func (p *UserPool) ResendConfirmationCode(ctx context.Context, username string) (*auth.Delivery, error) {
	out, err := p.api.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{
		ClientId: &p.cfg.ClientID, SecretHash: p.secretHash(username), Username: &username,
	})
	if err != nil {
		return nil, poolError("resend code", err)
	}
	return delivery(out.CodeDeliveryDetails), nil
}

// ForgotPassword sends a reset code with ForgotPassword.
func (p *UserPool) ForgotPassword(ctx context.Context, username string) error {
	_, err := p.api.ForgotPassword(ctx, &cip.ForgotPasswordInput{
		ClientId: &p.cfg.ClientID, SecretHash: p.secretHash(username), Username: &username,
	})
	if err != nil {
		return poolError("forgot password", err)
	}
	return nil
}

// ConfirmForgotPassword sets a new password with ConfirmForgotPassword.
func (p *UserPool) ConfirmForgotPassword(ctx context.Context, username, code, password string) error {
	_, err := p.api.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{
		ClientId: &p.cfg.ClientID, SecretHash: p.secretHash(username), Username: &username,
		ConfirmationCode: &code, Password: &password,
	})
	if err != nil {
		return poolError("confirm forgot password", err)
	}
	return nil
}

// ChangePassword changes the password with ChangePassword. NotAuthorizedException is a
// wrong previous password (ReasonNotAuthorized) or a refused access token
// (ReasonTokenRevoked), told apart by its message.
func (p *UserPool) ChangePassword(ctx context.Context, accessToken, previous, proposed string) error {
	_, err := p.api.ChangePassword(ctx, &cip.ChangePasswordInput{
		AccessToken: &accessToken, PreviousPassword: &previous, ProposedPassword: &proposed,
	})
	if err != nil {
		return poolError("change password", err)
	}
	return nil
}

// RevokeToken revokes a refresh token with RevokeToken. A token Cognito no longer knows
// (NotAuthorizedException) counts as revoked.
func (p *UserPool) RevokeToken(ctx context.Context, refreshToken string) error {
	_, err := p.api.RevokeToken(ctx, &cip.RevokeTokenInput{
		ClientId: &p.cfg.ClientID, ClientSecret: p.clientSecret(), Token: &refreshToken,
	})
	if err != nil && ErrorCode(err) != "NotAuthorizedException" {
		return poolError("revoke token", err)
	}
	return nil
}

// GlobalSignOut invalidates every token of the access token's user with GlobalSignOut.
func (p *UserPool) GlobalSignOut(ctx context.Context, accessToken string) error {
	if _, err := p.api.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: &accessToken}); err != nil {
		return tokenError("global sign-out", err)
	}
	return nil
}

// Attributes reads the user's attributes through whichever Cognito endpoint accepts the
// access token: GetUser for tokens from the user-pool API (scope
// aws.cognito.signin.user.admin), the managed-login domain's /oauth2/userInfo for tokens
// from the token endpoint (scope openid). See "The user attributes endpoint" and GetUser in
// the Amazon Cognito developer guide and API reference. A token neither accepts gives nil,
// nil. A refused token is ReasonTokenRevoked.
func (p *UserPool) Attributes(ctx context.Context, accessToken string, scopes []string) (map[string]string, error) {
	switch {
	case slices.Contains(scopes, "aws.cognito.signin.user.admin"):
		out, err := p.api.GetUser(ctx, &cip.GetUserInput{AccessToken: &accessToken})
		if err != nil {
			return nil, tokenError("get user", err)
		}
		return attributeMap(out.UserAttributes), nil
	case slices.Contains(scopes, "openid") && p.hosted != nil:
		return p.hosted.userInfo(ctx, accessToken)
	}
	return nil, nil
}

func delivery(d *types.CodeDeliveryDetailsType) *auth.Delivery {
	if d == nil {
		return nil
	}
	return &auth.Delivery{Medium: string(d.DeliveryMedium), Destination: aws.ToString(d.Destination)}
}
