// Package tokencache remembers access tokens that have already been verified,
// so that a warm process answering the same caller again does not repeat the
// RSA signature check and claim decoding.
//
// The cache holds a fixed number of entries and evicts the least recently
// used. Entries are keyed by the SHA-256 of the token, so the cache never
// keeps a usable token, and an entry is never served at or after the token's
// exp: from then on the token goes back to the verifier, which rejects it.
// Only successful verifications are cached; a rejected token is checked again
// every time.
package tokencache

import (
	"context"
	"crypto/sha256"
	"errors"
	"sync"
	"time"

	"github.com/monban-auth/monban/internal/token"
)

// Verifier is what the cache sits in front of; *token.Verifier is one.
type Verifier interface {
	VerifyAccess(ctx context.Context, raw string) (*token.Claims, error)
}

// DefaultCapacity is a size that covers a warm Lambda container's callers
// many times over while costing well under a megabyte.
const DefaultCapacity = 1024

type key [sha256.Size]byte

// node is one cache entry, linked into the recency list by slot index so
// that entries are stored in one preallocated slice.
type node struct {
	key        key
	claims     *token.Claims
	exp        time.Time
	prev, next int32
}

// Cache is a bounded cache of verified access tokens in front of a Verifier.
// It is safe for concurrent use.
type Cache struct {
	inner Verifier
	now   func() time.Time

	mu    sync.Mutex
	index map[key]int32
	nodes []node // len grows to cap, then slots are reused
	head  int32  // most recently used, -1 when empty
	tail  int32  // least recently used, -1 when empty
}

// New returns a cache of at most capacity tokens in front of inner. now is the
// clock expiry is judged by (nil means time.Now); it should be the verifier's.
func New(inner Verifier, capacity int, now func() time.Time) (*Cache, error) {
	if inner == nil {
		return nil, errors.New("tokencache: nil verifier")
	}
	if capacity <= 0 || capacity > 1<<20 {
		return nil, errors.New("tokencache: capacity must be between 1 and 1048576")
	}
	if now == nil {
		now = time.Now
	}
	return &Cache{
		inner: inner,
		now:   now,
		index: make(map[key]int32, capacity),
		nodes: make([]node, 0, capacity),
		head:  -1,
		tail:  -1,
	}, nil
}

// VerifyAccess returns the claims of raw from the cache while the token is
// unexpired, and otherwise asks the verifier and caches a success. The
// returned Claims, including its slices and maps, is shared by every caller
// presenting the same token and must not be modified.
func (c *Cache) VerifyAccess(ctx context.Context, raw string) (*token.Claims, error) {
	k := hashToken(raw)
	now := c.now()
	if claims, ok := c.get(k, now); ok {
		return claims, nil
	}
	// Verified outside the lock: a JWKS fetch may take seconds, and other
	// tokens must not wait for it.
	claims, err := c.inner.VerifyAccess(ctx, raw)
	if err != nil {
		return nil, err
	}
	c.put(k, claims, now)
	return claims, nil
}

// hashToken is SHA-256 of raw, fed through a stack buffer: converting a
// token of a kilobyte or more to []byte would allocate on every lookup.
func hashToken(raw string) key {
	h := sha256.New()
	var buf [512]byte
	for len(raw) > 0 {
		n := copy(buf[:], raw)
		h.Write(buf[:n])
		raw = raw[n:]
	}
	var k key
	h.Sum(k[:0])
	return k
}

// Len reports the number of entries held, expired ones included.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.index)
}

func (c *Cache) get(k key, now time.Time) (*token.Claims, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i, ok := c.index[k]
	if !ok {
		return nil, false
	}
	n := &c.nodes[i]
	if !now.Before(n.exp) {
		// Expired: drop it so the verifier gives the verdict.
		c.unlink(i)
		delete(c.index, k)
		c.moveToBack(i)
		n.claims = nil
		return nil, false
	}
	c.moveToFront(i)
	return n.claims, true
}

func (c *Cache) put(k key, claims *token.Claims, now time.Time) {
	if !now.Before(claims.ExpiresAt) {
		// Accepted within the verifier's clock skew but already past exp:
		// nothing to remember.
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if i, ok := c.index[k]; ok {
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
	case len(c.nodes) < cap(c.nodes):
		i = int32(len(c.nodes))
		c.nodes = append(c.nodes, node{})
	default:
		i = c.tail
		c.unlink(i)
		delete(c.index, c.nodes[i].key)
	}
	// pushFront sets the links.
	c.nodes[i] = node{key: k, claims: claims, exp: claims.ExpiresAt}
	c.index[k] = i
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
