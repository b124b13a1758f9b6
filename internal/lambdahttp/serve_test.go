package lambdahttp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/monban-auth/monban/internal/lambdasamples"
)

// sessionEvent is a signed-in browser's GET /auth/session as API Gateway sends it.
const sessionEvent = `{"version":"2.0","routeKey":"ANY /auth/{proxy+}","rawPath":"/auth/session","rawQueryString":"",` +
	`"cookies":["__Host-monban-session=eyJhbGciOiJkaXIi.x.y","theme=dark"],` +
	`"headers":{"accept":"application/json","accept-encoding":"gzip, deflate, br","host":"www.example.com",` +
	`"sec-fetch-mode":"cors","sec-fetch-site":"same-origin","user-agent":"Mozilla/5.0 (X11; Linux x86_64)",` +
	`"x-amzn-trace-id":"Root=1-6741a1b2-0a1b2c3d4e5f60718293a4b5","x-forwarded-for":"203.0.113.10, 198.51.100.7",` +
	`"x-forwarded-port":"443","x-forwarded-proto":"https"},` +
	`"requestContext":{"accountId":"123456789012","apiId":"a1b2c3d4e5","domainName":"www.example.com","domainPrefix":"www",` +
	`"http":{"method":"GET","path":"/auth/session","protocol":"HTTP/1.1","sourceIp":"203.0.113.10","userAgent":"Mozilla/5.0 (X11; Linux x86_64)"},` +
	`"requestId":"Ab1CdEfGhIjKlMp=","routeKey":"ANY /auth/{proxy+}","stage":"$default","time":"21/Nov/2026:10:15:30 +0000","timeEpoch":1795256130000},` +
	`"pathParameters":{"proxy":"session"},"isBase64Encoded":false}`

// editEvent returns sessionEvent with edit applied to it as a JSON object.
func editEvent(t *testing.T, edit func(ev map[string]any)) string {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal([]byte(sessionEvent), &ev); err != nil {
		t.Fatal(err)
	}
	edit(ev)
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func headersOf(ev map[string]any) map[string]any { return ev["headers"].(map[string]any) }

func httpOf(ev map[string]any) map[string]any {
	return ev["requestContext"].(map[string]any)["http"].(map[string]any)
}

// dump writes down everything a handler can read of r.
func dump(r *http.Request) string {
	var b strings.Builder
	body, err := io.ReadAll(r.Body)
	fmt.Fprintf(&b, "%s %s %s\nhost %q uri %q remote %q proto %s %d.%d\nlength %d body %q %v nobody %v getbody %v te %v close %v\n",
		r.Method, r.URL, r.URL.RawQuery, r.Host, r.RequestURI, r.RemoteAddr, r.Proto, r.ProtoMajor, r.ProtoMinor,
		r.ContentLength, body, err, r.Body == http.NoBody, r.GetBody != nil, r.TransferEncoding, r.Close)
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range r.Header {
			if !yield(k) {
				return
			}
		}
	}) {
		fmt.Fprintf(&b, "%s: %q\n", k, r.Header[k])
	}
	if r.GetBody != nil {
		again, _ := r.GetBody()
		rest, _ := io.ReadAll(again)
		fmt.Fprintf(&b, "again %q\n", rest)
	}
	return b.String()
}

