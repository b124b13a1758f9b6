package cognito

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/monban-auth/monban/internal/auth"
)

// Each account call goes out as the one SDK call it names, with the user's access token
// and what the port was given, and Cognito's answer comes back in the port's terms.
func TestProfileCallsSendAndDecode(t *testing.T) {
	ctx := context.Background()
	f := newFake()
	p := pool(f, UserPoolConfig{ClientSecret: secret, AdminAuth: true}) // neither changes these calls
	f.user = cip.GetUserOutput{Username: aws.String("sub-1"), UserAttributes: []types.AttributeType{
		{Name: aws.String("sub"), Value: aws.String("sub-1")},
		{Name: aws.String("email"), Value: aws.String("ann@example.com")},
		{Name: aws.String("email_verified"), Value: aws.String("true")},
		{Name: aws.String("custom:tier"), Value: aws.String("gold")},
		{Name: aws.String("no value")},
	}}
	got, err := p.Profile(ctx, "at")
	want := &auth.Profile{Username: "sub-1", Attributes: map[string]string{
		"sub": "sub-1", "email": "ann@example.com", "email_verified": "true", "custom:tier": "gold",
	}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("profile %+v %v, want %+v", got, err, want)
	}
	if in := f.in["GetUser"].(*cip.GetUserInput); aws.ToString(in.AccessToken) != "at" {
		t.Fatalf("GetUser input %+v", in)
	}

	f.update = cip.UpdateUserAttributesOutput{CodeDeliveryDetailsList: []types.CodeDeliveryDetailsType{
		{AttributeName: aws.String("email"), DeliveryMedium: types.DeliveryMediumTypeEmail, Destination: aws.String("n***@e***")},
	}}
	deliveries, err := p.UpdateAttributes(ctx, "at", map[string]string{"name": "Ann", "email": "new@example.com", "locale": ""})
	if err != nil || !reflect.DeepEqual(deliveries, []auth.Delivery{{Medium: "EMAIL", Destination: "n***@e***"}}) {
		t.Fatalf("update: %+v %v", deliveries, err)
	}
	in := f.in["UpdateUserAttributes"].(*cip.UpdateUserAttributesInput)
	var sent []string
	for _, a := range in.UserAttributes {
		sent = append(sent, aws.ToString(a.Name)+"="+aws.ToString(a.Value))
	}
	// Sorted by name; an empty value goes as it is (Cognito deletes that attribute).
	if aws.ToString(in.AccessToken) != "at" || !reflect.DeepEqual(sent, []string{"email=new@example.com", "locale=", "name=Ann"}) {
		t.Fatalf("UpdateUserAttributes input: token %q, attributes %v", aws.ToString(in.AccessToken), sent)
	}
	f.update = cip.UpdateUserAttributesOutput{}
	if deliveries, err := p.UpdateAttributes(ctx, "at", map[string]string{"name": "Ann"}); err != nil || deliveries == nil || len(deliveries) != 0 {
		t.Fatalf("no code sent must be an empty list: %#v %v", deliveries, err)
	}

	if err := p.VerifyAttribute(ctx, "at", "email", "123456"); err != nil {
		t.Fatal(err)
	}
	if in := f.in["VerifyUserAttribute"].(*cip.VerifyUserAttributeInput); aws.ToString(in.AccessToken) != "at" ||
		aws.ToString(in.AttributeName) != "email" || aws.ToString(in.Code) != "123456" {
		t.Fatalf("VerifyUserAttribute input %+v", in)
	}

	f.attrCode = cip.GetUserAttributeVerificationCodeOutput{CodeDeliveryDetails: &types.CodeDeliveryDetailsType{
		AttributeName: aws.String("email"), DeliveryMedium: types.DeliveryMediumTypeEmail, Destination: aws.String("n***@e***"),
	}}
	d, err := p.SendAttributeCode(ctx, "at", "email")
	if err != nil || d == nil || *d != (auth.Delivery{Medium: "EMAIL", Destination: "n***@e***"}) {
		t.Fatalf("send code: %+v %v", d, err)
	}
	if in := f.in["GetUserAttributeVerificationCode"].(*cip.GetUserAttributeVerificationCodeInput); aws.ToString(in.AccessToken) != "at" || aws.ToString(in.AttributeName) != "email" {
		t.Fatalf("GetUserAttributeVerificationCode input %+v", in)
	}
	f.attrCode = cip.GetUserAttributeVerificationCodeOutput{}
	if d, err := p.SendAttributeCode(ctx, "at", "email"); err != nil || d != nil {
		t.Fatalf("no delivery details: %+v %v", d, err)
	}

	if err := p.DeleteUser(ctx, "at"); err != nil {
		t.Fatal(err)
	}
	if in := f.in["DeleteUser"].(*cip.DeleteUserInput); aws.ToString(in.AccessToken) != "at" {
		t.Fatalf("DeleteUser input %+v", in)
	}
	wantCalls := []string{"GetUser", "UpdateUserAttributes", "UpdateUserAttributes", "VerifyUserAttribute",
		"GetUserAttributeVerificationCode", "GetUserAttributeVerificationCode", "DeleteUser"}
	if !reflect.DeepEqual(f.calls, wantCalls) {
		t.Fatalf("calls %v, want %v", f.calls, wantCalls)
	}
}

