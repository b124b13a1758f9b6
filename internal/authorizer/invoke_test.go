package authorizer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/monban-auth/monban/internal/authorizer"
	"github.com/monban-auth/monban/internal/lambdasamples"
	"github.com/monban-auth/monban/internal/tokentest"
	"github.com/monban-auth/monban/pkg/monbanauth"
)

// sameAnswer checks that Invoke answers payload exactly as the Lambda runtime answers it
// through Handle (aws-lambda-go's own decoding and encoding): the same bytes, or an error
// with the same text.
func sameAnswer(t testing.TB, h *authorizer.Handler, payload []byte) {
	t.Helper()
	ctx := context.Background()
	want, wantErr := lambda.NewHandler(h.Handle).Invoke(ctx, payload)
	got, gotErr := h.Invoke(ctx, payload)
	if (wantErr == nil) != (gotErr == nil) || (wantErr != nil && wantErr.Error() != gotErr.Error()) {
		t.Fatalf("payload %.300q\nerror %v, the runtime's %v", payload, gotErr, wantErr)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("payload %.300q\nanswer  %s\nruntime %s", payload, got, want)
	}
}

// Every recorded event and aws-lambda-go sample, with every kind of credential and the
// configurations that change the answer, is answered by Invoke exactly as through the
// runtime's JSON handling.
func TestInvokeAnswersAsTheRuntimeDoes(t *testing.T) {
	cookies := sealCookie(t, secret, good, exp, 0)
	chunked := sealCookie(t, secret, good, exp, 6000)
	credentials := []struct{ authorization, cookies string }{
		{"", ""},
		{"Bearer " + good, ""},
		{"", cookies},
		{"", chunked},
		{"Bearer " + good, cookies},
		{"Bearer " + tokentest.Unsigned(tokentest.AccessClaims(epoch)), ""},
		{"Basic eA==", "__Host-monban-session=x.y"},
	}
	configs := map[string]func(*monbanauth.Config){
		"default":     func(*monbanauth.Config) {},
		"groups":      needGroup("ops"),
		"scope":       needScope("monban/admin"),
		"cookie only": acceptOnly(monbanauth.Cookie),
		"origin secret": func(c *monbanauth.Config) {
			c.OriginSecrets = [][]byte{[]byte("origin-verify-secret-0123456789abcdef")}
		},
	}
	for name, tweak := range configs {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, tweak)
			for _, ev := range []string{httpV2, httpV1, restReq, restTok} {
				for _, c := range credentials {
					payload := load(t, ev, c.authorization, c.cookies)
					sameAnswer(t, f.h, payload)
					// Through CloudFront, which adds its header.
					sameAnswer(t, f.h, bytes.Replace(payload, []byte(`"headers": {`),
						[]byte(`"headers": {"X-Monban-Origin-Verify": "origin-verify-secret-0123456789abcdef", `), 1))
				}
			}
			samples, err := filepath.Glob(filepath.Join(lambdasamples.Dir(t), "*.json"))
			if err != nil || len(samples) == 0 {
				t.Fatalf("no samples: %v", err)
			}
			for _, path := range samples {
				raw, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				sameAnswer(t, f.h, raw)
				// With a genuine token where the sample has a token or headers.
				sameAnswer(t, f.h, bytes.ReplaceAll(raw, []byte(`"allow"`), []byte(`"Bearer `+good+`"`)))
			}
		})
	}
}

