package main

import (
	"context"
	"os"

	"github.com/monban-auth/monban/internal/authorizer"
	"github.com/monban-auth/monban/internal/logging"
)

// newHandler reads the configuration through getenv, builds the verifier
// (reading the session secret from Secrets Manager when configured) and
// returns the function's handler.
func newHandler(ctx context.Context, getenv func(string) string, o authorizer.Options) (func(context.Context, authorizer.Event) (any, error), error) {
	s, err := authorizer.LoadConfig(getenv)
	if err != nil {
		return nil, err
	}
	if o.Log == nil {
		// JSON lines, which CloudWatch and Lambda's log-level filter parse.
		o.Log = logging.New(os.Stdout, s.LogLevel)
	}
	a, err := authorizer.NewAuthenticator(ctx, s, o)
	if err != nil {
		return nil, err
	}
	return authorizer.NewHandler(a, o.Log).Handle, nil
}
