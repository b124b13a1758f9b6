// Package tokencache remembers access tokens that have already been verified,
// so that a warm process answering the same caller again does not repeat the
// RSA signature check and claim decoding.
//
// The cache holds at most a fixed number of entries and evicts the least
// recently used. Entries are keyed by the token itself: hashing a token of a
// kilobyte or more cost several times the rest of a hit, and a token held here
// is one the process has just been sent, kept no longer than until its exp (the
// same process holds the session secret, which is worth far more). An entry is
// never served at or after the token's exp: from then on the token goes back to
// the verifier, which rejects it. Only successful verifications are cached; a
// rejected token is checked again every time.
//
// Memory grows with the entries held, never ahead of them: an empty cache
// costs a few hundred bytes whatever its capacity.
package tokencache

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/monban-auth/monban/internal/token"
)

// Verifier is what the cache sits in front of; *token.Verifier is one.
type Verifier interface {
	VerifyAccess(ctx context.Context, raw string) (*token.Claims, error)
}

// DefaultCapacity is a size that covers a warm Lambda container's callers
// many times over while costing under 2 MiB when full.
const DefaultCapacity = 1024

// MaxCapacity is the largest capacity New accepts. An entry costs about
// 1.6 KiB with a typical Cognito access token (the copied token, about 1 KiB,
// its decoded claims, its slot and its share of the index;
// BenchmarkTokenCacheMemory measures it), so a full cache of this size holds
// about 50 MiB: a fifth of the authorizer's 256 MB, which leaves the garbage
// collector its default room (the heap may grow to twice the live data before
// a collection) and the rest of the process its own. Tokens with many groups
// or custom claims cost more per entry; a function with less memory wants a
// smaller cache.
const MaxCapacity = 1 << 15

// node is one cache entry, linked into the recency list by slot index so
// that entries are stored in one slice, which grows as entries are added.
type node struct {
	key        string
	claims     *token.Claims
	exp        time.Time
	prev, next int32
}

// Cache is a bounded cache of verified access tokens in front of a Verifier.
// It is safe for concurrent use.
type Cache struct {
	inner    Verifier
	now      func() time.Time
	capacity int

	mu    sync.Mutex
	index map[string]int32
	nodes []node // grows up to capacity, then slots are reused
	head  int32  // most recently used, -1 when empty
	tail  int32  // least recently used, -1 when empty
}

// New returns a cache of at most capacity tokens in front of inner. now is the
// clock expiry is judged by (nil means time.Now); it should be the verifier's.
func New(inner Verifier, capacity int, now func() time.Time) (*Cache, error) {
	if inner == nil {
		return nil, errors.New("tokencache: nil verifier")
	}
	if capacity <= 0 || capacity > MaxCapacity {
		return nil, fmt.Errorf("tokencache: capacity must be between 1 and %d", MaxCapacity)
	}
	if now == nil {
		now = time.Now
	}
	// Nothing is sized by capacity: the index and the slots grow with use.
	return &Cache{inner: inner, now: now, capacity: capacity, index: map[string]int32{}, head: -1, tail: -1}, nil
}

// VerifyAccess returns the claims of raw from the cache while the token is
// unexpired, and otherwise asks the verifier and caches a success. The
// returned Claims, including its slices and maps, is shared by every caller
// presenting the same token and must not be modified.
func (c *Cache) VerifyAccess(ctx context.Context, raw string) (*token.Claims, error) {
	now := c.now()
	if claims, ok := c.get(raw, now); ok {
		return claims, nil
	}
	// Verified outside the lock: a JWKS fetch may take seconds, and other
	// tokens must not wait for it.
	claims, err := c.inner.VerifyAccess(ctx, raw)
	if err != nil {
		return nil, err
	}
	c.put(raw, claims, now)
	return claims, nil
}

// Len reports the number of entries held, expired ones included.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.index)
}

func (c *Cache) get(raw string, now time.Time) (*token.Claims, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i, ok := c.index[raw]
	if !ok {
		return nil, false
	}
	n := &c.nodes[i]
	if !now.Before(n.exp) {
		// Expired: drop it so the verifier gives the verdict.
		c.unlink(i)
		delete(c.index, raw)
		c.moveToBack(i)
		n.key, n.claims = "", nil
		return nil, false
	}
	c.moveToFront(i)
	return n.claims, true
}

func (c *Cache) put(raw string, claims *token.Claims, now time.Time) {
	if !now.Before(claims.ExpiresAt) {
		// Accepted within the verifier's clock skew but already past exp:
		// nothing to remember.
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if i, ok := c.index[raw]; ok {
		// Another caller verified the same token meanwhile.
		c.moveToFront(i)
		return
	}
	var i int32
	switch {
	case c.tail >= 0 && c.nodes[c.tail].claims == nil:
		// A slot freed by an expired entry waits at the back.
		i = c.tail
		c.unlink(i)
	case len(c.nodes) < c.capacity:
		i = int32(len(c.nodes))
		c.nodes = append(c.nodes, node{})
	default:
		i = c.tail
		c.unlink(i)
		delete(c.index, c.nodes[i].key)
	}
	// The key is copied: raw may share memory with a whole request event,
	// which the cache must not keep alive. pushFront sets the links.
	key := strings.Clone(raw)
	c.nodes[i] = node{key: key, claims: claims, exp: claims.ExpiresAt}
	c.index[key] = i
	c.pushFront(i)
}

// The recency list: head is the most recently used slot. Freed slots (claims
// nil) are kept at the tail end so put reuses them before evicting anything.

// unlink takes slot i out of the list. Its own links are left as they were: every
// caller links it in again (pushFront, moveToBack) or overwrites it at once.
func (c *Cache) unlink(i int32) {
	n := &c.nodes[i]
	if n.prev >= 0 {
		c.nodes[n.prev].next = n.next
	} else {
		c.head = n.next
	}
	if n.next >= 0 {
		c.nodes[n.next].prev = n.prev
	} else {
		c.tail = n.prev
	}
}

func (c *Cache) pushFront(i int32) {
	n := &c.nodes[i]
	n.prev, n.next = -1, c.head
	if c.head >= 0 {
		c.nodes[c.head].prev = i
	}
	c.head = i
	if c.tail < 0 {
		c.tail = i
	}
}

func (c *Cache) moveToFront(i int32) {
	if c.head == i {
		return
	}
	c.unlink(i)
	c.pushFront(i)
}

// moveToBack appends an unlinked slot at the tail.
func (c *Cache) moveToBack(i int32) {
	n := &c.nodes[i]
	n.next, n.prev = -1, c.tail
	if c.tail >= 0 {
		c.nodes[c.tail].next = i
	}
	c.tail = i
	if c.head < 0 {
		c.head = i
	}
}
