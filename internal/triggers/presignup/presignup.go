// Package presignup decides what Cognito's pre-sign-up trigger answers. Self sign-ups are
// confirmed at once and their e-mail marked verified, so a new user can sign in without a
// code round trip; an optional allow-list limits sign-up to some e-mail domains, and anyone
// else is refused with a message Cognito hands back to the caller of SignUp. Users an
// administrator creates are left alone; sign-ups through an external identity provider
// follow settings of their own, and can be linked to the existing account with the same
// verified e-mail address (link.go, off unless configured).
//
// The package knows nothing of the Lambda runtime: triggers/pre-sign-up wires it up.
package presignup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/monban-auth/monban/internal/triggers/triggersource"
)

// Trigger sources of the pre-sign-up event, as the "Pre sign-up Lambda trigger" page of the
// Amazon Cognito Developer Guide lists them (cognito-local sends the same values).
const (
	SourceSignUp           = "PreSignUp_SignUp"
	SourceAdminCreateUser  = "PreSignUp_AdminCreateUser"
	SourceExternalProvider = "PreSignUp_ExternalProvider"
)

// Environment variables ConfigFromEnv reads.
const (
	// EnvAllowedEmailDomains is a comma-separated list of e-mail domains allowed to sign up
	// (exact match, case-insensitive); blank allows every domain.
	EnvAllowedEmailDomains = "MONBAN_SIGNUP_ALLOWED_EMAIL_DOMAINS"
	// EnvAutoConfirm: confirm self sign-ups without a code (default true).
	EnvAutoConfirm = "MONBAN_SIGNUP_AUTO_CONFIRM"
	// EnvAutoVerifyEmail: mark an auto-confirmed self sign-up's e-mail verified (default
	// true).
	EnvAutoVerifyEmail = "MONBAN_SIGNUP_AUTO_VERIFY_EMAIL"
	// EnvExternalAutoConfirm: confirm external-provider sign-ups and mark their e-mail
	// verified (default false: the provider's own email_verified mapping stands).
	EnvExternalAutoConfirm = "MONBAN_SIGNUP_EXTERNAL_AUTO_CONFIRM"
	// EnvExternalAllowList: the domain allow-list applies to external-provider sign-ups too
	// (default true, so "Sign in with Google" is no way around it).
	EnvExternalAllowList = "MONBAN_SIGNUP_EXTERNAL_ALLOWLIST"
	// EnvLinkExistingAccounts: link an external-provider sign-up whose provider verified
	// the address to the existing account with that address (default false; see link.go).
	EnvLinkExistingAccounts = "MONBAN_SIGNUP_LINK_EXISTING_ACCOUNTS"
	// EnvLinkProviders: the identity providers, named as in the pool and comma separated,
	// whose sign-ups may be linked (the template passes Google, SignInWithApple and its
	// OIDC provider: the ones whose email_verified it maps).
	EnvLinkProviders = "MONBAN_SIGNUP_LINK_PROVIDERS"
)

// Messages of a refused sign-up. Cognito passes them to the caller of SignUp (and the API
// to the person signing up), so they are written for that person and name no setting.
const (
	MessageDomainNotAllowed = "Sign-up is not open to e-mail addresses at this domain."
	MessageEmailRequired    = "An e-mail address is needed to sign up."
)

// Config is what the trigger does. The zero value confirms nobody; DefaultConfig is the
// deployed behaviour.
type Config struct {
	// AllowedDomains are the e-mail domains that may sign up, lower case; empty allows all.
	AllowedDomains []string
	// AutoConfirm confirms self sign-ups without a code.
	AutoConfirm bool
	// AutoVerifyEmail marks the e-mail address of an auto-confirmed self sign-up verified.
	// It needs AutoConfirm: a user who confirms with a code proves the address that way.
	AutoVerifyEmail bool
	// ExternalAutoConfirm confirms external-provider sign-ups and marks their e-mail verified.
	ExternalAutoConfirm bool
	// ExternalAllowList applies AllowedDomains to external-provider sign-ups.
	ExternalAllowList bool
	// LinkExistingAccounts links an external-provider sign-up to the existing account with
	// the same address, under the conditions of link.go. It needs a Directory (WithDirectory)
	// and LinkProviders.
	LinkExistingAccounts bool
	// LinkProviders are the identity providers, as named in the user pool, whose sign-ups
	// may be linked: only providers that say whether they verified the address.
	LinkProviders []string
}

