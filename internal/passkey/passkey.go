// Package passkey is a small WebAuthn relying party for monban's local stand-ins of Cognito
// (the in-memory fake userpooltest and the devstack's Cognito front): it makes the options
// Cognito's StartWebAuthnRegistration and WEB_AUTHN challenge hand out and verifies what
// the authenticator answers, with github.com/go-webauthn/webauthn doing the verification
// the WebAuthn Level 3 recommendation asks of a relying party (challenge, origin, rpIdHash,
// attestation, signature, user presence, user verification when required, sign count).
// The deployed functions never use it: Cognito is the relying party there.
//
// A RelyingParty keeps no state. The caller keeps each user's credentials (Credential,
// JSON-serialisable) and, between the two halves of a ceremony, the opaque state the first
// half returns:
//
//	rp, _ := passkey.New(passkey.Config{RPID: "localhost", Origins: []string{"http://localhost:8080"}})
//	options, state, _ := rp.BeginRegistration(user)      // PublicKeyCredentialCreationOptionsJSON
//	cred, err := rp.FinishRegistration(user, state, resp) // resp: RegistrationResponseJSON
//	options, state, _ = rp.BeginLogin(user)               // PublicKeyCredentialRequestOptionsJSON
//	cred, err = rp.FinishLogin(user, state, resp)         // resp: AuthenticationResponseJSON
//
// Options and responses are the JSON forms of WebAuthn Level 3 (§5.1.8
// PublicKeyCredentialCreationOptionsJSON, §5.1.10 PublicKeyCredentialRequestOptionsJSON,
// RegistrationResponseJSON and AuthenticationResponseJSON: binary values as unpadded
// base64url strings) — the objects themselves, not wrapped in {"publicKey": …}, as Cognito
// returns them and as PublicKeyCredential.parseCreationOptionsFromJSON and toJSON() use
// them. Every refusal of a response (malformed, another challenge, origin or relying party,
// a bad signature, a sign count that did not grow, an expired ceremony) wraps ErrRefused.
package passkey

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// ErrRefused is wrapped by every refusal of an authenticator's response.
var ErrRefused = errors.New("passkey refused")

// Config sets up a RelyingParty.
type Config struct {
	// RPID is the relying party id: the site's domain ("localhost" locally). Required.
	RPID string
	// Origins are the origins a response may come from ("http://localhost:8080"). Required.
	Origins []string
	// Name is the relying party's name authenticators show. Default: RPID.
	Name string
	// UserVerification is "preferred" (the default, as Cognito's WebAuthnConfiguration) or
	// "required" (a response without the UV flag is then refused).
	UserVerification string
	// Timeout is how long a ceremony may take, sent as the options' timeout and enforced.
	// Default: 3 minutes, the template's AuthSessionValidity.
	Timeout time.Duration
	// Now is the clock for the ceremony's expiry. Default time.Now.
	Now func() time.Time
}

// User is a user as the relying party sees them.
type User struct {
	// ID is the user handle: stable, at most 64 bytes, no personal data (e.g. the sub).
	ID []byte
	// Name and DisplayName are what the authenticator shows (e.g. the e-mail address).
	Name, DisplayName string
	// Credentials are the user's passkeys.
	Credentials []Credential
}

// Credential is one stored passkey: what verification needs, and what the pool lists.
type Credential struct {
	ID        []byte `json:"id"`
	PublicKey []byte `json:"publicKey"` // COSE_Key
	// AttestationFormat is the attestation statement's format ("none", "packed", …).
	AttestationFormat string `json:"attestationFormat,omitempty"`
	AAGUID            []byte `json:"aaguid,omitempty"`
	SignCount         uint32 `json:"signCount"`
	// Flags are the authenticator data flags last seen (user verified, backup eligible and
	// state), which later logins are checked against.
	Flags      byte     `json:"flags"`
	Attachment string   `json:"attachment,omitempty"` // "platform", "cross-platform" or ""
	Transports []string `json:"transports,omitempty"`
}

// EncodedID is the credential id as the JSON forms and Cognito spell it (base64url).
func (c Credential) EncodedID() string { return base64.RawURLEncoding.EncodeToString(c.ID) }

