package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
)

// Choice-based sign-in (Cognito's USER_AUTH flow, "Authentication flows" in the Cognito
// Developer Guide): the user names themselves first, then signs in with a passkey, a code
// sent by e-mail or their password. The challenges it leads to are rows of the challenge
// table (signin.go), so the challenge cookie and the session are those of a password
// sign-in.

// StartSignInRequest is POST /auth/sign-in/start's body: who signs in (Username, or Email
// for pools that sign in by e-mail) and, optionally, the first factor they prefer.
type StartSignInRequest struct {
	Username string `json:"username"`
	Email    string `json:"email"`
	Factor   string `json:"factor"`
}

// firstFactors are the first factors monban signs in with: Cognito's PASSWORD_SRP and
// SMS_OTP are not among them.
var firstFactors = []string{FactorPassword, FactorEmailOTP, FactorWebAuthn}

// StartSignIn starts a choice-based sign-in: the result is the preferred factor's challenge,
// a choice of factors (SELECT_CHALLENGE), or rarely a session. The pool answers an unknown
// user like a known one (Cognito picks one of the pool's factors at random, "Managing user
// existence error responses"), so the answer tells nobody who has an account.
func (s *Service) StartSignIn(ctx context.Context, r StartSignInRequest) (*SignInResult, error) {
	name := Credentials{Username: r.Username, Email: r.Email}.name()
	if err := checkName(name); err != nil {
		return nil, err
	}
	if r.Factor != "" && !slices.Contains(firstFactors, r.Factor) {
		return nil, Fail(CodeInvalidRequest, "factor must be PASSWORD, EMAIL_OTP or WEB_AUTHN", nil)
	}
	st, err := s.pool.StartSignIn(ctx, name, r.Factor)
	if err != nil {
		return nil, poolFailure(err, "initiate auth", s.signInRefusals())
	}
	return s.step(ctx, st, name, name)
}

// promptFactors offers SELECT_CHALLENGE's first factors.
func promptFactors(_ context.Context, _ *Service, next *NextChallenge, _ *Challenge, p map[string]any) error {
	p["factors"] = list(next.Factors)
	return nil
}

// answerFactor picks a first factor. The challenge cookie does not keep the factors
// offered, so any factor monban signs in with passes here and the pool refuses one it did
// not offer. A password goes with its factor: Cognito takes it in the same answer.
func answerFactor(_ context.Context, _ *Service, _ *Challenge, a ChallengeAnswer) (Answer, error) {
	if !slices.Contains(firstFactors, a.Factor) {
		return Answer{}, Fail(CodeInvalidRequest, "factor must be PASSWORD, EMAIL_OTP or WEB_AUTHN", nil)
	}
	if a.Factor != FactorPassword {
		return Answer{Factor: a.Factor}, nil
	}
	if err := checkPassword("password", a.Password); err != nil {
		return Answer{}, err
	}
	return Answer{Factor: a.Factor, Password: a.Password}, nil
}

// promptRequestOptions hands the browser WEB_AUTHN's PublicKeyCredentialRequestOptionsJSON
// for navigator.credentials.get; without them the passkey cannot be asked.
func promptRequestOptions(_ context.Context, _ *Service, next *NextChallenge, _ *Challenge, p map[string]any) error {
	if !isObject(next.Options) {
		return Fail(CodeInternal, "internal error", fmt.Errorf("the user pool gave WEB_AUTHN no request options"))
	}
	p["options"] = next.Options
	return nil
}

func answerPasskey(_ context.Context, _ *Service, _ *Challenge, a ChallengeAnswer) (Answer, error) {
	if err := checkCredential(a.Credential); err != nil {
		return Answer{}, err
	}
	return Answer{Credential: a.Credential}, nil
}

func answerPassword(_ context.Context, _ *Service, _ *Challenge, a ChallengeAnswer) (Answer, error) {
	if err := checkPassword("password", a.Password); err != nil {
		return Answer{}, err
	}
	return Answer{Password: a.Password}, nil
}

// StartPasskeyRegistration begins adding a passkey for the signed-in user: the creation
// options (PublicKeyCredentialCreationOptionsJSON) for navigator.credentials.create.
func (s *Service) StartPasskeyRegistration(ctx context.Context, sess *Session) (json.RawMessage, error) {
	options, err := s.pool.StartPasskeyRegistration(ctx, sess.AccessToken)
	if err != nil {
		return nil, poolFailure(err, "start web authn registration", sessionEnded)
	}
	if !isObject(options) {
		return nil, Fail(CodeInternal, "internal error", fmt.Errorf("the user pool gave no passkey creation options"))
	}
	return options, nil
}

// CompletePasskeyRegistration stores the passkey the authenticator created, from its
// RegistrationResponseJSON; Cognito verifies it against the ceremony it began.
func (s *Service) CompletePasskeyRegistration(ctx context.Context, sess *Session, credential json.RawMessage) error {
	if err := checkCredential(credential); err != nil {
		return err
	}
	if err := s.pool.CompletePasskeyRegistration(ctx, sess.AccessToken, credential); err != nil {
		return poolFailure(err, "complete web authn registration", passkeyRegistrationRefusals)
	}
	return nil
}

// ListPasskeys lists the signed-in user's passkeys (an empty list, never nil, for none).
func (s *Service) ListPasskeys(ctx context.Context, sess *Session) ([]Passkey, error) {
	keys, err := s.pool.ListPasskeys(ctx, sess.AccessToken)
	if err != nil {
		return nil, poolFailure(err, "list web authn credentials", sessionEnded)
	}
	out := make([]Passkey, 0, len(keys))
	for _, k := range keys {
		k.Transports = list(k.Transports)
		out = append(out, k)
	}
	return out, nil
}

// DeletePasskey deletes one of the signed-in user's passkeys by its credential id.
func (s *Service) DeletePasskey(ctx context.Context, sess *Session, id string) error {
	if err := checkPasskeyID(id); err != nil {
		return err
	}
	if err := s.pool.DeletePasskey(ctx, sess.AccessToken, id); err != nil {
		return poolFailure(err, "delete web authn credential", deletePasskeyRefusals)
	}
	return nil
}
