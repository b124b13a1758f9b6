package auth

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/monban-auth/monban/internal/cognito"
)

// Challenge is the sealed content of the challenge cookie: Cognito's Session never reaches
// the browser in readable form.
type Challenge struct {
	Name     string `json:"c"`
	Session  string `json:"s"`
	Username string `json:"u"` // the name USERNAME and SECRET_HASH use in the answer
}

// Prompt tells the browser which challenge to answer and what it needs for it.
type Prompt struct {
	Challenge  string         `json:"challenge"`
	Parameters map[string]any `json:"parameters"`
}

// SignInResult is either a session (Grant) or a challenge to answer (Pending, sealed into the
// challenge cookie, and Prompt, sent to the browser).
type SignInResult struct {
	Grant   *Grant
	Pending *Challenge
	Prompt  *Prompt
}

// signInRefusals: whatever Cognito says about a user it does not know or a wrong password,
// the answer is the same. (cognito-local reports a wrong password as
// InvalidPasswordException.)
var signInRefusals = failure{
	"NotAuthorizedException":   invalidCredentials,
	"UserNotFoundException":    invalidCredentials,
	"InvalidPasswordException": invalidCredentials,
}

// hiddenSignInRefusals are signInRefusals with existing users hidden at sign-up: a sign-up
// with a chosen password creates an unconfirmed account only for a free address, so "not
// confirmed" for that password would tell a free address from a taken one (whose password
// is not the prober's). The sign-up's answer already said to confirm by e-mail first.
var hiddenSignInRefusals = failure{
	"NotAuthorizedException":    invalidCredentials,
	"UserNotFoundException":     invalidCredentials,
	"InvalidPasswordException":  invalidCredentials,
	"UserNotConfirmedException": invalidCredentials,
}

// SignInPassword signs in with a username (or e-mail) and password, server-side, with the
// client secret: USER_PASSWORD_AUTH, or ADMIN_USER_PASSWORD_AUTH when configured.
func (s *Service) SignInPassword(ctx context.Context, c Credentials) (*SignInResult, error) {
	name := c.name()
	if err := checkName(name); err != nil {
		return nil, err
	}
	if err := checkPassword("password", c.Password); err != nil {
		return nil, err
	}
	params := map[string]string{"USERNAME": name, "PASSWORD": c.Password}
	if h := s.secretHash(name); h != nil {
		params["SECRET_HASH"] = *h
	}
	refusals := signInRefusals
	if s.cfg.HideExistingUsers {
		refusals = hiddenSignInRefusals
	}
	var (
		result    *types.AuthenticationResultType
		challenge types.ChallengeNameType
		cparams   map[string]string
		session   *string
	)
	if s.cfg.AdminAuth {
		out, err := s.pool.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
			UserPoolId: &s.cfg.UserPoolID, ClientId: &s.cfg.ClientID,
			AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: params,
		})
		if err != nil {
			return nil, poolFailure(err, "admin initiate auth", refusals)
		}
		result, challenge, cparams, session = out.AuthenticationResult, out.ChallengeName, out.ChallengeParameters, out.Session
	} else {
		out, err := s.pool.InitiateAuth(ctx, &cip.InitiateAuthInput{
			ClientId: &s.cfg.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth, AuthParameters: params,
		})
		if err != nil {
			return nil, poolFailure(err, "initiate auth", refusals)
		}
		result, challenge, cparams, session = out.AuthenticationResult, out.ChallengeName, out.ChallengeParameters, out.Session
	}
	return s.step(ctx, result, challenge, cparams, session, name)
}

