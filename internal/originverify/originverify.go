// Package originverify checks the secret header the site's CloudFront distribution adds to
// every request it forwards to the API. API Gateway's execute-api URL stays reachable from
// the internet; without this check a request sent there directly, bypassing CloudFront (and
// the response headers, WAF and same-site shape it brings), would be served like any other.
package originverify

import (
	"crypto/subtle"
	"errors"
	"strings"
	"sync/atomic"
)

// Header is the origin custom header CloudFront sets (template.yaml, OriginCustomHeaders).
// CloudFront overwrites a viewer's header of the same name, so a browser cannot supply it.
const Header = "X-Monban-Origin-Verify"

// Check accepts a request whose Header carries one of its secrets. A nil Check, or one
// made with no secrets, accepts every request: the local stack without its front, and
// deployments without CloudFront. It is safe for concurrent use, Set included.
type Check struct {
	secrets atomic.Pointer[[][]byte]
}

// New returns a Check for secrets, newest first (more than one while the value is rotated).
func New(secrets [][]byte) *Check {
	c := &Check{}
	c.secrets.Store(&secrets)
	return c
}

// Set replaces the secrets (a rotated value read again); an empty list is refused, so a
// Check that checks never stops checking.
func (c *Check) Set(secrets [][]byte) error {
	if len(secrets) == 0 {
		return errors.New("originverify: no secrets")
	}
	c.secrets.Store(&secrets)
	return nil
}

func (c *Check) list() [][]byte {
	if c == nil {
		return nil
	}
	if p := c.secrets.Load(); p != nil {
		return *p
	}
	return nil
}

// Enabled reports whether requests are checked at all.
func (c *Check) Enabled() bool { return len(c.list()) > 0 }

// maxParts bounds the comma-separated values one header may carry (a rotation has two).
const maxParts = 4

// Allows reports whether the header values of one request pass: exactly one header, one of
// whose comma-separated parts equals one of the secrets. CloudFront sends the secret's whole
// value, so while it holds "NEW,OLD" the header does too, and containers that still know
// only OLD (or already only NEW) accept it: that is what lets the value rotate without a
// refused request. Comparisons take the same time whichever part or secret matches.
func (c *Check) Allows(values []string) bool {
	secrets := c.list()
	if len(secrets) == 0 {
		return true
	}
	if len(values) != 1 {
		return false
	}
	parts := strings.Split(values[0], ",")
	if len(parts) > maxParts {
		return false
	}
	ok := 0
	for _, p := range parts {
		p = strings.TrimSpace(p)
		for _, s := range secrets {
			ok |= subtle.ConstantTimeCompare([]byte(p), s)
		}
	}
	return ok == 1
}
