package cookie

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// each replaced r.Cookies() in Read, Pick and present: it must find what r.Cookies() finds,
// in the same order, for every Cookie header. The readers as they were before, on
// r.Cookies(), are kept here as the reference they are compared with.

// sentPair is one cookie each yielded.
type sentPair struct{ name, value string }

// eachAll returns every pair each yields for full.
func eachAll(r *http.Request, full string) []sentPair {
	var got []sentPair
	each(r, full, func(name, value string) bool {
		got = append(got, sentPair{name, value})
		return true
	})
	return got
}

// cookiesFor is the reference: r.Cookies() named full or full+"."+anything.
func cookiesFor(r *http.Request, full string) []sentPair {
	var want []sentPair
	for _, c := range r.Cookies() {
		if c.Name == full || strings.HasPrefix(c.Name, full+".") {
			want = append(want, sentPair{c.Name, c.Value})
		}
	}
	return want
}

// headerRequest returns a request with one Cookie header per line.
func headerRequest(lines ...string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "https://app.example.com/", nil)
	for _, l := range lines {
		r.Header.Add("Cookie", l)
	}
	return r
}

const eachFull = "__Host-s"

// manyCookies is a header line of n cookies: n-1 others, then eachFull=v.
func manyCookies(n int) string {
	return strings.Repeat("o=1; ", n-1) + eachFull + "=v"
}

