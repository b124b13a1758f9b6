// Package jsonread reads JSON documents of a known shape without reflection, for the hot
// paths that decode the same few types on every request (the session cookie's payload, the
// Lambda event of an HTTP request).
//
// A reader either reads a document to exactly the values encoding/json would decode it to,
// or declines: every method reports false on anything it does not handle exactly as
// encoding/json does (invalid JSON, a string with invalid UTF-8 or a UTF-16 surrogate escape,
// a number that is not a plain integer, nesting deeper than maxDepth, …), and the caller then
// hands the whole document to encoding/json, which decodes it or reports the error it always
// did. Declining is always safe; reading differently never is, and the tests of each caller
// compare it with encoding/json on the same input.
package jsonread

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"strconv"
	"unicode/utf8"
)

// maxDepth bounds the nesting Skip follows. encoding/json allows 10000 levels; a document
// that nests deeper than this is declined and left to it.
const maxDepth = 64

// Reader reads one JSON document from its start. The zero value reads an empty document.
type Reader struct {
	data []byte
	pos  int
}

// New returns a Reader of data.
func New(data []byte) Reader { return Reader{data: data} }

// space skips the whitespace JSON allows between tokens.
func (r *Reader) space() { r.pos = SpaceEnd(r.data, r.pos) }

// Pos returns the reader's offset in the document: just past the last token read.
func (r *Reader) Pos() int { return r.pos }

// peek returns the first byte of the next token, or 0 at the end of the document.
func (r *Reader) peek() byte {
	r.space()
	if r.pos < len(r.data) {
		return r.data[r.pos]
	}
	return 0
}

// consume steps over the byte c if it comes next.
func (r *Reader) consume(c byte) bool {
	if r.peek() == c {
		r.pos++
		return true
	}
	return false
}

// literal steps over the literal lit (true, false, null) if it comes next, whole: a literal
// followed directly by a letter or digit is not one (JSON needs a delimiter after it).
func (r *Reader) literal(lit string) bool {
	r.space()
	// Most often asked (is it null?) before a string: one byte says no.
	if r.pos >= len(r.data) || r.data[r.pos] != lit[0] {
		return false
	}
	end := r.pos + len(lit)
	if end > len(r.data) || string(r.data[r.pos:end]) != lit {
		return false
	}
	if end < len(r.data) && !delimiter(r.data[end]) {
		return false
	}
	r.pos = end
	return true
}

// Exact steps over lit if the document continues with exactly its bytes, no whitespace
// first: a reader of one fixed layout (what json.Marshal writes for a known type) checks
// its punctuation and member names with it, and reads the values with the other methods.
func (r *Reader) Exact(lit string) bool {
	end := r.pos + len(lit)
	if end > len(r.data) || string(r.data[r.pos:end]) != lit {
		return false
	}
	r.pos = end
	return true
}

// delimiter reports whether c may follow a literal or a number.
func delimiter(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', ',', ']', '}':
		return true
	}
	return false
}

// End reports whether nothing but whitespace is left.
func (r *Reader) End() bool {
	r.space()
	return r.pos == len(r.data)
}

// Null steps over a null if one comes next.
func (r *Reader) Null() bool { return r.literal("null") }

// Bool reads true or false.
func (r *Reader) Bool() (v, ok bool) {
	if r.literal("true") {
		return true, true
	}
	return false, r.literal("false")
}

// Int64 reads a number as encoding/json reads it into an int64: an integer in range, with
// no fraction or exponent.
func (r *Reader) Int64() (int64, bool) {
	r.space()
	start := r.pos
	if !r.integer() || r.pos < len(r.data) && !delimiter(r.data[r.pos]) {
		r.pos = start
		return 0, false
	}
	n, err := strconv.ParseInt(string(r.data[start:r.pos]), 10, 64)
	if err != nil {
		r.pos = start
		return 0, false
	}
	return n, true
}

// integer steps over the integer part of a JSON number: an optional minus, then 0 or a
// digit string that does not start with 0.
func (r *Reader) integer() bool {
	if r.pos < len(r.data) && r.data[r.pos] == '-' {
		r.pos++
	}
	start := r.pos
	for r.pos < len(r.data) && r.data[r.pos] >= '0' && r.data[r.pos] <= '9' {
		r.pos++
	}
	n := r.pos - start
	return n > 0 && (n == 1 || r.data[start] != '0')
}

