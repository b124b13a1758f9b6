package devstack_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/document"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/monban-auth/monban/internal/cognito"
	"github.com/monban-auth/monban/internal/devstack"
	"github.com/monban-auth/monban/internal/devstack/devstacktest"
	"github.com/monban-auth/monban/internal/passkey/passkeytest"
	"github.com/monban-auth/monban/internal/token"
	"github.com/monban-auth/monban/internal/tokentest"
	"github.com/monban-auth/monban/internal/triggers/pretoken"
)

// Passwordless sign-ins through the stack's API front end with the emulator's own tokens:
// its JWKS verifies them, its pre-token-generation trigger has run, and its refresh tokens
// work.
func TestPasswordlessSignInOnTheStack(t *testing.T) {
	const site, email = "http://localhost:8080", "paula@example.com"
	stack := devstacktest.Start(t, devstack.StackOptions{
		SiteURL:    site,
		Users:      []devstack.User{{Email: email, Password: triggerTestPassword, Groups: []string{"editors"}}},
		TriggerEnv: map[string]string{pretoken.EnvClaimMappings: "groups=roles"},
	})
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	p := stack.Pool
	api := devstack.NewCognitoClient(stack.CognitoAPI.URL)
	client, err := devstack.NewCognitoClient(stack.Cognito.URL).DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: &p.ID, ClientId: &p.ClientID})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(client.UserPoolClient.ExplicitAuthFlows, types.ExplicitAuthFlowsTypeAllowUserAuth) {
		t.Fatalf("the stack's app client does not allow USER_AUTH (ExplicitAuthFlows %v): choice-based sign-in is refused as Cognito refuses it", client.UserPoolClient.ExplicitAuthFlows)
	}
	pool, err := devstack.NewCognitoClient(stack.Cognito.URL).DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &p.ID})
	if err != nil {
		t.Fatal(err)
	}
	var factors []types.AuthFactorType
	if pol := pool.UserPool.Policies; pol != nil && pol.SignInPolicy != nil {
		factors = pol.SignInPolicy.AllowedFirstAuthFactors
	}
	if !slices.Contains(factors, types.AuthFactorTypeEmailOtp) || !slices.Contains(factors, types.AuthFactorTypeWebAuthn) {
		t.Fatalf("the stack's pool does not allow e-mail codes and passkeys (SignInPolicy AllowedFirstAuthFactors %v)", factors)
	}
	hash := cognito.SecretHash(p.ClientID, p.ClientSecret, email)
	verifier, err := token.NewVerifier(token.Config{Issuer: p.Issuer, JWKSURL: p.JWKSURL, ClientID: p.ClientID})
	if err != nil {
		t.Fatal(err)
	}
	start := func(preferred string) *cip.InitiateAuthOutput {
		t.Helper()
		out, err := api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &p.ClientID, AuthFlow: types.AuthFlowTypeUserAuth,
			AuthParameters: map[string]string{"USERNAME": email, "SECRET_HASH": hash, "PREFERRED_CHALLENGE": preferred}})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	respond := func(name types.ChallengeNameType, session *string, kv ...string) *types.AuthenticationResultType {
		t.Helper()
		r := map[string]string{"USERNAME": email, "SECRET_HASH": hash}
		for i := 0; i+1 < len(kv); i += 2 {
			r[kv[i]] = kv[i+1]
		}
		out, err := api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &p.ClientID, ChallengeName: name, Session: session, ChallengeResponses: r})
		if err != nil || out.AuthenticationResult == nil {
			t.Fatalf("%s: %+v %v", name, out, err)
		}
		return out.AuthenticationResult
	}
	verified := func(r *types.AuthenticationResultType) string {
		t.Helper()
		access, err := verifier.VerifyAccess(ctx, aws.ToString(r.AccessToken))
		if err != nil {
			t.Fatalf("the access token: %v", err)
		}
		id, err := verifier.VerifyID(ctx, aws.ToString(r.IdToken), "", true)
		if err != nil {
			t.Fatalf("the ID token: %v", err)
		}
		claims := tokentest.Claims(t, aws.ToString(r.IdToken))
		if roles, _ := claims["roles"].([]any); id.Email != email || len(roles) != 1 || roles[0] != "editors" {
			t.Fatalf("the ID token's claims (the trigger's roles missing?): %v", claims)
		}
		refreshed, err := api.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &p.ClientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
			AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(r.RefreshToken), "SECRET_HASH": cognito.SecretHash(p.ClientID, p.ClientSecret, access.Username)}})
		if err != nil || refreshed.AuthenticationResult == nil {
			t.Fatalf("refresh: %v", err)
		}
		return aws.ToString(r.AccessToken)
	}

	otp := start("EMAIL_OTP")
	if otp.ChallengeName != types.ChallengeNameTypeEmailOtp || otp.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != "p***@e***" {
		t.Fatalf("%+v", otp)
	}
	accessToken := verified(respond(types.ChallengeNameTypeEmailOtp, otp.Session, "EMAIL_OTP_CODE", devstack.ConfirmationCode))

	// A passkey, registered with the access token, then signed in with.
	auth := passkeytest.New()
	reg, err := api.StartWebAuthnRegistration(ctx, &cip.StartWebAuthnRegistrationInput{AccessToken: &accessToken})
	if err != nil {
		t.Fatal(err)
	}
	options, _ := reg.CredentialCreationOptions.MarshalSmithyDocument()
	created, err := auth.Create(site, options)
	if err != nil {
		t.Fatal(err)
	}
	var credential map[string]any
	json.Unmarshal(created, &credential)
	if _, err := api.CompleteWebAuthnRegistration(ctx, &cip.CompleteWebAuthnRegistrationInput{AccessToken: &accessToken, Credential: document.NewLazyDocument(credential)}); err != nil {
		t.Fatal(err)
	}
	choice := start("")
	if !slices.Equal(choice.AvailableChallenges, []types.ChallengeNameType{"WEB_AUTHN", "EMAIL_OTP", "PASSWORD"}) {
		t.Fatalf("%v", choice.AvailableChallenges)
	}
	web := start("WEB_AUTHN")
	assertion, err := auth.Get(site, json.RawMessage(web.ChallengeParameters["CREDENTIAL_REQUEST_OPTIONS"]))
	if err != nil {
		t.Fatal(err)
	}
	verified(respond(types.ChallengeNameTypeWebAuthn, web.Session, "CREDENTIAL", string(assertion)))

	// The password, through the choice.
	verified(respond(types.ChallengeNameTypeSelectChallenge, start("").Session, "ANSWER", "PASSWORD", "PASSWORD", triggerTestPassword))
}
