package auth_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/auth/userpooltest"
	"github.com/monban-auth/monban/internal/tokentest"
)

// loader is Current's refresh callback, counting its calls: a fresh session must never open
// the refresh cookie.
type loader struct {
	ref   *auth.Refresh
	calls int
}

func (l *loader) load() *auth.Refresh {
	l.calls++
	return l.ref
}

// The users of the session tests.
const alice, bob = "alice@example.com", "bob@example.com"

func TestCurrent(t *testing.T) {
	cases := []struct {
		name string
		// session is the session cookie's content (nil: none), ref the refresh cookie's.
		prepare func(h *harness, a, b *auth.Grant) (session *auth.Session, ref *auth.Refresh)
		// advance moves the clock before the call.
		advance time.Duration
		fail    error // the pool's refresh fails with it
		want    auth.Code
		// opened: whether the refresh cookie was read; refreshed: whether a grant came back.
		opened, refreshed bool
		// kept: the session cookie's session is the answer.
		kept bool
	}{
		{name: "a fresh session answers without the refresh cookie",
			prepare: func(h *harness, a, _ *auth.Grant) (*auth.Session, *auth.Refresh) { return &a.Session, a.Refresh },
			kept:    true},
		{name: "a session inside the refresh window is refreshed",
			prepare: func(h *harness, a, _ *auth.Grant) (*auth.Session, *auth.Refresh) { return &a.Session, a.Refresh },
			advance: 56 * time.Minute, opened: true, refreshed: true},
		{name: "no session cookie, a refresh cookie: refreshed",
			prepare: func(h *harness, a, _ *auth.Grant) (*auth.Session, *auth.Refresh) { return nil, a.Refresh },
			opened:  true, refreshed: true},
		{name: "no cookies at all",
			prepare: func(h *harness, _, _ *auth.Grant) (*auth.Session, *auth.Refresh) { return nil, nil },
			opened:  true, want: auth.CodeUnauthenticated},
		{name: "a session due with no refresh cookie is kept while valid",
			prepare: func(h *harness, a, _ *auth.Grant) (*auth.Session, *auth.Refresh) { return &a.Session, nil },
			advance: 58 * time.Minute, opened: true, kept: true},
		{name: "an expired session with no refresh cookie",
			prepare: func(h *harness, a, _ *auth.Grant) (*auth.Session, *auth.Refresh) { return &a.Session, nil },
			advance: 61 * time.Minute, opened: true, want: auth.CodeUnauthenticated},
		{name: "another user's refresh cookie never swaps the user",
			prepare: func(h *harness, a, b *auth.Grant) (*auth.Session, *auth.Refresh) { return &a.Session, b.Refresh },
			advance: 58 * time.Minute, opened: true, kept: true},
		{name: "another user's refresh cookie beside an expired session",
			prepare: func(h *harness, a, b *auth.Grant) (*auth.Session, *auth.Refresh) { return &a.Session, b.Refresh },
			advance: 61 * time.Minute, opened: true, want: auth.CodeUnauthenticated},
		{name: "Cognito down keeps a session still valid",
			prepare: func(h *harness, a, _ *auth.Grant) (*auth.Session, *auth.Refresh) { return &a.Session, a.Refresh },
			advance: 58 * time.Minute, fail: poolErr(auth.ReasonUnavailable, ""), opened: true, kept: true},
		{name: "Cognito down with the session expired",
			prepare: func(h *harness, a, _ *auth.Grant) (*auth.Session, *auth.Refresh) { return &a.Session, a.Refresh },
			advance: 61 * time.Minute, fail: poolErr(auth.ReasonUnavailable, ""), opened: true, want: auth.CodeUpstreamUnavailable},
		{name: "Cognito down and no session cookie",
			prepare: func(h *harness, a, _ *auth.Grant) (*auth.Session, *auth.Refresh) { return nil, a.Refresh },
			fail:    poolErr(auth.ReasonUnavailable, ""), opened: true, want: auth.CodeUpstreamUnavailable},
		{name: "a revoked refresh token signs out a session still valid",
			prepare: func(h *harness, a, _ *auth.Grant) (*auth.Session, *auth.Refresh) {
				if err := h.pool.RevokeToken(h.ctx, a.Refresh.Token); err != nil {
					h.t.Fatal(err)
				}
				return &a.Session, a.Refresh
			},
			advance: 58 * time.Minute, opened: true, want: auth.CodeUnauthenticated},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			h.user(alice, nil)
			h.user(bob, nil)
			a, b := h.signIn(alice), h.signIn(bob)
			sess, ref := c.prepare(h, a, b)
			h.clock.Advance(c.advance)
			h.pool.Fail("Refresh", c.fail)
			l := &loader{ref: ref}
			cur, g, err := h.svc.Current(h.ctx, sess, l.load)
			wantErr(t, err, c.want, "")
			if (l.calls > 0) != c.opened || l.calls > 1 {
				t.Fatalf("refresh cookie read %d times", l.calls)
			}
			switch {
			case c.want != "":
				if cur != nil || g != nil {
					t.Fatalf("a refusal returned %+v %+v", cur, g)
				}
			case c.refreshed:
				if g == nil || cur != &g.Session || cur.User.Sub != a.Session.User.Sub || !cur.ExpiresAt.After(h.clock.Now().Add(50*time.Minute)) {
					t.Fatalf("refreshed = %+v, current %+v", g, cur)
				}
			case c.kept:
				if g != nil || cur != sess {
					t.Fatalf("want the session kept, got %+v %+v", cur, g)
				}
			}
		})
	}
}

