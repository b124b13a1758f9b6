package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
)

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

// ChallengeAnswer is POST /auth/challenge's body; which fields count depends on the pending
// challenge.
type ChallengeAnswer struct {
	Challenge   string            `json:"challenge"` // optional; must match the pending one
	Code        string            `json:"code"`
	NewPassword string            `json:"new_password"`
	Attributes  map[string]string `json:"attributes"`
	MFAType     string            `json:"mfa_type"`
	Factor      string            `json:"factor"`     // SELECT_CHALLENGE
	Password    string            `json:"password"`   // PASSWORD, or SELECT_CHALLENGE with PASSWORD
	Credential  json.RawMessage   `json:"credential"` // WEB_AUTHN: AuthenticationResponseJSON
}

// checked is the name to give the pool (the username, else the e-mail address), once it and
// the password pass the checks sign-in and sign-up share.
func (c Credentials) checked() (string, error) {
	name := c.name()
	if err := checkName(name); err != nil {
		return "", err
	}
	if err := checkPassword("password", c.Password); err != nil {
		return "", err
	}
	return name, nil
}

// SignInPassword signs in with a username (or e-mail) and password, server-side.
func (s *Service) SignInPassword(ctx context.Context, c Credentials) (*SignInResult, error) {
	name, err := c.checked()
	if err != nil {
		return nil, err
	}
	st, err := s.pool.SignInPassword(ctx, name, c.Password)
	if err != nil {
		return nil, poolFailure(err, "initiate auth", s.signInRefusals())
	}
	return s.step(ctx, st, name, name)
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
	flow, ok := challenges[pending.Name]
	if !ok {
		return nil, Fail(CodeInvalidRequest, "unsupported challenge", nil)
	}
	c := *pending
	answer, err := flow.answer(ctx, s, &c, a)
	if err != nil {
		return nil, err
	}
	refused := challengeRefusals
	switch {
	case answer.Password != "":
		refused = passwordAnswerRefusals
		if s.cfg.HideExistingUsers {
			refused = hiddenPasswordAnswerRefusals
		}
	case len(answer.Credential) > 0:
		refused = passkeyAnswerRefusals
	}
	st, err := s.pool.AnswerChallenge(ctx, c, answer)
	if err != nil {
		return nil, poolFailure(err, "respond to auth challenge", refused)
	}
	return s.step(ctx, st, pending.Username, pending.Label)
}

// signInRefusals are the answers to a refused start of a sign-in, by password or by
// choice.
func (s *Service) signInRefusals() refusals {
	if s.cfg.HideExistingUsers {
		return hiddenSignInRefusals
	}
	return signInRefusals
}

// step turns one answer of the sign-in state machine into a session or the next challenge.
// username is the name the user signed in with, unless the pool names them otherwise.
func (s *Service) step(ctx context.Context, st *Step, username, label string) (*SignInResult, error) {
	if st != nil && st.Tokens != nil {
		g, err := s.grant(ctx, st.Tokens, "")
		if err != nil {
			return nil, err
		}
		return &SignInResult{Grant: g}, nil
	}
	if st == nil || st.Next == nil || st.Next.Name == "" || st.Next.Session == "" {
		return nil, Fail(CodeInternal, "internal error", fmt.Errorf("the user pool answered with neither tokens nor a challenge"))
	}
	next := st.Next
	flow, ok := challenges[next.Name]
	if !ok {
		return nil, Fail(CodeInternal, "internal error", fmt.Errorf("unsupported challenge %.64s", next.Name))
	}
	if next.Username != "" {
		username = next.Username
	}
	pending := &Challenge{Name: next.Name, Session: next.Session, Username: username, Label: label}
	p := map[string]any{}
	if flow.prompt != nil {
		if err := flow.prompt(ctx, s, next, pending, p); err != nil {
			return nil, err
		}
	}
	return &SignInResult{Pending: pending, Prompt: &Prompt{Challenge: next.Name, Parameters: p}}, nil
}

// challengeFlow is what monban does for one challenge: what the browser is told to answer
// it (prompt, adding to the prompt's parameters; nil: nothing), and the check of the
// browser's answer (answer, which may replace the pending challenge's session).
type challengeFlow struct {
	prompt func(ctx context.Context, s *Service, next *NextChallenge, pending *Challenge, params map[string]any) error
	answer func(ctx context.Context, s *Service, pending *Challenge, a ChallengeAnswer) (Answer, error)
}

