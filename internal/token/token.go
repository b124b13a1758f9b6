// Package token verifies the JSON Web Tokens an Amazon Cognito user pool issues.
//
// Only RS256 signatures made with a key from the pool's JWKS are accepted: the
// algorithm is a property of the key, never something the token can choose.
// Keys are fetched on first use and cached for the life of the process; a token
// naming an unknown key id triggers at most one refetch per RefetchInterval.
//
// Verification is stateless apart from that key cache: every call checks the
// signature and the claims again.
package token

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/monban-auth/monban/internal/base64url"
	"github.com/monban-auth/monban/internal/rootcerts"
)

const (
	// maxTokenSize bounds the work done on input before anything is known about
	// it. Cognito tokens are a few KiB even with many groups and custom claims.
	maxTokenSize = 16 << 10

	// maxSignatureSize is the signature length of a 4096-bit RSA key, the
	// largest modulus worth supporting.
	maxSignatureSize = 512

	defaultSkew            = 30 * time.Second
	defaultRefetchInterval = time.Minute
	defaultKeysMaxAge      = time.Hour
	defaultHTTPTimeout     = 5 * time.Second
)

// Config configures a Verifier. Issuer and ClientID are required.
type Config struct {
	// Issuer is the exact expected "iss" claim, for example
	// https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc.
	Issuer string

	// JWKSURL is where signing keys are fetched. It defaults to
	// Issuer + "/.well-known/jwks.json"; emulators such as moto serve it
	// elsewhere. It must be https, or http on a loopback host.
	JWKSURL string

	// ClientID is the app client id: the expected "aud" of ID tokens and
	// "client_id" of access tokens.
	ClientID string

	// Skew is the clock skew allowed when checking exp, nbf and iat.
	// Zero means 30s.
	Skew time.Duration

	// RefetchInterval is the minimum time between JWKS fetches triggered by
	// an unknown key id. Zero means one minute.
	RefetchInterval time.Duration

	// KeysMaxAge is how long a fetched key set is used before it is refreshed in the
	// background (the old keys answer meanwhile). Zero means one hour.
	KeysMaxAge time.Duration

	// HTTPClient fetches the JWKS. Nil means a client with a 5s timeout
	// that does not follow redirects.
	HTTPClient *http.Client

	// Now returns the current time, for claim checks and refetch pacing.
	// Nil means time.Now.
	Now func() time.Time
}

// Verifier verifies Cognito ID and access tokens. It is safe for concurrent
// use; build one per user pool and app client and keep it for the life of
// the process so the key cache is shared.
type Verifier struct {
	issuer   string
	clientID string
	skew     time.Duration
	now      func() time.Time
	keys     *keyCache
}

// NewVerifier validates cfg and returns a Verifier. It does no network I/O:
// keys are fetched on first use, or by FetchKeys, so that a slow JWKS endpoint
// cannot fail a cold start.
func NewVerifier(cfg Config) (*Verifier, error) {
	if cfg.Issuer == "" {
		return nil, errors.New("token: config: Issuer is required")
	}
	if u, err := url.Parse(cfg.Issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errors.New("token: config: Issuer must be an absolute http(s) URL")
	}
	if cfg.ClientID == "" {
		return nil, errors.New("token: config: ClientID is required")
	}
	jwksURL := cfg.JWKSURL
	if jwksURL == "" {
		jwksURL = strings.TrimSuffix(cfg.Issuer, "/") + "/.well-known/jwks.json"
	}
	if err := checkJWKSURL(jwksURL); err != nil {
		return nil, err
	}
	if cfg.Skew < 0 || cfg.RefetchInterval < 0 || cfg.KeysMaxAge < 0 {
		return nil, errors.New("token: config: Skew, RefetchInterval and KeysMaxAge must not be negative")
	}
	maxAge := cfg.KeysMaxAge
	if maxAge == 0 {
		maxAge = defaultKeysMaxAge
	}
	skew := cfg.Skew
	if skew == 0 {
		skew = defaultSkew
	}
	interval := cfg.RefetchInterval
	if interval == 0 {
		interval = defaultRefetchInterval
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{
			Timeout:   defaultHTTPTimeout,
			Transport: rootcerts.Default(),
			// A JWKS endpoint has no reason to redirect, and following one
			// could move the fetch off https.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Verifier{
		issuer:   cfg.Issuer,
		clientID: cfg.ClientID,
		skew:     skew,
		now:      now,
		keys:     newKeyCache(jwksURL, client, interval, maxAge, now),
	}, nil
}

// checkJWKSURL refuses plain http except on loopback, where the emulators
// run: keys fetched over an open network decide who is authenticated.
func checkJWKSURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return errors.New("token: config: JWKSURL must be an absolute URL")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if host == "localhost" {
			return nil
		}
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			return nil
		}
		return errors.New("token: config: JWKSURL must use https unless it is on a loopback host")
	default:
		return errors.New("token: config: JWKSURL must be an http(s) URL")
	}
}

