package devstack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// LocalDir finds the repository's local/ folder by walking up from the working
// directory to the first folder holding both go.mod and local/package.json;
// tests run in their package directory, `make dev` at the root.
func LocalDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("devstack: working directory: %w", err)
	}
	// A filesystem path has a bounded number of parents; the loop ends at the root.
	for {
		if isFile(filepath.Join(dir, "go.mod")) && isFile(filepath.Join(dir, "local", "package.json")) {
			return filepath.Join(dir, "local"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("devstack: no go.mod with a local/package.json next to it above the working directory")
		}
		dir = parent
	}
}

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// lockWaitLimit caps how long EnsureNodeModules waits for another process's
// install, so a wedged npm cannot hang every test binary forever.
const lockWaitLimit = 10 * time.Minute

// EnsureNodeModules runs `npm ci --no-audit --no-fund` in localDir when
// node_modules/cognito-local is missing or the install is older than
// package-lock.json. npm's output goes to out (nil discards it).
//
// `go test ./...` runs several test binaries at once and npm ci deletes
// node_modules first, so the check and the install happen under a
// cross-process file lock.
func EnsureNodeModules(ctx context.Context, localDir string, out io.Writer) error {
	if out == nil {
		out = io.Discard
	}
	dir, err := filepath.Abs(localDir)
	if err != nil {
		return fmt.Errorf("devstack: %w", err)
	}
	if !isFile(filepath.Join(dir, "package-lock.json")) {
		return fmt.Errorf("devstack: %s has no package-lock.json", dir)
	}
	sum := sha256.Sum256([]byte(dir))
	lockPath := filepath.Join(os.TempDir(), "monban-npm-"+hex.EncodeToString(sum[:8])+".lock")
	unlock, err := lockFile(ctx, lockPath, lockWaitLimit)
	if err != nil {
		return fmt.Errorf("devstack: waiting for npm install lock: %w", err)
	}
	defer unlock()

	why, err := nodeModulesStale(dir)
	if err != nil {
		return err
	}
	if why == "" {
		return nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return fmt.Errorf("%w: npm not found on PATH (needed because %s)", ErrToolMissing, why)
	}
	fmt.Fprintf(out, "devstack: %s; running npm ci in %s\n", why, dir)
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%w: npm ci in %s failed: %v", ErrToolMissing, dir, err)
	}
	return nil
}

// nodeModulesStale returns why an install is needed, or "" when it is not.
// npm's own record of the last install (node_modules/.package-lock.json) is
// compared with package-lock.json rather than the package folder: npm extracts
// packages before it writes package-lock.json, so a package folder is always
// older than a lock file written by the same install.
func nodeModulesStale(dir string) (string, error) {
	if !isFile(filepath.Join(dir, "node_modules", "cognito-local", "package.json")) {
		return "node_modules/cognito-local is missing", nil
	}
	lock, err := os.Stat(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		return "", fmt.Errorf("devstack: %w", err)
	}
	installed, err := os.Stat(filepath.Join(dir, "node_modules", ".package-lock.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return "node_modules has no record of an npm install", nil
	}
	if err != nil {
		return "", fmt.Errorf("devstack: %w", err)
	}
	if lock.ModTime().After(installed.ModTime()) {
		return "package-lock.json is newer than node_modules", nil
	}
	return "", nil
}
