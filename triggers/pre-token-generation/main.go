// Command pre-token-generation is the user pool's pre-token-generation trigger (a Lambda
// function): it adds claims from the user's attributes and groups to the tokens.
// Settings: internal/triggers/pretoken (MONBAN_CLAIM_MAPPINGS).
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/monban-auth/monban/internal/lambdainit"
	"github.com/monban-auth/monban/internal/triggers/pretoken"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	cfg, err := pretoken.ConfigFromEnv(os.Getenv)
	var h *pretoken.Handler
	if err == nil {
		h, err = pretoken.New(cfg, log)
	}
	if err != nil {
		lambdainit.Fail(err)
	}
	lambda.Start(h.Handle)
}
