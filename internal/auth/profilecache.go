package auth

import (
	"crypto/sha256"
	"sync"
	"time"
)

// profileCacheSize bounds the bearer users remembered by one process: a warm container's
// callers many times over, for well under a megabyte.
const profileCacheSize = 1024

// profileCache remembers the user a bearer token stands for until the token expires. It is
// keyed by the token's SHA-256, so it never holds a usable token. When full it starts over:
// simpler than an LRU and, at this size, rare.
type profileCache struct {
	mu      sync.Mutex
	max     int
	entries map[[sha256.Size]byte]profileEntry
}

type profileEntry struct {
	user User
	exp  time.Time
}

func newProfileCache(max int) *profileCache {
	return &profileCache{max: max, entries: make(map[[sha256.Size]byte]profileEntry)}
}

func (c *profileCache) get(token string, now time.Time) (User, bool) {
	k := sha256.Sum256([]byte(token))
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok || !now.Before(e.exp) {
		delete(c.entries, k)
		return User{}, false
	}
	return e.user, true
}

func (c *profileCache) put(token string, u User, exp time.Time) {
	k := sha256.Sum256([]byte(token))
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		clear(c.entries)
	}
	c.entries[k] = profileEntry{user: u, exp: exp}
}

// forget drops what is remembered for token: the user changed their profile, or deleted
// their account, with it.
func (c *profileCache) forget(token string) {
	k := sha256.Sum256([]byte(token))
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, k)
}
