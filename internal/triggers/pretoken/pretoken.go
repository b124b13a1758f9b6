// Package pretoken decides what Cognito's pre-token-generation trigger answers: claims
// copied, by configuration, from the user's attributes and groups into the tokens (for
// example custom:tenant → tenant, groups → roles). Version 2 events (Essentials and Plus
// plans) get the claims in the ID and the access token; version 1 events (Lite plan) can
// only change the ID token. Claims Cognito or relying parties depend on (sub, iss, aud,
// token_use, exp, cognito:*, …) are never touched: naming one in the configuration is an
// error at start, and the answer to every event is checked again.
//
// The package knows nothing of the Lambda runtime: triggers/pre-token-generation wires it up.
package pretoken

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/monban-auth/monban/internal/triggers/triggersource"
)

// EnvClaimMappings is the environment variable ConfigFromEnv reads: comma-separated
// source=claim pairs, such as "custom:tenant=tenant,groups=roles". Blank adds no claims.
const EnvClaimMappings = "MONBAN_CLAIM_MAPPINGS"

// GroupsSource is the mapping source that stands for the user's groups rather than an
// attribute.
const GroupsSource = "groups"

// Mapping copies one source into one claim.
type Mapping struct {
	// Source is a user attribute (custom:tenant, locale, …) or GroupsSource.
	Source string
	// Claim is the name of the claim added to the tokens.
	Claim string
}

// Config is the trigger's configuration.
type Config struct {
	Mappings []Mapping
}

// ConfigFromEnv reads the configuration through getenv (os.Getenv in the Lambda function).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	m, err := ParseMappings(getenv(EnvClaimMappings))
	if err != nil {
		return Config{}, fmt.Errorf("pre-token-generation configuration: %s: %w", EnvClaimMappings, err)
	}
	return Config{Mappings: m}, nil
}

// ConfigFromEnvKeepingValid reads the configuration like ConfigFromEnv, but keeps the
// mappings that are valid when others are not, and returns the error describing those it
// left out. The deployed trigger starts this way: a trigger that fails to start fails every
// sign-in of the pool, which is worse than missing a claim (the template refuses reserved
// claims at deploy time, so this is the last line).
func ConfigFromEnvKeepingValid(getenv func(string) string) (Config, error) {
	valid, err := parse(getenv(EnvClaimMappings))
	if err != nil {
		err = fmt.Errorf("pre-token-generation configuration: %s: %w (these mappings are not applied)", EnvClaimMappings, err)
	}
	return Config{Mappings: valid}, err
}

// ParseMappings parses "source=claim" pairs separated by commas; blank means none, and
// empty entries are skipped. Every problem is reported at once, and a mapping onto a
// reserved claim is one.
func ParseMappings(s string) ([]Mapping, error) {
	out, err := parse(s)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// parse returns the valid mappings of s and an error naming every invalid one.
func parse(s string) ([]Mapping, error) {
	var out []Mapping
	var problems []string
	for _, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		source, claim, ok := strings.Cut(entry, "=")
		if !ok || strings.Contains(claim, "=") {
			problems = append(problems, fmt.Sprintf("%q is not source=claim", entry))
			continue
		}
		m := Mapping{Source: strings.TrimSpace(source), Claim: strings.TrimSpace(claim)}
		if err := validate(append(slices.Clone(out), m)); err != nil {
			problems = append(problems, err.Error())
			continue
		}
		out = append(out, m)
	}
	if len(problems) > 0 {
		return out, errors.New(strings.Join(problems, "; "))
	}
	return out, nil
}

