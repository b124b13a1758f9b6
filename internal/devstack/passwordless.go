package devstack

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/monban-auth/monban/internal/cognito"
	"github.com/monban-auth/monban/internal/passkey"
)

// Choice-based sign-in (InitiateAuth USER_AUTH and its challenges) and passkeys (the four
// WebAuthn actions), which cognito-local lacks: what is stood in for, and where it stops, is
// in the comment at the top of cognitoapi.go. Sources: the Cognito API reference
// (InitiateAuth, RespondToAuthChallenge, StartWebAuthnRegistration,
// CompleteWebAuthnRegistration, ListWebAuthnCredentials, DeleteWebAuthnCredential) and the
// Developer Guide ("Authentication flows": choice-based sign-in; "Managing user existence
// error responses"; "Adding MFA to a user pool": passwordless factors are not offered to a
// user with MFA).

const (
	challengeSelect   = "SELECT_CHALLENGE"
	challengePassword = "PASSWORD"
	challengeEmailOTP = "EMAIL_OTP"
	challengeWebAuthn = "WEB_AUTHN"

	// defaultAuthSession is a sign-in's session when the app client sets no
	// AuthSessionValidity (Cognito's default: 3 minutes).
	defaultAuthSession = 3 * time.Minute
	// passkeyCeremony is how long a passkey registration may take: the relying party's
	// default timeout, the same as the template's AuthSessionValidity.
	passkeyCeremony = 3 * time.Minute
	// maxPasskeys is Cognito's quota of passkeys per user.
	maxPasskeys = 20

	msgBadCredentials = "Incorrect username or password."
	msgSessionExpired = "Invalid session for the user, session is expired."
	msgSessionUsed    = "Invalid session for the user, session can only be used once."
	msgCodeMismatch   = "Invalid code or auth state for the user."
)

// userAuthFlows are the challenges of choice-based sign-in, all answered by the front.
var userAuthFlows = []string{challengeSelect, challengePassword, challengeEmailOTP, challengeWebAuthn}

// passwordless is the front's state for these stand-ins, in memory for the front's life.
type passwordless struct {
	rp     *passkey.RelyingParty // nil: no relying party configured
	dbFile string                // the emulator's data file of the pool ("" unknown)
	key    []byte                // makes the simulated answers for unknown users stable

	mu       sync.Mutex
	sessions map[string]*authSession
	passkeys map[string][]storedPasskey // by the emulator's username (the sub)
	pending  map[string]registration    // StartWebAuthnRegistration's ceremony, by username
}

type storedPasskey struct {
	passkey.Credential
	created time.Time
}

type registration struct {
	clientID string
	state    []byte
	expires  time.Time
}

// authSession is Cognito's Session of a choice-based sign-in: good for one answer (a wrong
// e-mail code may be tried again) until it expires.
type authSession struct {
	clientID  string
	username  string // as the sign-in named the user
	sub       string // the emulator's username; "" when no such (enabled) user exists
	email     string
	challenge string
	factors   []string // SELECT_CHALLENGE's AvailableChallenges
	ceremony  []byte   // WEB_AUTHN: the relying party's state
	expires   time.Time
	used      bool
}

// signInUser is what a sign-in needs to know of the user it names.
type signInUser struct {
	sub, email string
	mfa        bool // an MFA factor is on: passwordless factors are not offered
}

// challengeAnswer is InitiateAuth's and RespondToAuthChallenge's answer with a challenge.
type challengeAnswer struct {
	ChallengeName       string            `json:"ChallengeName"`
	Session             string            `json:"Session"`
	ChallengeParameters map[string]string `json:"ChallengeParameters"`
	AvailableChallenges []string          `json:"AvailableChallenges,omitempty"`
}

