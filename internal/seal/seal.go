// Package seal seals small values (the session, the refresh token, the
// hosted-UI flow state, a pending sign-in challenge) into compact JWE strings
// that are safe to store in cookies, and opens them again.
//
// Every value is a compact JWE with "alg":"dir" and "enc":"A256GCM"
// (RFC 7516, RFC 7518). The content key is derived with HKDF-SHA256 from a
// configured secret and the value's purpose, so a value sealed for one
// purpose can never be decrypted as another, even if its header is edited.
// The protected header names the purpose ("pur") and the secret ("kid", an
// HKDF-derived id that reveals nothing about the secret). Several secrets may
// be configured: the first seals, all of them open, which lets the secret be
// rotated without signing everyone out.
//
// The encoding is done here with crypto/aes and crypto/cipher rather than
// through jwx, because /auth/session opens the session cookie on every page
// load and jwe.Decrypt costs several times more time and about 160
// allocations per value (see BenchmarkOpen). The tests prove that jwx's
// jwe.Decrypt and jwe.Encrypt interoperate with this code both ways. For the
// same reason Open keys, ciphers and headers are derived once per secret (in
// NewSealer and Rekey), the parts are decoded into a reused buffer, and a
// payload type may decode itself without reflection (Decoder; the session
// does, see BenchmarkOpenSession).
package seal

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/monban-auth/monban/internal/base64url"
)

// Purpose names what a sealed value is for. Each purpose has its own key, so
// a value only opens for the purpose it was sealed with.
type Purpose string

// The purposes monban seals values for.
const (
	PurposeSession   Purpose = "session"
	PurposeRefresh   Purpose = "refresh"
	PurposeFlow      Purpose = "flow"
	PurposeChallenge Purpose = "challenge"
)

// purposes fixes the index of each purpose in the per-key tables.
var purposes = [...]Purpose{PurposeSession, PurposeRefresh, PurposeFlow, PurposeChallenge}

// index returns p's position in purposes, or -1 for an unknown purpose.
func (p Purpose) index() int {
	switch p {
	case PurposeSession:
		return 0
	case PurposeRefresh:
		return 1
	case PurposeFlow:
		return 2
	case PurposeChallenge:
		return 3
	}
	return -1
}

// Errors returned by Open. Callers should compare with errors.Is: the
// error may wrap one of these with detail that is safe to log.
var (
	// ErrInvalid means the value is malformed, tampered with, sealed with a
	// key that is not configured, or sealed for another purpose.
	ErrInvalid = errors.New("seal: invalid sealed value")
	// ErrExpired means the value was authentic but its expiry has passed.
	ErrExpired = errors.New("seal: sealed value expired")
)

// MinSecretLen is the shortest secret NewSealer accepts, in bytes.
const MinSecretLen = 32

// MaxSealedLen bounds a sealed value, in bytes. Open rejects longer input
// before parsing it, and Seal refuses to produce it.
const MaxSealedLen = 16 << 10

const (
	keyLen   = 32 // A256GCM
	nonceLen = 12 // 96-bit IV, the only size A256GCM allows in JWE
	tagLen   = 16
	kidLen   = 8 // 64 bits tells a handful of secrets apart; not a secret

	// Encoded lengths of the fixed-size parts, to reject bad input before
	// decoding it.
	nonceB64Len = 16
	tagB64Len   = 22

	kidInfo = "monban session kid v1"
	keyInfo = "monban session key v1 purpose="
)

// b64 writes sealed values. Reading them is base64url.Decode's, which is strict so that each
// value has exactly one encoding: a string that differs from a sealed one never opens to the
// same contents.
var b64 = base64.RawURLEncoding

// key holds everything derived from one secret, computed once in NewSealer so
// that Seal and Open do no key derivation or header encoding.
type key struct {
	kid  string
	aead [len(purposes)]cipher.AEAD
	// header is the encoded protected header this key writes for each
	// purpose; it doubles as the AAD and lets Open skip JSON decoding for
	// values it sealed itself.
	header [len(purposes)]string
	aad    [len(purposes)][]byte
}

// Sealer seals and opens values. It is safe for concurrent use, Rekey included.
type Sealer struct {
	keys atomic.Pointer[[]key]
}

