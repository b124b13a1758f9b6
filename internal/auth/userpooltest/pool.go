// Package userpooltest is an in-memory user pool: the one fake of the port auth.UserPool. It
// behaves as Amazon Cognito's user-pool API reference says for the operations the port
// names, for a pool set up like monban's template: users sign in by e-mail (the pool's
// UsernameAttributes is email, so the name Cognito knows a user by is their sub), the client
// prevents user-existence errors, MFA is optional with authenticator apps, and tokens can be
// revoked. Its tokens are real RS256 JWTs that token.Verifier accepts with the pool's
// issuer, client id and key set (JWKS, JWKSHandler).
//
// It serves the unit tests of the flows in package auth and is a backend of the conformance
// suite in e2e. Tests reach past the port with the administrator's helpers (CreateUser,
// AddToGroup, SetAttribute, SetMFAPreference, ResetPassword, Disable), read the codes the
// pool "sends" (Code), and make calls fail (Fail).
package userpooltest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/monban-auth/monban/internal/auth"
)

// Options configure a Pool. The zero value is a working pool.
type Options struct {
	// Issuer and ClientID are the tokens' iss and their client_id (access) or aud (ID).
	// Defaults: DefaultIssuer, DefaultClientID.
	Issuer, ClientID string
	// Key signs the RS256 ID and access tokens under KeyID. Default: a 2048-bit key made
	// once per process (making one is the slowest part of a test run), "fake-1".
	Key   *rsa.PrivateKey
	KeyID string
	// Now is the pool's clock (token times, code and session expiry, TOTP). Default time.Now.
	Now func() time.Time
	// TokenLifetime is how long ID and access tokens last. Default one hour.
	TokenLifetime time.Duration
	// RotateRefresh makes Refresh return a new refresh token and retire the one it was given
	// (refresh-token rotation with no grace period).
	RotateRefresh bool
	// AutoConfirm confirms sign-ups at once and verifies their e-mail, as the pre-sign-up
	// trigger does with autoConfirmUser and autoVerifyEmail.
	AutoConfirm bool
	// MFARequired is the pool's MfaConfiguration ON: a user without a second factor must set
	// up an authenticator app at sign-in (MFA_SETUP). Default: OPTIONAL.
	MFARequired bool
	// FirstFactors are the first factors of choice-based sign-in the pool allows (its
	// SignInPolicy's AllowedFirstAuthFactors: auth.Factor*). Default: all three. Without
	// WEB_AUTHN, adding a passkey is ReasonNotEnabled.
	FirstFactors []string
	// PasskeyRPID is the passkeys' relying party id and PasskeyOrigins the origins their
	// ceremonies may come from. Defaults: "localhost", "http://localhost".
	PasskeyRPID    string
	PasskeyOrigins []string
	// WriteAttributes are the attributes the app client may write (its WriteAttributes);
	// UpdateAttributes refuses any other with ReasonAttributeNotWritable. Default (nil): the
	// template's: email, name, given_name, family_name, preferred_username, locale, zoneinfo
	// and picture.
	WriteAttributes []string
}

// The defaults of Options.
const (
	DefaultIssuer   = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Fake"
	DefaultClientID = "fakeclient0000000000000000"
	DefaultKeyID    = "fake-1"
)

// The pool's fixed lifetimes, Cognito's defaults and the template's (AuthSessionValidity 3).
const (
	refreshLifetime    = 30 * 24 * time.Hour
	sessionLifetime    = 3 * time.Minute
	signUpCodeLifetime = 24 * time.Hour
	resetCodeLifetime  = time.Hour
	tempPasswordMaxAge = 7 * 24 * time.Hour
)

var (
	defaultKeyOnce sync.Once
	defaultKey     *rsa.PrivateKey
)

func sharedKey() *rsa.PrivateKey {
	defaultKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		defaultKey = k
	})
	return defaultKey
}

// User statuses, Cognito's names.
const (
	statusUnconfirmed   = "UNCONFIRMED"
	statusConfirmed     = "CONFIRMED"
	statusForceChange   = "FORCE_CHANGE_PASSWORD"
	statusResetRequired = "RESET_REQUIRED"
)

// code is a code the pool sent, with its expiry.
type code struct {
	value   string
	expires time.Time
}

type user struct {
	sub        string
	password   string
	status     string
	enabled    bool
	attrs      map[string]string // email, email_verified ("true"/"false"), name, custom:…
	groups     []string
	created    time.Time // when the temporary password was set, for its expiry
	signUpCode *code
	resetCode  *code
	lastCode   string // the last code sent for any purpose (Code)

	pendingEmail string           // a new address waiting for its code (profile.go)
	attrCodes    map[string]*code // the codes sent to verify an attribute, by its name

	totpPending  string // secret from AssociateTOTP, not yet verified
	totpSecret   string // verified authenticator app
	mfaEnabled   map[string]bool
	mfaPreferred string
}

