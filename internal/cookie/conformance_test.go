package cookie_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/cookie"
	"github.com/monban-auth/monban/internal/seal"
	"github.com/monban-auth/monban/internal/sealed"
)

// TestConformance is the conformance suite for sealed cookies: values go
// through seal.Sealer, cookie.Codec.Write, an httptest recorder, a cookie
// jar standing in for the browser, cookie.Codec.Read and seal.Sealer.Open,
// exactly as in a request to monban.
func TestConformance(t *testing.T) {
	t.Run("sealed values", testSealedValues)
	t.Run("chunks", testChunks)
	t.Run("attributes", testAttributes)
	t.Run("picking among copies", testPick)
	t.Run("clearing stray copies", testClearStray)
}

var (
	secretOld  = []byte("an-old-secret-that-is-being-rotated-out")
	secretNew  = []byte("the-new-secret-that-seals-every-value-now")
	secretGone = []byte("a-secret-that-was-removed-from-the-config")
)

// specs maps each purpose to the cookie monban keeps it in (package sealed pairs them).
var specs = func() map[seal.Purpose]cookie.Spec {
	m := map[seal.Purpose]cookie.Spec{}
	for _, k := range []sealed.Kind{sealed.SessionKind, sealed.RefreshKind, sealed.FlowKind, sealed.ChallengeKind} {
		m[k.Purpose] = k.Cookie
	}
	return m
}()

var allPurposes = []seal.Purpose{seal.PurposeSession, seal.PurposeRefresh, seal.PurposeFlow, seal.PurposeChallenge}

type payload struct {
	Sub   string `json:"sub"`
	Token string `json:"token,omitempty"`
}

