package presignup

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"unicode"

	"github.com/aws/aws-lambda-go/events"
)

// Linking an external-provider sign-up to an existing account (Config.LinkExistingAccounts).
//
// Cognito creates a separate user, <Provider>_<subject>, the first time someone signs in
// through Google, Apple or an OIDC provider, even when a password account with the same
// e-mail address exists. AdminLinkProviderForUser instead makes that provider identity sign
// in as the existing user ("Linking federated users to an existing user profile", Amazon
// Cognito Developer Guide). Whoever holds the provider identity then holds the account, so
// the trigger links only when both sides have proved the address:
//
//   - the provider says it verified it: the sign-up's email_verified is "true", which only
//     the providers of Config.LinkProviders are trusted to say (the template maps it for
//     Google, Apple and OIDC; Facebook sends no such claim and a SAML assertion has none, so
//     they never link);
//   - exactly one native (Cognito) user has the address, and that user is confirmed with
//     its own email_verified "true". An unverified or unconfirmed account may be someone
//     else's claim to the address, made to catch the owner's later Google sign-in; and
//     email_verified means nothing when sign-ups are verified without a code, so linking
//     refuses that configuration (linkProblems).
//
// Otherwise the sign-up goes on as it would without linking: a separate user.
//
// The sign-in that makes the link cannot finish: after the trigger returns, Cognito goes on
// to create <Provider>_<subject> and fails ("Already found an entry for username", reported
// in aws-amplify/amplify-js#9976 and aws-amplify/amplify-flutter#1716). An AWS expert's
// answer on AWS re:Post ("Best approach to use cognito with google federated idp") says to
// return an error from the pre sign-up trigger and sign in again; the provider's session
// makes the second sign-in a redirect, and Cognito finds the link. So after linking the
// trigger refuses the sign-up itself with MessageAccountLinked: the outcome is the same
// whatever Cognito does after a successful trigger, and it is ours to word.
//
// A failed lookup or link refuses the sign-up too (MessageTryAgain) rather than let it
// create a separate user: a provider identity that has signed in once can no longer be
// linked (AdminLinkProviderForUser links "an external IdP account for a user who doesn't
// exist yet in the user pool"), so a sign-up let through on a passing error would split the
// person's account for good, while a refused one only has to be tried again.

// Messages of a sign-up refused by linking, for the person signing in.
const (
	MessageAccountLinked = "This sign-in is now linked to your existing account. Please sign in again."
	MessageTryAgain      = "Sign-in could not be completed just now. Please try again."
)

// Cognito's UserStatusType values linking tells apart.
const (
	StatusConfirmed        = "CONFIRMED"
	StatusExternalProvider = "EXTERNAL_PROVIDER"
)

// Directory is what linking needs of the user pool: the users with an address, and the
// link. cognitodir implements it with Cognito's API; the tests use a fake. Errors must
// not quote the address (they are logged).
type Directory interface {
	// FindByEmail returns every user of pool poolID whose email attribute is email.
	FindByEmail(ctx context.Context, poolID, email string) ([]User, error)
	// Link makes sign-ins of source sign in as the native user username of pool poolID
	// (AdminLinkProviderForUser).
	Link(ctx context.Context, poolID, username string, source Identity) error
}

// User is a user of the pool, as much as linking looks at.
type User struct {
	Username string
	Email    string
	// Status is Cognito's UserStatus: CONFIRMED, UNCONFIRMED, EXTERNAL_PROVIDER (a user
	// created by a provider sign-in), ...
	Status        string
	EmailVerified bool
}

// Identity is a user of an external identity provider.
type Identity struct {
	// Provider is the provider's name in the user pool, such as Google.
	Provider string
	// Subject is the provider's id of the user (Google's and OIDC's sub, Apple's sub).
	Subject string
}

// providerName is what a provider's name in the pool can be here: no underscore (the
// username Cognito gives a provider's user is <Provider>_<subject>), no space or comma.
var providerName = regexp.MustCompile(`^[^_\s,]{1,32}$`)

// linkProblems lists what makes the linking settings unsafe or unusable.
func (c Config) linkProblems() []string {
	var out []string
	for _, p := range c.LinkProviders {
		switch {
		case !providerName.MatchString(p):
			out = append(out, fmt.Sprintf("%s: %q is not an identity provider's name (1-32 characters, no underscore, space or comma)", EnvLinkProviders, p))
		case strings.EqualFold(p, "Facebook"):
			out = append(out, EnvLinkProviders+": Facebook does not say whether it verified an address, so its sign-ups are never linked")
		case strings.EqualFold(p, "Cognito"):
			out = append(out, EnvLinkProviders+": Cognito is the pool's own directory, not an identity provider")
		}
	}
	if !c.LinkExistingAccounts {
		return out
	}
	if len(c.LinkProviders) == 0 {
		out = append(out, EnvLinkExistingAccounts+" needs "+EnvLinkProviders+": the identity providers (Google, SignInWithApple, an OIDC provider) whose verified addresses may be linked")
	}
	if c.AutoConfirm && c.AutoVerifyEmail {
		out = append(out, EnvLinkExistingAccounts+" needs "+EnvAutoVerifyEmail+"=false (or "+EnvAutoConfirm+"=false): "+
			"an address marked verified without a code proves nothing, and linking to it would hand the owner's provider sign-in to whoever registered the address first")
	}
	return out
}

