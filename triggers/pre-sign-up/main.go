// Command pre-sign-up is the user pool's pre-sign-up trigger (a Lambda function): it
// confirms self sign-ups at once and can limit them to an allow-list of e-mail domains.
// Settings: internal/triggers/presignup (MONBAN_SIGNUP_*); its row in the table of trigger
// functions: internal/triggers.
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/monban-auth/monban/internal/lambdainit"
	"github.com/monban-auth/monban/internal/logging"
	"github.com/monban-auth/monban/internal/triggers/presignup"
)

func main() {
	log := logging.New(os.Stdout, logging.LevelOf(os.Getenv("MONBAN_LOG_LEVEL")))
	cfg, err := presignup.ConfigFromEnv(os.Getenv)
	var h *presignup.Handler
	if err == nil {
		h, err = presignup.New(cfg, log)
	}
	if err != nil {
		lambdainit.Fail(err)
	}
	lambda.Start(h.Handle)
}
