package userpooltest_test

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/auth/userpooltest"
	"github.com/monban-auth/monban/internal/tokentest"
)

func TestProfileReadsEveryAttribute(t *testing.T) {
	f := newFixture(t)
	f.confirmed(t, email, map[string]string{"name": "Carol", "custom:tenant": "acme"})
	tok := f.signIn(t, email, password)
	at, err := f.verifier.VerifyAccess(ctx, tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.pool.Profile(ctx, tok.AccessToken)
	want := map[string]string{"sub": at.Subject, "email": email, "email_verified": "true", "name": "Carol", "custom:tenant": "acme"}
	if err != nil || p.Username != at.Subject || !maps.Equal(p.Attributes, want) {
		t.Fatalf("%+v %v, want %v", p, err, want)
	}
	_, err = f.pool.Profile(ctx, tokentest.Sign(tokentest.AccessClaims(f.clock.Now())))
	wantReason(t, "a forged token", err, auth.ReasonTokenRevoked)
}

func TestUpdateAttributesWritesWhatTheClientMayWrite(t *testing.T) {
	cases := []struct {
		name     string
		writable []string
		attrs    map[string]string
		reason   auth.Reason // "" for success
		after    map[string]string
	}{
		{name: "a name", attrs: map[string]string{"name": "Caz", "locale": "fr"},
			after: map[string]string{"name": "Caz", "locale": "fr"}},
		{name: "an empty value deletes", attrs: map[string]string{"name": ""},
			after: map[string]string{"name": ""}},
		{name: "an attribute the client may not write", attrs: map[string]string{"name": "Caz", "custom:tenant": "evil"},
			reason: auth.ReasonAttributeNotWritable, after: map[string]string{"name": "Carol", "custom:tenant": "acme"}},
		{name: "a verification flag by default", attrs: map[string]string{"email_verified": "true"},
			reason: auth.ReasonAttributeNotWritable},
		{name: "a verification flag the client may write", writable: []string{"email_verified"},
			attrs: map[string]string{"email_verified": "false"}, after: map[string]string{"email_verified": "false"}},
		{name: "a custom attribute the client may write", writable: []string{"custom:tenant"},
			attrs: map[string]string{"custom:tenant": "other"}, after: map[string]string{"custom:tenant": "other"}},
		{name: "a phone number turns unverified", writable: []string{"phone_number"},
			attrs: map[string]string{"phone_number": "+15550100"}, after: map[string]string{"phone_number": "+15550100", "phone_number_verified": "false"}},
		{name: "an attribute the schema lacks", attrs: map[string]string{"shoe_size": "9"}, reason: auth.ReasonInvalidParameter},
		{name: "nothing", attrs: map[string]string{}, reason: auth.ReasonInvalidParameter},
		{name: "a malformed address", attrs: map[string]string{"email": "nobody"}, reason: auth.ReasonInvalidParameter},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, func(o *userpooltest.Options) { o.WriteAttributes = c.writable })
			f.confirmed(t, email, map[string]string{"name": "Carol", "custom:tenant": "acme"})
			at := f.signIn(t, email, password).AccessToken
			ds, err := f.pool.UpdateAttributes(ctx, at, c.attrs)
			if c.reason != "" {
				wantReason(t, "update", err, c.reason)
			} else if err != nil || ds == nil || len(ds) != 0 {
				t.Fatalf("update: %v %v, want no code sent", ds, err)
			}
			p, err := f.pool.Profile(ctx, at)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range c.after {
				if got, ok := p.Attributes[k]; got != v || ok != (v != "") {
					t.Errorf("%s = %q (%v), want %q", k, got, ok, v)
				}
			}
			if p.Attributes["email"] != email || p.Attributes["email_verified"] != "true" && c.after["email_verified"] == "" {
				t.Errorf("the address changed: %v", p.Attributes)
			}
		})
	}
}