func newPasswordless(o CognitoAPIFrontOptions, now func() time.Time) (*passwordless, error) {
	p := &passwordless{
		key: make([]byte, 32), sessions: map[string]*authSession{},
		passkeys: map[string][]storedPasskey{}, pending: map[string]registration{},
	}
	rand.Read(p.key)
	if o.EmulatorDataDir != "" {
		p.dbFile = emulatorDBFile(o.EmulatorDataDir, o.Pool.ID)
	}
	if o.RelyingPartyID != "" {
		rp, err := passkey.New(passkey.Config{RPID: o.RelyingPartyID, Origins: o.Origins, Now: now})
		if err != nil {
			return nil, fmt.Errorf("devstack: API front: %w", err)
		}
		p.rp = rp
	}
	return p, nil
}

// emulatorDBFile is where cognito-local keeps a pool's users (plaintext passwords included):
// .cognito/db/<pool ID>.json in its working directory.
func emulatorDBFile(dataDir, poolID string) string {
	return filepath.Join(dataDir, ".cognito", "db", poolID+".json")
}

func (f *APIFront) allowsUserAuth(client *types.UserPoolClientType) bool {
	return slices.Contains(client.ExplicitAuthFlows, types.ExplicitAuthFlowsTypeAllowUserAuth)
}

// poolDescriber is the emulator's DescribeUserPool (*cip.Client has it), which holds the
// pool's SignInPolicy as it was set: cognito-local keeps a pool's Policies as given.
type poolDescriber interface {
	DescribeUserPool(context.Context, *cip.DescribeUserPoolInput, ...func(*cip.Options)) (*cip.DescribeUserPoolOutput, error)
}

// firstFactors are the pool's AllowedFirstAuthFactors (SignInPolicy). A pool without one, or
// an emulator that cannot be asked, signs in with passwords only, as a pool created without
// a SignInPolicy does.
func (f *APIFront) firstFactors(ctx context.Context) ([]string, *apiError) {
	d, ok := f.admin.(poolDescriber)
	if !ok {
		return []string{challengePassword}, nil
	}
	out, err := d.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &f.pool.ID})
	if err != nil {
		return nil, internalError("devstack: DescribeUserPool: " + err.Error())
	}
	var allowed []string
	if up := out.UserPool; up != nil && up.Policies != nil && up.Policies.SignInPolicy != nil {
		for _, a := range up.Policies.SignInPolicy.AllowedFirstAuthFactors {
			allowed = append(allowed, string(a))
		}
	}
	if len(allowed) == 0 {
		return []string{challengePassword}, nil
	}
	return allowed, nil
}

// startUserAuth is InitiateAuth with USER_AUTH: never tokens at this step, but
// SELECT_CHALLENGE with the factors the user can use, or the preferred one's challenge. A
// user who does not exist (or is disabled) gets an answer of the same shape, stable for the
// name, whose answers all fail as wrong ones do.
func (f *APIFront) startUserAuth(ctx context.Context, req *apiRequest) (any, *apiError) {
	username := req.AuthParameters["USERNAME"]
	switch {
	case req.ClientId == "":
		return nil, missing("clientId")
	case username == "":
		return nil, invalidParameter("Missing required parameter USERNAME")
	}
	preferred := req.AuthParameters["PREFERRED_CHALLENGE"]
	switch preferred {
	case "", challengePassword, challengeEmailOTP, challengeWebAuthn, "SMS_OTP", "PASSWORD_SRP":
	default:
		return nil, invalidParameter("Invalid PREFERRED_CHALLENGE: " + preferred)
	}
	client, e := f.signedClient(ctx, req.ClientId, username, req.AuthParameters["SECRET_HASH"])
	if e != nil {
		return nil, e
	}
	if !f.allowsUserAuth(client) {
		return nil, invalidParameter("USER_AUTH flow not enabled for this client")
	}
	allowed, e := f.firstFactors(ctx)
	if e != nil {
		return nil, e
	}
	u, e := f.signInUser(ctx, username)
	if e != nil {
		return nil, e
	}
	s := &authSession{
		clientID: req.ClientId, username: username, sub: u.sub, email: u.email,
		expires: f.now().Add(sessionValidity(client)),
	}
	s.factors = f.factors(u, username, allowed)
	if slices.Contains(s.factors, preferred) {
		return f.challenge(s, preferred)
	}
	// No preference, or one the user cannot use: the choice (SMS_OTP and PASSWORD_SRP are
	// never offered here).
	return f.challenge(s, challengeSelect)
}

