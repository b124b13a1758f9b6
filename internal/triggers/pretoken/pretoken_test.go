package pretoken

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/monban-auth/monban/internal/golden"
	"github.com/monban-auth/monban/internal/lambdasamples"
)

var tenantAndRoles = []Mapping{{Source: "custom:tenant", Claim: "tenant"}, {Source: GroupsSource, Claim: "roles"}}

func TestHandleAnswersGoldenEvents(t *testing.T) {
	cases := []struct {
		name     string
		mappings []Mapping
		event    string
		edit     func(string) string // applied to the event's JSON text
		golden   string
		wantErr  string
	}{
		{name: "a version 2 event gets the claims in the ID and the access token", mappings: tenantAndRoles, event: "v2.json", golden: "v2-claims.json"},
		{name: "a version 3 event is answered as version 2", mappings: tenantAndRoles, event: "v2.json",
			edit: func(s string) string { return strings.Replace(s, `"version": "2"`, `"version": "3"`, 1) }, golden: "v3-claims.json"},
		{name: "a version 1 event gets the claims in the ID token with groups as one string", mappings: tenantAndRoles, event: "v1.json", golden: "v1-claims.json"},
		{name: "cognito-local's version 0 event is answered as version 1", mappings: tenantAndRoles, event: "cognito-local.json", golden: "cognito-local-claims.json"},
		{name: "a user without the mapped attribute gets no claim", mappings: []Mapping{{Source: "custom:department", Claim: "department"}}, event: "v2.json", golden: "v2-unchanged.json"},
		{name: "no mappings leave the tokens as they are", event: "v2.json", golden: "v2-unchanged.json"},
		{name: "a user in no group gets no roles claim", mappings: tenantAndRoles, event: "v2.json",
			edit: func(s string) string { return strings.Replace(s, `["admin", "staff"]`, `[]`, 1) }, golden: "v2-no-groups.json"},
		{name: "one attribute may feed two claims", mappings: []Mapping{{Source: "custom:tenant", Claim: "tenant"}, {Source: "custom:tenant", Claim: "https://example.com/tenant"}},
			event: "v1.json", golden: "v1-two-claims.json"},
		{name: "an unknown version is refused", mappings: tenantAndRoles, event: "v2.json",
			edit: func(s string) string { return strings.Replace(s, `"version": "2"`, `"version": "9"`, 1) }, wantErr: `version "9" is not supported`},
		{name: "a body that is not JSON is refused", event: "v2.json", edit: func(string) string { return "{" }, wantErr: "event"},
		{name: "a version 2 body of the wrong shape is refused", event: "v2.json",
			edit: func(s string) string {
				return strings.Replace(s, `"groupsToOverride": ["admin", "staff"]`, `"groupsToOverride": "admin"`, 1)
			}, wantErr: "version 2 event"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, err := New(Config{Mappings: c.mappings}, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(filepath.Join("testdata", c.event))
			if err != nil {
				t.Fatal(err)
			}
			if c.edit != nil {
				b = []byte(c.edit(string(b)))
			}
			out, err := h.Handle(context.Background(), b)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			golden.JSON(t, c.golden, out)
		})
	}
}

