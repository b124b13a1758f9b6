package authorizer

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/monban-auth/monban/internal/jsonread"
	"github.com/monban-auth/monban/internal/originverify"
)

// DecodeEvent reads an invocation payload into an Event as the Lambda runtime's
// JSON decoding would (json.Decoder.Decode: the first JSON value, case-insensitive
// field names, anything after the value ignored), but without decoding what the
// authorizer never reads: the request context, the query, and every header other
// than Authorization, Cookie and X-Monban-Origin-Verify, which are only checked to
// be well-formed JSON. Only the headers Handle reads are kept.
//
// Any payload the fast reader is not sure about (a value of an unexpected type, a
// field name under another case, deep nesting, malformed JSON, anything jsonread
// declines) is decoded by encoding/json instead, so the outcome, an error's text
// included, is the runtime's.
func DecodeEvent(payload []byte) (Event, error) {
	ev, _, err := decodeEvent(payload, false)
	return ev, err
}

// decodeEvent is DecodeEvent. lean, for Invoke, leaves out RouteArn, which Handle
// never reads, and when the fast reader reads the event, it keeps the headers in the
// returned list, which is then set, rather than in ev.Headers: a map costs two
// allocations and a hash per header, for one or two headers.
func decodeEvent(payload []byte, lean bool) (Event, headerList, error) {
	var ev Event
	if r := newEventReader(payload); r.read(&ev, lean) {
		r.list.set = lean
		return ev, r.list, nil
	}
	// Decoded into another variable: encoding/json would move ev to the heap on
	// every call, the fast reader's included.
	var slow Event
	err := json.NewDecoder(bytes.NewReader(payload)).Decode(&slow)
	return slow, headerList{}, err
}

// headerList is Event.Headers as a list, for the few headers the reader keeps:
// names are unique, as a map's keys are.
type headerList struct {
	// set is whether the list stands for Event.Headers.
	set    bool
	n      int
	names  [4]string
	values [4]string
}

// put sets the value of header name, or reports false when the list is full.
func (l *headerList) put(name, value string) bool {
	for j := range l.n {
		if l.names[j] == name {
			l.values[j] = value
			return true
		}
	}
	if l.n == len(l.names) {
		return false
	}
	l.names[l.n], l.values[l.n] = name, value
	l.n++
	return true
}

// appendValues appends the values of header name, matched case-insensitively, in the
// sorted order of the names, as headerValues does for a map.
func (l *headerList) appendValues(out []string, name string) []string {
	var idx [len(l.names)]int
	m := 0
	for j := range l.n {
		if strings.EqualFold(l.names[j], name) {
			idx[m] = j
			m++
		}
	}
	for a := 1; a < m; a++ {
		for b := a; b > 0 && l.names[idx[b]] < l.names[idx[b-1]]; b-- {
			idx[b], idx[b-1] = idx[b-1], idx[b]
		}
	}
	for _, j := range idx[:m] {
		out = append(out, l.values[j])
	}
	return out
}

// eventReader reads an authorizer event with jsonread, stepping over what it does not
// keep with jsonread's Skip and SkipString, which check only the syntax (encoding/json
// decodes any value they take without an error). Each method reports false when jsonread
// declines or the input has a shape it does not handle, and the event is then decoded by
// encoding/json from the start.
type eventReader struct {
	r jsonread.Reader
	// kept are the header values read so far: REST events carry each header
	// twice (headers and multiValueHeaders), and a token or cookie is worth
	// copying once.
	kept  [8]keptValue
	nkept int
	// lean is decodeEvent's; list holds the headers when lean is set.
	lean bool
	list headerList
}

type keptValue struct {
	token []byte // the JSON string as written, in the payload
	value string
}

func newEventReader(payload []byte) eventReader {
	return eventReader{r: jsonread.New(payload)}
}

// eventFields are the Event's JSON names, for jsonread.Unknown.
var eventFields = []string{
	"version", "type", "routeArn", "methodArn", "authorizationToken",
	"headers", "multiValueHeaders", "cookies", "httpMethod", "triggerSource",
}

// keptHeaders are the headers Handle reads.
var keptHeaders = [...][]byte{[]byte("authorization"), []byte("cookie"), []byte(originverify.Header)}

// keepHeader reports whether Handle reads the header name. It matches with
// strings.EqualFold, Unicode folding included, as bytes.EqualFold does.
func keepHeader(name []byte) bool {
	for _, h := range keptHeaders {
		// A shorter name cannot match: the non-ASCII letters that fold to ASCII ones
		// (the Kelvin sign, the long s) are longer than them.
		if len(name) >= len(h) && bytes.EqualFold(name, h) {
			return true
		}
	}
	return false
}

