package userpooltest

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/passkey"
)

// Choice-based sign-in (InitiateAuth with USER_AUTH) and passkeys (the WebAuthn actions),
// as the Cognito API reference describes them, with package passkey as the relying party:
//
//   - StartSignIn offers, in SELECT_CHALLENGE's AvailableChallenges, the first factors the
//     pool allows (Options.FirstFactors) that the user can use: WEB_AUTHN when they have a
//     passkey, EMAIL_OTP when they have an e-mail address, PASSWORD when they have a password;
//     or goes straight to the preferred factor when it is one of those. A factor name Cognito
//     does not know is ReasonInvalidParameter.
//   - An unknown user is answered like a known one ("Managing user existence error
//     responses": a choice-based request never says the user does not exist): a made-up user,
//     the same for the same name, with or without a passkey (its request options then list a
//     made-up credential), whose answers all fail like wrong ones — ReasonNotAuthorized for a
//     password, ReasonCodeMismatch for a code, ReasonPasskeyRefused for a passkey.
//   - EMAIL_OTP sends a random six-digit code, readable with Code. WEB_AUTHN's Options are the
//     request options; its answer is verified (challenge, origin, relying party, signature,
//     sign count). A first factor without a password skips MFA, as Cognito's passwordless
//     factors do; the password goes on to the user's second factor.
//   - A wrong answer leaves the session open for another try; a right one uses it up. The
//     session lasts three minutes (AuthSessionValidity), as the others.
//   - Passkeys are added with the user's access token (StartPasskeyRegistration, then
//     CompletePasskeyRegistration with the RegistrationResponseJSON, one answer per start),
//     listed oldest first, and deleted by credential id (base64url); an unknown id is
//     ReasonNotFound. Adding needs WEB_AUTHN among the pool's first factors (else
//     ReasonNotEnabled); a response that does not verify, or no registration started, is
//     ReasonPasskeyRefused.

// passwordless is the pool's state for choice-based sign-in and passkeys.
type passwordless struct {
	rp       *passkey.RelyingParty
	secret   []byte                  // keys the made-up users answered for unknown names
	passkeys map[string][]*storedKey // by sub, oldest first
	creating map[string][]byte       // by sub: the registration in progress
	sessions map[string]*firstFactor // the pending challenges of choice-based sign-ins
}

// storedKey is one of a user's passkeys.
type storedKey struct {
	cred    passkey.Credential
	created time.Time
}

// firstFactor is a pending challenge of a choice-based sign-in.
type firstFactor struct {
	sub       string // "" for a made-up user
	asked     string // the name the sign-in started with
	username  string // the name the answer must carry (the sub, or the made-up user's)
	challenge string
	factors   []string // SELECT_CHALLENGE's
	code      *code    // EMAIL_OTP's (nil for a made-up user)
	ceremony  []byte   // WEB_AUTHN's passkey.RelyingParty state
	expires   time.Time
}

// factorOrder is the order the factors are offered in.
var factorOrder = []string{auth.FactorWebAuthn, auth.FactorEmailOTP, auth.FactorPassword}

// passwordless makes the pool's state at first use. Called with p.mu held.
func (p *Pool) passwordless() (*passwordless, error) {
	if p.pl != nil {
		return p.pl, nil
	}
	rpID, origins := p.o.PasskeyRPID, p.o.PasskeyOrigins
	if rpID == "" {
		rpID = "localhost"
	}
	if len(origins) == 0 {
		origins = []string{"http://localhost"}
	}
	rp, err := passkey.New(passkey.Config{RPID: rpID, Origins: origins, Timeout: sessionLifetime, Now: p.o.Now})
	if err != nil {
		return nil, &auth.PoolError{Reason: auth.ReasonMisconfigured, Message: "WebAuthn configuration is invalid.", Err: err}
	}
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	p.pl = &passwordless{
		rp: rp, secret: secret, passkeys: map[string][]*storedKey{},
		creating: map[string][]byte{}, sessions: map[string]*firstFactor{},
	}
	return p.pl, nil
}

// allows says whether the pool allows factor as a first factor.
func (p *Pool) allows(factor string) bool {
	return p.o.FirstFactors == nil || slices.Contains(p.o.FirstFactors, factor)
}

