package auth

import (
	"testing"
	"time"
)

// The cache forgets an entry when its token expires, and starts over
// when full.
func TestProfileCache(t *testing.T) {
	now := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	c := newProfileCache(2)
	c.put("token-a", User{Sub: "a"}, now.Add(time.Minute))
	c.put("token-b", User{Sub: "b"}, now.Add(time.Minute))
	if u, ok := c.get("token-a", now); !ok || u.Sub != "a" {
		t.Fatalf("get a = %+v %v", u, ok)
	}
	if _, ok := c.get("token-a", now.Add(time.Minute)); ok {
		t.Fatal("an entry outlived its token")
	}
	if _, ok := c.get("token-a", now); ok {
		t.Fatal("an expired entry was kept")
	}
	c.put("token-a", User{Sub: "a"}, now.Add(time.Minute))
	c.put("token-c", User{Sub: "c"}, now.Add(time.Minute))
	if _, ok := c.get("token-b", now); ok || len(c.entries) != 1 {
		t.Fatalf("a full cache must start over: %d entries", len(c.entries))
	}
	if u, ok := c.get("token-c", now); !ok || u.Sub != "c" {
		t.Fatalf("get c = %+v %v", u, ok)
	}
}