// Byte classes inside a string.
const (
	plain     = iota
	quote     // ends the string
	backslash // starts an escape
	control   // below 0x20: not allowed unescaped
	high      // part of a multi-byte UTF-8 sequence
)

var class = func() (t [256]uint8) {
	for c := range 0x20 {
		t[c] = control
	}
	t['"'], t['\\'] = quote, backslash
	for c := 0x80; c < 0x100; c++ {
		t[c] = high
	}
	return t
}()

// special reports whether any of the eight bytes in x is not plain: a quote, a backslash,
// below 0x20 or above 0x7f. It may not say which; it never misses one.
func special(x uint64) bool { return specials(x) != 0 }

// specials has the high bit set of the first byte of x (from the low end) that is not plain,
// and is zero if there is none. Bits of later bytes may be set too: a borrow runs from a
// byte only when it is one to find.
func specials(x uint64) uint64 {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	q := x ^ ones*'"'
	b := x ^ ones*'\\'
	return (x | (x - ones*0x20) | (q-ones)&^q | (b-ones)&^b) & high
}

// allPlain reports whether s is all plain bytes: no backslash, none below 0x20 or above 0x7f.
// A quote is not looked for: s ends before the first one.
func allPlain(s []byte) bool {
	if bytes.IndexByte(s, '\\') >= 0 {
		return false
	}
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	// A byte above 0x7f has its high bit set; one below 0x20 sets it in x-0x20. The
	// subtraction borrows across bytes only from a byte below 0x20, which is caught anyway.
	var acc uint64
	for len(s) >= 32 {
		a, b := binary.LittleEndian.Uint64(s), binary.LittleEndian.Uint64(s[8:])
		c, d := binary.LittleEndian.Uint64(s[16:]), binary.LittleEndian.Uint64(s[24:])
		acc |= a | (a - ones*0x20) | b | (b - ones*0x20) | c | (c - ones*0x20) | d | (d - ones*0x20)
		s = s[32:]
	}
	for len(s) >= 8 {
		a := binary.LittleEndian.Uint64(s)
		acc |= a | (a - ones*0x20)
		s = s[8:]
	}
	for _, c := range s {
		if class[c] != plain {
			return false
		}
	}
	return acc&high == 0
}

// String reads a string and returns its contents, unescaped. Contents without escapes are
// returned in place, a slice of the document (the reader never writes to it); others in a
// new slice.
func (r *Reader) String() ([]byte, bool) {
	s, _, ok := r.StringToken()
	return s, ok
}

// StringToken reads a string and returns its contents, unescaped, and the whole token as it
// appears in the document, quotes included (what encoding/json gives an UnmarshalJSON
// method).
func (r *Reader) StringToken() (s, token []byte, ok bool) {
	if r.peek() != '"' {
		return nil, nil, false
	}
	d := r.data
	start := r.pos
	i := start + 1
	// Most strings are short (a header, a field of the request context) and plain to their
	// closing quote: the first byte that is not plain, found a word at a time, is that
	// quote. The calls of the search below would cost them more than this.
	for end := min(i+16, len(d)-8); i <= end; i += 8 {
		m := specials(binary.LittleEndian.Uint64(d[i:]))
		if m == 0 {
			continue
		}
		i += bits.TrailingZeros64(m) / 8
		if d[i] == '"' {
			r.pos = i + 1
			return d[start+1 : i], d[start:r.pos], true
		}
		return r.rest(start, i)
	}
	// Longer ones: find the quote with bytes.IndexByte (vectorised), then check what it
	// passed over in wide steps. Anything else (an escape, a byte to validate as UTF-8, a
	// control, no quote) is read by the loop in rest.
	if q := bytes.IndexByte(d[i:], '"'); q >= 0 && allPlain(d[i:i+q]) {
		r.pos = i + q + 1
		return d[start+1 : i+q], d[start:r.pos], true
	}
	return r.rest(start, i)
}

