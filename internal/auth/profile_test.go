package auth_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/auth/userpooltest"
)

// profilePool is the in-memory pool with some of its account calls scripted: a nil function
// leaves the pool's own.
type profilePool struct {
	*userpooltest.Pool
	profile func() (*auth.Profile, error)
	// updates answer UpdateAttributes in turn; past the last, the pool answers.
	updates []func(map[string]string) ([]auth.Delivery, error)
	updated []map[string]string // what each UpdateAttributes call was asked to write
	send    func() (*auth.Delivery, error)
	signIn  func(username, password string) (*auth.Step, error)
}

func (p *profilePool) Profile(ctx context.Context, token string) (*auth.Profile, error) {
	if p.profile == nil {
		return p.Pool.Profile(ctx, token)
	}
	return p.profile()
}

func (p *profilePool) UpdateAttributes(ctx context.Context, token string, attrs map[string]string) ([]auth.Delivery, error) {
	p.updated = append(p.updated, maps.Clone(attrs))
	if n := len(p.updated); n <= len(p.updates) && p.updates[n-1] != nil {
		return p.updates[n-1](attrs)
	}
	return p.Pool.UpdateAttributes(ctx, token, attrs)
}

func (p *profilePool) SendAttributeCode(ctx context.Context, token, attribute string) (*auth.Delivery, error) {
	if p.send == nil {
		return p.Pool.SendAttributeCode(ctx, token, attribute)
	}
	return p.send()
}

func (p *profilePool) SignInPassword(ctx context.Context, username, password string) (*auth.Step, error) {
	if p.signIn == nil {
		return p.Pool.SignInPassword(ctx, username, password)
	}
	return p.signIn(username, password)
}

// withProfilePool runs the harness on a profilePool that script sets up.
func withProfilePool(script func(p *profilePool)) (option, *profilePool) {
	pp := &profilePool{}
	return withWrap(func(p *userpooltest.Pool) auth.UserPool {
		pp.Pool = p
		if script != nil {
			script(pp)
		}
		return pp
	}), pp
}

func TestProfile(t *testing.T) {
	cases := []struct {
		name    string
		fail    error
		profile func() (*auth.Profile, error)
		want    auth.Code
	}{
		{name: "every attribute, sub and the flags included"},
		{name: "a revoked token ends the session", fail: poolErr(auth.ReasonTokenRevoked, ""), want: auth.CodeUnauthenticated},
		{name: "a refused token ends the session", fail: poolErr(auth.ReasonNotAuthorized, ""), want: auth.CodeUnauthenticated},
		{name: "a deleted user ends the session", fail: poolErr(auth.ReasonUserNotFound, ""), want: auth.CodeUnauthenticated},
		{name: "the pool unreachable", fail: poolErr(auth.ReasonUnavailable, ""), want: auth.CodeUpstreamUnavailable},
		{name: "no user in the answer", profile: func() (*auth.Profile, error) { return nil, nil }, want: auth.CodeInternal},
		{name: "no attributes in the answer", profile: func() (*auth.Profile, error) { return &auth.Profile{Username: "u"}, nil }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opt, _ := withProfilePool(func(p *profilePool) { p.profile = c.profile })
			h := newHarness(t, opt)
			h.user(alice, map[string]string{"name": "Alice", "custom:tenant": "t1"})
			sess := &h.signIn(alice).Session
			h.pool.Fail("Profile", c.fail)
			p, err := h.svc.Profile(h.ctx, sess)
			wantErr(t, err, c.want, "")
			switch {
			case c.want != "":
			case c.profile != nil:
				if p.Username != "u" || p.Attributes == nil || len(p.Attributes) != 0 {
					t.Fatalf("%+v", p)
				}
			default:
				want := map[string]string{"sub": sess.User.Sub, "email": alice, "email_verified": "true", "name": "Alice", "custom:tenant": "t1"}
				if p.Username != sess.User.Username || !maps.Equal(p.Attributes, want) {
					t.Fatalf("%+v, want %v", p, want)
				}
			}
		})
	}
}

