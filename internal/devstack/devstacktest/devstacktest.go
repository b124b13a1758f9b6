// Package devstacktest starts the local stack for integration tests: the emulator is
// required under CI=true (its absence fails the test) and skipped with the reason elsewhere.
package devstacktest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/devstack"
)

var (
	once     sync.Once
	localDir string
	toolErr  error
)

// RequireEmulator returns the local/ folder with cognito-local installed, or skips (fails
// under CI=true) with the reason.
func RequireEmulator(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: the emulator tests do not run")
	}
	once.Do(func() {
		if _, err := exec.LookPath("node"); err != nil {
			toolErr = errors.New("node is not on PATH")
			return
		}
		if localDir, toolErr = devstack.LocalDir(); toolErr != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		toolErr = devstack.EnsureNodeModules(ctx, localDir, os.Stderr)
	})
	if toolErr != nil {
		why := "cognito-local unavailable: " + toolErr.Error()
		if os.Getenv("CI") == "true" {
			t.Fatal(why + " (CI=true: the emulator is required)")
		}
		t.Skip(why)
	}
	return localDir
}

// Start starts a stack for one test in a temporary data folder and stops it at cleanup.
// o.LocalDir and o.DataDir are filled in.
func Start(t testing.TB, o devstack.StackOptions) *devstack.Stack {
	t.Helper()
	o.LocalDir = RequireEmulator(t)
	o.DataDir = t.TempDir()
	if o.EmulatorLog == nil {
		if tt, ok := t.(*testing.T); ok {
			o.EmulatorLog = tt.Output()
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := devstack.StartStack(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// RequireMoto starts moto_server for one test and stops it at cleanup, or skips (fails
// under CI=true) with the reason.
func RequireMoto(t *testing.T) *devstack.Moto {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: the emulator tests do not run")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	m, err := devstack.StartMoto(ctx, t.Output())
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v (CI=true: moto is required)", err)
		}
		t.Skipf("moto unavailable: %v", err)
	}
	t.Cleanup(func() {
		if err := m.Stop(); err != nil {
			t.Error(err)
		}
	})
	return m
}