// Pool is an in-memory user pool. It implements auth.UserPool and is safe for concurrent
// use.
type Pool struct {
	o     Options
	jwks  []byte
	mu    sync.Mutex
	users map[string]*user // by sub

	origins  map[string]*origin  // sign-ins by origin_jti
	refresh  map[string]string   // refresh token → origin_jti
	sessions map[string]*session // challenge sessions
	fail     map[string]error
	calls    map[string]int
	pl       *passwordless // choice-based sign-in and passkeys, made at first use
}

// origin is one sign-in: its refresh token and the tokens refreshed from it share it.
type origin struct {
	sub      string
	authTime time.Time
	issued   time.Time
	revoked  bool
}

var _ auth.UserPool = (*Pool)(nil)

// New returns an empty pool.
func New(o Options) *Pool {
	if o.Issuer == "" {
		o.Issuer = DefaultIssuer
	}
	if o.ClientID == "" {
		o.ClientID = DefaultClientID
	}
	if o.Key == nil {
		o.Key = sharedKey()
		if o.KeyID == "" {
			o.KeyID = DefaultKeyID
		}
	}
	if o.KeyID == "" {
		o.KeyID = DefaultKeyID
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.TokenLifetime <= 0 {
		o.TokenLifetime = time.Hour
	}
	pub := o.Key.PublicKey
	jwks, err := json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "kid": o.KeyID, "alg": "RS256", "use": "sig",
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
	if err != nil {
		panic(err)
	}
	return &Pool{
		o: o, jwks: jwks, users: map[string]*user{}, origins: map[string]*origin{},
		refresh: map[string]string{}, sessions: map[string]*session{},
		fail: map[string]error{}, calls: map[string]int{},
	}
}

// JWKS is the pool's public key set, as Cognito serves it at
// <issuer>/.well-known/jwks.json.
func (p *Pool) JWKS() []byte { return append([]byte(nil), p.jwks...) }

// JWKSHandler serves JWKS at any path.
func (p *Pool) JWKSHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(p.jwks)
	})
}

// Fail makes the next call of op (a method name of auth.UserPool: "SignUp", "Refresh", …)
// fail with err, without doing anything else. Fail(op, nil) clears it.
func (p *Pool) Fail(op string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err == nil {
		delete(p.fail, op)
		return
	}
	p.fail[op] = err
}

// Calls is how often op was called, failed calls included.
func (p *Pool) Calls(op string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[op]
}

// Code is the last code the pool sent the user named by username, sub or e-mail: sign-up
// confirmation, password reset, an SMS or e-mail sign-in code, or an attribute's
// verification code ("" when none was sent).
func (p *Pool) Code(username string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if u := p.lookup(username); u != nil {
		return u.lastCode
	}
	return ""
}

// CreateUser makes a user as AdminCreateUser does with MessageAction SUPPRESS: username is
// the e-mail address (set as the email attribute unless attrs has one), tempPassword must
// meet the policy, and the first sign-in answers NEW_PASSWORD_REQUIRED.
func (p *Pool) CreateUser(username, tempPassword string, attrs map[string]string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if msg := policyViolation(tempPassword); msg != "" {
		return fail(auth.ReasonInvalidPassword, "Password does not conform to policy: "+msg)
	}
	email := username
	if attrs["email"] != "" {
		email = attrs["email"]
	}
	if !strings.Contains(email, "@") {
		return fail(auth.ReasonInvalidParameter, "Username should be an email.")
	}
	if p.byEmail(email) != nil {
		return fail(auth.ReasonUsernameExists, "An account with the given email already exists.")
	}
	u := p.newUser(tempPassword, attrs, email)
	u.status = statusForceChange
	return nil
}

// AddToGroup puts the user in a group (AdminAddUserToGroup); tokens minted from then on
// carry it in cognito:groups.
func (p *Pool) AddToGroup(username, group string) error {
	return p.admin(username, func(u *user) error {
		if !slices.Contains(u.groups, group) {
			u.groups = append(u.groups, group)
			slices.Sort(u.groups)
		}
		return nil
	})
}

// SetAttribute sets one of the user's attributes (AdminUpdateUserAttributes); "" deletes it.
func (p *Pool) SetAttribute(username, name, value string) error {
	return p.admin(username, func(u *user) error {
		if value == "" {
			delete(u.attrs, name)
		} else {
			u.attrs[name] = value
		}
		return nil
	})
}

