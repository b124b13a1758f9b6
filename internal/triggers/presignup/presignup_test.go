package presignup

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/monban-auth/monban/internal/golden"
	"github.com/monban-auth/monban/internal/lambdasamples"
)

func TestHandleAnswersGoldenEvents(t *testing.T) {
	withDomains := func(c Config, d ...string) Config { c.AllowedDomains = d; return c }
	def := DefaultConfig()
	cases := []struct {
		name   string
		cfg    Config
		event  string
		edit   func(*events.CognitoEventUserPoolsPreSignup)
		golden string // expected answer; "" means the event comes back unchanged
		reject string // expected rejection message instead of an answer
	}{
		{name: "a self sign-up is confirmed and its e-mail verified", cfg: def, event: "signup.json", golden: "signup-confirmed.json"},
		{name: "cognito-local's version 0 sign-up is confirmed the same way", cfg: def, event: "signup-cognito-local.json", golden: "signup-cognito-local-confirmed.json"},
		{name: "a sign-up from an allowed domain is confirmed whatever the address's case", cfg: withDomains(def, "example.com"), event: "signup.json", golden: "signup-confirmed.json"},
		{name: "a sign-up from another domain is refused with a message for the user", cfg: withDomains(def, "example.org"), event: "signup.json", reject: MessageDomainNotAllowed},
		{name: "a sign-up from a subdomain of an allowed domain is refused", cfg: withDomains(def, "example.com"), event: "signup.json",
			edit: func(e *events.CognitoEventUserPoolsPreSignup) {
				e.Request.UserAttributes["email"] = "alice@mail.example.com"
			}, reject: MessageDomainNotAllowed},
		{name: "an address whose last @ is at another domain is refused", cfg: withDomains(def, "example.com"), event: "signup.json",
			edit: func(e *events.CognitoEventUserPoolsPreSignup) {
				e.Request.UserAttributes["email"] = `"a@example.com"@evil.example`
			}, reject: MessageDomainNotAllowed},
		{name: "a sign-up without an e-mail address is refused while domains are limited", cfg: withDomains(def, "example.com"), event: "signup.json",
			edit: func(e *events.CognitoEventUserPoolsPreSignup) { delete(e.Request.UserAttributes, "email") }, reject: MessageEmailRequired},
		{name: "a sign-up without an e-mail address is confirmed but has nothing to verify", cfg: def, event: "signup.json",
			edit:   func(e *events.CognitoEventUserPoolsPreSignup) { delete(e.Request.UserAttributes, "email") },
			golden: "signup-no-email-confirmed.json"},
		{name: "a sign-up is left to the code when auto-confirm is off", cfg: Config{}, event: "signup.json"},
		{name: "an e-mail is not verified without a code unless the user is confirmed too", cfg: Config{AutoVerifyEmail: true}, event: "signup.json"},
		{name: "a confirmed sign-up keeps its e-mail unverified when configured", cfg: Config{AutoConfirm: true}, event: "signup.json", golden: "signup-confirmed-unverified.json"},
		{name: "an administrator's user is left untouched even from a refused domain", cfg: withDomains(def, "example.org"), event: "admin-create-user.json"},
		{name: "an external-provider sign-up keeps the provider's word by default", cfg: def, event: "external-provider.json"},
		{name: "an external-provider sign-up is confirmed and verified when configured", cfg: Config{ExternalAutoConfirm: true}, event: "external-provider.json", golden: "external-provider-confirmed.json"},
		{name: "an external-provider sign-up from another domain is refused", cfg: withDomains(def, "example.org"), event: "external-provider.json", reject: MessageDomainNotAllowed},
		{name: "an external-provider sign-up skips the allow-list when configured to", cfg: Config{AllowedDomains: []string{"example.org"}, ExternalAutoConfirm: true}, event: "external-provider.json", golden: "external-provider-confirmed.json"},
		{name: "an unknown trigger source is answered unchanged", cfg: withDomains(def, "example.com"), event: "signup.json",
			edit: func(e *events.CognitoEventUserPoolsPreSignup) { e.TriggerSource = "PreSignUp_SomethingNew" }},
		{name: "an unknown trigger source still meets the allow-list", cfg: withDomains(def, "example.org"), event: "signup.json",
			edit: func(e *events.CognitoEventUserPoolsPreSignup) { e.TriggerSource = "PreSignUp_SomethingNew" }, reject: MessageDomainNotAllowed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, err := New(c.cfg, slog.New(slog.DiscardHandler))
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
			if c.reject != "" {
				var r *Rejection
				if !errors.As(err, &r) || r.Message != c.reject {
					t.Fatalf("err = %v, want rejection %q", err, c.reject)
				}
				return
			}
			if err != nil {
				t.Fatalf("Handle: %v", err)
			}
			got := marshal(t, out)
			if c.golden == "" {
				if !bytes.Equal(got, in) {
					t.Fatalf("the event changed:\n got %s\nwant %s", got, in)
				}
				return
			}
			golden.JSON(t, c.golden, got)
		})
	}
}

