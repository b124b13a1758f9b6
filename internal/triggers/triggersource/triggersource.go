// Package triggersource tells which Cognito user pool trigger an event was sent to, from its
// triggerSource, so that each of monban's triggers can refuse an event meant for another one
// with an error that says what was received and what to change, instead of answering it as
// its own (a pre-sign-up event answered as a pre-token one loses its autoConfirmUser).
//
// A triggerSource is "<prefix>_<operation>"; the prefixes and the trigger each belongs to
// are those of the Amazon Cognito Developer Guide ("Connecting Lambda triggers to user pool
// functional operations", and each trigger's own page), the names being the LambdaConfig
// keys an operator sets in a template.
package triggersource

import (
	"fmt"
	"strings"

	"github.com/monban-auth/monban/internal/triggers"
)

// Triggers, by their LambdaConfig name.
const (
	PreSignUp          = "PreSignUp"
	PreTokenGeneration = "PreTokenGeneration"
)

// prefixes maps a triggerSource prefix to the trigger (LambdaConfig name) it is sent to.
var prefixes = map[string]string{
	"PreSignUp_":                   PreSignUp,
	"TokenGeneration_":             PreTokenGeneration,
	"PreAuthentication_":           "PreAuthentication",
	"PostAuthentication_":          "PostAuthentication",
	"PostConfirmation_":            "PostConfirmation",
	"DefineAuthChallenge_":         "DefineAuthChallenge",
	"CreateAuthChallenge_":         "CreateAuthChallenge",
	"VerifyAuthChallengeResponse_": "VerifyAuthChallengeResponse",
	"UserMigration_":               "UserMigration",
	"CustomMessage_":               "CustomMessage",
	"CustomEmailSender_":           "CustomEmailSender",
	"CustomSMSSender_":             "CustomSMSSender",
	"InboundFederation_":           "InboundFederation",
}

// Trigger returns the trigger (its LambdaConfig name, such as "PreSignUp") that Cognito
// sends events with source to, or "" when source is not one Cognito sends.
func Trigger(source string) string {
	prefix, _, ok := strings.Cut(source, "_")
	if !ok {
		return ""
	}
	return prefixes[prefix+"_"]
}

// Prefix returns the triggerSource prefix of trigger's events ("TokenGeneration_" for
// PreTokenGeneration).
func Prefix(trigger string) string {
	for p, t := range prefixes {
		if t == trigger {
			return p
		}
	}
	return ""
}

// WrongTrigger is the error a monban trigger function fails with when it receives an event
// that is not for want, its own trigger: it names what was received and what to change.
// Cognito fails the operation that invoked the trigger with it (UserLambdaValidationException,
// "<trigger> failed with error <message>."), so it is one line and carries no event data
// beyond the triggerSource.
func WrongTrigger(want, source string) error {
	self := function(want)
	var got, fix string
	switch got = Trigger(source); {
	case source == "":
		return fmt.Errorf("monban's %s function received an event without a triggerSource, which is not a Cognito user pool trigger event; "+
			"it answers only %s events (triggerSource %s…): attach it to a user pool's %s trigger, not to another event source",
			self, want, Prefix(want), want)
	case got == "":
		return fmt.Errorf("monban's %s function received an event with triggerSource %.64q, which Cognito does not send; "+
			"it answers only %s events (triggerSource %s…): attach it to the user pool's %s trigger and send it Cognito's events",
			self, source, want, Prefix(want), want)
	case function(got) != "":
		fix = fmt.Sprintf(", and monban's %s function to %s", function(got), got)
	default:
		fix = fmt.Sprintf(" (monban has no function for %s)", got)
	}
	return fmt.Errorf("monban's %s function received %s %s event (triggerSource %.64q); it answers only %s events (triggerSource %s…): "+
		"attach it to the user pool's %s trigger only%s",
		self, article(got), got, source, want, Prefix(want), want, fix)
}

// function is the name of monban's function for trigger, "" when it has none.
func function(trigger string) string {
	f, _ := triggers.For(trigger)
	return f.Name
}

func article(word string) string {
	if strings.ContainsRune("AEIOU", rune(word[0])) {
		return "an"
	}
	return "a"
}
