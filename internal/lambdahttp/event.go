package lambdahttp

import (
	"net/textproto"
	"sync"

	"github.com/monban-auth/monban/internal/jsonread"
)

// Every request to the function is an event to decode, so the usual one (an HTTP API
// request without an authorizer's or a client certificate's details) is decoded here,
// without encoding/json's reflection and into only what serving it reads (wireEvent).
// decodeEvent accepts exactly the events json.Unmarshal decodes into the payload 2.0 type
// (every field of it type-checked, read or not) and reads them as it would, or declines;
// Invoke then runs json.Unmarshal, which decodes the rest or reports what it always did.

// wireEvent is what serving a payload 2.0 event reads of it. Its strings share one copy of
// the event.
type wireEvent struct {
	version, typ                       string
	rawPath, rawQueryString, body      string
	isBase64Encoded                    bool
	method, path, sourceIP, domainName string // requestContext's
	cookies                            []string
	// headers holds each header's name, as textproto canonicalizes it, and value, in the
	// order of the event.
	headers []string
	query   map[string]string // queryStringParameters
}

// wires holds events to decode into, so that the room their headers and cookies take is
// made once rather than per request.
var wires = sync.Pool{New: func() any {
	return &wireEvent{headers: make([]string, 0, 32), cookies: make([]string, 0, 4)}
}}

// release empties ev, keeping its room but none of its strings (which would keep the
// event's copy alive), and gives it back to wires.
func (ev *wireEvent) release() {
	headers, cookies := ev.headers[:0], ev.cookies[:0]
	clear(ev.headers)
	clear(ev.cookies)
	*ev = wireEvent{headers: headers, cookies: cookies}
	wires.Put(ev)
}

// JSON names of the fields of the payload 2.0 type, for jsonread.Unknown.
var (
	eventNames = []string{"version", "routeKey", "rawPath", "rawQueryString", "cookies", "headers",
		"queryStringParameters", "pathParameters", "requestContext", "stageVariables", "body", "isBase64Encoded", "type"}
	contextNames = []string{"routeKey", "accountId", "stage", "requestId", "authorizer", "apiId", "domainName",
		"domainPrefix", "time", "timeEpoch", "http", "authentication"}
	httpNames = []string{"method", "path", "protocol", "sourceIp", "userAgent"}
)

// commonNames maps the header names browsers and API Gateway send, in the lower case API
// Gateway writes them, to their canonical form, to save canonicalizing (and a copy) per
// request; any other name goes through textproto.CanonicalMIMEHeaderKey.
var commonNames = func() map[string]string {
	m := map[string]string{}
	for _, n := range []string{"accept", "accept-encoding", "accept-language", "authorization",
		"cache-control", "content-length", "content-type", "cookie", "host", "if-none-match",
		"origin", "pragma", "priority", "referer", "sec-ch-ua", "sec-ch-ua-mobile",
		"sec-ch-ua-platform", "sec-fetch-dest", "sec-fetch-mode", "sec-fetch-site",
		"sec-fetch-user", "user-agent", "x-amzn-trace-id", "x-forwarded-for",
		"x-forwarded-port", "x-forwarded-proto", "x-origin-verify"} {
		m[n] = textproto.CanonicalMIMEHeaderKey(n)
	}
	return m
}()

// fields records the members of one object seen so far: a duplicate, which encoding/json
// would merge and API Gateway never sends, is declined.
type fields uint32

// first marks member bit seen and reports whether it was not before.
func (f *fields) first(bit int) bool {
	dup := *f&(1<<bit) != 0
	*f |= 1 << bit
	return !dup
}

