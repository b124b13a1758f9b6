// Package cognitodir is the pre-sign-up trigger's presignup.Directory over Amazon Cognito's
// API: ListUsers to find the accounts with an address, AdminLinkProviderForUser to link a
// provider identity to one. Both are authorized by IAM, so the trigger's role needs them
// (template.yaml grants them only when linking is on), and the triggers/pre-sign-up main
// builds a Directory only then.
package cognitodir

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/monban-auth/monban/internal/rootcerts"
	"github.com/monban-auth/monban/internal/triggers/presignup"
)

// API is the part of Cognito's client a Directory calls (*cip.Client has it).
type API interface {
	ListUsers(context.Context, *cip.ListUsersInput, ...func(*cip.Options)) (*cip.ListUsersOutput, error)
	AdminLinkProviderForUser(context.Context, *cip.AdminLinkProviderForUserInput, ...func(*cip.Options)) (*cip.AdminLinkProviderForUserOutput, error)
}

// Directory implements presignup.Directory.
type Directory struct {
	api API
}

var _ presignup.Directory = (*Directory)(nil)

// New returns a Directory that calls api.
func New(api API) *Directory { return &Directory{api: api} }

// FromEnv returns a Directory with a Cognito client for the Lambda function's environment:
// the region in AWS_REGION (a trigger runs in its pool's region) and the credentials
// Lambda puts in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN ("Defined
// runtime environment variables", AWS Lambda Developer Guide), without the SDK's default
// chain. AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER (or AWS_ENDPOINT_URL) points it at
// another endpoint, as for the AWS SDKs. Building it makes no call.
func FromEnv(getenv func(string) string) (*Directory, error) {
	region := strings.TrimSpace(getenv("AWS_REGION"))
	if region == "" {
		return nil, errors.New("cognitodir: AWS_REGION is not set")
	}
	o := cip.Options{
		Region: region,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			c := aws.Credentials{
				AccessKeyID:     getenv("AWS_ACCESS_KEY_ID"),
				SecretAccessKey: getenv("AWS_SECRET_ACCESS_KEY"),
				SessionToken:    getenv("AWS_SESSION_TOKEN"),
				Source:          "environment",
			}
			if c.AccessKeyID == "" || c.SecretAccessKey == "" {
				return aws.Credentials{}, errors.New("cognitodir: no AWS credentials in the environment")
			}
			return c, nil
		}),
		// Cognito waits 5 seconds for a trigger: two calls must fit, retries included.
		HTTPClient:       &http.Client{Timeout: 2 * time.Second, Transport: rootcerts.Default()},
		RetryMaxAttempts: 2,
	}
	for _, name := range []string{"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", "AWS_ENDPOINT_URL"} {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			o.BaseEndpoint = aws.String(strings.TrimSuffix(v, "/"))
			break
		}
	}
	return New(cip.New(o)), nil
}

// maxPages bounds the lookup: an address shared by more users than this many pages hold is
// an error, and the trigger links nothing.
const maxPages = 5

// FindByEmail returns the users of poolID whose email is email. It asks for every
// attribute: with AttributesToGet, ListUsers fails when a user lacks one of them
// (AttributesToGet, ListUsers, Amazon Cognito API Reference), and email_verified is unset
// for users of providers that do not map it.
func (d *Directory) FindByEmail(ctx context.Context, poolID, email string) ([]presignup.User, error) {
	if strings.ContainsAny(email, `"\`) {
		return nil, errors.New("ListUsers: the address cannot be put in a filter")
	}
	in := &cip.ListUsersInput{
		UserPoolId: aws.String(poolID),
		Filter:     aws.String(`email = "` + email + `"`),
		Limit:      aws.Int32(60),
	}
	var out []presignup.User
	for range maxPages {
		page, err := d.api.ListUsers(ctx, in)
		if err != nil {
			return nil, apiError("ListUsers", err)
		}
		for _, u := range page.Users {
			out = append(out, user(u))
		}
		if aws.ToString(page.PaginationToken) == "" {
			return out, nil
		}
		in.PaginationToken = page.PaginationToken
	}
	return nil, fmt.Errorf("ListUsers: more than %d pages of users share the address", maxPages)
}

func user(u types.UserType) presignup.User {
	out := presignup.User{Username: aws.ToString(u.Username), Status: string(u.UserStatus)}
	for _, a := range u.Attributes {
		switch aws.ToString(a.Name) {
		case "email":
			out.Email = aws.ToString(a.Value)
		case "email_verified":
			out.EmailVerified = aws.ToString(a.Value) == "true"
		}
	}
	return out
}

// Link calls AdminLinkProviderForUser. The destination is the native user: ProviderName
// Cognito and the username as ProviderAttributeValue (its ProviderAttributeName is
// ignored). The source is the provider identity: its ProviderName, ProviderAttributeName
// Cognito_Subject, with which "Amazon Cognito will automatically parse the default unique
// identifier found in the subject from the IdP token", and the subject as the value
// (SourceUser, AdminLinkProviderForUser, Amazon Cognito API Reference).
func (d *Directory) Link(ctx context.Context, poolID, username string, source presignup.Identity) error {
	_, err := d.api.AdminLinkProviderForUser(ctx, &cip.AdminLinkProviderForUserInput{
		UserPoolId: aws.String(poolID),
		DestinationUser: &types.ProviderUserIdentifierType{
			ProviderName:           aws.String("Cognito"),
			ProviderAttributeValue: aws.String(username),
		},
		SourceUser: &types.ProviderUserIdentifierType{
			ProviderName:           aws.String(source.Provider),
			ProviderAttributeName:  aws.String("Cognito_Subject"),
			ProviderAttributeValue: aws.String(source.Subject),
		},
	})
	if err != nil {
		return apiError("AdminLinkProviderForUser", err)
	}
	return nil
}

// apiError names the operation and, for an error Cognito answered, only its code: Cognito's
// messages can quote what was sent (a filter with the address, a username), and the
// trigger logs these errors. Other errors (the network, a deadline) carry no request
// content and stay whole.
func apiError(op string, err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return fmt.Errorf("%s: %s", op, ae.ErrorCode())
	}
	return fmt.Errorf("%s: %w", op, err)
}