func TestEachMatchesCookies(t *testing.T) {
	tests := []struct {
		name  string
		full  string
		lines []string
		want  []sentPair
	}{
		{"no header", eachFull, nil, nil},
		{"empty header", eachFull, []string{""}, nil},
		{"plain", eachFull, []string{"__Host-s=abc"}, []sentPair{{eachFull, "abc"}}},
		{"among others", eachFull, []string{"a=1; __Host-s=abc; b=2"}, []sentPair{{eachFull, "abc"}}},
		{"chunks and other suffixes", eachFull, []string{"__Host-s.0=a; __Host-s.x=b; __Host-s.=c; __Host-s.10=d"},
			[]sentPair{{"__Host-s.0", "a"}, {"__Host-s.x", "b"}, {"__Host-s.", "c"}, {"__Host-s.10", "d"}}},
		{"longer names are others", eachFull, []string{"__Host-ss=a; __Host-s0=b; __Host-s-0=c; __Host-=d; _=e"}, nil},
		{"names are case sensitive", eachFull, []string{"__host-s=a; __HOST-S=b"}, nil},
		{"duplicates in order", eachFull, []string{"__Host-s=b; __Host-s=a; __Host-s=b"},
			[]sentPair{{eachFull, "b"}, {eachFull, "a"}, {eachFull, "b"}}},
		{"several headers in order", eachFull, []string{"__Host-s=1", "x=2; __Host-s.0=3", "__Host-s=4"},
			[]sentPair{{eachFull, "1"}, {"__Host-s.0", "3"}, {eachFull, "4"}}},
		{"whitespace around", eachFull, []string{" \t__Host-s \t= a b \t;\r\n__Host-s.1\t=c, d;\n"},
			[]sentPair{{eachFull, " a b"}, {"__Host-s.1", "c, d"}}},
		{"empty parts", eachFull, []string{";;; ;__Host-s=a;;", " ; "}, []sentPair{{eachFull, "a"}}},
		{"no equals", eachFull, []string{"__Host-s; __Host-s.0"}, []sentPair{{eachFull, ""}, {"__Host-s.0", ""}}},
		{"empty values", eachFull, []string{"__Host-s=; __Host-s.0=\"\""}, []sentPair{{eachFull, ""}, {"__Host-s.0", ""}}},
		{"second equals kept", eachFull, []string{"__Host-s=a=b=="}, []sentPair{{eachFull, "a=b=="}}},
		{"quoted", eachFull, []string{`__Host-s="abc"; __Host-s.0="a b"`}, []sentPair{{eachFull, "abc"}, {"__Host-s.0", "a b"}}},
		{"half quoted", eachFull, []string{`__Host-s="abc; __Host-s=abc"; __Host-s="; __Host-s=a"b"`}, nil},
		{"quotes inside quotes", eachFull, []string{`__Host-s=""a""`}, nil},
		{"a lone quote", eachFull, []string{`__Host-s="`}, nil},
		{"two quotes", eachFull, []string{`__Host-s=""`}, []sentPair{{eachFull, ""}}},
		{"backslash", eachFull, []string{`__Host-s=a\b; __Host-s="\"`}, nil},
		{"control bytes", eachFull, []string{"__Host-s=a\x00; __Host-s=\x1fb; __Host-s=\x7f; __Host-s=a\tb"}, nil},
		{"bytes past ASCII", eachFull, []string{"__Host-s=\x80; __Host-s=é; __Host-s=\xff"}, nil},
		{"printable bytes", eachFull, []string{"__Host-s= !#$%&'()*+,-./09:<=>?@AZ[]^_`az{|}~"},
			[]sentPair{{eachFull, " !#$%&'()*+,-./09:<=>?@AZ[]^_`az{|}~"}}},
		{"a bad value does not stop the rest", eachFull, []string{"__Host-s=\x01; __Host-s=ok"}, []sentPair{{eachFull, "ok"}}},
		{"names that are not tokens", eachFull, []string{"__Host-s.a b=1; __Host-s.(=2; __Host-s.\x01=3; __Host-s.é=4; __Host-s.!=5"},
			[]sentPair{{"__Host-s.!", "5"}}},
		{"every token byte", eachFull, []string{"__Host-s.!#$%&'*+-.^_`|~09AZaz=1"}, []sentPair{{"__Host-s.!#$%&'*+-.^_`|~09AZaz", "1"}}},
		{"a full name that is not a token", "a b", []string{"a b=1; a b.0=2"}, nil},
		{"a full name with every token punctuation", "!#$%&'*+-.^_`|~", []string{"!#$%&'*+-.^_`|~=1"}, []sentPair{{"!#$%&'*+-.^_`|~", "1"}}},
		{"64 cookies", eachFull, []string{manyCookies(64)}, []sentPair{{eachFull, "v"}}},
		{"65 cookies", eachFull, []string{manyCookies(65)}, []sentPair{{eachFull, "v"}}},
		{"3000 cookies", eachFull, []string{manyCookies(3000)}, []sentPair{{eachFull, "v"}}},
		{"3001 cookies", eachFull, []string{manyCookies(3001)}, nil},
		{"3000 cookies in two headers", eachFull, []string{manyCookies(1500), manyCookies(1500)}, []sentPair{{eachFull, "v"}, {eachFull, "v"}}},
		{"3001 cookies in two headers", eachFull, []string{manyCookies(1500), manyCookies(1501)}, nil},
		{"3001 empty parts", eachFull, []string{"__Host-s=v" + strings.Repeat(";", 3000)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := headerRequest(tt.lines...)
			got, ref := eachAll(r, tt.full), cookiesFor(r, tt.full)
			if !slices.Equal(got, tt.want) || !slices.Equal(ref, tt.want) {
				t.Fatalf("each = %q, r.Cookies() = %q, want %q", got, ref, tt.want)
			}
		})
	}
}

// TestSentValueEveryByte: each byte value, at every place of values of every length up to
// three words, is kept or refused as r.Cookies() keeps or refuses it, quoted or not.
func TestSentValueEveryByte(t *testing.T) {
	for n := 1; n <= 17; n++ {
		for at := range n {
			for c := range 256 {
				v := []byte(strings.Repeat("a", n))
				v[at] = byte(c)
				for _, raw := range []string{string(v), `"` + string(v) + `"`} {
					want := refusedRef(string(v)) == -1
					r := headerRequest(eachFull + "=" + raw)
					if got, ref := eachAll(r, eachFull), cookiesFor(r, eachFull); !slices.Equal(got, ref) {
						t.Fatalf("%q: each = %q, r.Cookies() = %q", raw, got, ref)
					}
					if got, ok := sentValue(raw); ok != want || ok && got != string(v) {
						t.Fatalf("sentValue(%q) = %q, %v", raw, got, ok)
					}
				}
			}
		}
	}
}

