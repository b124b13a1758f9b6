package cognito

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/document"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	smithydocument "github.com/aws/smithy-go/document"

	"github.com/monban-auth/monban/internal/auth"
)

// WebAuthnAPI is the part of API that passkeys need (part of API, named for its callers).
type WebAuthnAPI interface {
	StartWebAuthnRegistration(context.Context, *cip.StartWebAuthnRegistrationInput, ...func(*cip.Options)) (*cip.StartWebAuthnRegistrationOutput, error)
	CompleteWebAuthnRegistration(context.Context, *cip.CompleteWebAuthnRegistrationInput, ...func(*cip.Options)) (*cip.CompleteWebAuthnRegistrationOutput, error)
	ListWebAuthnCredentials(context.Context, *cip.ListWebAuthnCredentialsInput, ...func(*cip.Options)) (*cip.ListWebAuthnCredentialsOutput, error)
	DeleteWebAuthnCredential(context.Context, *cip.DeleteWebAuthnCredentialInput, ...func(*cip.Options)) (*cip.DeleteWebAuthnCredentialOutput, error)
}

const (
	// passkeyPageSize is ListWebAuthnCredentials' largest MaxResults.
	passkeyPageSize = 20
	// passkeyPages bounds the pages read: far more passkeys than anyone registers, and no
	// endless loop on a pool that keeps answering with a NextToken.
	passkeyPages = 10
)

// StartSignIn starts a choice-based sign-in: AuthFlow USER_AUTH with USERNAME, SECRET_HASH
// and, when one is asked for, PREFERRED_CHALLENGE (InitiateAuth in the API reference).
// Cognito answers with the preferred factor's challenge, SELECT_CHALLENGE and its
// AvailableChallenges, or tokens. AdminInitiateAuth takes USER_AUTH too, so an app client
// that signs in as an administrator does so here as well, and its answers go through
// AdminRespondToAuthChallenge like every other challenge. An app client without
// ALLOW_USER_AUTH is ReasonNotEnabled.
func (p *UserPool) StartSignIn(ctx context.Context, username, preferred string) (*auth.Step, error) {
	params := map[string]string{"USERNAME": username}
	if preferred != "" {
		params["PREFERRED_CHALLENGE"] = preferred
	}
	// USER_AUTH is its own flow for AdminInitiateAuth too.
	return p.initiateAuth(ctx, username, params, types.AuthFlowTypeUserAuth, types.AuthFlowTypeUserAuth, userAuthError)
}

// userAuthError is poolError for a USER_AUTH start. The API reference names the condition
// (an app client whose ExplicitAuthFlows lack ALLOW_USER_AUTH) but not the message; Cognito
// says "USER_AUTH flow not enabled for this client" ("Auth flow not enabled for this client"
// from AdminInitiateAuth) in an InvalidParameterException. Any other wording stays
// ReasonInvalidParameter.
func userAuthError(op string, err error) *auth.PoolError {
	pe := poolError(op, err)
	if pe.Reason == auth.ReasonInvalidParameter && strings.Contains(strings.ToLower(pe.Message), "flow not enabled") {
		pe.Reason = auth.ReasonNotEnabled
	}
	return pe
}

// StartPasskeyRegistration asks StartWebAuthnRegistration for the creation options of a new
// passkey: CredentialCreationOptions, a document holding a
// PublicKeyCredentialCreationOptionsJSON, returned as that JSON object.
func (p *UserPool) StartPasskeyRegistration(ctx context.Context, accessToken string) (json.RawMessage, error) {
	const op = "start WebAuthn registration"
	api := p.api
	out, err := api.StartWebAuthnRegistration(ctx, &cip.StartWebAuthnRegistrationInput{AccessToken: &accessToken})
	if err != nil {
		return nil, tokenError(op, err)
	}
	if out.CredentialCreationOptions == nil {
		return nil, &auth.PoolError{Reason: auth.ReasonUnknown, Err: errors.New(op + ": answered without creation options")}
	}
	raw, err := out.CredentialCreationOptions.MarshalSmithyDocument()
	if err != nil {
		return nil, &auth.PoolError{Reason: auth.ReasonUnknown, Err: fmt.Errorf("%s: creation options: %w", op, err)}
	}
	options, err := jsonObject(string(raw))
	if err != nil {
		return nil, &auth.PoolError{Reason: auth.ReasonUnknown, Err: fmt.Errorf("%s: creation options: %w", op, err)}
	}
	return options, nil
}