func sessionValidity(client *types.UserPoolClientType) time.Duration {
	if m := aws.ToInt32(client.AuthSessionValidity); m > 0 {
		return time.Duration(m) * time.Minute
	}
	return defaultAuthSession
}

// signInUser finds the user a sign-in names; a missing or disabled user is the zero value.
func (f *APIFront) signInUser(ctx context.Context, username string) (signInUser, *apiError) {
	out, e := f.adminGetUser(ctx, username)
	if e != nil || out == nil || !out.Enabled {
		return signInUser{}, e
	}
	return signInUser{
		sub: aws.ToString(out.Username), email: emailOf(out.UserAttributes),
		mfa: len(out.UserMFASettingList) > 0 || len(out.MFAOptions) > 0,
	}, nil
}

// factors are the first factors, among those the pool allows, that the user can choose, in
// Cognito's order. For a user who does not exist, those of a user by that name: the e-mail
// code when the name is an address, and a passkey for about half the names (decided by a
// keyed hash, so asking again gives the same answer, as it would for a real user).
func (f *APIFront) factors(u signInUser, username string, allowed []string) []string {
	var passkeys, email bool
	if u.sub == "" {
		passkeys = f.simulated("passkey", username)[0]&1 == 1
		email = strings.Contains(username, "@")
	} else if !u.mfa {
		f.pw.mu.Lock()
		passkeys = len(f.pw.passkeys[u.sub]) > 0
		f.pw.mu.Unlock()
		email = u.email != ""
	}
	var out []string
	if passkeys && f.pw.rp != nil && slices.Contains(allowed, challengeWebAuthn) {
		out = append(out, challengeWebAuthn)
	}
	if email && slices.Contains(allowed, challengeEmailOTP) {
		out = append(out, challengeEmailOTP)
	}
	if slices.Contains(allowed, challengePassword) {
		out = append(out, challengePassword)
	}
	return out
}

// simulated is a value derived from name that only this front can compute.
func (f *APIFront) simulated(purpose, name string) []byte {
	m := hmac.New(sha256.New, f.pw.key)
	m.Write([]byte(purpose + "\x00" + strings.ToLower(name)))
	return m.Sum(nil)
}

// challenge opens s for the named challenge and answers with it.
func (f *APIFront) challenge(s *authSession, name string) (any, *apiError) {
	s.challenge = name
	params := map[string]string{}
	var available []string
	switch name {
	case challengeSelect:
		available = s.factors
	case challengeEmailOTP:
		to := s.email
		if s.sub == "" {
			to = s.username
			f.log.Info("devstack: EMAIL_OTP sign-in (local stand-in): no such user, nothing sent", "username", s.username)
		} else {
			f.log.Info("devstack: EMAIL_OTP sign-in (local stand-in): nothing sent; the code is the local confirmation code (README)", "email", s.email)
		}
		params["CODE_DELIVERY_DELIVERY_MEDIUM"] = "EMAIL"
		params["CODE_DELIVERY_DESTINATION"] = maskAddress(to)
	case challengeWebAuthn:
		options, state, err := f.pw.rp.BeginLogin(f.loginUser(s))
		if err != nil {
			return nil, internalError("devstack: " + err.Error())
		}
		s.ceremony = state
		params["CREDENTIAL_REQUEST_OPTIONS"] = string(options)
	}
	id := make([]byte, 96)
	rand.Read(id)
	session := base64.RawURLEncoding.EncodeToString(id)
	f.pw.mu.Lock()
	now := f.now()
	for k, old := range f.pw.sessions {
		if !now.Before(old.expires) {
			delete(f.pw.sessions, k)
		}
	}
	f.pw.sessions[session] = s
	f.pw.mu.Unlock()
	return challengeAnswer{ChallengeName: name, Session: session, ChallengeParameters: params, AvailableChallenges: available}, nil
}