// refusedRef is the index of the first byte r.Cookies() refuses in a value, or -1.
func refusedRef(v string) int {
	return strings.IndexFunc(v, func(r rune) bool {
		return r < ' ' || r >= 0x7f || r == '"' || r == '\\'
	})
}

// TestEachLimitSetting: the httpcookiemaxnum setting moves the limit for each as it does for
// r.Cookies() (0: none).
func TestEachLimitSetting(t *testing.T) {
	tests := []struct {
		setting string
		lines   []string
		found   bool
	}{
		{"httpcookiemaxnum=3", []string{manyCookies(3)}, true},
		{"httpcookiemaxnum=3", []string{manyCookies(4)}, false},
		{"httpcookiemaxnum=3", []string{"__Host-s=v;"}, true},
		{"httpcookiemaxnum=3", []string{"__Host-s=v;;;"}, false},
		{"httpcookiemaxnum=3", []string{"__Host-s=v", "o=1"}, true},
		{"httpcookiemaxnum=3", []string{"__Host-s=v", "o=1", "o=1"}, true},
		{"httpcookiemaxnum=3", []string{"__Host-s=v", "o=1", "o=1", "o=1"}, false},
		{"httpcookiemaxnum=3", []string{"__Host-s=v", "o=1; o=1"}, true},
		{"httpcookiemaxnum=3", []string{"__Host-s=v", "o=1; o=1; o=1"}, false},
		{"httpcookiemaxnum=1", []string{"__Host-s=v"}, true},
		{"httpcookiemaxnum=1", []string{"__Host-s=v;"}, false},
		{"httpcookiemaxnum=1", []string{"__Host-s=v", ""}, false},
		{"httpcookiemaxnum=70", []string{manyCookies(70)}, true},
		{"httpcookiemaxnum=70", []string{manyCookies(71)}, false},
		{"httpcookiemaxnum=0", []string{manyCookies(3001)}, true},
		{"httpcookiemaxnum=4000", []string{manyCookies(4000)}, true},
		{"httpcookiemaxnum=4000", []string{manyCookies(4001)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.setting+" "+strconv.Itoa(len(tt.lines)), func(t *testing.T) {
			t.Setenv("GODEBUG", tt.setting)
			r := headerRequest(tt.lines...)
			got, ref := eachAll(r, eachFull), cookiesFor(r, eachFull)
			if !slices.Equal(got, ref) || (len(ref) > 0) != tt.found {
				t.Fatalf("each = %q, r.Cookies() = %q, want found %v", got, ref, tt.found)
			}
		})
	}
}

// TestEachStops: each stops when yield returns false.
func TestEachStops(t *testing.T) {
	var got []string
	each(headerRequest("__Host-s=a; __Host-s=b", "__Host-s=c"), eachFull, func(_, v string) bool {
		got = append(got, v)
		return v != "b"
	})
	if !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("each yielded %q", got)
	}
}

