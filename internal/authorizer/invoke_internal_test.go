package authorizer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/lambdasamples"
	"github.com/monban-auth/monban/pkg/monbanauth"
)

// runtimeJSON is the response as the Lambda runtime encodes it: encoding/json with
// HTML escaping off and no trailing newline.
func runtimeJSON(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// checkVerdictJSON compares appendJSON with the runtime's encoding of response() for
// every shape and outcome of a decision about id.
func checkVerdictJSON(t testing.TB, id *monbanauth.Identity, principal, resource string) {
	t.Helper()
	for _, v := range []verdict{
		{shape: shapeSimple},
		{shape: shapeSimple, allowed: true, id: id},
		{shape: shapePolicy, principal: principal, resource: resource},
		{shape: shapeToken, allowed: true, principal: principal, resource: resource, id: id},
	} {
		got, want := v.appendJSON(nil), runtimeJSON(t, v.response())
		if !bytes.Equal(got, want) {
			t.Fatalf("%+v\n got %s\nwant %s", v, got, want)
		}
	}
}

// The response is written as encoding/json would write it, whatever the claims hold:
// quotes, backslashes, control characters, HTML characters (escaped inside the groups'
// JSON, which json.Marshal writes, and not elsewhere), non-ASCII, invalid UTF-8, and the
// line and paragraph separators.
func TestResponsesAreWrittenAsEncodingJSONWritesThem(t *testing.T) {
	odd := []string{
		"", "plain", `quote " and backslash \`, "controls \x00\x01\b\f\n\r\t\x1f\x7f",
		"html <b> & </b>", "non-ASCII: ünïcødé, 日本, 🙂", "invalid \xff\xfe UTF-8 \xe2\x82",
		"separators \u2028 and \u2029", "\xed\xa0\x80 surrogate half",
	}
	for _, s := range odd {
		id := &monbanauth.Identity{
			Subject: s, Username: s, Groups: []string{s, "staff", s}, Scopes: strings.Fields("openid " + s),
			ClientID: s, ExpiresAt: time.Unix(1_750_003_600, 0), Via: monbanauth.Credential(s),
		}
		checkVerdictJSON(t, id, s, s)
	}
	for _, groups := range [][]string{nil, {}, {"one"}} {
		checkVerdictJSON(t, &monbanauth.Identity{Subject: "s", Groups: groups, ExpiresAt: time.Unix(-5, 0)}, "p", "r")
	}
}

// FuzzResponseJSON compares the written response with encoding/json's for arbitrary
// claim values.
func FuzzResponseJSON(f *testing.F) {
	f.Add("7c9a1f0e-0000-4000-8000-000000000001", "alice", "staff", "openid email", int64(1_750_003_600))
	f.Add("a\"b\\c", "<&>", "\u2028\xff", "x\ty", int64(-1))
	f.Fuzz(func(t *testing.T, sub, username, group, scope string, exp int64) {
		id := &monbanauth.Identity{
			Subject: sub, Username: username, Groups: []string{group, sub}, Scopes: strings.Fields(scope),
			ClientID: username, ExpiresAt: time.Unix(exp%1e11, 0), Via: monbanauth.Credential(group),
		}
		checkVerdictJSON(t, id, sub, scope)
	})
}

// The events API Gateway sends, recorded and from aws-lambda-go's samples, are read by
// the fast reader itself, not handed to encoding/json.
func TestRecordedEventsTakeTheFastReader(t *testing.T) {
	paths, _ := filepath.Glob("testdata/*.json")
	for _, name := range []string{
		"apigw-custom-auth-request.json", "apigw-custom-auth-request-type-request.json",
		"apigw-v2-custom-authorizer-v1-request.json", "apigw-v2-custom-authorizer-v2-request.json",
	} {
		paths = append(paths, filepath.Join(lambdasamples.Dir(t), name))
	}
	if len(paths) < 8 {
		t.Fatalf("only %d events", len(paths))
	}
	for _, path := range paths {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		raw = bytes.ReplaceAll(raw, []byte("AUTHORIZATION_HEADER"), []byte("Bearer a.b.c"))
		raw = bytes.ReplaceAll(raw, []byte("SESSION_COOKIES"), []byte("__Host-monban-session=x"))
		var ev Event
		if r := newEventReader(raw); !r.read(&ev, false) {
			t.Errorf("%s: left to encoding/json", filepath.Base(path))
		}
	}
}

// The reader reads itself what jsonread reads exactly (escaped names and values, header
// names that match only under Unicode folding, repeated members) and leaves the rest to
// encoding/json; what it reads is what encoding/json reads.
func TestEventReaderReadsOrDeclines(t *testing.T) {
	for _, tt := range []struct {
		payload string
		read    bool
	}{
		{`{"\u0076ersion":"2.0","type":"REQ\u0055EST","cookies":["a=\"1\""],"cookies":[]}`, true},
		{`{"headers":{"Cookie":"a=1","co\u006Bie":"b=2","coo\u212Aie":"c=3","x":"\u00e9"},"headers":null,"headers":{"authorization":"t"}}`, true},
		{`{"headers":{"Authorization":"Bearer \u0061"},"multiValueHeaders":{"Authorization":["Bearer \u0061","x"],"Accept":["*/*"]}}`, true},
		{`{"methodArn":null,"authorizationToken":"t","requestContext":{"a":[1,-0.5e3,true,null,{"b":"c"}]}} tail`, true},
		{`{"Version":"2.0"}`, false},           // a field under another case
		{`{"versi\u00f3n":"2.0"}`, false},      // a non-ASCII name
		{`{"type":"\ud83d\ude00"}`, false},     // a surrogate pair
		{`{"headers":{"Cookie":null}}`, false}, // null in a map of strings
		{`{"cookies":["a",null]}`, false},
		{`{"multiValueHeaders":{"Cookie":null}}`, false},
		{`{"x":{"y":"\ud800"}}`, true}, // a skipped value is only checked for syntax
		{"{\"x\":[\"\xff\",\"\u00e9\\u00E9\",{\"\":{}},[],[[]],-0.5E+3,0,1e9,true,false,null]}", true},
		{"{\"x\":\"a\x1fb\"}", false},
		{`{"x":"\u00g0"}`, false},
		{`{"x":"\x"}`, false},
		{`{"x":[1,]}`, false},
		{`{"x":{"a":1,}}`, false},
		{`{"x":{"a" 1}}`, false},
		{`{"x":{1:1}}`, false},
		{`{"x":[1}`, false},
		{`{"x":{"a":1]}`, false},
		{`{"x":01}`, false},
		{`{"x":1.}`, false},
		{`{"x":-}`, false},
		{`{"x":truex}`, false},
		{`{"x":nul}`, false},
		{`{"x":[` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `]}`, false}, // too deep: left to encoding/json
		{`{"x":` + strings.Repeat("[", 64) + strings.Repeat("]", 64) + `}`, true},
		{`null`, false},
	} {
		var ev Event
		r := newEventReader([]byte(tt.payload))
		if got := r.read(&ev, false); got != tt.read {
			t.Errorf("%s: read %v, want %v", tt.payload, got, tt.read)
			continue
		}
		if !tt.read {
			continue
		}
		var want Event
		if err := json.NewDecoder(strings.NewReader(tt.payload)).Decode(&want); err != nil {
			t.Fatalf("%s: %v", tt.payload, err)
		}
		for k := range want.Headers {
			if !keepHeader([]byte(k)) {
				delete(want.Headers, k)
			}
		}
		for k := range want.MultiValueHeaders {
			if !keepHeader([]byte(k)) {
				delete(want.MultiValueHeaders, k)
			}
		}
		if !reflect.DeepEqual(ev, want) {
			t.Errorf("%s:\n read %#v\n want %#v", tt.payload, ev, want)
		}
	}
}

// A headerList gives a header's values as headerValues gives them from a map of the
// same headers: every spelling, in the names' sorted order, later values replacing
// earlier ones under the same name.
func TestHeaderListGivesTheMapsValues(t *testing.T) {
	names := []string{"authorization", "Authorization", "AUTHORIZATION", "cookie", "Cookie", "x-monban-origin-verify", "authori\u017Fation"}
	for seed := range 2000 {
		var l headerList
		m := map[string]string{}
		for k := range 1 + seed%6 {
			name := names[(seed*7+k*3+seed/5)%len(names)]
			value := fmt.Sprint(seed, k)
			if !l.put(name, value) {
				if len(m) < len(l.names) || m[name] != "" {
					t.Fatalf("put %q refused with %d headers", name, len(m))
				}
				break
			}
			m[name] = value
		}
		for _, name := range []string{"authorization", "cookie", "X-Monban-Origin-Verify"} {
			got, want := l.appendValues(nil, name), headerValues(m, nil, nil, name)
			if !slices.Equal(got, want) {
				t.Fatalf("%v %s: %q, want %q", m, name, got, want)
			}
		}
	}
}
