package cookie_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/cookie"
)

// The edges of the codec that the conformance suite's round trips do not reach: which names
// count as chunks, how many candidates Pick weighs, Max-Age under a second, the bytes a value
// may hold, and the paths ClearStray deletes for.

const full = "__Host-monban-session"

var edgeSpec = cookie.Spec{Name: "monban-session", Path: "/"}

// cookieRequest returns a request carrying exactly header as its Cookie header.
func cookieRequest(path, header string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "https://app.example.com"+path, nil)
	if header != "" {
		r.Header.Set("Cookie", header)
	}
	return r
}

// chunks returns the Cookie header pairs "full.0=v0; full.1=v1; …".
func chunks(vs ...string) string {
	var pairs []string
	for i, v := range vs {
		pairs = append(pairs, full+"."+string(rune('0'+i))+"="+v)
	}
	return strings.Join(pairs, "; ")
}

// TestChunkNames: only the names Write produces (full.0 … full.7) are chunks. A name that
// only looks like one (an empty, signed, lettered or zero-padded suffix) is another cookie,
// whatever its place in the header, and a canonical index past the cap, however many digits
// it has, makes Read refuse while Pick skips it.
func TestChunkNames(t *testing.T) {
	real := chunks("ab", "cd")
	tests := []struct {
		name   string
		header string
		read   string // what Read returns; "" means ok=false
		tried  []string
		picked string // what Pick finds, accepting "abcd" only
	}{
		{name: "two chunks", header: real, read: "abcd", tried: []string{"ab", "abcd"}, picked: "abcd"},
		{name: "an empty suffix sent first is not chunk 0", header: full + ".=x; " + real, read: "abcd", tried: []string{"ab", "abcd"}, picked: "abcd"},
		{name: "an empty suffix alone is not a cookie of this kind", header: full + ".=x", tried: nil},
		{name: "a zero-padded 1 sent first is not chunk 1", header: full + ".01=x; " + real, read: "abcd", tried: []string{"ab", "abcd"}, picked: "abcd"},
		{name: "a zero-padded 0 sent first is not chunk 0", header: full + ".00=x; " + real, read: "abcd", tried: []string{"ab", "abcd"}, picked: "abcd"},
		{name: "a signed suffix is not a chunk", header: full + ".-1=x; " + full + ".+1=y; " + real, read: "abcd", tried: []string{"ab", "abcd"}, picked: "abcd"},
		{name: "a lettered suffix is not a chunk", header: full + ".1a=x; " + full + ".a=y; " + full + ".0x1=z; " + real, read: "abcd", tried: []string{"ab", "abcd"}, picked: "abcd"},
		{name: "the name without its dot is not a chunk", header: full + "0=x; " + real, read: "abcd", tried: []string{"ab", "abcd"}, picked: "abcd"},
		{name: "another cookie's chunk is not one", header: "__Host-monban-sessions.0=x; __Host-monban-refresh.1=y; " + real, read: "abcd", tried: []string{"ab", "abcd"}, picked: "abcd"},
		{name: "chunk 7 alone is a gap", header: full + ".7=x", tried: nil},
		{name: "chunk 7 past a gap makes Read refuse", header: real + "; " + full + ".7=x", tried: []string{"ab", "abcd"}, picked: "abcd"},
		{name: "chunk 8 is past the cap", header: real + "; " + full + ".8=x", tried: []string{"ab", "abcd"}, picked: "abcd"},
		{name: "chunk 9 is past the cap", header: full + ".9=x; " + real, tried: []string{"ab", "abcd"}, picked: "abcd"},
		{name: "chunk 10 is past the cap", header: real + "; " + full + ".10=x", tried: []string{"ab", "abcd"}, picked: "abcd"},
		{name: "chunk 19 is past the cap", header: full + ".19=x; " + real, tried: []string{"ab", "abcd"}, picked: "abcd"},
		{name: "chunk 100 is past the cap", header: real + "; " + full + ".100=x", tried: []string{"ab", "abcd"}, picked: "abcd"},
		{name: "chunk 1000 is past the cap", header: real + "; " + full + ".1000=x", tried: []string{"ab", "abcd"}, picked: "abcd"},
		{name: "an index of 40 digits is past the cap", header: real + "; " + full + "." + strings.Repeat("9", 40) + "=x", tried: []string{"ab", "abcd"}, picked: "abcd"},
		{name: "a chunk past the cap beside a plain value makes Read refuse", header: full + "=abcd; " + full + ".9=x", tried: []string{"abcd"}, picked: "abcd"},
		{name: "the last of the eight chunks there can be", header: chunks("a", "b", "c", "d", "e", "f", "g", "h"), read: "abcdefgh", tried: []string{"a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh"}, picked: "abcd"},
		{name: "eight chunks and a ninth past the cap", header: chunks("a", "b", "c", "d", "e", "f", "g", "h") + "; " + full + ".8=i", tried: []string{"a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh"}, picked: "abcd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := cookie.Codec{}.Read(cookieRequest("/", tt.header), edgeSpec)
			if got != tt.read || ok != (tt.read != "") {
				t.Errorf("Read = %q, %v; want %q", got, ok, tt.read)
			}
			var tried []string
			picked, res := cookie.Codec{}.Pick(cookieRequest("/", tt.header), edgeSpec, func(v string) bool {
				tried = append(tried, v)
				return v == "abcd"
			})
			if !slices.Equal(tried, tt.tried) {
				t.Errorf("Pick tried %q, want %q", tried, tt.tried)
			}
			wantRes := cookie.Absent
			if tt.picked != "" {
				wantRes = cookie.Found
			}
			if picked != tt.picked || res != wantRes {
				t.Errorf("Pick = %q, %v; want %q, %v", picked, res, tt.picked, wantRes)
			}
		})
	}
}

