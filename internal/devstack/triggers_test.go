package devstack_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/monban-auth/monban/internal/cognito"
	"github.com/monban-auth/monban/internal/devstack"
	"github.com/monban-auth/monban/internal/devstack/devstacktest"
	"github.com/monban-auth/monban/internal/tokentest"
	"github.com/monban-auth/monban/internal/triggers/presignup"
	"github.com/monban-auth/monban/internal/triggers/pretoken"
)

const triggerTestPassword = "Corr3ct-Horse!"

// The triggers run inside the local stack: cognito-local invokes them through the Invoke
// endpoint, and the real SDK sees what an app would see.
func TestTriggersThroughCognitoLocal(t *testing.T) {
	stack := devstacktest.Start(t, devstack.StackOptions{
		SiteURL: "http://127.0.0.1:8787",
		TriggerEnv: map[string]string{
			presignup.EnvAllowedEmailDomains: "example.com",
			pretoken.EnvClaimMappings:        "groups=roles,custom:tenant=tenant",
		},
	})
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	c := devstack.NewCognitoClient(stack.Cognito.URL)
	p := stack.Pool
	signUp := func(email string) (*cip.SignUpOutput, error) {
		return c.SignUp(ctx, &cip.SignUpInput{
			ClientId:       aws.String(p.ClientID),
			SecretHash:     aws.String(cognito.SecretHash(p.ClientID, p.ClientSecret, email)),
			Username:       aws.String(email),
			Password:       aws.String(triggerTestPassword),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}},
		})
	}

	cases := []struct {
		name   string
		email  string
		reject string // the trigger's message, or "" for a confirmed sign-up
	}{
		{name: "a sign-up from the allowed domain is confirmed and verified without a code", email: "erin@example.com"},
		{name: "the allowed domain matches whatever its case", email: "frank@EXAMPLE.com"},
		{name: "a sign-up from another domain is refused with the trigger's message", email: "mallory@elsewhere.example", reject: presignup.MessageDomainNotAllowed},
		{name: "a subdomain of the allowed domain is another domain", email: "mallory@mail.example.com", reject: presignup.MessageDomainNotAllowed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := signUp(tc.email)
			if tc.reject != "" {
				var lambdaErr *types.UserLambdaValidationException
				if !errors.As(err, &lambdaErr) {
					t.Fatalf("SignUp error = %v, want UserLambdaValidationException", err)
				}
				if msg, ok := cognito.TriggerRejection(err); !ok || msg != tc.reject {
					t.Fatalf("TriggerRejection = %q, %v; want %q (Cognito said %q)", msg, ok, tc.reject, aws.ToString(lambdaErr.Message))
				}
				var notFound *types.UserNotFoundException
				if _, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(p.ID), Username: aws.String(tc.email)}); !errors.As(err, &notFound) {
					t.Fatalf("a refused sign-up left a user behind (AdminGetUser: %v)", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("SignUp: %v\n%s", err, stack.Cognito.Output())
			}
			if !out.UserConfirmed {
				t.Error("SignUp says the user is not confirmed")
			}
			u, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(p.ID), Username: aws.String(tc.email)})
			if err != nil {
				t.Fatal(err)
			}
			if u.UserStatus != types.UserStatusTypeConfirmed {
				t.Errorf("UserStatus = %s, want CONFIRMED", u.UserStatus)
			}
			if v := attribute(u.UserAttributes, "email_verified"); v != "true" {
				t.Errorf("email_verified = %q, want true", v)
			}
		})
	}

	t.Run("the ID token carries the claims mapped from a group and a custom attribute", func(t *testing.T) {
		const email = "grace@example.com"
		if _, err := signUp(email); err != nil {
			t.Fatal(err)
		}
		u, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(p.ID), Username: aws.String(email)})
		if err != nil {
			t.Fatal(err)
		}
		// An administrator sets the tenant and the group; users cannot write either.
		if _, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(p.ID), GroupName: aws.String("editors")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(p.ID), Username: u.Username, GroupName: aws.String("editors")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
			UserPoolId: aws.String(p.ID), Username: u.Username,
			UserAttributes: []types.AttributeType{{Name: aws.String("custom:tenant"), Value: aws.String("acme")}},
		}); err != nil {
			t.Fatal(err)
		}
		out, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{
			ClientId: aws.String(p.ClientID),
			AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{
				"USERNAME":    email,
				"PASSWORD":    triggerTestPassword,
				"SECRET_HASH": cognito.SecretHash(p.ClientID, p.ClientSecret, email),
			},
		})
		if err != nil {
			t.Fatalf("InitiateAuth: %v\n%s", err, stack.Cognito.Output())
		}
		if out.AuthenticationResult == nil {
			t.Fatalf("InitiateAuth answered a challenge (%s), not tokens", out.ChallengeName)
		}
		claims := tokentest.Claims(t, aws.ToString(out.AuthenticationResult.IdToken))
		// The stack asks the handler in V2_0, as a deployed pool does: roles is an array.
		if roles, _ := claims["roles"].([]any); len(roles) != 1 || roles[0] != "editors" || claims["tenant"] != "acme" {
			t.Fatalf("ID token roles = %v, tenant = %v; want editors, acme (claims %v)", claims["roles"], claims["tenant"], claims)
		}
		if claims["sub"] != aws.ToString(u.Username) || claims["token_use"] != "id" {
			t.Fatalf("reserved claims changed: sub %v, token_use %v", claims["sub"], claims["token_use"])
		}
	})
}

func attribute(attrs []types.AttributeType, name string) string {
	for _, a := range attrs {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value)
		}
	}
	return ""
}