func TestCurrentWithoutARefreshCookieReader(t *testing.T) {
	h := newHarness(t)
	if _, _, err := h.svc.Current(h.ctx, nil, nil); codeOf(err) != auth.CodeUnauthenticated {
		t.Fatalf("err = %v", err)
	}
}

func TestBound(t *testing.T) {
	sess := &auth.Session{User: auth.User{Sub: "sub-a"}}
	own := &auth.Refresh{Token: "rt", Sub: "sub-a"}
	other := &auth.Refresh{Token: "rt", Sub: "sub-b"}
	switch {
	case auth.Bound(sess, own) != own:
		t.Error("the session's own refresh token must be kept")
	case auth.Bound(sess, other) != nil:
		t.Error("another user's refresh token must read as absent")
	case auth.Bound(nil, other) != other:
		t.Error("without a session any refresh token may sign in")
	case auth.Bound(sess, nil) != nil:
		t.Error("no refresh token stays none")
	}
}

func TestRefresh(t *testing.T) {
	type refreshCase struct {
		name   string
		pool   func(*userpooltest.Options)
		ref    func(g *auth.Grant) *auth.Refresh
		fail   error
		want   auth.Code
		rotate bool // a new refresh token comes back
	}
	cases := []refreshCase{
		{name: "a refresh token makes a new session", ref: func(g *auth.Grant) *auth.Refresh { return g.Refresh }},
		{name: "with rotation the next refresh token comes too",
			pool: func(o *userpooltest.Options) { o.RotateRefresh = true },
			ref:  func(g *auth.Grant) *auth.Refresh { return g.Refresh }, rotate: true},
		{name: "no refresh cookie", ref: func(*auth.Grant) *auth.Refresh { return nil }, want: auth.CodeUnauthenticated},
		{name: "an empty refresh token", ref: func(*auth.Grant) *auth.Refresh { return &auth.Refresh{Sub: "x"} }, want: auth.CodeUnauthenticated},
		{name: "a refresh token the pool does not know",
			ref: func(g *auth.Grant) *auth.Refresh {
				return &auth.Refresh{Token: "forged", Sub: g.Refresh.Sub, Username: g.Refresh.Username}
			},
			want: auth.CodeUnauthenticated},
		{name: "tokens of another user than the cookie names",
			ref: func(g *auth.Grant) *auth.Refresh {
				r := *g.Refresh
				r.Sub = "someone-else"
				return &r
			}, want: auth.CodeInvalidToken},
		{name: "a cookie from before the sub was kept", ref: func(g *auth.Grant) *auth.Refresh {
			r := *g.Refresh
			r.Sub = ""
			return &r
		}},
	}
	for _, reason := range []struct {
		r    auth.Reason
		want auth.Code
	}{
		{auth.ReasonNotAuthorized, auth.CodeUnauthenticated},
		{auth.ReasonUserNotFound, auth.CodeUnauthenticated},
		{auth.ReasonTokenRevoked, auth.CodeUnauthenticated},
		{auth.ReasonUnavailable, auth.CodeUpstreamUnavailable},
		{auth.ReasonTooManyRequests, auth.CodeTooManyRequests},
		{auth.ReasonMisconfigured, auth.CodeInternal},
		{auth.ReasonUnknown, auth.CodeInternal},
	} {
		cases = append(cases, refreshCase{name: "the pool says " + string(reason.r), ref: func(g *auth.Grant) *auth.Refresh { return g.Refresh },
			fail: poolErr(reason.r, "whatever Cognito says"), want: reason.want})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, withPool(c.pool))
			h.user(alice, map[string]string{"email": alice})
			first := h.signIn(alice)
			h.clock.Advance(10 * time.Minute)
			h.pool.Fail("Refresh", c.fail)
			g, err := h.svc.Refresh(h.ctx, c.ref(first))
			wantErr(t, err, c.want, "")
			if c.want != "" {
				if strings.Contains(fmt.Sprint(err), "whatever Cognito says") {
					t.Fatalf("the pool's text reached the error: %v", err)
				}
				return
			}
			u := g.Session.User
			if u.Sub != first.Session.User.Sub || u.Email != alice || g.Session.AccessToken == first.Session.AccessToken {
				t.Fatalf("refreshed session %+v", g.Session)
			}
			if !g.Session.ExpiresAt.After(first.Session.ExpiresAt) {
				t.Fatal("the refreshed session must outlive the first")
			}
			if c.rotate != (g.Refresh != nil) {
				t.Fatalf("refresh %+v, rotation %v", g.Refresh, c.rotate)
			}
			if c.rotate && (g.Refresh.Token == first.Refresh.Token || g.Refresh.Sub != u.Sub) {
				t.Fatalf("rotated refresh %+v", g.Refresh)
			}
		})
	}
}

