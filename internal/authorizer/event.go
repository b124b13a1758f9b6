package authorizer

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/monban-auth/monban/internal/originverify"
)

// DecodeEvent reads an invocation payload into an Event as the Lambda runtime's
// JSON decoding would (json.Decoder.Decode: the first JSON value, case-insensitive
// field names, anything after the value ignored), but without decoding what the
// authorizer never reads: the request context, the query, and every header other
// than Authorization, Cookie and X-Monban-Origin-Verify, which are only checked to
// be well-formed JSON. Only the headers Handle reads are kept.
//
// Any payload the fast reader is not sure about (a value of an unexpected type, an
// escaped or non-ASCII field name, deep nesting, malformed JSON) is decoded by
// encoding/json instead, so the outcome, an error's text included, is the runtime's.
func DecodeEvent(payload []byte) (Event, error) {
	var ev Event
	if r := (eventReader{data: payload}); r.read(&ev) {
		return ev, nil
	}
	ev = Event{}
	err := json.NewDecoder(bytes.NewReader(payload)).Decode(&ev)
	return ev, err
}

// maxSkipDepth bounds the nesting the fast reader follows in values it skips;
// deeper input is left to encoding/json, which has its own limit.
const maxSkipDepth = 64

// eventReader is a one-pass reader of an authorizer event. Each method reports
// false when the input is malformed or outside what it handles, and the event is
// then decoded by encoding/json from the start.
type eventReader struct {
	data []byte
	pos  int
	// kept are the header values read so far: REST events carry each header
	// twice (headers and multiValueHeaders), and a token or cookie is worth
	// copying once.
	kept  [8]keptValue
	nkept int
}

type keptValue struct {
	raw   []byte // the JSON string, in data
	value string
}

// eventFields are the Event's JSON names. encoding/json also matches a name that
// differs only in case, which the reader leaves to it.
var eventFields = [...][]byte{
	[]byte("version"), []byte("type"), []byte("routeArn"), []byte("methodArn"), []byte("authorizationToken"),
	[]byte("headers"), []byte("multiValueHeaders"), []byte("cookies"), []byte("httpMethod"), []byte("triggerSource"),
}

// keptHeaders are the headers Handle reads. request matches them with
// strings.EqualFold; for the ASCII names the reader compares, bytes.EqualFold is
// the same test, without making a string of every name.
var keptHeaders = [...][]byte{[]byte("authorization"), []byte("cookie"), []byte(originverify.Header)}

// keepHeaderName is keepHeader for a decoded name, which may hold any character.
func keepHeaderName(name string) bool {
	for _, h := range keptHeaders {
		if strings.EqualFold(name, string(h)) {
			return true
		}
	}
	return false
}

func keepHeader(name []byte) bool {
	for _, h := range keptHeaders {
		if len(name) == len(h) && bytes.EqualFold(name, h) {
			return true
		}
	}
	return false
}

func (r *eventReader) read(ev *Event) bool {
	r.space()
	if !r.consume('{') {
		return false // not an object: encoding/json says what it is
	}
	r.space()
	if r.consume('}') {
		return true
	}
	for {
		r.space()
		key, ok := r.plainKey()
		if !ok {
			return false
		}
		r.space()
		if !r.consume(':') {
			return false
		}
		r.space()
		if !r.member(ev, key) {
			return false
		}
		r.space()
		if r.consume(',') {
			continue
		}
		// The object's end is the end of what the runtime reads.
		return r.consume('}')
	}
}

// member reads the value of the top-level member key into ev, or skips it.
func (r *eventReader) member(ev *Event, key []byte) bool {
	var dst *string
	switch string(key) {
	case "version":
		dst = &ev.Version
	case "type":
		dst = &ev.Type
	case "routeArn":
		dst = &ev.RouteArn
	case "methodArn":
		dst = &ev.MethodArn
	case "authorizationToken":
		dst = &ev.AuthorizationToken
	case "httpMethod":
		dst = &ev.HTTPMethod
	case "triggerSource":
		dst = &ev.TriggerSource
	case "headers":
		return r.headers(ev)
	case "multiValueHeaders":
		return r.multiValueHeaders(ev)
	case "cookies":
		return r.cookies(ev)
	default:
		for _, f := range eventFields {
			// Plain names fold to names of the same length.
			if len(f) == len(key) && bytes.EqualFold(f, key) {
				return false // a field under another case: encoding/json's rules decide
			}
		}
		return r.skip(0)
	}
	if r.null() {
		return true // null leaves a string as it was
	}
	raw, ok := r.rawString()
	if !ok {
		return false
	}
	*dst, ok = unquoteCommon(raw)
	return ok
}

