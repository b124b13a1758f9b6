// Package cookie writes and reads monban's cookies: always HttpOnly, Secure
// and SameSite=Lax, with the "__Host-" or "__Secure-" name prefix, and split
// into numbered chunks when a value is too long for one cookie.
//
// A value of at most MaxChunk bytes is stored under its plain name. A longer
// one is stored as name.0, name.1, … name.N-1, each MaxChunk bytes but the
// last. Every write also deletes the cookies of the same kind that the
// browser still holds but the new value does not use, so a shrinking value
// leaves no stale chunk behind.
package cookie

import (
	"net/http"
	"strconv"
	"strings"
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
}

// FullName returns the cookie name for s, with its prefix, before any chunk
// suffix.
func (c Codec) FullName(s Spec) string {
	if c.Domain == "" && s.Path == "/" {
		return "__Host-" + s.Name
	}
	return "__Secure-" + s.Name
}

// chunkName returns the name of chunk i of the cookie named full.
func chunkName(full string, i int) string {
	return full + "." + strconv.Itoa(i)
}

// chunkIndex reports whether name is a chunk of the cookie named full, and
// its index. Only the canonical decimal form Write produces counts.
func chunkIndex(full, name string) (int, bool) {
	if len(name) <= len(full)+1 || name[:len(full)] != full || name[len(full)] != '.' {
		return 0, false
	}
	suffix := name[len(full)+1:]
	if len(suffix) > 3 || (len(suffix) > 1 && suffix[0] == '0') {
		return 0, false
	}
	i := 0
	for _, ch := range []byte(suffix) {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		i = i*10 + int(ch-'0')
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
// from session.Sealer are always storable.
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
// own integrity check catches anything spliced together.
func (c Codec) Read(r *http.Request, s Spec) (value string, ok bool) {
	full := c.FullName(s)
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

// cookie returns a cookie of kind s with monban's fixed attributes.
func (c Codec) cookie(s Spec, name, value string) *http.Cookie {
	return &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     s.Path,
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
	for _, ck := range r.Cookies() {
		if ck.Name != full {
			if _, ok := chunkIndex(full, ck.Name); !ok {
				continue
			}
		}
		dup := false
		for _, n := range names {
			dup = dup || n == ck.Name
		}
		if !dup {
			names = append(names, ck.Name)
		}
	}
	return names
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
