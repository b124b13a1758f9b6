//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package devstack

import (
	"context"
	"time"
)

// lockFile is a no-op where flock(2) is unavailable: concurrent installs are
// then the caller's problem, which only matters for parallel test binaries.
func lockFile(context.Context, string, time.Duration) (func(), error) {
	return func() {}, nil
}
