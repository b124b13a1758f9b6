package lambdaruntime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/monban-auth/monban/internal/lambdainit"
)

// fakeEnv makes the test binary act as a Lambda function (see runFake), so the harness is
// tested against aws-lambda-go's real runtime loop without building anything.
const fakeEnv = "LAMBDARUNTIME_FAKE"

func TestMain(m *testing.M) {
	if mode := os.Getenv(fakeEnv); mode != "" {
		runFake(mode)
		return
	}
	dir, err := os.MkdirTemp("", "lambdaruntime-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	workDir = dir
	code := m.Run()
	stopEmulator()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// workDir holds this test binary's builds and emulator data; TestMain removes it.
var workDir string

// runFake is a function in one of a few behaviours, chosen by the test that starts it.
func runFake(mode string) {
	switch mode {
	case "echo":
		lambda.Start(echo)
	case "broken-stream":
		// A response that fails part-way: aws-lambda-go reports it in HTTP trailers.
		lambda.Start(func() (io.Reader, error) {
			return io.MultiReader(strings.NewReader(`{"partial":`), iotest.ErrReader(errors.New("disk on fire"))), nil
		})
	case "config-error":
		lambdainit.Fail(errors.New("invalid configuration:\n  - MONBAN_CLIENT_ID: required"))
	case "exit":
		fmt.Fprintln(os.Stderr, "cannot start: no luck today")
		os.Exit(7)
	case "hang":
		time.Sleep(time.Minute) // longer than any test waits; the harness kills it first
	case "spawn":
		// A child in the same process group, which Stop must take down too.
		child := exec.Command(os.Args[0])
		child.Env = []string{fakeEnv + "=hang"}
		if err := child.Start(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		fmt.Printf("child=%d\n", child.Process.Pid)
		lambda.Start(echo)
	default:
		fmt.Fprintf(os.Stderr, "unknown %s=%q\n", fakeEnv, mode)
		os.Exit(2)
	}
}

// echo answers with what it was given and what it knows of its invocation; fields of the
// event make it fail, panic, exit or dawdle.
func echo(ctx context.Context, e map[string]any) (map[string]any, error) {
	if msg, ok := e["fail"].(string); ok {
		return nil, errors.New(msg)
	}
	if _, ok := e["panic"]; ok {
		panic("echo was asked to panic")
	}
	if code, ok := e["exit"].(float64); ok {
		os.Exit(int(code))
	}
	if ms, ok := e["sleep_ms"].(float64); ok {
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
	lc, _ := lambdacontext.FromContext(ctx)
	deadline, _ := ctx.Deadline()
	return map[string]any{
		"event":         e,
		"request_id":    lc.AwsRequestID,
		"function_arn":  lc.InvokedFunctionArn,
		"function_name": lambdacontext.FunctionName,
		"memory_mb":     lambdacontext.MemoryLimitInMB,
		"deadline_ms":   strconv.FormatInt(deadline.UnixMilli(), 10),
		"trace_id":      os.Getenv("_X_AMZN_TRACE_ID"),
		"handler":       os.Getenv("_HANDLER"),
		"custom":        os.Getenv("FAKE_SETTING"),
		"inherited":     os.Getenv("LAMBDARUNTIME_PARENT_ONLY"),
	}, nil
}