func testSealedValues(t *testing.T) {
	current := mustSealer(t, secretNew, secretOld)
	before := mustSealer(t, secretOld)
	gone := mustSealer(t, secretGone)

	type tc struct {
		name    string
		purpose seal.Purpose  // sealed for
		openAs  seal.Purpose  // read and opened as; defaults to purpose
		sealer  *seal.Sealer  // defaults to current
		opener  *seal.Sealer  // defaults to current
		value   payload       // defaults to {Sub: "user-1"}
		at      time.Duration // when Open runs, from the time of sealing
		tamper  func([]*http.Cookie) []*http.Cookie
		absent  bool  // Read must report the cookie absent
		wantErr error // from Open, when Read succeeds
	}
	tests := []tc{
		{name: "a value sealed with the old secret opens while it is second in the list", purpose: seal.PurposeSession, sealer: before},
		{name: "a value sealed with a removed secret does not open", purpose: seal.PurposeSession, sealer: gone, wantErr: seal.ErrInvalid},
		{name: "a value sealed with the new secret does not open with only the old one", purpose: seal.PurposeSession, opener: before, wantErr: seal.ErrInvalid},
		{name: "a value opens a second before it expires", purpose: seal.PurposeSession, at: 10*time.Minute - time.Second},
		{name: "a value does not open at its expiry", purpose: seal.PurposeSession, at: 10 * time.Minute, wantErr: seal.ErrExpired},
		{name: "a value does not open after its expiry", purpose: seal.PurposeFlow, at: time.Hour, wantErr: seal.ErrExpired},
		{name: "a value too large for one cookie round-trips through chunks", purpose: seal.PurposeSession, value: payload{Sub: "user-1", Token: strings.Repeat("t", 2*cookie.MaxChunk)}},
		{name: "chunks sent back in the wrong order do not open", purpose: seal.PurposeSession, value: payload{Sub: "user-1", Token: strings.Repeat("t", 2*cookie.MaxChunk)}, tamper: swapChunks(0, 1), wantErr: seal.ErrInvalid},
		{name: "a tampered protected header does not open", purpose: seal.PurposeSession, tamper: editPart(0, flipChar), wantErr: seal.ErrInvalid},
		{name: "a header edited to name another purpose does not open as that purpose", purpose: seal.PurposeSession, openAs: seal.PurposeFlow, tamper: editPart(0, rePurpose("session", "flow")), wantErr: seal.ErrInvalid},
		{name: "a header edited to name the old secret's kid does not open", purpose: seal.PurposeSession, tamper: editPart(0, reKid(kidOf(t, before))), wantErr: seal.ErrInvalid},
		{name: "an encrypted key added to a dir value does not open", purpose: seal.PurposeSession, tamper: editPart(1, func(string) string { return "AAAA" }), wantErr: seal.ErrInvalid},
		{name: "a tampered iv does not open", purpose: seal.PurposeSession, tamper: editPart(2, flipChar), wantErr: seal.ErrInvalid},
		{name: "a tampered ciphertext does not open", purpose: seal.PurposeRefresh, tamper: editPart(3, flipChar), wantErr: seal.ErrInvalid},
		{name: "a tampered tag does not open", purpose: seal.PurposeChallenge, tamper: editPart(4, flipChar), wantErr: seal.ErrInvalid},
		{name: "a tag with its padding bits changed does not open", purpose: seal.PurposeSession, tamper: editPart(4, lastCharPaddingBits), wantErr: seal.ErrInvalid},
		{name: "a value missing its last character does not open", purpose: seal.PurposeSession, tamper: editValue(func(v string) string { return v[:len(v)-1] }), wantErr: seal.ErrInvalid},
		{name: "a value cut in half does not open", purpose: seal.PurposeSession, tamper: editValue(func(v string) string { return v[:len(v)/2] }), wantErr: seal.ErrInvalid},
		{name: "a value missing its tag does not open", purpose: seal.PurposeSession, tamper: editValue(func(v string) string { return v[:strings.LastIndexByte(v, '.')] }), wantErr: seal.ErrInvalid},
		{name: "a value with an extra part does not open", purpose: seal.PurposeSession, tamper: editValue(func(v string) string { return v + ".AAAA" }), wantErr: seal.ErrInvalid},
		{name: "a garbage word does not open", purpose: seal.PurposeSession, tamper: setValue("garbage"), wantErr: seal.ErrInvalid},
		{name: "five empty parts do not open", purpose: seal.PurposeSession, tamper: setValue("...."), wantErr: seal.ErrInvalid},
		{name: "a JWS-looking value does not open", purpose: seal.PurposeSession, tamper: setValue("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9."), wantErr: seal.ErrInvalid},
		{name: "an unsealed JWE with alg none does not open", purpose: seal.PurposeSession, tamper: setValue("eyJhbGciOiJub25lIiwiZW5jIjoiQTI1NkdDTSJ9..AAAAAAAAAAAAAAAA.e30.AAAAAAAAAAAAAAAAAAAAAA"), wantErr: seal.ErrInvalid},
		{name: "a value over 16 KiB does not open", purpose: seal.PurposeSession, tamper: setValue(strings.Repeat("A", 16<<10+1)), wantErr: seal.ErrInvalid},
		{name: "a quoted value does not open", purpose: seal.PurposeSession, tamper: setValue(`"abc.def"`), wantErr: seal.ErrInvalid},
		{name: "an empty value reads as absent", purpose: seal.PurposeSession, tamper: setValue(""), absent: true},
		{name: "a value with bytes a cookie cannot hold reads as absent", purpose: seal.PurposeSession, tamper: setValue("a\x00b"), absent: true},
		{name: "a value with non-ASCII bytes reads as absent", purpose: seal.PurposeSession, tamper: setValue("門番"), absent: true},
		{name: "a missing cookie reads as absent", purpose: seal.PurposeSession, tamper: func([]*http.Cookie) []*http.Cookie { return nil }, absent: true},
	}
	for _, p := range allPurposes {
		tests = append(tests, tc{name: "a " + string(p) + " value round-trips", purpose: p})
		for _, q := range allPurposes {
			if q != p {
				tests = append(tests, tc{name: "a " + string(p) + " value never opens as " + string(q), purpose: p, openAs: q, wantErr: seal.ErrInvalid})
			}
		}
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.openAs == "" {
				tt.openAs = tt.purpose
			}
			if tt.sealer == nil {
				tt.sealer = current
			}
			if tt.opener == nil {
				tt.opener = current
			}
			if tt.value == (payload{}) {
				tt.value = payload{Sub: "user-1"}
			}
			sealedAt := time.Now()
			sealed, err := tt.sealer.Seal(tt.purpose, tt.value, sealedAt.Add(10*time.Minute))
			if err != nil {
				t.Fatal(err)
			}

			// The value is stored in the cookie the server reads it from:
			// for a wrong-purpose case, as if copied from another cookie.
			codec, spec := cookie.Codec{}, specs[tt.openAs]
			b := newBrowser(t, "https://app.example.com/auth/session")
			b.respond(func(w http.ResponseWriter, r *http.Request) {
				codec.Write(w, r, spec, sealed, sealedAt.Add(10*time.Minute))
			})

			value, ok := codec.Read(b.request(tt.tamper), spec)
			if tt.absent {
				if ok {
					t.Fatalf("Read = %.40q, true; want absent", value)
				}
				return
			}
			if !ok {
				t.Fatal("Read reported the cookie absent")
			}
			got := payload{Sub: "untouched"}
			err = tt.opener.Open(tt.openAs, value, &got, sealedAt.Add(tt.at))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Open = %v, want %v", err, tt.wantErr)
				}
				if got.Sub != "untouched" {
					t.Fatalf("a failed Open wrote %+v", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open = %v", err)
			}
			if got != tt.value {
				t.Fatalf("Open gave %+.60v, want %+.60v", got, tt.value)
			}
		})
	}
}

