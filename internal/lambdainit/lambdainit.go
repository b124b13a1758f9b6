// Package lambdainit ends a Lambda function that cannot start, the way Lambda expects: it
// reports the cause to the Runtime API as an init error, then exits. Without the report,
// Lambda only sees the process exit and says "Runtime.ExitError" to every caller; with it,
// the invoke error and the logs name what is wrong (Runtime.ConfigError and the message).
//
// aws-lambda-go posts init errors only for failures inside lambda.Start, so each function's
// main calls Fail when building its handler fails, before lambda.Start.
package lambdainit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/monban-auth/monban/internal/logging"
)

// ErrorType is the error type Fail reports: the function's configuration (environment,
// secrets it reads at start) is not usable, so retrying the same deployment cannot help.
const ErrorType = "Runtime.ConfigError"

// reportTimeout bounds the call to the Runtime API. It is a local endpoint that answers at
// once; a hung call must not keep a dead function in init until Lambda's 10 s limit.
var reportTimeout = 2 * time.Second

// Fail logs err as a JSON line on stderr, reports it to the Lambda Runtime API as an init
// error of type ErrorType when AWS_LAMBDA_RUNTIME_API is set, and exits with status 1. It
// never returns.
//
// err's message is logged and sent to Lambda as is, so it must name what is wrong (which
// variable, which call) and never carry a secret's value; config.Load's errors are such.
func Fail(err error) {
	fail(err, os.Getenv("AWS_LAMBDA_RUNTIME_API"), os.Stderr)
	os.Exit(1)
}

func fail(err error, runtimeAPI string, logTo io.Writer) {
	if err == nil {
		err = errors.New("init failed for an unknown reason")
	}
	log := logging.New(logTo, slog.LevelInfo)
	log.Error("function cannot start", "errorType", ErrorType, "error", err.Error())
	if runtimeAPI == "" {
		return // not under Lambda (a local run): the log line is the report
	}
	if rerr := report(runtimeAPI, err); rerr != nil {
		log.Error("init error not reported to the Lambda Runtime API", "error", rerr.Error())
	}
}

// report posts err to the Runtime API's /runtime/init/error.
func report(runtimeAPI string, err error) error {
	body, jerr := json.Marshal(struct {
		Message string `json:"errorMessage"`
		Type    string `json:"errorType"`
	}{err.Error(), ErrorType})
	if jerr != nil {
		return jerr
	}
	ctx, cancel := context.WithTimeout(context.Background(), reportTimeout)
	defer cancel()
	url := "http://" + runtimeAPI + "/2018-06-01/runtime/init/error"
	req, rerr := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if rerr != nil {
		return rerr
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Lambda-Runtime-Function-Error-Type", ErrorType)
	// The Runtime API is local: never route it through a proxy from the environment.
	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	resp, rerr := client.Do(req)
	if rerr != nil {
		return rerr
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("POST %s: status %d", url, resp.StatusCode)
	}
	return nil
}
