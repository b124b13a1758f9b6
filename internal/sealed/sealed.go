// Package sealed is the one home of what monban keeps in cookies: the payloads it seals (the
// session, the refresh token, the hosted-UI flow state, a pending challenge) and, for each
// kind, the cookie that carries it, the seal purpose that keys it and its lifetime. Package
// seal does the sealing and package cookie the writing; the API (httpapi) and the library for
// other APIs (monbanauth) both read their cookie facts from here, so they cannot drift apart.
package sealed

import (
	"time"

	"github.com/monban-auth/monban/internal/cookie"
	"github.com/monban-auth/monban/internal/seal"
)

// User is what a session knows about its user: a small subset of the ID token's claims.
// Groups are within the session's budget; GroupsTruncated says that the user is in more
// groups than it lists, all of which the access token carries.
type User struct {
	Sub             string     `json:"sub"`
	Username        string     `json:"username"`
	Email           string     `json:"email,omitempty"`
	EmailVerified   bool       `json:"email_verified"`
	Groups          []string   `json:"groups"`
	GroupsTruncated bool       `json:"groups_truncated,omitempty"`
	Attributes      Attributes `json:"attributes"`
}

// Session is the sealed content of the session cookie: the access token (for calling other
// APIs and Cognito's user APIs), its expiry, and the user. Not the raw ID token.
type Session struct {
	AccessToken string    `json:"at"`
	ExpiresAt   time.Time `json:"exp"`
	User        User      `json:"u"`
}

// SessionToken is the part of Session that an API behind monban reads (monbanauth): the
// access token alone, because the identity comes from the verified token, not from what the
// cookie says. Decoding only this field keeps that hot path cheap.
type SessionToken struct {
	AccessToken string `json:"at"`
}

// Refresh is the sealed content of the refresh cookie. Username and Sub are kept for
// SECRET_HASH on REFRESH_TOKEN_AUTH and to bind the token to its session's user.
type Refresh struct {
	Token    string `json:"rt"`
	Username string `json:"un"`
	Sub      string `json:"sub"`
}

// Flow is the sealed content of the flow cookie between sign-in and callback.
type Flow struct {
	State      string `json:"s"`
	Nonce      string `json:"n"`
	Verifier   string `json:"v"`
	RedirectTo string `json:"r"`
}

// Challenge is the sealed content of the challenge cookie: Cognito's Session never reaches
// the browser in readable form.
type Challenge struct {
	Name     string `json:"c"`
	Session  string `json:"s"`
	Username string `json:"u"` // the name USERNAME and SECRET_HASH use in the answer
	// Label is the name the user signed in with (Username may be the pool's own, a UUID):
	// what an authenticator app set up during the sign-in shows.
	Label string `json:"l,omitempty"`
}

// Kind pairs a sealed payload with its cookie, its seal purpose and, when fixed, its
// lifetime (zero: the lifetime comes from elsewhere, the access token's expiry or the app
// client's refresh-token validity).
type Kind struct {
	Cookie   cookie.Spec
	Purpose  seal.Purpose
	Lifetime time.Duration
}

// The kinds monban seals. All cookies are host-only (__Host-, so Path=/): a sibling subdomain
// can plant none of them, so it can neither bind the victim's sign-in to an attacker's
// account (flow, challenge) nor make monban use a session or refresh token it did not issue to
// this browser. With a cookie Domain nothing can be host-only; the refresh cookie then keeps
// Path=/auth, off every other request, and cookie.Codec.Pick stops what a planted copy beside
// the real one could do.
var (
	SessionKind   = Kind{Cookie: cookie.Spec{Name: "monban-session", Path: "/"}, Purpose: seal.PurposeSession}
	RefreshKind   = Kind{Cookie: cookie.Spec{Name: "monban-refresh", Path: "/", DomainPath: "/auth"}, Purpose: seal.PurposeRefresh}
	FlowKind      = Kind{Cookie: cookie.Spec{Name: "monban-flow", Path: "/"}, Purpose: seal.PurposeFlow, Lifetime: 10 * time.Minute}
	ChallengeKind = Kind{Cookie: cookie.Spec{Name: "monban-challenge", Path: "/"}, Purpose: seal.PurposeChallenge, Lifetime: 3 * time.Minute}

	// LegacyRefreshKind is the refresh cookie of earlier releases, __Secure-monban-refresh on
	// Path=/auth: any sibling subdomain can set that name. It is read only to migrate a
	// signed-in user's own, and deleted whenever it is sent.
	LegacyRefreshKind = Kind{Cookie: cookie.Spec{Name: "monban-refresh", Path: "/auth"}, Purpose: seal.PurposeRefresh}
)
