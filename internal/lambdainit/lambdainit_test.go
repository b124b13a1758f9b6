package lambdainit

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// runtimeAPI records what a function posts to /runtime/init/error.
type runtimeAPI struct {
	path, errorType, contentType string
	body                         map[string]string
	calls                        int
}

func (a *runtimeAPI) serve(t *testing.T, status int) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.calls++
		a.path = r.Method + " " + r.URL.Path
		a.errorType = r.Header.Get("Lambda-Runtime-Function-Error-Type")
		a.contentType = r.Header.Get("Content-Type")
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &a.body); err != nil {
			t.Errorf("body is not a JSON object of strings: %v: %s", err, b)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func TestFailReportsAnInitErrorAndLogsItAsJSON(t *testing.T) {
	var api runtimeAPI
	addr := api.serve(t, http.StatusAccepted)
	var logs bytes.Buffer
	fail(errors.New("invalid configuration:\n  - MONBAN_CLIENT_ID: required"), addr, &logs)

	if api.calls != 1 || api.path != "POST /2018-06-01/runtime/init/error" {
		t.Fatalf("calls %d, last %q; want one POST /2018-06-01/runtime/init/error", api.calls, api.path)
	}
	if api.errorType != ErrorType || api.contentType != "application/json" {
		t.Errorf("headers: error type %q, content type %q", api.errorType, api.contentType)
	}
	if api.body["errorType"] != ErrorType || !strings.Contains(api.body["errorMessage"], "MONBAN_CLIENT_ID: required") {
		t.Errorf("body %v", api.body)
	}
	var line map[string]any
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatalf("log is not one JSON line: %v: %s", err, logs.Bytes())
	}
	if line["level"] != "ERROR" || line["errorType"] != ErrorType || !strings.Contains(line["error"].(string), "MONBAN_CLIENT_ID") {
		t.Errorf("log line %v", line)
	}
}

func TestFailOutsideLambdaOnlyLogs(t *testing.T) {
	var logs bytes.Buffer
	fail(errors.New("MONBAN_USER_POOL_ID: required"), "", &logs)
	if n := strings.Count(logs.String(), "\n"); n != 1 || !strings.Contains(logs.String(), "MONBAN_USER_POOL_ID") {
		t.Errorf("want one log line naming the variable, got %q", logs.String())
	}
}

func TestFailLogsWhenTheRuntimeAPIRefusesTheReport(t *testing.T) {
	var api runtimeAPI
	addr := api.serve(t, http.StatusForbidden) // Lambda's answer once init is over
	var logs bytes.Buffer
	fail(errors.New("boom"), addr, &logs)
	if !strings.Contains(logs.String(), "init error not reported") || !strings.Contains(logs.String(), "403") {
		t.Errorf("refusal not logged: %q", logs.String())
	}
}

func TestReportGivesUpOnAHungRuntimeAPI(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	old := reportTimeout
	reportTimeout = 100 * time.Millisecond
	defer func() { reportTimeout = old }()

	start := time.Now()
	err := report(strings.TrimPrefix(srv.URL, "http://"), errors.New("boom"))
	if err == nil {
		t.Fatal("report to a hung endpoint succeeded")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("report took %s; the timeout is %s", d, reportTimeout)
	}
}

func TestFailWithoutAnErrorStillReports(t *testing.T) {
	var api runtimeAPI
	addr := api.serve(t, http.StatusAccepted)
	fail(nil, addr, io.Discard)
	if api.body["errorMessage"] == "" {
		t.Errorf("empty message reported: %v", api.body)
	}
}