// responders answer in the ways the adapter's response writer has rules for.
var responders = []struct {
	name string
	fn   func(w http.ResponseWriter)
}{
	{"JSON with cookies and a header of two values", func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Add("Set-Cookie", "a=1; Path=/; Secure")
		w.Header().Add("Set-Cookie", "b=2; Max-Age=0")
		w.Header().Add("Vary", "Origin")
		w.Header().Add("Vary", "Cookie")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"html":"<a href='x'>&amp;</a>","ls":"`+"\u2028\u2029"+`","ctl":"`+"\x01\t\n"+`"}`)
	}},
	{"nothing written", func(w http.ResponseWriter) {}},
	{"a header but no body", func(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }},
	{"the last status wins", func(w http.ResponseWriter) {
		w.WriteHeader(http.StatusCreated)
		w.WriteHeader(http.StatusTeapot)
		fmt.Fprint(w, "x")
		w.WriteHeader(http.StatusAccepted)
	}},
	{"a body without a content type is sniffed", func(w http.ResponseWriter) { fmt.Fprint(w, "<html><body>hi</body></html>") }},
	{"a body that is not UTF-8 goes in base64", func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "image/png")
		w.Write([]byte{0x89, 'P', 'N', 'G', 0xff, 0})
	}},
	{"a Set-Cookie set in lower case goes in cookies", func(w http.ResponseWriter) {
		w.Header()["set-cookie"] = []string{"c=3"}
		w.Header()["x-odd"] = []string{"1", "2"}
		w.WriteHeader(http.StatusOK)
	}},
	{"header values that need escaping", func(w http.ResponseWriter) {
		w.Header()["X-Quote"] = []string{`a"b\\c`, "\x01\u2028", "\xe2\x82", "\xac", ""}
		w.Header()["x-lower-é"] = []string{"<&>"}
		w.Header().Add("Set-Cookie", "q=\"1\"")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, "ok")
	}},
	{"a status of zero", func(w http.ResponseWriter) { w.WriteHeader(0) }},
	{"a body larger than a writer keeps", func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write(bytes.Repeat([]byte("0123456789abcdef"), maxKeptBody/16+1))
	}},
	{"two writes", func(w http.ResponseWriter) {
		fmt.Fprint(w, "{")
		fmt.Fprint(w, "}")
	}},
}

