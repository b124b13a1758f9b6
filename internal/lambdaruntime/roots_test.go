package lambdaruntime

import (
	"encoding/json"
	"path/filepath"
	"testing"
)

// The built authorizer fetches its key set over HTTPS at start, trusting the roots of the
// bundle SSL_CERT_FILE names (package rootcerts): a key server whose CA the bundle holds is
// trusted, and the same server is refused once the bundle lacks its CA.
func TestAuthorizerTrustsTheRootsOfItsBundle(t *testing.T) {
	requireLinux(t)
	root := moduleRoot(t)
	fn := function{name: "authorizer", dir: filepath.Join(root, "functions", "authorizer")}
	bootstrap(t, fn) // built (or skipped under -short) before any fixture is made
	fx := benchFixtures(t)
	keys := startKeyServer(t, fx)
	env := withEnv(keys.env(fx), map[string]string{"MONBAN_ACCEPTED_CREDENTIALS": "bearer"})
	event := bearerEvent(t, root, fx.AccessToken)
	allowed := func(t *testing.T, bundle string) bool {
		t.Helper()
		f := startFunction(t, fn, withEnv(env, map[string]string{"SSL_CERT_FILE": bundle}))
		resp, fnErr, err := f.Invoke(t.Context(), event)
		if err != nil {
			t.Fatalf("Invoke: %v\nstderr:\n%s", err, f.Stderr())
		}
		var r struct {
			IsAuthorized bool `json:"isAuthorized"`
		}
		_ = json.Unmarshal(resp, &r)
		return fnErr == nil && r.IsAuthorized
	}
	if !allowed(t, keys.bundle) {
		t.Fatal("a valid token was refused with the key server's CA in the bundle")
	}
	keys.fetched(t)
	if allowed(t, keys.bundleWithoutCA(t)) {
		t.Fatal("a valid token was allowed with keys from a server the bundle does not trust")
	}
}