// validate reports every mapping that is empty, malformed, reserved or a duplicate.
func validate(ms []Mapping) error {
	var problems []string
	seen := map[string]bool{}
	for _, m := range ms {
		switch {
		case !validName(m.Source):
			problems = append(problems, fmt.Sprintf("source %q is not an attribute name or %q", m.Source, GroupsSource))
		case !validName(m.Claim):
			problems = append(problems, fmt.Sprintf("claim %q is not a claim name", m.Claim))
		case Reserved(m.Claim):
			problems = append(problems, fmt.Sprintf("claim %q is reserved and cannot be set", m.Claim))
		case seen[m.Claim]:
			problems = append(problems, fmt.Sprintf("claim %q is mapped twice", m.Claim))
		}
		seen[m.Claim] = true
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// validName accepts names that survive the source=claim,… syntax: not empty, no spaces,
// control characters, commas or equals signs.
func validName(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || r == ',' || r == '=' {
			return false
		}
	}
	return true
}

// reserved are the claims Cognito sets itself or will not let a trigger change, and those
// relying parties trust Cognito alone for. email and phone_number (and whether they are
// verified) are among them: copying a user-editable attribute onto one would let a user
// choose the address that others see as verified.
var reserved = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(`
		acr amr at_hash aud auth_time azp client_id cnf device_key event_id exp iat
		identities iss jti nbf nonce origin_jti scope sub token_use username version
		email email_verified phone_number phone_number_verified`) {
		m[c] = true
	}
	return m
}()

// Reserved reports whether a claim may not be set by configuration. The check ignores case,
// so "Sub" cannot pass for a different claim to a careless reader; every cognito: claim is
// reserved.
func Reserved(claim string) bool {
	c := strings.ToLower(claim)
	return reserved[c] || strings.HasPrefix(c, "cognito:")
}

// Trigger sources of the pre-token-generation event, as the "Pre token generation Lambda
// trigger" page of the Amazon Cognito Developer Guide lists them ("Pre token generation
// Lambda trigger sources"); cognito-local sends TokenGeneration_ and the same operations.
const (
	SourceHostedAuth           = "TokenGeneration_HostedAuth"           // managed login (hosted UI)
	SourceAuthentication       = "TokenGeneration_Authentication"       // an authentication flow completed
	SourceNewPasswordChallenge = "TokenGeneration_NewPasswordChallenge" // an admin-created user set a password
	SourceAuthenticateDevice   = "TokenGeneration_AuthenticateDevice"   // a remembered device authenticated
	SourceRefreshTokens        = "TokenGeneration_RefreshTokens"        // a refresh
	SourceClientCredentials    = "TokenGeneration_ClientCredentials"    // machine-to-machine, V3_0 events only
)

var sources = map[string]bool{
	SourceHostedAuth: true, SourceAuthentication: true, SourceNewPasswordChallenge: true,
	SourceAuthenticateDevice: true, SourceRefreshTokens: true, SourceClientCredentials: true,
}

// Handler answers pre-token-generation events.
type Handler struct {
	mappings []Mapping
	log      *slog.Logger
}

// New returns a Handler for cfg. It fails when a mapping is malformed, reserved or a
// duplicate, so a bad deployment stops at start rather than at someone's sign-in.
func New(cfg Config, log *slog.Logger) (*Handler, error) {
	if log == nil {
		return nil, errors.New("pretoken: New needs a logger")
	}
	if err := validate(cfg.Mappings); err != nil {
		return nil, fmt.Errorf("pretoken: %w", err)
	}
	return &Handler{mappings: slices.Clone(cfg.Mappings), log: log}, nil
}

// Handle answers an event of any version, chosen by its version field: "1" (and "0", which
// cognito-local sends with a version 1 body) as HandleV1; "2" and "3" (identical for user
// sign-ins) as HandleV2. Any other version is an error, so a misconfigured pool fails
// visibly instead of issuing tokens without the claims relying parties expect.
//
// An event of another trigger (triggerSource not TokenGeneration_…: the function attached
// to the wrong trigger, or to something that is not a user pool) is refused with an error
// naming what was received and what to change, never answered as a token event: a
// pre-sign-up event answered here would lose its autoConfirmUser. A TokenGeneration_ source
// newer than this code is answered, with a warning: it is still a token event.
func (h *Handler) Handle(ctx context.Context, event json.RawMessage) (json.RawMessage, error) {
	var head events.CognitoEventUserPoolsHeader
	if err := json.Unmarshal(event, &head); err != nil {
		return nil, fmt.Errorf("pre-token-generation event: %w", err)
	}
	switch {
	case triggersource.Trigger(head.TriggerSource) != triggersource.PreTokenGeneration:
		err := triggersource.WrongTrigger(triggersource.PreTokenGeneration, head.TriggerSource)
		h.log.ErrorContext(ctx, "pre-token-generation: event of another trigger refused", "error", err.Error(),
			"trigger_source", head.TriggerSource, "user_pool_id", head.UserPoolID)
		return nil, err
	case !sources[head.TriggerSource]:
		h.log.WarnContext(ctx, "pre-token-generation: unknown trigger source",
			"trigger_source", head.TriggerSource, "user_pool_id", head.UserPoolID)
	}
	switch head.Version {
	case "0", "1":
		var ev events.CognitoEventUserPoolsPreTokenGen
		if err := json.Unmarshal(event, &ev); err != nil {
			return nil, fmt.Errorf("pre-token-generation version %s event: %w", head.Version, err)
		}
		return json.Marshal(h.HandleV1(ctx, ev))
	case "2", "3":
		var ev events.CognitoEventUserPoolsPreTokenGenV2_0
		if err := json.Unmarshal(event, &ev); err != nil {
			return nil, fmt.Errorf("pre-token-generation version %s event: %w", head.Version, err)
		}
		return json.Marshal(h.HandleV2(ctx, ev))
	default:
		return nil, fmt.Errorf("pre-token-generation event version %q is not supported (configure V2_0, or V1_0 on the Lite plan)", head.Version)
	}
}

