// Package allowlist holds the site's allow-listed origins and answers the two questions asked
// of them: where monban may send a browser (after sign-in, redirect_to; after sign-out,
// logout_uri; the error page), everything else being an open redirect; and which page origins
// CORS and the CSRF checks let through (Policy.AllowsOrigin).
package allowlist

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// MaxLength bounds a target; longer values are refused before parsing.
const MaxLength = 2048

// ErrNotAllowed is wrapped by every refusal.
var ErrNotAllowed = errors.New("redirect target not allowed")

// Policy holds the allow-listed origins and the site that relative paths belong to.
type Policy struct {
	site    *url.URL
	allowed map[string]bool
}

// NewPolicy builds a Policy. site is the static site's origin (relative targets resolve
// against it, not against the API's host); origins are the absolute origins a target may
// point at, compared exactly. site is always allowed.
func NewPolicy(site string, origins []string) (*Policy, error) {
	s, err := ParseOrigin(site)
	if err != nil {
		return nil, fmt.Errorf("site: %w", err)
	}
	p := &Policy{site: s, allowed: map[string]bool{origin(s): true}}
	for _, o := range origins {
		u, err := ParseOrigin(o)
		if err != nil {
			return nil, err
		}
		p.allowed[origin(u)] = true
	}
	return p, nil
}

// ParseOrigin parses "scheme://host[:port]" with nothing after it (a trailing "/" is
// tolerated) and returns it as a URL.
func ParseOrigin(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSuffix(s, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
		u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return nil, fmt.Errorf("%q is not an origin (scheme://host[:port])", s)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	return u, nil
}

func origin(u *url.URL) string { return u.Scheme + "://" + strings.ToLower(u.Host) }

// Site returns the site's origin.
func (p *Policy) Site() string { return origin(p.site) }

// AllowsOrigin reports whether o (an Origin header value) is allow-listed.
func (p *Policy) AllowsOrigin(o string) bool { return p.allowed[strings.ToLower(o)] }

// Resolve checks target and returns the absolute URL to send the browser to. An empty target
// is the site's root. Relative targets must be a path with exactly one leading "/" (not "//"
// nor "/\", which browsers read as another host); absolute ones must be http(s) URLs whose
// origin is allow-listed exactly. Control characters and backslashes are refused anywhere.
func (p *Policy) Resolve(target string) (string, error) {
	if target == "" {
		return p.Site() + "/", nil
	}
	if len(target) > MaxLength {
		return "", fmt.Errorf("%w: too long", ErrNotAllowed)
	}
	for i := 0; i < len(target); i++ {
		if c := target[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return "", fmt.Errorf("%w: control character or backslash", ErrNotAllowed)
		}
	}
	if target[0] == '/' {
		if len(target) > 1 && target[1] == '/' {
			return "", fmt.Errorf("%w: scheme-relative URL", ErrNotAllowed)
		}
		u, err := url.Parse(target)
		if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
			return "", fmt.Errorf("%w: malformed path", ErrNotAllowed)
		}
		return p.Site() + u.String(), nil
	}
	u, err := url.Parse(target)
	if err != nil {
		return "", fmt.Errorf("%w: malformed URL", ErrNotAllowed)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.Opaque != "" {
		return "", fmt.Errorf("%w: not an http(s) URL", ErrNotAllowed)
	}
	if !p.allowed[origin(u)] {
		return "", fmt.Errorf("%w: origin not allow-listed", ErrNotAllowed)
	}
	return u.String(), nil
}
