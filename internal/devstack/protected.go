package devstack

import (
	"context"
	"fmt"
	"net/http"

	"github.com/monban-auth/monban/internal/app"
	"github.com/monban-auth/monban/internal/authorizer"
	"github.com/monban-auth/monban/internal/sampleapi"
)

// protectedAPI is the local stack's sample protected API (/api/me) behind the
// monbanauth middleware, configured from the stack's environment exactly as
// the Lambda authorizer is configured from its own: the same verification,
// required scopes and groups (MONBAN_REQUIRED_SCOPES, MONBAN_REQUIRED_GROUPS)
// and accepted credentials.
func protectedAPI(ctx context.Context, env map[string]string, o app.Options) (http.Handler, error) {
	s, err := authorizer.LoadConfig(func(k string) string { return env[k] })
	if err != nil {
		return nil, fmt.Errorf("devstack: protected API: %w", err)
	}
	a, err := authorizer.NewAuthenticator(ctx, s, authorizer.Options{HTTPClient: o.HTTPClient, Now: o.Now, Log: o.Log})
	if err != nil {
		return nil, fmt.Errorf("devstack: protected API: %w", err)
	}
	return a.Middleware(sampleapi.Handler()), nil
}
