// Package devtools holds the tests of the developer set-up scripts under scripts/ that
// `make deps` runs: scripts/python-tools.sh, which provides the pinned Python test tools of
// requirements-test.txt (from PATH when they match, else in the project venv .venv-test/).
// It also holds the guard test of the layers ARCHITECTURE.md describes (layers_test.go).
// It has no code of its own.
package devtools