// decodeEvent decodes payload into ev, which must be empty (its slices may have room), or
// reports false.
func decodeEvent(payload []byte, ev *wireEvent) bool {
	r := jsonread.New(payload)
	// One copy of the event holds every string without escapes.
	all := string(payload)
	var top, rc, h fields
	// text reads a string, null as "" (what it leaves in an empty event).
	text := func() (string, bool) {
		if r.Null() {
			return "", true
		}
		s, tok, ok := r.StringToken()
		if !ok {
			return "", false
		}
		if len(tok) == len(s)+2 {
			end := r.Pos() - 1
			return all[end-len(s) : end], true
		}
		return string(s), true
	}
	str := func(dst *string) bool {
		s, ok := text()
		*dst = s
		return ok
	}
	// check reads a string that serving does not use.
	check := func() bool {
		if r.Null() {
			return true
		}
		_, ok := r.String()
		return ok
	}
	checkMap := func() bool {
		return r.Null() || r.StringMap(func(k, v []byte) {})
	}
	boolean := func(dst *bool) bool {
		if r.Null() {
			return true
		}
		v, ok := r.Bool()
		*dst = v
		return ok
	}
	// headers reads one header. The names are compared as sent: in a map the last of a
	// repeated name would win, which is left to encoding/json.
	var seenNames [16][]byte
	seen := seenNames[:0]
	header := func(name []byte) bool {
		for _, n := range seen {
			if string(n) == string(name) {
				return false
			}
		}
		seen = append(seen, name)
		canonical, common := commonNames[string(name)]
		if !common {
			canonical = textproto.CanonicalMIMEHeaderKey(string(name))
		}
		if r.Null() {
			return false // "" in a map: no writer sends it, so left to encoding/json
		}
		value, ok := text()
		ev.headers = append(ev.headers, canonical, value)
		return ok
	}
	httpDesc := func(key []byte) bool {
		switch string(key) {
		case "method":
			return h.first(0) && str(&ev.method)
		case "path":
			return h.first(1) && str(&ev.path)
		case "protocol":
			return h.first(2) && check()
		case "sourceIp":
			return h.first(3) && str(&ev.sourceIP)
		case "userAgent":
			return h.first(4) && check()
		}
		return jsonread.Unknown(key, httpNames) && r.Skip()
	}
	reqContext := func(key []byte) bool {
		switch string(key) {
		case "routeKey":
			return rc.first(0) && check()
		case "accountId":
			return rc.first(1) && check()
		case "stage":
			return rc.first(2) && check()
		case "requestId":
			return rc.first(3) && check()
		case "apiId":
			return rc.first(4) && check()
		case "domainName":
			return rc.first(5) && str(&ev.domainName)
		case "domainPrefix":
			return rc.first(6) && check()
		case "time":
			return rc.first(7) && check()
		case "timeEpoch":
			if !rc.first(8) {
				return false
			}
			_, ok := r.Int64()
			return ok || r.Null()
		case "http":
			return rc.first(9) && (r.Null() || r.Object(httpDesc))
		case "authorizer", "authentication":
			// An authorizer's or a client certificate's details: left to encoding/json.
			return r.Null()
		}
		return jsonread.Unknown(key, contextNames) && r.Skip()
	}
	ok := r.Object(func(key []byte) bool {
		switch string(key) {
		case "version":
			return top.first(0) && str(&ev.version)
		case "routeKey":
			return top.first(1) && check()
		case "rawPath":
			return top.first(2) && str(&ev.rawPath)
		case "rawQueryString":
			return top.first(3) && str(&ev.rawQueryString)
		case "cookies":
			if !top.first(4) {
				return false
			}
			if r.Null() {
				return true
			}
			ev.cookies = ev.cookies[:0]
			return r.Array(func() bool {
				if r.Null() {
					return false // "" from encoding/json; no writer sends it
				}
				c, ok := text()
				ev.cookies = append(ev.cookies, c)
				return ok
			})
		case "headers":
			if !top.first(5) {
				return false
			}
			ev.headers = ev.headers[:0]
			return r.Null() || r.Object(header)
		case "queryStringParameters":
			if !top.first(6) {
				return false
			}
			if r.Null() {
				return true
			}
			ev.query = map[string]string{}
			return r.StringMap(func(k, v []byte) { ev.query[string(k)] = string(v) })
		case "pathParameters":
			return top.first(7) && checkMap()
		case "requestContext":
			return top.first(8) && (r.Null() || r.Object(reqContext))
		case "stageVariables":
			return top.first(9) && checkMap()
		case "body":
			return top.first(10) && str(&ev.body)
		case "isBase64Encoded":
			return top.first(11) && boolean(&ev.isBase64Encoded)
		case "type":
			return top.first(12) && str(&ev.typ)
		}
		return jsonread.Unknown(key, eventNames) && r.Skip()
	})
	return ok && r.End()
}
