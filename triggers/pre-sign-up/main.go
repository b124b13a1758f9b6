// Command pre-sign-up is the user pool's pre-sign-up trigger (a Lambda function): it
// confirms self sign-ups at once, can limit them to an allow-list of e-mail domains, and
// can link a provider sign-in to the existing account with the same verified address.
// Settings: internal/triggers/presignup (MONBAN_SIGNUP_*); its row in the table of trigger
// functions: internal/triggers.
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/monban-auth/monban/internal/lambdainit"
	"github.com/monban-auth/monban/internal/logging"
	"github.com/monban-auth/monban/internal/triggers/presignup"
	"github.com/monban-auth/monban/internal/triggers/presignup/cognitodir"
)

func main() {
	log := logging.New(os.Stdout, logging.LevelOf(os.Getenv("MONBAN_LOG_LEVEL")))
	cfg, err := presignup.ConfigFromEnv(os.Getenv)
	var opts []presignup.Option
	if err == nil && cfg.LinkExistingAccounts {
		// The Cognito client exists only when linking is on.
		var dir *cognitodir.Directory
		if dir, err = cognitodir.FromEnv(os.Getenv); err == nil {
			opts = append(opts, presignup.WithDirectory(dir))
		}
	}
	var h *presignup.Handler
	if err == nil {
		h, err = presignup.New(cfg, log, opts...)
	}
	if err != nil {
		lambdainit.Fail(err)
	}
	lambda.Start(h.Handle)
}