func TestRefusalsLogTheDomainNeverTheAddress(t *testing.T) {
	var buf bytes.Buffer
	h, err := New(Config{AllowedDomains: []string{"example.org"}}, slog.New(slog.NewJSONHandler(&buf, nil)))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.CognitoEventUserPoolsPreSignup
	readJSON(t, filepath.Join("testdata", "signup.json"), &ev)
	if _, err := h.Handle(context.Background(), ev); err == nil {
		t.Fatal("sign-up was not refused")
	}
	if !strings.Contains(buf.String(), `"domain":"example.com"`) || strings.Contains(strings.ToLower(buf.String()), "alice") {
		t.Fatalf("log line = %s", buf.String())
	}
}

func TestConfigFromEnv(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		want    Config
		wantErr []string // substrings of the error
	}{
		{name: "nothing set gives the defaults", env: nil, want: DefaultConfig()},
		{name: "every setting is read", env: map[string]string{
			EnvAllowedEmailDomains: " @Example.COM , example.org,",
			EnvAutoConfirm:         "false",
			EnvAutoVerifyEmail:     "0",
			EnvExternalAutoConfirm: "true",
			EnvExternalAllowList:   "FALSE",
		}, want: Config{AllowedDomains: []string{"example.com", "example.org"}, ExternalAutoConfirm: true}},
		{name: "a blank list allows every domain", env: map[string]string{EnvAllowedEmailDomains: "  "}, want: DefaultConfig()},
		{name: "every bad setting is named at once", env: map[string]string{
			EnvAllowedEmailDomains: "example.com,not a domain,localhost",
			EnvAutoConfirm:         "yes please",
		}, wantErr: []string{EnvAllowedEmailDomains, `"not a domain"`, `"localhost"`, EnvAutoConfirm}},
		{name: "an internationalised domain must be given in its xn-- form", env: map[string]string{EnvAllowedEmailDomains: "bücher.example"}, wantErr: []string{"xn--"}},
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
			if !slices.Equal(got.AllowedDomains, c.want.AllowedDomains) || got.AutoConfirm != c.want.AutoConfirm ||
				got.AutoVerifyEmail != c.want.AutoVerifyEmail || got.ExternalAutoConfirm != c.want.ExternalAutoConfirm ||
				got.ExternalAllowList != c.want.ExternalAllowList {
				t.Fatalf("config = %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestNewRefusesWhatCouldNeverMatch(t *testing.T) {
	if _, err := New(Config{AllowedDomains: []string{"@example.com"}}, slog.New(slog.DiscardHandler)); err == nil {
		t.Fatal("a domain with an @ was accepted")
	}
	if _, err := New(DefaultConfig(), nil); err == nil {
		t.Fatal("a nil logger was accepted")
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func marshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// aws-lambda-go's own sample events (events/testdata, at the version go.mod requires),
// through the Lambda runtime's decoding and encoding: the pre-sign-up sample is answered,
// every other trigger's event (or an event that is no trigger's) is refused with an error
// that names what arrived and what to change.
func TestAWSLambdaGoSampleEvents(t *testing.T) {
	const wrongTokenEvent = `monban's pre-sign-up function received a PreTokenGeneration event (triggerSource "TokenGeneration_Authentication"); ` +
		`it answers only PreSignUp events (triggerSource PreSignUp_…): attach it to the user pool's PreSignUp trigger only, ` +
		`and monban's pre-token-generation function to PreTokenGeneration`
	cases := []struct {
		name    string
		cfg     Config
		sample  string
		golden  string // the expected answer
		wantErr string // or the expected error, exactly
	}{
		{name: "the pre-sign-up sample is confirmed", cfg: DefaultConfig(),
			sample: "cognito-event-userpools-presignup.json", golden: "sample-presignup-confirmed.json"},
		{name: "the pre-sign-up sample, whose e-mail is a placeholder, is refused by an allow-list",
			cfg: Config{AllowedDomains: []string{"example.com"}, AutoConfirm: true}, sample: "cognito-event-userpools-presignup.json",
			wantErr: MessageEmailRequired},
		{name: "a version 2 pre-token-generation event is refused", cfg: DefaultConfig(),
			sample: "cognito-event-userpools-pretokengen-v2_0.json", wantErr: wrongTokenEvent},
		{name: "the other version 2 pre-token-generation sample is refused", cfg: DefaultConfig(),
			sample: "cognito-event-userpools-pretokengen-v2.json", wantErr: wrongTokenEvent},
		{name: "the version 1 pre-token-generation sample, with a source Cognito never sends, is refused", cfg: DefaultConfig(),
			sample: "cognito-event-userpools-pretokengen.json",
			wantErr: `monban's pre-sign-up function received an event with triggerSource "PreTokenGen", which Cognito does not send; ` +
				`it answers only PreSignUp events (triggerSource PreSignUp_…): attach it to the user pool's PreSignUp trigger and send it Cognito's events`},
		{name: "a post-confirmation event is refused", cfg: DefaultConfig(), sample: "cognito-event-userpools-postconfirmation.json",
			wantErr: `monban's pre-sign-up function received a PostConfirmation event (triggerSource "PostConfirmation_ConfirmSignUp"); ` +
				`it answers only PreSignUp events (triggerSource PreSignUp_…): attach it to the user pool's PreSignUp trigger only ` +
				`(monban has no function for PostConfirmation)`},
		{name: "an inbound federation event is refused", cfg: DefaultConfig(), sample: "cognito-event-userpools-inbound-federation-oidc.json",
			wantErr: `monban's pre-sign-up function received an InboundFederation event (triggerSource "InboundFederation_ExternalProvider"); ` +
				`it answers only PreSignUp events (triggerSource PreSignUp_…): attach it to the user pool's PreSignUp trigger only ` +
				`(monban has no function for InboundFederation)`},
		{name: "an API Gateway request is refused", cfg: DefaultConfig(), sample: "apigw-v2-request-no-authorizer.json",
			wantErr: `monban's pre-sign-up function received an event without a triggerSource, which is not a Cognito user pool trigger event; ` +
				`it answers only PreSignUp events (triggerSource PreSignUp_…): attach it to a user pool's PreSignUp trigger, not to another event source`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var logs bytes.Buffer
			h, err := New(c.cfg, slog.New(slog.NewJSONHandler(&logs, nil)))
			if err != nil {
				t.Fatal(err)
			}
			out, err := lambda.NewHandler(h.Handle).Invoke(context.Background(), lambdasamples.Read(t, c.sample))
			golden.Answer(t, c.golden, out, err, c.wantErr)
		})
	}
}

// A refused event of another trigger is logged, with its source, at error level: the
// operator finds the wiring mistake in the function's own log too.
func TestAnotherTriggersEventIsLogged(t *testing.T) {
	var logs bytes.Buffer
	h, err := New(DefaultConfig(), slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.CognitoEventUserPoolsPreSignup
	readJSON(t, filepath.Join("testdata", "signup.json"), &ev)
	ev.TriggerSource = "TokenGeneration_RefreshTokens"
	if _, err := h.Handle(context.Background(), ev); err == nil {
		t.Fatal("a token event was answered")
	}
	var line map[string]any
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatalf("log %q: %v", logs.String(), err)
	}
	if line["level"] != "ERROR" || line["trigger_source"] != "TokenGeneration_RefreshTokens" || !strings.Contains(line["error"].(string), "PreTokenGeneration event") {
		t.Fatalf("log line %v", line)
	}
}
