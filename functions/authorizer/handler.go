package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/monban-auth/monban/internal/authorizer"
	"github.com/monban-auth/monban/internal/logging"
)

// keysAtStart bounds how long start-up waits for the signing keys: a healthy
// JWKS endpoint answers in a fraction of it, and a slow or failing one must not
// hold up, or fail, the start (the first request then waits for the fetch, or
// fetches again, as without it).
const keysAtStart = 2 * time.Second

// newHandler reads the configuration through getenv, builds the verifier
// (reading the session secret from Secrets Manager when configured), fetches
// the user pool's signing keys so that the first request finds them, and
// returns the function's handler, which takes the invocation's bytes.
func newHandler(ctx context.Context, getenv func(string) string, o authorizer.Options) (*authorizer.Handler, error) {
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
	keysCtx, cancel := context.WithTimeout(ctx, keysAtStart)
	defer cancel()
	if err := a.FetchKeys(keysCtx); err != nil {
		o.Log.LogAttrs(ctx, slog.LevelWarn, "signing keys not fetched at start; the first request fetches them",
			slog.String("error", err.Error()))
	}
	return authorizer.NewHandler(a, o.Log), nil
}
