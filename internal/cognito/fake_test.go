package cognito

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// fakeAPI records what UserPool sends and answers with what the test set: err[op] fails
// op, the other fields are the answers.
type fakeAPI struct {
	calls []string
	in    map[string]any // the last input of each operation
	err   map[string]error

	auth      authAnswer // InitiateAuth, AdminInitiateAuth and both RespondToAuthChallenge
	signUp    cip.SignUpOutput
	resend    cip.ResendConfirmationCodeOutput
	rotated   cip.GetTokensFromRefreshTokenOutput
	associate cip.AssociateSoftwareTokenOutput
	verify    cip.VerifySoftwareTokenOutput
	user      cip.GetUserOutput
	update    cip.UpdateUserAttributesOutput
	attrCode  cip.GetUserAttributeVerificationCodeOutput
}

type authAnswer struct {
	result  *types.AuthenticationResultType
	name    types.ChallengeNameType
	params  map[string]string
	session *string
}

func newFake() *fakeAPI {
	return &fakeAPI{
		in:   map[string]any{},
		err:  map[string]error{},
		auth: authAnswer{result: &types.AuthenticationResultType{AccessToken: aws.String("at"), IdToken: aws.String("it"), RefreshToken: aws.String("rt"), ExpiresIn: 3600, TokenType: aws.String("Bearer")}},
	}
}

func (f *fakeAPI) call(op string, in any) error {
	f.calls = append(f.calls, op)
	f.in[op] = in
	return f.err[op]
}

// reply records the call and answers with out, or, as the SDK does, with no output and the
// error set for op.
func reply[T any](f *fakeAPI, op string, in any, out *T) (*T, error) {
	if err := f.call(op, in); err != nil {
		return nil, err
	}
	return out, nil
}

func (f *fakeAPI) SignUp(_ context.Context, in *cip.SignUpInput, _ ...func(*cip.Options)) (*cip.SignUpOutput, error) {
	return reply(f, "SignUp", in, &f.signUp)
}

func (f *fakeAPI) ConfirmSignUp(_ context.Context, in *cip.ConfirmSignUpInput, _ ...func(*cip.Options)) (*cip.ConfirmSignUpOutput, error) {
	return &cip.ConfirmSignUpOutput{}, f.call("ConfirmSignUp", in)
}

func (f *fakeAPI) ResendConfirmationCode(_ context.Context, in *cip.ResendConfirmationCodeInput, _ ...func(*cip.Options)) (*cip.ResendConfirmationCodeOutput, error) {
	return reply(f, "ResendConfirmationCode", in, &f.resend)
}

func (f *fakeAPI) ForgotPassword(_ context.Context, in *cip.ForgotPasswordInput, _ ...func(*cip.Options)) (*cip.ForgotPasswordOutput, error) {
	return &cip.ForgotPasswordOutput{}, f.call("ForgotPassword", in)
}

func (f *fakeAPI) ConfirmForgotPassword(_ context.Context, in *cip.ConfirmForgotPasswordInput, _ ...func(*cip.Options)) (*cip.ConfirmForgotPasswordOutput, error) {
	return &cip.ConfirmForgotPasswordOutput{}, f.call("ConfirmForgotPassword", in)
}

func (f *fakeAPI) InitiateAuth(_ context.Context, in *cip.InitiateAuthInput, _ ...func(*cip.Options)) (*cip.InitiateAuthOutput, error) {
	a := f.auth
	return reply(f, "InitiateAuth", in, &cip.InitiateAuthOutput{AuthenticationResult: a.result, ChallengeName: a.name, ChallengeParameters: a.params, Session: a.session})
}

func (f *fakeAPI) AdminInitiateAuth(_ context.Context, in *cip.AdminInitiateAuthInput, _ ...func(*cip.Options)) (*cip.AdminInitiateAuthOutput, error) {
	a := f.auth
	return reply(f, "AdminInitiateAuth", in, &cip.AdminInitiateAuthOutput{AuthenticationResult: a.result, ChallengeName: a.name, ChallengeParameters: a.params, Session: a.session})
}

func (f *fakeAPI) RespondToAuthChallenge(_ context.Context, in *cip.RespondToAuthChallengeInput, _ ...func(*cip.Options)) (*cip.RespondToAuthChallengeOutput, error) {
	a := f.auth
	return reply(f, "RespondToAuthChallenge", in, &cip.RespondToAuthChallengeOutput{AuthenticationResult: a.result, ChallengeName: a.name, ChallengeParameters: a.params, Session: a.session})
}

func (f *fakeAPI) AdminRespondToAuthChallenge(_ context.Context, in *cip.AdminRespondToAuthChallengeInput, _ ...func(*cip.Options)) (*cip.AdminRespondToAuthChallengeOutput, error) {
	a := f.auth
	return reply(f, "AdminRespondToAuthChallenge", in, &cip.AdminRespondToAuthChallengeOutput{AuthenticationResult: a.result, ChallengeName: a.name, ChallengeParameters: a.params, Session: a.session})
}

