// Command pre-token-generation is the user pool's pre-token-generation trigger (a Lambda
// function): it adds claims from the user's attributes and groups to the tokens.
// Settings: internal/triggers/pretoken (MONBAN_CLAIM_MAPPINGS); its row in the table of trigger
// functions: internal/triggers.
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/monban-auth/monban/internal/lambdainit"
	"github.com/monban-auth/monban/internal/logging"
	"github.com/monban-auth/monban/internal/triggers/pretoken"
)

func main() {
	log := logging.New(os.Stdout, logging.LevelOf(os.Getenv("MONBAN_LOG_LEVEL")))
	// Started without the mappings it refuses (logged): failing to start would fail every
	// sign-in of the pool.
	cfg, err := pretoken.ConfigFromEnvKeepingValid(os.Getenv)
	if err != nil {
		log.Error(err.Error())
	}
	h, err := pretoken.New(cfg, log)
	if err != nil {
		lambdainit.Fail(err)
	}
	lambda.Start(h.Handle)
}
