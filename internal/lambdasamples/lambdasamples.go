// Package lambdasamples reads the sample events aws-lambda-go ships in its events/testdata
// folder (github.com/aws/aws-lambda-go/events/testdata), from the module cache at the
// version go.mod requires, so golden tests feed monban's functions the payloads AWS's own
// library documents rather than ones written to pass. For tests only.
package lambdasamples

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Module is the Go module whose samples are read.
const Module = "github.com/aws/aws-lambda-go"

var (
	once   sync.Once
	dir    string
	dirErr error
)

// Dir returns the folder holding the samples: events/testdata of the module's copy in the
// module cache (`go list -m` finds it, at the version go.mod requires).
func Dir(tb testing.TB) string {
	tb.Helper()
	once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}", Module).Output()
		if err != nil {
			dirErr = err
			if ee, ok := err.(*exec.ExitError); ok {
				dirErr = &listError{err, string(ee.Stderr)}
			}
			return
		}
		dir = filepath.Join(strings.TrimSpace(string(out)), "events", "testdata")
		if _, err := os.Stat(dir); err != nil {
			dirErr = err
		}
	})
	if dirErr != nil {
		tb.Fatalf("the sample events of %s: %v", Module, dirErr)
	}
	return dir
}

// Read returns the sample event events/testdata/name.
func Read(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(Dir(tb), name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

type listError struct {
	err    error
	stderr string
}

func (e *listError) Error() string {
	return "go list: " + e.err.Error() + ": " + strings.TrimSpace(e.stderr)
}