// StartSignIn is InitiateAuth with USER_AUTH (and PREFERRED_CHALLENGE when preferred is
// not ""): the preferred factor's challenge when the user can use it, else SELECT_CHALLENGE.
func (p *Pool) StartSignIn(ctx context.Context, username, preferred string) (*auth.Step, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.enter(ctx, "StartSignIn"); err != nil {
		return nil, err
	}
	if username == "" {
		return nil, fail(auth.ReasonInvalidParameter, "Missing required parameter USERNAME")
	}
	if preferred != "" && !slices.Contains(factorOrder, preferred) {
		return nil, fail(auth.ReasonInvalidParameter, "Invalid preferred challenge: "+preferred)
	}
	pl, err := p.passwordless()
	if err != nil {
		return nil, err
	}
	f := &firstFactor{asked: username}
	var available []string
	if u := p.lookup(username); u != nil {
		f.sub, f.username = u.sub, u.sub
		available = p.factorsOf(u)
	} else {
		var hasPasskey bool
		f.username, hasPasskey = pl.madeUp(username)
		for _, factor := range factorOrder {
			if p.allows(factor) && (factor != auth.FactorWebAuthn || hasPasskey) {
				available = append(available, factor)
			}
		}
	}
	if slices.Contains(available, preferred) {
		return p.firstFactorChallenge(f, preferred)
	}
	f.challenge, f.factors = auth.ChallengeSelect, available
	return p.openFirstFactor(f), nil
}

// factorsOf are the first factors u can sign in with, in factorOrder.
func (p *Pool) factorsOf(u *user) []string {
	out := []string{}
	for _, factor := range factorOrder {
		can := false
		switch factor {
		case auth.FactorWebAuthn:
			can = len(p.pl.passkeys[u.sub]) > 0
		case auth.FactorEmailOTP:
			can = u.attrs["email"] != ""
		case auth.FactorPassword:
			can = u.password != ""
		}
		if can && p.allows(factor) {
			out = append(out, factor)
		}
	}
	return out
}

// madeUp is the made-up user answered for an unknown name: a sub-shaped username and
// whether they have a passkey, the same each time for the same name (Cognito's simulated
// answers are stable too).
func (pl *passwordless) madeUp(name string) (username string, hasPasskey bool) {
	h := pl.keyed("user", name)
	u := hex.EncodeToString(h[:16])
	return u[:8] + "-" + u[8:12] + "-4" + u[13:16] + "-a" + u[17:20] + "-" + u[20:], h[16]&1 == 1
}

func (pl *passwordless) keyed(purpose, name string) []byte {
	m := hmac.New(sha256.New, pl.secret)
	m.Write([]byte(purpose + "\x00" + strings.ToLower(name)))
	return m.Sum(nil)
}

// relyingPartyUser is the passkey.User of f's user: a real one, or the made-up one with its
// made-up passkey.
func (p *Pool) relyingPartyUser(f *firstFactor) passkey.User {
	if f.sub != "" {
		return p.rpUser(p.users[f.sub])
	}
	u := passkey.User{ID: []byte(f.username), Name: f.asked}
	if _, hasPasskey := p.pl.madeUp(f.asked); hasPasskey {
		u.Credentials = []passkey.Credential{{
			ID: p.pl.keyed("credential", f.asked), Transports: []string{"hybrid", "internal"},
		}}
	}
	return u
}

// rpUser is u as the relying party sees them: the sub as the user handle.
func (p *Pool) rpUser(u *user) passkey.User {
	rpu := passkey.User{ID: []byte(u.sub), Name: u.attrs["email"], DisplayName: u.attrs["name"]}
	for _, k := range p.pl.passkeys[u.sub] {
		rpu.Credentials = append(rpu.Credentials, k.cred)
	}
	return rpu
}

// firstFactorChallenge opens the challenge of factor for f's user.
func (p *Pool) firstFactorChallenge(f *firstFactor, factor string) (*auth.Step, error) {
	next := &firstFactor{sub: f.sub, asked: f.asked, username: f.username, challenge: factor}
	switch factor {
	case auth.FactorEmailOTP:
		if u := p.users[f.sub]; u != nil {
			next.code = p.send(u, sessionLifetime)
		}
	case auth.FactorWebAuthn:
		options, ceremony, err := p.pl.rp.BeginLogin(p.relyingPartyUser(f))
		if err != nil {
			return nil, &auth.PoolError{Reason: auth.ReasonUnknown, Err: err}
		}
		next.ceremony = ceremony
		step := p.openFirstFactor(next)
		step.Next.Options = options
		return step, nil
	}
	return p.openFirstFactor(next), nil
}