// What a browser sends is checked before Cognito is asked; the attributes no user may
// change are refused whatever the app client allows.
func TestUpdateProfileChecksItsInput(t *testing.T) {
	many := map[string]string{}
	for i := range 33 {
		many["custom:a"+strings.Repeat("x", i%20)+string(rune('a'+i%26))+string(rune('a'+i/26))] = "v"
	}
	cases := []struct {
		name    string
		attrs   map[string]string
		want    auth.Code
		message string
	}{
		{"nothing", nil, auth.CodeInvalidRequest, "attributes is required"},
		{"an empty object", map[string]string{}, auth.CodeInvalidRequest, "attributes is required"},
		{"too many", many, auth.CodeInvalidRequest, "at most 32 attributes may be changed at once"},
		{"a name too long for Cognito", map[string]string{"custom:" + strings.Repeat("a", 26): "v"}, auth.CodeInvalidRequest, `attribute "custom:aaaaaaaaaaaaaaaaaaaaaaaaaa" is malformed`},
		{"a name with a space", map[string]string{"given name": "v"}, auth.CodeInvalidRequest, `attribute "given name" is malformed`},
		{"a name starting with a digit", map[string]string{"1name": "v"}, auth.CodeInvalidRequest, `attribute "1name" is malformed`},
		{"a value too long", map[string]string{"name": strings.Repeat("a", 2049)}, auth.CodeInvalidRequest, `the value of attribute "name" is malformed`},
		{"a value not UTF-8", map[string]string{"name": "\xff"}, auth.CodeInvalidRequest, `the value of attribute "name" is malformed`},
		{"a value with NUL", map[string]string{"name": "a\x00b"}, auth.CodeInvalidRequest, `the value of attribute "name" is malformed`},
		{"sub", map[string]string{"sub": "x"}, auth.CodeForbidden, `The attribute "sub" cannot be changed.`},
		{"email_verified", map[string]string{"email_verified": "true"}, auth.CodeForbidden, `The attribute "email_verified" cannot be changed.`},
		{"email_verified in another case", map[string]string{"Email_Verified": "true"}, auth.CodeForbidden, `The attribute "Email_Verified" cannot be changed.`},
		{"phone_number_verified", map[string]string{"phone_number_verified": "true"}, auth.CodeForbidden, ""},
		{"identities", map[string]string{"identities": "[]"}, auth.CodeForbidden, ""},
		{"username", map[string]string{"username": "x"}, auth.CodeForbidden, ""},
		{"a cognito: attribute", map[string]string{"cognito:user_status": "CONFIRMED"}, auth.CodeForbidden, `The attribute "cognito:user_status" cannot be changed.`},
		{"a refused one among allowed ones", map[string]string{"name": "A", "email_verified": "true"}, auth.CodeForbidden, `The attribute "email_verified" cannot be changed.`},
		{"the longest name", map[string]string{"custom:" + strings.Repeat("a", 25): "v"}, auth.CodeForbidden, `One of the attributes custom:aaaaaaaaaaaaaaaaaaaaaaaaa cannot be changed.`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The app client may write the flags: monban refuses them anyway.
			h := newHarness(t, withPool(func(o *userpooltest.Options) {
				o.WriteAttributes = []string{"name", "email_verified", "phone_number_verified"}
			}))
			sess := sessionOf(h)
			_, err := h.svc.UpdateProfile(h.ctx, sess, auth.ProfileUpdate{Attributes: c.attrs})
			if c.name == "the longest name" {
				// Well-formed: it reaches the pool, whose app client may not write it.
				wantErr(t, err, c.want, `The attribute "custom:aaaaaaaaaaaaaaaaaaaaaaaaa" cannot be changed.`)
				return
			}
			wantErr(t, err, c.want, c.message)
			if n := h.pool.Calls("UpdateAttributes"); n != 0 {
				t.Fatalf("the pool was asked %d times", n)
			}
			if p, _ := h.svc.Profile(h.ctx, sess); p.Attributes["email_verified"] != "true" || p.Attributes["name"] != "" {
				t.Fatalf("profile %v", p.Attributes)
			}
		})
	}
}