// TestReadersMatchReference: Read, Pick and Write's and Clear's deletions answer as the
// r.Cookies() readers did.
func TestReadersMatchReference(t *testing.T) {
	for _, lines := range [][]string{
		nil,
		{"__Host-s=a"},
		{"__Host-s=a; __Host-s=b"},
		{"__Host-s=\"a\"; __Host-s=a"},
		{"__Host-s=\x01; __Host-s=b"},
		{"__Host-s=; __Host-s=b"},
		{"__Host-s.0=a; __Host-s.1=b", "__Host-s.0=c"},
		{"__Host-s.0=a; __Host-s.8=b"},
		{"__Host-s.8=b; __Host-s.0=a"},
		{"__Host-s.0=a; __Host-s.01=b; __Host-s.1=c; __Host-s.1=d"},
		{"__Host-s=x; __Host-s.0=a; __Host-s.1=b; __Host-s.x=y"},
		{"__Host-s.1=a; __Host-s.0=b; __Host-s.1=c"},
		{"__Host-s.0=; __Host-s.1=b"},
		{"__Host-s.x=a"},
		{"__Host-s.=a"},
		{"__Host-ss=a; __Host-=b; __Host-s0=c"},
		{"__Host-s=\"\x01\""},
		{"__Host-s"},
		{manyCookies(3000)},
		{manyCookies(3001)},
	} {
		checkReaders(t, lines)
	}
}

// checkReaders fails t unless Read, Pick and present answer for a request with lines as
// their r.Cookies() references do.
func checkReaders(t *testing.T, lines []string) {
	t.Helper()
	r := headerRequest(lines...)
	spec := Spec{Name: "s", Path: "/"}
	c := Codec{}
	v, ok := c.Read(r, spec)
	rv, rok := refRead(r, eachFull)
	if v != rv || ok != rok {
		t.Fatalf("%q: Read = %q, %v; reference %q, %v", lines, v, ok, rv, rok)
	}
	for _, accept := range []string{"", "a", "b", "ab", "x"} {
		var tried, refTried []string
		got, res := c.Pick(r, spec, func(v string) bool {
			tried = append(tried, v)
			return accept == "" || v == accept
		})
		want, refRes := refPick(r, eachFull, func(v string) bool {
			refTried = append(refTried, v)
			return accept == "" || v == accept
		})
		if got != want || res != refRes || !slices.Equal(tried, refTried) {
			t.Fatalf("%q: Pick(%q) = %q, %v after %q; reference %q, %v after %q", lines, accept, got, res, tried, want, refRes, refTried)
		}
	}
	if got, want := present(r, eachFull), refPresent(r, eachFull); !slices.Equal(got, want) {
		t.Fatalf("%q: present = %q; reference %q", lines, got, want)
	}
	if got, want := c.Sent(r, spec), len(cookiesFor(r, eachFull)) > 0; got != want {
		t.Fatalf("%q: Sent = %v; reference %v", lines, got, want)
	}
}

// FuzzEach: for any two Cookie headers, each finds what r.Cookies() finds, and Read, Pick
// and present answer as their references do.
func FuzzEach(f *testing.F) {
	for _, seed := range [][2]string{
		{"", ""},
		{"__Host-s=abc", ""},
		{"__Host-s.0=a; __Host-s.1=b", "__Host-s.0=c"},
		{` __Host-s = "a b" ; __Host-s.1="`, "\t;__Host-s.01=x"},
		{"__Host-s=a\\b; __Host-s.é=1; __Host-s.!=2", "__Host-s=\x7f"},
		{"__Host-s.9=a; __Host-s.0=b", "__Host-s=; __Host-s"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, lines := range [][]string{{a}, {a, b}} {
			r := headerRequest(lines...)
			if got, want := eachAll(r, eachFull), cookiesFor(r, eachFull); !slices.Equal(got, want) {
				t.Fatalf("%q: each = %q, r.Cookies() = %q", lines, got, want)
			}
			checkReaders(t, lines)
		}
	})
}

// refRead is Read before each: r.Cookies() read whole.
func refRead(r *http.Request, full string) (value string, ok bool) {
	var (
		plain     string
		hasPlain  bool
		chunks    [MaxChunks]string
		seen      [MaxChunks]bool
		numChunks int
	)
	for _, ck := range r.Cookies() {
		if ck.Name == full {
			if !hasPlain {
				plain, hasPlain = ck.Value, true
			}
			continue
		}
		i, isChunk := chunkIndex(full, ck.Name)
		if !isChunk {
			continue
		}
		if i >= MaxChunks {
			return "", false
		}
		if !seen[i] {
			chunks[i], seen[i] = ck.Value, true
			numChunks = max(numChunks, i+1)
		}
	}
	switch {
	case hasPlain && numChunks > 0:
		return "", false
	case hasPlain:
		return plain, plain != ""
	case numChunks == 0:
		return "", false
	}
	var b strings.Builder
	for i := range numChunks {
		if !seen[i] || chunks[i] == "" {
			return "", false
		}
		b.WriteString(chunks[i])
	}
	return b.String(), true
}

