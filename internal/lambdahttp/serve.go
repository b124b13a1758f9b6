package lambdahttp

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/monban-auth/monban/internal/jsonwrite"
)

// serve answers a payload 2.0 event with h's response, encoded, as aws-lambda-go-api-proxy's
// httpadapter.NewV2(h).ProxyWithContext and the runtime do (the same request, the same response, the same
// errors), without the maps and copies it makes on the way. The adapter stays for events
// with an authorizer's details (see Invoke), so that handlers reading those through its
// core.GetAPIGatewayV2ContextFromContext keep finding them; TestServeIsTheAdapter holds the
// two to the same answers.
func serve(ctx context.Context, h http.Handler, ev *wireEvent) ([]byte, error) {
	// The errors are the adapter's, in its words.
	req, err := newRequest(ctx, ev)
	if err != nil {
		return nil, fmt.Errorf("Could not convert proxy event to request: %v", err)
	}
	w := writers.Get().(*responseWriter)
	defer w.release()
	h.ServeHTTP(w, req)
	if w.status == noStatus {
		return nil, errors.New("Error while generating proxy response: Status code not set on response")
	}
	return w.appendJSON(make([]byte, 0, w.jsonSize())), nil
}

// customHost is the variable the adapter reads, on every request, for a scheme and host
// that replace "https://" and the event's domain name.
const customHost = "GO_API_HOST"

// singleValue reports whether the adapter passes the value of the header named name
// whole; it splits every other one at its commas.
func singleValue(name string) bool {
	switch name {
	case "Content-Type", "Content-Disposition", "Content-Length", "User-Agent", "Referer", "Host",
		"Authorization", "Proxy-Authorization", "If-Modified-Since", "If-Unmodified-Since", "From",
		"Location", "Max-Forwards":
		return true
	}
	return false
}

// newRequest makes the http.Request the adapter makes of ev.
func newRequest(ctx context.Context, ev *wireEvent) (*http.Request, error) {
	body := []byte(ev.body)
	if ev.isBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(ev.body); err != nil {
			return nil, err
		}
	}
	path := ev.rawPath
	if path == "" {
		path = ev.path
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	// The adapter's body is a *bytes.Reader, which NewRequestWithContext turns, when it is
	// empty, into NoBody and a GetBody returning NoBody: set here without making a reader.
	var reader io.Reader
	if len(body) > 0 {
		reader = bytes.NewReader(body)
	}
	method := strings.ToUpper(ev.method)
	server, custom := os.LookupEnv(customHost)
	var req *http.Request
	if !custom && ev.rawQueryString == "" && len(ev.query) == 0 && plainHost(ev.domainName) && plainPath(path) {
		// The usual request: url.Parse would give "https://"+domainName+path back in
		// these three parts, none with anything to unescape, so they are set in the URL
		// NewRequestWithContext parses from "" (which it cannot fail to) instead. Its
		// errors, for the method, come first either way.
		var err error
		if req, err = http.NewRequestWithContext(ctx, method, "", reader); err != nil {
			return nil, err
		}
		*req.URL = url.URL{Scheme: "https", Host: ev.domainName, Path: path}
		req.Host = ev.domainName
	} else {
		if !custom {
			server = "https://" + ev.domainName
		}
		target := server + path
		if ev.rawQueryString != "" {
			target += "?" + ev.rawQueryString
		} else if len(ev.query) > 0 {
			q := url.Values{}
			for k, v := range ev.query {
				q.Add(k, v)
			}
			target += "?" + q.Encode()
		}
		var err error
		if req, err = http.NewRequestWithContext(ctx, method, target, reader); err != nil {
			return nil, err
		}
	}
	if reader == nil {
		req.Body, req.GetBody = http.NoBody, noBody
	}
	req.RemoteAddr = ev.sourceIP
	// The adapter adds every value with Header.Add; here they share one backing array, each
	// name's values a slice of it (capped, so that a name seen twice appends elsewhere).
	n := len(ev.cookies)
	for i := 1; i < len(ev.headers); i += 2 {
		n += strings.Count(ev.headers[i], ",") + 1
	}
	values := make([]string, 0, n)
	req.Header = make(http.Header, len(ev.headers)/2+1)
	// add adds values[from:], the values of name.
	add := func(name string, from int) {
		vs := values[from:len(values):len(values)]
		if old, ok := req.Header[name]; ok {
			vs = append(old, vs...)
		}
		req.Header[name] = vs
	}
	if len(ev.cookies) > 0 {
		values = append(values, ev.cookies...)
		add("Cookie", 0)
	}
	for i := 0; i < len(ev.headers); i += 2 {
		name, v := ev.headers[i], ev.headers[i+1]
		from := len(values)
		if singleValue(name) {
			values = append(values, v)
		} else {
			for {
				part, rest, more := strings.Cut(v, ",")
				values = append(values, strings.Trim(part, " "))
				if !more {
					break
				}
				v = rest
			}
		}
		add(name, from)
	}
	req.RequestURI = req.URL.RequestURI()
	return req, nil
}

