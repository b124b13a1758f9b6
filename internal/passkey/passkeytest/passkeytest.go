// Package passkeytest is a software authenticator for Go tests: it plays the part of the
// browser and the passkey provider in a WebAuthn ceremony. Given the options a relying party
// (Cognito, its stand-ins, package passkey) handed out and the page's origin, it answers with
// the RegistrationResponseJSON or AuthenticationResponseJSON that
// PublicKeyCredential.toJSON() gives a page: real clientDataJSON, authenticator data (rpIdHash,
// flags, sign count, attested credential data with a COSE key), a CBOR attestation object with
// the "none" attestation, and ES256 signatures. Its credentials are discoverable (resident)
// keys, one P-256 key each, kept in memory.
//
// Like a browser it refuses options whose relying party id does not match the origin's host,
// options that exclude one of its credentials, and requests that none of its credentials can
// answer (errors, no response).
package passkeytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/fxamacker/cbor/v2"
)

// Authenticator is a software passkey provider. Its fields may be changed between
// ceremonies; it is safe for concurrent use.
type Authenticator struct {
	// Attachment is reported as authenticatorAttachment. Default "platform".
	Attachment string
	// Transports are reported at registration. Default ["internal", "hybrid"].
	Transports []string
	// NoUserVerification leaves the UV flag clear, as an authenticator that only checks
	// presence does.
	NoUserVerification bool

	mu    sync.Mutex
	creds []*credential
}

type credential struct {
	id     []byte
	rpID   string
	user   []byte // the user handle from the creation options
	key    *ecdsa.PrivateKey
	signed uint32 // the sign count
}

// New returns an authenticator with no credentials.
func New() *Authenticator {
	return &Authenticator{Attachment: "platform", Transports: []string{"internal", "hybrid"}}
}

// Authenticator data flags (WebAuthn §6.1).
const (
	flagUP = 0x01
	flagUV = 0x04
	flagAT = 0x40
)

var b64 = base64.RawURLEncoding

// creationOptions are the members of PublicKeyCredentialCreationOptionsJSON it reads.
type creationOptions struct {
	Challenge string `json:"challenge"`
	RP        struct {
		ID string `json:"id"`
	} `json:"rp"`
	User struct {
		ID string `json:"id"`
	} `json:"user"`
	PubKeyCredParams   []credParam  `json:"pubKeyCredParams"`
	ExcludeCredentials []descriptor `json:"excludeCredentials"`
}

// requestOptions are the members of PublicKeyCredentialRequestOptionsJSON it reads.
type requestOptions struct {
	Challenge        string       `json:"challenge"`
	RPID             string       `json:"rpId"`
	AllowCredentials []descriptor `json:"allowCredentials"`
}

type credParam struct {
	Type string `json:"type"`
	Alg  int    `json:"alg"`
}