// DefaultConfig confirms and verifies self sign-ups from every domain, and applies an
// allow-list, once one is set, to external-provider sign-ups too.
func DefaultConfig() Config {
	return Config{AutoConfirm: true, AutoVerifyEmail: true, ExternalAllowList: true}
}

// ConfigFromEnv reads the configuration through getenv (os.Getenv in the Lambda function),
// starting from DefaultConfig, and reports every bad setting at once.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := DefaultConfig()
	var problems []string
	flag := func(name string, def bool) bool {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return def
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			problems = append(problems, name+": must be true or false")
			return def
		}
		return b
	}
	c.AutoConfirm = flag(EnvAutoConfirm, c.AutoConfirm)
	c.AutoVerifyEmail = flag(EnvAutoVerifyEmail, c.AutoVerifyEmail)
	c.ExternalAutoConfirm = flag(EnvExternalAutoConfirm, c.ExternalAutoConfirm)
	c.ExternalAllowList = flag(EnvExternalAllowList, c.ExternalAllowList)
	c.LinkExistingAccounts = flag(EnvLinkExistingAccounts, c.LinkExistingAccounts)
	domains, err := ParseDomains(getenv(EnvAllowedEmailDomains))
	if err != nil {
		problems = append(problems, EnvAllowedEmailDomains+": "+err.Error())
	}
	c.AllowedDomains = domains
	for _, p := range strings.Split(getenv(EnvLinkProviders), ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.LinkProviders = append(c.LinkProviders, p)
		}
	}
	problems = append(problems, c.linkProblems()...)
	if len(problems) > 0 {
		return Config{}, fmt.Errorf("pre-sign-up configuration: %s", strings.Join(problems, "; "))
	}
	return c, nil
}

