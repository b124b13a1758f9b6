package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/monban-auth/monban/internal/app"
	"github.com/monban-auth/monban/internal/seal"
	"github.com/monban-auth/monban/internal/sealed"
)

// signedInSessionEvent is testdata/session.json carrying the session cookie of a signed-in
// user: a Cognito-sized access token (about 1.1 kB), two groups, one attribute.
func signedInSessionEvent(tb testing.TB, secret string, now time.Time) []byte {
	tb.Helper()
	s, err := seal.NewSealer([][]byte{[]byte(secret)})
	if err != nil {
		tb.Fatal(err)
	}
	sess := sealed.Session{
		AccessToken: "eyJraWQiOiJ" + strings.Repeat("QWxhZGRpbjpvcGVuIHNlc2FtZQ", 42),
		ExpiresAt:   now.Add(time.Hour).Truncate(time.Second).UTC(),
		User: sealed.User{
			Sub: "a4f8e2c1-3b6d-4e9a-8f7c-2d1e0b9a8c7d", Username: "a4f8e2c1-3b6d-4e9a-8f7c-2d1e0b9a8c7d",
			Email: "alice@example.com", EmailVerified: true,
			Groups: []string{"admins", "staff"}, Attributes: sealed.Attributes{{Name: "name", Value: "Alice Example"}},
		},
	}
	v, err := s.Seal(sealed.SessionKind.Purpose, sess, sess.ExpiresAt)
	if err != nil {
		tb.Fatal(err)
	}
	raw, err := os.ReadFile("testdata/session.json")
	if err != nil {
		tb.Fatal(err)
	}
	// Compact, as API Gateway sends it.
	var ev bytes.Buffer
	if err := json.Compact(&ev, raw); err != nil {
		tb.Fatal(err)
	}
	return bytes.Replace(ev.Bytes(), []byte(`"SESSION_COOKIES"`), []byte(`"__Host-monban-session=`+v+`"`), 1)
}

// BenchmarkSessionLambdaEntry is GET /auth/session, signed in, as the deployed function
// serves it on every page load: the event's JSON bytes through the runtime's handler
// wrapper (lambda.Start wraps the handler the same way), the wiring check, the event
// turned into a request, the /auth handler, and its response encoded to JSON bytes.
func BenchmarkSessionLambdaEntry(b *testing.B) {
	env := func(k string) string { return offlineEnv[k] }
	h, err := newHandlerWith(context.Background(), env, app.Options{Getenv: env, Log: slog.New(slog.DiscardHandler), Metrics: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	payload := signedInSessionEvent(b, offlineEnv["MONBAN_SESSION_SECRET"], time.Now())
	entry := lambda.NewHandler(h)
	ctx := context.Background()
	out, err := entry.Invoke(ctx, payload)
	if err != nil || !bytes.Contains(out, []byte(`"statusCode":200`)) || !bytes.Contains(out, []byte(`alice@example.com`)) {
		b.Fatalf("answer %s, %v", out, err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		if _, err := entry.Invoke(ctx, payload); err != nil {
			b.Fatal(err)
		}
	}
}
