package monbanauth

import (
	"errors"

	"github.com/monban-auth/monban/internal/token"
)

// The outcomes Authenticate can fail with. Compare with errors.Is; the error
// text adds a reason that is safe to log (it never contains a credential).
var (
	// ErrNoCredentials: the request carries no accepted credential (HTTP 401).
	ErrNoCredentials = errors.New("monbanauth: no credentials")
	// ErrInvalidCredentials: a credential was presented but is malformed,
	// forged, expired or meant for someone else (HTTP 401).
	ErrInvalidCredentials = errors.New("monbanauth: invalid credentials")
	// ErrForbidden: the caller is authenticated but lacks a required scope
	// or group, or the request did not come through the site's CloudFront
	// distribution (Config.OriginSecrets) (HTTP 403).
	ErrForbidden = errors.New("monbanauth: forbidden")
	// ErrUnavailable: the user pool's signing keys cannot be fetched and none
	// are cached, so nothing can be verified (HTTP 503). It is an outage, not
	// a verdict on the caller, and should not be cached as a denial.
	ErrUnavailable = errors.New("monbanauth: signing keys unavailable")
)

// failure is a refusal of one kind with a reason, and possibly the token
// verifier's error as cause.
type failure struct {
	kind   error
	reason string
	cause  error
}

func (f *failure) Error() string {
	if f.cause != nil {
		return f.kind.Error() + ": " + f.reason + ": " + f.cause.Error()
	}
	return f.kind.Error() + ": " + f.reason
}

func (f *failure) Unwrap() []error {
	if f.cause != nil {
		return []error{f.kind, f.cause}
	}
	return []error{f.kind}
}

var (
	errNoCredentials        = &failure{kind: ErrNoCredentials, reason: "neither a bearer token nor a session cookie"}
	errSeveralAuthorization = &failure{kind: ErrInvalidCredentials, reason: "more than one Authorization header"}
	errMalformedBearer      = &failure{kind: ErrInvalidCredentials, reason: "malformed bearer token"}
	errCookieInvalid        = &failure{kind: ErrInvalidCredentials, reason: "session cookie forged, truncated or sealed with an unknown secret"}
	errCookieExpired        = &failure{kind: ErrInvalidCredentials, reason: "session cookie expired"}
	errCookieAmbiguous      = &failure{kind: ErrInvalidCredentials, reason: "two different authentic session cookies (one planted for another path)"}
	errNotViaOrigin         = &failure{kind: ErrForbidden, reason: "the request did not come through the site's CloudFront distribution (origin-verify header missing or wrong)"}
)

// tokenFailure classifies a token verification error. The token package's
// error texts name a reason and never contain the token.
func tokenFailure(what string, err error) error {
	if errors.Is(err, token.ErrKeysUnavailable) {
		return &failure{kind: ErrUnavailable, reason: what, cause: err}
	}
	return &failure{kind: ErrInvalidCredentials, reason: what, cause: err}
}
