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
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/monban-auth/monban/internal/auth"
)

// SignInPassword starts a password sign-in with USER_PASSWORD_AUTH, or
// ADMIN_USER_PASSWORD_AUTH when the config says so.
func (p *UserPool) SignInPassword(ctx context.Context, username, password string) (*auth.Step, error) {
	params := map[string]string{"USERNAME": username, "PASSWORD": password}
	return p.initiateAuth(ctx, username, params, types.AuthFlowTypeUserPasswordAuth, types.AuthFlowTypeAdminUserPasswordAuth, poolError)
}

// initiateAuth starts a sign-in with InitiateAuth and flow, or AdminInitiateAuth and
// adminFlow when the config says so, adding SECRET_HASH to params. fail turns the call's
// error into a PoolError: each flow tells its own refusals apart.
func (p *UserPool) initiateAuth(ctx context.Context, username string, params map[string]string,
	flow, adminFlow types.AuthFlowType, fail func(op string, err error) *auth.PoolError) (*auth.Step, error) {
	if h := p.secretHash(username); h != nil {
		params["SECRET_HASH"] = *h
	}
	if p.cfg.AdminAuth {
		out, err := p.api.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
			UserPoolId: &p.cfg.UserPoolID, ClientId: &p.cfg.ClientID,
			AuthFlow: adminFlow, AuthParameters: params,
		})
		if err != nil {
			return nil, fail("admin initiate auth", err)
		}
		return step("admin initiate auth", out.AuthenticationResult, out.ChallengeName, out.ChallengeParameters, out.Session, out.AvailableChallenges)
	}
	out, err := p.api.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: &p.cfg.ClientID, AuthFlow: flow, AuthParameters: params,
	})
	if err != nil {
		return nil, fail("initiate auth", err)
	}
	return step("initiate auth", out.AuthenticationResult, out.ChallengeName, out.ChallengeParameters, out.Session, out.AvailableChallenges)
}

// answers says, per challenge, what goes into ChallengeResponses besides USERNAME and
// SECRET_HASH (MFA_SETUP needs nothing more: the code went to VerifySoftwareToken first).
// The keys are those of ChallengeResponses in the RespondToAuthChallenge API reference;
// EMAIL_OTP's row serves both the MFA factor and choice-based sign-in's first factor.
var answers = map[string]func(a auth.Answer, responses map[string]string){
	auth.ChallengeNewPassword: func(a auth.Answer, r map[string]string) {
		r["NEW_PASSWORD"] = a.NewPassword
		for k, v := range a.Attributes {
			r["userAttributes."+k] = v
		}
	},
	auth.ChallengeTOTP:          func(a auth.Answer, r map[string]string) { r["SOFTWARE_TOKEN_MFA_CODE"] = a.Code },
	auth.ChallengeSMS:           func(a auth.Answer, r map[string]string) { r["SMS_MFA_CODE"] = a.Code },
	auth.ChallengeEmailOTP:      func(a auth.Answer, r map[string]string) { r["EMAIL_OTP_CODE"] = a.Code },
	auth.ChallengeSelectMFAType: func(a auth.Answer, r map[string]string) { r["ANSWER"] = a.MFAType },
	auth.ChallengeMFASetup:      func(auth.Answer, map[string]string) {},
	// SELECT_CHALLENGE: the chosen factor as ANSWER. A password completes the sign-in in
	// the same answer; EMAIL_OTP and WEB_AUTHN come back as their own challenge (the code
	// to send, the request options to sign).
	auth.ChallengeSelect: func(a auth.Answer, r map[string]string) {
		r["ANSWER"] = a.Factor
		if a.Factor == auth.FactorPassword {
			r["PASSWORD"] = a.Password
		}
	},
	auth.ChallengePassword: func(a auth.Answer, r map[string]string) { r["PASSWORD"] = a.Password },
	// WEB_AUTHN: the authenticator's AuthenticationResponseJSON, as a string.
	auth.ChallengeWebAuthn: func(a auth.Answer, r map[string]string) { r["CREDENTIAL"] = string(a.Credential) },
}

