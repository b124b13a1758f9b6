package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/authorizer"
	"github.com/monban-auth/monban/internal/tokentest"
)

// The signing keys are fetched while the function starts, so that its first request
// is verified without waiting for them; a key set that cannot be fetched then is
// logged and fetched by the first request, and never fails the start.
func TestSigningKeysAreFetchedAtStart(t *testing.T) {
	for _, tc := range []struct {
		name string
		down bool
	}{
		{"a reachable key set is fetched before the first request", false},
		{"an unreachable key set is logged and fetched by the first request", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			jwks := tokentest.NewJWKS(t)
			jwks.SetDown(tc.down)
			env := map[string]string{
				"MONBAN_USER_POOL_ID":         "us-east-1_Test",
				"MONBAN_CLIENT_ID":            tokentest.ClientID,
				"MONBAN_ISSUER":               tokentest.Issuer,
				"MONBAN_JWKS_URL":             jwks.URL(),
				"MONBAN_ACCEPTED_CREDENTIALS": "bearer",
			}
			var logs bytes.Buffer
			h, err := newHandler(context.Background(), func(k string) string { return env[k] },
				authorizer.Options{Log: slog.New(slog.NewJSONHandler(&logs, nil))})
			if err != nil {
				t.Fatalf("start failed: %v", err)
			}
			if jwks.Hits() != 1 {
				t.Fatalf("key set fetched %d times during start, want once", jwks.Hits())
			}
			if warned := strings.Contains(logs.String(), "signing keys not fetched at start"); warned != tc.down {
				t.Fatalf("logs:\n%s", logs.String())
			}
			jwks.SetDown(false)
			token := tokentest.Sign(tokentest.AccessClaims(time.Now()))
			payload := []byte(`{"version":"2.0","type":"REQUEST","routeArn":"arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/$default/GET/x",` +
				`"headers":{"authorization":"Bearer ` + token + `"}}`)
			out, err := h.Invoke(context.Background(), payload)
			if err != nil || !strings.Contains(string(out), `"isAuthorized":true`) {
				t.Fatalf("first request: %s %v", out, err)
			}
			want := 1
			if tc.down {
				want = 2
			}
			if jwks.Hits() != want {
				t.Fatalf("key set fetched %d times in all, want %d", jwks.Hits(), want)
			}
		})
	}
}
