package secrets_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/secrets"
	"github.com/monban-auth/monban/internal/secrets/secretstest"
)

func getenv(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestReaderReadsWithASignedCall(t *testing.T) {
	sm := secretstest.New(t)
	arn := secretstest.ARN("session")
	value := strings.Repeat("n", 40) + "," + strings.Repeat("o", 40)
	sm.Set(arn, value)
	r := secrets.NewReader(getenv(sm.Env()), nil)
	ctx := context.Background()

	list, err := r.List(ctx, arn, "session secret")
	if err != nil || len(list) != 2 || string(list[1]) != strings.Repeat("o", 40) {
		t.Fatalf("List: %v (%d values)", err, len(list))
	}

	cases := []struct {
		name string
		env  map[string]string
		arn  string
		want string
	}{
		{"wrong credentials are refused by the signature check", with(sm.Env(), "AWS_SECRET_ACCESS_KEY", "wrong"), arn, "InvalidSignatureException"},
		{"no credentials in the environment", with(sm.Env(), "AWS_ACCESS_KEY_ID", ""), arn, "no AWS credentials"},
		{"an unknown secret", sm.Env(), secretstest.ARN("nothing"), "ResourceNotFoundException"},
		{"not an ARN", sm.Env(), "session", "not a Secrets Manager secret ARN"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := secrets.NewReader(getenv(c.env), nil).String(ctx, c.arn)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
			if strings.Contains(err.Error(), value) || strings.Contains(err.Error(), secretstest.SecretAccessKey) {
				t.Fatal("an error carries a secret")
			}
		})
	}
	sm.Set(arn, "short")
	if _, err := r.List(ctx, arn, "session secret"); err == nil || strings.Contains(err.Error(), "short") {
		t.Fatalf("a too short secret: %v", err)
	}
	before := sm.Calls()
	sm.Down(true)
	if _, err := r.String(ctx, arn); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("outage: %v", err)
	}
	if got := sm.Calls() - before; got != 3 {
		t.Fatalf("an outage was tried %d times, want 3", got)
	}
}

func with(m map[string]string, k, v string) map[string]string {
	out := map[string]string{}
	for a, b := range m {
		out[a] = b
	}
	out[k] = v
	return out
}

func TestRefresherReadsInTheBackgroundOncePerInterval(t *testing.T) {
	var now atomic.Int64
	start := time.Unix(1_750_000_000, 0)
	now.Store(start.UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	var reads atomic.Int32
	var failing atomic.Bool
	release := make(chan struct{})
	r := secrets.NewRefresher(5*time.Minute, clock, func(context.Context) error {
		reads.Add(1)
		<-release
		if failing.Load() {
			return errors.New("secrets manager down")
		}
		return nil
	}, nil)

	if done := r.Poll(); done != nil || reads.Load() != 0 {
		t.Fatal("read before the interval passed")
	}
	now.Store(start.Add(5 * time.Minute).UnixNano())
	done := r.Poll()
	if done == nil {
		t.Fatal("no read once due")
	}
	if again := r.Poll(); again != done {
		t.Fatal("a second read started while one was in flight")
	}
	release <- struct{}{}
	<-done
	if r.Poll() != nil || reads.Load() != 1 {
		t.Fatalf("reads = %d; a read started right after one finished", reads.Load())
	}

	// A failed read keeps what is in use and tries again after a tenth of the interval.
	failing.Store(true)
	now.Store(start.Add(10 * time.Minute).UnixNano())
	done = r.Poll()
	release <- struct{}{}
	<-done
	now.Store(start.Add(10*time.Minute + 29*time.Second).UnixNano())
	if r.Poll() != nil {
		t.Fatal("retried too soon after a failure")
	}
	now.Store(start.Add(10*time.Minute + 30*time.Second).UnixNano())
	if done = r.Poll(); done == nil {
		t.Fatal("no retry after a failure")
	}
	release <- struct{}{}
	<-done
	if reads.Load() != 3 {
		t.Fatalf("reads = %d, want 3", reads.Load())
	}
}
