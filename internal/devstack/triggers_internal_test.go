package devstack

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/monban-auth/monban/internal/triggers"
)

type recordingHandler struct{ got []byte }

func (r *recordingHandler) Invoke(_ context.Context, payload []byte) ([]byte, error) {
	r.got = payload
	return []byte(`{}`), nil
}

// Events the groups stand-in has nothing to add to reach the trigger byte for byte; the
// filling itself is exercised against cognito-local in TestTriggersThroughCognitoLocal.
func TestGroupsFillerLeavesOtherEventsAlone(t *testing.T) {
	cases := []struct{ name, event string }{
		{"a pre-sign-up event passes through", `{"version":"0","triggerSource":"PreSignUp_SignUp","request":{"userAttributes":{}}}`},
		{"a token event that already has groups passes through", `{"version":"1","triggerSource":"TokenGeneration_Authentication","request":{"groupConfiguration":{"groupsToOverride":["a"]}}}`},
		{"a body that is not an object passes through, for the trigger to refuse", `[1,2]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			next := &recordingHandler{}
			g := &groupsFiller{next: next}
			g.idp.Store(NewCognitoClient("http://127.0.0.1:1")) // never called
			if _, err := g.Invoke(context.Background(), []byte(c.event)); err != nil {
				t.Fatal(err)
			}
			if string(next.got) != c.event {
				t.Fatalf("trigger got %s, want %s", next.got, c.event)
			}
		})
	}
}

func TestTriggerHandlersRefuseBadSettings(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"a reserved claim stops the stack at start", map[string]string{"MONBAN_CLAIM_MAPPINGS": "groups=cognito:groups"}, "MONBAN_CLAIM_MAPPINGS"},
		{"a bad domain stops the stack at start", map[string]string{"MONBAN_SIGNUP_ALLOWED_EMAIL_DOMAINS": "not a domain"}, "MONBAN_SIGNUP_ALLOWED_EMAIL_DOMAINS"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := TriggerHandlers(func(k string) string { return c.env[k] }, slog.New(slog.DiscardHandler))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one naming %s", err, c.want)
			}
		})
	}
	fns, err := TriggerHandlers(func(string) string { return "" }, slog.New(slog.DiscardHandler))
	if err != nil || fns[triggers.PreSignUp.Name] == nil || fns[triggers.PreTokenGeneration.Name] == nil {
		t.Fatalf("defaults: %v, %v", fns, err)
	}
}

// The local stack serves every function of the table, under the trigger the table names.
func TestTheStackServesEveryTriggerOfTheTable(t *testing.T) {
	fns, err := TriggerHandlers(func(string) string { return "" }, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if len(fns) != len(triggers.All) || len(triggerFunctions) != len(triggers.All) {
		t.Errorf("%d handlers and %d trigger names for %d functions", len(fns), len(triggerFunctions), len(triggers.All))
	}
	for _, f := range triggers.All {
		if fns[f.Name] == nil || triggerFunctions[f.Trigger] != f.Name {
			t.Errorf("%s is not served as %s", f.Name, f.Trigger)
		}
	}
}