func testChunks(t *testing.T) {
	spec := cookie.Spec{Name: "monban-session", Path: "/"}
	const n = cookie.MaxChunk
	tests := []struct {
		name   string
		codec  cookie.Codec
		writes []string // values written in turn; "" clears
		tamper func([]*http.Cookie) []*http.Cookie
		// held lists the names the browser holds at the end, as suffixes of
		// the full name ("" for the plain name, ".0" for the first chunk).
		held []string
		// want is what Read returns; absent means ok=false.
		want   string
		absent bool
	}{
		{name: "a value one byte under the limit is written unsplit", writes: []string{val(n-1, 1)}, held: []string{""}, want: val(n-1, 1)},
		{name: "a value exactly at the limit is written unsplit", writes: []string{val(n, 1)}, held: []string{""}, want: val(n, 1)},
		{name: "a value one byte over the limit is split in two", writes: []string{val(n+1, 1)}, held: []string{".0", ".1"}, want: val(n+1, 1)},
		{name: "a value three times the limit is split in three", writes: []string{val(3*n, 1)}, held: []string{".0", ".1", ".2"}, want: val(3*n, 1)},
		{name: "the largest storable value is split in eight", writes: []string{val(cookie.MaxChunks*n, 1)}, held: []string{".0", ".1", ".2", ".3", ".4", ".5", ".6", ".7"}, want: val(cookie.MaxChunks*n, 1)},
		{name: "a value too large to store clears the cookie", writes: []string{val(2*n, 1), val(cookie.MaxChunks*n+1, 2)}, held: nil, absent: true},
		{name: "a value net/http would alter clears the cookie", writes: []string{val(10, 1), "a b"}, held: nil, absent: true},
		{name: "an empty value clears the cookie", writes: []string{val(2*n, 1), ""}, held: nil, absent: true},
		{name: "shrinking from three chunks to two deletes the third", writes: []string{val(3*n, 1), val(2*n, 2)}, held: []string{".0", ".1"}, want: val(2*n, 2)},
		{name: "shrinking from three chunks to two to unsplit deletes every chunk", writes: []string{val(3*n, 1), val(n+1, 2), val(n, 3)}, held: []string{""}, want: val(n, 3)},
		{name: "shrinking from three chunks to unsplit deletes every chunk", writes: []string{val(3*n, 1), val(5, 2)}, held: []string{""}, want: val(5, 2)},
		{name: "growing from unsplit to chunks deletes the unsplit cookie", writes: []string{val(5, 1), val(2*n+7, 2)}, held: []string{".0", ".1", ".2"}, want: val(2*n+7, 2)},
		{name: "growing from two chunks to three overwrites both", writes: []string{val(n+1, 1), val(3*n, 2)}, held: []string{".0", ".1", ".2"}, want: val(3*n, 2)},
		{name: "stale chunks are deleted with a domain set too", codec: cookie.Codec{Domain: "example.com"}, writes: []string{val(3*n, 1), val(n, 2)}, held: []string{""}, want: val(n, 2)},
		{name: "a missing middle chunk reads as absent", writes: []string{val(3*n, 1)}, tamper: drop(".1"), held: []string{".0", ".1", ".2"}, absent: true},
		{name: "a missing first chunk reads as absent", writes: []string{val(3*n, 1)}, tamper: drop(".0"), held: []string{".0", ".1", ".2"}, absent: true},
		{name: "an empty chunk reads as absent", writes: []string{val(3*n, 1)}, tamper: set(".2", ""), held: []string{".0", ".1", ".2"}, absent: true},
		{name: "a chunk beyond the cap reads as absent", writes: []string{val(3*n, 1)}, tamper: add(".8", "x"), held: []string{".0", ".1", ".2"}, absent: true},
		{name: "both an unsplit cookie and chunks read as absent", writes: []string{val(3*n, 1)}, tamper: add("", "x"), held: []string{".0", ".1", ".2"}, absent: true},
		{name: "a chunk named with a leading zero is not a chunk", writes: []string{val(2*n, 1)}, tamper: add(".01", "x"), held: []string{".0", ".1"}, want: val(2*n, 1)},
		{name: "a name sent twice reads as its first occurrence", writes: []string{val(5, 1)}, tamper: add("", "second"), held: []string{""}, want: val(5, 1)},
		{name: "cookies of other names are ignored", writes: []string{val(5, 1)}, tamper: addRaw("monban-session", "x"), held: []string{""}, want: val(5, 1)},
		{name: "clearing with nothing set still deletes the unsplit name", writes: []string{""}, held: nil, absent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBrowser(t, "https://app.example.com/auth/session")
			expires := time.Now().Add(time.Hour)
			var lines []string
			for _, v := range tt.writes {
				lines = b.respond(func(w http.ResponseWriter, r *http.Request) {
					if v == "" {
						tt.codec.Clear(w, r, spec)
						return
					}
					tt.codec.Write(w, r, spec, v, expires)
				})
			}
			full := tt.codec.FullName(spec)
			if len(tt.writes) == 1 && tt.writes[0] == "" && (len(lines) != 1 || !strings.HasPrefix(lines[0], full+"=;")) {
				t.Fatalf("Clear on an empty request wrote %q, want one deletion of %s", lines, full)
			}
			var want []string
			for _, s := range tt.held {
				want = append(want, full+s)
			}
			if got := b.names(); !slices.Equal(got, want) {
				t.Fatalf("browser holds %q, want %q", got, want)
			}
			got, ok := tt.codec.Read(b.request(tt.tamper), spec)
			if tt.absent {
				if ok {
					t.Fatalf("Read = %.40q…, true; want absent", got)
				}
				return
			}
			if !ok || got != tt.want {
				t.Fatalf("Read = %d bytes (%.20q…), %v; want %d bytes (%.20q…)", len(got), got, ok, len(tt.want), tt.want)
			}
		})
	}
}