// TestServeIsTheAdapter holds Handler to what the Lambda runtime and the adapter did before
// it (lambda.NewHandler(httpadapter.NewV2(h).ProxyWithContext)): for every event and every
// kind of response, the handler sees the same request and the function answers the same
// bytes, or the same error. Events decodeEvent reads are served by serve, the others by
// the adapter itself; direct says which.
func TestServeIsTheAdapter(t *testing.T) {
	cases := []struct {
		name   string
		event  func(t *testing.T) string
		direct bool
	}{
		{"a signed-in browser's GET", func(*testing.T) string { return sessionEvent }, true},
		{"a POST with a JSON body", func(t *testing.T) string {
			return editEvent(t, func(ev map[string]any) {
				httpOf(ev)["method"] = "POST"
				headersOf(ev)["content-type"] = "application/json"
				headersOf(ev)["origin"] = "https://www.example.com"
				ev["body"] = `{"email":"ann@example.com","note":"a \"quoted\" é \u00e9 \\ line\nbreak"}`
			})
		}, true},
		{"a body in base64", func(t *testing.T) string {
			return editEvent(t, func(ev map[string]any) { ev["body"], ev["isBase64Encoded"] = "iVBORw0KGgr/AA==", true })
		}, true},
		{"an empty body in base64", func(t *testing.T) string {
			return editEvent(t, func(ev map[string]any) { ev["body"], ev["isBase64Encoded"] = "", true })
		}, true},
		{"a body in base64 that does not decode", func(t *testing.T) string {
			return editEvent(t, func(ev map[string]any) { ev["body"], ev["isBase64Encoded"] = "not base64!", true })
		}, true},
		{"headers with several values, single-value ones kept whole", func(t *testing.T) string {
			return editEvent(t, func(ev map[string]any) {
				h := headersOf(ev)
				h["accept"] = " text/html ,application/json,, */* "
				h["user-agent"] = "a, b"
				h["authorization"] = "Bearer x, y"
				h["x-custom"] = "  spaced  "
				h["x-empty"] = ""
				h["X-Mixed-CASE"] = "m"
				h["content-length"] = "0"
			})
		}, true},
		{"one header name in two spellings", func(t *testing.T) string {
			// The same values, so that the adapter's map order does not matter.
			return editEvent(t, func(ev map[string]any) { headersOf(ev)["x-twice"], headersOf(ev)["X-Twice"] = "a, b", "a, b" })
		}, true},
		{"a cookie header beside the cookies array", func(t *testing.T) string {
			return editEvent(t, func(ev map[string]any) { headersOf(ev)["cookie"] = "x=1, y=2" })
		}, true},
		{"no cookies", func(t *testing.T) string {
			return editEvent(t, func(ev map[string]any) { delete(ev, "cookies") })
		}, true},
		{"an empty cookies array", func(t *testing.T) string {
			return editEvent(t, func(ev map[string]any) { ev["cookies"] = []string{} })
		}, true},
		{"a raw query string", func(t *testing.T) string {
			return editEvent(t, func(ev map[string]any) {
				ev["rawQueryString"] = "b=2&a=1%202&a=3"
				ev["queryStringParameters"] = map[string]string{"a": "1 2,3", "b": "2"}
			})
		}, true},
		{"query parameters without a raw query string", func(t *testing.T) string {
			return editEvent(t, func(ev map[string]any) {
				ev["queryStringParameters"] = map[string]string{"b": "2", "a": "1 2&x", "é": "ü"}
			})
		}, true},
		{"no raw path: the context's path", func(t *testing.T) string {
			return editEvent(t, func(ev map[string]any) { delete(ev, "rawPath"); httpOf(ev)["path"] = "/auth/health" })
		}, true},
		{"a path without its leading slash", func(t *testing.T) string {
			return editEvent(t, func(ev map[string]any) { ev["rawPath"] = "auth/session" })
		}, true},
		{"an escaped path", func(t *testing.T) string {
			return editEvent(t, func(ev map[string]any) { ev["rawPath"] = "/auth/a%2Fb%20c" })
		}, true},
		{"a path that is not a URL", func(t *testing.T) string {
			return editEvent(t, func(ev map[string]any) { ev["rawPath"] = "/%zz" })
		}, true},
		{"a method in lower case", func(t *testing.T) string {
			return editEvent(t, func(ev map[string]any) { httpOf(ev)["method"] = "delete" })
		}, true},
		{"a method that is not a token", func(t *testing.T) string {
			return editEvent(t, func(ev map[string]any) { httpOf(ev)["method"] = "GET /x" })
		}, true},
		{"no domain name", func(t *testing.T) string {
			return editEvent(t, func(ev map[string]any) { delete(ev["requestContext"].(map[string]any), "domainName") })
		}, true},
		{"nulls", func(t *testing.T) string {
			return editEvent(t, func(ev map[string]any) {
				ev["body"], ev["stageVariables"], ev["queryStringParameters"] = nil, nil, nil
				ev["requestContext"].(map[string]any)["authorizer"] = nil
			})
		}, true},
		{"an authorizer's details (served by the adapter)", func(t *testing.T) string {
			return editEvent(t, func(ev map[string]any) {
				ev["requestContext"].(map[string]any)["authorizer"] = map[string]any{"lambda": map[string]any{"sub": "u-1"}}
			})
		}, false},
		{"a repeated header name (served by the adapter)", func(*testing.T) string {
			return strings.Replace(sessionEvent, `"headers":{`, `"headers":{"accept":"text/html",`, 1)
		}, false},
		{"a surrogate pair in a header (served by the adapter)", func(*testing.T) string {
			return strings.Replace(sessionEvent, `"headers":{`, `"headers":{"x-emoji":"\ud83d\ude00",`, 1)
		}, false},
	}
	for _, sample := range []string{"apigw-v2-request-no-authorizer.json", "apigw-v2-request-iam.json",
		"apigw-v2-request-jwt-authorizer.json", "apigw-v2-request-lambda-authorizer.json", "lambda-urls-request.json"} {
		cases = append(cases, struct {
			name   string
			event  func(t *testing.T) string
			direct bool
		}{"aws-lambda-go's " + sample + " (an authorizer or a client certificate: served by the adapter)", func(t *testing.T) string { return string(lambdasamples.Read(t, sample)) }, false})
	}
	ctx := context.Background()
	for _, c := range cases {
		payload := []byte(c.event(t))
		var wire wireEvent
		if got := decodeEvent(payload, &wire); got != c.direct {
			t.Errorf("%s: decodeEvent = %v, want %v", c.name, got, c.direct)
		}
		for _, resp := range responders {
			t.Run(c.name+"/"+resp.name, func(t *testing.T) {
				sameAsAdapter(t, ctx, payload, func(w http.ResponseWriter, _ *http.Request) { resp.fn(w) })
			})
		}
	}
}