func TestParseMappings(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		want    []Mapping
		wantErr []string
	}{
		{name: "the documented example parses", in: "custom:tenant=tenant,groups=roles", want: tenantAndRoles},
		{name: "blank means no mappings", in: "  "},
		{name: "spaces and empty entries are ignored", in: " custom:tenant = tenant ,, groups=roles, ", want: tenantAndRoles},
		{name: "a namespaced claim name is fine", in: "locale=https://example.com/locale", want: []Mapping{{"locale", "https://example.com/locale"}}},
		{name: "an entry without an equals sign is refused", in: "custom:tenant", wantErr: []string{`"custom:tenant" is not source=claim`}},
		{name: "an entry with two equals signs is refused", in: "a=b=c", wantErr: []string{`"a=b=c"`}},
		{name: "an empty side is refused", in: "=tenant,groups=", wantErr: []string{`source ""`, `claim ""`}},
		{name: "every reserved claim is named at once", in: "custom:tenant=sub,groups=cognito:groups,custom:mail=Email,custom:x=aud",
			wantErr: []string{`"sub" is reserved`, `"cognito:groups" is reserved`, `"Email" is reserved`, `"aud" is reserved`}},
		{name: "a claim mapped twice is refused", in: "custom:a=team,custom:b=team", wantErr: []string{`"team" is mapped twice`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseMappings(c.in)
			if len(c.wantErr) > 0 {
				if err == nil {
					t.Fatalf("no error; mappings %v", got)
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
			if !slices.Equal(got, c.want) {
				t.Fatalf("mappings = %v, want %v", got, c.want)
			}
		})
	}
}

func TestReserved(t *testing.T) {
	for _, c := range []struct {
		claim string
		want  bool
	}{
		{"sub", true}, {"iss", true}, {"aud", true}, {"token_use", true}, {"exp", true}, {"iat", true},
		{"auth_time", true}, {"client_id", true}, {"username", true}, {"jti", true}, {"origin_jti", true},
		{"event_id", true}, {"scope", true}, {"nbf", true}, {"nonce", true}, {"cognito:groups", true},
		{"cognito:anything", true}, {"COGNITO:username", true}, {"Sub", true}, {"email_verified", true},
		{"tenant", false}, {"roles", false}, {"custom:tenant", false}, {"subject", false}, {"https://example.com/sub", false},
	} {
		if got := Reserved(c.claim); got != c.want {
			t.Errorf("Reserved(%q) = %v, want %v", c.claim, got, c.want)
		}
	}
}

func TestConfigFromEnvNamesTheVariable(t *testing.T) {
	_, err := ConfigFromEnv(func(k string) string { return map[string]string{EnvClaimMappings: "groups=iss"}[k] })
	if err == nil || !strings.Contains(err.Error(), EnvClaimMappings) || !strings.Contains(err.Error(), `"iss" is reserved`) {
		t.Fatalf("err = %v", err)
	}
	cfg, err := ConfigFromEnv(func(k string) string {
		return map[string]string{EnvClaimMappings: "custom:tenant=tenant,groups=roles"}[k]
	})
	if err != nil || !slices.Equal(cfg.Mappings, tenantAndRoles) {
		t.Fatalf("cfg = %+v, err = %v", cfg, err)
	}
}

func TestNewRefusesReservedMappings(t *testing.T) {
	if _, err := New(Config{Mappings: []Mapping{{Source: "custom:x", Claim: "token_use"}}}, slog.New(slog.DiscardHandler)); err == nil {
		t.Fatal("a mapping onto token_use was accepted")
	}
	if _, err := New(Config{}, nil); err == nil {
		t.Fatal("a nil logger was accepted")
	}
}

// A Handler built around New's checks still never sets a reserved claim.
func TestReservedClaimsAreGuardedAtEventTime(t *testing.T) {
	var logs bytes.Buffer
	h := &Handler{
		mappings: []Mapping{{Source: "custom:tenant", Claim: "sub"}, {Source: GroupsSource, Claim: "cognito:groups"}, {Source: "custom:tenant", Claim: "tenant"}},
		log:      slog.New(slog.NewJSONHandler(&logs, nil)),
	}
	for _, event := range []string{"v1.json", "v2.json", "cognito-local.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", event))
		if err != nil {
			t.Fatal(err)
		}
		out, err := h.Handle(context.Background(), b)
		if err != nil {
			t.Fatal(err)
		}
		var resp struct {
			Response json.RawMessage `json:"response"`
		}
		if err := json.Unmarshal(out, &resp); err != nil {
			t.Fatal(err)
		}
		r := string(resp.Response)
		if strings.Contains(r, `"sub"`) || strings.Contains(r, `"cognito:groups"`) || !strings.Contains(r, `"tenant"`) {
			t.Errorf("%s: response = %s", event, r)
		}
	}
	if !strings.Contains(logs.String(), "reserved claim not set") {
		t.Fatalf("the refusal was not logged: %s", logs.String())
	}
}