func testAttributes(t *testing.T) {
	expires := time.Now().Add(30 * time.Minute).Truncate(time.Second)
	tests := []struct {
		name     string
		codec    cookie.Codec
		spec     cookie.Spec
		wantName string
		wantPath string // defaults to spec.Path
	}{
		{"a root cookie without a domain gets the __Host- prefix", cookie.Codec{}, cookie.Spec{Name: "monban-session", Path: "/"}, "__Host-monban-session", ""},
		{"an /auth cookie without a domain gets the __Secure- prefix", cookie.Codec{}, cookie.Spec{Name: "monban-refresh", Path: "/auth"}, "__Secure-monban-refresh", ""},
		{"a root cookie with a domain gets the __Secure- prefix", cookie.Codec{Domain: "example.com"}, cookie.Spec{Name: "monban-session", Path: "/"}, "__Secure-monban-session", ""},
		{"an /auth cookie with a domain gets the __Secure- prefix", cookie.Codec{Domain: "example.com"}, cookie.Spec{Name: "monban-flow", Path: "/auth"}, "__Secure-monban-flow", ""},
		{"a cookie with a domain path is a root __Host- cookie without a domain", cookie.Codec{}, cookie.Spec{Name: "monban-refresh", Path: "/", DomainPath: "/auth"}, "__Host-monban-refresh", "/"},
		{"a cookie with a domain path takes that path with a domain", cookie.Codec{Domain: "example.com"}, cookie.Spec{Name: "monban-refresh", Path: "/", DomainPath: "/auth"}, "__Secure-monban-refresh", "/auth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.wantPath == "" {
				tt.wantPath = tt.spec.Path
			}
			if got := tt.codec.FullName(tt.spec); got != tt.wantName {
				t.Fatalf("FullName = %q, want %q", got, tt.wantName)
			}
			b := newBrowser(t, "https://app.example.com/auth/callback")
			// A chunked write, then a clear: every line of both is checked.
			written := b.respond(func(w http.ResponseWriter, r *http.Request) {
				tt.codec.Write(w, r, tt.spec, val(cookie.MaxChunk+1, 1), expires)
			})
			cleared := b.respond(func(w http.ResponseWriter, r *http.Request) {
				tt.codec.Clear(w, r, tt.spec)
			})
			if len(written) != 2 || len(cleared) != 3 {
				t.Fatalf("got %d Set-Cookie lines writing two chunks and %d clearing them, want 2 and 3", len(written), len(cleared))
			}
			if got := b.names(); len(got) != 0 {
				t.Fatalf("browser still holds %q after Clear", got)
			}
			for i, line := range append(written, cleared...) {
				c, err := http.ParseSetCookie(line)
				if err != nil {
					t.Fatalf("line %q: %v", line, err)
				}
				if !strings.HasPrefix(c.Name, tt.wantName) || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != tt.wantPath || c.Domain != tt.codec.Domain {
					t.Errorf("line %q lacks name %s…, HttpOnly, Secure, SameSite=Lax, Path=%s or Domain=%q", line, tt.wantName, tt.wantPath, tt.codec.Domain)
				}
				// Chrome and Firefox cap name plus value at 4096 bytes.
				if n := len(c.Name) + len(c.Value); n > 4096 {
					t.Errorf("name and value of %d bytes are over the 4096 browsers accept", n)
				}
				if i < len(written) {
					if !c.Expires.Equal(expires) || c.MaxAge < 29*60 || c.MaxAge > 30*60 {
						t.Errorf("line %q: want Expires %v and Max-Age about 1800", line, expires)
					}
				} else if c.MaxAge != -1 || !strings.Contains(line, "Max-Age=0") {
					t.Errorf("deletion line %q lacks Max-Age=0", line)
				}
			}
		})
	}

	t.Run("a zero expiry writes a browser-session cookie", func(t *testing.T) {
		rec := httptest.NewRecorder()
		cookie.Codec{}.Write(rec, httptest.NewRequest(http.MethodGet, "/", nil), specs[seal.PurposeSession], "v", time.Time{})
		line := rec.Header().Get("Set-Cookie")
		if strings.Contains(line, "Max-Age") || strings.Contains(line, "Expires") {
			t.Fatalf("line %q has a lifetime", line)
		}
	})
	t.Run("a past expiry writes a deletion", func(t *testing.T) {
		rec := httptest.NewRecorder()
		cookie.Codec{}.Write(rec, httptest.NewRequest(http.MethodGet, "/", nil), specs[seal.PurposeSession], "v", time.Now().Add(-time.Minute))
		if line := rec.Header().Get("Set-Cookie"); !strings.Contains(line, "Max-Age=0") {
			t.Fatalf("line %q does not delete the cookie", line)
		}
	})
}