// A user who gained so many groups that the access token alone outgrows the session cookie
// is signed out at refresh (the next sign-in says why) rather than failing every page load.
func TestRefreshOfASessionGrownTooLarge(t *testing.T) {
	h := newHarness(t)
	h.user(alice, nil)
	g := h.signIn(alice)
	for _, group := range manyGroups(200) {
		if err := h.pool.AddToGroup(alice, group); err != nil {
			t.Fatal(err)
		}
	}
	_, err := h.svc.Refresh(h.ctx, g.Refresh)
	if codeOf(err) != auth.CodeUnauthenticated || !strings.Contains(messageOf(err), "too large") {
		t.Fatalf("err = %v, want unauthenticated saying the session is too large", err)
	}
	// The same user at sign-in is refused with a message that says why, and not with a 500.
	_, err = h.svc.SignInPassword(h.ctx, auth.Credentials{Email: alice, Password: password})
	if codeOf(err) != auth.CodeInvalidToken || !strings.Contains(messageOf(err), "too large") {
		t.Fatalf("err = %v, want invalid_token saying the tokens are too large", err)
	}
}

// refreshWith is a pool whose Refresh answers with what the test says.
type refreshWith struct {
	*userpooltest.Pool
	answer func(ctx context.Context, r auth.Refresh) (*auth.Tokens, error)
}

func (p refreshWith) Refresh(ctx context.Context, r auth.Refresh) (*auth.Tokens, error) {
	return p.answer(ctx, r)
}

