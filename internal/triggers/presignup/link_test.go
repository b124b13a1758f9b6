package presignup

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/monban-auth/monban/internal/golden"
)

// fakeDirectory is a user pool of a few users; it records what it is asked.
type fakeDirectory struct {
	users   []User
	findErr error
	linkErr error

	finds []string // the addresses looked up
	links []linked
}

type linked struct {
	pool, username string
	source         Identity
}

func (f *fakeDirectory) FindByEmail(_ context.Context, poolID, email string) ([]User, error) {
	f.finds = append(f.finds, email)
	if poolID != "eu-west-1_AbCdEf123" {
		return nil, errors.New("the pool id is not the event's")
	}
	return f.users, f.findErr
}

func (f *fakeDirectory) Link(_ context.Context, poolID, username string, source Identity) error {
	f.links = append(f.links, linked{pool: poolID, username: username, source: source})
	return f.linkErr
}

// linkConfig links Google, Apple and an OIDC provider named Okta, with self sign-ups
// confirmed but not verified without a code (which linking requires).
func linkConfig() Config {
	c := DefaultConfig()
	c.AutoVerifyEmail = false
	c.LinkExistingAccounts = true
	c.LinkProviders = []string{"Google", "SignInWithApple", "Okta"}
	return c
}

func TestLinkingExternalSignUps(t *testing.T) {
	const pool = "eu-west-1_AbCdEf123"
	account := User{Username: "6f1c2a9e-0b5d-4c3e-9a77-1d2e3f4a5b6c", Email: "dave@example.com", Status: StatusConfirmed, EmailVerified: true}
	with := func(u User, edit func(*User)) User { edit(&u); return u }
	google := &linked{pool: pool, username: account.Username, source: Identity{Provider: "Google", Subject: "109876543210987654321"}}
	verified := func(e *events.CognitoEventUserPoolsPreSignup) { e.Request.UserAttributes["email_verified"] = "true" }
	cases := []struct {
		name     string
		cfg      Config
		event    string
		edit     func(*events.CognitoEventUserPoolsPreSignup)
		users    []User
		findErr  error
		linkErr  error
		wantFind bool
		wantLink *linked
		reject   string // the expected refusal; "" lets the sign-up go on
		golden   string // for a sign-up that goes on: its answer; "" means unchanged
		reason   string // why it was not linked, as logged
	}{
		{name: "a Google sign-up with a verified address is linked to the confirmed, verified account that has it",
			event: "external-provider-google-verified.json", users: []User{account},
			wantFind: true, wantLink: google, reject: MessageAccountLinked},
		{name: "a username that arrives lower-cased is linked under the provider's name as the pool spells it",
			event: "external-provider-apple-lowercase.json", users: []User{account}, wantFind: true,
			wantLink: &linked{pool: pool, username: account.Username, source: Identity{Provider: "SignInWithApple", Subject: "001968.a6ca34e9c1e742458a26cf8005854be9.0733"}},
			reject:   MessageAccountLinked},
		{name: "an OIDC sign-up is linked with its subject as it came",
			event: "external-provider-oidc.json", users: []User{account}, wantFind: true,
			wantLink: &linked{pool: pool, username: account.Username, source: Identity{Provider: "Okta", Subject: "00u1abcDEF2ghIJK3l4"}},
			reject:   MessageAccountLinked},
		{name: "an account whose address differs only in case is linked",
			event: "external-provider-google-verified.json", users: []User{with(account, func(u *User) { u.Email = "Dave@Example.COM" })},
			wantFind: true, wantLink: google, reject: MessageAccountLinked},
		{name: "a provider user with the address beside the one account does not stop the link",
			event:    "external-provider-google-verified.json",
			users:    []User{{Username: "facebook_10223344556677889", Email: "dave@example.com", Status: StatusExternalProvider, EmailVerified: true}, account},
			wantFind: true, wantLink: google, reject: MessageAccountLinked},

		{name: "a sign-up whose provider did not say it verified the address is not linked",
			event: "external-provider.json", users: []User{account}, reason: "provider_did_not_verify_address"},
		{name: "a provider's email_verified false is not linked",
			event: "external-provider-google-verified.json", users: []User{account},
			edit:   func(e *events.CognitoEventUserPoolsPreSignup) { e.Request.UserAttributes["email_verified"] = "false" },
			reason: "provider_did_not_verify_address"},
		{name: "a Facebook sign-up is never linked, even with an email_verified mapped",
			event: "external-provider-facebook.json", edit: verified, users: []User{account}, reason: "provider_not_linked"},
		{name: "a SAML sign-up is never linked, even with an email_verified mapped",
			event: "external-provider-saml.json", edit: verified, users: []User{account}, reason: "provider_not_linked"},
		{name: "a username without a subject is not linked",
			event: "external-provider-google-verified.json", users: []User{account},
			edit:   func(e *events.CognitoEventUserPoolsPreSignup) { e.UserName = "Google_" },
			reason: "provider_not_linked"},
		{name: "an address with a quote is never put in a filter",
			event: "external-provider-google-verified.json", users: []User{account},
			edit: func(e *events.CognitoEventUserPoolsPreSignup) {
				e.Request.UserAttributes["email"] = `dave"@example.com`
			},
			reason: "address_unusable"},
		{name: "with no account at the address the sign-up goes on as a new user",
			event: "external-provider-google-verified.json", wantFind: true, reason: "no_existing_account"},
		{name: "an address only another provider's user has is not linked",
			event: "external-provider-google-verified.json", wantFind: true,
			users:  []User{{Username: "facebook_10223344556677889", Email: "dave@example.com", Status: StatusExternalProvider, EmailVerified: true}},
			reason: "no_existing_account"},
		{name: "several accounts with the address are not linked",
			event: "external-provider-google-verified.json", wantFind: true,
			users:  []User{account, with(account, func(u *User) { u.Username = "0b7e…second" })},
			reason: "several_existing_accounts"},
		{name: "an unconfirmed account is not linked",
			event: "external-provider-google-verified.json", wantFind: true,
			users: []User{with(account, func(u *User) { u.Status = "UNCONFIRMED" })}, reason: "existing_account_unconfirmed"},
		{name: "an account that must change its temporary password is not linked",
			event: "external-provider-google-verified.json", wantFind: true,
			users: []User{with(account, func(u *User) { u.Status = "FORCE_CHANGE_PASSWORD" })}, reason: "existing_account_unconfirmed"},
		{name: "an account whose own address is unverified is not linked",
			event: "external-provider-google-verified.json", wantFind: true,
			users: []User{with(account, func(u *User) { u.EmailVerified = false })}, reason: "existing_account_unverified"},
		{name: "a user the directory returns with another address is not linked",
			event: "external-provider-google-verified.json", wantFind: true,
			users: []User{with(account, func(u *User) { u.Email = "dave@example.org" })}, reason: "no_existing_account"},

		{name: "a failed lookup refuses the sign-up, to be tried again, rather than split the account",
			event: "external-provider-google-verified.json", findErr: errors.New("ListUsers: TooManyRequestsException"),
			wantFind: true, reject: MessageTryAgain},
		{name: "a failed link refuses the sign-up, to be tried again",
			event: "external-provider-google-verified.json", users: []User{account}, linkErr: errors.New("AdminLinkProviderForUser: InternalErrorException"),
			wantFind: true, wantLink: google, reject: MessageTryAgain},
		{name: "an address outside the allow-list is refused before anyone is looked up",
			cfg:   func() Config { c := linkConfig(); c.AllowedDomains = []string{"example.org"}; return c }(),
			event: "external-provider-google-verified.json", users: []User{account}, reject: MessageDomainNotAllowed},
		{name: "a sign-up that is not linked is still confirmed when external auto-confirm is on",
			cfg:   func() Config { c := linkConfig(); c.ExternalAutoConfirm = true; return c }(),
			event: "external-provider-google-verified.json", wantFind: true,
			golden: "external-provider-google-verified-confirmed.json", reason: "no_existing_account"},
		{name: "with linking off nobody is looked up",
			cfg:   func() Config { c := linkConfig(); c.LinkExistingAccounts = false; return c }(),
			event: "external-provider-google-verified.json", users: []User{account}},
		{name: "a self sign-up is never linked",
			event: "signup.json", users: []User{account}, golden: "signup-confirmed-unverified.json"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := c.cfg
			if cfg.LinkProviders == nil {
				cfg = linkConfig()
			}
			dir := &fakeDirectory{users: c.users, findErr: c.findErr, linkErr: c.linkErr}
			var logs bytes.Buffer
			h, err := New(cfg, slog.New(slog.NewJSONHandler(&logs, nil)), WithDirectory(dir))
			if err != nil {
				t.Fatal(err)
			}
			var ev events.CognitoEventUserPoolsPreSignup
			readJSON(t, filepath.Join("testdata", c.event), &ev)
			if c.edit != nil {
				c.edit(&ev)
			}
			in := marshal(t, ev)
			out, err := h.Handle(context.Background(), ev)

			if got := len(dir.finds) > 0; got != c.wantFind {
				t.Errorf("looked up: %v, want %v", got, c.wantFind)
			}
			if c.wantLink == nil && len(dir.links) > 0 || c.wantLink != nil && !slices.Equal(dir.links, []linked{*c.wantLink}) {
				t.Errorf("links = %+v, want %+v", dir.links, c.wantLink)
			}
			if c.reject != "" {
				var r *Rejection
				if !errors.As(err, &r) || r.Message != c.reject {
					t.Fatalf("err = %v, want rejection %q", err, c.reject)
				}
			} else {
				if err != nil {
					t.Fatalf("Handle: %v", err)
				}
				if got := marshal(t, out); c.golden != "" {
					golden.JSON(t, c.golden, got)
				} else if !bytes.Equal(got, in) {
					t.Fatalf("the event changed:\n got %s\nwant %s", got, in)
				}
			}
			if c.reason != "" && !strings.Contains(logs.String(), `"reason":"`+c.reason+`"`) {
				t.Errorf("log does not give the reason %q: %s", c.reason, logs.String())
			}
			// Logs name providers and reasons: never the address, the subject or a username.
			for _, secret := range []string{"dave", "109876543210987654321", "001968.a6ca", "00u1abc", "10223344556677889", account.Username} {
				if strings.Contains(strings.ToLower(logs.String()), strings.ToLower(secret)) {
					t.Errorf("the log contains %q: %s", secret, logs.String())
				}
			}
		})
	}
}