// unquoteCommon is unquote, without an allocation for the values every event
// carries in version and type.
func unquoteCommon(raw []byte) (string, bool) {
	switch string(raw) {
	case `"2.0"`:
		return "2.0", true
	case `"1.0"`:
		return "1.0", true
	case `"REQUEST"`:
		return "REQUEST", true
	case `"TOKEN"`:
		return "TOKEN", true
	}
	return unquote(raw)
}

// headers reads {"name": "value", …}, keeping the headers Handle reads. A
// repeated "headers" member adds to the map, as encoding/json does; null clears it.
func (r *eventReader) headers(ev *Event) bool {
	if r.null() {
		ev.Headers = nil
		return true
	}
	if ev.Headers == nil {
		ev.Headers = map[string]string{}
	}
	return r.object(func(name string, keep bool) bool {
		if !keep {
			return r.skipString()
		}
		v, ok := r.stringValue()
		ev.Headers[name] = v
		return ok
	})
}

// multiValueHeaders reads {"name": ["value", …], …} as headers does.
func (r *eventReader) multiValueHeaders(ev *Event) bool {
	if r.null() {
		ev.MultiValueHeaders = nil
		return true
	}
	if ev.MultiValueHeaders == nil {
		ev.MultiValueHeaders = map[string][]string{}
	}
	return r.object(func(name string, keep bool) bool {
		values, ok := r.strings(keep)
		if keep {
			ev.MultiValueHeaders[name] = values
		}
		return ok
	})
}

// cookies reads ["a=1", …]; a repeated member replaces the list, as in
// encoding/json.
func (r *eventReader) cookies(ev *Event) bool {
	if r.null() {
		ev.Cookies = nil
		return true
	}
	values, ok := r.strings(true)
	if values == nil {
		values = []string{}
	}
	ev.Cookies = values
	return ok
}

// object reads an object whose names are header names, calling value for each
// member with the decoded name when it is a kept header.
func (r *eventReader) object(value func(name string, keep bool) bool) bool {
	if !r.consume('{') {
		return false
	}
	r.space()
	if r.consume('}') {
		return true
	}
	for {
		r.space()
		raw, ok := r.rawString()
		if !ok {
			return false
		}
		// Most names are plain ASCII and not kept: only a possible match is decoded.
		name, keep := "", false
		if plain(raw) {
			if keep = keepHeader(raw[1 : len(raw)-1]); keep {
				name = string(raw[1 : len(raw)-1])
			}
		} else {
			if name, ok = unquote(raw); !ok {
				return false
			}
			keep = keepHeaderName(name)
		}
		r.space()
		if !r.consume(':') {
			return false
		}
		r.space()
		if !value(name, keep) {
			return false
		}
		r.space()
		if r.consume(',') {
			continue
		}
		return r.consume('}')
	}
}

// strings reads an array of strings, decoding them when keep is set.
func (r *eventReader) strings(keep bool) ([]string, bool) {
	if !r.consume('[') {
		return nil, false
	}
	r.space()
	var out []string
	if r.consume(']') {
		if keep {
			out = []string{}
		}
		return out, true
	}
	for {
		r.space()
		if keep {
			s, ok := r.stringValue()
			if !ok {
				return nil, false
			}
			out = append(out, s)
		} else if !r.skipString() {
			return nil, false
		}
		r.space()
		if r.consume(',') {
			continue
		}
		return out, r.consume(']')
	}
}

// plainKey returns a member name without escapes or non-ASCII bytes; any other
// name is left to encoding/json, whose matching of such names is its own.
func (r *eventReader) plainKey() ([]byte, bool) {
	raw, ok := r.rawString()
	if !ok || !plain(raw) {
		return nil, false
	}
	return raw[1 : len(raw)-1], true
}

// stringValue reads a JSON string and returns its value, the same string as
// an earlier value spelled the same.
func (r *eventReader) stringValue() (string, bool) {
	raw, ok := r.rawString()
	if !ok {
		return "", false
	}
	for _, k := range r.kept[:r.nkept] {
		if bytes.Equal(k.raw, raw) {
			return k.value, true
		}
	}
	v, ok := unquote(raw)
	if ok && r.nkept < len(r.kept) {
		r.kept[r.nkept] = keptValue{raw, v}
		r.nkept++
	}
	return v, ok
}