func TestUpdateProfile(t *testing.T) {
	cases := []struct {
		name    string
		attrs   map[string]string
		fail    error
		want    auth.Code
		message string
		sent    []auth.Verification
		after   map[string]string
	}{
		{name: "a name", attrs: map[string]string{"name": "Ann", "locale": "fr"},
			sent: []auth.Verification{}, after: map[string]string{"name": "Ann", "locale": "fr", "email": alice}},
		{name: "a new address waits for its code", attrs: map[string]string{"email": "new@example.org", "name": "Ann"},
			sent:  []auth.Verification{{Attribute: "email", Medium: "EMAIL", Destination: "n***@e***"}},
			after: map[string]string{"name": "Ann", "email": alice, "email_verified": "true"}},
		{name: "an attribute the app client may not write", attrs: map[string]string{"custom:tenant": "t2"},
			want: auth.CodeForbidden, message: `The attribute "custom:tenant" cannot be changed.`, after: map[string]string{"custom:tenant": "t1"}},
		{name: "one of several the app client may not write", attrs: map[string]string{"name": "Ann", "custom:tenant": "t2"},
			want: auth.CodeForbidden, message: `One of the attributes custom:tenant, name cannot be changed.`,
			after: map[string]string{"custom:tenant": "t1", "name": "Alice"}},
		{name: "a value Cognito refuses", attrs: map[string]string{"email": "not-an-address"},
			want: auth.CodeInvalidRequest, message: "Invalid email address format."},
		{name: "an alias of another kind taken", attrs: map[string]string{"preferred_username": "bob"},
			fail: poolErr(auth.ReasonAliasExists, "An account with the given preferred_username already exists."),
			want: auth.CodeUsernameExists, message: "Another account already uses this value."},
		{name: "a revoked token", attrs: map[string]string{"name": "Ann"}, fail: poolErr(auth.ReasonTokenRevoked, ""), want: auth.CodeUnauthenticated},
		{name: "a deleted user", attrs: map[string]string{"name": "Ann"}, fail: poolErr(auth.ReasonUserNotFound, ""), want: auth.CodeUnauthenticated},
		{name: "the code cannot be delivered", attrs: map[string]string{"email": "new@example.org"}, fail: poolErr(auth.ReasonDeliveryFailed, ""), want: auth.CodeUpstreamUnavailable},
		{name: "too many changes", attrs: map[string]string{"email": "new@example.org"}, fail: poolErr(auth.ReasonLimitExceeded, ""), want: auth.CodeTooManyRequests},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			h.user(alice, map[string]string{"name": "Alice", "custom:tenant": "t1"})
			sess := &h.signIn(alice).Session
			h.pool.Fail("UpdateAttributes", c.fail)
			got, err := h.svc.UpdateProfile(h.ctx, sess, auth.ProfileUpdate{Attributes: c.attrs})
			wantErr(t, err, c.want, c.message)
			if err == nil && (!slices.Equal(got.Verification, c.sent) || got.Verification == nil || got.Profile.Attributes["sub"] != sess.User.Sub) {
				t.Fatalf("%+v, want %v sent", got, c.sent)
			}
			p, _ := h.svc.Profile(h.ctx, sess)
			for k, v := range c.after {
				if p.Attributes[k] != v {
					t.Errorf("%s = %q, want %q", k, p.Attributes[k], v)
				}
			}
			if err == nil && !maps.Equal(got.Profile.Attributes, p.Attributes) {
				t.Errorf("answered %v, the profile is %v", got.Profile.Attributes, p.Attributes)
			}
		})
	}
}