// DecodeID reads a credential id spelled as EncodedID does.
func DecodeID(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

// RelyingParty makes options and verifies responses for one relying party id.
type RelyingParty struct {
	w   *webauthn.WebAuthn
	cfg Config
	uv  protocol.UserVerificationRequirement
}

// New returns a relying party for c.
func New(c Config) (*RelyingParty, error) {
	if c.Name == "" {
		c.Name = c.RPID
	}
	if c.Timeout <= 0 {
		c.Timeout = 3 * time.Minute
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	uv := protocol.VerificationPreferred
	switch c.UserVerification {
	case "", "preferred":
	case "required":
		uv = protocol.VerificationRequired
	default:
		return nil, fmt.Errorf("passkey: user verification %q is neither preferred nor required", c.UserVerification)
	}
	if c.RPID == "" || len(c.Origins) == 0 {
		return nil, errors.New("passkey: a relying party id and at least one origin are required")
	}
	w, err := webauthn.New(&webauthn.Config{
		RPID:          c.RPID,
		RPDisplayName: c.Name,
		RPOrigins:     c.Origins,
		// Passkeys: a discoverable credential, no attestation (Cognito asks for none either).
		AttestationPreference: protocol.PreferNoAttestation,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:        protocol.ResidentKeyRequirementRequired,
			RequireResidentKey: protocol.ResidentKeyRequired(),
			UserVerification:   uv,
		},
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Timeout: c.Timeout, TimeoutUVD: c.Timeout},
			Registration: webauthn.TimeoutConfig{Timeout: c.Timeout, TimeoutUVD: c.Timeout},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("passkey: %w", err)
	}
	return &RelyingParty{w: w, cfg: c, uv: uv}, nil
}

// RPID is the relying party id.
func (rp *RelyingParty) RPID() string { return rp.cfg.RPID }

// The two ceremonies, as recorded in the state.
const (
	ceremonyCreate = "create"
	ceremonyGet    = "get"
)

// state is a ceremony in progress: go-webauthn's session data, and when it ends.
type state struct {
	Ceremony string               `json:"ceremony"`
	Session  webauthn.SessionData `json:"session"`
	Expires  time.Time            `json:"expires"`
}

func (rp *RelyingParty) seal(ceremony string, s *webauthn.SessionData) ([]byte, error) {
	return json.Marshal(state{Ceremony: ceremony, Session: *s, Expires: rp.cfg.Now().Add(rp.cfg.Timeout)})
}

func (rp *RelyingParty) open(ceremony string, raw []byte) (*webauthn.SessionData, error) {
	var s state
	if err := json.Unmarshal(raw, &s); err != nil || s.Ceremony != ceremony {
		return nil, refused("no %s ceremony in progress", ceremony)
	}
	if !rp.cfg.Now().Before(s.Expires) {
		return nil, refused("the ceremony has expired")
	}
	return &s.Session, nil
}

// BeginRegistration starts adding a passkey for u: the creation options for
// navigator.credentials.create (the user's passkeys excluded), and the state to finish with.
func (rp *RelyingParty) BeginRegistration(u User) (options json.RawMessage, st []byte, err error) {
	wu, err := toWebUser(u)
	if err != nil {
		return nil, nil, err
	}
	creation, session, err := rp.w.BeginRegistration(wu, webauthn.WithExclusions(wu.creds.CredentialDescriptors()))
	if err != nil {
		return nil, nil, fmt.Errorf("passkey: begin registration: %w", err)
	}
	return rp.begun(ceremonyCreate, creation.Response, session)
}

// FinishRegistration verifies the authenticator's RegistrationResponseJSON against the
// state BeginRegistration gave for u, and returns the new credential. Whether the credential
// id is already someone's is the caller's to check.
func (rp *RelyingParty) FinishRegistration(u User, st []byte, response json.RawMessage) (Credential, error) {
	c, err := finish(rp, ceremonyCreate, u, st, response, protocol.ParseCredentialCreationResponseBytes, rp.w.CreateCredential)
	if err != nil {
		return Credential{}, err
	}
	return fromWeb(c), nil
}

// BeginLogin starts a sign-in of u: the request options for navigator.credentials.get,
// allowing u's passkeys, and the state to finish with. A user with no passkeys (or one who
// does not exist, for whom the caller makes up a User) gets options of the same shape with no
// allowCredentials, which any discoverable credential may answer; FinishLogin then refuses
// every answer.
func (rp *RelyingParty) BeginLogin(u User) (options json.RawMessage, st []byte, err error) {
	wu, err := toWebUser(u)
	if err != nil {
		return nil, nil, err
	}
	var (
		assertion *protocol.CredentialAssertion
		session   *webauthn.SessionData
	)
	if len(u.Credentials) == 0 {
		assertion, session, err = rp.w.BeginDiscoverableLogin()
		if session != nil {
			session.UserID = wu.id
		}
	} else {
		assertion, session, err = rp.w.BeginLogin(wu)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("passkey: begin login: %w", err)
	}
	return rp.begun(ceremonyGet, assertion.Response, session)
}

// FinishLogin verifies the authenticator's AuthenticationResponseJSON against the state
// BeginLogin gave for u, and returns the credential used with its sign count and flags
// brought up to date (the caller stores it back). A sign count that did not grow (a cloned
// or replayed authenticator) is refused.
func (rp *RelyingParty) FinishLogin(u User, st []byte, response json.RawMessage) (Credential, error) {
	c, err := finish(rp, ceremonyGet, u, st, response, protocol.ParseCredentialRequestResponseBytes, rp.w.ValidateLogin)
	if err != nil {
		return Credential{}, err
	}
	// go-webauthn only flags a counter that did not grow (WebAuthn §7.2 step 22 leaves the
	// decision to the relying party); a stand-in of Cognito refuses it.
	if c.Authenticator.CloneWarning {
		return Credential{}, refused("the sign count did not increase")
	}
	return fromWeb(c), nil
}

// begun ends either Begin: the options as JSON, and the sealed state to finish with.
func (rp *RelyingParty) begun(ceremony string, response any, session *webauthn.SessionData) (json.RawMessage, []byte, error) {
	options, err := json.Marshal(response)
	if err != nil {
		return nil, nil, err
	}
	st, err := rp.seal(ceremony, session)
	if err != nil {
		return nil, nil, err
	}
	return options, st, nil
}

// finish is either Finish: the state opened for ceremony, the response parsed and verified
// by go-webauthn's functions for that ceremony (P is their parsed response), and their
// errors as refusals. A function, not a method: methods take no type parameters.
func finish[P any](rp *RelyingParty, ceremony string, u User, st []byte, response json.RawMessage,
	parse func([]byte) (P, error), verify func(webauthn.User, webauthn.SessionData, P) (*webauthn.Credential, error)) (*webauthn.Credential, error) {
	session, err := rp.open(ceremony, st)
	if err != nil {
		return nil, err
	}
	wu, err := toWebUser(u)
	if err != nil {
		return nil, err
	}
	parsed, err := parse(response)
	if err != nil {
		return nil, refusal(err)
	}
	c, err := verify(wu, *session, parsed)
	if err != nil {
		return nil, refusal(err)
	}
	return c, nil
}

// refused is a refusal with a reason for logs.
func refused(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrRefused, fmt.Sprintf(format, args...))
}

