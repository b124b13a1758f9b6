package token_test

import (
	"context"
	"strings"
	"testing"
)

// FuzzVerify feeds arbitrary strings to both verify methods. Nothing may
// panic, and the only strings that may verify are the exact tokens the key
// holder minted: any other spelling of them would be a malleability bug.
func FuzzVerify(f *testing.F) {
	a, _ := testKeys(f)
	fx := newFixture(f)
	access := signed(a, testKid, accessClaims())
	id := signed(a, testKid, idClaims())

	for _, seed := range []string{
		access, id, "", ".", "..", "a.b.c", "a.b.c.d",
		strings.Repeat("a", 16<<10+1),
		b64(`{"alg":"none","kid":"kid-a"}`) + "." + b64(`{}`) + ".",
		b64(`{"alg":"HS256","kid":"kid-a"}`) + "." + b64(`{}`) + ".c2ln",
		b64(`{"alg":"RS256","kid":"kid-a","crit":["b64"],"b64":false}`) + ".e30.c2ln",
		b64(`{"alg":"RS256","kid":"kid-zzz"}`) + ".e30.c2ln",
		b64(`{"alg":"RS256","kid":"kid-a"`) + ".e30.c2ln",
		b64(`{"alg":"RS256","kid":"k\u0069d-a","alg":"RS256"}`) + ".e30.c2ln",
	} {
		f.Add(seed)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, raw string) {
		if _, err := fx.v.VerifyAccess(ctx, raw); err == nil && raw != access {
			t.Fatalf("VerifyAccess accepted %q", raw)
		}
		if _, err := fx.v.VerifyID(ctx, raw, "", true); err == nil && raw != id {
			t.Fatalf("VerifyID accepted %q", raw)
		}
	})
}
