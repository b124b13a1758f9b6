package token

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
)

const (
	// maxJWKSSize bounds what a misbehaving endpoint can make us read; a
	// Cognito JWKS is about 1 KiB.
	maxJWKSSize = 1 << 20

	// minRSABits refuses keys too weak to trust; Cognito and both emulators
	// use 2048-bit keys.
	minRSABits = 2048

	// fetchDeadline caps a fetch even when the caller's HTTP client has no
	// timeout, because the fetch outlives the request that started it.
	fetchDeadline = 10 * time.Second

	// emptyRetryGap is how soon a failed fetch may be retried while no key
	// has ever been obtained: a cold start should recover from a blip
	// quickly, without every request waiting on a dead endpoint.
	emptyRetryGap = 2 * time.Second
)

// keyCache holds the RS256 verification keys of one JWKS, by kid. Readers
// take a lock-free snapshot; a miss goes through the slow path, where at most
// one fetch is in flight and fetches are paced.
type keyCache struct {
	url      string
	client   *http.Client
	interval time.Duration
	maxAge   time.Duration
	now      func() time.Time

	// fetchedAt is when the cached keys were fetched (unix nanoseconds): past maxAge they
	// are refreshed in the background, so a key the pool has retired stops verifying
	// even when no unknown kid ever comes along to trigger a refetch.
	fetchedAt atomic.Int64

	// keys is nil until the first successful fetch, then replaced whole by
	// each later successful one. A failed fetch leaves it alone.
	keys atomic.Pointer[map[string]*rsa.PublicKey]

	mu          sync.Mutex
	inflight    *fetchCall // fetch in progress, shared by every caller
	lastTry     time.Time  // start of the most recent fetch
	lastRefetch time.Time  // start of the most recent fetch made with keys cached
	lastErr     error      // outcome of the most recent fetch
}

type fetchCall struct {
	done chan struct{} // closed when the fetch has finished
	err  error         // written before done is closed
}

func newKeyCache(url string, client *http.Client, interval, maxAge time.Duration, now func() time.Time) *keyCache {
	return &keyCache{url: url, client: client, interval: interval, maxAge: maxAge, now: now}
}

// get returns the key for kid, fetching the JWKS when kid is not cached and
// pacing allows it.
func (c *keyCache) get(ctx context.Context, kid []byte) (*rsa.PublicKey, error) {
	if k := c.lookup(kid); k != nil {
		if c.now().UnixNano()-c.fetchedAt.Load() > int64(c.maxAge) {
			c.revalidate()
		}
		return k, nil
	}
	return c.getSlow(ctx, kid)
}

// revalidate starts a background refetch of a key set older than maxAge, paced like the
// others; meanwhile the cached keys keep answering (an outage keeps them, as always).
func (c *keyCache) revalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if c.inflight != nil || (!c.lastTry.IsZero() && now.Sub(c.lastTry) < c.interval) {
		return
	}
	call := &fetchCall{done: make(chan struct{})}
	c.inflight, c.lastTry = call, now
	go c.fetch(context.Background(), call)
}

func (c *keyCache) lookup(kid []byte) *rsa.PublicKey {
	if m := c.keys.Load(); m != nil {
		return (*m)[string(kid)]
	}
	return nil
}

func (c *keyCache) getSlow(ctx context.Context, kid []byte) (*rsa.PublicKey, error) {
	c.mu.Lock()
	// A fetch may have completed while this caller waited for the lock.
	if k := c.lookup(kid); k != nil {
		c.mu.Unlock()
		return k, nil
	}
	call := c.inflight
	if call == nil {
		now := c.now()
		cached := c.keys.Load() != nil
		if !c.mayFetch(now, cached) {
			lastErr := c.lastErr
			c.mu.Unlock()
			if !cached {
				return nil, unavailable(lastErr)
			}
			return nil, errUnknownKey
		}
		call = &fetchCall{done: make(chan struct{})}
		c.inflight = call
		c.lastTry = now
		if cached {
			c.lastRefetch = now
		}
		// The fetch runs on its own so that a caller whose context ends
		// stops waiting without failing the fetch for everyone else.
		go c.fetch(context.WithoutCancel(ctx), call)
	}
	c.mu.Unlock()

	select {
	case <-call.done:
	case <-ctx.Done():
		return nil, unavailable(ctx.Err())
	}
	if k := c.lookup(kid); k != nil {
		return k, nil
	}
	if call.err != nil {
		// The refetch this token needed failed, so whether kid exists is
		// unknown: an outage, not a verdict on the token.
		return nil, unavailable(call.err)
	}
	return nil, errUnknownKey
}