// browser is a cookie jar behind an https URL, checking that every
// Set-Cookie it receives is one a browser would accept for its prefix.
type browser struct {
	t   *testing.T
	jar *cookiejar.Jar
	url *url.URL
}

func newBrowser(t *testing.T, rawURL string) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, jar: jar, url: u}
}

// respond runs h for a request carrying the browser's cookies, stores what
// it sets, and returns its Set-Cookie lines.
func (b *browser) respond(h func(http.ResponseWriter, *http.Request)) []string {
	b.t.Helper()
	rec := httptest.NewRecorder()
	h(rec, b.request(nil))
	lines := rec.Result().Header.Values("Set-Cookie")
	var set []*http.Cookie
	for _, line := range lines {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			b.t.Fatalf("Set-Cookie %q: %v", line, err)
		}
		switch {
		case strings.HasPrefix(c.Name, "__Host-") && (!c.Secure || c.Path != "/" || c.Domain != ""):
			b.t.Fatalf("a browser rejects %q: __Host- needs Secure, Path=/ and no Domain", line)
		case strings.HasPrefix(c.Name, "__Secure-") && !c.Secure:
			b.t.Fatalf("a browser rejects %q: __Secure- needs Secure", line)
		}
		set = append(set, c)
	}
	b.jar.SetCookies(b.url, set)
	return lines
}