// FuzzServeIsTheAdapter: for an event with any header, cookies, body, path and query, the
// handler sees the request the adapter makes and the function answers what it answers,
// with the body echoed back in a header and in the response.
func FuzzServeIsTheAdapter(f *testing.F) {
	f.Add("x-a", "1, 2 ,, 3", "a=1", "b=2", "", false, "/auth/session", "")
	f.Add("content-type", "text/plain, x", "__Host-s=v", "", "iVBORw0KGgr/AA==", true, "auth/x", "a=1&b=%20")
	f.Add("Cookie", "x=1, y=2", "", "", "{}", false, "/%zz", "#x")
	f.Fuzz(func(t *testing.T, name, value, cookie1, cookie2, body string, base64 bool, rawPath, query string) {
		payload := editEvent(t, func(ev map[string]any) {
			headersOf(ev)["x-fuzz-"+name] = value
			ev["cookies"] = []string{cookie1, cookie2}
			ev["body"], ev["isBase64Encoded"] = body, base64
			ev["rawPath"], ev["rawQueryString"] = rawPath, query
		})
		sameAsAdapter(t, context.Background(), []byte(payload), func(w http.ResponseWriter, r *http.Request) {
			w.Header()["X-Echo"] = r.Header["X-Fuzz-"+name]
			w.Header().Add("Set-Cookie", cookie1)
			fmt.Fprint(w, body)
		})
	})
}

// sameAsAdapter serves payload with handle through the awslabs adapter and through this
// package, and fails unless handle saw the same request and the answers are the same bytes.
func sameAsAdapter(t *testing.T, ctx context.Context, payload []byte, handle func(http.ResponseWriter, *http.Request)) {
	t.Helper()
	var seen string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = dump(r)
		handle(w, r)
	})
	want, wantErr := lambda.NewHandler(httpadapter.NewV2(h).ProxyWithContext).Invoke(ctx, payload)
	wantSeen := seen
	seen = ""
	got, err := New("test", h, nil).Invoke(ctx, payload)
	if fmt.Sprint(err) != fmt.Sprint(wantErr) {
		t.Fatalf("error %v, the adapter's %v", err, wantErr)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("answer\n%s\nthe adapter's\n%s", got, want)
	}
	if seen != wantSeen {
		t.Fatalf("request\n%s\nthe adapter's\n%s", seen, wantSeen)
	}
}

// The adapter reads GO_API_HOST on every request for the scheme and host of the URL.
func TestServeReadsTheCustomHost(t *testing.T) {
	t.Setenv(customHost, "http://localhost:3000")
	var urls []string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		urls = append(urls, r.URL.String()+" "+r.Host)
		w.WriteHeader(http.StatusOK)
	})
	ctx := context.Background()
	if _, err := lambda.NewHandler(httpadapter.NewV2(h).ProxyWithContext).Invoke(ctx, []byte(sessionEvent)); err != nil {
		t.Fatal(err)
	}
	if _, err := New("test", h, nil).Invoke(ctx, []byte(sessionEvent)); err != nil {
		t.Fatal(err)
	}
	if len(urls) != 2 || urls[0] != urls[1] || !strings.HasPrefix(urls[1], "http://localhost:3000/auth/session") {
		t.Fatalf("URLs %q", urls)
	}
}