// refPick is Pick before each.
func refPick(r *http.Request, full string, accept func(value string) bool) (string, Result) {
	var (
		plain  []string
		chunks [MaxChunks][]string
	)
	for _, ck := range r.Cookies() {
		if ck.Value == "" {
			continue
		}
		if ck.Name == full {
			plain = addDistinct(plain, ck.Value)
		} else if i, ok := chunkIndex(full, ck.Name); ok && i < MaxChunks {
			chunks[i] = addDistinct(chunks[i], ck.Value)
		}
	}
	total, ways := len(plain), 1
	for n := 0; n < MaxChunks && total <= MaxCandidates; n++ {
		ways *= len(chunks[n])
		total += ways
	}
	if total > MaxCandidates {
		return "", Ambiguous
	}
	var (
		found string
		res   = Absent
		tried []string
	)
	try := func(v string) {
		if slices.Contains(tried, v) {
			return
		}
		tried = append(tried, v)
		if !accept(v) {
			return
		}
		switch {
		case res == Absent:
			found, res = v, Found
		case v != found:
			res = Ambiguous
		}
	}
	for _, v := range plain {
		try(v)
	}
	for n := 1; n <= MaxChunks && len(chunks[n-1]) > 0; n++ {
		var pick [MaxChunks]int
		for {
			var b strings.Builder
			for i := range n {
				b.WriteString(chunks[i][pick[i]])
			}
			try(b.String())
			i := n - 1
			for ; i >= 0; i-- {
				if pick[i]++; pick[i] < len(chunks[i]) {
					break
				}
				pick[i] = 0
			}
			if i < 0 {
				break
			}
		}
	}
	if res != Found {
		return "", res
	}
	return found, Found
}

// refPresent is present before each.
func refPresent(r *http.Request, full string) []string {
	var names []string
	for _, ck := range r.Cookies() {
		if ck.Name != full {
			if _, ok := chunkIndex(full, ck.Name); !ok {
				continue
			}
		}
		if !slices.Contains(names, ck.Name) {
			names = append(names, ck.Name)
		}
	}
	return names
}

// TestUsualLimitIsKeptPerSetting: the answer for the usual header is asked once per value
// of GODEBUG, and asked again when it changes.
func TestUsualLimitIsKeptPerSetting(t *testing.T) {
	for _, tt := range []struct {
		setting string
		within  bool
	}{
		{"httpcookiemaxnum=5", false},
		{"httpcookiemaxnum=64", true},
		{"httpcookiemaxnum=63", false},
		{"httpcookiemaxnum=0", true},
		{"", true},
	} {
		t.Setenv("GODEBUG", tt.setting)
		if got := usualWithin(); got != tt.within {
			t.Errorf("GODEBUG=%q: usualWithin() = %v, want %v", tt.setting, got, tt.within)
		}
		if kept := lastUsualLimit.Load(); kept == nil || *kept != (usualLimit{tt.setting, tt.within}) {
			t.Errorf("GODEBUG=%q: kept %+v", tt.setting, kept)
		}
		// A kept answer is the one given for its setting, not asked again: plant the
		// opposite and it must come back.
		lastUsualLimit.Store(&usualLimit{tt.setting, !tt.within})
		if got := usualWithin(); got != !tt.within {
			t.Errorf("GODEBUG=%q: usualWithin() asked again instead of keeping its answer", tt.setting)
		}
	}
	lastUsualLimit.Store(nil) // no planted answer outlives the test
}