// NewSealer returns a Sealer for secrets. secrets[0] seals new values; every
// secret opens values, so an old secret can stay in the list (after the new
// one) while values sealed with it expire. Each secret must be at least
// MinSecretLen bytes.
func NewSealer(secrets [][]byte) (*Sealer, error) {
	s := &Sealer{}
	if err := s.Rekey(secrets); err != nil {
		return nil, err
	}
	return s, nil
}

// Rekey replaces the secrets, as NewSealer takes them, for every Seal and Open
// that starts afterwards: how a rotated secret reaches a running process. On
// an error the secrets in use stay as they were.
func (s *Sealer) Rekey(secrets [][]byte) error {
	if len(secrets) == 0 {
		return errors.New("seal: no secrets configured")
	}
	keys := make([]key, 0, len(secrets))
	for i, secret := range secrets {
		if len(secret) < MinSecretLen {
			// Index and length only: the secret itself must never reach a log.
			return fmt.Errorf("seal: secret %d is %d bytes, need at least %d", i, len(secret), MinSecretLen)
		}
		k, err := deriveKey(secret)
		if err != nil {
			return fmt.Errorf("seal: secret %d: %w", i, err)
		}
		keys = append(keys, k)
	}
	s.keys.Store(&keys)
	return nil
}

// deriveKey computes the key id, the per-purpose AEADs and the per-purpose
// protected headers for one secret.
func deriveKey(secret []byte) (key, error) {
	var k key
	id, err := hkdf.Key(sha256.New, secret, nil, kidInfo, kidLen)
	if err != nil {
		return k, err
	}
	k.kid = b64.EncodeToString(id)
	for i, p := range purposes {
		raw, err := purposeKey(secret, p)
		if err != nil {
			return k, err
		}
		block, err := aes.NewCipher(raw)
		if err != nil {
			return k, err
		}
		if k.aead[i], err = cipher.NewGCM(block); err != nil {
			return k, err
		}
		hdr, err := json.Marshal(protectedHeader{Alg: "dir", Enc: "A256GCM", Kid: k.kid, Pur: string(p)})
		if err != nil {
			return k, err
		}
		k.header[i] = b64.EncodeToString(hdr)
		k.aad[i] = []byte(k.header[i])
	}
	return k, nil
}

// purposeKey derives the A256GCM content key for secret and purpose p.
func purposeKey(secret []byte, p Purpose) ([]byte, error) {
	return hkdf.Key(sha256.New, secret, nil, keyInfo+string(p), keyLen)
}

// protectedHeader is the JWE protected header Seal writes. Field order is
// the order of the encoded JSON, which Open compares byte for byte.
type protectedHeader struct {
	Alg string `json:"alg"`
	Enc string `json:"enc"`
	Kid string `json:"kid"`
	Pur string `json:"pur"`
}

// Seal marshals v as JSON into a payload that also carries expires (to the
// second), and encrypts it for purpose p as a compact JWE with the first
// secret. The result is base64url and dots only, safe as a cookie value.
func (s *Sealer) Seal(p Purpose, v any, expires time.Time) (string, error) {
	pi := p.index()
	if pi < 0 {
		return "", fmt.Errorf("seal: unknown purpose %q", p)
	}
	if expires.IsZero() {
		// A zero time would seal a value that is already expired; that is
		// always a caller bug, better reported here than as a failed Open.
		return "", errors.New("seal: zero expiry")
	}
	body, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("seal: marshal value: %w", err)
	}

	// The payload is {"exp":<unix seconds>,"v":<value>}, written by hand so
	// that Open can read exp without decoding the value twice.
	pt := make([]byte, 0, len(`{"exp":,"v":}`)+20+len(body)+tagLen)
	pt = append(pt, `{"exp":`...)
	pt = strconv.AppendInt(pt, expires.Unix(), 10)
	pt = append(pt, `,"v":`...)
	pt = append(pt, body...)
	pt = append(pt, '}')

	k := &(*s.keys.Load())[0]
	hdr := k.header[pi]
	n := len(hdr) + 2 + nonceB64Len + 1 + b64.EncodedLen(len(pt)) + 1 + tagB64Len
	if n > MaxSealedLen {
		return "", fmt.Errorf("seal: sealed value would be %d bytes, more than %d", n, MaxSealedLen)
	}

	var nonce [nonceLen]byte
	_, _ = rand.Read(nonce[:]) // never fails (crypto/rand, Go 1.24+)
	sealed := k.aead[pi].Seal(pt[:0], nonce[:], pt, k.aad[pi])
	ct, tag := sealed[:len(sealed)-tagLen], sealed[len(sealed)-tagLen:]

	out := make([]byte, n)
	i := copy(out, hdr)
	i += copy(out[i:], "..") // empty encrypted key: "dir" uses the key as is
	b64.Encode(out[i:], nonce[:])
	i += nonceB64Len
	out[i] = '.'
	i++
	b64.Encode(out[i:], ct)
	i += b64.EncodedLen(len(ct))
	out[i] = '.'
	b64.Encode(out[i+1:], tag)
	return string(out), nil
}