type descriptor struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// Create answers navigator.credentials.create({publicKey: options}) made by a page of
// origin: a new ES256 credential, as a RegistrationResponseJSON.
func (a *Authenticator) Create(origin string, options json.RawMessage) (json.RawMessage, error) {
	var o creationOptions
	if err := json.Unmarshal(unwrap(options), &o); err != nil {
		return nil, fmt.Errorf("passkeytest: creation options: %w", err)
	}
	rpID, err := checkRP(origin, o.RP.ID)
	if err != nil {
		return nil, err
	}
	challenge, err := decode("challenge", o.Challenge)
	if err != nil {
		return nil, err
	}
	userID, err := decode("user.id", o.User.ID)
	if err != nil || len(userID) == 0 {
		return nil, errors.New("passkeytest: creation options without a user id")
	}
	if !slices.Contains(o.PubKeyCredParams, credParam{Type: "public-key", Alg: -7}) {
		return nil, errors.New("passkeytest: the options do not allow ES256")
	}

	a.mu.Lock()
	defer a.mu.Unlock()
	for _, d := range o.ExcludeCredentials {
		if c := a.find(rpID, d.ID); c != nil {
			return nil, errors.New("passkeytest: InvalidStateError: a credential in excludeCredentials is on this authenticator")
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	c := &credential{id: make([]byte, 32), rpID: rpID, user: userID, key: key}
	_, _ = rand.Read(c.id)
	// A resident key replaces the one this authenticator held for the same account.
	a.creds = slices.DeleteFunc(a.creds, func(x *credential) bool {
		return x.rpID == rpID && string(x.user) == string(userID)
	})
	a.creds = append(a.creds, c)

	clientData, err := clientDataJSON("webauthn.create", challenge, origin)
	if err != nil {
		return nil, err
	}
	cose, err := coseKey(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	authData := a.authData(rpID, flagAT, c.signed)
	authData = append(authData, make([]byte, 16)...) // AAGUID: none
	authData = binary.BigEndian.AppendUint16(authData, uint16(len(c.id)))
	authData = append(authData, c.id...)
	authData = append(authData, cose...)
	attestation, err := cborMode.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": authData})
	if err != nil {
		return nil, err
	}
	spki, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	return a.credentialJSON(c, clientData, authData, map[string]any{
		"transports":         a.transports(),
		"publicKey":          b64.EncodeToString(spki),
		"publicKeyAlgorithm": -7,
		"attestationObject":  b64.EncodeToString(attestation),
	})
}

// Get answers navigator.credentials.get({publicKey: options}) made by a page of origin,
// as an AuthenticationResponseJSON: with the first of allowCredentials it holds, or, when
// the options list none, with the credential for the relying party it made last (a browser
// would let the user pick).
func (a *Authenticator) Get(origin string, options json.RawMessage) (json.RawMessage, error) {
	var o requestOptions
	if err := json.Unmarshal(unwrap(options), &o); err != nil {
		return nil, fmt.Errorf("passkeytest: request options: %w", err)
	}
	rpID, err := checkRP(origin, o.RPID)
	if err != nil {
		return nil, err
	}
	challenge, err := decode("challenge", o.Challenge)
	if err != nil {
		return nil, err
	}

	a.mu.Lock()
	defer a.mu.Unlock()
	var c *credential
	if len(o.AllowCredentials) == 0 {
		for _, x := range a.creds {
			if x.rpID == rpID {
				c = x
			}
		}
	}
	for _, d := range o.AllowCredentials {
		if c = a.find(rpID, d.ID); c != nil {
			break
		}
	}
	if c == nil {
		return nil, errors.New("passkeytest: NotAllowedError: no credential on this authenticator answers the request")
	}
	c.signed++
	clientData, err := clientDataJSON("webauthn.get", challenge, origin)
	if err != nil {
		return nil, err
	}
	authData := a.authData(rpID, 0, c.signed)
	digest := sha256.Sum256(clientData)
	signed := sha256.Sum256(append(slices.Clone(authData), digest[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, c.key, signed[:])
	if err != nil {
		return nil, err
	}
	return a.credentialJSON(c, clientData, authData, map[string]any{
		"signature":  b64.EncodeToString(sig),
		"userHandle": b64.EncodeToString(c.user),
	})
}

// credentialJSON is the PublicKeyCredential's toJSON() for c: response holds the ceremony's
// own members, to which both ceremonies' clientDataJSON and authenticatorData are added.
func (a *Authenticator) credentialJSON(c *credential, clientData, authData []byte, response map[string]any) (json.RawMessage, error) {
	response["clientDataJSON"] = b64.EncodeToString(clientData)
	response["authenticatorData"] = b64.EncodeToString(authData)
	return json.Marshal(map[string]any{
		"id": b64.EncodeToString(c.id), "rawId": b64.EncodeToString(c.id), "type": "public-key",
		"authenticatorAttachment": a.Attachment, "clientExtensionResults": map[string]any{},
		"response": response,
	})
}

// Credentials are the ids (base64url) of the credentials it holds for rpID, oldest first.
func (a *Authenticator) Credentials(rpID string) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var ids []string
	for _, c := range a.creds {
		if c.rpID == rpID {
			ids = append(ids, b64.EncodeToString(c.id))
		}
	}
	return ids
}

// Forget removes a credential (id as base64url), as a user deleting a passkey from the
// provider does.
func (a *Authenticator) Forget(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.creds = slices.DeleteFunc(a.creds, func(c *credential) bool { return b64.EncodeToString(c.id) == id })
}

// find is the credential for rpID with the base64url id, or nil. Called with a.mu held.
func (a *Authenticator) find(rpID, id string) *credential {
	raw, err := b64.DecodeString(strings.TrimRight(id, "="))
	if err != nil {
		return nil
	}
	for _, c := range a.creds {
		if c.rpID == rpID && string(c.id) == string(raw) {
			return c
		}
	}
	return nil
}

// authData is the authenticator data's fixed part: rpIdHash, flags (UP, UV unless turned
// off, and more), sign count.
func (a *Authenticator) authData(rpID string, more byte, count uint32) []byte {
	h := sha256.Sum256([]byte(rpID))
	flags := flagUP | more
	if !a.NoUserVerification {
		flags |= flagUV
	}
	out := append(h[:], flags)
	return binary.BigEndian.AppendUint32(out, count)
}

func (a *Authenticator) transports() []string {
	if a.Transports == nil {
		return []string{}
	}
	return slices.Clone(a.Transports)
}

// cborMode encodes as CTAP2 canonical CBOR, as authenticators do.
var cborMode = func() cbor.EncMode {
	m, err := cbor.CTAP2EncOptions().EncMode()
	if err != nil {
		panic(err)
	}
	return m
}()

// coseKey is the EC2 public key as a COSE_Key (RFC 9053: kty 2, alg -7, crv 1, x, y).
func coseKey(k *ecdsa.PublicKey) ([]byte, error) {
	raw, err := k.Bytes() // 0x04 || x || y
	if err != nil {
		return nil, err
	}
	return cborMode.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: raw[1:33], -3: raw[33:65]})
}

// clientDataJSON is the client data a browser collects (WebAuthn §5.8.1).
func clientDataJSON(typ string, challenge []byte, origin string) ([]byte, error) {
	return json.Marshal(map[string]any{
		"type": typ, "challenge": b64.EncodeToString(challenge), "origin": origin, "crossOrigin": false,
	})
}

// checkRP is the relying party id the options name, or the origin's host when they name
// none, after the browser's check that it is the origin's host or a parent domain of it.
func checkRP(origin, rpID string) (string, error) {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("passkeytest: %q is not an origin", origin)
	}
	host := u.Hostname()
	if rpID == "" {
		return host, nil
	}
	if host != rpID && !strings.HasSuffix(host, "."+rpID) {
		return "", fmt.Errorf("passkeytest: SecurityError: relying party id %q is not valid for origin %q", rpID, origin)
	}
	return rpID, nil
}

func decode(name, s string) ([]byte, error) {
	b, err := b64.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, fmt.Errorf("passkeytest: %s is not base64url", name)
	}
	return b, nil
}

// unwrap accepts options also as {"publicKey": …}, the argument of navigator.credentials.
func unwrap(options json.RawMessage) json.RawMessage {
	var w struct {
		PublicKey json.RawMessage `json:"publicKey"`
	}
	if json.Unmarshal(options, &w) == nil && len(w.PublicKey) > 0 {
		return w.PublicKey
	}
	return options
}