// FetchKeys fetches the signing keys now, unless they are cached, and waits for them
// until ctx ends: a process calls it during start-up so that its first request does not
// wait for the fetch. An error wraps ErrKeysUnavailable and changes nothing else: keys are
// fetched on first use as without the call, or that use waits for the fetch still under
// way.
func (v *Verifier) FetchKeys(ctx context.Context) error {
	return v.keys.load(ctx)
}

// VerifyID verifies a Cognito ID token: the signature, iss, aud containing
// the client id, token_use "id", exp/nbf/iat within the allowed skew, and, when
// wantNonce is not empty, the nonce. A token without any nonce claim passes
// the nonce check only if allowMissingNonce is true; a nonce that is present
// but different always fails.
func (v *Verifier) VerifyID(ctx context.Context, raw, wantNonce string, allowMissingNonce bool) (*Claims, error) {
	c, seen, err := v.verify(ctx, raw, "id")
	if err != nil {
		return nil, err
	}
	if !slices.Contains(c.Audience, v.clientID) {
		return nil, errWrongAudience
	}
	if wantNonce != "" {
		switch {
		case seen&seenNonce == 0:
			if !allowMissingNonce {
				return nil, errMissingNonce
			}
		case subtle.ConstantTimeCompare([]byte(c.Nonce), []byte(wantNonce)) != 1:
			return nil, errWrongNonce
		}
	}
	return c, nil
}

// VerifyAccess verifies a Cognito access token: the signature, iss,
// token_use "access", client_id, and exp/nbf/iat within the allowed skew.
func (v *Verifier) VerifyAccess(ctx context.Context, raw string) (*Claims, error) {
	c, _, err := v.verify(ctx, raw, "access")
	if err != nil {
		return nil, err
	}
	if c.ClientID != v.clientID {
		return nil, errWrongClientID
	}
	return c, nil
}

// verify checks the signature and the claims both token kinds share, and
// returns the claims with a record of which optional ones were present.
func (v *Verifier) verify(ctx context.Context, raw, use string) (*Claims, seenSet, error) {
	// The parts are only read during the checks (the claims keep copies), so a token of
	// the usual size is parsed on the stack rather than in memory of its own.
	var room [4096]byte
	p, err := split(raw, room[:])
	if err != nil {
		return nil, 0, err
	}
	if err := v.checkSignature(ctx, &p); err != nil {
		return nil, 0, err
	}
	d, err := decodeClaims(p.payload, v.issuer)
	if err != nil {
		return nil, 0, err
	}
	if err := v.checkClaims(&d, use); err != nil {
		return nil, 0, err
	}
	return d.claims, d.seen, nil
}

// parts are a token's three decoded parts and the signing input they came from.
type parts struct {
	signingInput, header, payload, signature []byte
}

// split checks a token's compact form and decodes its three parts into room, or into
// memory of their own if room is too small. The parts are decoded
// strictly, so that a token has exactly one valid spelling (relaxed decoders accept
// non-zero trailing bits, which makes signatures malleable), and every byte outside the
// base64url alphabet is refused: a third dot, and CR and LF, which Go's own decoders skip.
func split(raw string, room []byte) (parts, error) {
	if len(raw) > maxTokenSize {
		return parts{}, errTooLarge
	}
	dot1, dot2, err := findDots(raw)
	if err != nil {
		return parts{}, err
	}
	sigLen := base64url.DecodedLen(len(raw) - dot2 - 1)
	if sigLen > maxSignatureSize {
		return parts{}, errMalformed
	}

	// One buffer holds the signing input and the three decoded parts. Each part is
	// decoded in turn into room that runs on into the next part's (or, for the last,
	// into the buffer's spare bytes): the decoder may write a little past what it
	// decodes.
	hdrLen := base64url.DecodedLen(dot1)
	payLen := base64url.DecodedLen(dot2 - dot1 - 1)
	size := dot2 + hdrLen + payLen + sigLen + base64url.Spare
	buf := room
	if size > len(room) {
		buf = make([]byte, size)
	}
	copy(buf, raw[:dot2])
	p := parts{signingInput: buf[:dot2]}
	dst := buf[dot2:]
	if p.header, err = decodePart(dst, raw[:dot1]); err != nil {
		return parts{}, err
	}
	if p.payload, err = decodePart(dst[hdrLen:], raw[dot1+1:dot2]); err != nil {
		return parts{}, err
	}
	if p.signature, err = decodePart(dst[hdrLen+payLen:], raw[dot2+1:]); err != nil {
		return parts{}, err
	}
	return p, nil
}