// request returns a request with the browser's cookies, passed through
// tamper if given. The Cookie header is written by hand so that tamper can
// send bytes net/http would refuse to.
func (b *browser) request(tamper func([]*http.Cookie) []*http.Cookie) *http.Request {
	cs := b.jar.Cookies(b.url)
	if tamper != nil {
		cs = tamper(cs)
	}
	r := httptest.NewRequest(http.MethodGet, b.url.String(), nil)
	var pairs []string
	for _, c := range cs {
		pairs = append(pairs, c.Name+"="+c.Value)
	}
	if len(pairs) > 0 {
		r.Header.Set("Cookie", strings.Join(pairs, "; "))
	}
	return r
}

// names returns the sorted names of the cookies the browser holds.
func (b *browser) names() []string {
	var names []string
	for _, c := range b.jar.Cookies(b.url) {
		names = append(names, c.Name)
	}
	slices.Sort(names)
	return names
}

// val returns an n-byte cookie-safe value whose content depends on seed and
// on each byte's position, so a chunk from another write or position shows.
func val(n, seed int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[(i/7+i*13+seed*31)%len(alphabet)]
	}
	return string(b)
}

// Tampering helpers: each returns a function that edits the cookies a
// request carries.

// editValue applies f to every monban cookie value.
func editValue(f func(string) string) func([]*http.Cookie) []*http.Cookie {
	return func(cs []*http.Cookie) []*http.Cookie {
		for _, c := range cs {
			c.Value = f(c.Value)
		}
		return cs
	}
}

// setValue replaces every cookie value with v.
func setValue(v string) func([]*http.Cookie) []*http.Cookie {
	return editValue(func(string) string { return v })
}

