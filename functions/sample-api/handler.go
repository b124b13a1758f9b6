package main

import (
	"errors"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"github.com/monban-auth/monban/internal/lambdahttp"
	"github.com/monban-auth/monban/internal/logging"
	"github.com/monban-auth/monban/internal/sampleapi"
	"github.com/monban-auth/monban/pkg/monbanauth"
)

// newHandler serves the sample API from HTTP API (payload 2.0) events, with the
// caller's identity taken from what API Gateway's authorizer established; any
// other event is refused with a message that names the wiring to change (see
// lambdahttp). log nil means JSON lines on stdout.
func newHandler(log *slog.Logger) *lambdahttp.Handler {
	if log == nil {
		log = logging.New(os.Stdout, slog.LevelInfo)
	}
	return lambdahttp.New("sample-api", fromGateway(sampleapi.Handler(), log), log)
}

// fromGateway puts the identity API Gateway's authorizer verified into the
// request context. The event's requestContext is written by API Gateway, not
// the client, so it can be trusted as far as the route's authorizer can.
func fromGateway(next http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc, ok := core.GetAPIGatewayV2ContextFromContext(r.Context())
		if ok && rc.Authorizer != nil {
			id, err := identityOf(rc.Authorizer)
			if err != nil {
				log.LogAttrs(r.Context(), slog.LevelError, "authorizer context not understood", slog.String("error", err.Error()))
			} else {
				r = r.WithContext(monbanauth.NewContext(r.Context(), id))
			}
		}
		next.ServeHTTP(w, r)
	})
}

func identityOf(a *events.APIGatewayV2HTTPRequestContextAuthorizerDescription) (*monbanauth.Identity, error) {
	switch {
	case a.Lambda != nil:
		return monbanauth.IdentityFromAuthorizerContext(a.Lambda)
	case a.JWT != nil:
		return fromJWTClaims(a.JWT.Claims)
	}
	return nil, errors.New("the route has no Lambda or JWT authorizer")
}

// fromJWTClaims reads the claims API Gateway's JWT authorizer passes on. It
// renders every claim as a string, and a list claim such as cognito:groups as
// "[a b c]".
func fromJWTClaims(c map[string]string) (*monbanauth.Identity, error) {
	if c["sub"] == "" {
		return nil, errors.New("JWT authorizer claims have no sub")
	}
	id := &monbanauth.Identity{
		Subject:  c["sub"],
		Username: c["username"],
		Groups:   listClaim(c["cognito:groups"]),
		Scopes:   strings.Fields(c["scope"]),
		ClientID: c["client_id"],
		Via:      monbanauth.Bearer,
	}
	if exp, err := strconv.ParseInt(c["exp"], 10, 64); err == nil {
		id.ExpiresAt = time.Unix(exp, 0).UTC()
	}
	return id, nil
}

func listClaim(v string) []string {
	v = strings.TrimSuffix(strings.TrimPrefix(v, "["), "]")
	out := strings.Fields(v)
	if out == nil {
		out = []string{}
	}
	return out
}