// loginUser is the relying party's view of the session's user: their passkeys, or for a user
// who does not exist one made-up passkey (stable for the name), so that the request options
// have the shape a real user's have.
func (f *APIFront) loginUser(s *authSession) passkey.User {
	if s.sub == "" {
		return passkey.User{
			ID: f.simulated("handle", s.username)[:16], Name: s.username,
			// The transports a platform passkey reports.
			Credentials: []passkey.Credential{{ID: f.simulated("credential", s.username), Transports: []string{"internal", "hybrid"}}},
		}
	}
	return f.passkeyUser(s.sub, s.email)
}

func (f *APIFront) passkeyUser(sub, email string) passkey.User {
	f.pw.mu.Lock()
	defer f.pw.mu.Unlock()
	u := passkey.User{ID: []byte(sub), Name: email, DisplayName: email}
	if u.Name == "" {
		u.Name = sub
	}
	for _, c := range f.pw.passkeys[sub] {
		u.Credentials = append(u.Credentials, c.Credential)
	}
	return u
}

// respondUserAuth is RespondToAuthChallenge for the challenges of choice-based sign-in.
func (f *APIFront) respondUserAuth(ctx context.Context, req *apiRequest) (any, *apiError) {
	username := req.ChallengeResponses["USERNAME"]
	switch {
	case req.ClientId == "":
		return nil, missing("clientId")
	case req.Session == "":
		return nil, missing("session")
	case username == "":
		return nil, invalidParameter("Missing required parameter USERNAME")
	}
	client, e := f.signedClient(ctx, req.ClientId, username, req.ChallengeResponses["SECRET_HASH"])
	if e != nil {
		return nil, e
	}
	s, e := f.takeSession(req, username)
	if e != nil {
		return nil, e
	}
	r := req.ChallengeResponses
	switch s.challenge {
	case challengeSelect:
		answer := r["ANSWER"]
		if !slices.Contains(s.factors, answer) {
			f.release(req.Session)
			return nil, invalidParameter("Invalid ANSWER for SELECT_CHALLENGE: " + answer)
		}
		if answer == challengePassword && r["PASSWORD"] != "" {
			return f.signInWithPassword(ctx, client, s, r["PASSWORD"])
		}
		next := *s
		next.used, next.ceremony, next.expires = false, nil, f.now().Add(sessionValidity(client))
		return f.challenge(&next, answer)
	case challengePassword:
		if r["PASSWORD"] == "" {
			f.release(req.Session)
			return nil, invalidParameter("Missing required parameter PASSWORD")
		}
		return f.signInWithPassword(ctx, client, s, r["PASSWORD"])
	case challengeEmailOTP:
		if s.sub == "" || r["EMAIL_OTP_CODE"] != ConfirmationCode {
			f.release(req.Session) // a wrong code may be tried again
			return nil, &apiError{status: http.StatusBadRequest, typ: "CodeMismatchException", msg: msgCodeMismatch}
		}
		return f.completeSignIn(ctx, client, s)
	default: // WEB_AUTHN
		if len(r["CREDENTIAL"]) == 0 {
			f.release(req.Session)
			return nil, invalidParameter("Missing required parameter CREDENTIAL")
		}
		if s.sub == "" {
			return nil, notAuthorized(msgBadCredentials)
		}
		used, err := f.pw.rp.FinishLogin(f.passkeyUser(s.sub, s.email), s.ceremony, json.RawMessage(r["CREDENTIAL"]))
		if err != nil {
			f.log.Info("devstack: WEB_AUTHN sign-in (local stand-in): passkey refused", "username", s.username, "err", err)
			return nil, notAuthorized(msgBadCredentials)
		}
		f.pw.mu.Lock()
		for i, c := range f.pw.passkeys[s.sub] {
			if bytes.Equal(c.ID, used.ID) {
				f.pw.passkeys[s.sub][i].Credential = used
			}
		}
		f.pw.mu.Unlock()
		return f.completeSignIn(ctx, client, s)
	}
}

