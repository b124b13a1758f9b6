package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/token"
)

// groupsVerifier issues claims with the given groups (both tokens, as Cognito does), and an
// access token of whatever length the test hands in.
type groupsVerifier struct {
	groups []string
	attrs  map[string]string
}

func (v groupsVerifier) VerifyID(context.Context, string, string, bool) (*token.Claims, error) {
	return &token.Claims{Subject: "sub-1", Username: "sub-1", Email: "a@example.com", Groups: v.groups,
		Attributes: v.attrs, ExpiresAt: time.Now().Add(time.Hour)}, nil
}

func (v groupsVerifier) VerifyAccess(context.Context, string) (*token.Claims, error) {
	return &token.Claims{Subject: "sub-1", Username: "sub-1", Groups: v.groups, ExpiresAt: time.Now().Add(time.Hour)}, nil
}

func manyGroups(n int) []string {
	out := make([]string, n)
	for i := range out {
		// Backwards, so that byte order is not Cognito's order.
		out[i] = fmt.Sprintf("department-of-examples-%04d", n-i)
	}
	return out
}

func grantWith(t *testing.T, v groupsVerifier, accessToken string) (*Grant, error) {
	t.Helper()
	s := NewService(Config{}, Deps{Verifier: v})
	return s.grant(context.Background(), &Tokens{AccessToken: accessToken, IDToken: "id", RefreshToken: "refresh"}, "")
}

func sessionJSON(t *testing.T, s Session) []byte {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Issue 11, item 4: hundreds of groups used to be copied into the session whole, until its
// cookie could not be sealed (500 at every sign-in). The session lists the first groups in
// byte order within its budget and says it left some out; the session stays bounded.
func TestSessionGroupsStayWithinBudget(t *testing.T) {
	for _, n := range []int{33, 400, 5000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			all := manyGroups(n)
			g, err := grantWith(t, groupsVerifier{groups: all}, "access")
			if err != nil {
				t.Fatal(err)
			}
			u := g.Session.User
			listed, _ := json.Marshal(u.Groups)
			if len(u.Groups) == 0 || len(u.Groups) > maxSessionGroups || len(listed) > maxSessionGroupBytes || !u.GroupsTruncated {
				t.Fatalf("%d groups (%d bytes) listed of %d, truncated %v", len(u.Groups), len(listed), n, u.GroupsTruncated)
			}
			sorted := slices.Sorted(slices.Values(all))
			if !slices.Equal(u.Groups, sorted[:len(u.Groups)]) {
				t.Fatalf("not the first groups in byte order: %v", u.Groups)
			}
			if b := sessionJSON(t, g.Session); len(b) > maxSessionBytes {
				t.Fatalf("session is %d bytes", len(b))
			}
			if !strings.Contains(string(sessionJSON(t, g.Session)), `"groups_truncated":true`) {
				t.Fatal("the session must say it lists only some groups")
			}
		})
	}
}

func TestSessionListsEveryGroupWithinBudget(t *testing.T) {
	g, err := grantWith(t, groupsVerifier{groups: []string{"staff", "admins", "editors"}}, "access")
	if err != nil {
		t.Fatal(err)
	}
	u := g.Session.User
	if !slices.Equal(u.Groups, []string{"admins", "editors", "staff"}) || u.GroupsTruncated {
		t.Fatalf("groups = %v, truncated %v", u.Groups, u.GroupsTruncated)
	}
	if strings.Contains(string(sessionJSON(t, g.Session)), "groups_truncated") {
		t.Fatal("groups_truncated is left out when every group is listed")
	}
	g, err = grantWith(t, groupsVerifier{}, "access")
	if err != nil || g.Session.User.Groups == nil || len(g.Session.User.Groups) != 0 || g.Session.User.GroupsTruncated {
		t.Fatalf("no groups must be an empty list: %+v %v", g, err)
	}
}

// A bigger access token (it carries every group) leaves less room: fewer groups are listed,
// and the session still fits its cookie.
func TestSessionGroupsShrinkForABigAccessToken(t *testing.T) {
	all := manyGroups(60)
	g, err := grantWith(t, groupsVerifier{groups: all}, strings.Repeat("a", 3800))
	if err != nil {
		t.Fatal(err)
	}
	if b := sessionJSON(t, g.Session); len(b) > maxSessionBytes {
		t.Fatalf("session is %d bytes", len(b))
	}
	if n := len(g.Session.User.Groups); n >= maxSessionGroups || !g.Session.User.GroupsTruncated {
		t.Fatalf("%d groups listed beside a 3,800-byte access token", n)
	}
}

// An access token too large for any session cookie (one API Gateway would refuse on every
// request) refuses the sign-in with a code that is not a 500 (a refresh then signs the
// browser out: TestRefreshOfASessionGrownTooLarge).
func TestAccessTokenTooLargeForTheCookieIsRefused(t *testing.T) {
	big := strings.Repeat("a", maxSessionBytes)
	_, err := grantWith(t, groupsVerifier{groups: manyGroups(3)}, big)
	var e *Error
	if CodeOf(err) != CodeInvalidToken || !errors.As(err, &e) || !strings.Contains(e.Message, "too large") {
		t.Fatalf("err = %v, want invalid_token saying the tokens are too large", err)
	}
}

// Characters JSON escapes ("<" is written as \u003c) count at their sealed size, or 2 KiB of
// them would be a 12 KiB session.
func TestSessionAttributeBudgetCountsSealedBytes(t *testing.T) {
	attrs := map[string]string{"custom:tenant": "t1"}
	for i := range 8 {
		attrs[fmt.Sprintf("custom:note%d", i)] = strings.Repeat("<", 250)
	}
	got := userAttributes(attrs)
	b, _ := json.Marshal(got)
	if len(b) > maxSessionAttributeBytes+6*maxSessionAttributes || got.Get("custom:tenant") != "t1" {
		t.Fatalf("attributes are %d bytes as sealed: %d of them", len(b), len(got))
	}
	g, err := grantWith(t, groupsVerifier{attrs: attrs, groups: []string{"admins"}}, "access")
	if err != nil || !slices.Equal(g.Session.User.Groups, []string{"admins"}) {
		t.Fatalf("a user with escaped attributes must still sign in with their groups: %+v %v", g, err)
	}
}

// One user-written attribute, however long, cannot crowd out the others; the token's own
// bookkeeping is no attribute.
func TestSessionAttributesStayWithinBudget(t *testing.T) {
	all := map[string]string{"custom:tenant": "t1", "name": "Alice", "jti": "x"}
	for i := 0; i < 6; i++ {
		all["custom:big"+string(rune('a'+i))] = strings.Repeat("x", 2000)
	}
	got := userAttributes(all)
	if got.Get("custom:tenant") != "t1" || got.Get("name") != "Alice" || got.Get("jti") != "" {
		t.Fatalf("small attributes must survive, bookkeeping must not: %v", got)
	}
	size := 0
	for _, a := range got {
		size += len(a.Name) + len(a.Value)
	}
	if size > maxSessionAttributeBytes || len(got) > maxSessionAttributes {
		t.Fatalf("%d attributes, %d bytes", len(got), size)
	}
}
