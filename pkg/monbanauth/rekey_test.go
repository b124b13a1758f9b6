package monbanauth_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/seal"
	"github.com/monban-auth/monban/internal/tokentest"
	"github.com/monban-auth/monban/pkg/monbanauth"
)

// TestAuthorizerContextExpiry: exp arrives as a JSON number, an int64, a json.Number or a
// string; a float64 is taken from 0 to 1e11 seconds (the year 5138) inclusive.
func TestAuthorizerContextExpiry(t *testing.T) {
	refused := time.Time{}
	for _, c := range []struct {
		exp  any // nil: absent
		want time.Time
	}{
		{nil, time.Time{}},
		{0.0, time.Unix(0, 0)},
		{1e11, time.Unix(1e11, 0)},
		{1750000000.0, time.Unix(1750000000, 0)},
		{-1.0, refused},
		{math.Nextafter(0, -1), refused},
		{1e11 + 1, refused},
		{math.NaN(), refused},
		{int64(1750000000), time.Unix(1750000000, 0)},
		{json.Number("1750000000"), time.Unix(1750000000, 0)},
		{json.Number("1750000000.5"), refused},
		{"1750000000", time.Unix(1750000000, 0)},
		{"17e8", refused},
	} {
		m := map[string]any{monbanauth.ContextSubject: "s"}
		if c.exp != nil {
			m[monbanauth.ContextExpires] = c.exp
		}
		id, err := monbanauth.IdentityFromAuthorizerContext(m)
		switch {
		case c.exp == nil:
			if err != nil || !id.ExpiresAt.IsZero() {
				t.Errorf("no exp: %v, %v; want a zero ExpiresAt", id, err)
			}
		case c.want == refused:
			if err == nil {
				t.Errorf("exp %#v was accepted as %v", c.exp, id.ExpiresAt)
			}
		case err != nil || !id.ExpiresAt.Equal(c.want) || id.ExpiresAt.Location() != time.UTC:
			t.Errorf("exp %#v: %v, %v; want %v in UTC", c.exp, id, err, c.want)
		}
	}
}

// TestRekey: rotated session secrets and origin-verify values take effect for the next
// request; a nil list changes nothing, and an unusable one is refused and changes nothing.
func TestRekey(t *testing.T) {
	const oldOrigin, newOrigin = "origin-verify-old-0123456789abcdef", "origin-verify-new-0123456789abcdef"
	f := newFixture(t, func(c *monbanauth.Config) { c.OriginSecrets = [][]byte{[]byte(oldOrigin)} })
	good := tokentest.Sign(tokentest.AccessClaims(epoch))
	sealedWith := func(sec []byte) []string {
		return sessionCookies(t, seal.PurposeSession, sec, "", good, epoch.Add(time.Hour), 0)
	}
	check := func(step string, cookies []string, origin string, want error) {
		t.Helper()
		_, err := f.a.Authenticate(context.Background(), monbanauth.Request{Cookies: cookies, OriginVerify: []string{origin}})
		if (want == nil) != (err == nil) || (want != nil && !errors.Is(err, want)) {
			t.Fatalf("%s: Authenticate = %v, want %v", step, err, want)
		}
	}
	check("before", sealedWith(secret), oldOrigin, nil)
	check("before", sealedWith(otherSecret), oldOrigin, monbanauth.ErrInvalidCredentials)

	if err := f.a.Rekey([][]byte{otherSecret, secret}, nil); err != nil {
		t.Fatal(err)
	}
	check("rotating", sealedWith(secret), oldOrigin, nil)
	check("rotating", sealedWith(otherSecret), oldOrigin, nil)

	if err := f.a.Rekey([][]byte{[]byte("short")}, [][]byte{}); err == nil {
		t.Fatal("a short session secret and an empty origin list were accepted")
	}
	check("after a refused rotation", sealedWith(secret), oldOrigin, nil)

	if err := f.a.Rekey([][]byte{otherSecret}, [][]byte{[]byte(newOrigin)}); err != nil {
		t.Fatal(err)
	}
	check("rotated", sealedWith(secret), newOrigin, monbanauth.ErrInvalidCredentials)
	check("rotated", sealedWith(otherSecret), newOrigin, nil)
	check("rotated", sealedWith(otherSecret), oldOrigin, monbanauth.ErrForbidden)

	if err := f.a.Rekey(nil, nil); err != nil {
		t.Fatal(err)
	}
	check("after an empty Rekey", sealedWith(otherSecret), newOrigin, nil)

	t.Run("origin values cannot be rotated in when none were configured", func(t *testing.T) {
		f := newFixture(t)
		if err := f.a.Rekey(nil, [][]byte{[]byte(newOrigin)}); err == nil {
			t.Fatal("accepted")
		}
		if _, err := f.a.Authenticate(context.Background(), monbanauth.Request{Cookies: sealedWith(secret)}); err != nil {
			t.Fatalf("a refused Rekey turned the origin check on: %v", err)
		}
	})
	t.Run("a bearer-only authenticator has no session secrets to rotate", func(t *testing.T) {
		f := newFixture(t, func(c *monbanauth.Config) {
			c.SessionSecrets, c.Accept = nil, []monbanauth.Credential{monbanauth.Bearer}
		})
		if err := f.a.Rekey([][]byte{otherSecret}, nil); err != nil {
			t.Fatal(err)
		}
	})
}