// takeSession finds the request's live session and marks it used; release undoes that for
// an answer that may be tried again.
func (f *APIFront) takeSession(req *apiRequest, username string) (*authSession, *apiError) {
	f.pw.mu.Lock()
	defer f.pw.mu.Unlock()
	s, ok := f.pw.sessions[req.Session]
	switch {
	case !ok || s.clientID != req.ClientId:
		return nil, notAuthorized(msgSessionExpired)
	case !f.now().Before(s.expires):
		delete(f.pw.sessions, req.Session)
		return nil, notAuthorized(msgSessionExpired)
	case s.used:
		return nil, notAuthorized(msgSessionUsed)
	case s.challenge != req.ChallengeName:
		return nil, invalidParameter("Invalid challenge name for the session.")
	case !strings.EqualFold(username, s.username) && (s.sub == "" || username != s.sub):
		return nil, notAuthorized(msgBadCredentials)
	}
	s.used = true
	return s, nil
}

func (f *APIFront) release(session string) {
	f.pw.mu.Lock()
	defer f.pw.mu.Unlock()
	if s, ok := f.pw.sessions[session]; ok {
		s.used = false
	}
}

// signInWithPassword checks the password on the emulator itself (USER_PASSWORD_AUTH), which
// answers with tokens or the user's next challenge (MFA, a new password) as for a password
// sign-in; its wrong-password answer becomes Cognito's.
func (f *APIFront) signInWithPassword(ctx context.Context, client *types.UserPoolClientType, s *authSession, password string) (any, *apiError) {
	if s.sub == "" {
		return nil, notAuthorized(msgBadCredentials)
	}
	return f.emulatorSignIn(ctx, client, s, password)
}

// completeSignIn issues the tokens of a sign-in whose factor the front verified. They are
// the emulator's own, from a USER_PASSWORD_AUTH sign-in with the password it stores for the
// user, so its JWKS verifies them, its pre-token-generation trigger runs and its refresh
// tokens work.
func (f *APIFront) completeSignIn(ctx context.Context, client *types.UserPoolClientType, s *authSession) (any, *apiError) {
	password, err := f.emulatorPassword(s.sub)
	if err != nil {
		return nil, internalError("devstack: " + err.Error())
	}
	return f.emulatorSignIn(ctx, client, s, password)
}

// emulatorPassword reads the user's password from the emulator's data file.
func (f *APIFront) emulatorPassword(sub string) (string, error) {
	u, err := f.emulatorUser(sub)
	if err != nil {
		return "", err
	}
	if u.Password == "" {
		return "", fmt.Errorf("the emulator's data file has no password for user %s", sub)
	}
	return u.Password, nil
}

// emulatorRecord is what the front reads of a user in the emulator's data file.
type emulatorRecord struct {
	Password   string         `json:"Password"`
	Attributes []apiAttribute `json:"Attributes"`
	// UnverifiedAttributeChanges are the changes waiting for their code
	// (UserAttributeUpdateSettings), which the emulator's API never shows.
	UnverifiedAttributeChanges []apiAttribute `json:"UnverifiedAttributeChanges"`
}