// link links an external-provider sign-up to the existing account with its address when
// every condition above holds. It returns nil to let the sign-up go on unlinked, or a
// *Rejection: MessageAccountLinked once linked, MessageTryAgain when the directory failed.
// Logs name the provider and the reason, never the address, the subject or a username.
func (h *Handler) link(ctx context.Context, ev events.CognitoEventUserPoolsPreSignup, email string) error {
	prefix, subject, _ := strings.Cut(ev.UserName, "_")
	notLinked := func(level slog.Level, reason string) error {
		h.log.Log(ctx, level, "pre-sign-up: not linked to an existing account", "reason", reason,
			"provider", prefix, "trigger_source", ev.TriggerSource, "user_pool_id", ev.UserPoolID)
		return nil
	}
	provider, ok := h.linkable(prefix)
	if !ok || subject == "" {
		return notLinked(slog.LevelInfo, "provider_not_linked")
	}
	if ev.Request.UserAttributes["email_verified"] != "true" {
		return notLinked(slog.LevelInfo, "provider_did_not_verify_address")
	}
	if !usableAddress(email) {
		return notLinked(slog.LevelInfo, "address_unusable")
	}
	users, err := h.dir.FindByEmail(ctx, ev.UserPoolID, email)
	if err != nil {
		h.log.ErrorContext(ctx, "pre-sign-up refused: looking up the existing account failed", "error", err.Error(),
			"provider", provider, "trigger_source", ev.TriggerSource, "user_pool_id", ev.UserPoolID)
		return &Rejection{Message: MessageTryAgain}
	}
	var native []User
	for _, u := range users {
		// Other provider users with the address are other identities, not accounts to join.
		if u.Status != StatusExternalProvider && strings.EqualFold(u.Email, email) {
			native = append(native, u)
		}
	}
	switch {
	case len(native) == 0:
		return notLinked(slog.LevelInfo, "no_existing_account")
	case len(native) > 1:
		return notLinked(slog.LevelWarn, "several_existing_accounts")
	case native[0].Status != StatusConfirmed:
		return notLinked(slog.LevelInfo, "existing_account_unconfirmed")
	case !native[0].EmailVerified:
		return notLinked(slog.LevelInfo, "existing_account_unverified")
	}
	// A disabled account is linked like any other and stays disabled: the provider's
	// sign-in is then refused too, rather than a fresh account handed out.
	if err := h.dir.Link(ctx, ev.UserPoolID, native[0].Username, Identity{Provider: provider, Subject: subject}); err != nil {
		h.log.ErrorContext(ctx, "pre-sign-up refused: linking to the existing account failed", "error", err.Error(),
			"provider", provider, "trigger_source", ev.TriggerSource, "user_pool_id", ev.UserPoolID)
		return &Rejection{Message: MessageTryAgain}
	}
	h.log.InfoContext(ctx, "pre-sign-up: linked to the existing account; the user signs in again",
		"provider", provider, "trigger_source", ev.TriggerSource, "user_pool_id", ev.UserPoolID)
	return &Rejection{Message: MessageAccountLinked}
}

// linkable returns the configured provider a username's prefix names. The prefix is
// compared without regard to case, and the configured spelling is what Cognito gets: in a
// pool whose usernames are case-insensitive the event's username can arrive lower-cased
// ("google_…", aws-amplify/amplify-js#13844), while AdminLinkProviderForUser wants the
// provider's name as the pool has it.
func (h *Handler) linkable(prefix string) (string, bool) {
	for _, p := range h.cfg.LinkProviders {
		if prefix != "" && strings.EqualFold(p, prefix) {
			return p, true
		}
	}
	return "", false
}

// usableAddress reports whether an address can go into ListUsers' filter (email = "…")
// as it is. The filter takes quotes escaped with a backslash (Filter, ListUsers, Amazon
// Cognito API Reference); rather than rely on that escaping, an address with a quote, a
// backslash or a control character, which no provider verifies in practice, is not
// linked. Filters are at most 256 characters.
func usableAddress(email string) bool {
	if len(email) > 200 || !strings.Contains(email, "@") {
		return false
	}
	return !strings.ContainsFunc(email, func(r rune) bool {
		return r == '"' || r == '\\' || unicode.IsControl(r) || r == unicode.ReplacementChar
	})
}