// Changing the address to one another account has answers exactly as changing it to a free
// one: a code "sent" to it, masked alike, the other attributes written; the log says so
// without the address.
func TestUpdateProfileHidesATakenAddress(t *testing.T) {
	answer := func(h *harness, sess *auth.Session, to string) *auth.ProfileChange {
		t.Helper()
		got, err := h.svc.UpdateProfile(h.ctx, sess, auth.ProfileUpdate{Attributes: map[string]string{"email": to, "name": "Ann"}})
		if err != nil {
			t.Fatalf("%s: %v", to, err)
		}
		delete(got.Profile.Attributes, "sub")
		return got
	}
	free := newHarness(t)
	freeAnswer := answer(free, sessionOf(free), "bob@example.com")

	taken := newHarness(t)
	taken.user(bob, nil)
	takenAnswer := answer(taken, sessionOf(taken), "bob@example.com")

	if !slices.Equal(freeAnswer.Verification, takenAnswer.Verification) || !maps.Equal(freeAnswer.Profile.Attributes, takenAnswer.Profile.Attributes) {
		t.Fatalf("free %+v, taken %+v", freeAnswer, takenAnswer)
	}
	if takenAnswer.Profile.Attributes["name"] != "Ann" || takenAnswer.Profile.Attributes["email"] != alice {
		t.Fatalf("taken: %v", takenAnswer.Profile.Attributes)
	}
	logs := taken.logs.String()
	if !strings.Contains(logs, "another account has") || strings.Contains(strings.ToLower(logs), "bob@") {
		t.Fatalf("logs: %s", logs)
	}
	if strings.Contains(free.logs.String(), "another account has") {
		t.Fatalf("a free address logged as taken: %s", free.logs)
	}
}

func TestUpdateProfileWithATakenAddressAlone(t *testing.T) {
	opt, pp := withProfilePool(nil)
	h := newHarness(t, opt)
	h.user(bob, nil)
	got, err := h.svc.UpdateProfile(h.ctx, sessionOf(h), auth.ProfileUpdate{Attributes: map[string]string{"email": bob}})
	if err != nil || !slices.Equal(got.Verification, []auth.Verification{{Attribute: "email", Medium: "EMAIL", Destination: "b***@e***"}}) {
		t.Fatalf("%+v %v", got, err)
	}
	if len(pp.updated) != 1 {
		t.Fatalf("nothing else to write, yet %v", pp.updated)
	}
}

// The other attributes of a change to a taken address are written on their own; what that
// write answers is the answer.
func TestUpdateProfileWithATakenAddressWritesTheRest(t *testing.T) {
	aliasExists := func(map[string]string) ([]auth.Delivery, error) {
		return nil, poolErr(auth.ReasonAliasExists, "An account with the given email already exists.")
	}
	cases := []struct {
		name   string
		second func(map[string]string) ([]auth.Delivery, error)
		want   auth.Code
		sent   []auth.Verification
	}{
		{name: "a code for the phone number beside", second: func(map[string]string) ([]auth.Delivery, error) {
			return []auth.Delivery{{Medium: "SMS", Destination: "+*****0100"}}, nil
		}, sent: []auth.Verification{
			{Attribute: "phone_number", Medium: "SMS", Destination: "+*****0100"},
			{Attribute: "email", Medium: "EMAIL", Destination: "b***@e***"},
		}},
		{name: "the rest refused", second: func(map[string]string) ([]auth.Delivery, error) {
			return nil, poolErr(auth.ReasonAttributeNotWritable, "")
		}, want: auth.CodeForbidden},
		{name: "the rest failing", second: func(map[string]string) ([]auth.Delivery, error) {
			return nil, poolErr(auth.ReasonUnavailable, "")
		}, want: auth.CodeUpstreamUnavailable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opt, pp := withProfilePool(func(p *profilePool) {
				p.updates = append(p.updates, aliasExists, c.second)
			})
			h := newHarness(t, opt)
			got, err := h.svc.UpdateProfile(h.ctx, sessionOf(h), auth.ProfileUpdate{Attributes: map[string]string{"email": bob, "phone_number": "+15550100"}})
			wantErr(t, err, c.want, "")
			if err == nil && !slices.Equal(got.Verification, c.sent) {
				t.Fatalf("%+v", got.Verification)
			}
			if len(pp.updated) != 2 || !maps.Equal(pp.updated[1], map[string]string{"phone_number": "+15550100"}) {
				t.Fatalf("writes %v", pp.updated)
			}
		})
	}
}