// Cognito's refusals of each account call, as the port's reasons. NotAuthorizedException
// carries only the access token to refuse, except from UpdateUserAttributes, where
// Cognito's wording tells an attribute the app client may not write.
func TestProfileCallsRefusals(t *testing.T) {
	ctx := context.Background()
	calls := map[string]func(p *UserPool) error{
		"GetUser": func(p *UserPool) error { _, err := p.Profile(ctx, "at"); return err },
		"UpdateUserAttributes": func(p *UserPool) error {
			_, err := p.UpdateAttributes(ctx, "at", map[string]string{"email": "new@example.com"})
			return err
		},
		"VerifyUserAttribute": func(p *UserPool) error { return p.VerifyAttribute(ctx, "at", "email", "123456") },
		"GetUserAttributeVerificationCode": func(p *UserPool) error {
			_, err := p.SendAttributeCode(ctx, "at", "email")
			return err
		},
		"DeleteUser": func(p *UserPool) error { return p.DeleteUser(ctx, "at") },
	}
	notAuthorized := func(msg string) error { return &types.NotAuthorizedException{Message: aws.String(msg)} }
	cases := []struct {
		op   string
		err  error
		want auth.Reason
	}{
		{"GetUser", notAuthorized("Access Token has been revoked"), auth.ReasonTokenRevoked},
		{"GetUser", notAuthorized("Invalid Access Token"), auth.ReasonTokenRevoked},
		{"GetUser", &types.UserNotFoundException{Message: aws.String("User does not exist.")}, auth.ReasonUserNotFound},
		{"GetUser", &types.TooManyRequestsException{}, auth.ReasonTooManyRequests},
		{"UpdateUserAttributes", notAuthorized("A client attempted to write unauthorized attribute"), auth.ReasonAttributeNotWritable},
		{"UpdateUserAttributes", notAuthorized("Access Token has been revoked"), auth.ReasonTokenRevoked},
		{"UpdateUserAttributes", notAuthorized("Access Token has expired"), auth.ReasonTokenRevoked},
		{"UpdateUserAttributes", &types.AliasExistsException{Message: aws.String("An account with the given email already exists.")}, auth.ReasonAliasExists},
		{"UpdateUserAttributes", &types.InvalidParameterException{Message: aws.String("Invalid email address format.")}, auth.ReasonInvalidParameter},
		{"UpdateUserAttributes", &types.CodeDeliveryFailureException{}, auth.ReasonDeliveryFailed},
		{"UpdateUserAttributes", &types.UserLambdaValidationException{Message: aws.String("PreSignUp failed with error x.")}, auth.ReasonRejected},
		{"VerifyUserAttribute", &types.CodeMismatchException{Message: aws.String("Invalid verification code provided, please try again.")}, auth.ReasonCodeMismatch},
		{"VerifyUserAttribute", &types.ExpiredCodeException{}, auth.ReasonExpiredCode},
		{"VerifyUserAttribute", &types.AliasExistsException{}, auth.ReasonAliasExists},
		{"VerifyUserAttribute", &types.LimitExceededException{}, auth.ReasonLimitExceeded},
		{"VerifyUserAttribute", notAuthorized("A client attempted to write unauthorized attribute"), auth.ReasonTokenRevoked},
		{"VerifyUserAttribute", notAuthorized("Access Token has been revoked"), auth.ReasonTokenRevoked},
		{"GetUserAttributeVerificationCode", &types.LimitExceededException{}, auth.ReasonLimitExceeded},
		{"GetUserAttributeVerificationCode", &types.CodeDeliveryFailureException{}, auth.ReasonDeliveryFailed},
		{"GetUserAttributeVerificationCode", &types.InvalidParameterException{Message: aws.String("User has no attribute matching desired auto verified attributes")}, auth.ReasonInvalidParameter},
		{"GetUserAttributeVerificationCode", notAuthorized("Access Token has been revoked"), auth.ReasonTokenRevoked},
		{"DeleteUser", notAuthorized("Access Token has been revoked"), auth.ReasonTokenRevoked},
		{"DeleteUser", &types.UserNotFoundException{}, auth.ReasonUserNotFound},
		{"DeleteUser", &smithy.GenericAPIError{Code: "InternalErrorException", Fault: smithy.FaultServer}, auth.ReasonUnavailable},
		{"DeleteUser", context.DeadlineExceeded, auth.ReasonUnavailable},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s %T %s", c.op, c.err, Message(c.err)), func(t *testing.T) {
			f := newFake()
			f.err[c.op] = fmt.Errorf("operation error: %w", c.err)
			err := calls[c.op](pool(f, UserPoolConfig{}))
			if got := reasonOf(t, err); got != c.want {
				t.Fatalf("%v: reason %s, want %s", err, got, c.want)
			}
			if len(f.calls) != 1 || f.calls[0] != c.op {
				t.Fatalf("calls %v", f.calls)
			}
		})
	}
}

func TestUnwritableAttributeWording(t *testing.T) {
	for msg, want := range map[string]bool{
		"A client attempted to write unauthorized attribute": true,
		"a client attempted to write UNAUTHORIZED ATTRIBUTE": true,
		"Access Token has been revoked":                      false,
		"Invalid Access Token":                               false,
		"":                                                   false,
	} {
		if got := unwritableAttribute(msg); got != want {
			t.Errorf("unwritableAttribute(%q) = %v, want %v", msg, got, want)
		}
	}
}