// step turns one answer of Cognito's sign-in state machine into a session or the next
// challenge.
func (s *Service) step(ctx context.Context, result *types.AuthenticationResultType, name types.ChallengeNameType,
	params map[string]string, session *string, username string) (*SignInResult, error) {
	if result != nil {
		g, err := s.grant(ctx, tokensOf(result), "")
		if err != nil {
			return nil, err
		}
		return &SignInResult{Grant: g}, nil
	}
	if name == "" || session == nil {
		return nil, Fail(CodeInternal, "internal error", errorf("Cognito answered with neither tokens nor a challenge"))
	}
	if u := params["USER_ID_FOR_SRP"]; u != "" {
		username = u
	}
	pending := &Challenge{Name: string(name), Session: *session, Username: username}
	p := map[string]any{}
	switch name {
	case types.ChallengeNameTypeNewPasswordRequired:
		required := []string{}
		for _, a := range jsonList(params["requiredAttributes"]) {
			required = append(required, strings.TrimPrefix(a, "userAttributes."))
		}
		p["required_attributes"] = required
	case types.ChallengeNameTypeSmsMfa, types.ChallengeNameTypeEmailOtp:
		p["destination"] = params["CODE_DELIVERY_DESTINATION"]
		p["medium"] = params["CODE_DELIVERY_DELIVERY_MEDIUM"]
	case types.ChallengeNameTypeSoftwareTokenMfa:
	case types.ChallengeNameTypeSelectMfaType:
		p["mfas_can_choose"] = jsonList(params["MFAS_CAN_CHOOSE"])
	case types.ChallengeNameTypeMfaSetup:
		can := jsonList(params["MFAS_CAN_SETUP"])
		p["mfas_can_setup"] = can
		// An authenticator app is the one factor monban can set up mid-sign-in: associate
		// it now so the browser can show the QR code right away.
		if len(can) == 0 || slices.Contains(can, "SOFTWARE_TOKEN_MFA") {
			out, err := s.pool.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{Session: session})
			if err != nil {
				return nil, poolFailure(err, "associate software token", challengeRefusals)
			}
			if out.Session != nil {
				pending.Session = *out.Session
			}
			setup := s.totpSetup(aws.ToString(out.SecretCode), username)
			p["secret"], p["otpauth_uri"] = setup.Secret, setup.OTPAuthURI
		}
	default:
		return nil, Fail(CodeInternal, "internal error", errorf("unsupported challenge %s", name))
	}
	return &SignInResult{Pending: pending, Prompt: &Prompt{Challenge: string(name), Parameters: p}}, nil
}

// ChallengeAnswer is POST /auth/challenge's body; which fields count depends on the pending
// challenge.
type ChallengeAnswer struct {
	Challenge   string            `json:"challenge"` // optional; must match the pending one
	Code        string            `json:"code"`
	NewPassword string            `json:"new_password"`
	Attributes  map[string]string `json:"attributes"`
	MFAType     string            `json:"mfa_type"`
}

var challengeRefusals = failure{
	"NotAuthorizedException": {Code: CodeUnauthenticated, Message: "The sign-in has expired; sign in again."},
	"UserNotFoundException":  {Code: CodeUnauthenticated, Message: "The sign-in has expired; sign in again."},
}

// RespondToChallenge answers the pending challenge (nil when the challenge cookie is missing
// or expired). The result may be a session or, chained, the next challenge.
func (s *Service) RespondToChallenge(ctx context.Context, pending *Challenge, a ChallengeAnswer) (*SignInResult, error) {
	if pending == nil {
		return nil, Fail(CodeNoChallenge, "No sign-in challenge is pending (it may have expired); sign in again.", nil)
	}
	if a.Challenge != "" && a.Challenge != pending.Name {
		return nil, Fail(CodeInvalidRequest, "the pending challenge is "+pending.Name, nil)
	}
	responses := map[string]string{"USERNAME": pending.Username}
	if h := s.secretHash(pending.Username); h != nil {
		responses["SECRET_HASH"] = *h
	}
	session := pending.Session
	code := func(key string) error {
		if err := checkCode(a.Code); err != nil {
			return err
		}
		responses[key] = a.Code
		return nil
	}
	var err error
	switch types.ChallengeNameType(pending.Name) {
	case types.ChallengeNameTypeNewPasswordRequired:
		if err = checkPassword("new_password", a.NewPassword); err != nil {
			return nil, err
		}
		responses["NEW_PASSWORD"] = a.NewPassword
		if len(a.Attributes) > maxAttributes {
			return nil, Fail(CodeInvalidRequest, "too many attributes", nil)
		}
		list, err := userAttributeList(a.Attributes)
		if err != nil {
			return nil, err
		}
		for _, at := range list {
			responses["userAttributes."+*at.Name] = *at.Value
		}
	case types.ChallengeNameTypeSoftwareTokenMfa:
		err = code("SOFTWARE_TOKEN_MFA_CODE")
	case types.ChallengeNameTypeSmsMfa:
		err = code("SMS_MFA_CODE")
	case types.ChallengeNameTypeEmailOtp:
		err = code("EMAIL_OTP_CODE")
	case types.ChallengeNameTypeSelectMfaType:
		if !slices.Contains([]string{"SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"}, a.MFAType) {
			return nil, Fail(CodeInvalidRequest, "mfa_type must be SMS_MFA, SOFTWARE_TOKEN_MFA or EMAIL_OTP", nil)
		}
		responses["ANSWER"] = a.MFAType
	case types.ChallengeNameTypeMfaSetup:
		if err = checkCode(a.Code); err != nil {
			return nil, err
		}
		out, err := s.pool.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{Session: &session, UserCode: &a.Code})
		if err != nil {
			return nil, poolFailure(err, "verify software token", challengeRefusals)
		}
		if out.Status != types.VerifySoftwareTokenResponseTypeSuccess {
			return nil, Fail(CodeCodeMismatch, "The code is not correct.", nil)
		}
		if out.Session != nil {
			session = *out.Session
		}
	default:
		return nil, Fail(CodeInvalidRequest, "unsupported challenge", nil)
	}
	if err != nil {
		return nil, err
	}
	name := types.ChallengeNameType(pending.Name)
	if s.cfg.AdminAuth {
		out, err := s.pool.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{
			UserPoolId: &s.cfg.UserPoolID, ClientId: &s.cfg.ClientID, ChallengeName: name,
			Session: &session, ChallengeResponses: responses,
		})
		if err != nil {
			return nil, poolFailure(err, "admin respond to auth challenge", challengeRefusals)
		}
		return s.step(ctx, out.AuthenticationResult, out.ChallengeName, out.ChallengeParameters, out.Session, pending.Username)
	}
	out, err := s.pool.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ClientId: &s.cfg.ClientID, ChallengeName: name, Session: &session, ChallengeResponses: responses,
	})
	if err != nil {
		return nil, poolFailure(err, "respond to auth challenge", challengeRefusals)
	}
	return s.step(ctx, out.AuthenticationResult, out.ChallengeName, out.ChallengeParameters, out.Session, pending.Username)
}