// The deployed trigger keeps the valid mappings and names the refused ones, rather than
// failing to start (which would fail every sign-in).
func TestConfigFromEnvKeepingValid(t *testing.T) {
	cfg, err := ConfigFromEnvKeepingValid(func(string) string { return "custom:tenant=tenant,custom:x=sub,groups=roles,bad,custom:y=tenant" })
	if err == nil || !strings.Contains(err.Error(), `"sub" is reserved`) || !strings.Contains(err.Error(), `"bad"`) || !strings.Contains(err.Error(), "mapped twice") {
		t.Fatalf("err = %v", err)
	}
	want := []Mapping{{Source: "custom:tenant", Claim: "tenant"}, {Source: GroupsSource, Claim: "roles"}}
	if !slices.Equal(cfg.Mappings, want) {
		t.Fatalf("kept %v, want %v", cfg.Mappings, want)
	}
	if _, err := New(cfg, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("the kept mappings do not start the trigger: %v", err)
	}
	if _, err := ConfigFromEnv(func(string) string { return "custom:x=sub" }); err == nil {
		t.Fatal("ConfigFromEnv must stay strict (make dev refuses a bad setting at start)")
	}
}

// aws-lambda-go's own sample events (events/testdata, at the version go.mod requires),
// through the Lambda runtime's decoding and encoding: the pre-token-generation samples are
// answered, every other trigger's event (or an event that is no trigger's) is refused with an
// error that names what arrived and what to change.
func TestAWSLambdaGoSampleEvents(t *testing.T) {
	mappings := []Mapping{{Source: "email", Claim: "contact"}, {Source: GroupsSource, Claim: "roles"}}
	asAuthentication := func(s string) string {
		return strings.Replace(s, `"triggerSource": "PreTokenGen"`, `"triggerSource": "TokenGeneration_Authentication"`, 1)
	}
	cases := []struct {
		name    string
		sample  string
		edit    func(string) string
		golden  string // the expected answer
		wantErr string // or the expected error, exactly
	}{
		{name: "the version 2 sample gets the claims in both tokens", sample: "cognito-event-userpools-pretokengen-v2.json", golden: "sample-v2-claims.json"},
		{name: "the V2_0 sample, with a number claim already set, keeps it beside the new claims", sample: "cognito-event-userpools-pretokengen-v2_0.json", golden: "sample-v2_0-claims.json"},
		{name: "the version 1 sample with a real trigger source gets the claims in the ID token",
			sample: "cognito-event-userpools-pretokengen.json", edit: asAuthentication, golden: "sample-v1-claims.json"},
		{name: "the version 1 sample as shipped, with a source Cognito never sends, is refused", sample: "cognito-event-userpools-pretokengen.json",
			wantErr: `monban's pre-token-generation function received an event with triggerSource "PreTokenGen", which Cognito does not send; ` +
				`it answers only PreTokenGeneration events (triggerSource TokenGeneration_…): attach it to the user pool's PreTokenGeneration trigger and send it Cognito's events`},
		{name: "a pre-sign-up event is refused, not answered as a token event", sample: "cognito-event-userpools-presignup.json",
			wantErr: `monban's pre-token-generation function received a PreSignUp event (triggerSource "PreSignUp_SignUp"); ` +
				`it answers only PreTokenGeneration events (triggerSource TokenGeneration_…): attach it to the user pool's PreTokenGeneration trigger only, ` +
				`and monban's pre-sign-up function to PreSignUp`},
		{name: "a post-authentication event is refused", sample: "cognito-event-userpools-postauthentication.json",
			wantErr: `monban's pre-token-generation function received a PostAuthentication event (triggerSource "PostAuthentication_Authentication"); ` +
				`it answers only PreTokenGeneration events (triggerSource TokenGeneration_…): attach it to the user pool's PreTokenGeneration trigger only ` +
				`(monban has no function for PostAuthentication)`},
		{name: "a custom message event is refused", sample: "cognito-event-userpools-custommessage.json",
			wantErr: `monban's pre-token-generation function received a CustomMessage event ` +
				`(triggerSource "CustomMessage_SignUp/CustomMessage_ResendCode/CustomMessage_Forg"); ` +
				`it answers only PreTokenGeneration events (triggerSource TokenGeneration_…): attach it to the user pool's PreTokenGeneration trigger only ` +
				`(monban has no function for CustomMessage)`},
		{name: "an API Gateway request is refused", sample: "apigw-v2-request-no-authorizer.json",
			wantErr: `monban's pre-token-generation function received an event without a triggerSource, which is not a Cognito user pool trigger event; ` +
				`it answers only PreTokenGeneration events (triggerSource TokenGeneration_…): attach it to a user pool's PreTokenGeneration trigger, not to another event source`},
		{name: "an SQS message is refused", sample: "sqs-event.json",
			wantErr: `monban's pre-token-generation function received an event without a triggerSource, which is not a Cognito user pool trigger event; ` +
				`it answers only PreTokenGeneration events (triggerSource TokenGeneration_…): attach it to a user pool's PreTokenGeneration trigger, not to another event source`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, err := New(Config{Mappings: mappings}, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			event := lambdasamples.Read(t, c.sample)
			if c.edit != nil {
				edited := c.edit(string(event))
				if edited == string(event) {
					t.Fatal("the edit changed nothing: has the sample changed?")
				}
				event = []byte(edited)
			}
			out, err := lambda.NewHandler(h.Handle).Invoke(context.Background(), event)
			golden.Answer(t, c.golden, out, err, c.wantErr)
		})
	}
}

