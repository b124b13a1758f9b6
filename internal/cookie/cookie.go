// Package cookie writes and reads monban's cookies: always HttpOnly, Secure
// and SameSite=Lax, with the "__Host-" or "__Secure-" name prefix, and split
// into numbered chunks when a value is too long for one cookie.
//
// A value of at most MaxChunk bytes is stored under its plain name. A longer
// one is stored as name.0, name.1, … name.N-1, each MaxChunk bytes but the
// last. Every write also deletes the cookies of the same kind that the
// browser still holds but the new value does not use, so a shrinking value
// leaves no stale chunk behind.
//
// A browser sends a cookie's name and value only, never its Domain or Path,
// and may send one name several times (one cookie per path or domain). A
// "__Host-" cookie can only have been set by this host, for Path=/, so it is
// never duplicated by anyone else; a "__Secure-" cookie with a Domain can be
// set beside monban's by any host under that domain. [Codec.Pick] reads a
// sealed value without trusting the order or the count of what arrives: it
// tries every way the cookies sent could form the value and keeps the one
// that proves authentic, refusing to choose between two.
package cookie

import (
	"net/http"
	"net/textproto"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// MaxChunk is the number of value bytes stored per cookie. With the name it
// stays under the 4096 bytes of name and value that Chrome and Firefox
// accept per cookie.
const MaxChunk = 4000

// MaxChunks bounds the chunks of one value. Read refuses more, to bound the
// work an attacker-supplied Cookie header can cause, and Write does not
// store a value that needs more (see Write).
const MaxChunks = 8

// MaxCandidates bounds the values Pick tries for one cookie. A browser
// holding only monban's cookie offers one (or one per chunk count, at most
// MaxChunks); more means copies were planted beside it.
const MaxCandidates = 16

// Codec writes and reads monban cookies for one deployment.
//
// Without a Domain, a cookie with Path "/" gets the "__Host-" prefix (the
// browser then refuses it from any other host, a sibling subdomain
// included) and other paths get "__Secure-". With a Domain, for sites on
// sibling subdomains, every cookie gets "__Secure-", as "__Host-" forbids
// a Domain.
type Codec struct {
	Domain string
	// Now is the clock Max-Age is computed with; nil means time.Now. It must be the clock
	// the expiries passed to Write come from.
	Now func() time.Time
}

// Spec describes one kind of cookie.
type Spec struct {
	// Name is the base name, e.g. "monban-session"; the prefix and any chunk
	// suffix are added to it.
	Name string
	// Path is the cookie path, "/" or a narrower one such as "/auth".
	Path string
	// DomainPath, if set, is the path used instead of Path by a Codec with a
	// Domain. A cookie with a Domain cannot be "__Host-" whatever its path,
	// so a narrower one then at least keeps it off the requests that do not
	// need it (e.g. Path "/" for "__Host-" host-only, "/auth" with a Domain).
	DomainPath string
}

// path returns the Path attribute c writes cookies of kind s with.
func (c Codec) path(s Spec) string {
	if c.Domain != "" && s.DomainPath != "" {
		return s.DomainPath
	}
	return s.Path
}

// FullName returns the cookie name for s, with its prefix, before any chunk
// suffix.
func (c Codec) FullName(s Spec) string {
	if c.Domain == "" && c.path(s) == "/" {
		return "__Host-" + s.Name
	}
	return "__Secure-" + s.Name
}

// chunkName returns the name of chunk i of the cookie named full.
func chunkName(full string, i int) string {
	return full + "." + strconv.Itoa(i)
}

// chunkIndex reports whether name is a chunk of the cookie named full, and
// its index. Only the canonical decimal form Write produces counts: digits
// only, no leading zero. Any index of MaxChunks or more, however many digits
// it has, is returned as MaxChunks, for Read to refuse and Pick to skip.
func chunkIndex(full, name string) (int, bool) {
	suffix, ok := strings.CutPrefix(name, full+".")
	if !ok || suffix == "" || (len(suffix) > 1 && suffix[0] == '0') {
		return 0, false
	}
	i := 0
	for _, ch := range []byte(suffix) {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		i = min(i*10+int(ch-'0'), MaxChunks)
	}
	return i, true
}

// Write sets the cookie of kind s to value, expiring at expires (a zero
// expires makes it a browser-session cookie). A value longer than MaxChunk
// is split into chunks. Every cookie of the same kind present in r that the
// new value does not overwrite is deleted.
//
// An empty value clears the cookie, as does a value that cannot be stored
// (more than MaxChunks chunks, or bytes a cookie value cannot hold): a later
// Read then reports it absent rather than returning something else. Values
// from seal.Sealer are always storable.
func (c Codec) Write(w http.ResponseWriter, r *http.Request, s Spec, value string, expires time.Time) {
	n := (len(value) + MaxChunk - 1) / MaxChunk
	if n == 0 || n > MaxChunks || !validValue(value) {
		c.Clear(w, r, s)
		return
	}
	full := c.FullName(s)
	maxAge := 0 // net/http: no Max-Age attribute
	if !expires.IsZero() {
		now := time.Now
		if c.Now != nil {
			now = c.Now
		}
		maxAge = int(expires.Sub(now()) / time.Second)
		if maxAge <= 0 {
			// Already expired: ask the browser to drop it now.
			maxAge = -1
		}
	}
	set := func(name, v string) {
		ck := c.cookie(s, name, v)
		ck.Expires, ck.MaxAge = expires, maxAge
		http.SetCookie(w, ck)
	}

	if n == 1 {
		set(full, value)
	} else {
		for i := range n {
			set(chunkName(full, i), value[i*MaxChunk:min((i+1)*MaxChunk, len(value))])
		}
	}
	for _, name := range present(r, full) {
		if name == full && n == 1 {
			continue
		}
		if i, ok := chunkIndex(full, name); ok && n > 1 && i < n {
			continue
		}
		c.delete(w, s, name)
	}
}

// Read returns the value of the cookie of kind s from r: the plain cookie,
// or chunks name.0 … name.N-1 joined. It reports false if the cookie is
// absent, empty, or inconsistent: a chunk missing or empty, more than
// MaxChunks chunks, or both the plain cookie and chunks present. If the
// browser sends a name twice (cookies set for different paths or domains),
// the first is used, as net/http's Request.Cookie does; the sealed value's
// own integrity check catches anything spliced together. A copy planted
// beside the real cookie can therefore hide it: read sealed values that must
// not be swapped or lost with Pick.
func (c Codec) Read(r *http.Request, s Spec) (value string, ok bool) {
	full := c.FullName(s)
	var (
		plain     string
		hasPlain  bool
		chunks    [MaxChunks]string
		seen      [MaxChunks]bool
		numChunks int
	)
	tooMany := false
	each(r, full, func(name, value string) bool {
		if name == full {
			if !hasPlain {
				plain, hasPlain = value, true
			}
			return true
		}
		i, isChunk := chunkIndex(full, name)
		if !isChunk {
			return true
		}
		if i >= MaxChunks {
			tooMany = true
			return false
		}
		if !seen[i] {
			chunks[i], seen[i] = value, true
			numChunks = max(numChunks, i+1)
		}
		return true
	})
	switch {
	case tooMany:
		return "", false
	case hasPlain && numChunks > 0:
		return "", false
	case hasPlain:
		return plain, plain != ""
	case numChunks == 0:
		return "", false
	}
	total := 0
	for i := range numChunks {
		if !seen[i] || chunks[i] == "" {
			return "", false
		}
		total += len(chunks[i])
	}
	var b strings.Builder
	b.Grow(total)
	for _, part := range chunks[:numChunks] {
		b.WriteString(part)
	}
	return b.String(), true
}

// Result is what Pick found.
type Result int

const (
	// Absent means no value was accepted: none was sent, or none proved
	// authentic.
	Absent Result = iota
	// Found means exactly one distinct value was accepted.
	Found
	// Ambiguous means two different values were accepted, or the browser
	// sent more than MaxCandidates ways of forming one. Neither may be used:
	// treat the cookie as absent, and clear it.
	Ambiguous
)

func (res Result) String() string {
	switch res {
	case Found:
		return "found"
	case Ambiguous:
		return "ambiguous"
	}
	return "absent"
}

// Pick reads the cookie of kind s when only an authentic value may be used:
// accept reports whether a value is one (typically: it opens under
// seal.Sealer for the cookie's purpose, and belongs to this browser's
// user). Pick calls accept once with every distinct value the cookies in r
// could stand for, in the order the browser sent them (the cookie with the
// longest path first): each value sent under the plain name, and, for every
// N up to MaxChunks with name.0 … name.N-1 all sent, every way of joining
// one value of each. It does not stop at the first accepted value, so
// accept may collect them all (to revoke each at sign-out, say).
//
// Neither a stray chunk (name.0 beside a plain value, name.9, a chunk past
// the real value's end) nor a duplicate name can hide the real value, and a
// planted copy is used only if it is authentic and the real value is not
// there: when two different values are accepted Pick reports Ambiguous and
// returns neither. Planting a cookie can thus make it read as absent, never
// as another one beside it.
func (c Codec) Pick(r *http.Request, s Spec, accept func(value string) bool) (string, Result) {
	full := c.FullName(s)
	var (
		plainRoom [2]string
		plain     = plainRoom[:0]
		chunks    [MaxChunks][]string
	)
	each(r, full, func(name, value string) bool {
		if value == "" {
			return true
		}
		if name == full {
			plain = addDistinct(plain, value)
		} else if i, ok := chunkIndex(full, name); ok && i < MaxChunks {
			chunks[i] = addDistinct(chunks[i], value)
		}
		return true
	})
	// Count the ways before trying any: the work stays bounded whatever the
	// Cookie header holds. ways, the values chunks 0 … n can form, stays 0
	// from the first chunk not sent.
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
		tried = make([]string, 0, total)
	)
	try := func(v string) {
		for _, t := range tried {
			if t == v {
				return
			}
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
	var b strings.Builder
	for n := 1; n <= MaxChunks && len(chunks[n-1]) > 0; n++ {
		var pick [MaxChunks]int // which value of each chunk; an odometer
		for {
			b.Reset()
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

// addDistinct appends v to vs unless it is there already.
func addDistinct(vs []string, v string) []string {
	for _, x := range vs {
		if x == v {
			return vs
		}
	}
	return append(vs, v)
}

// Sent reports whether r carries a cookie of kind s, whole or in chunks: one that
// r.Cookies() returns named as the cookie, or as the cookie followed by a dot and anything.
func (c Codec) Sent(r *http.Request, s Spec) bool {
	sent := false
	each(r, c.FullName(s), func(string, string) bool {
		sent = true
		return false
	})
	return sent
}

// Clear deletes the cookie of kind s: the plain name always, and every
// chunk of it present in r.
func (c Codec) Clear(w http.ResponseWriter, r *http.Request, s Spec) {
	full := c.FullName(s)
	c.delete(w, s, full)
	for _, name := range present(r, full) {
		if name != full {
			c.delete(w, s, name)
		}
	}
}

// ClearStray deletes the copies of the cookie of kind s that Clear cannot
// reach. With a Domain, any host under it can set the same names for
// another Path (Path=/auth/session, say, which the browser sends first), and
// a deployment that had no Domain before may have left host-only ones. For
// every name of kind s present in r, ClearStray deletes it, with the Domain
// and host-only, for every path the browser could have sent it for on this
// request (the only paths it is known to exist for), except the one Clear
// deletes. Without a Domain no other host can set monban's names ("__Host-"
// ones exist only host-only on Path=/), and nothing is written.
//
// Call it only when clearing: it also deletes the Domain cookie's own name
// at other paths, and may delete a host-only twin of the cookie Clear
// deletes, so a value written in the same response could be lost.
func (c Codec) ClearStray(w http.ResponseWriter, r *http.Request, s Spec) {
	if c.Domain == "" {
		return
	}
	own := c.path(s)
	paths := matchingPaths(r.URL.Path)
	for _, name := range present(r, c.FullName(s)) {
		for _, p := range paths {
			for _, domain := range [...]string{c.Domain, ""} {
				if p == own && domain == c.Domain {
					continue // Clear's
				}
				ck := c.cookie(s, name, "")
				ck.Path, ck.Domain = p, domain
				ck.MaxAge = -1
				ck.Expires = time.Unix(0, 0)
				http.SetCookie(w, ck)
			}
		}
	}
}

// maxStrayAncestors bounds the ancestors of the request path ClearStray
// deletes a name for (each with and without its trailing slash, beside "/"
// and the path itself).
const maxStrayAncestors = 7

// matchingPaths returns the cookie paths that path-match the request path p
// (RFC 6265 §5.1.4): "/", each ancestor of p with and without its trailing
// slash (the first maxStrayAncestors), and p itself.
func matchingPaths(p string) []string {
	if p == "" || p[0] != '/' {
		p = "/"
	}
	out := []string{"/"}
	ancestors := 0
	for i := 1; i < len(p) && ancestors < maxStrayAncestors; i++ {
		if p[i] == '/' && p[i-1] != '/' {
			out = append(out, p[:i], p[:i+1])
			ancestors++
		}
	}
	if p[len(p)-1] != '/' {
		out = append(out, p)
	}
	return out
}

// cookie returns a cookie of kind s with monban's fixed attributes.
func (c Codec) cookie(s Spec, name, value string) *http.Cookie {
	return &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     c.path(s),
		Domain:   c.Domain,
		Secure:   true,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
}

// delete writes a Set-Cookie that removes the cookie called name. It keeps
// the Path, Domain and Secure of the original: the browser matches on the
// first two, and refuses a prefixed name without Secure.
func (c Codec) delete(w http.ResponseWriter, s Spec, name string) {
	ck := c.cookie(s, name, "")
	ck.MaxAge = -1 // net/http writes Max-Age=0
	ck.Expires = time.Unix(0, 0)
	http.SetCookie(w, ck)
}

// present returns the distinct names in r that belong to the cookie named
// full: the plain name and its chunks, however many.
func present(r *http.Request, full string) []string {
	var names []string
	each(r, full, func(name, _ string) bool {
		if name != full {
			if _, ok := chunkIndex(full, name); !ok {
				return true
			}
		}
		dup := false
		for _, n := range names {
			dup = dup || n == name
		}
		if !dup {
			names = append(names, name)
		}
		return true
	})
	return names
}

// each calls yield, until it returns false, with the name and value of every cookie in r's
// Cookie headers that r.Cookies() would return and whose name is full or starts with
// full+".", in the same order and with the same values. It parses only those: the other
// cookies' values (another application's, a large refresh cookie) are not read, and no
// http.Cookie is allocated.
func each(r *http.Request, full string, yield func(name, value string) bool) {
	lines := r.Header["Cookie"]
	// Every cookie yielded has full in its name: a header without it has none to give, and
	// costs one substring search instead of a walk over every cookie (GET /auth/session asks
	// after cookies most requests do not carry).
	if !slices.ContainsFunc(lines, func(line string) bool { return strings.Contains(line, full) }) {
		return
	}
	n := 0
	for _, line := range lines {
		n += strings.Count(line, ";") + 1
	}
	if !withinLimit(n) {
		return
	}
	for _, line := range lines {
		for line != "" {
			var part string
			part, line, _ = strings.Cut(line, ";")
			name, raw, _ := strings.Cut(textproto.TrimString(part), "=")
			name = textproto.TrimString(name)
			if !strings.HasPrefix(name, full) || (len(name) != len(full) && name[len(full)] != '.') {
				continue
			}
			if !isToken(name) {
				continue
			}
			if v, ok := sentValue(raw); ok && !yield(name, v) {
				return
			}
		}
	}
}

// isToken reports whether name is an RFC 7230 token: r.Cookies() skips a cookie whose name
// is not.
func isToken(name string) bool {
	for i := range len(name) {
		if !tokenByte[name[i]] {
			return false
		}
	}
	return true
}

var tokenByte = func() (t [256]bool) {
	for _, c := range "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" {
		t[c] = true
	}
	return t
}()

// sentValue is a cookie value as r.Cookies() reads it: without the double quotes around it,
// if any, and refused (false) if it holds a byte outside printable ASCII, a double quote or
// a backslash. A space or comma is kept.
func sentValue(raw string) (string, bool) {
	if len(raw) > 1 && raw[0] == '"' && raw[len(raw)-1] == '"' {
		raw = raw[1 : len(raw)-1]
	}
	// A sealed value is a few kilobytes read on every request: eight bytes are checked at
	// a time (the loop's bound is written so that moving it reads past the end), then the
	// rest one by one.
	s := raw
	for len(s) > 7 {
		if refusedByte(uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56) {
			return "", false
		}
		s = s[8:]
	}
	for i := range len(s) {
		if b := s[i]; b < ' ' || b >= 0x7f || b == '"' || b == '\\' {
			return "", false
		}
	}
	return raw, true
}

// bytes8 is a byte repeated in each of a uint64's eight bytes: bytes8 * c.
const bytes8 = 0x0101010101010101

// refusedByte reports whether any of the eight bytes of x is one a cookie value cannot
// hold. A byte's high bit is set in the sum below when it is 0x80 or more (x), under 0x20
// (the subtraction borrows; with no such byte nothing borrows), 0x7f (adding one carries
// into the high bit; nothing else carries once no byte is 0x80 or more), or a double quote
// or backslash (y-1 &^ y has a high bit where y, x xor that byte, has a zero byte).
func refusedByte(x uint64) bool {
	q, bs := x^bytes8*'"', x^bytes8*'\\'
	return (x|(x-bytes8*' ')|(x+bytes8)|(q-bytes8)&^q|(bs-bytes8)&^bs)&(bytes8*0x80) != 0
}

// withinLimit reports whether net/http reads a Cookie header of n cookies (counted as it
// counts them: one more than the semicolons of each line). Past its limit (3000, or the
// httpcookiemaxnum GODEBUG setting) r.Cookies() returns none. A header of no more cookies
// than limitProbe holds is within a limit that admits limitProbe's, the answer usualWithin
// keeps; any other is asked about.
func withinLimit(n int) bool {
	if n <= len(limitProbe) && usualWithin() {
		return true
	}
	return probeLimit(n)
}

// probeLimit asks net/http whether a header of n cookies is within its limit.
// http.ParseCookie applies the limit before anything else, and otherwise refuses a line
// whose first cookie has no "=": so it is asked about "x" followed by n-1 semicolons.
func probeLimit(n int) bool {
	k := min(n, len(limitProbe))
	_, err := http.ParseCookie(limitProbe[:k] + strings.Repeat(";", n-k))
	return err == errNoEquals
}

// limitProbe holds the lines probeLimit asks about for up to 64 cookies, the usual case,
// without building one.
var limitProbe = "x" + strings.Repeat(";", 63)

// errNoEquals is http.ParseCookie's error for a line within the limit whose first cookie
// has no "=".
var errNoEquals = func() error {
	_, err := http.ParseCookie("x")
	return err
}()

// usualLimit is probeLimit(len(limitProbe)) as found under one value of the GODEBUG
// variable.
type usualLimit struct {
	godebug string
	within  bool
}

var lastUsualLimit atomic.Pointer[usualLimit]

// usualWithin is probeLimit(len(limitProbe)), asked again only when the GODEBUG variable
// has changed: the setting is the binary's default, which never changes, overridden by
// that variable, which the runtime rereads whenever it is set.
func usualWithin() bool {
	env := os.Getenv("GODEBUG")
	if last := lastUsualLimit.Load(); last != nil && last.godebug == env {
		return last.within
	}
	within := probeLimit(len(limitProbe))
	if os.Getenv("GODEBUG") == env { // unchanged while asking
		lastUsualLimit.Store(&usualLimit{godebug: env, within: within})
	}
	return within
}

// validValue reports whether v can be stored without net/http altering it
// (it drops bytes a cookie value cannot hold, and quotes values with a space
// or comma, which a chunk boundary could split).
func validValue(v string) bool {
	for i := range len(v) {
		b := v[i]
		if b <= ' ' || b >= 0x7f || b == '"' || b == ',' || b == ';' || b == '\\' {
			return false
		}
	}
	return true
}
