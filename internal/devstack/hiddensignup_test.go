package devstack

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

// Issue 11, item 3: make dev holds hidden sign-up and the trigger's auto-confirm together, as
// template.yaml's Rules do: hidden sign-up turns auto-confirm off unless it was given, and a
// stack with both on does not start.
func TestHiddenSignUpTurnsAutoConfirmOffLocally(t *testing.T) {
	for _, c := range []struct {
		name       string
		environ    []string
		triggerEnv map[string]string
		implied    bool
	}{
		{name: "hidden sign-up alone", environ: []string{"MONBAN_SIGN_UP_HIDE_EXISTING=true"},
			triggerEnv: map[string]string{"MONBAN_SIGNUP_AUTO_CONFIRM": "false"}, implied: true},
		{name: "hidden sign-up, e-mail confirmation given", environ: []string{"MONBAN_SIGN_UP_HIDE_EXISTING=1", "MONBAN_SIGNUP_AUTO_CONFIRM=false"},
			triggerEnv: map[string]string{"MONBAN_SIGNUP_AUTO_CONFIRM": "false"}},
		{name: "hidden sign-up beside auto-confirm given is left to CheckOptions", environ: []string{"MONBAN_SIGN_UP_HIDE_EXISTING=true", "MONBAN_SIGNUP_AUTO_CONFIRM=true"},
			triggerEnv: map[string]string{"MONBAN_SIGNUP_AUTO_CONFIRM": "true"}},
		{name: "hidden sign-up off", environ: []string{"MONBAN_SIGN_UP_HIDE_EXISTING=false"}, triggerEnv: map[string]string{}},
		{name: "nothing", triggerEnv: map[string]string{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, rep := ApplyEnv(StackOptions{SiteURL: "http://localhost:8080"}, c.environ)
			if !maps.Equal(got.TriggerEnv, c.triggerEnv) {
				t.Errorf("TriggerEnv = %v, want %v", got.TriggerEnv, c.triggerEnv)
			}
			said := slices.ContainsFunc(rep.Lines(), func(l string) bool {
				return strings.HasPrefix(l, "implied by them: MONBAN_SIGNUP_AUTO_CONFIRM=false (") && strings.Contains(l, ConfirmationCode)
			})
			if said != c.implied {
				t.Errorf("Lines = %q", rep.Lines())
			}
		})
	}
}

func TestHiddenSignUpBesideAutoConfirmDoesNotStart(t *testing.T) {
	for _, trig := range []map[string]string{nil, {"MONBAN_SIGNUP_AUTO_CONFIRM": "true"}} {
		o := StackOptions{Env: map[string]string{"MONBAN_SIGN_UP_HIDE_EXISTING": "true"}, TriggerEnv: trig}
		err := CheckOptions(o)
		if err == nil || !strings.Contains(err.Error(), "MONBAN_SIGNUP_AUTO_CONFIRM=false") {
			t.Errorf("CheckOptions(%v) = %v", trig, err)
		}
		if _, err := StartStack(t.Context(), o); err == nil || !strings.Contains(err.Error(), "MONBAN_SIGNUP_AUTO_CONFIRM=false") {
			t.Errorf("StartStack(%v) = %v", trig, err)
		}
	}
	for _, o := range []StackOptions{
		{Env: map[string]string{"MONBAN_SIGN_UP_HIDE_EXISTING": "true"}, TriggerEnv: map[string]string{"MONBAN_SIGNUP_AUTO_CONFIRM": "false"}},
		{Env: map[string]string{"MONBAN_SIGN_UP_HIDE_EXISTING": "false"}},
		{},
	} {
		if err := CheckOptions(o); err != nil {
			t.Errorf("CheckOptions(%v, %v) = %v", o.Env, o.TriggerEnv, err)
		}
	}
}