// Tokens that fail validation refuse the refresh; a pool answering with no tokens at all is
// an outage.
func TestRefreshWithUnusableTokens(t *testing.T) {
	cases := []struct {
		name   string
		answer func(t *testing.T, tok *auth.Tokens) *auth.Tokens
		want   auth.Code
	}{
		{"an ID token that fails validation", func(t *testing.T, tok *auth.Tokens) *auth.Tokens {
			return &auth.Tokens{IDToken: tokentest.Unsigned(tokentest.Claims(t, tok.IDToken)), AccessToken: tok.AccessToken}
		}, auth.CodeInvalidToken},
		{"an access token that fails validation", func(t *testing.T, tok *auth.Tokens) *auth.Tokens {
			return &auth.Tokens{IDToken: tok.IDToken, AccessToken: tok.IDToken}
		}, auth.CodeInvalidToken},
		{"no tokens", func(*testing.T, *auth.Tokens) *auth.Tokens { return nil }, auth.CodeUpstreamUnavailable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, withWrap(func(p *userpooltest.Pool) auth.UserPool {
				return refreshWith{p, func(ctx context.Context, r auth.Refresh) (*auth.Tokens, error) {
					tok, err := p.Refresh(ctx, r)
					if err != nil {
						return nil, err
					}
					return c.answer(t, tok), nil
				}}
			}))
			h.user(alice, nil)
			g := h.signIn(alice)
			_, err := h.svc.Refresh(h.ctx, g.Refresh)
			wantErr(t, err, c.want, "")
		})
	}
}

func manyGroups(n int) []string {
	out := make([]string, n)
	for i := range out {
		// Backwards, so that byte order is not the pool's order.
		out[i] = fmt.Sprintf("department-of-examples-%04d", n-i)
	}
	return out
}

func TestBearerSession(t *testing.T) {
	attrs := map[string]string{"email": alice, "name": "Alice", "custom:tenant": "t1"}
	cases := []struct {
		name    string
		token   func(h *harness) string
		fail    error // the pool's Attributes fails with it
		advance time.Duration
		want    auth.Code
		// profile: the e-mail and attributes come from the pool.
		profile bool
		// claims: attributes the access token itself carries, which win over the pool's.
		claims map[string]string
	}{
		{name: "an access token stands for its user, completed by the pool",
			token: func(h *harness) string { return h.tokens(alice).AccessToken }, profile: true},
		{name: "claims a trigger added to the access token stay beside the profile",
			token: func(h *harness) string {
				c := tokentest.Claims(h.t, h.tokens(alice).AccessToken)
				c["custom:role"], c["name"] = "editor", "Trigger"
				return tokentest.Sign(c)
			}, profile: true, claims: map[string]string{"custom:role": "editor", "name": "Trigger"}},
		{name: "a token whose scopes allow no profile: what the token says",
			token: func(h *harness) string {
				c := tokentest.Claims(h.t, h.tokens(alice).AccessToken)
				c["scope"] = "email"
				return tokentest.Sign(c)
			}},
		{name: "a forged token",
			token: func(h *harness) string { return tokentest.Unsigned(tokentest.Claims(h.t, h.tokens(alice).AccessToken)) },
			want:  auth.CodeUnauthenticated},
		{name: "an ID token is no bearer token",
			token: func(h *harness) string { return h.tokens(alice).IDToken }, want: auth.CodeUnauthenticated},
		{name: "an expired token",
			token:   func(h *harness) string { return h.tokens(alice).AccessToken },
			advance: 2 * time.Hour, want: auth.CodeUnauthenticated},
		{name: "the signing keys are unavailable",
			token: func(h *harness) string {
				h.jwks.Close()
				return h.tokens(alice).AccessToken
			}, want: auth.CodeUpstreamUnavailable},
		{name: "a token revoked by a global sign-out",
			token: func(h *harness) string {
				tok := h.tokens(alice).AccessToken
				if err := h.pool.GlobalSignOut(h.ctx, tok); err != nil {
					h.t.Fatal(err)
				}
				return tok
			}, want: auth.CodeUnauthenticated},
		{name: "a token the pool refuses",
			token: func(h *harness) string { return h.tokens(alice).AccessToken },
			fail:  poolErr(auth.ReasonNotAuthorized, ""), want: auth.CodeUnauthenticated},
		{name: "a token of a deleted user",
			token: func(h *harness) string {
				tok := h.tokens(alice).AccessToken
				if err := h.pool.DeleteUser(h.ctx, tok); err != nil {
					h.t.Fatal(err)
				}
				return tok
			}, want: auth.CodeUnauthenticated},
		{name: "a user the pool no longer has",
			token: func(h *harness) string { return h.tokens(alice).AccessToken },
			fail:  poolErr(auth.ReasonUserNotFound, ""), want: auth.CodeUnauthenticated},
		{name: "the pool unreachable: what the token says",
			token: func(h *harness) string { return h.tokens(alice).AccessToken },
			fail:  poolErr(auth.ReasonUnavailable, "")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			h.user(alice, attrs)
			raw := c.token(h)
			h.clock.Advance(c.advance)
			h.pool.Fail("Attributes", c.fail)
			sess, err := h.svc.BearerSession(h.ctx, raw)
			wantErr(t, err, c.want, "")
			if c.want != "" {
				return
			}
			u := sess.User
			if sess.AccessToken != raw || u.Sub == "" || u.Username == "" || u.Groups == nil || sess.ExpiresAt.IsZero() {
				t.Fatalf("session %+v", sess)
			}
			want := map[string]string{"name": "Alice", "custom:tenant": "t1"}
			for k, v := range c.claims {
				want[k] = v
			}
			got := u.Email == alice && u.EmailVerified && u.Attributes.Get("name") == want["name"] && u.Attributes.Get("custom:tenant") == "t1"
			if got != c.profile {
				t.Fatalf("user %+v, want the profile: %v", u, c.profile)
			}
			for k, v := range c.claims {
				if u.Attributes.Get(k) != v {
					t.Fatalf("attribute %s = %q, want the token's %q", k, u.Attributes.Get(k), v)
				}
			}
			if _, ok := u.Attributes.Lookup("sub"); ok {
				t.Fatalf("the profile's identity claims are no attributes: %v", u.Attributes)
			}
		})
	}
}

