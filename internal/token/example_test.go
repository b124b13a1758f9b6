package token_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/monban-auth/monban/internal/token"
)

func ExampleVerifier_VerifyAccess() {
	v, err := token.NewVerifier(token.Config{
		Issuer:   "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc",
		ClientID: "3n4b5urk1ft4fl3mg5e62d9ado",
	})
	if err != nil {
		panic(err) // a configuration mistake: fail the cold start loudly
	}

	status := func(raw string) int {
		claims, err := v.VerifyAccess(context.Background(), raw)
		switch {
		case errors.Is(err, token.ErrKeysUnavailable):
			return http.StatusServiceUnavailable // Cognito's keys are unreachable; the token may be fine
		case err != nil:
			slog.Info("token rejected", "reason", err) // the text never contains the token
			return http.StatusUnauthorized
		}
		slog.Info("authorized", "sub", claims.Subject, "groups", claims.Groups)
		return http.StatusOK
	}
	_ = status
}
