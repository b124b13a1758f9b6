package lambdainvoke

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/monban-auth/monban/internal/golden"
	"github.com/monban-auth/monban/internal/triggers/presignup"
)

type greeting struct {
	Name string `json:"name"`
}

type refusal struct{ why string }

func (r *refusal) Error() string { return r.why }

func startServer(t *testing.T) *Server {
	t.Helper()
	signUp, err := presignup.New(presignup.Config{AllowedDomains: []string{"example.com"}, AutoConfirm: true, AutoVerifyEmail: true}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Start(map[string]lambda.Handler{
		"pre-sign-up": lambda.NewHandler(signUp.Handle),
		"greet": lambda.NewHandler(func(_ context.Context, g greeting) (greeting, error) {
			return greeting{Name: "hello " + g.Name}, nil
		}),
		"refuse": lambda.NewHandler(func(context.Context, greeting) (greeting, error) {
			return greeting{}, &refusal{why: "not today"}
		}),
		"crash": lambda.NewHandler(func(context.Context, greeting) (greeting, error) {
			panic("boom")
		}),
		"context": lambda.NewHandler(func(ctx context.Context) (map[string]any, error) {
			lc, ok := lambdacontext.FromContext(ctx)
			deadline, hasDeadline := ctx.Deadline()
			return map[string]any{
				"ok": ok && lc.AwsRequestID != "", "arn": lc.InvokedFunctionArn,
				"deadline_within_5s": hasDeadline && time.Until(deadline) <= 5*time.Second,
			}, nil
		}),
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Fatalf("server URL %s is not on 127.0.0.1", s.URL)
	}
	return s
}

func testdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestInvokeOverHTTP(t *testing.T) {
	s := startServer(t)
	hc := &http.Client{Timeout: 10 * time.Second}
	otherDomain := strings.Replace(testdata(t, "pre-sign-up-cognito-local.json"), "zed@example.com", "zed@elsewhere.example", 1)
	cases := []struct {
		name       string
		method     string
		function   string
		header     map[string]string
		body       string
		wantStatus int
		wantHeader map[string]string // "" means the header must be absent
		wantBody   string            // JSON, compared as values
		golden     string            // or a golden file under testdata/golden
	}{
		{name: "a function's answer comes back as the body", function: "greet", body: `{"name":"Ann"}`,
			wantStatus: 200, wantHeader: map[string]string{"X-Amz-Function-Error": "", "X-Amz-Executed-Version": "$LATEST"}, wantBody: `{"name":"hello Ann"}`},
		{name: "cognito-local's pre-sign-up event is answered by the real trigger", function: "pre-sign-up", body: testdata(t, "pre-sign-up-cognito-local.json"),
			wantStatus: 200, wantHeader: map[string]string{"X-Amz-Function-Error": ""}, golden: "pre-sign-up-confirmed.json"},
		{name: "a refused sign-up is a function error carrying the message", function: "pre-sign-up", body: otherDomain,
			wantStatus: 200, wantHeader: map[string]string{"X-Amz-Function-Error": "Unhandled"}, golden: "pre-sign-up-refused.json"},
		{name: "an error is reported with its message and type", function: "refuse", body: `{"name":"Ann"}`,
			wantStatus: 200, wantHeader: map[string]string{"X-Amz-Function-Error": "Unhandled"}, wantBody: `{"errorMessage":"not today","errorType":"refusal"}`},
		{name: "a panic is reported as a function error, not a dropped connection", function: "crash", body: `{}`,
			wantStatus: 200, wantHeader: map[string]string{"X-Amz-Function-Error": "Unhandled"}, wantBody: `{"errorMessage":"boom","errorType":"string"}`},
		{name: "an event the function cannot decode is a function error", function: "greet", body: `{"name":42}`,
			wantStatus: 200, wantHeader: map[string]string{"X-Amz-Function-Error": "Unhandled"}},
		{name: "the function sees a Lambda context and Cognito's deadline", function: "context", body: `{}`,
			wantStatus: 200, wantBody: `{"ok":true,"arn":"arn:aws:lambda:local:000000000000:function:context","deadline_within_5s":true}`},
		{name: "an unknown function is not found", function: "nope", body: `{}`,
			wantStatus: 404, wantHeader: map[string]string{"X-Amzn-Errortype": "ResourceNotFoundException"}},
		{name: "a body that is not JSON is refused", function: "greet", body: `{"name":`,
			wantStatus: 400, wantHeader: map[string]string{"X-Amzn-Errortype": "InvalidRequestContentException"}},
		{name: "an asynchronous invocation is refused", function: "greet", header: map[string]string{"X-Amz-Invocation-Type": "Event"}, body: `{}`,
			wantStatus: 400, wantHeader: map[string]string{"X-Amzn-Errortype": "InvalidParameterValueException"}},
		{name: "an explicit request-response invocation is served", function: "greet", header: map[string]string{"X-Amz-Invocation-Type": "RequestResponse"}, body: `{"name":"Bo"}`,
			wantStatus: 200, wantBody: `{"name":"hello Bo"}`},
		{name: "a payload over Lambda's 6 MB limit is refused", function: "greet", body: `{"name":"` + strings.Repeat("x", 6<<20) + `"}`,
			wantStatus: 413, wantHeader: map[string]string{"X-Amzn-Errortype": "RequestTooLargeException"}},
		{name: "only POST invokes", method: http.MethodGet, function: "greet",
			wantStatus: 405},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			method := c.method
			if method == "" {
				method = http.MethodPost
			}
			req, err := http.NewRequest(method, s.URL+"/2015-03-31/functions/"+c.function+"/invocations", strings.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range c.header {
				req.Header.Set(k, v)
			}
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != c.wantStatus {
				t.Fatalf("status %d, want %d; body %s", resp.StatusCode, c.wantStatus, body)
			}
			for k, want := range c.wantHeader {
				if got := resp.Header.Get(k); got != want {
					t.Errorf("header %s = %q, want %q", k, got, want)
				}
			}
			if c.wantBody != "" && !sameJSON(t, body, []byte(c.wantBody)) {
				t.Errorf("body %s, want %s", body, c.wantBody)
			}
			if c.golden != "" {
				golden.JSON(t, c.golden, body)
			}
		})
	}
}

// The emulator may call while another invocation is under way; each call gets its own
// answer.
func TestConcurrentInvocationsGetTheirOwnAnswers(t *testing.T) {
	s := startServer(t)
	hc := &http.Client{Timeout: 10 * time.Second}
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Go(func() {
			name := strings.Repeat("n", i+1)
			resp, err := hc.Post(s.URL+"/2015-03-31/functions/greet/invocations", "application/json", strings.NewReader(`{"name":"`+name+`"}`))
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			var g greeting
			if err := json.NewDecoder(resp.Body).Decode(&g); err != nil || g.Name != "hello "+name {
				errs <- errors.New("wrong answer for " + name + ": " + g.Name)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestCloseTwiceIsFine(t *testing.T) {
	s, err := Start(nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Post(s.URL+"/2015-03-31/functions/x/invocations", "application/json", strings.NewReader("{}")); err == nil {
		t.Fatal("the server still answers after Close")
	}
}

func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return bytes.Equal(xb, yb)
}
