package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/app"
	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/config"
	"github.com/monban-auth/monban/internal/cookie"
	"github.com/monban-auth/monban/internal/seal"
	"github.com/monban-auth/monban/internal/sealed"
	"github.com/monban-auth/monban/internal/secrets/secretstest"
)

var (
	oldSecret = strings.Repeat("o", 40)
	newSecret = strings.Repeat("n", 40)
)

// A rotation as the README describes it, under a running handler: the secret becomes
// "NEW,OLD", then "NEW". Cookies sealed with OLD open all along the first step, new cookies
// are sealed with NEW once the interval has passed, no request fails in between, and OLD
// stops opening only when it is removed.
func TestSessionSecretRotatesUnderARunningHandler(t *testing.T) {
	sm := secretstest.New(t)
	sm.Set(secretstest.ARN("session"), oldSecret)
	sm.Set(secretstest.ARN("client"), "client-secret")
	env := map[string]string{
		"MONBAN_USER_POOL_ID":       "eu-west-1_AbC123",
		"MONBAN_CLIENT_ID":          "client123",
		"MONBAN_CLIENT_SECRET_ARN":  secretstest.ARN("client"),
		"MONBAN_SESSION_SECRET_ARN": secretstest.ARN("session"),
		"MONBAN_SECRETS_REFRESH":    "1m",
		"MONBAN_COGNITO_DOMAIN":     "https://auth.example.com",
		"MONBAN_CALLBACK_URL":       "https://www.example.com/auth/callback",
		"MONBAN_ALLOWED_ORIGINS":    "https://www.example.com",
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	var clock atomic.Int64
	start := time.Unix(1_750_000_000, 0)
	clock.Store(start.UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	awsEnv := sm.Env()
	h, err := app.New(context.Background(), cfg, app.Options{Now: now, Getenv: func(k string) string { return awsEnv[k] }})
	if err != nil {
		t.Fatal(err)
	}

	codec := cookie.Codec{Now: now}
	sessionCookie := func(secret string) []*http.Cookie {
		s, _ := seal.NewSealer([][]byte{[]byte(secret)})
		exp := now().Add(time.Hour)
		value, _ := s.Seal(sealed.SessionKind.Purpose, auth.Session{AccessToken: "at", ExpiresAt: exp, User: auth.User{Sub: "sub-1", Groups: []string{}}}, exp)
		w := httptest.NewRecorder()
		codec.Write(w, httptest.NewRequest("GET", "/", nil), sealed.SessionKind.Cookie, value, exp)
		return w.Result().Cookies()
	}
	signedIn := func(cookies []*http.Cookie) bool {
		r := httptest.NewRequest("GET", "https://www.example.com/auth/session", nil)
		for _, c := range cookies {
			r.AddCookie(c)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code == http.StatusOK && strings.Contains(w.Body.String(), `"sub":"sub-1"`)
	}
	// sealsWith reports whether the flow cookie a sign-in sets now opens with secret alone.
	sealsWith := func(secret string) bool {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "https://www.example.com/auth/sign-in", nil))
		only, _ := seal.NewSealer([][]byte{[]byte(secret)})
		for _, c := range w.Result().Cookies() {
			if strings.Contains(c.Name, "monban-flow") {
				return only.Open(sealed.FlowKind.Purpose, c.Value, nil, now()) == nil
			}
		}
		t.Fatalf("sign-in set no flow cookie: %d", w.Code)
		return false
	}
	// waitUntil sends requests (each may start the background read) until cond holds.
	waitUntil := func(what string, cond func() bool) {
		t.Helper()
		for range 200 {
			if cond() {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatalf("not within 2 s: %s", what)
	}

	oldCookie := sessionCookie(oldSecret)
	if !signedIn(oldCookie) || !sealsWith(oldSecret) {
		t.Fatal("before the rotation")
	}

	// Requests keep coming during the rotation: none may fail.
	var failures atomic.Int32
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if !signedIn(oldCookie) {
				failures.Add(1)
			}
		}
	})

	sm.Set(secretstest.ARN("session"), newSecret+","+oldSecret)
	if sealsWith(newSecret) {
		t.Fatal("the new secret was used before the interval passed")
	}
	clock.Add(int64(time.Minute))
	waitUntil("new cookies are sealed with the new secret", func() bool { return sealsWith(newSecret) })
	close(stop)
	wg.Wait()
	if n := failures.Load(); n != 0 {
		t.Fatalf("%d requests with a cookie sealed before the rotation failed during it", n)
	}
	if !signedIn(oldCookie) || !signedIn(sessionCookie(newSecret)) {
		t.Fatal("after the first step both secrets must open")
	}

	// Secrets Manager down: the secrets in use stay.
	sm.Down(true)
	clock.Add(int64(time.Minute))
	for range 20 {
		if !signedIn(oldCookie) {
			t.Fatal("an outage of Secrets Manager signed the user out")
		}
	}
	sm.Down(false)

	// The old secret removed: cookies sealed with it no longer open, new ones still do.
	sm.Set(secretstest.ARN("session"), newSecret)
	clock.Add(int64(time.Minute))
	waitUntil("the removed secret stops opening cookies", func() bool { return !signedIn(oldCookie) })
	if !signedIn(sessionCookie(newSecret)) {
		t.Fatal("the new secret stopped opening cookies")
	}
}