// A delivery by a medium Cognito does not verify attributes with names none; a profile
// that cannot be read after the change fails the change's answer.
func TestUpdateProfileEdges(t *testing.T) {
	opt, pp := withProfilePool(func(p *profilePool) {
		p.updates = append(p.updates, func(map[string]string) ([]auth.Delivery, error) {
			return []auth.Delivery{{Medium: "PIGEON"}}, nil
		})
	})
	h := newHarness(t, opt)
	sess := sessionOf(h)
	got, err := h.svc.UpdateProfile(h.ctx, sess, auth.ProfileUpdate{Attributes: map[string]string{"name": "Ann"}})
	if err != nil || !slices.Equal(got.Verification, []auth.Verification{{Medium: "PIGEON"}}) {
		t.Fatalf("%+v %v", got, err)
	}
	pp.updates = nil
	h.pool.Fail("Profile", poolErr(auth.ReasonUnavailable, ""))
	_, err = h.svc.UpdateProfile(h.ctx, sess, auth.ProfileUpdate{Attributes: map[string]string{"name": "Ann"}})
	wantErr(t, err, auth.CodeUpstreamUnavailable, "")
}

func TestVerifyAttribute(t *testing.T) {
	const newAddr = "new@example.org"
	cases := []struct {
		name  string
		req   func(h *harness) auth.AttributeCode
		fail  error
		want  auth.Code
		email string // the address after
	}{
		{name: "the code sent to the new address", req: func(h *harness) auth.AttributeCode {
			return auth.AttributeCode{Attribute: "email", Code: h.pool.Code(alice)}
		}, email: newAddr},
		{name: "a wrong code", req: func(h *harness) auth.AttributeCode {
			return auth.AttributeCode{Attribute: "email", Code: otherThan(h.pool.Code(alice))}
		}, want: auth.CodeCodeMismatch, email: alice},
		{name: "an attribute without codes", req: func(h *harness) auth.AttributeCode {
			return auth.AttributeCode{Attribute: "name", Code: "123456"}
		}, want: auth.CodeInvalidRequest, email: alice},
		{name: "no code", req: func(h *harness) auth.AttributeCode { return auth.AttributeCode{Attribute: "email"} },
			want: auth.CodeInvalidRequest, email: alice},
		{name: "a code too long", req: func(h *harness) auth.AttributeCode {
			return auth.AttributeCode{Attribute: "email", Code: strings.Repeat("1", 17)}
		}, want: auth.CodeInvalidRequest, email: alice},
		{name: "a code with other characters", req: func(h *harness) auth.AttributeCode {
			return auth.AttributeCode{Attribute: "email", Code: "12 456"}
		}, want: auth.CodeInvalidRequest, email: alice},
		{name: "an expired code", req: func(h *harness) auth.AttributeCode {
			return auth.AttributeCode{Attribute: "email", Code: "123456"}
		}, fail: poolErr(auth.ReasonExpiredCode, ""), want: auth.CodeExpiredCode, email: alice},
		{name: "too many attempts", req: func(h *harness) auth.AttributeCode {
			return auth.AttributeCode{Attribute: "email", Code: "123456"}
		}, fail: poolErr(auth.ReasonLimitExceeded, ""), want: auth.CodeTooManyRequests, email: alice},
		{name: "too many failures", req: func(h *harness) auth.AttributeCode {
			return auth.AttributeCode{Attribute: "email", Code: "123456"}
		}, fail: poolErr(auth.ReasonTooManyFailedAttempts, ""), want: auth.CodeTooManyRequests, email: alice},
		{name: "a revoked token", req: func(h *harness) auth.AttributeCode {
			return auth.AttributeCode{Attribute: "email", Code: "123456"}
		}, fail: poolErr(auth.ReasonNotAuthorized, ""), want: auth.CodeUnauthenticated, email: alice},
		{name: "the address taken meanwhile", req: func(h *harness) auth.AttributeCode {
			h.user(newAddr, nil)
			return auth.AttributeCode{Attribute: "email", Code: h.pool.Code(alice)}
		}, want: auth.CodeUsernameExists, email: alice},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			sess := sessionOf(h)
			if _, err := h.svc.UpdateProfile(h.ctx, sess, auth.ProfileUpdate{Attributes: map[string]string{"email": newAddr}}); err != nil {
				t.Fatal(err)
			}
			req := c.req(h)
			h.pool.Fail("VerifyAttribute", c.fail)
			p, err := h.svc.VerifyAttribute(h.ctx, sess, req)
			wantErr(t, err, c.want, "")
			if err == nil && (p.Attributes["email"] != newAddr || p.Attributes["email_verified"] != "true") {
				t.Fatalf("answered %v", p.Attributes)
			}
			if p, _ := h.svc.Profile(h.ctx, sess); p.Attributes["email"] != c.email {
				t.Fatalf("the address is %q, want %q", p.Attributes["email"], c.email)
			}
		})
	}
}

