// Package originverify checks the secret header the site's CloudFront distribution adds to
// every request it forwards to the API. API Gateway's execute-api URL stays reachable from
// the internet; without this check a request sent there directly, bypassing CloudFront (and
// the response headers, WAF and same-site shape it brings), would be served like any other.
package originverify

import (
	"crypto/subtle"
	"strings"
)

// Header is the origin custom header CloudFront sets (template.yaml, OriginCustomHeaders).
// CloudFront overwrites a viewer's header of the same name, so a browser cannot supply it.
const Header = "X-Monban-Origin-Verify"

// Check accepts a request whose Header carries one of its secrets. The zero Check (no
// secrets configured) accepts every request: the local stack and deployments without
// CloudFront.
type Check struct {
	secrets [][]byte
}

// New returns a Check for secrets, newest first (more than one while the value is rotated).
func New(secrets [][]byte) Check { return Check{secrets: secrets} }

// Enabled reports whether requests are checked at all.
func (c Check) Enabled() bool { return len(c.secrets) > 0 }

// maxParts bounds the comma-separated values one header may carry (a rotation has two).
const maxParts = 4

// Allows reports whether the header values of one request pass: exactly one header, one of
// whose comma-separated parts equals one of the secrets. CloudFront sends the secret's whole
// value, so while it holds "NEW,OLD" the header does too, and containers that still know
// only OLD (or already only NEW) accept it: that is what lets the value rotate without a
// refused request. Comparisons take the same time whichever part or secret matches.
func (c Check) Allows(values []string) bool {
	if len(c.secrets) == 0 {
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
		for _, s := range c.secrets {
			ok |= subtle.ConstantTimeCompare([]byte(p), s)
		}
	}
	return ok == 1
}