// TestPickTriesAnEightChunkValue: the longest value Write stores is found among copies.
func TestPickTriesAnEightChunkValue(t *testing.T) {
	parts := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	header := "__Host-monban-session.0=z; " + chunks(parts...)
	var tried []string
	got, res := cookie.Codec{}.Pick(cookieRequest("/", header), edgeSpec, func(v string) bool {
		tried = append(tried, v)
		return v == "abcdefgh"
	})
	if got != "abcdefgh" || res != cookie.Found {
		t.Fatalf("Pick = %q, %v; want the eight chunks joined", got, res)
	}
	// Two values of chunk 0, one of each other: two of every length.
	if len(tried) != 2*len(parts) || tried[0] != "z" || tried[1] != "a" || tried[len(tried)-1] != "abcdefgh" {
		t.Fatalf("Pick tried %q", tried)
	}
}

// TestPickCountsEveryWayBeforeTrying: MaxCandidates ways are tried, one more is refused
// untried, whether the last one is a plain value or a chunk.
func TestPickCountsEveryWayBeforeTrying(t *testing.T) {
	plain := func(n int) string {
		var pairs []string
		for i := range n {
			pairs = append(pairs, full+"=v"+string(rune('a'+i)))
		}
		return strings.Join(pairs, "; ")
	}
	tests := []struct {
		name   string
		header string
		tries  int // 0: Ambiguous untried
	}{
		{"MaxCandidates plain values", plain(cookie.MaxCandidates), cookie.MaxCandidates},
		{"MaxCandidates-1 plain values and a chunk", plain(cookie.MaxCandidates-1) + "; " + chunks("c"), cookie.MaxCandidates},
		{"MaxCandidates plain values and a chunk", plain(cookie.MaxCandidates) + "; " + chunks("c"), 0},
		{"MaxCandidates-2 plain values and two chunks", plain(cookie.MaxCandidates-2) + "; " + chunks("c", "d"), cookie.MaxCandidates},
		{"MaxCandidates-1 plain values and two chunks", plain(cookie.MaxCandidates-1) + "; " + chunks("c", "d"), 0},
		{"MaxCandidates plain values and a chunk past the cap", plain(cookie.MaxCandidates) + "; " + full + ".8=c", cookie.MaxCandidates},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tries := 0
			got, res := cookie.Codec{}.Pick(cookieRequest("/", tt.header), edgeSpec, func(string) bool {
				tries++
				return false
			})
			want := cookie.Absent
			if tt.tries == 0 {
				want = cookie.Ambiguous
			}
			if got != "" || res != want || tries != tt.tries {
				t.Fatalf("Pick = %q, %v after %d tries; want %v after %d", got, res, tries, want, tt.tries)
			}
		})
	}
}

// TestMaxAgeUnderASecond: Max-Age counts whole seconds left, and an expiry less than a second
// away is already gone (Max-Age=0), not a cookie kept until Expires.
func TestMaxAgeUnderASecond(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	codec := cookie.Codec{Now: func() time.Time { return now }}
	for _, tt := range []struct {
		in     time.Duration
		maxAge int
	}{
		{-time.Second, -1},
		{0, -1},
		{time.Millisecond, -1},
		{999 * time.Millisecond, -1},
		{time.Second, 1},
		{1999 * time.Millisecond, 1},
		{2 * time.Second, 2},
		{time.Hour, 3600},
	} {
		rec := httptest.NewRecorder()
		codec.Write(rec, cookieRequest("/", ""), edgeSpec, "v", now.Add(tt.in))
		cs := rec.Result().Cookies()
		if len(cs) != 1 || cs[0].MaxAge != tt.maxAge {
			t.Errorf("expiry in %v: Set-Cookie %q, want Max-Age of %d (net/http's -1 is Max-Age=0)", tt.in, rec.Header().Values("Set-Cookie"), tt.maxAge)
		}
	}
}

