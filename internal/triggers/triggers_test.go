package triggers_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/monban-auth/monban/internal/triggers"
)

const root = "../.."

// folders lists the folders under dir (relative to the module root) that hold Go code.
func folders(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(root, dir))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if code, _ := filepath.Glob(filepath.Join(root, dir, e.Name(), "*.go")); e.IsDir() && len(code) > 0 {
			out = append(out, e.Name())
		}
	}
	return out
}

func names() []string {
	var out []string
	for _, f := range triggers.All {
		out = append(out, f.Name)
	}
	return out
}

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A function folder without a row would be built and deployed but never run by the local
// stack; a row without a folder would be a function that does not exist.
func TestTheTableListsEveryFolderUnderTriggers(t *testing.T) {
	got, want := folders(t, "triggers"), names()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("folders under triggers/: %v; the table: %v", got, want)
	}
}

// make build builds the Makefile's FUNCTIONS: the API functions (folders under functions/)
// and the table's triggers, each once.
func TestTheMakefileBuildsEveryFunction(t *testing.T) {
	m := regexp.MustCompile(`(?m)^FUNCTIONS\s*:?=\s*(.*)$`).FindStringSubmatch(read(t, "Makefile"))
	if m == nil {
		t.Fatal("the Makefile has no FUNCTIONS line")
	}
	got, want := strings.Fields(m[1]), append(folders(t, "functions"), names()...)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("the Makefile's FUNCTIONS = %v; want the folders under functions/ and the table's triggers: %v", got, want)
	}
}

// sam build runs make build-<Resource> for each trigger, which must build its folder, and
// the template's resource must deploy that folder.
func TestSAMBuildsEachTriggerFromItsFolder(t *testing.T) {
	makefile, template := read(t, "Makefile"), read(t, "template.yaml")
	for _, f := range triggers.All {
		target := regexp.MustCompile(`(?m)^build-` + regexp.QuoteMeta(f.Resource) + `:\n\t(.*)$`).FindStringSubmatch(makefile)
		if target == nil || !strings.HasSuffix(target[1], " ./"+f.Dir()) {
			t.Errorf("the Makefile's build-%s must build ./%s: %q", f.Resource, f.Dir(), target)
		}
		_, resource, ok := strings.Cut(template, "\n  "+f.Resource+":\n")
		if !ok {
			t.Errorf("template.yaml has no resource %s", f.Resource)
			continue
		}
		// The resource's own CodeUri is the first one after its name.
		codeURI := regexp.MustCompile(`CodeUri: (\S+)`).FindStringSubmatch(resource)
		if codeURI == nil || codeURI[1] != f.Dir()+"/" {
			t.Errorf("template.yaml's %s must deploy %s/: %q", f.Resource, f.Dir(), codeURI)
		}
	}
}
