package sealed

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// SessionToken must read the access token of a sealed Session: the API writes one, the
// library for other APIs reads the other.
func TestSessionTokenReadsSession(t *testing.T) {
	b, err := json.Marshal(Session{AccessToken: "tok", ExpiresAt: time.Unix(1, 0), User: User{Sub: "s"}})
	if err != nil {
		t.Fatal(err)
	}
	var st SessionToken
	if err := json.Unmarshal(b, &st); err != nil || st.AccessToken != "tok" {
		t.Fatalf("SessionToken from %s: %+v %v", b, st, err)
	}
	want, _ := reflect.TypeFor[Session]().FieldByName("AccessToken")
	got, _ := reflect.TypeFor[SessionToken]().FieldByName("AccessToken")
	if want.Tag != got.Tag {
		t.Fatalf("tags differ: %q vs %q", want.Tag, got.Tag)
	}
}

// Every kind has its own cookie name and purpose, except the legacy refresh cookie, which
// shares the refresh purpose (it holds the same payload) under the older path.
func TestKindsAreDistinct(t *testing.T) {
	kinds := []Kind{SessionKind, RefreshKind, FlowKind, ChallengeKind}
	names, purposes := map[string]bool{}, map[string]bool{}
	for _, k := range kinds {
		if names[k.Cookie.Name] || purposes[string(k.Purpose)] {
			t.Fatalf("kind %+v repeats a name or purpose", k)
		}
		names[k.Cookie.Name], purposes[string(k.Purpose)] = true, true
		if k.Cookie.Path != "/" {
			t.Fatalf("%s: host-only cookies need Path=/", k.Cookie.Name)
		}
	}
	if LegacyRefreshKind.Purpose != RefreshKind.Purpose || LegacyRefreshKind.Cookie.Path == "/" {
		t.Fatalf("legacy refresh kind: %+v", LegacyRefreshKind)
	}
}