// TestValuesACookieCannotHoldClearIt: a byte net/http would drop or quote clears the cookie
// instead of storing something else; the printable ASCII around them is stored as is.
func TestValuesACookieCannotHoldClearIt(t *testing.T) {
	for _, v := range []string{"a\x7fb", "a\x80b", "a\x1fb", "a b", `a"b`, "a,b", "a;b", `a\b`, "a\xffb"} {
		rec := httptest.NewRecorder()
		cookie.Codec{}.Write(rec, cookieRequest("/", ""), edgeSpec, v, time.Now().Add(time.Hour))
		lines := rec.Header().Values("Set-Cookie")
		if len(lines) != 1 || !strings.HasPrefix(lines[0], full+"=;") || !strings.Contains(lines[0], "Max-Age=0") {
			t.Errorf("Write(%q) wrote %q, want the cookie deleted", v, lines)
		}
	}
	for _, v := range []string{"!", "~", "a!#$%&'()*+-./:<=>?@[]^_`{|}~z"} {
		rec := httptest.NewRecorder()
		cookie.Codec{}.Write(rec, cookieRequest("/", ""), edgeSpec, v, time.Now().Add(time.Hour))
		if cs := rec.Result().Cookies(); len(cs) != 1 || cs[0].Value != v {
			t.Errorf("Write(%q) wrote %q", v, rec.Header().Values("Set-Cookie"))
		}
	}
}

// TestWriteDeletesChunksPastTheCap: whatever index a stray chunk has, a write deletes it, as
// it is one Read would refuse the cookie for; a name that is not a chunk is left alone.
func TestWriteDeletesChunksPastTheCap(t *testing.T) {
	header := full + ".9=x; " + full + ".1000=y; " + full + ".01=z; " + full + ".=w"
	rec := httptest.NewRecorder()
	cookie.Codec{}.Write(rec, cookieRequest("/", header), edgeSpec, "v", time.Now().Add(time.Hour))
	var written, deleted []string
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge < 0 {
			deleted = append(deleted, c.Name)
		} else {
			written = append(written, c.Name)
		}
	}
	if !slices.Equal(written, []string{full}) || !slices.Equal(deleted, []string{full + ".9", full + ".1000"}) {
		t.Fatalf("wrote %q and deleted %q", written, deleted)
	}
}

// TestClearStrayPaths: ClearStray deletes a name for "/", every ancestor of the request path
// with and without its trailing slash (the first seven), and the path itself, with the Domain
// and host-only, except the one cookie Clear deletes.
func TestClearStrayPaths(t *testing.T) {
	spec := cookie.Spec{Name: "monban-refresh", Path: "/", DomainPath: "/auth"}
	codec := cookie.Codec{Domain: "example.com"}
	tests := []struct {
		path  string
		paths []string
	}{
		{"/auth/sign-out", []string{"/", "/auth", "/auth/", "/auth/sign-out"}},
		{"/auth/", []string{"/", "/auth", "/auth/"}},
		{"/", []string{"/"}},
		{"/auth//sign-out", []string{"/", "/auth", "/auth/", "/auth//sign-out"}},
		{"/a/b/c/d/e/f/g/h/i", []string{"/", "/a", "/a/", "/a/b", "/a/b/", "/a/b/c", "/a/b/c/", "/a/b/c/d", "/a/b/c/d/",
			"/a/b/c/d/e", "/a/b/c/d/e/", "/a/b/c/d/e/f", "/a/b/c/d/e/f/", "/a/b/c/d/e/f/g", "/a/b/c/d/e/f/g/", "/a/b/c/d/e/f/g/h/i"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			codec.ClearStray(rec, cookieRequest(tt.path, "__Secure-monban-refresh=a"), spec)
			var withDomain, hostOnly []string
			for _, c := range rec.Result().Cookies() {
				if c.Name != "__Secure-monban-refresh" || c.MaxAge >= 0 {
					t.Fatalf("wrote %+v, not a deletion of the name sent", c)
				}
				if c.Domain == "" {
					hostOnly = append(hostOnly, c.Path)
				} else {
					withDomain = append(withDomain, c.Path)
				}
			}
			wantDomain := slices.DeleteFunc(slices.Clone(tt.paths), func(p string) bool { return p == "/auth" })
			if !slices.Equal(hostOnly, tt.paths) || !slices.Equal(withDomain, wantDomain) {
				t.Fatalf("deleted host-only for %q and with the domain for %q; want %q and %q", hostOnly, withDomain, tt.paths, wantDomain)
			}
		})
	}
	t.Run("a request path that is not absolute counts as /", func(t *testing.T) {
		r := cookieRequest("/", "__Secure-monban-refresh=a")
		r.URL.Path = "auth/x"
		rec := httptest.NewRecorder()
		codec.ClearStray(rec, r, spec)
		if cs := rec.Result().Cookies(); len(cs) != 2 || cs[0].Path != "/" || cs[1].Path != "/" {
			t.Fatalf("wrote %q", rec.Header().Values("Set-Cookie"))
		}
	})
}
