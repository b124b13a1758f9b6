package lambdaruntime

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// buildFlags are the go build flags of the deployed binaries: the Makefile's
// GO_LAMBDA_FLAGS, which `sam build` uses. The two must change together.
var buildFlags = []string{"-tags", "lambda.norpc", "-trimpath", "-buildvcs=false", "-ldflags=-s -w"}

// Build compiles the main package in dir (a function's folder, such as functions/api) into
// out as SAM does (GOOS=linux, CGO_ENABLED=0, -tags lambda.norpc, -trimpath, stripped), for
// goarch: runtime.GOARCH to run it on this machine, arm64 for what is deployed. The go
// command's output is in the error.
func Build(ctx context.Context, dir, out, goarch string) error {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("lambdaruntime: build %s: %w", dir, err)
	}
	out, err = filepath.Abs(out)
	if err != nil {
		return fmt.Errorf("lambdaruntime: %w", err)
	}
	args := append([]string{"build"}, buildFlags...)
	cmd := exec.CommandContext(ctx, goTool, append(args, "-o", out, ".")...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch)
	cmd.WaitDelay = 10 * time.Second
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("lambdaruntime: go build %s (linux/%s): %w\n%s", dir, goarch, err, b)
	}
	return nil
}