// domainPattern is a host name in ASCII (internationalised domains in their xn-- form),
// with at least one dot.
var domainPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$`)

// ParseDomains parses a comma-separated domain list ("example.com, example.org"): blank
// means none; entries are lower-cased, may start with "@", and empty ones are skipped.
func ParseDomains(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out, bad []string
	for _, d := range strings.Split(s, ",") {
		d = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d), "@"))
		if d == "" {
			continue
		}
		if !domainPattern.MatchString(d) {
			bad = append(bad, fmt.Sprintf("%q", d))
			continue
		}
		out = append(out, d)
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("not a domain name: %s (use the xn-- form for international names)", strings.Join(bad, ", "))
	}
	return out, nil
}

// Rejection is the error the trigger fails with when it refuses a sign-up. Cognito answers
// SignUp with UserLambdaValidationException carrying Message, so Message is for the person
// signing up.
type Rejection struct {
	Message string
}

func (r *Rejection) Error() string { return r.Message }

// Handler answers pre-sign-up events.
type Handler struct {
	cfg     Config
	allowed map[string]bool
	log     *slog.Logger
	dir     Directory // set only when linking is on
}

// Option adds a dependency to a Handler.
type Option func(*Handler)

// WithDirectory gives the Handler the user pool's directory, which linking needs (and
// nothing else uses).
func WithDirectory(d Directory) Option { return func(h *Handler) { h.dir = d } }

// New returns a Handler for cfg; log receives one line per refused or unexpected event.
func New(cfg Config, log *slog.Logger, opts ...Option) (*Handler, error) {
	if log == nil {
		return nil, errors.New("presignup: New needs a logger")
	}
	h := &Handler{cfg: cfg, log: log}
	for _, o := range opts {
		o(h)
	}
	if problems := cfg.linkProblems(); len(problems) > 0 {
		return nil, fmt.Errorf("presignup: %s", strings.Join(problems, "; "))
	}
	switch {
	case cfg.LinkExistingAccounts && h.dir == nil:
		// The local stack ends up here: its emulator has no identity providers to link.
		return nil, errors.New("presignup: " + EnvLinkExistingAccounts + " is on, but the trigger has no user directory to link in (WithDirectory)")
	case !cfg.LinkExistingAccounts:
		h.dir = nil // linking off: the directory is never asked
	}
	if len(cfg.AllowedDomains) > 0 {
		h.allowed = map[string]bool{}
		for _, d := range cfg.AllowedDomains {
			d = strings.ToLower(d)
			if !domainPattern.MatchString(d) {
				return nil, fmt.Errorf("presignup: allowed domain %q is not a domain name", d)
			}
			h.allowed[d] = true
		}
	}
	return h, nil
}

// Handle answers one pre-sign-up event: the event with its response filled in, or a
// *Rejection that refuses the sign-up. An event of another trigger (the function attached
// to the wrong one, or to something that is not a user pool) is refused with an error
// naming what was received and what to change, never answered: answered, it would come
// back with its own response replaced by a pre-sign-up one.
func (h *Handler) Handle(ctx context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
	if triggersource.Trigger(ev.TriggerSource) != triggersource.PreSignUp {
		err := triggersource.WrongTrigger(triggersource.PreSignUp, ev.TriggerSource)
		h.log.ErrorContext(ctx, "pre-sign-up: event of another trigger refused", "error", err.Error(),
			"trigger_source", ev.TriggerSource, "user_pool_id", ev.UserPoolID)
		return ev, err
	}
	email := strings.TrimSpace(ev.Request.UserAttributes["email"])
	switch ev.TriggerSource {
	case SourceSignUp:
		if err := h.check(ctx, ev, email); err != nil {
			return ev, err
		}
		ev.Response.AutoConfirmUser = h.cfg.AutoConfirm
		// Cognito refuses autoVerifyEmail for a user without an e-mail address.
		ev.Response.AutoVerifyEmail = h.cfg.AutoConfirm && h.cfg.AutoVerifyEmail && email != ""
	case SourceExternalProvider:
		if h.cfg.ExternalAllowList {
			if err := h.check(ctx, ev, email); err != nil {
				return ev, err
			}
		}
		if h.dir != nil {
			if err := h.link(ctx, ev, email); err != nil {
				return ev, err
			}
		}
		if h.cfg.ExternalAutoConfirm {
			ev.Response.AutoConfirmUser = true
			ev.Response.AutoVerifyEmail = email != ""
		}
	case SourceAdminCreateUser:
		// An administrator vouches for the users they create: no check, no change.
	default:
		// A pre-sign-up source this code predates (PreSignUp_…): the allow-list still holds
		// (failing closed), but nothing is confirmed that was not meant to be, which is
		// Cognito's own answer without a trigger. Refusing it would stop every sign-up of
		// that kind.
		h.log.WarnContext(ctx, "pre-sign-up: unknown trigger source",
			"trigger_source", ev.TriggerSource, "user_pool_id", ev.UserPoolID)
		if err := h.check(ctx, ev, email); err != nil {
			return ev, err
		}
	}
	return ev, nil
}

// check applies the domain allow-list, if there is one.
func (h *Handler) check(ctx context.Context, ev events.CognitoEventUserPoolsPreSignup, email string) error {
	if h.allowed == nil {
		return nil
	}
	domain, ok := emailDomain(email)
	if !ok {
		h.log.InfoContext(ctx, "pre-sign-up refused: no usable e-mail address",
			"trigger_source", ev.TriggerSource, "user_pool_id", ev.UserPoolID)
		return &Rejection{Message: MessageEmailRequired}
	}
	if !h.allowed[domain] {
		// The domain, never the address: logs are no place for personal data.
		h.log.InfoContext(ctx, "pre-sign-up refused: e-mail domain not allowed",
			"trigger_source", ev.TriggerSource, "user_pool_id", ev.UserPoolID, "domain", domain)
		return &Rejection{Message: MessageDomainNotAllowed}
	}
	return nil
}

// emailDomain returns the lower-cased domain of an address: what follows its last "@",
// which is where mail to it is delivered, with a trailing root dot dropped.
func emailDomain(email string) (string, bool) {
	at := strings.LastIndexByte(email, '@')
	if at <= 0 || at == len(email)-1 {
		return "", false
	}
	return strings.TrimSuffix(strings.ToLower(email[at+1:]), "."), true
}