// load fetches the key set unless one is cached, joining a fetch already in flight, and
// waits for it until ctx ends; the fetch itself runs on regardless, so a request that
// comes meanwhile waits for it rather than starting another. A failed load counts for no
// pacing: it leaves the first request to fetch as if nothing had been tried.
func (c *keyCache) load(ctx context.Context) error {
	c.mu.Lock()
	if c.keys.Load() != nil {
		c.mu.Unlock()
		return nil
	}
	call := c.inflight
	if call == nil {
		call = &fetchCall{done: make(chan struct{})}
		c.inflight = call
		go c.fetch(context.WithoutCancel(ctx), call)
	}
	c.mu.Unlock()
	select {
	case <-call.done:
		if call.err != nil {
			return unavailable(call.err)
		}
		return nil
	case <-ctx.Done():
		return unavailable(ctx.Err())
	}
}

// mayFetch paces fetches; c.mu must be held. Refetches for unknown key ids
// are spaced by the interval, counted from the previous refetch rather than
// from the first load, so the first unknown kid after a cold start is looked
// up at once. While nothing is cached, attempts are spaced by emptyRetryGap.
func (c *keyCache) mayFetch(now time.Time, cached bool) bool {
	if !cached {
		return c.lastTry.IsZero() || now.Sub(c.lastTry) >= min(c.interval, emptyRetryGap)
	}
	return c.lastRefetch.IsZero() || now.Sub(c.lastRefetch) >= c.interval
}

func unavailable(cause error) error {
	if cause == nil {
		return ErrKeysUnavailable
	}
	return fmt.Errorf("%w: %w", ErrKeysUnavailable, cause)
}

func (c *keyCache) fetch(ctx context.Context, call *fetchCall) {
	keys, err := c.download(ctx)
	c.mu.Lock()
	if err == nil {
		c.keys.Store(&keys)
		c.fetchedAt.Store(c.now().UnixNano())
	}
	c.lastErr = err
	c.inflight = nil
	call.err = err
	c.mu.Unlock()
	close(call.done)
}

func (c *keyCache) download(ctx context.Context) (map[string]*rsa.PublicKey, error) {
	ctx, cancel := context.WithTimeout(ctx, fetchDeadline)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return nil, fmt.Errorf("jwks: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("jwks: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("jwks: unexpected status %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSSize+1))
	if err != nil {
		return nil, fmt.Errorf("jwks: read: %w", err)
	}
	if len(body) > maxJWKSSize {
		return nil, errors.New("jwks: response larger than 1 MiB")
	}
	return parseJWKS(body)
}

// parseJWKS returns the usable keys of a JWKS document. A document without
// any is an error, so that a broken response never replaces working keys.
func parseJWKS(body []byte) (keys map[string]*rsa.PublicKey, err error) {
	defer func() {
		// The document comes from the network; a parser bug must cost a
		// failed fetch, not the process.
		if r := recover(); r != nil {
			keys, err = nil, errors.New("jwks: unparseable document")
		}
	}()
	// Entries jwx cannot parse are skipped: a key type added to the set
	// later must not hide the keys that work.
	set, err := jwk.Parse(body, jwk.WithIgnoreParseError(true))
	if err != nil {
		return nil, fmt.Errorf("jwks: %w", err)
	}
	keys = make(map[string]*rsa.PublicKey, set.Len())
	for i := range set.Len() {
		k, ok := set.Key(i)
		if !ok {
			continue
		}
		kid, pub := usableKey(k)
		if pub == nil {
			continue
		}
		if _, dup := keys[kid]; dup {
			return nil, errors.New("jwks: duplicate key id")
		}
		keys[kid] = pub
	}
	if len(keys) == 0 {
		return nil, errors.New("jwks: no usable RS256 signing key")
	}
	return keys, nil
}

// usableKey returns the key id and RSA public key of k if k may verify
// RS256 signatures: an RSA key with a kid, alg RS256, use "sig" or no use,
// "verify" among its key_ops if it lists any, and a modulus of 2048 bits or
// more. The algorithm must be stated by the key itself, since it is what the
// token's header is checked against.
func usableKey(k jwk.Key) (string, *rsa.PublicKey) {
	if k.KeyType() != jwa.RSA() {
		return "", nil
	}
	kid, ok := k.KeyID()
	if !ok || kid == "" {
		return "", nil
	}
	if alg, ok := k.Algorithm(); !ok || alg.String() != jwa.RS256().String() {
		return "", nil
	}
	if use, ok := k.KeyUsage(); ok && use != string(jwk.ForSignature) {
		return "", nil
	}
	if ops, ok := k.KeyOps(); ok && !slices.Contains(ops, jwk.KeyOpVerify) {
		return "", nil
	}
	pk, err := k.PublicKey()
	if err != nil {
		return "", nil
	}
	var pub rsa.PublicKey
	if err := jwk.Export(pk, &pub); err != nil || pub.N == nil || pub.N.BitLen() < minRSABits {
		return "", nil
	}
	return kid, &pub
}
