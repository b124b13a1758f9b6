package triggersource

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/monban-auth/monban/internal/lambdasamples"
	"github.com/monban-auth/monban/internal/triggers"
)

// Every Cognito sample aws-lambda-go ships is recognised as the trigger its file names,
// except the version 1 pre-token-generation sample, whose "PreTokenGen" Cognito never sends.
func TestAWSLambdaGoCognitoSamples(t *testing.T) {
	want := map[string]string{
		"create-auth-challenge": "CreateAuthChallenge", "custommessage": "CustomMessage",
		"define-auth-challenge": "DefineAuthChallenge", "inbound-federation-oidc": "InboundFederation",
		"inbound-federation-saml": "InboundFederation", "migrateuser": "UserMigration",
		"postauthentication": "PostAuthentication", "postconfirmation": "PostConfirmation",
		"preauthentication": "PreAuthentication", "presignup": PreSignUp,
		"pretokengen-v2": PreTokenGeneration, "pretokengen-v2_0": PreTokenGeneration, "pretokengen": "",
		"verify-auth-challenge": "VerifyAuthChallengeResponse",
	}
	paths, err := filepath.Glob(filepath.Join(lambdasamples.Dir(t), "cognito-event-userpools-*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	for _, p := range paths {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), "cognito-event-userpools-"), ".json")
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var ev struct {
			TriggerSource string `json:"triggerSource"`
			Request       struct {
				TriggerSource string `json:"triggerSource"` // the migrate-user sample nests it
			} `json:"request"`
		}
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		source := ev.TriggerSource
		if source == "" {
			source = ev.Request.TriggerSource
		}
		w, known := want[name]
		if !known {
			t.Errorf("sample %s (triggerSource %q) is new: add it here", name, source)
			continue
		}
		if got := Trigger(source); got != w {
			t.Errorf("%s: Trigger(%q) = %q, want %q", name, source, got, w)
		}
	}
}

func TestPrefix(t *testing.T) {
	if Prefix(PreTokenGeneration) != "TokenGeneration_" || Prefix(PreSignUp) != "PreSignUp_" || Prefix("Nothing") != "" {
		t.Fatal(Prefix(PreTokenGeneration), Prefix(PreSignUp))
	}
}

// Each row of the functions table names a trigger Cognito has: a typo there would leave
// the function attached to nothing.
func TestTheFunctionsTableNamesCognitoTriggers(t *testing.T) {
	for _, f := range triggers.All {
		if Prefix(f.Trigger) == "" {
			t.Errorf("%s: %q is not a user pool trigger", f.Name, f.Trigger)
		}
	}
	if f, _ := triggers.For(PreSignUp); f != triggers.PreSignUp {
		t.Errorf("PreSignUp is served by %+v", f)
	}
	if f, _ := triggers.For(PreTokenGeneration); f != triggers.PreTokenGeneration {
		t.Errorf("PreTokenGeneration is served by %+v", f)
	}
}