// plainHost reports whether host is a name url.Parse keeps as it is in an https URL, with
// no port: letters, digits, dots and hyphens.
func plainHost(host string) bool {
	if host == "" {
		return false
	}
	for i := 0; i < len(host); i++ {
		if c := host[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// plainPath reports whether url.Parse keeps path, one starting with a slash, as it is in
// URL.Path, with no RawPath: it has only slashes and the characters never escaped.
func plainPath(path string) bool {
	for i := 0; i < len(path); i++ {
		if c := path[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '/' || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return true
}

// noBody is the GetBody of a request without a body.
func noBody() (io.ReadCloser, error) { return http.NoBody, nil }

// noStatus is the status of a response nothing has been written to.
const noStatus = -1

// responseWriter collects a response as the adapter's ProxyResponseWriterV2 does: the last
// WriteHeader wins, a Write without one means 200, and a Write without a Content-Type sets
// the sniffed one.
type responseWriter struct {
	header http.Header
	body   bytes.Buffer
	status int
}

// writers holds response writers, each with the map and the buffer one request used, for
// the next: a ResponseWriter is not used once ServeHTTP has returned.
var writers = sync.Pool{New: func() any { return &responseWriter{header: http.Header{}, status: noStatus} }}

// maxKeptBody bounds the body buffer a writer keeps for the next request.
const maxKeptBody = 64 << 10

// release empties w and gives it back to writers.
func (w *responseWriter) release() {
	if w.body.Cap() > maxKeptBody {
		return
	}
	clear(w.header)
	w.body.Reset()
	w.status = noStatus
	writers.Put(w)
}

func (w *responseWriter) Header() http.Header { return w.header }

func (w *responseWriter) WriteHeader(status int) { w.status = status }

func (w *responseWriter) Write(b []byte) (int, error) {
	if w.status == noStatus {
		w.status = http.StatusOK
	}
	if w.header.Get("Content-Type") == "" {
		w.header.Add("Content-Type", http.DetectContentType(b))
	}
	return w.body.Write(b)
}

// jsonSize is room enough, most often, for the collected response as appendJSON writes it:
// the headers' names and values, the body with an escape for one byte in eight, and the
// rest.
func (w *responseWriter) jsonSize() int {
	n := 128 + w.body.Len() + w.body.Len()/8
	for k, vs := range w.header {
		n += len(k) + 4
		for _, v := range vs {
			n += len(v) + 3
		}
	}
	return n
}

// appendJSON appends the collected response as the runtime encodes the adapter's
// (appendResponse does the same from the adapter's type): Set-Cookie lines in cookies, every
// other header's values joined with commas, a body that is not UTF-8 in base64.
func (w *responseWriter) appendJSON(b []byte) []byte {
	b = append(b, `{"statusCode":`...)
	b = strconv.AppendInt(b, int64(w.status), 10)
	// The names sorted, as encoding/json writes a map's keys.
	var space [16]string
	names := space[:0]
	for k := range w.header {
		names = append(names, k)
	}
	slices.Sort(names)
	b = append(b, `,"headers":{`...)
	first := true
	for _, k := range names {
		if strings.EqualFold(k, "Set-Cookie") {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = jsonwrite.String(b, k, false)
		b = append(b, ':', '"')
		// The values joined with commas: a comma is never escaped and ends any UTF-8
		// sequence, so escaping each value is escaping the whole.
		for i, v := range w.header[k] {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonwrite.StringBody(b, v, false)
		}
		b = append(b, '"')
	}
	b = append(b, `},"multiValueHeaders":null,"body":`...)
	if body := w.body.Bytes(); utf8.Valid(body) {
		b = jsonwrite.String(b, body, false)
	} else {
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, body)
		b = append(b, `","isBase64Encoded":true`...)
	}
	b = append(b, `,"cookies":[`...)
	first = true
	for _, k := range names {
		if !strings.EqualFold(k, "Set-Cookie") {
			continue
		}
		for _, v := range w.header[k] {
			if !first {
				b = append(b, ',')
			}
			first = false
			b = jsonwrite.String(b, v, false)
		}
	}
	return append(b, ']', '}')
}
