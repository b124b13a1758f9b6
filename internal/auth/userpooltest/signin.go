package userpooltest

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/monban-auth/monban/internal/auth"
)

// session is Cognito's Session of a pending challenge: good for one successful answer
// within sessionLifetime (a wrong code may be tried again).
type session struct {
	sub       string
	challenge string
	expires   time.Time
	mfaTypes  []string
	code      *code // the SMS or e-mail code sent for this challenge
	verified  bool  // MFA_SETUP: the new authenticator app passed VerifyTOTP
}

const (
	msgSessionExpired = "Invalid session for the user, session is expired."
	msgSessionUsed    = "Invalid session for the user, session can only be used once."
)

// SignInPassword is InitiateAuth with USER_PASSWORD_AUTH: tokens, or the first challenge.
// An unknown user and a wrong password get the same NotAuthorizedException; only a user
// who gave the right password learns that they are unconfirmed or must reset it.
func (p *Pool) SignInPassword(ctx context.Context, username, password string) (*auth.Step, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.enter(ctx, "SignInPassword"); err != nil {
		return nil, err
	}
	return p.passwordStep(p.lookup(username), password)
}

// passwordStep checks the password of u (nil: no such user) and returns the sign-in's next
// step, for USER_PASSWORD_AUTH and for choice-based sign-in with the password.
func (p *Pool) passwordStep(u *user, password string) (*auth.Step, error) {
	if u == nil || u.password != password {
		return nil, fail(auth.ReasonNotAuthorized, msgBadCredentials)
	}
	switch {
	case !u.enabled:
		return nil, fail(auth.ReasonNotAuthorized, "User is disabled.")
	case u.status == statusUnconfirmed:
		return nil, fail(auth.ReasonUserNotConfirmed, "User is not confirmed.")
	case u.status == statusResetRequired:
		return nil, fail(auth.ReasonPasswordResetRequired, "Password reset required for the user")
	case u.status == statusForceChange:
		if !p.o.Now().Before(u.created.Add(tempPasswordMaxAge)) {
			return nil, fail(auth.ReasonNotAuthorized, "Temporary password has expired and must be reset by an administrator.")
		}
		return p.challenge(u, auth.ChallengeNewPassword, nil), nil
	}
	return p.afterPassword(u), nil
}

// afterPassword is the sign-in's next step once the password is settled: the second factor
// the user has (or must set up), else tokens.
func (p *Pool) afterPassword(u *user) *auth.Step {
	var enabled []string
	for _, f := range []string{auth.ChallengeSMS, auth.ChallengeTOTP, auth.ChallengeEmailOTP} {
		if u.mfaEnabled[f] {
			enabled = append(enabled, f)
		}
	}
	switch {
	case u.mfaPreferred != "" && u.mfaEnabled[u.mfaPreferred]:
		return p.challenge(u, u.mfaPreferred, nil)
	case len(enabled) == 1:
		return p.challenge(u, enabled[0], nil)
	case len(enabled) > 1:
		return p.challenge(u, auth.ChallengeSelectMFAType, enabled)
	case p.o.MFARequired:
		return p.challenge(u, auth.ChallengeMFASetup, []string{auth.ChallengeTOTP})
	}
	return &auth.Step{Tokens: p.issue(u)}
}

// challenge opens a session for the named challenge, sending its code when it has one.
func (p *Pool) challenge(u *user, name string, mfaTypes []string) *auth.Step {
	s := &session{sub: u.sub, challenge: name, expires: p.o.Now().Add(sessionLifetime), mfaTypes: mfaTypes}
	next := &auth.NextChallenge{Name: name, Username: u.sub, MFATypes: mfaTypes}
	switch name {
	case auth.ChallengeNewPassword:
		// The template's one required attribute, email, is set on every user.
		next.RequiredAttributes = []string{}
	case auth.ChallengeSMS:
		s.code = p.send(u, sessionLifetime)
		next.Delivery = &auth.Delivery{Medium: "SMS", Destination: maskPhone(u.attrs["phone_number"])}
	case auth.ChallengeEmailOTP:
		s.code = p.send(u, sessionLifetime)
		next.Delivery = emailDelivery(u)
	}
	next.Session = p.open(s)
	return &auth.Step{Next: next}
}

func (p *Pool) open(s *session) string {
	id := opaque(96)
	p.sessions[id] = s
	return id
}

// maskPhone masks a number as CodeDeliveryDetails does (+*******1234).
func maskPhone(n string) string {
	if len(n) <= 4 {
		return n
	}
	return "+" + strings.Repeat("*", len(n)-5) + n[len(n)-4:]
}

