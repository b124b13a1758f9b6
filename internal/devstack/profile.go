package devstack

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
)

// A user's own account on the local stack. cognito-local 5.3.0 has GetUser,
// UpdateUserAttributes, VerifyUserAttribute, GetUserAttributeVerificationCode and DeleteUser
// (lib/targets/), and keeps a changed e-mail address pending until verified where the pool's
// UserAttributeUpdateSettings say so, with the code ConfirmationCode. Checked against the
// Cognito API reference, it differs in three ways the front makes up for, as Cognito answers:
//
//   - UpdateUserAttributes: the emulator ignores the app client's WriteAttributes (its
//     validatePermittedAttributeChanges checks only the pool's schema), so the front refuses
//     an attribute outside them with NotAuthorizedException "A client attempted to write
//     unauthorized attribute" (Cognito's wording, as reported from AWS in
//     aws/aws-sdk-js#1319), before the emulator sees the request. Without WriteAttributes an
//     app client may write the standard attributes only ("When you don't specify the
//     WriteAttributes for your app client, your app can write the values of the Standard
//     attributes of your user pool", UserPoolClientType). The access token is verified as
//     for GlobalSignOut (the emulator only decodes it).
//   - Its CodeDeliveryDetailsList names the address unmasked; Cognito masks it, as in
//     every CodeDeliveryDetails ("a***@e***").
//   - GetUserAttributeVerificationCode answers {} where Cognito answers CodeDeliveryDetails:
//     the front adds them, for the address the emulator sent the code to (the pending one
//     when a change waits, else the current one; the emulator's data file has both).
//
// Where these stop (the emulator's own behaviour, left as it is): GetUser returns every
// attribute, not only the app client's ReadAttributes; codes never expire and have no
// attempt limit; an update that changes no e-mail address drops a pending change (its code
// then verifies the current address); no address is refused for belonging to another
// account (Cognito: AliasExistsException); the code is sent to the e-mail address whatever
// AttributeName asks for; every token the emulator issues, refreshed ones too, carries
// auth_time = its issue time (Cognito keeps the sign-in's), so a refresh renews the
// re-authentication window before an account is deleted.

// msgUnwritableAttribute is Cognito's NotAuthorizedException text for an attribute outside
// the app client's WriteAttributes.
const msgUnwritableAttribute = "A client attempted to write unauthorized attribute"

// writable tells whether an app client with WriteAttributes write may write the attribute
// name.
func writable(write []string, name string) bool {
	if len(write) == 0 {
		return !strings.HasPrefix(name, "custom:") && !strings.HasPrefix(name, "dev:")
	}
	return slices.Contains(write, name)
}

func (f *APIFront) updateUserAttributes(ctx context.Context, req *apiRequest) (any, *apiError) {
	switch {
	case req.AccessToken == "":
		return nil, missing("accessToken")
	case req.UserAttributes == nil:
		return nil, missing("userAttributes")
	}
	c, e := f.accessClaims(ctx, req.AccessToken)
	if e != nil {
		return nil, e
	}
	client, e := f.client(ctx, c.ClientID)
	if e != nil {
		return nil, e
	}
	for _, a := range req.UserAttributes {
		if !writable(client.WriteAttributes, a.Name) {
			return nil, notAuthorized(msgUnwritableAttribute)
		}
	}
	out, e := f.callEmulator(ctx, "UpdateUserAttributes", req.raw)
	if e != nil {
		return nil, e
	}
	var res struct {
		CodeDeliveryDetailsList []codeDelivery `json:"CodeDeliveryDetailsList"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, internalError("devstack: the emulator's UpdateUserAttributes answer: " + err.Error())
	}
	for i, d := range res.CodeDeliveryDetailsList {
		res.CodeDeliveryDetailsList[i].Destination = maskDestination(d.DeliveryMedium, d.Destination)
		f.log.Info("devstack: UpdateUserAttributes (local stand-in): nothing sent; the code is the local confirmation code (README)", "attribute", d.AttributeName)
	}
	if res.CodeDeliveryDetailsList == nil {
		res.CodeDeliveryDetailsList = []codeDelivery{}
	}
	return res, nil
}

func (f *APIFront) getUserAttributeVerificationCode(ctx context.Context, req *apiRequest) (any, *apiError) {
	switch {
	case req.AccessToken == "":
		return nil, missing("accessToken")
	case req.AttributeName == "":
		return nil, missing("attributeName")
	}
	c, e := f.accessClaims(ctx, req.AccessToken)
	if e != nil {
		return nil, e
	}
	if _, e := f.callEmulator(ctx, "GetUserAttributeVerificationCode", req.raw); e != nil {
		return nil, e
	}
	u, err := f.emulatorUser(c.Username)
	if err != nil {
		return nil, internalError("devstack: " + err.Error())
	}
	// Where the emulator sent it: the pending address, else the current one.
	addr := attributeValue(u.UnverifiedAttributeChanges, "email")
	if addr == "" {
		addr = attributeValue(u.Attributes, "email")
	}
	f.log.Info("devstack: GetUserAttributeVerificationCode (local stand-in): nothing sent; the code is the local confirmation code (README)", "attribute", req.AttributeName)
	return map[string]any{"CodeDeliveryDetails": emailDelivery(addr)}, nil
}

func attributeValue(attrs []apiAttribute, name string) string {
	for _, a := range attrs {
		if a.Name == name {
			return a.Value
		}
	}
	return ""
}

// maskDestination masks where a code went as Cognito does: an address as maskAddress, a
// phone number to its last four digits.
func maskDestination(medium, dest string) string {
	if medium == "SMS" {
		if len(dest) <= 4 {
			return strings.Repeat("*", len(dest))
		}
		return "+" + strings.Repeat("*", len(dest)-5) + dest[len(dest)-4:]
	}
	return maskAddress(dest)
}
