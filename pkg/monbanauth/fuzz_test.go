package monbanauth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/seal"
	"github.com/monban-auth/monban/internal/tokentest"
	"github.com/monban-auth/monban/pkg/monbanauth"
)

// FuzzAuthenticate feeds arbitrary Authorization and Cookie header values to
// Authenticate. Nothing may panic, every error must be one of the documented
// outcomes, and the only identity that can come out is the one user the
// seeds hold genuine credentials for.
func FuzzAuthenticate(f *testing.F) {
	fx := newFixture(f)
	good := tokentest.Sign(tokentest.AccessClaims(epoch))
	cookie := sessionCookies(f, seal.PurposeSession, secret, "", good, epoch.Add(time.Hour), 0)[0]
	chunked := sessionCookies(f, seal.PurposeSession, secret, "", good, epoch.Add(time.Hour), 6000)[0]
	for _, seed := range []struct{ authz, cookie string }{
		{"", ""},
		{"Bearer " + good, ""},
		{"bearer  " + good + " ", "theme=dark"},
		{"Basic YWxpY2U6cHc=", cookie},
		{"", cookie},
		{"", chunked},
		{"", strings.Replace(chunked, ".1=", ".7=", 1)},
		{"", "__Host-monban-session=; __Host-monban-session.0=x"},
		{"", "__Host-monban-session.00=a; __Host-monban-session.1=b"},
		{"", "__Host-monban-session=\"quoted\"; a=b"},
		{"Bearer a.b.c", "__Host-monban-session=a.b.c.d.e"},
		{"Bearer " + tokentest.Unsigned(tokentest.AccessClaims(epoch)), ""},
		{"Bearer\t" + good, ""},
		{"Bearer " + good + "," + good, ""},
	} {
		f.Add(seed.authz, seed.cookie)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, authz, cookie string) {
		req := monbanauth.Request{}
		if authz != "" {
			req.Authorization = []string{authz}
		}
		if cookie != "" {
			req.Cookies = []string{cookie}
		}
		id, err := fx.a.Authenticate(ctx, req)
		if err != nil {
			if !errors.Is(err, monbanauth.ErrNoCredentials) && !errors.Is(err, monbanauth.ErrInvalidCredentials) {
				t.Fatalf("unexpected outcome %v", err)
			}
			if id != nil {
				t.Fatal("an identity came back with an error")
			}
			return
		}
		if id.Subject != tokentest.Subject {
			t.Fatalf("authenticated as %q", id.Subject)
		}
	})
}