// The pool's answer is remembered for the token's life: one call per token, not per
// request; an answer from an unreachable pool is not remembered.
func TestBearerSessionProfileCache(t *testing.T) {
	h := newHarness(t)
	h.user(alice, nil)
	raw := h.tokens(alice).AccessToken
	h.pool.Fail("Attributes", poolErr(auth.ReasonUnavailable, ""))
	if s, err := h.svc.BearerSession(h.ctx, raw); err != nil || s.User.Email != "" {
		t.Fatalf("%+v %v", s, err)
	}
	h.pool.Fail("Attributes", nil)
	for range 3 {
		if s, err := h.svc.BearerSession(h.ctx, raw); err != nil || s.User.Email != alice {
			t.Fatalf("%+v %v", s, err)
		}
	}
	if n := h.pool.Calls("Attributes"); n != 2 {
		t.Fatalf("the pool was asked %d times, want 2 (the failure, then once)", n)
	}
	// Past its expiry (within the verifier's skew) the token's entry is gone: the pool is
	// asked again, and refuses the expired token.
	h.clock.Advance(time.Hour + 10*time.Second)
	if _, err := h.svc.BearerSession(h.ctx, raw); codeOf(err) != auth.CodeUnauthenticated {
		t.Fatalf("err = %v", err)
	}
	if n := h.pool.Calls("Attributes"); n != 3 {
		t.Fatalf("an expired entry answered: %d calls", n)
	}
}