// projection is what serving reads of an event, from either decoding, for comparing them.
func projection(w *wireEvent) string {
	var pairs []string
	for i := 0; i < len(w.headers); i += 2 {
		pairs = append(pairs, w.headers[i]+": "+w.headers[i+1])
	}
	slices.Sort(pairs)
	return fmt.Sprintf("%q %q %q %q %q %v %q %q %q %q cookies %q headers %q query %v", w.version, w.typ, w.rawPath,
		w.rawQueryString, w.body, w.isBase64Encoded, w.method, w.path, w.sourceIP, w.domainName, w.cookies, pairs, w.query)
}

// fromJSON projects an event json.Unmarshal decoded as decodeEvent would.
func fromJSON(ev *event) *wireEvent {
	w := &wireEvent{version: ev.Version, typ: ev.Type, rawPath: ev.RawPath, rawQueryString: ev.RawQueryString,
		body: ev.Body, isBase64Encoded: ev.IsBase64Encoded, method: ev.RequestContext.HTTP.Method,
		path: ev.RequestContext.HTTP.Path, sourceIP: ev.RequestContext.HTTP.SourceIP,
		domainName: ev.RequestContext.DomainName, cookies: ev.Cookies, query: ev.QueryStringParameters}
	for k, v := range ev.Headers {
		w.headers = append(w.headers, http.CanonicalHeaderKey(k), v)
	}
	if len(w.cookies) == 0 {
		w.cookies = nil
	}
	return w
}

// decodeAgrees fails unless an event decodeEvent reads is one json.Unmarshal decodes to the
// same values.
func decodeAgrees(t *testing.T, payload []byte) bool {
	t.Helper()
	var w wireEvent
	if !decodeEvent(payload, &w) {
		return false
	}
	var ev event
	if err := json.Unmarshal(payload, &ev); err != nil {
		t.Fatalf("decodeEvent read %.200q, which json.Unmarshal refuses: %v", payload, err)
	}
	if len(w.cookies) == 0 {
		w.cookies = nil
	}
	if got, want := projection(&w), projection(fromJSON(&ev)); got != want {
		t.Fatalf("decodeEvent read %.200q as\n%s\njson.Unmarshal as\n%s", payload, got, want)
	}
	return true
}