var refreshRefusals = failure{
	"NotAuthorizedException": {Code: CodeUnauthenticated, Message: "The session has ended; sign in again."},
	"UserNotFoundException":  {Code: CodeUnauthenticated, Message: "The session has ended; sign in again."},
}

// Refresh uses the refresh token for a new session: REFRESH_TOKEN_AUTH with SECRET_HASH
// over the name Cognito knows the user by, or, with refresh-token rotation on,
// GetTokensFromRefreshToken, which also returns the next refresh token. A refresh token
// Cognito refuses (revoked, expired, user disabled) is CodeUnauthenticated.
func (s *Service) Refresh(ctx context.Context, ref *Refresh) (*Grant, error) {
	if ref == nil || ref.Token == "" {
		return nil, Fail(CodeUnauthenticated, "no refresh token", nil)
	}
	var result *types.AuthenticationResultType
	if s.cfg.RefreshRotation {
		in := &cip.GetTokensFromRefreshTokenInput{ClientId: &s.cfg.ClientID, RefreshToken: &ref.Token}
		if s.cfg.ClientSecret != "" {
			in.ClientSecret = &s.cfg.ClientSecret
		}
		out, err := s.pool.GetTokensFromRefreshToken(ctx, in)
		if err != nil {
			return nil, poolFailure(err, "get tokens from refresh token", refreshRefusals)
		}
		result = out.AuthenticationResult
	} else {
		params := map[string]string{"REFRESH_TOKEN": ref.Token}
		if h := s.secretHash(ref.Username); h != nil {
			params["SECRET_HASH"] = *h
		}
		out, err := s.pool.InitiateAuth(ctx, &cip.InitiateAuthInput{
			ClientId: &s.cfg.ClientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth, AuthParameters: params,
		})
		if err != nil {
			return nil, poolFailure(err, "refresh", refreshRefusals)
		}
		result = out.AuthenticationResult
	}
	if result == nil {
		return nil, Fail(CodeUpstreamUnavailable, "Cognito answered without tokens", nil)
	}
	g, err := s.grant(ctx, tokensOf(result), "")
	if errors.Is(err, errSessionTooLarge) {
		// The user gained groups or claims since signing in: sign the browser out (the next
		// sign-in says why) rather than fail every page load.
		return nil, Fail(CodeUnauthenticated, "The session has grown too large for its cookie; sign in again.", err)
	}
	if err != nil {
		return nil, err
	}
	if ref.Sub != "" && g.Session.User.Sub != ref.Sub {
		return nil, Fail(CodeInvalidToken, "refreshed tokens belong to another user", nil)
	}
	return g, nil
}

func tokensOf(r *types.AuthenticationResultType) *cognito.Tokens {
	return &cognito.Tokens{
		AccessToken:  aws.ToString(r.AccessToken),
		IDToken:      aws.ToString(r.IdToken),
		RefreshToken: aws.ToString(r.RefreshToken),
		ExpiresIn:    int(r.ExpiresIn),
		TokenType:    aws.ToString(r.TokenType),
	}
}