func TestLinkSettings(t *testing.T) {
	env := func(kv ...string) map[string]string {
		m := map[string]string{EnvAutoVerifyEmail: "false"}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	cases := []struct {
		name      string
		env       map[string]string
		wantLink  bool
		providers []string
		wantErr   []string // substrings of the error
	}{
		{name: "linking is off by default", env: map[string]string{}},
		{name: "linking is read with its providers", env: env(EnvLinkExistingAccounts, "true", EnvLinkProviders, " Google, SignInWithApple ,,Okta"),
			wantLink: true, providers: []string{"Google", "SignInWithApple", "Okta"}},
		{name: "providers may be named while linking is off", env: env(EnvLinkProviders, "Google"), providers: []string{"Google"}},
		{name: "codes at sign-up prove the address, so auto-verification does not matter then",
			env:      map[string]string{EnvLinkExistingAccounts: "true", EnvLinkProviders: "Google", EnvAutoConfirm: "false"},
			wantLink: true, providers: []string{"Google"}},
		{name: "linking needs providers", env: env(EnvLinkExistingAccounts, "true"), wantErr: []string{EnvLinkProviders}},
		{name: "linking refuses addresses verified without a code",
			env:     map[string]string{EnvLinkExistingAccounts: "true", EnvLinkProviders: "Google"},
			wantErr: []string{EnvLinkExistingAccounts, EnvAutoVerifyEmail + "=false"}},
		{name: "Facebook is never a linking provider", env: env(EnvLinkExistingAccounts, "true", EnvLinkProviders, "Google,facebook"),
			wantErr: []string{"Facebook does not say"}},
		{name: "a provider name with an underscore cannot be matched against usernames", env: env(EnvLinkProviders, "Corp_IdP"),
			wantErr: []string{`"Corp_IdP"`}},
		{name: "Cognito is not a provider", env: env(EnvLinkProviders, "COGNITO"), wantErr: []string{"Cognito is the pool's own directory"}},
		{name: "a bad switch is named", env: env(EnvLinkExistingAccounts, "yes"), wantErr: []string{EnvLinkExistingAccounts + ": must be true or false"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ConfigFromEnv(func(k string) string { return c.env[k] })
			if len(c.wantErr) > 0 {
				if err == nil {
					t.Fatalf("no error; config %+v", got)
				}
				for _, s := range c.wantErr {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not mention %s", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.LinkExistingAccounts != c.wantLink || !slices.Equal(got.LinkProviders, c.providers) {
				t.Fatalf("link %v %q, want %v %q", got.LinkExistingAccounts, got.LinkProviders, c.wantLink, c.providers)
			}
		})
	}
}

// New holds a Config built in code to the same rules, and linking to having a directory.
func TestNewRefusesLinkingItCannotDoSafely(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	if _, err := New(linkConfig(), log); err == nil || !strings.Contains(err.Error(), "no user directory") {
		t.Errorf("linking without a directory: err = %v", err)
	}
	unsafe := linkConfig()
	unsafe.AutoVerifyEmail = true
	if _, err := New(unsafe, log, WithDirectory(&fakeDirectory{})); err == nil || !strings.Contains(err.Error(), EnvAutoVerifyEmail) {
		t.Errorf("linking with auto-verified addresses: err = %v", err)
	}
	if _, err := New(linkConfig(), log, WithDirectory(&fakeDirectory{})); err != nil {
		t.Errorf("a safe linking configuration: %v", err)
	}
}
