package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/monban-auth/monban/internal/devstack"
)

// The black-box hostile-input table: requests an attacker would send to the real local
// stack, each with the answer it must get and proof that nothing stored changed. It covers
// the findings of the hostile-input campaign (SECURITY.md); the planted refresh cookie and
// the hidden sign-up oracle have their own stack tests (TestPlantedRefreshCookieAgainstTheStack,
// TestHiddenSignUpThenSignInTellsNoFreeAddress), the timing floor its unit tests (timing is
// not asserted against a live stack).
func TestHostileInputAgainstTheStack(t *testing.T) {
	const partner = "https://partner.example.net"
	crowded := devstack.User{Email: "crowded@example.com", Password: userPassword}
	for i := range 60 {
		crowded.Groups = append(crowded.Groups, fmt.Sprintf("group-%02d", i))
	}
	e := startEnvWith(t, func(o *devstack.StackOptions) {
		o.Env = map[string]string{"MONBAN_TOKEN_MODE": "true", "MONBAN_REDIRECT_ALLOWLIST": partner}
		o.Users = append(o.Users, crowded)
	})

	// stillSignsIn proves the attack changed nothing stored: the user signs in as before.
	stillSignsIn := func(t *testing.T, email string) {
		t.Helper()
		b := e.browser(t)
		resp, body := b.post("/auth/sign-in/password", `{"email":"`+email+`","password":"`+userPassword+`"}`)
		if resp.StatusCode != 200 || !strings.Contains(body, `"email":"`+email+`"`) {
			t.Fatalf("the user can no longer sign in: %d %s", resp.StatusCode, body)
		}
	}

	t.Run("tokens never go to an origin that may only receive redirects", func(t *testing.T) {
		for _, c := range []struct {
			redirectTo string
			tokens     bool
		}{
			{partner + "/landing", false},
			{"/account", true},
		} {
			b := e.browser(t)
			// Follow the hosted UI up to the callback, and stop at the callback's answer.
			b.c.CheckRedirect = func(_ *http.Request, via []*http.Request) error {
				if strings.HasPrefix(via[len(via)-1].URL.Path, "/auth/callback") {
					return http.ErrUseLastResponse
				}
				return nil
			}
			resp, _ := b.signIn(c.redirectTo, userEmail, userPassword)
			loc := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusFound {
				t.Fatalf("redirect_to=%s: the callback answered %d", c.redirectTo, resp.StatusCode)
			}
			if got := strings.Contains(loc, "access_token="); got != c.tokens {
				t.Errorf("redirect_to=%s: tokens in %q: %v, want %v", c.redirectTo, loc, got, c.tokens)
			}
		}
	})

	t.Run("an image, a frame or a bare request cannot sign the user out", func(t *testing.T) {
		b := e.browser(t)
		if resp, body := b.post("/auth/sign-in/password", `{"email":"`+userEmail+`","password":"`+userPassword+`"}`); resp.StatusCode != 200 {
			t.Fatalf("sign-in: %d %s", resp.StatusCode, body)
		}
		for name, hdr := range map[string]map[string]string{
			"<img> on a sibling subdomain":  {"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image", "Referer": "https://evil.example.com/"},
			"<img> on the site itself":      {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image"},
			"<iframe> on another site":      {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "iframe"},
			"no Fetch Metadata, no Referer": {},
		} {
			resp, body := b.do("GET", "/auth/sign-out", "", hdr)
			if resp.StatusCode != http.StatusForbidden || errorCode(t, body) != "forbidden_origin" {
				t.Errorf("%s: %d %s", name, resp.StatusCode, body)
			}
		}
		if resp, body := b.get("/auth/session"); signedOut(resp, body) {
			t.Fatal("a refused sign-out link signed the user out")
		}
	})

	t.Run("bodies: the size limit whatever the content, no duplicate or miscased keys", func(t *testing.T) {
		b := e.browser(t)
		for name, c := range map[string]struct {
			body   string
			status int
			says   string
		}{
			"a valid object then 1 MiB of whitespace": {`{"email":"` + userEmail + `","password":"x"}` + strings.Repeat(" ", 1<<20), http.StatusRequestEntityTooLarge, "exceeds"},
			"a duplicate key":                         {`{"email":"` + userEmail + `","email":"other@example.com","password":"x"}`, http.StatusBadRequest, `duplicate field "email"`},
			"a key in another case":                   {`{"Email":"` + userEmail + `","password":"x"}`, http.StatusBadRequest, `"Email"`},
		} {
			resp, body := b.post("/auth/sign-in/password", c.body)
			var e struct{ Error struct{ Message string } }
			json.Unmarshal([]byte(body), &e)
			if resp.StatusCode != c.status || !strings.Contains(e.Error.Message, c.says) {
				t.Errorf("%s: %d %.200s", name, resp.StatusCode, body)
			}
		}
		stillSignsIn(t, userEmail)
	})

	t.Run("a user in many groups signs in with a bounded session cookie", func(t *testing.T) {
		b := e.browser(t)
		resp, body := b.post("/auth/sign-in/password", `{"email":"`+crowded.Email+`","password":"`+userPassword+`"}`)
		if resp.StatusCode != 200 {
			t.Fatalf("sign-in: %d %.300s", resp.StatusCode, body)
		}
		var v struct {
			User struct {
				Groups          []string `json:"groups"`
				GroupsTruncated bool     `json:"groups_truncated"`
			} `json:"user"`
		}
		if err := json.Unmarshal([]byte(body), &v); err != nil || !v.User.GroupsTruncated || len(v.User.Groups) == 0 || len(v.User.Groups) > 32 {
			t.Fatalf("groups %d, truncated %v: %v", len(v.User.Groups), v.User.GroupsTruncated, err)
		}
		size := 0
		for _, c := range b.c.Jar.Cookies(mustURL(t, e.site+"/auth/session")) {
			size += len(c.Name) + len(c.Value) + 3
		}
		if size > 10240 {
			t.Fatalf("the cookies are %d bytes: API Gateway refuses requests over 10,240", size)
		}
		if resp, body := b.get("/auth/session"); resp.StatusCode != 200 || signedOut(resp, body) {
			t.Fatalf("the session does not read back: %d %.200s", resp.StatusCode, body)
		}
	})
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