// HandleV2 adds the configured claims to the ID and the access token. Groups become a JSON
// array.
func (h *Handler) HandleV2(ctx context.Context, ev events.CognitoEventUserPoolsPreTokenGenV2_0) events.CognitoEventUserPoolsPreTokenGenV2_0 {
	claims := h.claims(ctx, ev.Request.UserAttributes, ev.Request.GroupConfiguration.GroupsToOverride,
		func(groups []string) any { return groups })
	d := &ev.Response.ClaimsAndScopeOverrideDetails
	d.IDTokenGeneration.ClaimsToAddOrOverride = merge(d.IDTokenGeneration.ClaimsToAddOrOverride, claims)
	d.AccessTokenGeneration.ClaimsToAddOrOverride = merge(d.AccessTokenGeneration.ClaimsToAddOrOverride, claims)
	// The answer always carries groupOverrideDetails (the Go type has no omitempty), so it
	// repeats the groups Cognito sent: whatever Cognito makes of the field, groups stay as
	// they are.
	d.GroupOverrideDetails = ev.Request.GroupConfiguration
	return ev
}

// HandleV1 adds the configured claims to the ID token, the only one a version 1 event can
// change. Version 1 claims are strings, so groups become one space-separated string, as
// OAuth's scope claim does: a group name cannot contain a space.
func (h *Handler) HandleV1(ctx context.Context, ev events.CognitoEventUserPoolsPreTokenGen) events.CognitoEventUserPoolsPreTokenGen {
	claims := h.claims(ctx, ev.Request.UserAttributes, ev.Request.GroupConfiguration.GroupsToOverride,
		func(groups []string) any { return strings.Join(groups, " ") })
	d := &ev.Response.ClaimsOverrideDetails
	for k, v := range claims {
		if d.ClaimsToAddOrOverride == nil {
			d.ClaimsToAddOrOverride = map[string]string{}
		}
		d.ClaimsToAddOrOverride[k] = v.(string)
	}
	d.GroupOverrideDetails = ev.Request.GroupConfiguration
	return ev
}

// claims computes the configured claims for one user. A source the user has no value for
// adds no claim. Reserved claims are dropped here too, whatever the configuration said.
func (h *Handler) claims(ctx context.Context, attrs map[string]string, groups []string, groupValue func([]string) any) map[string]any {
	out := map[string]any{}
	for _, m := range h.mappings {
		if Reserved(m.Claim) {
			h.log.ErrorContext(ctx, "pre-token-generation: reserved claim not set", "claim", m.Claim)
			continue
		}
		if m.Source == GroupsSource {
			if len(groups) > 0 {
				out[m.Claim] = groupValue(slices.Clone(groups))
			}
			continue
		}
		if v := attrs[m.Source]; v != "" {
			out[m.Claim] = v
		}
	}
	return out
}

// merge adds claims to dst (which Cognito normally sends empty), returning the result; a
// nil dst with nothing to add stays nil.
func merge(dst, claims map[string]any) map[string]any {
	if len(claims) == 0 {
		return dst
	}
	if dst == nil {
		dst = make(map[string]any, len(claims))
	}
	maps.Copy(dst, claims)
	return dst
}
