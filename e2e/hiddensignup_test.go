package e2e

import (
	"testing"
)

// Issue 11, item 3, against each emulator: with existing users hidden and sign-ups confirmed
// by e-mail code (the only combination template.yaml and make dev allow), a prober who signs
// up with a chosen password and then signs in with it gets the same answers for a taken
// address and a free one. Before the fix the free address answered 403 user_not_confirmed
// (the fresh account took the prober's password) and the taken one 401.
func TestHiddenSignUpThenSignInTellsNoFreeAddress(t *testing.T) {
	backends := map[string]func(*testing.T) *backend{"moto": motoBackend, "cognito-local": cognitoLocalBackend}
	for _, name := range []string{"moto", "cognito-local"} {
		t.Run(name, func(t *testing.T) {
			be := backends[name](t)
			be.browser(t).signUpConfirmed(t, be, "olga@example.com") // taken, with its owner's password
			hidden := be.browserFor(t, be.newAPI(t, map[string]string{"MONBAN_SIGN_UP_HIDE_EXISTING": "true"}))
			const chosen = "Pr0ber-Passw0rd!"
			type answers struct {
				signUpStatus, signInStatus int
				signUp, signIn             string
			}
			probe := func(email string) answers {
				resp, up := hidden.post("/auth/sign-up", `{"email":"`+email+`","password":"`+chosen+`"}`)
				st, _, in := hidden.passwordSignIn(t, email, chosen)
				return answers{resp.StatusCode, st, up, in}
			}
			// Same first letters, so the masked destination ("o***@e***") is the same too.
			taken, free := probe("olga@example.com"), probe("oscar@example.com")
			if taken != free || taken.signUpStatus != 200 || taken.signInStatus != 401 || errorCode(t, taken.signIn) != "invalid_credentials" {
				t.Fatalf("a hidden sign-up and the sign-in after it tell the addresses apart:\ntaken %+v\nfree  %+v", taken, free)
			}
			// The new account is still there for its owner, who confirms it and signs in.
			if resp, body := hidden.post("/auth/confirm-sign-up", `{"email":"oscar@example.com","code":"`+be.signUpCode("oscar@example.com")+`"}`); resp.StatusCode != 200 {
				t.Fatalf("confirm: %d %s", resp.StatusCode, body)
			}
			if st, _, body := hidden.passwordSignIn(t, "oscar@example.com", chosen); st != 200 {
				t.Fatalf("sign-in once confirmed: %d %s", st, body)
			}
		})
	}
}
