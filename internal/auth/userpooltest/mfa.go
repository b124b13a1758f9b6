package userpooltest

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"github.com/monban-auth/monban/internal/auth"
)

// totpSecretBytes makes secrets as long as Cognito's SecretCode (52 base32 characters).
const totpSecretBytes = 32

var totpEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// TOTP is the RFC 6238 code (SHA-1, six digits, 30-second steps) an authenticator app shows
// at t for a base32 secret, as AssociateTOTP returns it.
func TOTP(secret string, t time.Time) (string, error) {
	key, err := totpEncoding.DecodeString(strings.ToUpper(strings.TrimRight(secret, "=")))
	if err != nil {
		return "", fmt.Errorf("TOTP secret is not base32: %w", err)
	}
	return totpAt(key, t.Unix()/30), nil
}

func totpAt(key []byte, step int64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", v%1000000)
}

// totpValid checks a code against the step of now and one step either side (the clock drift
// Cognito tolerates).
func totpValid(secret, c string, now time.Time) bool {
	key, err := totpEncoding.DecodeString(secret)
	if err != nil || secret == "" || len(c) != 6 {
		return false
	}
	step := now.Unix() / 30
	ok := 0
	for d := int64(-1); d <= 1; d++ {
		ok |= subtle.ConstantTimeCompare([]byte(totpAt(key, step+d)), []byte(c))
	}
	return ok == 1
}

// AssociateTOTP is AssociateSoftwareToken: a new secret for the access token's user, or for
// the user of an MFA_SETUP sign-in (who then continues with the new session it returns).
// A secret not yet verified replaces the previous one.
func (p *Pool) AssociateTOTP(ctx context.Context, who auth.TOTPUser) (*auth.TOTPAssociation, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.enter(ctx, "AssociateTOTP"); err != nil {
		return nil, err
	}
	var key [totpSecretBytes]byte
	_, _ = rand.Read(key[:])
	secret := totpEncoding.EncodeToString(key[:])
	if who.AccessToken != "" {
		u, err := p.holder(who.AccessToken)
		if err != nil {
			return nil, err
		}
		u.totpPending = secret
		return &auth.TOTPAssociation{Secret: secret}, nil
	}
	s, u, err := p.pending(who.Session, auth.ChallengeMFASetup)
	if err != nil {
		return nil, err
	}
	u.totpPending = secret
	delete(p.sessions, who.Session)
	return &auth.TOTPAssociation{Secret: secret, Session: p.open(&session{
		sub: s.sub, challenge: s.challenge, expires: s.expires, mfaTypes: s.mfaTypes,
	})}, nil
}

// VerifyTOTP is VerifySoftwareToken: the first code of the app being added. A wrong code is
// ReasonCodeMismatch (Cognito: EnableSoftwareTokenMFAException); no app being added is
// ReasonNoTOTPSetup (SoftwareTokenMFANotFoundException). For an MFA_SETUP sign-in it
// returns the session to answer the challenge with.
func (p *Pool) VerifyTOTP(ctx context.Context, who auth.TOTPUser, c, friendlyName string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.enter(ctx, "VerifyTOTP"); err != nil {
		return "", err
	}
	var (
		u   *user
		s   *session
		err error
	)
	if who.AccessToken != "" {
		u, err = p.holder(who.AccessToken)
	} else {
		s, u, err = p.pending(who.Session, auth.ChallengeMFASetup)
	}
	if err != nil {
		return "", err
	}
	if u.totpPending == "" {
		return "", fail(auth.ReasonNoTOTPSetup, "Software Token MFA has not been enabled by the user.")
	}
	if !totpValid(u.totpPending, c, p.o.Now()) {
		return "", fail(auth.ReasonCodeMismatch, "Code mismatch and fail enable Software Token MFA")
	}
	u.totpSecret, u.totpPending = u.totpPending, ""
	if s == nil {
		return "", nil
	}
	delete(p.sessions, who.Session)
	return p.open(&session{sub: s.sub, challenge: s.challenge, expires: s.expires, verified: true}), nil
}

// PreferTOTP is SetUserMFAPreference enabling the verified authenticator app as the
// preferred factor: from then on sign-in answers SOFTWARE_TOKEN_MFA.
func (p *Pool) PreferTOTP(ctx context.Context, accessToken string) error {
	return p.asHolder(ctx, "PreferTOTP", accessToken, func(u *user) error {
		if u.totpSecret == "" {
			return fail(auth.ReasonInvalidParameter, "User has not verified software token mfa")
		}
		u.mfaEnabled[auth.ChallengeTOTP], u.mfaPreferred = true, auth.ChallengeTOTP
		return nil
	})
}