// findDots returns the positions of the two dots of a compact token. Searching
// for single bytes rather than testing every byte is what keeps this cheap for
// a token of a kilobyte or more; the decoding of the parts then refuses any
// other dot.
func findDots(raw string) (dot1, dot2 int, err error) {
	dot1 = strings.IndexByte(raw, '.')
	if dot1 <= 0 {
		return 0, 0, errMalformed // no dot, or an empty header
	}
	n := strings.IndexByte(raw[dot1+1:], '.')
	if n <= 0 {
		return 0, 0, errMalformed // one dot, or an empty payload
	}
	// An empty signature is let through to the header check, so that "none"
	// is refused by name rather than by accident of its empty signature.
	return dot1, dot1 + 1 + n, nil
}

// checkSignature checks the header, then the RS256 signature with the key it
// names. The header is checked before any key is looked up so that forged
// algorithms never cause a JWKS fetch.
func (v *Verifier) checkSignature(ctx context.Context, p *parts) error {
	kid, err := parseHeader(p.header)
	if err != nil {
		return err
	}
	key, err := v.keys.get(ctx, kid)
	if err != nil {
		return err
	}
	digest := sha256.Sum256(p.signingInput)
	if rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], p.signature) != nil {
		return errBadSignature
	}
	return nil
}

// checkClaims checks the claims both token kinds share (iss, token_use, sub
// and the times) and sets the username from the claim of the token's kind.
func (v *Verifier) checkClaims(d *decoded, use string) error {
	if d.seen&seenIss == 0 || !d.issuerMatches {
		return errWrongIssuer
	}
	if d.claims.TokenUse != use {
		return errWrongTokenUse
	}
	if d.claims.Subject == "" {
		return errMissingSubject
	}
	if err := v.checkTimes(d); err != nil {
		return err
	}
	// Each token kind names the user in its own claim; the other one, if a
	// trigger added it, is not trusted as the username.
	if use == "id" {
		d.claims.Username = d.idUsername
	} else {
		d.claims.Username = d.accessUsername
	}
	return nil
}

// checkTimes applies exp (required), nbf and iat with the configured skew.
func (v *Verifier) checkTimes(d *decoded) error {
	if d.seen&seenExp == 0 {
		return errMissingExpiry
	}
	now := v.now()
	if !now.Before(d.claims.ExpiresAt.Add(v.skew)) {
		return errExpired
	}
	if d.seen&seenNbf != 0 && now.Add(v.skew).Before(d.notBefore) {
		return errNotYetValid
	}
	if d.seen&seenIat != 0 && now.Add(v.skew).Before(d.claims.IssuedAt) {
		return errIssuedInFuture
	}
	return nil
}

func decodePart(dst []byte, src string) ([]byte, error) {
	n, ok := base64url.Decode(dst, src)
	if !ok {
		return nil, errMalformed
	}
	return dst[:n:n], nil
}

// parseHeader checks the JOSE header and returns the key id. The only
// algorithm accepted is RS256, the algorithm of every key the cache holds, so
// "none", HMAC (including HMAC keyed with the public key) and other RSA
// schemes are refused before any key is consulted.
func parseHeader(hdr []byte) (kid []byte, err error) {
	var room [8]span
	members, ok := objectMembers(hdr, room[:0])
	if !ok {
		return nil, errMalformedHeader
	}
	valid := utf8.Valid(hdr)
	var alg []byte
	var sawAlg, sawKid bool
	for _, m := range members {
		name, ok := stringValue(hdr[m.key:m.keyEnd], valid)
		if !ok {
			return nil, errMalformedHeader
		}
		switch string(name) {
		case "alg":
			if sawAlg {
				return nil, errMalformedHeader
			}
			sawAlg = true
			if alg, ok = stringValue(hdr[m.val:m.valEnd], valid); !ok {
				return nil, errMalformedHeader
			}
		case "kid":
			if sawKid {
				return nil, errMalformedHeader
			}
			sawKid = true
			if kid, ok = stringValue(hdr[m.val:m.valEnd], valid); !ok {
				return nil, errMalformedHeader
			}
		case "crit":
			// No header extension is understood, so none may be required.
			return nil, errCritical
		}
	}
	if string(alg) != "RS256" {
		return nil, errAlgorithm
	}
	if len(kid) == 0 {
		return nil, errMissingKeyID
	}
	return kid, nil
}
