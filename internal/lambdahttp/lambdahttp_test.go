package lambdahttp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/monban-auth/monban/internal/apierror"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
)

var hello = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html")
	fmt.Fprintf(w, "<p>%s %s</p>", r.Method, r.URL.Path)
})

const request = `{"version":"2.0","routeKey":"$default","rawPath":"/auth/health","rawQueryString":"",
	"headers":{"host":"www.example.com","user-agent":"test"},
	"requestContext":{"accountId":"123456789012","apiId":"a1b2c3d4e5","domainName":"www.example.com",
		"http":{"method":"GET","path":"/auth/health","protocol":"HTTP/1.1","sourceIp":"203.0.113.10","userAgent":"test"},
		"requestId":"id","routeKey":"$default","stage":"$default","time":"21/Nov/2026:10:15:30 +0000","timeEpoch":1795256130000},
	"isBase64Encoded":false}`

// A payload 2.0 request is answered exactly as the runtime answered the typed handler
// before: same bytes, HTML left unescaped.
func TestServesPayload2AsTheRuntimeDid(t *testing.T) {
	before, err := lambda.NewHandler(httpadapter.NewV2(hello).ProxyWithContext).Invoke(context.Background(), []byte(request))
	if err != nil {
		t.Fatal(err)
	}
	now, err := New("test", hello, nil).Invoke(context.Background(), []byte(request))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(now, before) || !strings.Contains(string(now), `"body":"<p>GET /auth/health</p>"`) {
		t.Fatalf("answer %s\nwant %s", now, before)
	}
}

// The refusals the aws-lambda-go samples do not reach (functions/api has those).
func TestRefusalsOfOddPayloads(t *testing.T) {
	many := map[string]int{}
	for i := range 10 {
		many[fmt.Sprintf("f%d", i)] = i
	}
	manyJSON, _ := json.Marshal(many)
	cases := []struct {
		name, payload string
		wantErr       string // the error's text after "received "
		wantBody      string // or the 500's message after "received "
	}{
		{"a payload that is not an object", `[1,2]`,
			`a payload that is not a JSON object. Invoke it only through an HTTP API route: ` + fixHTTPAPI, ""},
		{"an empty object", `{}`,
			`an event that is not an HTTP request (an empty object). Invoke it only through an HTTP API route: ` + fixHTTPAPI, ""},
		{"many fields are named up to eight", string(manyJSON),
			`an event that is not an HTTP request (top-level fields "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7" and 2 more). Invoke it only through an HTTP API route: ` + fixHTTPAPI, ""},
		{"a payload 2.0 event that does not decode", strings.Replace(request, `"timeEpoch":1795256130000`, `"timeEpoch":"soon"`, 1), "",
			`a payload format 2.0 event that does not decode (requestContext.timeEpoch is a JSON string where int64 belongs). ` +
				`API Gateway always sets it, so no HTTP API wrote this event: ` + fixHTTPAPI},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := New("test", hello, nil).Invoke(context.Background(), []byte(c.payload))
			const prefix = "monban's test function serves API Gateway HTTP API requests in payload format 2.0, but received "
			if c.wantErr != "" {
				if err == nil || err.Error() != prefix+c.wantErr {
					t.Fatalf("err = %v, answer %s\nwant error %s", err, out, prefix+c.wantErr)
				}
				return
			}
			var resp events.APIGatewayV2HTTPResponse
			var body apierror.Body
			if err != nil || json.Unmarshal(out, &resp) != nil || json.Unmarshal([]byte(resp.Body), &body) != nil {
				t.Fatalf("answer %s, error %v", out, err)
			}
			if resp.StatusCode != 500 || body.Error.Code != "internal" || body.Error.Message != prefix+c.wantBody {
				t.Fatalf("answer %d %+v\nwant 500 with %s", resp.StatusCode, body.Error, prefix+c.wantBody)
			}
		})
	}
}

// BenchmarkInvoke compares the Lambda entry point as it was before Handler (the runtime
// decoding into the payload 2.0 type with encoding/json, httpadapter, the runtime encoding)
// with Handler (the wiring check, the event decoded without reflection, the request made
// and the response encoded as the adapter and the runtime would), for a small event and a
// signed-in browser's (sessionEvent: ten headers, a session cookie).
func BenchmarkInvoke(b *testing.B) {
	for _, ev := range []struct{ name, payload string }{{"small", request}, {"browser", sessionEvent}} {
		for _, c := range []struct {
			name string
			h    lambda.Handler
		}{
			{"runtime-typed", lambda.NewHandler(httpadapter.NewV2(hello).ProxyWithContext)},
			{"checked", lambda.NewHandler(New("test", hello, slog.New(slog.DiscardHandler)))},
		} {
			b.Run(ev.name+"/"+c.name, func(b *testing.B) {
				payload := []byte(ev.payload)
				b.ReportAllocs()
				for b.Loop() {
					if _, err := c.h.Invoke(context.Background(), payload); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
