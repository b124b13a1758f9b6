package lambdaruntime

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/monban-auth/monban/internal/triggers/presignup"
	"github.com/monban-auth/monban/internal/triggers/pretoken"
)

// preSignUpSuite runs the pre-sign-up trigger with an e-mail domain allow-list, so both
// answers (confirm, refuse) show.
var preSignUpSuite = suite{
	env: func(testing.TB) map[string]string {
		return map[string]string{presignup.EnvAllowedEmailDomains: "example.com"}
	},
	coldStart: "sign-up",
	checks: map[string]check{
		"sign-up": func(t *testing.T, _ map[string]string, resp []byte, fnErr *FunctionError) {
			ev := decodeTrigger[events.CognitoEventUserPoolsPreSignup](t, resp, fnErr)
			if !ev.Response.AutoConfirmUser || !ev.Response.AutoVerifyEmail || ev.Response.AutoVerifyPhone {
				t.Errorf("response %+v; want the user confirmed and the e-mail verified", ev.Response)
			}
			if ev.UserPoolID != "eu-west-1_AbCdEf123" || ev.TriggerSource != presignup.SourceSignUp {
				t.Errorf("event header changed: %+v", ev.CognitoEventUserPoolsHeader)
			}
		},
		"sign-up-from-another-domain": func(t *testing.T, _ map[string]string, resp []byte, fnErr *FunctionError) {
			// Cognito hands the message to the caller of SignUp (UserLambdaValidationException).
			if fnErr == nil || fnErr.Message != presignup.MessageDomainNotAllowed {
				t.Errorf("got %s, %v; want the sign-up refused with %q", resp, fnErr, presignup.MessageDomainNotAllowed)
			}
		},
		// aws-lambda-go's pre-token-generation sample: another trigger's event, refused.
		"pre-token-generation-sample": wantFunctionError(`monban's pre-sign-up function received a PreTokenGeneration event ` +
			`(triggerSource "TokenGeneration_Authentication"); it answers only PreSignUp events (triggerSource PreSignUp_…): ` +
			`attach it to the user pool's PreSignUp trigger only, and monban's pre-token-generation function to PreTokenGeneration`),
		"admin-create-user": func(t *testing.T, _ map[string]string, resp []byte, fnErr *FunctionError) {
			ev := decodeTrigger[events.CognitoEventUserPoolsPreSignup](t, resp, fnErr)
			if ev.Response != (events.CognitoEventUserPoolsPreSignupResponse{}) {
				t.Errorf("response %+v; an administrator's user is left alone", ev.Response)
			}
		},
	},
}

// preTokenSuite maps a custom attribute and the groups into claims. The setting also tries
// to set a reserved claim: the function must start all the same (a trigger that fails to
// start fails every sign-in) and leave that claim alone.
var preTokenSuite = suite{
	env: func(testing.TB) map[string]string {
		return map[string]string{pretoken.EnvClaimMappings: "custom:tenant=tenant,groups=roles,custom:tenant=sub"}
	},
	coldStart: "v2-authentication",
	checks: map[string]check{
		"v2-authentication": func(t *testing.T, _ map[string]string, resp []byte, fnErr *FunctionError) {
			ev := decodeTrigger[events.CognitoEventUserPoolsPreTokenGenV2_0](t, resp, fnErr)
			d := ev.Response.ClaimsAndScopeOverrideDetails
			for name, claims := range map[string]map[string]any{
				"ID token":     d.IDTokenGeneration.ClaimsToAddOrOverride,
				"access token": d.AccessTokenGeneration.ClaimsToAddOrOverride,
			} {
				roles, _ := claims["roles"].([]any)
				if claims["tenant"] != "acme" || len(roles) != 2 || roles[0] != "admin" || roles[1] != "staff" || len(claims) != 2 {
					t.Errorf("%s claims %v; want tenant=acme and roles=[admin staff] only", name, claims)
				}
			}
			if !slices.Equal(d.GroupOverrideDetails.GroupsToOverride, []string{"admin", "staff"}) {
				t.Errorf("groups %v; want them kept", d.GroupOverrideDetails.GroupsToOverride)
			}
		},
		// aws-lambda-go's pre-sign-up sample: refused, not answered as a token event.
		"pre-sign-up-sample": wantFunctionError(`monban's pre-token-generation function received a PreSignUp event ` +
			`(triggerSource "PreSignUp_SignUp"); it answers only PreTokenGeneration events (triggerSource TokenGeneration_…): ` +
			`attach it to the user pool's PreTokenGeneration trigger only, and monban's pre-sign-up function to PreSignUp`),
		"v1-refresh": func(t *testing.T, _ map[string]string, resp []byte, fnErr *FunctionError) {
			ev := decodeTrigger[events.CognitoEventUserPoolsPreTokenGen](t, resp, fnErr)
			claims := ev.Response.ClaimsOverrideDetails.ClaimsToAddOrOverride
			if claims["tenant"] != "acme" || claims["roles"] != "admin staff" || len(claims) != 2 {
				t.Errorf("ID token claims %v; want tenant=acme and roles=\"admin staff\" only", claims)
			}
		},
	},
}

// decodeTrigger decodes a trigger's answer: the event it was sent, response filled in.
func decodeTrigger[E any](t *testing.T, resp []byte, fnErr *FunctionError) E {
	t.Helper()
	var ev E
	if fnErr != nil {
		t.Fatalf("function error %v", fnErr)
	}
	if err := json.Unmarshal(resp, &ev); err != nil {
		t.Fatalf("answer %s: %v", resp, err)
	}
	return ev
}