// Payloads that exercise the decoder's edges: every one is answered as the runtime
// answers it, whether the fast reader takes it or hands it to encoding/json.
func TestInvokeAnswersOddPayloadsAsTheRuntimeDoes(t *testing.T) {
	const arn = `"methodArn":"arn:aws:execute-api:eu-west-1:123456789012:k7l8m9n0p1/prod/GET/x"`
	bearer := `"Bearer ` + good + `"`
	f := newFixture(t)
	for _, payload := range []string{
		``,
		`   `,
		`null`,
		`[]`,
		`"REQUEST"`,
		`42`,
		`{}`,
		`{`,
		`{"type":"REQUEST","version":"2.0"`,
		`{"type":"REQUEST","version":"2.0",}`,
		`{"type":"REQUEST","version":"2.0"} trailing garbage is not read`,
		`{"type":"REQUEST","version":"2.0"}{"type":"TOKEN"}`,
		` {"type" : "REQUEST" , "version" : "2.0" , "headers" : { "authorization" : ` + bearer + ` } } `,
		`{"type":"REQUEST","version":"2.0","headers":{"authorization":` + bearer + `}}`,
		`{"type":"REQUEST","version":"2.0","headers":{"Authorization":` + bearer + `,"AUTHORIZATION":"Bearer x"}}`,
		`{"type":"REQUEST","version":"2.0","headers":{"authorization":` + bearer + `},"headers":{"cookie":"a=b"}}`,
		`{"type":"REQUEST","version":"2.0","headers":{"authorization":` + bearer + `},"headers":null}`,
		`{"type":"REQUEST","version":"2.0","headers":{"authorization":null}}`,
		`{"type":"REQUEST","version":"2.0","headers":{"x-other":null,"authorization":` + bearer + `}}`,
		`{"type":"REQUEST","version":"2.0","headers":{"authorization":7}}`,
		`{"type":"REQUEST","version":"2.0","headers":"authorization"}`,
		`{"type":"REQUEST","version":"2.0","headers":{"\u0061uthorization":` + bearer + `}}`,
		`{"type":"REQUEST","version":"2.0","headers":{"authori\u017Aation":` + bearer + `}}`,
		`{"type":"REQUEST","version":"2.0","headers":{"coo\u212Aie":"__Host-monban-session=x"}}`,
		`{"type":"REQUEST","version":"2.0","headers":{"authorization":"Bearer \u0041.b.c"}}`,
		`{"type":"REQUEST","version":"2.0","headers":{"authorization":"Bearer a.b.c\ud800"}}`,
		"{\"type\":\"REQUEST\",\"version\":\"2.0\",\"headers\":{\"authorization\":\"Bearer \xff.b.c\"}}",
		"{\"type\":\"REQUEST\",\"version\":\"2.0\",\"headers\":{\"authorization\":\"Bearer a\tb\"}}",
		`{"type":"REQUEST","version":"2.0","headers":{"authorization":"Bearer a\qb"}}`,
		`{"type":"REQUEST","version":"2.0","headers":{"authorization":"Bearer a\u00"}}`,
		`{"type":"REQUEST","version":"2.0","cookies":["a=b","__Host-monban-session=x"],"cookies":null}`,
		`{"type":"REQUEST","version":"2.0","cookies":["a=b"],"cookies":[]}`,
		`{"type":"REQUEST","version":"2.0","cookies":[null]}`,
		`{"type":"REQUEST","version":"2.0","cookies":{}}`,
		`{"Type":"REQUEST","version":"2.0"}`,
		`{"TYPE":"REQUEST","VERSION":"2.0","HEADERS":{"authorization":` + bearer + `}}`,
		`{"\u0074ype":"REQUEST","version":"2.0"}`,
		`{"type":"REQUEST","type":null,"version":"2.0"}`,
		`{"type":"TOKEN","type":"REQUEST","version":"2.0"}`,
		`{"type":"REQUEST","version":2.0}`,
		`{"type":"REQUEST","version":"2.0","routeKey":{"a":[1,-2.5e+3,true,false,null,{"b":"c\n"}]}}`,
		`{"type":"REQUEST","version":"2.0","routeKey":{"a":"\ud800\u00E9\/\"","":[[],{},[{}]],"b":0,"c":-0.0E-0}}`,
		"{\"type\":\"REQUEST\",\"version\":\"2.0\",\"routeKey\":\"\xff\xfe\",\"headers\":{\"authorization\":" + bearer + "}}",
		"{\"type\":\"REQUEST\",\"version\":\"2.0\",\"routeKey\":\"a\x01\"}",
		`{"type":"REQUEST","version":"2.0","routeKey":"\u12"}`,
		`{"type":"REQUEST","version":"2.0","routeKey":{"a":1,}}`,
		`{"type":"REQUEST","version":"2.0","routeKey":{"a":1]}`,
		`{"type":"REQUEST","version":"2.0","routeKey":[1}`,
		`{"type":"REQUEST","version":"2.0","routeKey":"unterminated`,
		`{"type":"REQUEST","version":"2.0","routeKey":true false}`,
		`{"type":"REQUEST","version":"2.0","routeArn":7}`,
		`{"type":"REQUEST","version":"2.0","routeArn":null,"routeArn":"\u0061"}`,
		`{"type":"REQUEST","version":"2.0","headers":{"authorization":"Bearer x","Authorization":"Bearer y","AUTHORIZATION":"Bearer z","AuThOrIzAtIoN":"Bearer w","authorizatioN":` + bearer + `}}`,
		`{"type":"REQUEST","version":"2.0","headers":{"authorization":"Bearer x","authorization":` + bearer + `}}`,
		`{"type":"REQUEST","version":"2.0","headers":{"authorization":"Bearer x"},"headers":null,"headers":{"cookie":"a=b"}}`,
		`{"type":"REQUEST","version":"2.0","headers":{"authorization":` + bearer + `},"headers":{"Cookie":"a=b","cookie":"c=d"}}`,
		`{"type":"REQUEST",` + arn + `,"headers":{"authorization":"Bearer x","Authorization":` + bearer + `}}`,
		`{"type":"REQUEST","version":"2.0","routeKey":01}`,
		`{"type":"REQUEST","version":"2.0","routeKey":-}`,
		`{"type":"REQUEST","version":"2.0","routeKey":1.}`,
		`{"type":"REQUEST","version":"2.0","routeKey":1e}`,
		`{"type":"REQUEST","version":"2.0","routeKey":tru}`,
		`{"type":"REQUEST","version":"2.0","routeKey":nulll}`,
		`{"type":"REQUEST","version":"2.0","routeKey":[1 2]}`,
		`{"type":"REQUEST","version":"2.0","routeKey":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`,
		`{"type":"REQUEST","version":"2.0","routeKey":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`,
		`{"type":"REQUEST",` + arn + `,"multiValueHeaders":{"Authorization":[` + bearer + `],"Accept":["a","b"]}}`,
		`{"type":"REQUEST",` + arn + `,"multiValueHeaders":{"Authorization":[` + bearer + `],"authorization":["Bearer x"]}}`,
		`{"type":"REQUEST",` + arn + `,"multiValueHeaders":{"Authorization":null},"headers":{"Authorization":` + bearer + `}}`,
		`{"type":"REQUEST",` + arn + `,"multiValueHeaders":{"Accept":[1]},"headers":{"Authorization":` + bearer + `}}`,
		`{"type":"REQUEST",` + arn + `,"multiValueHeaders":{"Authorization":[]},"headers":{"Authorization":` + bearer + `}}`,
		`{"type":"REQUEST",` + arn + `,"multiValueHeaders":null,"headers":{"Authorization":` + bearer + `}}`,
		`{"type":"TOKEN",` + arn + `,"authorizationToken":` + bearer + `}`,
		`{"type":"TOKEN","methodArn":"arn:aws:execute-api:eu-west-1:123456789012:k7l8m9n0p1/*/GET/","authorizationToken":` + bearer + `}`,
		`{"httpMethod":"GET","path":"/"}`,
		`{"triggerSource":"PreSignUp_SignUp"}`,
		`{"type":"COGNITO_USER_POOLS"}`,
	} {
		sameAnswer(t, f.h, []byte(payload))
	}
}

