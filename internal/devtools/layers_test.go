package devtools

import (
	"bufio"
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/monban-auth/monban/"

// TestLayers holds the packages to the shape ARCHITECTURE.md describes: the flows reach
// Cognito only through their port, so they import no AWS package and not its adapter; the
// transport knows HTTP, not Cognito; the library other APIs import stays small; and only the
// composition root (and the local stack, which runs the emulator) wires the adapter in.
func TestLayers(t *testing.T) {
	imports, direct := moduleImports(t)
	rules := []layerRule{
		{"internal/auth", isAWS, "the flows call Cognito through auth.UserPool only"},
		{"internal/auth", is("internal/cognito", "internal/httpapi", "internal/app"), "the flows know neither the adapter nor the transport"},
		{"internal/auth/userpooltest", isAWS, "the fake stands in for Cognito without it"},
		{"internal/httpapi", isAWS, "the transport knows HTTP, not Cognito"},
		{"internal/httpapi", is("internal/cognito", "internal/app"), "the transport talks to the flows only"},
		{"internal/cognito", is("internal/httpapi", "internal/app"), "the adapter knows the port, not its callers"},
		{"internal/triggers/presignup", isAWSSDK, "the trigger's decisions reach Cognito through presignup.Directory only; its adapter is presignup/cognitodir"},
		{"pkg/monbanauth", isAWS, "other APIs import it: it must stay small"},
		{"pkg/monbanauth", is("internal/auth", "internal/httpapi", "internal/cognito", "internal/app"), "other APIs import it: it must stay small"},
	}
	// Cognito verifies passkeys in production; the local relying party is for the stand-ins.
	for _, fn := range []string{"functions/api", "functions/authorizer", "functions/sample-api", "triggers/pre-sign-up", "triggers/pre-token-generation"} {
		rules = append(rules, layerRule{fn, isLocalPasskey, "the deployed functions leave passkeys to Cognito"})
	}
	for _, r := range rules {
		deps, ok := imports[module+r.pkg]
		if !ok {
			t.Errorf("%s: no such package (has it moved? update this test and ARCHITECTURE.md)", r.pkg)
			continue
		}
		for _, d := range deps {
			if r.banned(d) {
				t.Errorf("%s imports %s: %s", r.pkg, d, r.why)
			}
		}
	}
	wiring := []string{module + "internal/app", module + "internal/devstack"}
	for pkg, deps := range direct {
		if slices.Contains(deps, module+"internal/cognito") && !slices.Contains(wiring, pkg) && pkg != module+"internal/cognito" {
			t.Errorf("%s imports internal/cognito: only internal/app wires the adapter in (and the local stack)", pkg)
		}
	}
}

// layerRule says which dependencies pkg must not have, and why.
type layerRule struct {
	pkg    string
	banned func(dep string) bool
	why    string
}

// moduleImports maps each non-test package of the module to everything it depends on,
// directly or not (deps), and to what it imports itself (direct).
func moduleImports(t *testing.T) (deps, direct map[string][]string) {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}|{{join .Imports " "}}|{{join .Deps " "}}`, "./...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps, direct = map[string][]string{}, map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		f := strings.Split(sc.Text(), "|")
		if len(f) != 3 {
			t.Fatalf("go list: unexpected line %q", sc.Text())
		}
		direct[f[0]], deps[f[0]] = strings.Fields(f[1]), strings.Fields(f[2])
	}
	if len(deps) == 0 {
		t.Fatal("go list listed no packages")
	}
	return deps, direct
}

func isAWS(dep string) bool {
	return strings.HasPrefix(dep, "github.com/aws/")
}

// isAWSSDK is the AWS SDK proper, not aws-lambda-go (whose event types the triggers take).
func isAWSSDK(dep string) bool {
	return strings.HasPrefix(dep, "github.com/aws/aws-sdk-go-v2") || strings.HasPrefix(dep, "github.com/aws/smithy-go")
}

func isLocalPasskey(dep string) bool {
	return strings.HasPrefix(dep, "github.com/go-webauthn/") || strings.HasPrefix(dep, module+"internal/passkey")
}

func is(pkgs ...string) func(string) bool {
	return func(dep string) bool {
		return slices.Contains(pkgs, strings.TrimPrefix(dep, module))
	}
}