// openFirstFactor opens a session for f's challenge.
func (p *Pool) openFirstFactor(f *firstFactor) *auth.Step {
	f.expires = p.o.Now().Add(sessionLifetime)
	id := opaque(96)
	p.pl.sessions[id] = f
	next := &auth.NextChallenge{Name: f.challenge, Session: id, Username: f.username}
	switch f.challenge {
	case auth.ChallengeSelect:
		next.Factors = slices.Clone(f.factors)
	case auth.ChallengeEmailOTP:
		next.Delivery = &auth.Delivery{Medium: "EMAIL", Destination: maskEmail(f.asked)}
		if u := p.users[f.sub]; u != nil {
			next.Delivery = emailDelivery(u)
		}
	}
	return &auth.Step{Next: next}
}

// answerFirstFactor answers a choice-based sign-in's challenge; handled is false for a
// session it did not open (AnswerChallenge then goes on). Called with p.mu held.
func (p *Pool) answerFirstFactor(c auth.Challenge, a auth.Answer) (step *auth.Step, handled bool, err error) {
	if p.pl == nil {
		return nil, false, nil
	}
	f, ok := p.pl.sessions[c.Session]
	switch {
	case !ok:
		return nil, false, nil
	case !p.o.Now().Before(f.expires):
		delete(p.pl.sessions, c.Session)
		return nil, true, fail(auth.ReasonSessionExpired, msgSessionExpired)
	case c.Name != f.challenge:
		return nil, true, fail(auth.ReasonInvalidParameter, "Invalid challenge name for the session.")
	}
	u := p.users[f.sub] // nil for a made-up user
	if c.Username != "" && c.Username != f.username {
		// The name the sign-in started with is good too, as for the other challenges.
		same := strings.EqualFold(c.Username, f.asked)
		if u != nil {
			same = p.lookup(c.Username) == u
		}
		if !same {
			return nil, true, fail(auth.ReasonNotAuthorized, msgBadCredentials)
		}
	}
	if f.sub != "" && (u == nil || !u.enabled) {
		return nil, true, fail(auth.ReasonNotAuthorized, "User is disabled.")
	}
	step, err = p.answerFactor(f, u, a)
	if err != nil {
		return nil, true, err
	}
	delete(p.pl.sessions, c.Session)
	return step, true, nil
}

// answerFactor checks one answer to f's challenge and moves the sign-in on.
func (p *Pool) answerFactor(f *firstFactor, u *user, a auth.Answer) (*auth.Step, error) {
	switch f.challenge {
	case auth.ChallengeSelect:
		if !slices.Contains(f.factors, a.Factor) {
			return nil, fail(auth.ReasonInvalidParameter, "Invalid challenge selected: "+a.Factor)
		}
		if a.Factor == auth.FactorPassword && a.Password != "" {
			return p.passwordStep(u, a.Password)
		}
		return p.firstFactorChallenge(f, a.Factor)
	case auth.ChallengePassword:
		return p.passwordStep(u, a.Password)
	case auth.ChallengeEmailOTP:
		if f.code == nil || f.code.value != a.Code {
			return nil, fail(auth.ReasonCodeMismatch, "Invalid code or auth state for the user.")
		}
	case auth.ChallengeWebAuthn:
		used, err := p.pl.rp.FinishLogin(p.relyingPartyUser(f), f.ceremony, a.Credential)
		if err != nil || u == nil {
			if err == nil {
				err = errors.New("no such user")
			}
			return nil, &auth.PoolError{Reason: auth.ReasonPasskeyRefused, Message: "The passkey could not be verified.", Err: err}
		}
		for _, k := range p.pl.passkeys[u.sub] {
			if string(k.cred.ID) == string(used.ID) {
				k.cred = used
			}
		}
	}
	// A passwordless first factor signs the user in without a second one.
	if u.status == statusUnconfirmed {
		return nil, fail(auth.ReasonUserNotConfirmed, "User is not confirmed.")
	}
	return &auth.Step{Tokens: p.issue(u)}, nil
}