// editPart applies f to part i of the compact JWE in every cookie value.
func editPart(i int, f func(string) string) func([]*http.Cookie) []*http.Cookie {
	return editValue(func(v string) string {
		parts := strings.Split(v, ".")
		parts[i] = f(parts[i])
		return strings.Join(parts, ".")
	})
}

// flipChar changes the middle character of a base64url string, which
// always changes the decoded bytes.
func flipChar(s string) string {
	i := len(s) / 2
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}

// lastCharPaddingBits changes only the unused low bits of the last
// character of a 16-byte (22 character) tag: a lenient base64 decoder
// would decode it to the same tag.
func lastCharPaddingBits(s string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, s[len(s)-1])
	return s[:len(s)-1] + string(alphabet[i^1])
}

// rePurpose re-encodes a protected header with its purpose replaced.
func rePurpose(from, to string) func(string) string {
	return editHeader(func(h string) string {
		return strings.Replace(h, `"pur":"`+from+`"`, `"pur":"`+to+`"`, 1)
	})
}

// reKid re-encodes a protected header with its kid replaced.
func reKid(kid string) func(string) string {
	return editHeader(func(h string) string {
		i := strings.Index(h, `"kid":"`) + len(`"kid":"`)
		j := i + strings.IndexByte(h[i:], '"')
		return h[:i] + kid + h[j:]
	})
}

func editHeader(f func(string) string) func(string) string {
	return func(enc string) string {
		raw, err := base64.RawURLEncoding.DecodeString(enc)
		if err != nil {
			panic(err)
		}
		return base64.RawURLEncoding.EncodeToString([]byte(f(string(raw))))
	}
}

// kidOf returns the kid s seals with.
func kidOf(t *testing.T, s *seal.Sealer) string {
	t.Helper()
	sealed, err := s.Seal(seal.PurposeSession, 1, time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(sealed[:strings.IndexByte(sealed, '.')])
	h := string(raw)
	i := strings.Index(h, `"kid":"`) + len(`"kid":"`)
	return h[i : i+strings.IndexByte(h[i:], '"')]
}

// swapChunks exchanges the values of chunks i and j.
func swapChunks(i, j int) func([]*http.Cookie) []*http.Cookie {
	return func(cs []*http.Cookie) []*http.Cookie {
		var a, b *http.Cookie
		for _, c := range cs {
			switch {
			case strings.HasSuffix(c.Name, "."+string(rune('0'+i))):
				a = c
			case strings.HasSuffix(c.Name, "."+string(rune('0'+j))):
				b = c
			}
		}
		if a == nil || b == nil {
			panic("swapChunks: chunks not present")
		}
		a.Value, b.Value = b.Value, a.Value
		return cs
	}
}

// drop removes the cookie whose name ends in suffix.
func drop(suffix string) func([]*http.Cookie) []*http.Cookie {
	return func(cs []*http.Cookie) []*http.Cookie {
		return slices.DeleteFunc(cs, func(c *http.Cookie) bool { return strings.HasSuffix(c.Name, suffix) })
	}
}

// set replaces the value of the cookie whose name ends in suffix.
func set(suffix, v string) func([]*http.Cookie) []*http.Cookie {
	return func(cs []*http.Cookie) []*http.Cookie {
		for _, c := range cs {
			if strings.HasSuffix(c.Name, suffix) {
				c.Value = v
			}
		}
		return cs
	}
}

// add appends a cookie named like the session cookie plus suffix.
func add(suffix, v string) func([]*http.Cookie) []*http.Cookie {
	return addRaw("__Host-monban-session"+suffix, v)
}

// addRaw appends a cookie with exactly this name.
func addRaw(name, v string) func([]*http.Cookie) []*http.Cookie {
	return func(cs []*http.Cookie) []*http.Cookie {
		return append(cs, &http.Cookie{Name: name, Value: v})
	}
}

func mustSealer(tb testing.TB, secrets ...[]byte) *seal.Sealer {
	tb.Helper()
	s, err := seal.NewSealer(secrets)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}
