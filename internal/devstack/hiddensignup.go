package devstack

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/monban-auth/monban/internal/triggers/presignup"
)

// Hidden sign-up (MONBAN_SIGN_UP_HIDE_EXISTING, the API's) means nothing while the
// pre-sign-up trigger confirms new accounts at once (MONBAN_SIGNUP_AUTO_CONFIRM, the
// trigger's, default true): signing in with the password just chosen then works for a free
// address only. The API cannot see the trigger's setting; the local stack, which runs both,
// holds them together as template.yaml's Rules do for a deployed stack.

const hideExisting = "MONBAN_SIGN_UP_HIDE_EXISTING"

// hidesExisting reports whether the API's env turns hidden sign-up on (a bad value is
// config.Load's to report).
func hidesExisting(env map[string]string) bool {
	on, err := strconv.ParseBool(strings.TrimSpace(env[hideExisting]))
	return err == nil && on
}

// confirmHiddenSignUps turns the trigger's auto-confirm off when hidden sign-up is on and
// the trigger's setting was not given, and says so; a setting given is left for
// checkHiddenSignUp to refuse.
func confirmHiddenSignUps(env, trig map[string]string) (implied string) {
	if _, set := trig[presignup.EnvAutoConfirm]; set || !hidesExisting(env) {
		return ""
	}
	trig[presignup.EnvAutoConfirm] = "false"
	return presignup.EnvAutoConfirm + "=false (" + hideExisting + "=true needs sign-ups confirmed by e-mail code; locally the code is " + ConfirmationCode + ")"
}

// checkHiddenSignUp refuses hidden sign-up beside a trigger that confirms accounts at once.
func checkHiddenSignUp(env, trig map[string]string) error {
	if !hidesExisting(env) {
		return nil
	}
	cfg, err := presignup.ConfigFromEnv(func(k string) string { return trig[k] })
	if err != nil || !cfg.AutoConfirm {
		return nil // a bad value is the trigger's to report
	}
	return fmt.Errorf("devstack: %s=true needs %s=false: with accounts confirmed at once, signing in with the password "+
		"just chosen tells a new address from a taken one (template.yaml refuses SignUpHideExisting=true with SignUpAutoConfirm=true too)",
		hideExisting, presignup.EnvAutoConfirm)
}
