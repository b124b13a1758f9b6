package cookie_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/cookie"
	"github.com/monban-auth/monban/internal/seal"
)

// testPick is the conformance suite's part for Codec.Pick: a sealed value written by
// Codec.Write, then whatever a sibling subdomain can add beside it in the browser (with a
// cookie Domain it can set monban's names for any path, and the browser sends the longest
// path first), read back through Pick with Sealer.Open as the test of authenticity.
func testPick(t *testing.T) {
	sealer := mustSealer(t, secretNew)
	now := time.Now()
	sealed := func(p seal.Purpose, v payload, exp time.Time) string {
		s, err := sealer.Seal(p, v, exp)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	small := sealed(seal.PurposeSession, payload{Sub: "user-1"}, now.Add(time.Hour))
	large := sealed(seal.PurposeSession, payload{Sub: "user-1", Token: val(cookie.MaxChunk+100, 3)}, now.Add(time.Hour))
	other := sealed(seal.PurposeSession, payload{Sub: "mallory"}, now.Add(time.Hour))
	otherLarge := sealed(seal.PurposeSession, payload{Sub: "mallory", Token: val(cookie.MaxChunk+100, 4)}, now.Add(time.Hour))
	expired := sealed(seal.PurposeSession, payload{Sub: "mallory"}, now.Add(-time.Minute))
	refresh := sealed(seal.PurposeRefresh, payload{Sub: "mallory"}, now.Add(time.Hour))
	name := "__Secure-monban-session"

	// first puts a planted cookie before the real ones, where a longer path puts it.
	first := func(suffix, v string) func([]*http.Cookie) []*http.Cookie {
		return func(cs []*http.Cookie) []*http.Cookie {
			return append([]*http.Cookie{{Name: name + suffix, Value: v}}, cs...)
		}
	}
	then := func(fs ...func([]*http.Cookie) []*http.Cookie) func([]*http.Cookie) []*http.Cookie {
		return func(cs []*http.Cookie) []*http.Cookie {
			for _, f := range fs {
				cs = f(cs)
			}
			return cs
		}
	}
	many := func(n int) func([]*http.Cookie) []*http.Cookie {
		return func(cs []*http.Cookie) []*http.Cookie {
			for i := range n {
				cs = append(cs, &http.Cookie{Name: name, Value: val(20, i)})
			}
			return cs
		}
	}
	other2 := otherLarge[:cookie.MaxChunk] // Mallory's value as chunks .0 and .1
	other2b := otherLarge[cookie.MaxChunk:]

	tests := []struct {
		name   string
		real   string // the value monban wrote ("" for none)
		tamper func([]*http.Cookie) []*http.Cookie
		want   cookie.Result
	}{
		{name: "a lone unsplit value is found", real: small, want: cookie.Found},
		{name: "a lone chunked value is found", real: large, want: cookie.Found},
		{name: "nothing sent is absent", want: cookie.Absent},
		{name: "garbage alone is absent", tamper: first("", "garbage"), want: cookie.Absent},
		{name: "a forged value alone is absent", real: small, tamper: editPart(3, flipChar), want: cookie.Absent},
		{name: "a stray .0 beside an unsplit value does not hide it", real: small, tamper: first(".0", "x"), want: cookie.Found},
		{name: "a stray .9, past the chunk cap, does not hide the value", real: small, tamper: first(".9", "x"), want: cookie.Found},
		{name: "a stray chunk past the real value's end does not hide it", real: large, tamper: first(".2", "x"), want: cookie.Found},
		{name: "a duplicate first chunk sent first does not hide the value", real: large, tamper: first(".0", "x"), want: cookie.Found},
		{name: "a duplicate last chunk sent first does not hide the value", real: large, tamper: first(".1", "x"), want: cookie.Found},
		{name: "a garbage duplicate sent first does not hide the value", real: small, tamper: first("", "garbage"), want: cookie.Found},
		{name: "an unsplit garbage value beside chunks does not hide them", real: large, tamper: first("", "garbage"), want: cookie.Found},
		{name: "the same value sent twice is found", real: small, tamper: first("", small), want: cookie.Found},
		{name: "an expired authentic value beside the real one does not count", real: small, tamper: first("", expired), want: cookie.Found},
		{name: "a value sealed for another purpose beside the real one does not count", real: small, tamper: first("", refresh), want: cookie.Found},
		{name: "a planted authentic value alone is found: only with nothing real beside it", tamper: first("", other), want: cookie.Found},
		{name: "two different authentic values are ambiguous", real: small, tamper: first("", other), want: cookie.Ambiguous},
		{name: "an authentic value sent after the real one is ambiguous too", real: small, tamper: addRaw(name, other), want: cookie.Ambiguous},
		{name: "authentic chunks beside an authentic unsplit value are ambiguous", real: small, tamper: then(first(".1", other2b), first(".0", other2)), want: cookie.Ambiguous},
		{name: "authentic chunks mixed into the real ones are ambiguous", real: large, tamper: then(first(".1", other2b), first(".0", other2)), want: cookie.Ambiguous},
		{name: "as many ways as MaxCandidates are tried", real: small, tamper: many(cookie.MaxCandidates - 1), want: cookie.Found},
		{name: "more ways than MaxCandidates are ambiguous, untried", real: small, tamper: many(cookie.MaxCandidates), want: cookie.Ambiguous},
		{name: "duplicate chunks multiplying past MaxCandidates are ambiguous", real: large, tamper: then(first(".0", "a"), first(".0", "b"), first(".0", "c"), first(".1", "d"), first(".1", "e"), first(".1", "f")), want: cookie.Ambiguous},
	}
	codec := cookie.Codec{Domain: "example.com"}
	spec := cookie.Spec{Name: "monban-session", Path: "/"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBrowser(t, "https://www.example.com/auth/session")
			if tt.real != "" {
				b.respond(func(w http.ResponseWriter, r *http.Request) { codec.Write(w, r, spec, tt.real, now.Add(time.Hour)) })
			}
			tried := map[string]int{}
			got, res := codec.Pick(b.request(tt.tamper), spec, func(v string) bool {
				tried[v]++
				return sealer.Open(seal.PurposeSession, v, nil, now) == nil
			})
			if res != tt.want {
				t.Fatalf("Pick = %v, want %v", res, tt.want)
			}
			for v, n := range tried {
				if n != 1 {
					t.Fatalf("accept saw %.20q… %d times", v, n)
				}
			}
			if len(tried) > cookie.MaxCandidates {
				t.Fatalf("accept called %d times, over MaxCandidates", len(tried))
			}
			switch {
			case res == cookie.Found && tt.real != "" && got != tt.real:
				t.Fatalf("Pick found %.20q…, not the real value", got)
			case res != cookie.Found && got != "":
				t.Fatalf("Pick = %.20q…, %v: a value with no result", got, res)
			}
		})
	}
}