// AnswerChallenge answers c with RespondToAuthChallenge, or AdminRespondToAuthChallenge
// when the config says so. A challenge monban does not answer is ReasonInvalidParameter,
// without a call.
func (p *UserPool) AnswerChallenge(ctx context.Context, c auth.Challenge, a auth.Answer) (*auth.Step, error) {
	fill, ok := answers[c.Name]
	if !ok {
		return nil, &auth.PoolError{Reason: auth.ReasonInvalidParameter, Err: fmt.Errorf("unsupported challenge %.64q", c.Name)}
	}
	responses := map[string]string{"USERNAME": c.Username}
	if h := p.secretHash(c.Username); h != nil {
		responses["SECRET_HASH"] = *h
	}
	fill(a, responses)
	name := types.ChallengeNameType(c.Name)
	if p.cfg.AdminAuth {
		out, err := p.api.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{
			UserPoolId: &p.cfg.UserPoolID, ClientId: &p.cfg.ClientID, ChallengeName: name,
			Session: &c.Session, ChallengeResponses: responses,
		})
		if err != nil {
			return nil, poolError("admin respond to auth challenge", err)
		}
		return step("admin respond to auth challenge", out.AuthenticationResult, out.ChallengeName, out.ChallengeParameters, out.Session, nil)
	}
	out, err := p.api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ClientId: &p.cfg.ClientID, ChallengeName: name, Session: &c.Session, ChallengeResponses: responses,
	})
	if err != nil {
		return nil, poolError("respond to auth challenge", err)
	}
	return step("respond to auth challenge", out.AuthenticationResult, out.ChallengeName, out.ChallengeParameters, out.Session, nil)
}

// step decodes one answer of Cognito's sign-in state machine: tokens, or the next
// challenge with what its parameters say. available is InitiateAuth's AvailableChallenges,
// an answer field of its own rather than a challenge parameter (nil where the call has none).
func step(op string, result *types.AuthenticationResultType, name types.ChallengeNameType,
	params map[string]string, session *string, available []types.ChallengeNameType) (*auth.Step, error) {
	if result != nil {
		return &auth.Step{Tokens: tokensOf(result)}, nil
	}
	if name == "" || session == nil {
		return nil, &auth.PoolError{Reason: auth.ReasonUnknown, Err: fmt.Errorf("%s: answered with neither tokens nor a challenge", op)}
	}
	next := &auth.NextChallenge{Name: string(name), Session: *session, Username: params["USER_ID_FOR_SRP"]}
	switch name {
	case types.ChallengeNameTypeNewPasswordRequired:
		next.RequiredAttributes = []string{}
		for _, a := range jsonList(params["requiredAttributes"]) {
			next.RequiredAttributes = append(next.RequiredAttributes, strings.TrimPrefix(a, "userAttributes."))
		}
	case types.ChallengeNameTypeSmsMfa, types.ChallengeNameTypeEmailOtp:
		next.Delivery = &auth.Delivery{Medium: params["CODE_DELIVERY_DELIVERY_MEDIUM"], Destination: params["CODE_DELIVERY_DESTINATION"]}
	case types.ChallengeNameTypeSelectMfaType:
		next.MFATypes = jsonList(params["MFAS_CAN_CHOOSE"])
	case types.ChallengeNameTypeMfaSetup:
		next.MFATypes = jsonList(params["MFAS_CAN_SETUP"])
	case types.ChallengeNameTypeSelectChallenge:
		next.Factors = factors(available)
	case types.ChallengeNameTypeWebAuthn:
		options, err := jsonObject(params["CREDENTIAL_REQUEST_OPTIONS"])
		if err != nil {
			return nil, &auth.PoolError{Reason: auth.ReasonUnknown, Err: fmt.Errorf("%s: WEB_AUTHN's CREDENTIAL_REQUEST_OPTIONS: %w", op, err)}
		}
		next.Options = options
	}
	return &auth.Step{Next: next}, nil
}

// factors are the first factors offered that monban answers, in Cognito's order (never nil).
// Cognito also offers PASSWORD_SRP and SMS_OTP where the pool allows them; monban signs in
// with neither, so they are not passed on.
func factors(available []types.ChallengeNameType) []string {
	out := []string{}
	for _, c := range available {
		switch f := string(c); f {
		case auth.FactorPassword, auth.FactorEmailOTP, auth.FactorWebAuthn:
			out = append(out, f)
		}
	}
	return out
}

// jsonObject reads a JSON object that Cognito sends as a string (WEB_AUTHN's
// CREDENTIAL_REQUEST_OPTIONS, a PublicKeyCredentialRequestOptionsJSON), compacted.
func jsonObject(s string) (json.RawMessage, error) {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		return nil, errors.New("not JSON")
	}
	if b.Len() == 0 || b.Bytes()[0] != '{' {
		return nil, errors.New("not a JSON object")
	}
	return b.Bytes(), nil
}