// A new address is the user's only once its code is back; until then the old one signs in.
func TestAnEmailChangeWaitsForItsCode(t *testing.T) {
	const newAddr = "caz@example.org"
	f := newFixture(t)
	f.confirmed(t, email, nil)
	at := f.signIn(t, email, password).AccessToken
	ds, err := f.pool.UpdateAttributes(ctx, at, map[string]string{"email": newAddr, "name": "Caz"})
	if err != nil || !slices.Equal(ds, []auth.Delivery{{Medium: "EMAIL", Destination: "c***@e***"}}) {
		t.Fatalf("%v %v", ds, err)
	}
	sent := f.pool.Code(email)
	p, _ := f.pool.Profile(ctx, at)
	if sent == "" || p.Attributes["email"] != email || p.Attributes["email_verified"] != "true" || p.Attributes["name"] != "Caz" {
		t.Fatalf("pending: %v (code %q)", p.Attributes, sent)
	}
	f.signIn(t, email, password)

	wrong := "000000"
	if sent == wrong {
		wrong = "111111"
	}
	wantReason(t, "a wrong code", f.pool.VerifyAttribute(ctx, at, "email", wrong), auth.ReasonCodeMismatch)
	wantReason(t, "another attribute", f.pool.VerifyAttribute(ctx, at, "name", sent), auth.ReasonInvalidParameter)
	wantReason(t, "a code for an attribute none was sent for", f.pool.VerifyAttribute(ctx, at, "phone_number", sent), auth.ReasonCodeMismatch)

	// A code sent again replaces the first, to the new address.
	d, err := f.pool.SendAttributeCode(ctx, at, "email")
	if err != nil || *d != (auth.Delivery{Medium: "EMAIL", Destination: "c***@e***"}) {
		t.Fatalf("resend: %v %v", d, err)
	}
	again := f.pool.Code(email)
	if again != sent {
		wantReason(t, "the replaced code", f.pool.VerifyAttribute(ctx, at, "email", sent), auth.ReasonCodeMismatch)
	}
	if err := f.pool.VerifyAttribute(ctx, at, "email", again); err != nil {
		t.Fatal(err)
	}
	p, _ = f.pool.Profile(ctx, at)
	if p.Attributes["email"] != newAddr || p.Attributes["email_verified"] != "true" {
		t.Fatalf("verified: %v", p.Attributes)
	}
	f.signIn(t, newAddr, password)
	if _, err := f.pool.SignInPassword(ctx, email, password); err == nil {
		t.Fatal("the old address still signs in")
	}
	wantReason(t, "a used code", f.pool.VerifyAttribute(ctx, at, "email", again), auth.ReasonCodeMismatch)
}

