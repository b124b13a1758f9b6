package jsonread

import "encoding/binary"

// Skip and SkipString step over values nobody reads (most of an event: the request
// context, the query, the path parameters). encoding/json ignores such values but still
// fails on one that is not valid JSON, so they are checked here for their syntax alone, in
// one loop with no call per token. Their strings are not checked as UTF-8: encoding/json
// does not check a value it does not decode, and replaces invalid bytes in one it does.
//
// The steps are exported (SpaceEnd, StringEnd, NumberEnd, ValueEnd) for monban's other
// reader of JSON syntax, the token verifier's check of a token's header and claims, which
// shares the string, number and whitespace steps but keeps its own walk of objects,
// arrays and literals: it must give json.Valid's answer for nesting up to encoding/json's
// 10000 levels, where ValueEnd stops at maxDepth.

// SpaceEnd returns the offset of the first byte at or after i that is not JSON whitespace.
func SpaceEnd(d []byte, i int) int {
	for i < len(d) && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r') {
		i++
	}
	return i
}

// inString marks the bytes that may stand unescaped in a JSON string. encoding/json's
// syntax check refuses only the controls below 0x20; it does not check UTF-8 (a
// decoded string has invalid bytes replaced, and a skipped one is not decoded).
var inString = func() (t [256]bool) {
	for c := 0x20; c < 0x100; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// StringEnd returns the offset just past the JSON string starting at d[i] (a quote),
// or false if it is not a valid one.
func StringEnd(d []byte, i int) (int, bool) {
	i++
	for {
		// Eight bytes at a time while none of them ends the string or is refused, then
		// byte by byte to the one that stopped the scan.
		for i+8 <= len(d) && !stopsString(binary.LittleEndian.Uint64(d[i:])) {
			i += 8
		}
		for i < len(d) && inString[d[i]] {
			i++
		}
		if i >= len(d) {
			return 0, false // unterminated
		}
		switch d[i] {
		case '"':
			return i + 1, true
		case '\\':
			if i+1 >= len(d) {
				return 0, false
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(d) || !isHexDigit(d[i+2]) || !isHexDigit(d[i+3]) || !isHexDigit(d[i+4]) || !isHexDigit(d[i+5]) {
					return 0, false
				}
				i += 6
			default:
				return 0, false
			}
		default:
			return 0, false // a control byte
		}
	}
}

// stopsString reports whether any of the eight bytes in x is a quote, a backslash or
// below 0x20: the bytes inString refuses. Each test is the exact "has a zero byte" (or
// "has a byte below n") idiom, so it reports no false positive, and never misses one.
func stopsString(x uint64) bool {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	q := x ^ ones*'"'
	b := x ^ ones*'\\'
	return ((x-ones*0x20)&^x|(q-ones)&^q|(b-ones)&^b)&high != 0
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// NumberEnd returns the offset just past the JSON number starting at d[i] (a minus or
// a digit), or false if it is not a valid one. What follows it is checked by the
// caller, which expects a comma, a closing bracket or whitespace.
func NumberEnd(d []byte, i int) (int, bool) {
	if d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		i = skipDigits(d, i)
	default:
		return 0, false
	}
	if i < len(d) && d[i] == '.' {
		j := skipDigits(d, i+1)
		if j == i+1 {
			return 0, false
		}
		i = j
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := skipDigits(d, i)
		if j == i {
			return 0, false
		}
		i = j
	}
	return i, true
}

func skipDigits(d []byte, i int) int {
	for i < len(d) && d[i] >= '0' && d[i] <= '9' {
		i++
	}
	return i
}

// skipLiteral returns the offset just past lit if d continues with it at i.
func skipLiteral(d []byte, i int, lit string) (int, bool) {
	if len(d)-i < len(lit) || string(d[i:i+len(lit)]) != lit {
		return 0, false
	}
	return i + len(lit), true
}

// ValueEnd returns the offset just past the JSON value at d[i:] (after any
// whitespace), or false when it is not valid JSON or nests deeper than maxDepth (64 levels)
// (a Reader's caller then leaves the whole payload to encoding/json). A value is taken only
// when encoding/json's syntax check takes it too. Whatever follows the value is the
// caller's to check: a number or literal directly followed by a letter or digit is
// refused there, as it is by encoding/json.
func ValueEnd(d []byte, i int) (int, bool) {
	// objects has bit k set when the container at depth k is an object.
	var objects uint64
	depth := 0
	ok := true
	for {
		// A value.
		if i = SpaceEnd(d, i); i >= len(d) {
			return 0, false
		}
		switch c := d[i]; {
		case c == '"':
			i, ok = StringEnd(d, i)
		case c == '{' || c == '[':
			if depth == maxDepth {
				return 0, false
			}
			i = SpaceEnd(d, i+1)
			if c == '{' {
				objects |= 1 << depth
				if i < len(d) && d[i] == '}' {
					i++
					break
				}
				depth++
				if i, ok = skipKey(d, i); !ok {
					return 0, false
				}
				continue
			}
			objects &^= 1 << depth
			if i < len(d) && d[i] == ']' {
				i++
				break
			}
			depth++
			continue
		case c == '-' || c >= '0' && c <= '9':
			i, ok = NumberEnd(d, i)
		case c == 't':
			i, ok = skipLiteral(d, i, "true")
		case c == 'f':
			i, ok = skipLiteral(d, i, "false")
		case c == 'n':
			i, ok = skipLiteral(d, i, "null")
		default:
			return 0, false
		}
		if !ok {
			return 0, false
		}
		// After a value: the end of the skipped one, or what its container allows.
		for {
			if depth == 0 {
				return i, true
			}
			if i = SpaceEnd(d, i); i >= len(d) {
				return 0, false
			}
			inObject := objects>>(depth-1)&1 == 1
			switch c := d[i]; {
			case c == ',':
				i++
				if inObject {
					if i, ok = skipKey(d, i); !ok {
						return 0, false
					}
				}
			case c == '}' && inObject, c == ']' && !inObject:
				i++
				depth--
				continue
			default:
				return 0, false
			}
			break
		}
	}
}

// skipKey steps over an object member's key and its colon, from i (whitespace
// allowed first), returning the offset of what follows the colon.
func skipKey(d []byte, i int) (int, bool) {
	if i = SpaceEnd(d, i); i >= len(d) || d[i] != '"' {
		return 0, false
	}
	i, ok := StringEnd(d, i)
	if !ok {
		return 0, false
	}
	if i = SpaceEnd(d, i); i >= len(d) || d[i] != ':' {
		return 0, false
	}
	return i + 1, true
}