// challenges are the challenges monban answers, by name; any other fails the sign-in.
// EMAIL_OTP is both a second factor and a first factor of choice-based sign-in: Cognito
// prompts and checks it alike.
var challenges = map[string]challengeFlow{
	ChallengeNewPassword:   {prompt: promptRequiredAttributes, answer: answerNewPassword},
	ChallengeTOTP:          {answer: answerCode},
	ChallengeSMS:           {prompt: promptDelivery, answer: answerCode},
	ChallengeEmailOTP:      {prompt: promptDelivery, answer: answerCode},
	ChallengeSelectMFAType: {prompt: promptMFAChoice, answer: answerMFAChoice},
	ChallengeMFASetup:      {prompt: promptMFASetup, answer: answerMFASetup},
	ChallengeSelect:        {prompt: promptFactors, answer: answerFactor},
	ChallengeWebAuthn:      {prompt: promptRequestOptions, answer: answerPasskey},
	ChallengePassword:      {answer: answerPassword},
}

// mfaChoices are the factors SELECT_MFA_TYPE may be answered with.
var mfaChoices = []string{ChallengeSMS, ChallengeTOTP, ChallengeEmailOTP}

func promptRequiredAttributes(_ context.Context, _ *Service, next *NextChallenge, _ *Challenge, p map[string]any) error {
	p["required_attributes"] = list(next.RequiredAttributes)
	return nil
}

func promptDelivery(_ context.Context, _ *Service, next *NextChallenge, _ *Challenge, p map[string]any) error {
	var d Delivery
	if next.Delivery != nil {
		d = *next.Delivery
	}
	p["destination"], p["medium"] = d.Destination, d.Medium
	return nil
}

func promptMFAChoice(_ context.Context, _ *Service, next *NextChallenge, _ *Challenge, p map[string]any) error {
	p["mfas_can_choose"] = list(next.MFATypes)
	return nil
}

// promptMFASetup: an authenticator app is the one factor monban can set up mid-sign-in, so
// it is associated now and the browser can show the QR code right away.
func promptMFASetup(ctx context.Context, s *Service, next *NextChallenge, pending *Challenge, p map[string]any) error {
	can := list(next.MFATypes)
	p["mfas_can_setup"] = can
	if len(can) > 0 && !slices.Contains(can, ChallengeTOTP) {
		return nil
	}
	assoc, err := s.pool.AssociateTOTP(ctx, TOTPUser{Session: pending.Session})
	if err != nil {
		return poolFailure(err, "associate software token", challengeRefusals)
	}
	if assoc.Session != "" {
		pending.Session = assoc.Session
	}
	account := pending.Label
	if account == "" {
		account = pending.Username // a challenge sealed before labels were kept
	}
	setup := s.totpSetup(assoc.Secret, account)
	p["secret"], p["otpauth_uri"] = setup.Secret, setup.OTPAuthURI
	return nil
}

func answerNewPassword(_ context.Context, _ *Service, _ *Challenge, a ChallengeAnswer) (Answer, error) {
	if err := checkPassword("new_password", a.NewPassword); err != nil {
		return Answer{}, err
	}
	if err := checkAttributes(a.Attributes); err != nil {
		return Answer{}, err
	}
	return Answer{NewPassword: a.NewPassword, Attributes: a.Attributes}, nil
}

func answerCode(_ context.Context, _ *Service, _ *Challenge, a ChallengeAnswer) (Answer, error) {
	if err := checkCode(a.Code); err != nil {
		return Answer{}, err
	}
	return Answer{Code: a.Code}, nil
}

func answerMFAChoice(_ context.Context, _ *Service, _ *Challenge, a ChallengeAnswer) (Answer, error) {
	if !slices.Contains(mfaChoices, a.MFAType) {
		return Answer{}, Fail(CodeInvalidRequest, "mfa_type must be SMS_MFA, SOFTWARE_TOKEN_MFA or EMAIL_OTP", nil)
	}
	return Answer{MFAType: a.MFAType}, nil
}

// answerMFASetup verifies the new authenticator app's first code; MFA_SETUP is then answered
// with the session the verification returned.
func answerMFASetup(ctx context.Context, s *Service, pending *Challenge, a ChallengeAnswer) (Answer, error) {
	if err := checkCode(a.Code); err != nil {
		return Answer{}, err
	}
	session, err := s.pool.VerifyTOTP(ctx, TOTPUser{Session: pending.Session}, a.Code, "")
	if err != nil {
		return Answer{}, poolFailure(err, "verify software token", challengeRefusals)
	}
	if session != "" {
		pending.Session = session
	}
	return Answer{}, nil
}

// list is l, or an empty list: the prompt's lists are never JSON null.
func list(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