func TestResendAttributeCode(t *testing.T) {
	cases := []struct {
		name      string
		attribute string
		fail      error
		send      func() (*auth.Delivery, error)
		want      auth.Code
		sent      []auth.Verification
	}{
		{name: "to the pending address", attribute: "email",
			sent: []auth.Verification{{Attribute: "email", Medium: "EMAIL", Destination: "n***@e***"}}},
		{name: "an attribute without codes", attribute: "name", want: auth.CodeInvalidRequest},
		{name: "no phone number", attribute: "phone_number", want: auth.CodeInvalidRequest},
		{name: "no delivery details", attribute: "phone_number", send: func() (*auth.Delivery, error) { return nil, nil },
			sent: []auth.Verification{{Attribute: "phone_number", Medium: "SMS"}}},
		{name: "too many codes", attribute: "email", fail: poolErr(auth.ReasonLimitExceeded, ""), want: auth.CodeTooManyRequests},
		{name: "a deleted user", attribute: "email", fail: poolErr(auth.ReasonUserNotFound, ""), want: auth.CodeUnauthenticated},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opt, _ := withProfilePool(func(p *profilePool) { p.send = c.send })
			h := newHarness(t, opt)
			sess := sessionOf(h)
			if _, err := h.svc.UpdateProfile(h.ctx, sess, auth.ProfileUpdate{Attributes: map[string]string{"email": "new@example.org"}}); err != nil {
				t.Fatal(err)
			}
			first := h.pool.Code(alice)
			h.pool.Fail("SendAttributeCode", c.fail)
			sent, err := h.svc.ResendAttributeCode(h.ctx, sess, auth.AttributeCodeRequest{Attribute: c.attribute})
			wantErr(t, err, c.want, "")
			if err == nil && !slices.Equal(sent, c.sent) {
				t.Fatalf("sent %+v, want %+v", sent, c.sent)
			}
			if c.name == "to the pending address" {
				if p, err := h.svc.VerifyAttribute(h.ctx, sess, auth.AttributeCode{Attribute: "email", Code: h.pool.Code(alice)}); err != nil || p.Attributes["email"] != "new@example.org" {
					t.Fatalf("the code sent again (first %s): %v %v", first, p, err)
				}
			}
		})
	}
}

// A bearer session (token mode) shows a change of the profile at once, and a deleted
// account's token stands for nobody, though the user a token stands for is remembered.
func TestBearerSessionFollowsTheProfile(t *testing.T) {
	h := newHarness(t)
	h.user(alice, map[string]string{"name": "Alice"})
	raw := h.tokens(alice).AccessToken
	bearer := func() *auth.Session {
		t.Helper()
		s, err := h.svc.BearerSession(h.ctx, raw)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	sess := bearer()
	if _, err := h.svc.UpdateProfile(h.ctx, sess, auth.ProfileUpdate{Attributes: map[string]string{"name": "Ann", "email": "ann@example.org"}}); err != nil {
		t.Fatal(err)
	}
	if got := bearer().User; got.Attributes.Get("name") != "Ann" || got.Email != alice {
		t.Fatalf("after the update: %+v", got)
	}
	if _, err := h.svc.VerifyAttribute(h.ctx, sess, auth.AttributeCode{Attribute: "email", Code: h.pool.Code(alice)}); err != nil {
		t.Fatal(err)
	}
	if got := bearer().User; got.Email != "ann@example.org" || !got.EmailVerified {
		t.Fatalf("after the verification: %+v", got)
	}
	if err := h.svc.DeleteAccount(h.ctx, sess, auth.DeleteAccountRequest{}, nil); err != nil {
		t.Fatal(err)
	}
	_, err := h.svc.BearerSession(h.ctx, raw)
	wantErr(t, err, auth.CodeUnauthenticated, "")
}
