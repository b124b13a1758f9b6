package client

import (
	"bytes"
	"os"
	"testing"
)

// The API serves exactly the module the npm package ships.
func TestScriptIsTheModule(t *testing.T) {
	want, err := os.ReadFile("monban.js")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(Script, want) {
		t.Fatal("Script differs from monban.js")
	}
	for _, export := range []string{"export function getSession(", "export class MonbanError ", "export function createClient("} {
		if !bytes.Contains(Script, []byte(export)) {
			t.Errorf("Script lacks %q", export)
		}
	}
}
