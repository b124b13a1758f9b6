package e2e

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/monban-auth/monban/internal/devstack"
)

// Issue 11, item 1, against the whole stack: a sibling subdomain whose owner (Mallory) has
// an account on the site plants her own refresh cookie in Alice's browser, under the name a
// sibling can set (__Secure-monban-refresh, for a path that sorts before monban's). monban
// must neither sign Alice's browser in as Mallory once Alice's session cookie has expired,
// nor revoke Mallory's token instead of Alice's at sign-out.
//
// A sibling's Domain cookie cannot be modelled on 127.0.0.1, and on the wire it is only a
// name and a value: the jar is given it directly for the site's own URL.
func TestPlantedRefreshCookieAgainstTheStack(t *testing.T) {
	const malloryEmail, malloryPassword = "mallory@example.com", "Mall0ry-Pl4nts!"
	e := startEnv(t, nil)
	ctx := context.Background()
	admin := devstack.NewCognitoClient(e.stack.Cognito.URL)
	if _, err := admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(e.stack.Pool.ID), Username: aws.String(malloryEmail), MessageAction: types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{
			{Name: aws.String("email"), Value: aws.String(malloryEmail)},
			{Name: aws.String("email_verified"), Value: aws.String("true")},
		},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: aws.String(e.stack.Pool.ID), Username: aws.String(malloryEmail), Password: aws.String(malloryPassword), Permanent: true,
	}); err != nil {
		t.Fatal(err)
	}

	// whoIs is the e-mail GET /auth/session answers b with, "" when signed out.
	whoIs := func(b *browser) string {
		t.Helper()
		resp, body := b.get("/auth/session")
		if signedOut(resp, body) {
			return ""
		}
		if resp.StatusCode != 200 {
			t.Fatalf("session: %d %s", resp.StatusCode, body)
		}
		return decode[sessionView](t, body).User.Email
	}
	// refreshCookie is b's refresh cookie (of this release, or of an earlier one).
	refreshCookie := func(b *browser) string {
		if v := b.cookie("__Host-monban-refresh"); v != "" {
			return v
		}
		return b.cookie("__Secure-monban-refresh")
	}
	site, _ := url.Parse(e.site + "/")
	at := func(path string) *url.URL { return site.ResolveReference(&url.URL{Path: path}) }
	expireSession := func(b *browser) {
		b.c.Jar.SetCookies(site, []*http.Cookie{{Name: "__Host-monban-session", Path: "/", MaxAge: -1}})
	}

	mallory := e.browser(t)
	mallory.signIn("/", malloryEmail, malloryPassword)
	planted := refreshCookie(mallory)
	if whoIs(mallory) != malloryEmail || planted == "" {
		t.Fatal("Mallory could not sign in")
	}

	t.Run("once the session cookie has expired, the planted refresh cookie is not used", func(t *testing.T) {
		alice := e.browser(t)
		alice.signIn("/", userEmail, userPassword)
		alice.c.Jar.SetCookies(at("/auth/session"), []*http.Cookie{{Name: "__Secure-monban-refresh", Value: planted, Path: "/auth/session", Secure: true}})
		expireSession(alice)
		if got := whoIs(alice); got != userEmail {
			t.Fatalf("Alice's browser is signed in as %q, want %q", got, userEmail)
		}
	})

	t.Run("sign-out revokes the user's own refresh token, not the planted one", func(t *testing.T) {
		alice := e.browser(t)
		alice.signIn("/", userEmail, userPassword)
		own := refreshCookie(alice)
		alice.c.Jar.SetCookies(at("/auth/sign-out"), []*http.Cookie{{Name: "__Secure-monban-refresh", Value: planted, Path: "/auth/sign-out", Secure: true}})
		restore := alice.noRedirects()
		resp, body := alice.post("/auth/sign-out", "{}")
		restore()
		if resp.StatusCode != 200 {
			t.Fatalf("sign-out: %d %s", resp.StatusCode, body)
		}
		// Alice's token is revoked: replayed in a fresh browser, it refreshes nothing.
		replay := e.browser(t)
		replay.c.Jar.SetCookies(site, []*http.Cookie{{Name: "__Host-monban-refresh", Value: own, Path: "/", Secure: true}})
		if resp, body := replay.post("/auth/refresh", "{}"); resp.StatusCode != 401 {
			t.Fatalf("Alice's refresh token still works after her sign-out: %d %s", resp.StatusCode, body)
		}
		// Mallory's is not: her own browser still refreshes.
		if resp, body := mallory.post("/auth/refresh", "{}"); resp.StatusCode != 200 {
			t.Fatalf("sign-out revoked the planted token: Mallory's refresh answers %d %s", resp.StatusCode, body)
		}
		// And what is left in Alice's browser signs no one in.
		expireSession(alice)
		if got := whoIs(alice); got != "" {
			t.Fatalf("after sign-out Alice's browser is signed in as %q", got)
		}
	})
}