func (f *fakeAPI) GetTokensFromRefreshToken(_ context.Context, in *cip.GetTokensFromRefreshTokenInput, _ ...func(*cip.Options)) (*cip.GetTokensFromRefreshTokenOutput, error) {
	return reply(f, "GetTokensFromRefreshToken", in, &f.rotated)
}

func (f *fakeAPI) ChangePassword(_ context.Context, in *cip.ChangePasswordInput, _ ...func(*cip.Options)) (*cip.ChangePasswordOutput, error) {
	return &cip.ChangePasswordOutput{}, f.call("ChangePassword", in)
}

func (f *fakeAPI) AssociateSoftwareToken(_ context.Context, in *cip.AssociateSoftwareTokenInput, _ ...func(*cip.Options)) (*cip.AssociateSoftwareTokenOutput, error) {
	return reply(f, "AssociateSoftwareToken", in, &f.associate)
}

func (f *fakeAPI) VerifySoftwareToken(_ context.Context, in *cip.VerifySoftwareTokenInput, _ ...func(*cip.Options)) (*cip.VerifySoftwareTokenOutput, error) {
	return reply(f, "VerifySoftwareToken", in, &f.verify)
}

func (f *fakeAPI) SetUserMFAPreference(_ context.Context, in *cip.SetUserMFAPreferenceInput, _ ...func(*cip.Options)) (*cip.SetUserMFAPreferenceOutput, error) {
	return &cip.SetUserMFAPreferenceOutput{}, f.call("SetUserMFAPreference", in)
}

func (f *fakeAPI) RevokeToken(_ context.Context, in *cip.RevokeTokenInput, _ ...func(*cip.Options)) (*cip.RevokeTokenOutput, error) {
	return &cip.RevokeTokenOutput{}, f.call("RevokeToken", in)
}

func (f *fakeAPI) GlobalSignOut(_ context.Context, in *cip.GlobalSignOutInput, _ ...func(*cip.Options)) (*cip.GlobalSignOutOutput, error) {
	return &cip.GlobalSignOutOutput{}, f.call("GlobalSignOut", in)
}

func (f *fakeAPI) GetUser(_ context.Context, in *cip.GetUserInput, _ ...func(*cip.Options)) (*cip.GetUserOutput, error) {
	return reply(f, "GetUser", in, &f.user)
}

func (f *fakeAPI) UpdateUserAttributes(_ context.Context, in *cip.UpdateUserAttributesInput, _ ...func(*cip.Options)) (*cip.UpdateUserAttributesOutput, error) {
	return reply(f, "UpdateUserAttributes", in, &f.update)
}

func (f *fakeAPI) VerifyUserAttribute(_ context.Context, in *cip.VerifyUserAttributeInput, _ ...func(*cip.Options)) (*cip.VerifyUserAttributeOutput, error) {
	return reply(f, "VerifyUserAttribute", in, &cip.VerifyUserAttributeOutput{})
}

func (f *fakeAPI) GetUserAttributeVerificationCode(_ context.Context, in *cip.GetUserAttributeVerificationCodeInput, _ ...func(*cip.Options)) (*cip.GetUserAttributeVerificationCodeOutput, error) {
	return reply(f, "GetUserAttributeVerificationCode", in, &f.attrCode)
}

func (f *fakeAPI) DeleteUser(_ context.Context, in *cip.DeleteUserInput, _ ...func(*cip.Options)) (*cip.DeleteUserOutput, error) {
	return reply(f, "DeleteUser", in, &cip.DeleteUserOutput{})
}

// The WebAuthn calls answer empty outputs here; passwordlessFake gives them content.

func (f *fakeAPI) StartWebAuthnRegistration(_ context.Context, in *cip.StartWebAuthnRegistrationInput, _ ...func(*cip.Options)) (*cip.StartWebAuthnRegistrationOutput, error) {
	return reply(f, "StartWebAuthnRegistration", in, &cip.StartWebAuthnRegistrationOutput{})
}

func (f *fakeAPI) CompleteWebAuthnRegistration(_ context.Context, in *cip.CompleteWebAuthnRegistrationInput, _ ...func(*cip.Options)) (*cip.CompleteWebAuthnRegistrationOutput, error) {
	return reply(f, "CompleteWebAuthnRegistration", in, &cip.CompleteWebAuthnRegistrationOutput{})
}

func (f *fakeAPI) ListWebAuthnCredentials(_ context.Context, in *cip.ListWebAuthnCredentialsInput, _ ...func(*cip.Options)) (*cip.ListWebAuthnCredentialsOutput, error) {
	return reply(f, "ListWebAuthnCredentials", in, &cip.ListWebAuthnCredentialsOutput{})
}

func (f *fakeAPI) DeleteWebAuthnCredential(_ context.Context, in *cip.DeleteWebAuthnCredentialInput, _ ...func(*cip.Options)) (*cip.DeleteWebAuthnCredentialOutput, error) {
	return reply(f, "DeleteWebAuthnCredential", in, &cip.DeleteWebAuthnCredentialOutput{})
}