// StartPasskeyRegistration is StartWebAuthnRegistration: creation options for a new passkey
// of the access token's user (their passkeys excluded). A second start replaces the first.
func (p *Pool) StartPasskeyRegistration(ctx context.Context, accessToken string) (json.RawMessage, error) {
	var options json.RawMessage
	err := p.asHolder(ctx, "StartPasskeyRegistration", accessToken, func(u *user) error {
		pl, err := p.webAuthn()
		if err != nil {
			return err
		}
		opts, ceremony, err := pl.rp.BeginRegistration(p.rpUser(u))
		if err != nil {
			return &auth.PoolError{Reason: auth.ReasonUnknown, Err: err}
		}
		options, pl.creating[u.sub] = opts, ceremony
		return nil
	})
	return options, err
}

// CompletePasskeyRegistration is CompleteWebAuthnRegistration: it verifies the
// RegistrationResponseJSON against the registration started last, and stores the passkey.
func (p *Pool) CompletePasskeyRegistration(ctx context.Context, accessToken string, credential json.RawMessage) error {
	return p.asHolder(ctx, "CompletePasskeyRegistration", accessToken, func(u *user) error {
		pl, err := p.webAuthn()
		if err != nil {
			return err
		}
		ceremony, ok := pl.creating[u.sub]
		if !ok {
			return fail(auth.ReasonPasskeyRefused, "No WebAuthn registration is in progress.")
		}
		delete(pl.creating, u.sub)
		c, err := pl.rp.FinishRegistration(p.rpUser(u), ceremony, credential)
		if err != nil {
			return &auth.PoolError{Reason: auth.ReasonPasskeyRefused, Message: "The passkey could not be verified.", Err: err}
		}
		for _, keys := range pl.passkeys {
			for _, k := range keys {
				if string(k.cred.ID) == string(c.ID) {
					return fail(auth.ReasonPasskeyRefused, "The credential is already registered.")
				}
			}
		}
		pl.passkeys[u.sub] = append(pl.passkeys[u.sub], &storedKey{cred: c, created: p.o.Now()})
		return nil
	})
}

// ListPasskeys is ListWebAuthnCredentials: the access token's user's passkeys, oldest first.
func (p *Pool) ListPasskeys(ctx context.Context, accessToken string) ([]auth.Passkey, error) {
	var out []auth.Passkey
	err := p.asHolder(ctx, "ListPasskeys", accessToken, func(u *user) error {
		pl, err := p.passwordless()
		if err != nil {
			return err
		}
		out = []auth.Passkey{}
		for _, k := range pl.passkeys[u.sub] {
			out = append(out, auth.Passkey{
				ID: k.cred.EncodedID(), Name: "Passkey", RelyingPartyID: pl.rp.RPID(),
				Attachment: k.cred.Attachment, Transports: slices.Clone(k.cred.Transports), CreatedAt: k.created,
			})
		}
		return nil
	})
	return out, err
}

// DeletePasskey is DeleteWebAuthnCredential; an id the user has no passkey with is
// ResourceNotFoundException.
func (p *Pool) DeletePasskey(ctx context.Context, accessToken, id string) error {
	return p.asHolder(ctx, "DeletePasskey", accessToken, func(u *user) error {
		pl, err := p.passwordless()
		if err != nil {
			return err
		}
		keys := pl.passkeys[u.sub]
		i := slices.IndexFunc(keys, func(k *storedKey) bool { return k.cred.EncodedID() == id })
		if i < 0 {
			return fail(auth.ReasonNotFound, "Credential not found.")
		}
		pl.passkeys[u.sub] = slices.Delete(keys, i, i+1)
		return nil
	})
}

// webAuthn is the pool's state for adding passkeys, which needs WEB_AUTHN among the pool's
// first factors (WebAuthnNotEnabledException otherwise).
func (p *Pool) webAuthn() (*passwordless, error) {
	if !p.allows(auth.FactorWebAuthn) {
		return nil, fail(auth.ReasonNotEnabled, "WebAuthn is not enabled for the user pool.")
	}
	return p.passwordless()
}