// testClearStray: with a Domain, Clear and ClearStray together delete every copy of a cookie
// the browser sent, wherever a sibling (or an earlier deployment without the Domain) put it;
// without one, ClearStray writes nothing.
func testClearStray(t *testing.T) {
	spec := cookie.Spec{Name: "monban-refresh", Path: "/", DomainPath: "/auth"}
	sibling := &url.URL{Scheme: "https", Host: "evil.example.com", Path: "/"}
	t.Run("with a domain every copy sent is deleted", func(t *testing.T) {
		codec := cookie.Codec{Domain: "example.com"}
		b := newBrowser(t, "https://www.example.com/auth/sign-out")
		b.respond(func(w http.ResponseWriter, r *http.Request) {
			codec.Write(w, r, spec, "real", time.Now().Add(time.Hour))
		})
		b.jar.SetCookies(sibling, []*http.Cookie{
			{Name: "__Secure-monban-refresh", Value: "planted", Domain: "example.com", Path: "/auth/sign-out", Secure: true},
			{Name: "__Secure-monban-refresh", Value: "planted", Domain: "example.com", Path: "/", Secure: true},
			{Name: "__Secure-monban-refresh.9", Value: "x", Domain: "example.com", Path: "/auth/", Secure: true},
		})
		// A host-only one left by a deployment without the Domain.
		b.jar.SetCookies(b.url, []*http.Cookie{{Name: "__Secure-monban-refresh", Value: "old", Path: "/auth", Secure: true}})
		if n := len(b.jar.Cookies(b.url)); n != 5 {
			t.Fatalf("set up %d cookies, want 5", n)
		}
		b.respond(func(w http.ResponseWriter, r *http.Request) {
			codec.Clear(w, r, spec)
			codec.ClearStray(w, r, spec)
		})
		if got := b.names(); len(got) != 0 {
			t.Fatalf("the browser still sends %q", got)
		}
	})
	t.Run("without a domain nothing is written", func(t *testing.T) {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, "https://www.example.com/auth/sign-out", nil)
		r.Header.Set("Cookie", "__Host-monban-refresh=a; __Host-monban-refresh=b; __Secure-monban-refresh=c")
		cookie.Codec{}.ClearStray(rec, r, spec)
		if lines := rec.Result().Header.Values("Set-Cookie"); len(lines) != 0 {
			t.Fatalf("wrote %q", lines)
		}
	})
}

// FuzzPick feeds arbitrary Cookie headers to Pick: it must never panic, try more than
// MaxCandidates values or one value twice, and whatever it finds must be a value accept took.
func FuzzPick(f *testing.F) {
	for _, seed := range []string{
		"",
		"__Host-monban-session=abc",
		"__Host-monban-session=abc; __Host-monban-session=abd",
		"__Host-monban-session.0=ab; __Host-monban-session.1=c; __Host-monban-session.0=a; __Host-monban-session.1=bc",
		"__Host-monban-session=a; __Host-monban-session.0=b; __Host-monban-session.9=c",
		"__Host-monban-session.7=a; __Host-monban-session.0=b",
		"__Host-monban-session.0=a; __Host-monban-session.0=b; __Host-monban-session.0=c; __Host-monban-session.1=d; __Host-monban-session.1=e",
		strings.Repeat("__Host-monban-session=v; ", 20),
	} {
		f.Add(seed, "a")
	}
	spec := cookie.Spec{Name: "monban-session", Path: "/"}
	f.Fuzz(func(t *testing.T, header, accepted string) {
		r := httptest.NewRequest(http.MethodGet, "https://app.example.com/", nil)
		r.Header.Set("Cookie", header)
		tried := map[string]bool{}
		v, res := cookie.Codec{}.Pick(r, spec, func(v string) bool {
			if tried[v] {
				t.Fatalf("Pick tried %q twice", v)
			}
			tried[v] = true
			// Accept values that start with accepted: several may.
			return accepted != "" && strings.HasPrefix(v, accepted)
		})
		if len(tried) > cookie.MaxCandidates {
			t.Fatalf("Pick tried %d values", len(tried))
		}
		switch res {
		case cookie.Found:
			if !tried[v] || !strings.HasPrefix(v, accepted) || v == "" || len(v) > len(header) {
				t.Fatalf("Pick found %q, not a value it accepted from %q", v, header)
			}
		default:
			if v != "" {
				t.Fatalf("Pick = %q, %v", v, res)
			}
		}
	})
}