func TestDecodeEventAgreesWithJSON(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		decoded bool
	}{
		{"a session event", sessionEvent, true},
		{"the wiring check's fields", `{"version":"1.0","type":"REQUEST","requestContext":{"http":{"method":"GET"}}}`, true},
		{"unknown fields at every level", `{"x":[1,{"y":null}],"requestContext":{"z":1,"http":{"w":"v","method":"GET"}},"version":"2.0"}`, true},
		{"nulls for every field", `{"version":null,"routeKey":null,"rawPath":null,"rawQueryString":null,"cookies":null,"headers":null,` +
			`"queryStringParameters":null,"pathParameters":null,"requestContext":null,"stageVariables":null,"body":null,"isBase64Encoded":null,"type":null}`, true},
		{"nulls in the context", `{"requestContext":{"routeKey":null,"accountId":null,"stage":null,"requestId":null,"authorizer":null,"apiId":null,` +
			`"domainName":null,"domainPrefix":null,"time":null,"timeEpoch":null,"http":null,"authentication":null}}`, true},
		{"nulls in http", `{"requestContext":{"http":{"method":null,"path":null,"protocol":null,"sourceIp":null,"userAgent":null}}}`, true},
		{"escapes", `{"rawPath":"/a\u0062","headers":{"x-\u0061":"\"v\""},"cookies":["a=\u00e9"],"body":"\n"}`, true},
		{"an empty object", `{}`, true},
		{"whitespace", " {\n\"version\" : \"2.0\" } \n", true},
		{"query parameters", `{"queryStringParameters":{"a":"1","a":"2","b":""}}`, true},

		{"a field in other capitals", `{"Version":"2.0"}`, false},
		{"a context field in other capitals", `{"requestContext":{"DomainName":"x"}}`, false},
		{"an http field in other capitals", `{"requestContext":{"http":{"Method":"GET"}}}`, false},
		{"a duplicate field", `{"version":"2.0","version":"1.0"}`, false},
		{"a duplicate context field", `{"requestContext":{"time":"a","time":"b"}}`, false},
		{"a duplicate http field", `{"requestContext":{"http":{"path":"/a","path":"/b"}}}`, false},
		{"a repeated header", `{"headers":{"a":"1","a":"2"}}`, false},
		{"a null header", `{"headers":{"a":null}}`, false},
		{"a number for a header", `{"headers":{"a":1}}`, false},
		{"a null cookie", `{"cookies":[null]}`, false},
		{"a number for a cookie", `{"cookies":[1]}`, false},
		{"a string for the cookies", `{"cookies":"a=1"}`, false},
		{"an array for the headers", `{"headers":[]}`, false},
		{"a time epoch as a string", `{"requestContext":{"timeEpoch":"soon"}}`, false},
		{"a time epoch with a fraction", `{"requestContext":{"timeEpoch":1.5}}`, false},
		{"a boolean as a string", `{"isBase64Encoded":"true"}`, false},
		{"a number for the version", `{"version":2}`, false},
		{"a number for the route key", `{"routeKey":1}`, false},
		{"a number for a path parameter", `{"pathParameters":{"proxy":1}}`, false},
		{"a number for a stage variable", `{"stageVariables":{"a":1}}`, false},
		{"a number for the protocol", `{"requestContext":{"http":{"protocol":1}}}`, false},
		{"a number for the account", `{"requestContext":{"accountId":1}}`, false},
		{"an authorizer", `{"requestContext":{"authorizer":{}}}`, false},
		{"a client certificate", `{"requestContext":{"authentication":{}}}`, false},
		{"a string for the context", `{"requestContext":"x"}`, false},
		{"trailing data", `{} {}`, false},
		{"not an object", `[]`, false},
		{"not JSON", `{"version":`, false},
	}
	for _, tt := range tests {
		if got := decodeAgrees(t, []byte(tt.in)); got != tt.decoded {
			t.Errorf("%s: decodeEvent(%s) = %v, want %v", tt.name, tt.in, got, tt.decoded)
		}
	}
}

func FuzzDecodeEvent(f *testing.F) {
	f.Add(sessionEvent)
	f.Add(`{"headers":{"a":"1"},"cookies":["x"],"queryStringParameters":{"q":"1"},"requestContext":{"timeEpoch":1,"http":{"method":"GET"}}}`)
	f.Fuzz(func(t *testing.T, in string) { decodeAgrees(t, []byte(in)) })
}

// appendResponse writes what encode writes.
func TestAppendResponseIsEncodingJSON(t *testing.T) {
	tests := []events.APIGatewayV2HTTPResponse{
		{},
		{StatusCode: 200, Headers: map[string]string{}, Cookies: []string{}},
		{StatusCode: -1, Headers: map[string]string{"b": "2", "a": "1", "Content-Type": "text/html; charset=utf-8"}, Body: `<p>"hi" & 'bye'</p>`,
			Cookies: []string{"a=1", "b=\"2\""}},
		{StatusCode: 500, IsBase64Encoded: true, Body: "AAEC", MultiValueHeaders: map[string][]string{"z": {"1", "2"}, "a": nil, "m": {}}},
		{StatusCode: 204, MultiValueHeaders: map[string][]string{}},
		{Body: "\x00\x01\x07\b\f\n\r\t\x1f\x7f \\ / \u2028\u2029 é \xff \xe2\x82 \U0001F600 \x80 \xc2\x80"},
		{Headers: map[string]string{"\xff": "\u2028", "\"": "\\"}},
	}
	for _, resp := range tests {
		want, err := encode(resp)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendResponse(nil, &resp); !bytes.Equal(got, want) {
			t.Errorf("appendResponse\n%s\nencoding/json\n%s", got, want)
		}
	}
}

