package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// The session cookie's budget. Every request to /auth carries the session cookie, the
// refresh cookie (about 2,700 bytes sealed) and the browser's and CloudFront's own headers,
// and API Gateway's HTTP API takes at most 10,240 bytes of request line and header values
// ("Quotas for configuring and running an HTTP API in API Gateway": not adjustable; the
// CloudFront limit in front, 20,480 bytes for a whole request, is looser, and so are the
// cookie package's 8 × 4,000 bytes and the sealer's 16 KiB). Sealing adds a third and about
// 160 bytes, so a session of maxSessionBytes of JSON is a cookie of about 6,300 bytes: what
// still fits beside the refresh cookie and a browser's usual headers. A bigger session would
// be a cookie API Gateway refuses on every request, so it is never written.
//
// Within it, the session lists at most maxSessionGroups groups in maxSessionGroupBytes (the
// access token inside still carries them all, and the authorizer reads them from there),
// and at most maxSessionAttributes attributes in maxSessionAttributeBytes (session.go).
const (
	maxSessionBytes      = 4608
	maxSessionGroups     = 32
	maxSessionGroupBytes = 1024
)

// errSessionTooLarge is the cause of a sign-in or refresh refused because the access token
// alone leaves no room in the session cookie.
var errSessionTooLarge = errors.New("session too large for its cookie")

// jsonLen is the length of s as seal.Sealer writes it (encoding/json, HTML-escaped),
// without the quotes: "<" counts 6 bytes, not 1.
func jsonLen(s string) int {
	b, _ := json.Marshal(s) // a string always marshals
	return len(b) - 2
}

// sessionGroups picks the groups a session lists: distinct names in byte order (stable
// whatever order Cognito gives them), as many as fit in maxSessionGroups and budget bytes of
// JSON. truncated reports whether any group was left out.
func sessionGroups(all []string, budget int) (groups []string, truncated bool) {
	names := slices.Clone(all)
	slices.Sort(names)
	names = slices.Compact(names)
	groups = make([]string, 0, min(len(names), maxSessionGroups))
	for _, g := range names {
		n := jsonLen(g) + 3 // quotes and a comma
		if len(groups) == maxSessionGroups || n > budget {
			break
		}
		groups = append(groups, g)
		budget -= n
	}
	return groups, len(groups) < len(names)
}

// fitSession gives s the groups that fit its cookie: those within the group budget, fewer
// when the access token and the rest of the user leave less room. When the access token
// alone leaves none, the sign-in or refresh is refused: a session cookie API Gateway would
// refuse on every request locks the user out, where this tells them why.
func fitSession(s *Session, all []string) error {
	s.User.Groups, s.User.GroupsTruncated = []string{}, true
	b, err := json.Marshal(s)
	if err != nil {
		return Fail(CodeInternal, "internal error", fmt.Errorf("session: %w", err))
	}
	room := maxSessionBytes - len(b) // the truncation flag is counted in already
	if room < 0 {
		return Fail(CodeInvalidToken, "This account's tokens are too large for a browser session (too many groups or claims); ask an administrator.",
			fmt.Errorf("%w: %d bytes of JSON, more than %d", errSessionTooLarge, len(b), maxSessionBytes))
	}
	s.User.Groups, s.User.GroupsTruncated = sessionGroups(all, min(room, maxSessionGroupBytes))
	return nil
}
