// Package bench compares monban's hot paths with the libraries a Node.js stack would use
// for the same work. The fixtures here are shared with the Node scripts beside this file,
// so that both sides verify the very same token against the very same key set and decode
// sessions of the same content.
package bench

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"time"

	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/seal"
)

// The identity the fixtures describe: a Cognito user pool in us-east-1 named "bench".
const (
	Region     = "us-east-1"
	UserPoolID = "us-east-1_bench"
	Issuer     = "https://cognito-idp.us-east-1.amazonaws.com/" + UserPoolID
	ClientID   = "5q2mbk0c7e1ltn6ad8rfv3hsg9"
)

// Fixtures is what both sides read (as JSON, written by cmd/fixtures).
type Fixtures struct {
	UserPoolID  string          `json:"userPoolId"`
	Issuer      string          `json:"issuer"`
	ClientID    string          `json:"clientId"`
	AccessToken string          `json:"accessToken"`
	JWKS        json.RawMessage `json:"jwks"`
	// Session is the content of a signed-in user's session cookie (monban's
	// auth.Session), carrying AccessToken as a real session would.
	Session auth.Session `json:"session"`
	// SessionSecret keys both monban's sealer and Auth.js's encode/decode.
	SessionSecret string `json:"sessionSecret"`
	// SessionCookie is Session sealed by monban with SessionSecret: the very cookie value
	// both sides decode.
	SessionCookie string `json:"sessionCookie"`
}

// Generate makes a fresh RSA key, a Cognito-shaped access token signed with it, the JWKS
// that publishes it, and a session holding that token.
func Generate() (*Fixtures, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	pub := &key.PublicKey
	// Cognito's key ids are 44-character base64 strings; the length shows in every
	// token header, so the fixture copies it.
	sum := sha256.Sum256(pub.N.Bytes())
	kid := base64.StdEncoding.EncodeToString(sum[:])
	jwks, err := json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig",
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
	if err != nil {
		return nil, err
	}

	now := time.Now().Unix()
	// Far in the future so that a fixture file stays usable; the claims are those of a
	// real Cognito access token for a user in two groups.
	exp := now + 10*365*24*3600
	sub := "a4f8e2c1-3b6d-4e9a-8f7c-2d1e0b9a8c7d"
	header, _ := json.Marshal(map[string]string{"kid": kid, "alg": "RS256"})
	payload, _ := json.Marshal(map[string]any{
		"sub":            sub,
		"cognito:groups": []string{"admins", "staff"},
		"iss":            Issuer,
		"version":        2,
		"client_id":      ClientID,
		"origin_jti":     "8d2f6a1e-5c4b-4a3d-9e8f-7b6c5d4e3f2a",
		"event_id":       "1c9b8a7d-6e5f-4d3c-b2a1-0f9e8d7c6b5a",
		"token_use":      "access",
		"scope":          "aws.cognito.signin.user.admin openid email profile",
		"auth_time":      now,
		"exp":            exp,
		"iat":            now,
		"jti":            "3e7d1c5b-9a8f-4e2d-b6c4-a1f0e9d8c7b6",
		"username":       sub,
	})
	input := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload)
	digest := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		return nil, err
	}
	at := input + "." + base64.RawURLEncoding.EncodeToString(sig)

	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	f := &Fixtures{
		UserPoolID:  UserPoolID,
		Issuer:      Issuer,
		ClientID:    ClientID,
		AccessToken: at,
		JWKS:        jwks,
		Session: auth.Session{
			AccessToken: at,
			ExpiresAt:   time.Unix(exp, 0).UTC(),
			User: auth.User{
				Sub: sub, Username: sub, Email: "alice@example.com", EmailVerified: true,
				Groups: []string{"admins", "staff"}, Attributes: auth.Attributes{{Name: "name", Value: "Alice Example"}},
			},
		},
		SessionSecret: hex.EncodeToString(secret),
	}
	s, err := seal.NewSealer([][]byte{[]byte(f.SessionSecret)})
	if err != nil {
		return nil, err
	}
	if f.SessionCookie, err = s.Seal(seal.PurposeSession, f.Session, f.Session.ExpiresAt); err != nil {
		return nil, err
	}
	return f, nil
}

// Write stores f as JSON at path.
func (f *Fixtures) Write(path string) error {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

// Load reads fixtures written by Write.
func Load(path string) (*Fixtures, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f Fixtures
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, err
	}
	if f.AccessToken == "" || len(f.JWKS) == 0 || f.SessionSecret == "" || f.SessionCookie == "" {
		return nil, errors.New("bench: incomplete fixtures in " + path)
	}
	return &f, nil
}