func FuzzAppendResponse(f *testing.F) {
	for _, s := range []string{"", "plain", "\x00\u2028\xff<>&", "é\U0001F600\xe2\x82"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		resp := events.APIGatewayV2HTTPResponse{Body: s, Headers: map[string]string{s: s}, Cookies: []string{s}}
		want, err := encode(resp)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendResponse(nil, &resp); !bytes.Equal(got, want) {
			t.Fatalf("appendResponse\n%q\nencoding/json\n%q", got, want)
		}
	})
}

// sameURL fails unless newRequest, for an event with domain name host and raw path path
// (and no query), makes the URL, Host and RequestURI that NewRequestWithContext makes of
// the adapter's URL, field for field. It reports whether the fast path took the event.
func sameURL(t *testing.T, host, path string) bool {
	t.Helper()
	ev := &wireEvent{method: "GET", domainName: host, rawPath: path}
	slashed := "/" + strings.TrimPrefix(path, "/")
	want, wantErr := http.NewRequestWithContext(context.Background(), "GET", "https://"+host+slashed, nil)
	got, err := newRequest(context.Background(), ev)
	if fmt.Sprint(err) != fmt.Sprint(wantErr) {
		t.Fatalf("%q %q: error %v, want %v", host, path, err, wantErr)
	}
	if err != nil {
		return false
	}
	if !reflect.DeepEqual(*got.URL, *want.URL) || got.Host != want.Host || got.RequestURI != want.URL.RequestURI() {
		t.Fatalf("%q %q: URL %#v host %q uri %q, want %#v host %q uri %q", host, path,
			*got.URL, got.Host, got.RequestURI, *want.URL, want.Host, want.URL.RequestURI())
	}
	return plainHost(host) && plainPath(slashed)
}

// The URL set without parsing is the parsed one, for the usual hosts and paths (which take
// that path) and for those near them that do not.
func TestPlainURLIsTheParsedOne(t *testing.T) {
	for _, c := range []struct {
		host, path string
		plain      bool
	}{
		{"www.example.com", "/auth/session", true},
		{"a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com", "/auth/x_y~z.-/", true},
		{"Example.COM", "auth", true},
		{"h", "//evil.example/x", true},
		{"h", "/", true},
		{"h", "", true},
		{"h", "/a/../b/./c", true},
		{"", "/x", false},
		{"h:443", "/x", false},
		{"h:", "/x", false},
		{"[::1]", "/x", false},
		{"h", "/a%2Fb", false},
		{"h", "/a b", false},
		{"h", "/a;b", false},
		{"h", "/a:b", false},
		{"h", "/a?b", false},
		{"h", "/a#b", false},
		{"h", "/é", false},
		{"h_1", "/x", false},
		{"h%41", "/x", false},
		{"u@h", "/x", false},
	} {
		if got := sameURL(t, c.host, c.path); got != c.plain {
			t.Errorf("%q %q: taken without parsing %v, want %v", c.host, c.path, got, c.plain)
		}
	}
	var ev wireEvent
	if !decodeEvent([]byte(sessionEvent), &ev) || !plainHost(ev.domainName) || !plainPath(ev.rawPath) {
		t.Error("the usual event's URL is parsed")
	}
}

func FuzzPlainURLIsTheParsedOne(f *testing.F) {
	f.Add("www.example.com", "/auth/session")
	f.Add("h:1", "/a%20b")
	f.Add("h", "//x/../y")
	f.Fuzz(func(t *testing.T, host, path string) {
		sameURL(t, host, path)
	})
}