// jsonList reads a challenge parameter that Cognito encodes as a JSON array in a string
// (empty, not nil, when it is missing or malformed).
func jsonList(s string) []string {
	var out []string
	if json.Unmarshal([]byte(s), &out) != nil || out == nil {
		return []string{}
	}
	return out
}

// Refresh trades a refresh token for tokens: REFRESH_TOKEN_AUTH with SECRET_HASH over the
// name Cognito knows the user by (r.Username), or, with refresh-token rotation on,
// GetTokensFromRefreshToken, which also returns the next refresh token.
func (p *UserPool) Refresh(ctx context.Context, r auth.Refresh) (*auth.Tokens, error) {
	var result *types.AuthenticationResultType
	op := "refresh"
	if p.cfg.RefreshRotation {
		op = "get tokens from refresh token"
		out, err := p.api.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{
			ClientId: &p.cfg.ClientID, ClientSecret: p.clientSecret(), RefreshToken: &r.Token,
		})
		if err != nil {
			return nil, poolError(op, err)
		}
		result = out.AuthenticationResult
	} else {
		params := map[string]string{"REFRESH_TOKEN": r.Token}
		if h := p.secretHash(r.Username); h != nil {
			params["SECRET_HASH"] = *h
		}
		out, err := p.api.InitiateAuth(ctx, &cip.InitiateAuthInput{
			ClientId: &p.cfg.ClientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth, AuthParameters: params,
		})
		if err != nil {
			return nil, poolError(op, err)
		}
		result = out.AuthenticationResult
	}
	if result == nil {
		return nil, &auth.PoolError{Reason: auth.ReasonUnavailable, Err: errors.New(op + ": answered without tokens")}
	}
	return tokensOf(result), nil
}

func tokensOf(r *types.AuthenticationResultType) *auth.Tokens {
	return &auth.Tokens{
		AccessToken:  aws.ToString(r.AccessToken),
		IDToken:      aws.ToString(r.IdToken),
		RefreshToken: aws.ToString(r.RefreshToken),
		ExpiresIn:    int(r.ExpiresIn),
		TokenType:    aws.ToString(r.TokenType),
	}
}

// AssociateTOTP starts adding an authenticator app with AssociateSoftwareToken, for a
// signed-in user (access token) or a sign-in answering MFA_SETUP (session).
func (p *UserPool) AssociateTOTP(ctx context.Context, who auth.TOTPUser) (*auth.TOTPAssociation, error) {
	in := &cip.AssociateSoftwareTokenInput{}
	if who.AccessToken != "" {
		in.AccessToken = &who.AccessToken
	} else {
		in.Session = &who.Session
	}
	out, err := p.api.AssociateSoftwareToken(ctx, in)
	if err != nil {
		return nil, totpError(who, "associate software token", err)
	}
	return &auth.TOTPAssociation{Secret: aws.ToString(out.SecretCode), Session: aws.ToString(out.Session)}, nil
}

// VerifyTOTP checks the app's first code with VerifySoftwareToken.
func (p *UserPool) VerifyTOTP(ctx context.Context, who auth.TOTPUser, code, friendlyName string) (string, error) {
	in := &cip.VerifySoftwareTokenInput{UserCode: &code}
	if who.AccessToken != "" {
		in.AccessToken = &who.AccessToken
	} else {
		in.Session = &who.Session
	}
	if friendlyName != "" {
		in.FriendlyDeviceName = &friendlyName
	}
	out, err := p.api.VerifySoftwareToken(ctx, in)
	if err != nil {
		return "", totpError(who, "verify software token", err)
	}
	if out.Status != types.VerifySoftwareTokenResponseTypeSuccess {
		return "", &auth.PoolError{Reason: auth.ReasonCodeMismatch, Err: fmt.Errorf("verify software token: status %s", out.Status)}
	}
	return aws.ToString(out.Session), nil
}

// PreferTOTP enables the authenticator app and makes it the preferred factor with
// SetUserMFAPreference.
func (p *UserPool) PreferTOTP(ctx context.Context, accessToken string) error {
	_, err := p.api.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{
		AccessToken:              &accessToken,
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true},
	})
	if err != nil {
		return tokenError("set MFA preference", err)
	}
	return nil
}

// totpError: with an access token, NotAuthorizedException is the token refused; with a
// sign-in's session it is the sign-in expired (ReasonNotAuthorized).
func totpError(who auth.TOTPUser, op string, err error) *auth.PoolError {
	if who.AccessToken != "" {
		return tokenError(op, err)
	}
	return poolError(op, err)
}