// Every documented trigger source is answered; a TokenGeneration_ source newer than this
// code is answered too (it is still a token event) with a warning; another trigger's event
// is refused and logged as an error.
func TestTriggerSources(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "v2.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		source, level string
		answered      bool
	}{
		{SourceHostedAuth, "", true}, {SourceAuthentication, "", true}, {SourceNewPasswordChallenge, "", true},
		{SourceAuthenticateDevice, "", true}, {SourceRefreshTokens, "", true}, {SourceClientCredentials, "", true},
		{"TokenGeneration_SomethingNew", "WARN", true},
		{"PreSignUp_ExternalProvider", "ERROR", false}, {"PreSignUp_AdminCreateUser", "ERROR", false},
		{"PreAuthentication_Authentication", "ERROR", false}, {"", "ERROR", false},
	} {
		t.Run(c.source, func(t *testing.T) {
			var logs bytes.Buffer
			h, err := New(Config{Mappings: tenantAndRoles}, slog.New(slog.NewJSONHandler(&logs, nil)))
			if err != nil {
				t.Fatal(err)
			}
			event := strings.Replace(string(b), `"TokenGeneration_Authentication"`, strconv.Quote(c.source), 1)
			out, err := h.Handle(context.Background(), []byte(event))
			if c.answered != (err == nil) || c.answered != strings.Contains(string(out), `"tenant":"acme"`) {
				t.Fatalf("answer %s, error %v; want answered %v", out, err, c.answered)
			}
			var line struct {
				Level         string `json:"level"`
				TriggerSource string `json:"trigger_source"`
			}
			json.Unmarshal(logs.Bytes(), &line)
			if line.Level != c.level || (c.level != "" && line.TriggerSource != c.source) {
				t.Fatalf("log %q; want a %q line naming the source", logs.String(), c.level)
			}
		})
	}
}