// Decoder is implemented by sealed contents that decode themselves without encoding/json's
// reflection (the session, opened on every page load). DecodeSealed decodes data exactly as
// json.Unmarshal would and reports true, or reports false having changed nothing, and Open
// then decodes data with json.Unmarshal. data is the decoder's to keep: Open never writes to
// it again, so the decoded value may share its bytes (strings over them) instead of copying.
type Decoder interface {
	DecodeSealed(data []byte) bool
}

// bufs holds Open's scratch buffers: the decoded, decrypted payload lives only until it is
// decoded into v, so one buffer serves one Open after another.
var bufs = sync.Pool{New: func() any { return new([]byte) }}

// Open checks that sealed is a value sealed for purpose p by one of the
// configured secrets, that it has not expired at now, and unmarshals its
// contents into v (unless v is nil, which only checks the value). It returns
// an error wrapping ErrInvalid or ErrExpired, and never panics on any input.
// v is left untouched unless the value is authentic and unexpired. v is
// decoded with its DecodeSealed method if it has one (Decoder), with
// json.Unmarshal otherwise.
func (s *Sealer) Open(p Purpose, sealed string, v any, now time.Time) error {
	// Cheap rejections first: this runs on attacker-controlled input.
	if len(sealed) > MaxSealedLen {
		return ErrInvalid
	}
	pi := p.index()
	if pi < 0 {
		return ErrInvalid
	}
	// header..nonce.ciphertext.tag: the encrypted key is empty and the nonce and the tag
	// have fixed lengths, so only the header is searched for its dot; the ciphertext, most
	// of the value, is not scanned for one. A dot anywhere else is left to base64url.Decode,
	// which refuses it as outside the alphabet.
	hdr, rest, ok := strings.Cut(sealed, ".")
	const fixed = 1 + nonceB64Len + 1 + 1 + tagB64Len // ".", nonce, ".", ".", tag
	if !ok || len(rest) < fixed || rest[0] != '.' || rest[1+nonceB64Len] != '.' || rest[len(rest)-tagB64Len-1] != '.' {
		return ErrInvalid
	}
	iv, ct, tag := rest[1:1+nonceB64Len], rest[2+nonceB64Len:len(rest)-tagB64Len-1], rest[len(rest)-tagB64Len:]

	k, aad := s.keyFor(pi, hdr)
	if k == nil {
		return ErrInvalid
	}

	// One buffer holds the nonce, then the decoded ciphertext and tag, the layout
	// cipher.AEAD.Open wants; it then decrypts in place. Every part is decoded with
	// base64url.Decode, which refuses any byte outside the alphabet, and needs spare bytes
	// after each part: the nonce and the tag get their own, the ciphertext's are the tag's
	// first.
	bp := bufs.Get().(*[]byte)
	defer bufs.Put(bp)
	size := nonceLen + base64url.Spare + base64url.DecodedLen(len(ct)) + tagLen + base64url.Spare
	*bp = slices.Grow((*bp)[:0], size)
	buf := (*bp)[:size]
	nonce, dst := buf[:nonceLen], buf[nonceLen+base64url.Spare:]
	// The lengths were checked: a nonce and a tag that decode are whole.
	if _, ok := base64url.Decode(buf[:nonceLen+base64url.Spare], iv); !ok {
		return ErrInvalid
	}
	n, ok := base64url.Decode(dst, ct)
	if !ok {
		return ErrInvalid
	}
	if _, ok := base64url.Decode(dst[n:], tag); !ok {
		return ErrInvalid
	}
	// In place, but for a Decoder, which keeps the payload: into memory of its own, so
	// that the buffer can serve the next Open.
	out := dst[:0]
	d, decodes := v.(Decoder)
	if decodes {
		out = make([]byte, 0, n)
	}
	pt, err := k.aead[pi].Open(out, nonce, dst[:n+tagLen], aad)
	if err != nil {
		return ErrInvalid
	}

	exp, body, ok := splitPayload(pt)
	if !ok {
		return ErrInvalid
	}
	if !now.Before(time.Unix(exp, 0)) {
		return ErrExpired
	}
	if v == nil {
		return nil
	}
	if decodes && d.DecodeSealed(body) {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		// Authentic but not the shape the caller expects (e.g. a value
		// sealed by an older release): as unusable as a forged one.
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return nil
}

// keyFor returns the key that opens a value with encoded protected header
// hdr for purpose index pi, and the AAD to use, or nil if the header is not
// acceptable.
func (s *Sealer) keyFor(pi int, hdr string) (*key, []byte) {
	keys := *s.keys.Load()
	// Values this package sealed carry exactly one of the precomputed
	// headers: match them without decoding anything.
	for i := range keys {
		if keys[i].header[pi] == hdr {
			return &keys[i], keys[i].aad[pi]
		}
	}
	// Any other encoding of an acceptable header (another JOSE library,
	// another member order) is decoded and checked strictly.
	if len(hdr) > 1024 {
		return nil, nil
	}
	kid, ok := parseHeader(hdr, purposes[pi])
	if !ok {
		return nil, nil
	}
	for i := range keys {
		if keys[i].kid == kid {
			return &keys[i], []byte(hdr)
		}
	}
	return nil, nil
}

// parseHeader decodes an encoded protected header and returns its kid if it
// is a dir/A256GCM header for purpose p with nothing this package does not
// implement ("zip", "crit").
func parseHeader(enc string, p Purpose) (kid string, ok bool) {
	raw := make([]byte, base64url.DecodedLen(len(enc))+base64url.Spare)
	n, ok := base64url.Decode(raw, enc)
	if !ok {
		return "", false
	}
	raw = raw[:n]
	// A map keeps member names exact: JOSE names are case-sensitive, unlike
	// encoding/json's struct field matching.
	var h map[string]json.RawMessage
	if err := json.Unmarshal(raw, &h); err != nil {
		return "", false
	}
	if _, ok := h["zip"]; ok {
		return "", false
	}
	if _, ok := h["crit"]; ok {
		return "", false
	}
	str := func(name string) string {
		var v string
		if json.Unmarshal(h[name], &v) != nil {
			return ""
		}
		return v
	}
	if str("alg") != "dir" || str("enc") != "A256GCM" || str("pur") != string(p) {
		return "", false
	}
	kid = str("kid")
	return kid, kid != ""
}

// splitPayload returns the expiry and the raw value of a decrypted payload.
func splitPayload(pt []byte) (exp int64, body []byte, ok bool) {
	// Fast path: the exact layout Seal writes, read without a JSON pass.
	// The value is not validated here; json.Unmarshal does that once, in
	// Open. A payload only gets here after authentication, so an odd one
	// (say a second "exp" member) can only come from a holder of the
	// secret, who could seal any expiry anyway.
	if rest, found := bytes.CutPrefix(pt, []byte(`{"exp":`)); found {
		// Without the separator body is nil, which has no "}" to cut.
		num, body, _ := bytes.Cut(rest, []byte(`,"v":`))
		if body, found := bytes.CutSuffix(body, []byte(`}`)); found && len(body) > 0 {
			if exp, err := strconv.ParseInt(string(num), 10, 64); err == nil {
				return exp, body, true
			}
		}
	}
	// Any other JSON encoding of the same payload, e.g. from another JOSE
	// library: decode it generically.
	var pl struct {
		Exp *int64          `json:"exp"`
		V   json.RawMessage `json:"v"`
	}
	if err := json.Unmarshal(pt, &pl); err != nil || pl.Exp == nil || pl.V == nil {
		return 0, nil, false
	}
	return *pl.Exp, pl.V, true
}