func TestAnEmailCodeExpires(t *testing.T) {
	f := newFixture(t)
	f.confirmed(t, email, nil)
	at := f.signIn(t, email, password).AccessToken
	if _, err := f.pool.UpdateAttributes(ctx, at, map[string]string{"email": "caz@example.org"}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(24*time.Hour + time.Second)
	at = f.signIn(t, email, password).AccessToken
	wantReason(t, "an expired code", f.pool.VerifyAttribute(ctx, at, "email", f.pool.Code(email)), auth.ReasonExpiredCode)
}

// An address is one user's: taken at the update, or taken while the code was on its way.
func TestAnAddressAnotherUserHasIsAnAliasThatExists(t *testing.T) {
	const other = "dan@example.com"
	f := newFixture(t)
	f.confirmed(t, email, nil)
	at := f.signIn(t, email, password).AccessToken
	_, err := f.pool.UpdateAttributes(ctx, at, map[string]string{"email": "DAN@example.com"})
	if err != nil {
		t.Fatalf("a free address: %v", err)
	}
	f.confirmed(t, other, nil)
	_, err = f.pool.UpdateAttributes(ctx, at, map[string]string{"email": other, "name": "Caz"})
	wantReason(t, "an address another user has", err, auth.ReasonAliasExists)
	if p, _ := f.pool.Profile(ctx, at); p.Attributes["name"] != "" {
		t.Fatalf("the refused update wrote %v", p.Attributes)
	}
	wantReason(t, "an address taken since the code was sent", f.pool.VerifyAttribute(ctx, at, "email", f.pool.Code(email)), auth.ReasonAliasExists)
	// The user's own address, in another case, is no change.
	if ds, err := f.pool.UpdateAttributes(ctx, at, map[string]string{"email": "Carol@Example.com"}); err != nil || len(ds) != 0 {
		t.Fatalf("own address: %v %v", ds, err)
	}
}

func TestSendAttributeCode(t *testing.T) {
	f := newFixture(t)
	f.confirmed(t, email, nil)
	at := f.signIn(t, email, password).AccessToken
	// An address not yet verified is verified with the code sent to it.
	if err := f.pool.SetAttribute(email, "email_verified", "false"); err != nil {
		t.Fatal(err)
	}
	d, err := f.pool.SendAttributeCode(ctx, at, "email")
	if err != nil || *d != (auth.Delivery{Medium: "EMAIL", Destination: "c***@e***"}) {
		t.Fatalf("%v %v", d, err)
	}
	if err := f.pool.VerifyAttribute(ctx, at, "email", f.pool.Code(email)); err != nil {
		t.Fatal(err)
	}
	if p, _ := f.pool.Profile(ctx, at); p.Attributes["email_verified"] != "true" {
		t.Fatalf("%v", p.Attributes)
	}
	_, err = f.pool.SendAttributeCode(ctx, at, "phone_number")
	wantReason(t, "no phone number", err, auth.ReasonInvalidParameter)
	_, err = f.pool.SendAttributeCode(ctx, at, "name")
	wantReason(t, "an attribute without codes", err, auth.ReasonInvalidParameter)
	if err := f.pool.SetAttribute(email, "phone_number", "+15550100"); err != nil {
		t.Fatal(err)
	}
	d, err = f.pool.SendAttributeCode(ctx, at, "phone_number")
	if err != nil || *d != (auth.Delivery{Medium: "SMS", Destination: "+****0100"}) {
		t.Fatalf("%v %v", d, err)
	}
	if err := f.pool.VerifyAttribute(ctx, at, "phone_number", f.pool.Code(email)); err != nil {
		t.Fatal(err)
	}
	if p, _ := f.pool.Profile(ctx, at); p.Attributes["phone_number_verified"] != "true" {
		t.Fatalf("%v", p.Attributes)
	}
	if err := f.pool.SetAttribute(email, "email", ""); err != nil {
		t.Fatal(err)
	}
	_, err = f.pool.SendAttributeCode(ctx, at, "email")
	wantReason(t, "no address", err, auth.ReasonInvalidParameter)
}

// A deleted user's tokens are refused, every one of them, and the address is free again.
func TestDeleteUser(t *testing.T) {
	f := newFixture(t)
	f.confirmed(t, email, nil)
	other := f.signIn(t, email, password)
	tok := f.signIn(t, email, password)
	if _, err := f.pool.StartPasskeyRegistration(ctx, tok.AccessToken); err != nil {
		t.Fatal(err) // a registration in progress, deleted with the user
	}
	if err := f.pool.DeleteUser(ctx, tok.AccessToken); err != nil {
		t.Fatal(err)
	}
	for _, at := range []string{tok.AccessToken, other.AccessToken} {
		_, err := f.pool.Profile(ctx, at)
		wantReason(t, "profile", err, auth.ReasonTokenRevoked)
		_, err = f.pool.Attributes(ctx, at, []string{"openid"})
		wantReason(t, "attributes", err, auth.ReasonTokenRevoked)
		wantReason(t, "delete again", f.pool.DeleteUser(ctx, at), auth.ReasonTokenRevoked)
	}
	for _, rt := range []string{tok.RefreshToken, other.RefreshToken} {
		_, err := f.pool.Refresh(ctx, auth.Refresh{Token: rt})
		wantReason(t, "refresh", err, auth.ReasonNotAuthorized)
	}
	if _, err := f.pool.SignInPassword(ctx, email, password); err == nil {
		t.Fatal("a deleted user signed in")
	}
	f.confirmed(t, email, nil)
}

// Every call of a user's own account refuses an access token the pool no longer accepts,
// and takes the failures a test injects.
func TestAccountCallsNeedALiveTokenAndTakeInjectedFailures(t *testing.T) {
	f := newFixture(t)
	f.confirmed(t, email, nil)
	tok := f.signIn(t, email, password)
	calls := map[string]func(at string) error{
		"Profile": func(at string) error { _, err := f.pool.Profile(ctx, at); return err },
		"UpdateAttributes": func(at string) error {
			_, err := f.pool.UpdateAttributes(ctx, at, map[string]string{"name": "x"})
			return err
		},
		"VerifyAttribute":   func(at string) error { return f.pool.VerifyAttribute(ctx, at, "email", "123456") },
		"SendAttributeCode": func(at string) error { _, err := f.pool.SendAttributeCode(ctx, at, "email"); return err },
		"DeleteUser":        func(at string) error { return f.pool.DeleteUser(ctx, at) },
	}
	for op, call := range calls {
		f.pool.Fail(op, &auth.PoolError{Reason: auth.ReasonUnavailable})
		wantReason(t, op+" injected", call(tok.AccessToken), auth.ReasonUnavailable)
		if f.pool.Calls(op) != 1 {
			t.Errorf("%s: %d calls", op, f.pool.Calls(op))
		}
	}
	if err := f.pool.GlobalSignOut(ctx, tok.AccessToken); err != nil {
		t.Fatal(err)
	}
	for op, call := range calls {
		wantReason(t, op+" after a global sign-out", call(tok.AccessToken), auth.ReasonTokenRevoked)
	}
}
