// Package jsonwrite appends JSON strings and string maps exactly as encoding/json writes
// them, without reflection, for the answers written on every request (the authorizer's,
// GET /auth/session's, the API Gateway response). Its tests hold it to encoding/json.
package jsonwrite

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// String appends s as a JSON string. escapeHTML says whether <, > and & are escaped, as
// json.Marshal and a default json.Encoder do.
func String[S string | []byte](b []byte, s S, escapeHTML bool) []byte {
	b = append(b, '"')
	b = StringBody(b, s, escapeHTML)
	return append(b, '"')
}

// StringBody appends the inside of the JSON string for s, with encoding/json's escapes:
// quote, backslash and control characters; <, > and & when escapeHTML; each byte that is
// not part of valid UTF-8 as U+FFFD; and U+2028 and U+2029 always (JavaScript reads them
// as line ends).
func StringBody[S string | []byte](b []byte, s S, escapeHTML bool) []byte {
	i := 0
	// Eight bytes at a time: each word is stored whole past the end of b, then b is
	// extended over its bytes up to the first one to escape, if any. One store and no call
	// per run, as the runs between a JSON body's quotes are short.
	for i+8 <= len(s) {
		if cap(b)-len(b) < 8 {
			b = slices.Grow(b, len(s)-i+8)
		}
		x := load64(s, i)
		n := len(b)
		binary.LittleEndian.PutUint64(b[n:n+8], x)
		m := escapes(x, escapeHTML)
		if m == 0 {
			b = b[:n+8]
			i += 8
			continue
		}
		k := bits.TrailingZeros64(m) / 8
		b = b[:n+k]
		b, i = escape(b, s, i+k)
	}
	verbatim := &asIsHTML
	if !escapeHTML {
		verbatim = &asIs
	}
	for i < len(s) {
		if c := s[i]; verbatim[c] {
			b = append(b, c)
			i++
		} else {
			b, i = escape(b, s, i)
		}
	}
	return b
}

// escape appends what encoding/json writes for the byte or rune at s[i], one that is not
// always written as it is (a rune that is may be passed too), and returns the index past it.
func escape[S string | []byte](b []byte, s S, i int) ([]byte, int) {
	c := s[i]
	if c < utf8.RuneSelf {
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		return b, i + 1
	}
	// A short conversion, which the compiler makes without a copy on the heap.
	r, size := utf8.DecodeRuneInString(string(s[i:min(len(s), i+utf8.UTFMax)]))
	switch {
	case r == utf8.RuneError && size == 1:
		b = append(b, `\ufffd`...)
	case r == '\u2028' || r == '\u2029':
		b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
	default:
		b = append(b, s[i:i+size]...)
	}
	return b, i + size
}

// asIs holds the bytes written as they are when HTML is not escaped, asIsHTML when it is:
// ASCII but for controls, quote and backslash (and <, > and &).
var asIs, asIsHTML = func() (plain, html [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		plain[c] = c != '"' && c != '\\'
		html[c] = plain[c] && c != '<' && c != '>' && c != '&'
	}
	return plain, html
}()

// load64 is s[i:i+8] as a little-endian word, which the compiler loads at once.
func load64[S string | []byte](s S, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// escapes has the high bit set of the first of the eight bytes in x (from the low end) that
// is not written as it is: below 0x20, above 0x7f, a quote or a backslash, or, when
// escapeHTML, <, > or &. It is zero when there is none. Bits of later bytes may be set too.
func escapes(x uint64, escapeHTML bool) uint64 {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	// A byte equal to c leaves a zero in x^c, whose subtraction of one sets its high bit
	// (&^ clears it for bytes whose own high bit is set, which x itself reports). A borrow
	// runs to the next byte only from a zero or from a byte below 0x20: only bytes after
	// the first one to escape can be marked wrongly.
	q := x ^ ones*'"'
	bs := x ^ ones*'\\'
	m := x | (x - ones*0x20) | (q-ones)&^q | (bs-ones)&^bs
	if escapeHTML {
		// '<' and '>' differ only in the bit 0x02.
		lt := (x | ones*0x02) ^ ones*'>'
		amp := x ^ ones*'&'
		m |= (lt-ones)&^lt | (amp-ones)&^amp
	}
	return m & high
}

// StringMap appends m as encoding/json writes a map[string]string: null when nil, keys in
// byte order.
func StringMap(b []byte, m map[string]string, escapeHTML bool) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	var buf [16]string // most maps written here are small: no allocation for their keys
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = String(b, k, escapeHTML)
		b = append(b, ':')
		b = String(b, m[k], escapeHTML)
	}
	return append(b, '}')
}

// Strings appends list as encoding/json writes a []string: null when nil.
func Strings(b []byte, list []string, escapeHTML bool) []byte {
	if list == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = String(b, s, escapeHTML)
	}
	return append(b, ']')
}