func (r *eventReader) skipString() bool {
	_, ok := r.rawString()
	return ok
}

// rawString returns the JSON string at the cursor, quotes included, checked as
// encoding/json's scanner checks it: no control characters, valid escapes.
func (r *eventReader) rawString() ([]byte, bool) {
	d, start := r.data, r.pos
	if start >= len(d) || d[start] != '"' {
		return nil, false
	}
	for i := start + 1; i < len(d); i++ {
		// Eight bytes at a time while none ends the run, then byte by byte.
		for i+8 <= len(d) && !special(binary.LittleEndian.Uint64(d[i:])) {
			i += 8
		}
		for i < len(d) && plainStringByte[d[i]] {
			i++
		}
		if i >= len(d) {
			break
		}
		switch c := d[i]; {
		case c == '"':
			r.pos = i + 1
			return d[start : i+1], true
		case c == '\\':
			i++
			if i >= len(d) {
				return nil, false
			}
			switch d[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(d) || !isHex(d[i+1]) || !isHex(d[i+2]) || !isHex(d[i+3]) || !isHex(d[i+4]) {
					return nil, false
				}
				i += 4
			default:
				return nil, false
			}
		default: // a control character
			return nil, false
		}
	}
	return nil, false
}

// special reports whether any of the eight bytes of x is a quote, a backslash
// or a control character (the standard tests for a zero byte and for a byte
// below a bound, on the whole word at once).
func special(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q, bs := x^(ones*'"'), x^(ones*'\\')
	return ((x-ones*0x20)&^x|(q-ones)&^q|(bs-ones)&^bs)&highs != 0
}

// plainStringByte marks the bytes that stand for themselves inside a JSON
// string: all but the quote, the backslash and control characters.
var plainStringByte = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// plain reports whether a raw JSON string has no escapes and only ASCII, so
// that its value is the bytes between the quotes.
func plain(raw []byte) bool {
	for _, c := range raw[1 : len(raw)-1] {
		if c == '\\' || c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// unquote returns the value of a raw JSON string exactly as encoding/json
// decodes it (escapes, surrogate pairs, invalid UTF-8 replaced), doing that work
// itself only when there is none.
func unquote(raw []byte) (string, bool) {
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner), true
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// skip steps over one JSON value of any kind, checking it as encoding/json's
// scanner would.
func (r *eventReader) skip(depth int) bool {
	d := r.data
	if r.pos >= len(d) {
		return false
	}
	switch d[r.pos] {
	case '"':
		return r.skipString()
	case '{', '[':
		if depth >= maxSkipDepth {
			return false
		}
		open := d[r.pos]
		closer := byte('}')
		if open == '[' {
			closer = ']'
		}
		r.pos++
		r.space()
		if r.consume(closer) {
			return true
		}
		for {
			r.space()
			if open == '{' {
				if !r.skipString() {
					return false
				}
				r.space()
				if !r.consume(':') {
					return false
				}
				r.space()
			}
			if !r.skip(depth + 1) {
				return false
			}
			r.space()
			if r.consume(',') {
				continue
			}
			return r.consume(closer)
		}
	case 't':
		return r.literal("true")
	case 'f':
		return r.literal("false")
	case 'n':
		return r.literal("null")
	default:
		return r.number()
	}
}

// null consumes a null literal if one is at the cursor.
func (r *eventReader) null() bool {
	return r.literal("null")
}

func (r *eventReader) literal(word string) bool {
	if !bytes.HasPrefix(r.data[r.pos:], []byte(word)) {
		return false
	}
	r.pos += len(word)
	return true
}

// number steps over a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (r *eventReader) number() bool {
	d, i := r.data, r.pos
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && '1' <= d[i] && d[i] <= '9':
		i = digits(d, i)
	default:
		return false
	}
	if i < len(d) && d[i] == '.' {
		j := digits(d, i+1)
		if j == i+1 {
			return false
		}
		i = j
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := digits(d, i)
		if j == i {
			return false
		}
		i = j
	}
	r.pos = i
	return true
}

func digits(d []byte, i int) int {
	for i < len(d) && '0' <= d[i] && d[i] <= '9' {
		i++
	}
	return i
}

func (r *eventReader) space() {
	d, i := r.data, r.pos
	for i < len(d) && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r') {
		i++
	}
	r.pos = i
}

func (r *eventReader) consume(c byte) bool {
	if r.pos < len(r.data) && r.data[r.pos] == c {
		r.pos++
		return true
	}
	return false
}