// SetMFAPreference enables factors for the user ("SMS_MFA", "EMAIL_OTP",
// "SOFTWARE_TOKEN_MFA") and names the preferred one ("" for none), as
// AdminSetUserMFAPreference does. SOFTWARE_TOKEN_MFA needs a verified authenticator app.
// With several factors and none preferred, sign-in answers SELECT_MFA_TYPE.
func (p *Pool) SetMFAPreference(username string, enabled []string, preferred string) error {
	return p.admin(username, func(u *user) error {
		if slices.Contains(enabled, auth.ChallengeTOTP) && u.totpSecret == "" {
			return fail(auth.ReasonInvalidParameter, "User has not verified software token mfa")
		}
		u.mfaEnabled = map[string]bool{}
		for _, f := range enabled {
			u.mfaEnabled[f] = true
		}
		u.mfaPreferred = preferred
		return nil
	})
}

// ResetPassword is AdminResetUserPassword: the user must reset the password (sign-in answers
// PasswordResetRequiredException) with the code it sends.
func (p *Pool) ResetPassword(username string) error {
	return p.admin(username, func(u *user) error {
		u.status = statusResetRequired
		u.resetCode = p.send(u, resetCodeLifetime)
		return nil
	})
}

// Disable is AdminDisableUser: sign-in, refresh and the user's access tokens are refused.
func (p *Pool) Disable(username string) error {
	return p.admin(username, func(u *user) error {
		u.enabled = false
		return nil
	})
}

// admin runs an administrator's change to the user named username, sub or e-mail.
func (p *Pool) admin(username string, change func(*user) error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.lookup(username)
	if u == nil {
		return fail(auth.ReasonUserNotFound, "User does not exist.")
	}
	return change(u)
}

// enter counts a call of op and returns the failure injected for it, or the context's.
// It is called with p.mu held.
func (p *Pool) enter(ctx context.Context, op string) error {
	p.calls[op]++
	if err, ok := p.fail[op]; ok {
		delete(p.fail, op)
		return err
	}
	if err := ctx.Err(); err != nil {
		return &auth.PoolError{Reason: auth.ReasonUnavailable, Err: err}
	}
	return nil
}

// fail is a refusal with Cognito's message, which is also the cause for logs.
func fail(r auth.Reason, msg string) error {
	return &auth.PoolError{Reason: r, Message: msg, Err: fmt.Errorf("%s", msg)}
}

// lookup finds a user by the name Cognito knows them by (their sub) or by e-mail, as a pool
// with e-mail usernames does. Called with p.mu held.
func (p *Pool) lookup(name string) *user {
	if u, ok := p.users[name]; ok {
		return u
	}
	return p.byEmail(name)
}

// byEmail finds a user by e-mail, case-insensitively (the template's pool is not case
// sensitive).
func (p *Pool) byEmail(email string) *user {
	if email == "" {
		return nil
	}
	for _, u := range p.users {
		if strings.EqualFold(u.attrs["email"], email) {
			return u
		}
	}
	return nil
}

func (p *Pool) newUser(password string, attrs map[string]string, email string) *user {
	u := &user{
		sub: uuid(), password: password, status: statusUnconfirmed, enabled: true,
		attrs: map[string]string{}, created: p.o.Now(), mfaEnabled: map[string]bool{},
		attrCodes: map[string]*code{},
	}
	for k, v := range attrs {
		u.attrs[k] = v
	}
	u.attrs["email"] = email
	if u.attrs["email_verified"] == "" {
		u.attrs["email_verified"] = "false"
	}
	p.users[u.sub] = u
	return u
}

// send "sends" the user a fresh six-digit code valid for d.
func (p *Pool) send(u *user, d time.Duration) *code {
	var b [4]byte
	_, _ = rand.Read(b[:])
	c := &code{value: fmt.Sprintf("%06d", binary.BigEndian.Uint32(b[:])%1000000), expires: p.o.Now().Add(d)}
	u.lastCode = c.value
	return c
}

// emailDelivery is where Cognito says a code went: the masked address.
func emailDelivery(u *user) *auth.Delivery {
	return &auth.Delivery{Medium: "EMAIL", Destination: maskEmail(u.attrs["email"])}
}

// maskEmail masks an address as CodeDeliveryDetails does (a***@e***).
func maskEmail(addr string) string {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" || domain == "" {
		return ""
	}
	return local[:1] + "***@" + domain[:1] + "***"
}

// uuid is a random (version 4) UUID, the shape of Cognito's subs and token ids.
func uuid() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// opaque is a random token of n bytes, for refresh tokens and sessions (Cognito's are
// opaque to clients too).
func opaque(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