// refusal wraps go-webauthn's error (its details name the failed check) in ErrRefused.
func refusal(err error) error {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		msg := pe.Details
		// The details of a challenge mismatch quote both challenges: left out of logs.
		if pe.DevInfo != "" && !strings.Contains(pe.Details, "challenge") {
			msg += " (" + pe.DevInfo + ")"
		}
		return fmt.Errorf("%w: %s", ErrRefused, msg)
	}
	return fmt.Errorf("%w: %v", ErrRefused, err)
}

// webUser is a User as go-webauthn sees it.
type webUser struct {
	id          []byte
	name, dname string
	creds       webauthn.Credentials
}

func (w *webUser) WebAuthnID() []byte                         { return w.id }
func (w *webUser) WebAuthnName() string                       { return w.name }
func (w *webUser) WebAuthnDisplayName() string                { return w.dname }
func (w *webUser) WebAuthnCredentials() []webauthn.Credential { return w.creds }

// toWebUser is u for go-webauthn, after checking its handle.
func toWebUser(u User) (*webUser, error) {
	if len(u.ID) == 0 || len(u.ID) > 64 {
		return nil, errors.New("passkey: a user handle is 1 to 64 bytes")
	}
	w := &webUser{id: u.ID, name: u.Name, dname: u.DisplayName}
	if w.dname == "" {
		w.dname = w.name
	}
	for _, c := range u.Credentials {
		w.creds = append(w.creds, toWeb(c))
	}
	return w, nil
}

func toWeb(c Credential) webauthn.Credential {
	transports := make([]protocol.AuthenticatorTransport, len(c.Transports))
	for i, t := range c.Transports {
		transports[i] = protocol.AuthenticatorTransport(t)
	}
	return webauthn.Credential{
		ID:                c.ID,
		PublicKey:         c.PublicKey,
		AttestationFormat: c.AttestationFormat,
		Transport:         transports,
		Flags:             webauthn.CredentialFlagsFromMsgpByte(c.Flags),
		Authenticator: webauthn.Authenticator{
			AAGUID:     c.AAGUID,
			SignCount:  c.SignCount,
			Attachment: protocol.AuthenticatorAttachment(c.Attachment),
		},
	}
}

func fromWeb(c *webauthn.Credential) Credential {
	transports := make([]string, len(c.Transport))
	for i, t := range c.Transport {
		transports[i] = string(t)
	}
	format := c.AttestationFormat
	if format == "" {
		format = c.AttestationType
	}
	return Credential{
		ID:                c.ID,
		PublicKey:         c.PublicKey,
		AttestationFormat: format,
		AAGUID:            c.Authenticator.AAGUID,
		SignCount:         c.Authenticator.SignCount,
		Flags:             c.Flags.MsgpByte(),
		Attachment:        string(c.Authenticator.Attachment),
		Transports:        transports,
	}
}