// CompletePasskeyRegistration sends the authenticator's RegistrationResponseJSON to
// CompleteWebAuthnRegistration. Its Credential is a document: the SDK writes it into the
// request as the JSON value itself, so it goes as an object, not as a string holding one.
// NotAuthorizedException is told apart by its message, as for ChangePassword: a refused
// access token is ReasonTokenRevoked, anything else ReasonNotAuthorized. A credential that
// is not a JSON object is ReasonInvalidParameter, without a call.
func (p *UserPool) CompletePasskeyRegistration(ctx context.Context, accessToken string, credential json.RawMessage) error {
	const op = "complete WebAuthn registration"
	api := p.api
	doc, err := jsonDocument(credential)
	if err != nil {
		return &auth.PoolError{Reason: auth.ReasonInvalidParameter, Err: fmt.Errorf("%s: credential: %w", op, err)}
	}
	_, err = api.CompleteWebAuthnRegistration(ctx, &cip.CompleteWebAuthnRegistrationInput{
		AccessToken: &accessToken, Credential: document.NewLazyDocument(doc),
	})
	if err != nil {
		return poolError(op, err)
	}
	return nil
}

// jsonDocument decodes a JSON object into what the SDK's document encoder writes back
// unchanged: maps, slices, strings, booleans, nil, and numbers as smithy document.Numbers
// (their literal text, so none is rounded through a float).
func jsonDocument(raw json.RawMessage) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, errors.New("not JSON")
	}
	if d.More() {
		return nil, errors.New("more than one JSON value")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not a JSON object")
	}
	return numbers(obj).(map[string]any), nil
}

// numbers replaces json.Numbers, which the document encoder would write as strings, with
// document.Numbers.
func numbers(v any) any {
	switch v := v.(type) {
	case json.Number:
		return smithydocument.Number(v)
	case map[string]any:
		for k, e := range v {
			v[k] = numbers(e)
		}
	case []any:
		for i, e := range v {
			v[i] = numbers(e)
		}
	}
	return v
}

// ListPasskeys lists the user's passkeys with ListWebAuthnCredentials, page by page
// (NextToken), at most passkeyPages pages of passkeyPageSize.
func (p *UserPool) ListPasskeys(ctx context.Context, accessToken string) ([]auth.Passkey, error) {
	const op = "list WebAuthn credentials"
	api := p.api
	passkeys := []auth.Passkey{}
	var next *string
	for range passkeyPages {
		out, err := api.ListWebAuthnCredentials(ctx, &cip.ListWebAuthnCredentialsInput{
			AccessToken: &accessToken, MaxResults: aws.Int32(passkeyPageSize), NextToken: next,
		})
		if err != nil {
			return nil, tokenError(op, err)
		}
		for _, c := range out.Credentials {
			passkeys = append(passkeys, passkeyOf(c))
		}
		if aws.ToString(out.NextToken) == "" {
			break
		}
		next = out.NextToken
	}
	return passkeys, nil
}

func passkeyOf(c types.WebAuthnCredentialDescription) auth.Passkey {
	pk := auth.Passkey{
		ID:             aws.ToString(c.CredentialId),
		Name:           aws.ToString(c.FriendlyCredentialName),
		RelyingPartyID: aws.ToString(c.RelyingPartyId),
		Attachment:     aws.ToString(c.AuthenticatorAttachment),
		Transports:     append([]string{}, c.AuthenticatorTransports...),
	}
	if c.CreatedAt != nil {
		pk.CreatedAt = c.CreatedAt.UTC()
	}
	return pk
}

// DeletePasskey deletes one of the user's passkeys with DeleteWebAuthnCredential; an id the
// pool does not know (ResourceNotFoundException) is ReasonNotFound.
func (p *UserPool) DeletePasskey(ctx context.Context, accessToken, id string) error {
	const op = "delete WebAuthn credential"
	api := p.api
	if _, err := api.DeleteWebAuthnCredential(ctx, &cip.DeleteWebAuthnCredentialInput{AccessToken: &accessToken, CredentialId: &id}); err != nil {
		return tokenError(op, err)
	}
	return nil
}