// A bearer session's user has the cookie session's shape, groups budget included.
func TestBearerSessionGroupsStayWithinBudget(t *testing.T) {
	h := newHarness(t)
	h.user(alice, nil)
	for _, group := range manyGroups(300) {
		if err := h.pool.AddToGroup(alice, group); err != nil {
			t.Fatal(err)
		}
	}
	sess, err := h.svc.BearerSession(h.ctx, h.tokens(alice).AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(sess.User.Groups); n == 0 || n > 32 || !sess.User.GroupsTruncated {
		t.Fatalf("%d groups, truncated %v", n, sess.User.GroupsTruncated)
	}
}

func TestSignOut(t *testing.T) {
	cases := []struct {
		name    string
		req     auth.SignOutRequest
		noSess  bool // no session cookie
		noRef   bool // no refresh cookie
		fail    map[string]error
		want    auth.Code
		logout  string // where Cognito's /logout sends the browser ("": refused)
		revoked bool
		global  bool // every token of the user is gone
	}{
		{name: "the refresh token is revoked", logout: logoutURI, revoked: true},
		{name: "an allow-listed logout URI", req: auth.SignOutRequest{LogoutURI: "/bye"}, logout: siteURL + "/bye", revoked: true},
		{name: "a logout URI that is an open redirect", req: auth.SignOutRequest{LogoutURI: "https://evil.example.org/"}, want: auth.CodeInvalidRequest},
		{name: "no refresh cookie", noRef: true, logout: logoutURI},
		{name: "a failed revocation is reported, not an error", fail: map[string]error{"RevokeToken": poolErr(auth.ReasonUnavailable, "")}, logout: logoutURI},
		{name: "a global sign-out", req: auth.SignOutRequest{Global: true}, logout: logoutURI, revoked: true, global: true},
		{name: "a global sign-out needs a session", req: auth.SignOutRequest{Global: true}, noSess: true,
			want: auth.CodeUnauthenticated, logout: logoutURI, revoked: true},
		{name: "a global sign-out with Cognito down still revokes", req: auth.SignOutRequest{Global: true},
			fail: map[string]error{"GlobalSignOut": poolErr(auth.ReasonUnavailable, "")},
			want: auth.CodeUpstreamUnavailable, logout: logoutURI, revoked: true},
		{name: "a global sign-out with a revoked token", req: auth.SignOutRequest{Global: true},
			fail: map[string]error{"GlobalSignOut": poolErr(auth.ReasonTokenRevoked, "")},
			want: auth.CodeUnauthenticated, logout: logoutURI, revoked: true},
		{name: "a global sign-out of a misconfigured client", req: auth.SignOutRequest{Global: true},
			fail: map[string]error{"GlobalSignOut": poolErr(auth.ReasonMisconfigured, "")},
			want: auth.CodeInternal, logout: logoutURI, revoked: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			h.user(alice, nil)
			g := h.signIn(alice)
			other := h.signIn(alice) // another device
			sess, ref := &g.Session, g.Refresh
			if c.noSess {
				sess = nil
			}
			if c.noRef {
				ref = nil
			}
			for op, err := range c.fail {
				h.pool.Fail(op, err)
			}
			res, err := h.svc.SignOut(h.ctx, c.req, sess, ref)
			wantErr(t, err, c.want, "")
			if c.logout == "" {
				if res != (auth.SignOutResult{}) || h.pool.Calls("RevokeToken")+h.pool.Calls("GlobalSignOut") != 0 {
					t.Fatalf("a refused sign-out did something: %+v", res)
				}
				return
			}
			if want := h.hosted.LogoutURL(c.logout); res.LogoutURL != want || res.Revoked != c.revoked {
				t.Fatalf("result %+v, want %s revoked %v", res, want, c.revoked)
			}
			_, err = h.svc.Refresh(h.ctx, g.Refresh)
			if (codeOf(err) == auth.CodeUnauthenticated) != c.revoked {
				t.Fatalf("refresh after sign-out: %v (revoked %v)", err, c.revoked)
			}
			_, err = h.svc.Refresh(h.ctx, other.Refresh)
			if (codeOf(err) == auth.CodeUnauthenticated) != c.global {
				t.Fatalf("the other device's refresh after sign-out: %v (global %v)", err, c.global)
			}
		})
	}
}