// keptHeaders is what DecodeEvent keeps of a header map: the headers Handle reads.
func keptHeaders[V any](m map[string]V) map[string]V {
	if m == nil {
		return nil
	}
	out := map[string]V{}
	for k, v := range m {
		for _, name := range []string{"authorization", "cookie", "x-monban-origin-verify"} {
			if strings.EqualFold(k, name) {
				out[k] = v
			}
		}
	}
	return out
}

// sameEvent checks DecodeEvent against the runtime's decoding of payload: the same error
// text, or the same event but for the headers the authorizer does not read.
func sameEvent(t testing.TB, payload []byte) {
	t.Helper()
	got, gotErr := authorizer.DecodeEvent(payload)
	var want authorizer.Event
	wantErr := json.NewDecoder(bytes.NewReader(payload)).Decode(&want)
	if (wantErr == nil) != (gotErr == nil) || (wantErr != nil && wantErr.Error() != gotErr.Error()) {
		t.Fatalf("payload %.300q\nerror %v, the runtime's %v", payload, gotErr, wantErr)
	}
	if wantErr != nil {
		return // the runtime does not call the handler
	}
	// The authorizer reads only some headers; the reader keeps only those (encoding/json,
	// when the reader leaves a payload to it, keeps them all).
	want.Headers, want.MultiValueHeaders = keptHeaders(want.Headers), keptHeaders(want.MultiValueHeaders)
	got.Headers, got.MultiValueHeaders = keptHeaders(got.Headers), keptHeaders(got.MultiValueHeaders)
	if len(got.Cookies) == 0 && len(want.Cookies) == 0 {
		// nil or empty: the same to the authorizer.
		got.Cookies, want.Cookies = nil, nil
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("payload %.300q\nevent   %#v\nruntime %#v", payload, got, want)
	}
}

func TestDecodeEventReadsWhatTheRuntimeReads(t *testing.T) {
	cookies := sealCookie(t, secret, good, exp, 0)
	for _, ev := range []string{httpV2, httpV1, restReq, restTok} {
		sameEvent(t, load(t, ev, "Bearer "+good, cookies))
		sameEvent(t, load(t, ev, "", ""))
	}
	samples, _ := filepath.Glob(filepath.Join(lambdasamples.Dir(t), "*.json"))
	for _, path := range samples {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sameEvent(t, raw)
	}
}

// BenchmarkAuthorizerWarm is a warm authorizer's whole job for a returning caller, as
// the function runs it: the invocation payload's bytes in, the response's bytes out,
// the caller's token found in the verified-token cache.
func BenchmarkAuthorizerWarm(b *testing.B) {
	for _, bc := range []struct{ name, event, authorization, cookies string }{
		{"http-api-v2-bearer", httpV2, "Bearer " + good, ""},
		{"http-api-v2-cookie", httpV2, "", sealCookie(b, secret, good, exp, 0)},
		{"rest-request-bearer", restReq, "Bearer " + good, ""},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f := newFixture(b)
			payload := load(b, bc.event, bc.authorization, bc.cookies)
			ctx := context.Background()
			if _, err := f.h.Invoke(ctx, payload); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := f.h.Invoke(ctx, payload); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