// pending finds the live session named id, for a challenge among names. Called with p.mu
// held.
func (p *Pool) pending(id string, names ...string) (*session, *user, error) {
	s, ok := p.sessions[id]
	switch {
	case !ok:
		return nil, nil, fail(auth.ReasonSessionExpired, msgSessionUsed)
	case !p.o.Now().Before(s.expires):
		delete(p.sessions, id)
		return nil, nil, fail(auth.ReasonSessionExpired, msgSessionExpired)
	case !slices.Contains(names, s.challenge):
		return nil, nil, fail(auth.ReasonInvalidParameter, "Invalid challenge name for the session.")
	}
	u := p.users[s.sub]
	if u == nil || !u.enabled {
		return nil, nil, fail(auth.ReasonNotAuthorized, "User is disabled.")
	}
	return s, u, nil
}

// AnswerChallenge is RespondToAuthChallenge: it checks the answer to the session's
// challenge and returns tokens or the next challenge. A wrong code leaves the session open
// for another try; a right answer uses it up.
func (p *Pool) AnswerChallenge(ctx context.Context, c auth.Challenge, a auth.Answer) (*auth.Step, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.enter(ctx, "AnswerChallenge"); err != nil {
		return nil, err
	}
	if step, handled, err := p.answerFirstFactor(c, a); handled {
		return step, err // a choice-based sign-in's challenge (passwordless.go)
	}
	s, u, err := p.pending(c.Session, c.Name)
	if err != nil {
		return nil, err
	}
	if c.Username != "" && p.lookup(c.Username) != u {
		return nil, fail(auth.ReasonNotAuthorized, msgBadCredentials)
	}
	next, err := p.answer(s, u, a)
	if err != nil {
		return nil, err
	}
	delete(p.sessions, c.Session)
	return next, nil
}

// answer checks one answer and moves the sign-in on.
func (p *Pool) answer(s *session, u *user, a auth.Answer) (*auth.Step, error) {
	switch s.challenge {
	case auth.ChallengeNewPassword:
		if err := checkPolicy(setPolicyPrefix, a.NewPassword); err != nil {
			return nil, err
		}
		if err := checkAttributes(a.Attributes); err != nil {
			return nil, err
		}
		for k, v := range a.Attributes {
			u.attrs[k] = v
		}
		u.password, u.status = a.NewPassword, statusConfirmed
		return p.afterPassword(u), nil
	case auth.ChallengeTOTP:
		if !totpValid(u.totpSecret, a.Code, p.o.Now()) {
			return nil, fail(auth.ReasonCodeMismatch, "Invalid code received for user")
		}
	case auth.ChallengeSMS, auth.ChallengeEmailOTP:
		if s.code == nil || s.code.value != a.Code {
			return nil, fail(auth.ReasonCodeMismatch, "Invalid code or auth state for the user.")
		}
	case auth.ChallengeSelectMFAType:
		if !slices.Contains(s.mfaTypes, a.MFAType) {
			return nil, fail(auth.ReasonInvalidParameter, "Invalid MFA type: "+a.MFAType)
		}
		return p.challenge(u, a.MFAType, nil), nil
	case auth.ChallengeMFASetup:
		if !s.verified {
			return nil, fail(auth.ReasonInvalidParameter, "Software token MFA has not been verified for the session.")
		}
		u.mfaEnabled[auth.ChallengeTOTP], u.mfaPreferred = true, auth.ChallengeTOTP
	}
	return &auth.Step{Tokens: p.issue(u)}, nil
}

// Refresh is REFRESH_TOKEN_AUTH (or, with RotateRefresh, GetTokensFromRefreshToken): new ID
// and access tokens from the same sign-in. The refresh token's user is the token's own; the
// name in r is not checked (the adapter's SECRET_HASH is not modelled).
func (p *Pool) Refresh(ctx context.Context, r auth.Refresh) (*auth.Tokens, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.enter(ctx, "Refresh"); err != nil {
		return nil, err
	}
	id, ok := p.refresh[r.Token]
	if !ok {
		return nil, fail(auth.ReasonNotAuthorized, "Invalid Refresh Token")
	}
	o := p.origins[id]
	u := p.users[o.sub]
	switch {
	case o.revoked:
		return nil, fail(auth.ReasonNotAuthorized, "Refresh Token has been revoked")
	case !p.o.Now().Before(o.issued.Add(refreshLifetime)):
		return nil, fail(auth.ReasonNotAuthorized, "Refresh Token has expired")
	case u == nil || !u.enabled:
		return nil, fail(auth.ReasonNotAuthorized, "User is disabled.")
	}
	t := p.mint(u, id, o.authTime)
	if p.o.RotateRefresh {
		delete(p.refresh, r.Token)
		t.RefreshToken = opaque(512)
		p.refresh[t.RefreshToken] = id
	}
	return t, nil
}
