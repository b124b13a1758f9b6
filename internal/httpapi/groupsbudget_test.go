package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/monban-auth/monban/internal/allowlist"
	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/token"
)

// Issue 11, item 4: a user in hundreds of groups. Their groups used to be copied whole into
// the session cookie, until it could not be sealed: every sign-in failed with 500.

// API Gateway's HTTP API takes 10,240 bytes of request line and header values ("Quotas for
// configuring and running an HTTP API in API Gateway"); the browser's and CloudFront's other
// headers take about 1,500 of them.
const cookieHeaderBudget = 10240 - 1500

// groupsCognito is the fixture's fake Cognito whose user is in the given groups (in both
// tokens), with an access token of the given length.
type groupsCognito struct {
	*fakeCognito
	groups []string
	access string
}

func (g *groupsCognito) Exchange(ctx context.Context, code, verifier, redirectURI string) (*auth.Tokens, error) {
	t, err := g.fakeCognito.Exchange(ctx, code, verifier, redirectURI)
	if t != nil {
		t.AccessToken = g.access
	}
	return t, err
}

func (g *groupsCognito) RespondToAuthChallenge(ctx context.Context, in *cip.RespondToAuthChallengeInput, o ...func(*cip.Options)) (*cip.RespondToAuthChallengeOutput, error) {
	out, err := g.fakeCognito.RespondToAuthChallenge(ctx, in, o...)
	if out != nil && out.AuthenticationResult != nil {
		out.AuthenticationResult.AccessToken = aws.String(g.access)
	}
	return out, err
}

func (g *groupsCognito) VerifyID(ctx context.Context, raw, nonce string, allow bool) (*token.Claims, error) {
	c, err := g.fakeCognito.VerifyID(ctx, raw, nonce, allow)
	if c != nil {
		c.Groups = g.groups
	}
	return c, err
}

func (g *groupsCognito) VerifyAccess(_ context.Context, raw string) (*token.Claims, error) {
	if raw != g.access {
		return nil, token.ErrInvalid
	}
	c := g.claims("access")
	c.Groups = g.groups
	return c, nil
}

// groupsFixture is newFixture with a user in n groups of about 40 bytes each, and an access
// token of accessLen bytes.
func groupsFixture(t *testing.T, n, accessLen int) *fixture {
	t.Helper()
	groups := make([]string, n)
	for i := range groups {
		groups[i] = fmt.Sprintf("project-%04d-readers-and-reviewers-eu", i)
	}
	policy, err := allowlist.NewPolicy(site, []string{"https://app.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	return newFixture(t, func(d *Deps) {
		fake := &groupsCognito{fakeCognito: &fakeCognito{now: d.Now, lifetime: time.Hour}, groups: groups,
			access: secretAccess + strings.Repeat("x", max(0, accessLen-len(secretAccess)))}
		d.Auth = auth.NewService(auth.Config{
			CallbackURL: callbackURL, Scopes: []string{"openid"}, Redirects: policy,
			LogoutURI: site + "/", Now: d.Now,
		}, auth.Deps{HostedUI: fake, Verifier: fake, Pool: testPool(fake)})
	})
}

// cookieHeader is the Cookie header the browser sends back: every cookie in the jar.
func (fx *fixture) cookieHeader() string {
	var parts []string
	for _, c := range fx.cookies {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

type sessionUser struct {
	User struct {
		Groups          []string `json:"groups"`
		GroupsTruncated bool     `json:"groups_truncated"`
	} `json:"user"`
}

func listedGroups(t *testing.T, w *httptest.ResponseRecorder) sessionUser {
	t.Helper()
	var v sessionUser
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	return v
}

func TestHundredsOfGroupsSignInWithABoundedCookie(t *testing.T) {
	fx := groupsFixture(t, 400, 0)
	w := fx.signIn("/")
	if w.Code != http.StatusFound || w.Header().Get("Location") != site+"/" {
		t.Fatalf("callback: %d %s", w.Code, w.Header().Get("Location"))
	}
	if h := fx.cookieHeader(); len(h) > cookieHeaderBudget {
		t.Fatalf("the browser now sends %d bytes of cookies on every request, more than API Gateway leaves them (%d)", len(h), cookieHeaderBudget)
	}
	w = fx.do("GET", "/auth/session", "", nil)
	v := listedGroups(t, w)
	if w.Code != http.StatusOK || len(v.User.Groups) == 0 || len(v.User.Groups) > 32 || !v.User.GroupsTruncated {
		t.Fatalf("session: %d, %d groups listed, truncated %v", w.Code, len(v.User.Groups), v.User.GroupsTruncated)
	}
	if v.User.Groups[0] != "project-0000-readers-and-reviewers-eu" {
		t.Fatalf("the first groups in byte order come first: %v", v.User.Groups[:3])
	}
}

func TestHundredsOfGroupsPasswordSignIn(t *testing.T) {
	fx := groupsFixture(t, 400, 0)
	if w := fx.post("/auth/sign-in/password", `{"username":"sub-1","password":"Temp-Passw0rd!"}`); w.Code != http.StatusOK {
		t.Fatalf("sign-in: %d %s", w.Code, w.Body)
	}
	w := fx.post("/auth/challenge", `{"new_password":"New-Passw0rd!"}`)
	v := listedGroups(t, w)
	if w.Code != http.StatusOK || len(v.User.Groups) == 0 || len(v.User.Groups) > 32 || !v.User.GroupsTruncated {
		t.Fatalf("challenge: %d %.300s", w.Code, w.Body)
	}
	if h := fx.cookieHeader(); len(h) > cookieHeaderBudget {
		t.Fatalf("%d bytes of cookies", len(h))
	}
}

// An access token too large for any cookie API Gateway accepts (it carries every group)
// refuses the sign-in, saying why, and never with a 500 or a cookie that would be refused
// on every request.
func TestAccessTokenTooLargeForACookieIsRefusedNot500(t *testing.T) {
	fx := groupsFixture(t, 3, 12000)
	w := fx.signIn("/")
	if w.Code != http.StatusFound || w.Header().Get("Location") != errorURL+"?error=invalid_token" {
		t.Fatalf("callback: %d %s", w.Code, w.Header().Get("Location"))
	}
	if fx.cookie("__Host-monban-session") != nil || fx.cookie("__Host-monban-session.0") != nil {
		t.Fatal("no session cookie may be written")
	}

	fx = groupsFixture(t, 3, 12000)
	fx.post("/auth/sign-in/password", `{"username":"sub-1","password":"Temp-Passw0rd!"}`)
	w = fx.post("/auth/challenge", `{"new_password":"New-Passw0rd!"}`)
	if w.Code != http.StatusUnauthorized || errorCode(t, w) != auth.CodeInvalidToken || !strings.Contains(w.Body.String(), "too large") {
		t.Fatalf("challenge: %d %s", w.Code, w.Body)
	}
}