// rest reads the rest of a string that starts at start, d[start+1:i] plain.
func (r *Reader) rest(start, i int) (s, token []byte, ok bool) {
	d := r.data
	ascii := true
	for {
		// Eight plain bytes at a time: long strings (an access token) are mostly that.
		for i+8 <= len(d) && !special(binary.LittleEndian.Uint64(d[i:])) {
			i += 8
		}
		// Then byte by byte to the byte that stopped the scan, rather than testing the
		// same word again for each plain byte before it.
		for i < len(d) && class[d[i]] == plain {
			i++
		}
		if i >= len(d) {
			return nil, nil, false // unterminated
		}
		switch class[d[i]] {
		case high:
			ascii = false
			i++
			continue
		case quote:
			s = d[start+1 : i]
			if !ascii && !utf8.Valid(s) {
				// encoding/json would replace the invalid bytes: leave that to it.
				return nil, nil, false
			}
			r.pos = i + 1
			return s, d[start:r.pos], true
		case backslash:
			return r.escaped(start, i)
		}
		return nil, nil, false // control
	}
}

// escaped reads the rest of a string that starts at start and has its first escape at i,
// unescaping it into a new slice.
func (r *Reader) escaped(start, i int) (s, token []byte, ok bool) {
	d := r.data
	out := append([]byte(nil), d[start+1:i]...)
	for i < len(d) {
		c := d[i]
		switch class[c] {
		case quote:
			if !utf8.Valid(out) {
				return nil, nil, false
			}
			r.pos = i + 1
			return out, d[start:r.pos], true
		case control:
			return nil, nil, false
		case backslash:
			if i+1 >= len(d) {
				return nil, nil, false
			}
			i++
			switch e := d[i]; e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				rr, ok := hex4(d[i+1:])
				// A surrogate (half of a pair, or alone) is left to encoding/json, which
				// pairs them or writes U+FFFD.
				if !ok || rr >= 0xD800 && rr < 0xE000 {
					return nil, nil, false
				}
				out = utf8.AppendRune(out, rr)
				i += 4
			default:
				return nil, nil, false
			}
			i++
		default:
			out = append(out, c)
			i++
		}
	}
	return nil, nil, false
}

// hex4 decodes the four hex digits of a \u escape.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// Object reads an object, calling member with each key (unescaped, as String returns it)
// to read the member's value. It stops, false, when member does.
func (r *Reader) Object(member func(key []byte) bool) bool {
	if !r.consume('{') {
		return false
	}
	if r.consume('}') {
		return true
	}
	for {
		key, ok := r.String()
		if !ok || !r.consume(':') || !member(key) {
			return false
		}
		if !r.consume(',') {
			return r.consume('}')
		}
	}
}

// Array reads an array, calling elem to read each element. It stops, false, when elem does.
func (r *Reader) Array(elem func() bool) bool {
	if !r.consume('[') {
		return false
	}
	if r.consume(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if !r.consume(',') {
			return r.consume(']')
		}
	}
}

// Skip steps over any one value, checking its syntax as encoding/json checks a value it does
// not decode: its strings' UTF-8 is not checked (see skip.go). Values nested deeper than
// maxDepth are declined.
func (r *Reader) Skip() bool {
	end, ok := ValueEnd(r.data, r.pos)
	if ok {
		r.pos = end
	}
	return ok
}

// SkipString steps over a string whose value is not kept, checking only its syntax.
func (r *Reader) SkipString() bool {
	i := SpaceEnd(r.data, r.pos)
	if i >= len(r.data) || r.data[i] != '"' {
		return false
	}
	end, ok := StringEnd(r.data, i)
	if ok {
		r.pos = end
	}
	return ok
}

// StringMap reads an object of strings, calling member with each key and value (as String
// returns them). Null members are declined (encoding/json makes them "", but no
// writer monban reads produces one).
func (r *Reader) StringMap(member func(key, value []byte)) bool {
	return r.Object(func(key []byte) bool {
		v, ok := r.String()
		if ok {
			member(key, v)
		}
		return ok
	})
}

// Unknown reports whether key can be skipped as a member no field of a struct takes, names
// being the JSON names of its fields: encoding/json matches a key to a name case-insensitively
// (with Unicode folding, so any non-ASCII key is left to it) and skips it only if none match.
func Unknown(key []byte, names []string) bool {
	for _, c := range key {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	for _, n := range names {
		if equalFoldASCII(key, n) {
			return false
		}
	}
	return true
}

func equalFoldASCII(a []byte, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if 'a' <= x && x <= 'z' {
			x -= 'a' - 'A'
		}
		if 'a' <= y && y <= 'z' {
			y -= 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