// emulatorUser reads the user sub (the emulator's username) from the emulator's data file.
func (f *APIFront) emulatorUser(sub string) (*emulatorRecord, error) {
	if f.pw.dbFile == "" {
		return nil, errors.New("the API front knows no emulator data folder to read users from")
	}
	var db struct {
		Users map[string]emulatorRecord `json:"Users"`
	}
	var err error
	// The emulator rewrites the file in place: a read may catch it half written.
	for range 5 {
		var b []byte
		if b, err = os.ReadFile(f.pw.dbFile); err == nil {
			if err = json.Unmarshal(b, &db); err == nil {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		return nil, fmt.Errorf("the emulator's users (%s): %w", f.pw.dbFile, err)
	}
	u, ok := db.Users[sub]
	if !ok {
		return nil, fmt.Errorf("the emulator's data file has no user %s", sub)
	}
	return &u, nil
}

// emulatorSignIn signs s's user in on the emulator with USER_PASSWORD_AUTH (and the
// SECRET_HASH Cognito would want) and relays its answer.
func (f *APIFront) emulatorSignIn(ctx context.Context, client *types.UserPoolClientType, s *authSession, password string) (any, *apiError) {
	params := map[string]string{"USERNAME": s.username, "PASSWORD": password}
	if secret := aws.ToString(client.ClientSecret); secret != "" {
		params["SECRET_HASH"] = cognito.SecretHash(s.clientID, secret, s.username)
	}
	body, _ := json.Marshal(map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": s.clientID, "AuthParameters": params})
	out, e := f.callEmulator(ctx, "InitiateAuth", body)
	if e != nil && (e.typ == "InvalidPasswordException" || e.typ == "NotAuthorizedException") {
		// The emulator says InvalidPasswordException for a wrong password; Cognito says this.
		return nil, notAuthorized(msgBadCredentials)
	}
	if e != nil {
		return nil, e
	}
	return out, nil
}

// callEmulator makes the call op with body on the emulator itself and returns its answer,
// or its error as the front answers errors.
func (f *APIFront) callEmulator(ctx context.Context, op string, body []byte) (json.RawMessage, *apiError) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.emulatorURL, bytes.NewReader(body))
	if err != nil {
		return nil, internalError("devstack: " + err.Error())
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", apiTargetPrefix+op)
	resp, err := f.hc.Do(req)
	if err != nil {
		return nil, errUnreachable
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, maxAPIBody))
	if err != nil {
		return nil, internalError("devstack: reading the emulator's answer: " + err.Error())
	}
	if resp.StatusCode == http.StatusOK {
		return json.RawMessage(out), nil
	}
	var ae struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	if json.Unmarshal(out, &ae) != nil || ae.Type == "" {
		return nil, internalError(fmt.Sprintf("devstack: the emulator answered %d", resp.StatusCode))
	}
	return nil, &apiError{status: resp.StatusCode, typ: ae.Type, msg: ae.Message}
}

// passkeyCaller is the user of a WebAuthn action, from their access token.
type passkeyCaller struct {
	sub, email, clientID string
}

// noRelyingParty refuses a registration when the stack has no relying party (a site on an
// IP address). Only Start and CompleteWebAuthnRegistration raise this exception (the API
// reference's errors); listing answers no passkeys and deleting finds none.
func (f *APIFront) noRelyingParty() *apiError {
	if f.pw.rp != nil {
		return nil
	}
	return &apiError{status: http.StatusBadRequest, typ: "WebAuthnConfigurationMissingException",
		msg: "The user pool has no relying party ID for passkeys (local stand-in: the stack's site URL sets it)."}
}

// passkeyAction checks what every WebAuthn action needs: a valid,
// unrevoked access token of an existing user.
func (f *APIFront) passkeyAction(ctx context.Context, req *apiRequest) (passkeyCaller, *apiError) {
	if req.AccessToken == "" {
		return passkeyCaller{}, missing("accessToken")
	}
	c, e := f.accessClaims(ctx, req.AccessToken)
	if e != nil {
		return passkeyCaller{}, e
	}
	out, e := f.adminGetUser(ctx, c.Username)
	switch {
	case e != nil:
		return passkeyCaller{}, e
	case out == nil:
		return passkeyCaller{}, notAuthorized("User does not exist.")
	case !out.Enabled:
		return passkeyCaller{}, notAuthorized("User is disabled.")
	}
	return passkeyCaller{sub: aws.ToString(out.Username), email: emailOf(out.UserAttributes), clientID: c.ClientID}, nil
}

func (f *APIFront) startWebAuthnRegistration(ctx context.Context, req *apiRequest) (any, *apiError) {
	p, e := f.passkeyAction(ctx, req)
	if e != nil {
		return nil, e
	}
	if e := f.noRelyingParty(); e != nil {
		return nil, e
	}
	client, e := f.client(ctx, p.clientID)
	if e != nil {
		return nil, e
	}
	if !f.allowsUserAuth(client) {
		return nil, &apiError{status: http.StatusBadRequest, typ: "WebAuthnNotEnabledException", msg: "Passkeys need the USER_AUTH flow, which app client " + p.clientID + " does not allow."}
	}
	allowed, e := f.firstFactors(ctx)
	if e != nil {
		return nil, e
	}
	if !slices.Contains(allowed, challengeWebAuthn) {
		return nil, &apiError{status: http.StatusBadRequest, typ: "WebAuthnNotEnabledException", msg: "The user pool does not allow passkeys (SignInPolicy AllowedFirstAuthFactors)."}
	}
	f.pw.mu.Lock()
	n := len(f.pw.passkeys[p.sub])
	f.pw.mu.Unlock()
	if n >= maxPasskeys {
		return nil, &apiError{status: http.StatusBadRequest, typ: "LimitExceededException", msg: "The user has the most passkeys allowed (" + strconv.Itoa(maxPasskeys) + ")."}
	}
	options, state, err := f.pw.rp.BeginRegistration(f.passkeyUser(p.sub, p.email))
	if err != nil {
		return nil, internalError("devstack: " + err.Error())
	}
	f.pw.mu.Lock()
	f.pw.pending[p.sub] = registration{clientID: p.clientID, state: state, expires: f.now().Add(passkeyCeremony)}
	f.pw.mu.Unlock()
	return map[string]json.RawMessage{"CredentialCreationOptions": options}, nil
}

func (f *APIFront) completeWebAuthnRegistration(ctx context.Context, req *apiRequest) (any, *apiError) {
	p, e := f.passkeyAction(ctx, req)
	if e != nil {
		return nil, e
	}
	if e := f.noRelyingParty(); e != nil {
		return nil, e
	}
	if len(req.Credential) == 0 || string(req.Credential) == "null" {
		return nil, missing("credential")
	}
	f.pw.mu.Lock()
	reg, ok := f.pw.pending[p.sub]
	delete(f.pw.pending, p.sub) // a ceremony is answered once
	f.pw.mu.Unlock()
	switch {
	case !ok || !f.now().Before(reg.expires):
		return nil, &apiError{status: http.StatusBadRequest, typ: "WebAuthnChallengeNotFoundException", msg: "No passkey registration is in progress for the user, or it has expired."}
	case reg.clientID != p.clientID:
		return nil, &apiError{status: http.StatusBadRequest, typ: "WebAuthnClientMismatchException", msg: "The access token is for another app client than the registration's."}
	}
	if origin, ok := clientDataOrigin(req.Credential); ok && !slices.Contains(f.origins, origin) {
		return nil, &apiError{status: http.StatusBadRequest, typ: "WebAuthnOriginNotAllowedException", msg: "The passkey's origin is not allowed for the relying party " + f.pw.rp.RPID() + "."}
	}
	cred, err := f.pw.rp.FinishRegistration(f.passkeyUser(p.sub, p.email), reg.state, req.Credential)
	if err != nil {
		f.log.Info("devstack: CompleteWebAuthnRegistration (local stand-in): refused", "username", p.sub, "err", err)
		return nil, &apiError{status: http.StatusBadRequest, typ: "WebAuthnCredentialNotSupportedException", msg: "The passkey credential could not be verified."}
	}
	f.pw.mu.Lock()
	defer f.pw.mu.Unlock()
	for _, list := range f.pw.passkeys {
		for _, c := range list {
			if bytes.Equal(c.ID, cred.ID) {
				return nil, invalidParameter("The passkey credential is already registered.")
			}
		}
	}
	f.pw.passkeys[p.sub] = append(f.pw.passkeys[p.sub], storedPasskey{Credential: cred, created: f.now()})
	f.log.Info("devstack: CompleteWebAuthnRegistration (local stand-in): passkey added, kept in memory until the stack stops", "username", p.sub)
	return struct{}{}, nil
}

// clientDataOrigin reads the origin the browser put in a response's clientDataJSON.
func clientDataOrigin(credential json.RawMessage) (string, bool) {
	var r struct {
		Response struct {
			ClientDataJSON string `json:"clientDataJSON"`
		} `json:"response"`
	}
	if json.Unmarshal(credential, &r) != nil {
		return "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(r.Response.ClientDataJSON, "="))
	if err != nil {
		return "", false
	}
	var cd struct {
		Origin string `json:"origin"`
	}
	if json.Unmarshal(b, &cd) != nil || cd.Origin == "" {
		return "", false
	}
	return cd.Origin, true
}

// webAuthnCredential is Cognito's WebAuthnCredentialDescription.
type webAuthnCredential struct {
	CredentialId            string   `json:"CredentialId"`
	FriendlyCredentialName  string   `json:"FriendlyCredentialName"`
	RelyingPartyId          string   `json:"RelyingPartyId"`
	AuthenticatorAttachment string   `json:"AuthenticatorAttachment,omitempty"`
	AuthenticatorTransports []string `json:"AuthenticatorTransports"`
	CreatedAt               float64  `json:"CreatedAt"` // epoch seconds, as JSON 1.1 timestamps are
}

func (f *APIFront) listWebAuthnCredentials(ctx context.Context, req *apiRequest) (any, *apiError) {
	p, e := f.passkeyAction(ctx, req)
	if e != nil {
		return nil, e
	}
	limit := maxPasskeys
	if req.MaxResults != nil {
		if *req.MaxResults < 1 || *req.MaxResults > maxPasskeys {
			return nil, invalidParameter("1 validation error detected: Value '" + strconv.Itoa(*req.MaxResults) + "' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 20")
		}
		limit = *req.MaxResults
	}
	start := 0
	if req.NextToken != "" {
		n, err := strconv.Atoi(req.NextToken)
		if err != nil || n < 0 {
			return nil, invalidParameter("Invalid NextToken.")
		}
		start = n
	}
	f.pw.mu.Lock()
	list := slices.Clone(f.pw.passkeys[p.sub]) // oldest first, as registered
	f.pw.mu.Unlock()
	out := []webAuthnCredential{}
	for i := start; i < len(list) && len(out) < limit; i++ {
		c := list[i]
		transports := c.Transports
		if transports == nil {
			transports = []string{}
		}
		out = append(out, webAuthnCredential{
			CredentialId: c.EncodedID(), FriendlyCredentialName: "Passkey", RelyingPartyId: f.pw.rp.RPID(),
			AuthenticatorAttachment: c.Attachment, AuthenticatorTransports: transports,
			CreatedAt: float64(c.created.UnixMilli()) / 1000,
		})
	}
	res := map[string]any{"Credentials": out}
	if next := start + len(out); next < len(list) {
		res["NextToken"] = strconv.Itoa(next)
	}
	return res, nil
}

func (f *APIFront) deleteWebAuthnCredential(ctx context.Context, req *apiRequest) (any, *apiError) {
	p, e := f.passkeyAction(ctx, req)
	if e != nil {
		return nil, e
	}
	if req.CredentialId == "" {
		return nil, missing("credentialId")
	}
	f.pw.mu.Lock()
	defer f.pw.mu.Unlock()
	list := f.pw.passkeys[p.sub]
	for i, c := range list {
		if c.EncodedID() == req.CredentialId {
			f.pw.passkeys[p.sub] = slices.Delete(list, i, i+1)
			return struct{}{}, nil
		}
	}
	return nil, &apiError{status: http.StatusBadRequest, typ: "ResourceNotFoundException", msg: "The user has no passkey credential " + req.CredentialId + "."}
}
