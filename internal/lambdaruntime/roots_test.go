package lambdaruntime

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// The built authorizer trusts the bundle SSL_CERT_FILE names: a key server whose CA the
// bundle holds is trusted, and the same server is refused once the bundle lacks its CA. Go's
// own loader honours SSL_CERT_FILE too, so this does not tell package rootcerts apart from it.
func TestAuthorizerTrustsTheRootsOfItsBundle(t *testing.T) {
	requireLinux(t)
	root := moduleRoot(t)
	fn := function{name: "authorizer", dir: filepath.Join(root, "functions", "authorizer")}
	bootstrap(t, fn) // built (or skipped under -short) before any fixture is made
	fx := benchFixtures(t)
	keys := startKeyServer(t, fx)
	env := withEnv(keys.env(fx), map[string]string{"MONBAN_ACCEPTED_CREDENTIALS": "bearer"})
	event := bearerEvent(t, root, fx.AccessToken)
	allowed := func(t *testing.T, bundle string) (bool, string) {
		t.Helper()
		f := startFunction(t, fn, withEnv(env, map[string]string{"SSL_CERT_FILE": bundle}))
		resp, fnErr, err := f.Invoke(t.Context(), event)
		if err != nil {
			t.Fatalf("Invoke: %v\noutput:\n%s", err, f.Stdout()+f.Stderr())
		}
		var r struct {
			IsAuthorized bool `json:"isAuthorized"`
		}
		_ = json.Unmarshal(resp, &r)
		return fnErr == nil && r.IsAuthorized, f.Stdout() + f.Stderr() // the logs are on stdout
	}
	if ok, out := allowed(t, keys.bundle); !ok {
		t.Fatalf("a valid token was refused with the key server's CA in the bundle\noutput:\n%s", out)
	}
	keys.fetched(t)
	// Refused for the reason under test, not for any other failure.
	ok, out := allowed(t, keys.bundleWithoutCA(t))
	if ok {
		t.Fatal("a valid token was allowed with keys from a server the bundle does not trust")
	}
	if !strings.Contains(out, "certificate signed by unknown authority") {
		t.Fatalf("refused, but not for the key server's certificate\noutput:\n%s", out)
	}
}
