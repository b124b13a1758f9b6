package token

import "errors"

var (
	// ErrInvalid is wrapped by every rejection of a token: malformed input,
	// an unacceptable header, a bad signature or a failed claim check. The
	// error text names the reason and never contains the token.
	ErrInvalid = errors.New("token: invalid")

	// ErrExpired is wrapped, together with ErrInvalid, by the rejection of a
	// token whose exp has passed, so callers can tell "sign in again" from
	// "forged".
	ErrExpired = errors.New("token: expired")

	// ErrKeysUnavailable means no signing key could be obtained: the JWKS
	// fetch failed and nothing usable was cached. It is an outage of the
	// key source, not a verdict on the token, and does not wrap ErrInvalid.
	ErrKeysUnavailable = errors.New("token: signing keys unavailable")
)

// rejection is a fixed reason for refusing a token. Rejections are
// preallocated so that refusing garbage costs no allocation.
type rejection struct {
	reason  string
	expired bool
}

func (r *rejection) Error() string { return "token: " + r.reason }

func (r *rejection) Is(target error) bool {
	return target == ErrInvalid || (r.expired && target == ErrExpired)
}

func reject(reason string) error { return &rejection{reason: reason} }

var (
	errTooLarge        = reject("too large")
	errMalformed       = reject("malformed")
	errMalformedHeader = reject("malformed header")
	errAlgorithm       = reject("algorithm not accepted")
	errMissingKeyID    = reject("missing key id")
	errCritical        = reject("unsupported critical header")
	errUnknownKey      = reject("unknown key id")
	errBadSignature    = reject("bad signature")
	errMalformedClaims = reject("malformed claims")
	errDuplicateClaim  = reject("duplicate claim")
	errWrongIssuer     = reject("wrong issuer")
	errWrongTokenUse   = reject("wrong token_use")
	errWrongAudience   = reject("wrong audience")
	errWrongClientID   = reject("wrong client_id")
	errMissingSubject  = reject("missing sub")
	errMissingExpiry   = reject("missing exp")
	errExpired         = &rejection{reason: "expired", expired: true}
	errNotYetValid     = reject("not valid yet")
	errIssuedInFuture  = reject("issued in the future")
	errMissingNonce    = reject("missing nonce")
	errWrongNonce      = reject("wrong nonce")
)
