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

// ProfileAPI is the part of API that a user's own account needs besides GetUser (part of
// API, named for its callers). Every call is authorized by the user's access token alone.
type ProfileAPI interface {
	UpdateUserAttributes(context.Context, *cip.UpdateUserAttributesInput, ...func(*cip.Options)) (*cip.UpdateUserAttributesOutput, error)
	VerifyUserAttribute(context.Context, *cip.VerifyUserAttributeInput, ...func(*cip.Options)) (*cip.VerifyUserAttributeOutput, error)
	GetUserAttributeVerificationCode(context.Context, *cip.GetUserAttributeVerificationCodeInput, ...func(*cip.Options)) (*cip.GetUserAttributeVerificationCodeOutput, error)
	DeleteUser(context.Context, *cip.DeleteUserInput, ...func(*cip.Options)) (*cip.DeleteUserOutput, error)
}

// Profile reads the user's username and attributes with GetUser: the attributes the app
// client may read (ReadAttributes), "sub" among them. A refused access token is
// ReasonTokenRevoked; a deleted user, ReasonUserNotFound.
func (p *UserPool) Profile(ctx context.Context, accessToken string) (*auth.Profile, error) {
	out, err := p.api.GetUser(ctx, &cip.GetUserInput{AccessToken: &accessToken})
	if err != nil {
		return nil, tokenError("get user", err)
	}
	return &auth.Profile{Username: aws.ToString(out.Username), Attributes: attributeMap(out.UserAttributes)}, nil
}

// UpdateAttributes writes attributes with UpdateUserAttributes (an empty value deletes the
// attribute, as the API reference says). Where the pool verifies a changed address before
// it takes effect (UserAttributeUpdateSettings), Cognito keeps the new value pending and
// sends a code; CodeDeliveryDetailsList says where, and is empty when no code went out.
// An attribute outside the app client's WriteAttributes is ReasonAttributeNotWritable
// (see unwritableAttribute); any other NotAuthorizedException is a refused access token.
func (p *UserPool) UpdateAttributes(ctx context.Context, accessToken string, attributes map[string]string) ([]auth.Delivery, error) {
	// Sorted, so one update is always the same request.
	attrs := make([]types.AttributeType, 0, len(attributes))
	for _, k := range slices.Sorted(maps.Keys(attributes)) {
		attrs = append(attrs, types.AttributeType{Name: aws.String(k), Value: aws.String(attributes[k])})
	}
	out, err := p.api.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: &accessToken, UserAttributes: attrs})
	if err != nil {
		pe := tokenError("update user attributes", err)
		if ErrorCode(err) == "NotAuthorizedException" && unwritableAttribute(pe.Message) {
			pe.Reason = auth.ReasonAttributeNotWritable
		}
		return nil, pe
	}
	deliveries := make([]auth.Delivery, 0, len(out.CodeDeliveryDetailsList))
	for i := range out.CodeDeliveryDetailsList {
		deliveries = append(deliveries, *delivery(&out.CodeDeliveryDetailsList[i]))
	}
	return deliveries, nil
}

// VerifyAttribute confirms attribute with the code sent for it (VerifyUserAttribute): the
// attribute becomes verified, and a pending change takes effect. A wrong code is
// ReasonCodeMismatch, an old one ReasonExpiredCode; the address now held by another account
// is ReasonAliasExists.
func (p *UserPool) VerifyAttribute(ctx context.Context, accessToken, attribute, code string) error {
	_, err := p.api.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: &accessToken, AttributeName: &attribute, Code: &code})
	if err != nil {
		return tokenError("verify user attribute", err)
	}
	return nil
}

// SendAttributeCode sends attribute's verification code again with
// GetUserAttributeVerificationCode (to the pending value, when a change waits for it). The
// delivery is nil when Cognito gives no details.
func (p *UserPool) SendAttributeCode(ctx context.Context, accessToken, attribute string) (*auth.Delivery, error) {
	out, err := p.api.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{AccessToken: &accessToken, AttributeName: &attribute})
	if err != nil {
		return nil, tokenError("get user attribute verification code", err)
	}
	return delivery(out.CodeDeliveryDetails), nil
}

// DeleteUser deletes the access token's user with DeleteUser. Cognito then refuses the
// user's tokens; a token already refused is ReasonTokenRevoked.
func (p *UserPool) DeleteUser(ctx context.Context, accessToken string) error {
	if _, err := p.api.DeleteUser(ctx, &cip.DeleteUserInput{AccessToken: &accessToken}); err != nil {
		return tokenError("delete user", err)
	}
	return nil
}

// attributeMap is Cognito's attribute list as a map (an attribute without a name or value
// is left out).
func attributeMap(list []types.AttributeType) map[string]string {
	attrs := make(map[string]string, len(list))
	for _, a := range list {
		if a.Name != nil && a.Value != nil {
			attrs[*a.Name] = *a.Value
		}
	}
	return attrs
}
