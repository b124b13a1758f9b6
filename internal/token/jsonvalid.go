package token

import (
	"bytes"

	"github.com/monban-auth/monban/internal/jsonread"
)

// maxNesting is encoding/json's limit on nested arrays and objects: a document nesting
// deeper is not valid to json.Valid, so it is not to the validator either.
const maxNesting = 10000

// span is where one member of a document's top-level object is: its key's string token
// at data[key:keyEnd], its value at data[val:valEnd]. Offsets rather than slices, so that
// finding them never makes the document escape to the heap: a token is parsed on the stack.
type span struct{ key, keyEnd, val, valEnd int }

// objectMembers reports whether data is valid to json.Valid and an object, and returns
// the spans of the object's members, in order, duplicates included. The spans are written
// into dst's capacity from index 0 (dst's length and contents are ignored: callers pass
// room[:0] of an array on their stack); an object with more members than that capacity
// gets a slice of its own. Validating and finding the members is one pass over the
// document, not two; only an object that overflows dst is read twice.
//
// The validator gives exactly json.Valid's answer for every input (invalid UTF-8 inside
// strings is accepted, as json.Valid accepts it), several times faster: a token's claims
// are checked on every uncached verification, and json.Valid's byte-by-byte state
// machine cost more than the rest of reading them.
func objectMembers(data []byte, dst []span) ([]span, bool) {
	v := validator{data: data, spans: dst[:cap(dst)]}
	if !v.document() || data[jsonread.SpaceEnd(data, 0)] != '{' {
		return nil, false
	}
	if v.members > cap(dst) {
		// More members than dst has room for: validate again with room for all of them.
		v = validator{data: data, spans: make([]span, v.members)}
		v.document()
	}
	return v.spans[:v.members], true
}

type validator struct {
	data []byte
	pos  int
	// spans receives the spans of the top-level object's members, as many as it holds;
	// members counts them all.
	spans   []span
	members int
}

func (v *validator) document() bool {
	v.space()
	if !v.value(0) {
		return false
	}
	v.space()
	return v.pos == len(v.data)
}

func (v *validator) value(depth int) bool {
	if v.pos >= len(v.data) {
		return false
	}
	switch v.data[v.pos] {
	case '"':
		return v.str()
	case '{':
		return v.object(depth + 1)
	case '[':
		return v.array(depth + 1)
	case 't':
		return v.literal("true")
	case 'f':
		return v.literal("false")
	case 'n':
		return v.literal("null")
	default:
		return v.number()
	}
}

func (v *validator) object(depth int) bool {
	if depth > maxNesting {
		return false
	}
	v.pos++ // {
	v.space()
	if v.consume('}') {
		return true
	}
	for {
		key := v.pos
		if v.pos >= len(v.data) || v.data[v.pos] != '"' || !v.str() {
			return false
		}
		keyEnd := v.pos
		v.space()
		if !v.consume(':') {
			return false
		}
		v.space()
		val := v.pos
		if !v.value(depth) {
			return false
		}
		if depth == 1 {
			if v.members < len(v.spans) {
				v.spans[v.members] = span{key, keyEnd, val, v.pos}
			}
			v.members++
		}
		v.space()
		if v.consume('}') {
			return true
		}
		if !v.consume(',') {
			return false
		}
		v.space()
	}
}

func (v *validator) array(depth int) bool {
	if depth > maxNesting {
		return false
	}
	v.pos++ // [
	v.space()
	if v.consume(']') {
		return true
	}
	for {
		if !v.value(depth) {
			return false
		}
		v.space()
		if v.consume(']') {
			return true
		}
		if !v.consume(',') {
			return false
		}
		v.space()
	}
}

// str steps over the string at the cursor: no control characters, and only the
// escapes JSON defines. On failure the cursor is left wherever StringEnd stopped, which
// nothing reads: a failed step fails the whole document. Written so that it inlines.
func (v *validator) str() (ok bool) {
	v.pos, ok = jsonread.StringEnd(v.data, v.pos)
	return ok
}

// number steps over the number at the cursor, which value has checked is inside data.
// As for str, the cursor after a failure is not read.
func (v *validator) number() (ok bool) {
	v.pos, ok = jsonread.NumberEnd(v.data, v.pos)
	return ok
}

func (v *validator) literal(word string) bool {
	if !bytes.HasPrefix(v.data[v.pos:], []byte(word)) {
		return false
	}
	v.pos += len(word)
	return true
}

func (v *validator) space() { v.pos = jsonread.SpaceEnd(v.data, v.pos) }

func (v *validator) consume(c byte) bool {
	if v.pos < len(v.data) && v.data[v.pos] == c {
		v.pos++
		return true
	}
	return false
}
