package lambdaruntime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// startFake starts the test binary as a function in the given mode.
func startFake(t *testing.T, mode string, o Options) (*Function, error) {
	t.Helper()
	o.Bootstrap = os.Args[0]
	if o.Name == "" {
		o.Name = "fake"
	}
	if o.Env == nil {
		o.Env = map[string]string{}
	}
	o.Env[fakeEnv] = mode
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	f, err := Start(ctx, o)
	if f != nil {
		t.Cleanup(func() {
			if err := f.Stop(); err != nil {
				t.Error(err)
			}
		})
	}
	return f, err
}

func invoke(t *testing.T, f *Function, event string) ([]byte, *FunctionError) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	resp, fnErr, err := f.Invoke(ctx, []byte(event))
	if err != nil {
		t.Fatalf("Invoke: %v\nstderr:\n%s", err, f.Stderr())
	}
	return resp, fnErr
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestInvokeDeliversTheEventWithLambdasHeadersAndEnvironment(t *testing.T) {
	t.Setenv("LAMBDARUNTIME_PARENT_ONLY", "must not reach the function")
	f, err := startFake(t, "echo", Options{
		Name:     "echo-fn",
		MemoryMB: 512,
		Timeout:  3 * time.Second,
		Env:      map[string]string{"FAKE_SETTING": "from the template", "AWS_REGION": "eu-west-1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	resp, fnErr := invoke(t, f, `{"hello":"world"}`)
	if fnErr != nil {
		t.Fatalf("function error %v", fnErr)
	}
	var got struct {
		Event                      map[string]any
		RequestID                  string `json:"request_id"`
		FunctionARN                string `json:"function_arn"`
		FunctionName               string `json:"function_name"`
		MemoryMB                   int    `json:"memory_mb"`
		DeadlineMS                 string `json:"deadline_ms"`
		TraceID                    string `json:"trace_id"`
		Handler, Custom, Inherited string
	}
	if err := json.Unmarshal(resp, &got); err != nil {
		t.Fatalf("response %s: %v", resp, err)
	}
	if got.Event["hello"] != "world" {
		t.Errorf("event arrived as %v", got.Event)
	}
	if !uuidPattern.MatchString(got.RequestID) {
		t.Errorf("request id %q is not a UUID", got.RequestID)
	}
	if got.FunctionARN != "arn:aws:lambda:eu-west-1:123456789012:function:echo-fn" || got.FunctionName != "echo-fn" || got.MemoryMB != 512 || got.Handler != "bootstrap" {
		t.Errorf("function identity: arn %q, name %q, memory %d, handler %q", got.FunctionARN, got.FunctionName, got.MemoryMB, got.Handler)
	}
	ms, _ := strconv.ParseInt(got.DeadlineMS, 10, 64)
	if d := time.UnixMilli(ms).Sub(before); d < 2*time.Second || d > 4*time.Second {
		t.Errorf("deadline %s after the call; the timeout is 3s", d)
	}
	if !strings.HasPrefix(got.TraceID, "Root=1-") {
		t.Errorf("trace id %q", got.TraceID)
	}
	if got.Custom != "from the template" || got.Inherited != "" {
		t.Errorf("environment: own setting %q, inherited %q (must be empty)", got.Custom, got.Inherited)
	}
}

func TestEachInvocationGetsItsOwnRequestID(t *testing.T) {
	f, err := startFake(t, "echo", Options{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i := range 3 {
		resp, fnErr := invoke(t, f, `{"n":`+strconv.Itoa(i)+`}`)
		if fnErr != nil {
			t.Fatal(fnErr)
		}
		var got struct {
			RequestID string `json:"request_id"`
		}
		_ = json.Unmarshal(resp, &got)
		if seen[got.RequestID] {
			t.Fatalf("request id %q reused", got.RequestID)
		}
		seen[got.RequestID] = true
	}
}

func TestAReturnedErrorIsAFunctionError(t *testing.T) {
	f, err := startFake(t, "echo", Options{})
	if err != nil {
		t.Fatal(err)
	}
	resp, fnErr := invoke(t, f, `{"fail":"user is not allowed"}`)
	if fnErr == nil || fnErr.Type != "errorString" || fnErr.Message != "user is not allowed" || resp != nil {
		t.Fatalf("got %s, %+v; want the function's error", resp, fnErr)
	}
	// The environment stays usable, as in Lambda.
	if _, fnErr := invoke(t, f, `{}`); fnErr != nil {
		t.Fatalf("after an error: %v", fnErr)
	}
}

func TestAPanicIsAFunctionErrorWithAStackTrace(t *testing.T) {
	f, err := startFake(t, "echo", Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, fnErr := invoke(t, f, `{"panic":true}`)
	if fnErr == nil || !strings.Contains(fnErr.Message, "asked to panic") || !bytes.Contains(fnErr.Body, []byte("stackTrace")) {
		t.Fatalf("got %+v", fnErr)
	}
}

func TestAResponseFailingPartWayIsAFunctionError(t *testing.T) {
	f, err := startFake(t, "broken-stream", Options{})
	if err != nil {
		t.Fatal(err)
	}
	resp, fnErr := invoke(t, f, `{}`)
	if fnErr == nil || !strings.Contains(fnErr.Message, "disk on fire") || resp != nil {
		t.Fatalf("got %q, %+v; want the read error as a function error", resp, fnErr)
	}
}

func TestAProcessExitingMidInvocationIsARuntimeExitError(t *testing.T) {
	f, err := startFake(t, "echo", Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, fnErr := invoke(t, f, `{"exit":4}`)
	if fnErr == nil || fnErr.Type != "Runtime.ExitError" || !strings.Contains(fnErr.Message, "exit status 4") {
		t.Fatalf("got %+v", fnErr)
	}
	if _, _, err := f.Invoke(t.Context(), []byte(`{}`)); !errors.Is(err, errStopped) {
		t.Fatalf("Invoke after exit: %v", err)
	}
}

func TestAnInvocationPastItsTimeoutStopsTheFunction(t *testing.T) {
	f, err := startFake(t, "echo", Options{Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, _, err = f.Invoke(t.Context(), []byte(`{"sleep_ms":5000}`))
	if err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("err %v; want a timeout", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("timeout took %s", d)
	}
	if _, _, err := f.Invoke(t.Context(), []byte(`{}`)); !errors.Is(err, errStopped) {
		t.Fatalf("Invoke after timeout: %v", err)
	}
}

func TestAReportedInitErrorIsAnInitError(t *testing.T) {
	_, err := startFake(t, "config-error", Options{})
	var ie *InitError
	if !errors.As(err, &ie) {
		t.Fatalf("err %v; want an *InitError", err)
	}
	if !ie.Reported || ie.Type != "Runtime.ConfigError" || !strings.Contains(ie.Message, "MONBAN_CLIENT_ID: required") || ie.ExitCode != 1 {
		t.Errorf("init error %+v", ie)
	}
	if !strings.Contains(ie.Stderr, `"errorType":"Runtime.ConfigError"`) {
		t.Errorf("stderr lacks the JSON log line: %q", ie.Stderr)
	}
}

func TestExitingBeforeTheFirstEventIsAnInitError(t *testing.T) {
	_, err := startFake(t, "exit", Options{})
	var ie *InitError
	if !errors.As(err, &ie) {
		t.Fatalf("err %v; want an *InitError", err)
	}
	if ie.Reported || ie.Type != "Runtime.ExitError" || ie.ExitCode != 7 || !strings.Contains(ie.Stderr, "no luck today") {
		t.Errorf("init error %+v", ie)
	}
}

func TestAnInitPastItsTimeoutIsStopped(t *testing.T) {
	start := time.Now()
	_, err := startFake(t, "hang", Options{InitTimeout: 300 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "did not ask for an event") {
		t.Fatalf("err %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s", d)
	}
}

func TestTheRuntimeAPIRefusesWhatLambdaRefuses(t *testing.T) {
	f, err := startFake(t, "echo", Options{})
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + f.api.addr + "/2018-06-01/runtime/"
	cases := []struct {
		name, path string
		want       int
	}{
		{"a response for an unknown request id", "invocation/not-a-request/response", http.StatusBadRequest},
		{"an error for an unknown request id", "invocation/not-a-request/error", http.StatusBadRequest},
		{"an init error once init is over", "init/error", http.StatusForbidden},
		{"an unknown endpoint", "invocation/next/extra", http.StatusNotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, err := http.Post(base+c.path, "application/json", strings.NewReader(`{"errorType":"X","errorMessage":"y"}`))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Errorf("status %d, want %d", resp.StatusCode, c.want)
			}
		})
	}
	// And the function is still fine.
	if _, fnErr := invoke(t, f, `{}`); fnErr != nil {
		t.Fatal(fnErr)
	}
}

func TestEventsMustBeJSON(t *testing.T) {
	f, err := startFake(t, "echo", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.Invoke(t.Context(), []byte("not json")); err == nil {
		t.Fatal("a non-JSON event was sent")
	}
}

func TestStopEndsTheFunctionAndIsIdempotent(t *testing.T) {
	f, err := startFake(t, "echo", Options{})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := f.Stop(); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := f.Invoke(t.Context(), []byte(`{}`)); !errors.Is(err, errStopped) {
		t.Fatalf("Invoke after Stop: %v", err)
	}
}
