// Package golden compares test output with files under testdata/golden, for tests only.
// `go test -update` rewrites the files from what the code produces now.
package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// JSON compares got, a JSON document, with testdata/golden/name. Both are compared in one
// canonical layout (two-space indent, final newline), so only content can differ.
func JSON(t testing.TB, name string, got []byte) {
	t.Helper()
	var compact, buf bytes.Buffer
	if err := json.Compact(&compact, got); err != nil {
		t.Fatalf("not JSON: %v: %s", err, got)
	}
	json.Indent(&buf, compact.Bytes(), "", "  ")
	buf.WriteByte('\n')
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("differs from %s:\n got %s\nwant %s", path, buf.Bytes(), want)
	}
}

// Answer checks one invocation's outcome: with wantErr set, the error's exact text (and no
// answer); otherwise no error and an answer equal to testdata/golden/name.
func Answer(t testing.TB, name string, out []byte, err error, wantErr string) {
	t.Helper()
	if wantErr != "" {
		if err == nil || err.Error() != wantErr {
			t.Fatalf("err = %v, answer %s\nwant error %s", err, out, wantErr)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	JSON(t, name, out)
}