// read reads the event object; the object's end is the end of what the runtime
// reads.
func (er *eventReader) read(ev *Event, lean bool) bool {
	er.lean = lean
	return er.r.Object(func(key []byte) bool { return er.member(ev, key) })
}

// member reads the value of the top-level member key into ev, or skips it.
func (er *eventReader) member(ev *Event, key []byte) bool {
	var dst *string
	switch string(key) {
	case "version":
		dst = &ev.Version
	case "type":
		dst = &ev.Type
	case "routeArn":
		if er.lean {
			// Still a string or null, or the runtime's decoding fails.
			return er.r.Null() || er.r.SkipString()
		}
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
		return er.headers(ev)
	case "multiValueHeaders":
		return er.multiValueHeaders(ev)
	case "cookies":
		return er.cookies(ev)
	default:
		// A field under another case is left to encoding/json's rules.
		return jsonread.Unknown(key, eventFields) && er.r.Skip()
	}
	if er.r.Null() {
		return true // null leaves a string as it was
	}
	s, ok := er.r.String()
	if ok {
		*dst = common(s)
	}
	return ok
}

// common is string(s), without an allocation for the values every event carries
// in version and type.
func common(s []byte) string {
	switch string(s) {
	case "2.0":
		return "2.0"
	case "1.0":
		return "1.0"
	case "REQUEST":
		return "REQUEST"
	case "TOKEN":
		return "TOKEN"
	}
	return string(s)
}

// headers reads {"name": "value", …}, keeping the headers Handle reads. A
// repeated "headers" member adds to the map, as encoding/json does; null clears it.
func (er *eventReader) headers(ev *Event) bool {
	if er.r.Null() {
		ev.Headers = nil
		er.list.n = 0
		return true
	}
	if ev.Headers == nil && !er.lean {
		ev.Headers = map[string]string{}
	}
	return er.r.Object(func(name []byte) bool {
		if !keepHeader(name) {
			return er.r.SkipString()
		}
		v, ok := er.stringValue()
		if !ok {
			return false
		}
		if er.lean {
			return er.list.put(headerName(name), v)
		}
		ev.Headers[headerName(name)] = v
		return true
	})
}

// headerName is string(name), without an allocation for the usual spellings of the
// headers Handle reads: lower-cased on HTTP APIs, as sent on REST APIs.
func headerName(name []byte) string {
	switch string(name) {
	case "authorization":
		return "authorization"
	case "cookie":
		return "cookie"
	case "x-monban-origin-verify":
		return "x-monban-origin-verify"
	case "Authorization":
		return "Authorization"
	case "Cookie":
		return "Cookie"
	case originverify.Header:
		return originverify.Header
	}
	return string(name)
}

// multiValueHeaders reads {"name": ["value", …], …} as headers does.
func (er *eventReader) multiValueHeaders(ev *Event) bool {
	if er.r.Null() {
		ev.MultiValueHeaders = nil
		return true
	}
	if ev.MultiValueHeaders == nil {
		ev.MultiValueHeaders = map[string][]string{}
	}
	return er.r.Object(func(name []byte) bool {
		keep := keepHeader(name)
		values, ok := er.strings(keep)
		if ok && keep {
			ev.MultiValueHeaders[headerName(name)] = values
		}
		return ok
	})
}

// cookies reads ["a=1", …]; a repeated member replaces the list, as in
// encoding/json.
func (er *eventReader) cookies(ev *Event) bool {
	if er.r.Null() {
		ev.Cookies = nil
		return true
	}
	values, ok := er.strings(true)
	ev.Cookies = values
	return ok
}

// strings reads an array of strings, returning them when keep is set: an empty
// array as an empty, non-nil slice, as encoding/json decodes it.
func (er *eventReader) strings(keep bool) ([]string, bool) {
	var out []string
	ok := er.r.Array(func() bool {
		if !keep {
			return er.r.SkipString()
		}
		s, ok := er.stringValue()
		if out == nil {
			// Room for the few cookies or header values a request carries, in one
			// allocation.
			out = make([]string, 0, 4)
		}
		out = append(out, s)
		return ok
	})
	if keep && out == nil {
		out = []string{}
	}
	return out, ok
}

// stringValue reads a string and returns its value, the same string as an
// earlier value written the same.
func (er *eventReader) stringValue() (string, bool) {
	s, token, ok := er.r.StringToken()
	if !ok {
		return "", false
	}
	for _, k := range er.kept[:er.nkept] {
		if bytes.Equal(k.token, token) {
			return k.value, true
		}
	}
	v := string(s)
	if er.nkept < len(er.kept) {
		er.kept[er.nkept] = keptValue{token, v}
		er.nkept++
	}
	return v, true
}
