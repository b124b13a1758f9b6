// Package lambdainvoke answers AWS Lambda's Invoke API
// (POST /2015-03-31/functions/{name}/invocations) for a fixed set of in-process functions,
// so that an emulator which invokes Lambda triggers, such as cognito-local, runs monban's
// real trigger handlers. Each function is a lambda.Handler, so an event goes through the
// same JSON decoding and encoding as in the Lambda runtime.
//
// It is for local use only: it checks no request signature, so it listens on 127.0.0.1.
package lambdainvoke

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

const (
	// maxPayload is Lambda's limit for a synchronous invocation's request.
	maxPayload = 6 << 20
	// defaultTimeout is how long Cognito waits for a trigger.
	defaultTimeout = 5 * time.Second
)

// Options tune a Handler; the zero value is usable.
type Options struct {
	// Log receives one line per invocation (never the payload); nil discards them.
	Log *slog.Logger
	// Timeout is the deadline each invocation's context carries; 0 means 5 seconds.
	Timeout time.Duration
}

// function serialises invocations of one handler, as one Lambda instance runs one event at
// a time. lambda.NewHandler's Invoke also reuses its output buffer, so the result must be
// copied before another invocation starts.
type function struct {
	mu sync.Mutex
	h  lambda.Handler
}

type handler struct {
	functions map[string]*function
	log       *slog.Logger
	timeout   time.Duration
}

// NewHandler returns the Invoke API for functions, keyed by function name.
func NewHandler(functions map[string]lambda.Handler, o Options) http.Handler {
	h := &handler{functions: map[string]*function{}, log: o.Log, timeout: o.Timeout}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.timeout <= 0 {
		h.timeout = defaultTimeout
	}
	for name, fn := range functions {
		h.functions[name] = &function{h: fn}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2015-03-31/functions/{name}/invocations", h.invoke)
	return mux
}

// invocationError is the body of a failed invocation, as Lambda reports it.
type invocationError struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType"`
}

func (h *handler) invoke(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	fn := h.functions[name]
	if fn == nil {
		serviceError(w, http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+name)
		return
	}
	switch r.Header.Get("X-Amz-Invocation-Type") {
	case "", "RequestResponse":
	default:
		serviceError(w, http.StatusBadRequest, "InvalidParameterValueException", "only RequestResponse invocations are supported here")
		return
	}
	payload, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPayload))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		serviceError(w, http.StatusRequestEntityTooLarge, "RequestTooLargeException", "request payload exceeds the 6 MB limit")
		return
	case err != nil:
		serviceError(w, http.StatusBadRequest, "InvalidRequestContentException", "could not read the request payload")
		return
	case !json.Valid(payload):
		serviceError(w, http.StatusBadRequest, "InvalidRequestContentException", "could not parse request body into json")
		return
	}

	requestID := rand.Text()
	ctx, cancel := context.WithTimeout(r.Context(), h.timeout)
	defer cancel()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{
		AwsRequestID:       requestID,
		InvokedFunctionArn: "arn:aws:lambda:local:000000000000:function:" + name,
	})
	start := time.Now()
	out, fnErr := fn.call(ctx, payload)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.Header().Set("X-Amz-Executed-Version", "$LATEST")
	if fnErr != nil {
		h.log.InfoContext(ctx, "lambda invocation failed", "function", name, "error_type", fnErr.ErrorType,
			"duration_ms", time.Since(start).Milliseconds())
		// A function error is still a successful Invoke call: 200, flagged by a header.
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		out, _ = json.Marshal(fnErr)
	} else {
		h.log.DebugContext(ctx, "lambda invocation", "function", name, "duration_ms", time.Since(start).Milliseconds())
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}

// call runs one invocation; a returned error or a panic becomes the invocation's error.
func (f *function) call(ctx context.Context, payload []byte) (out []byte, fnErr *invocationError) {
	f.mu.Lock()
	defer f.mu.Unlock()
	defer func() {
		if v := recover(); v != nil {
			out, fnErr = nil, &invocationError{ErrorMessage: fmt.Sprint(v), ErrorType: typeName(v)}
		}
	}()
	b, err := f.h.Invoke(ctx, payload)
	if err != nil {
		return nil, &invocationError{ErrorMessage: err.Error(), ErrorType: typeName(err)}
	}
	return append([]byte(nil), b...), nil
}

// typeName names an error's type the way the Go Lambda runtime reports errorType.
func typeName(v any) string {
	t := reflect.TypeOf(v)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Name() == "" {
		return t.String()
	}
	return t.Name()
}

// serviceError answers an Invoke call that never reached a function, in the shape AWS SDKs
// parse (the error code in X-Amzn-Errortype).
func serviceError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"Type": "User", "message": message})
}

// Server is a Handler listening on a free port of 127.0.0.1.
type Server struct {
	// URL is the endpoint to give a Lambda client, http://127.0.0.1:<port>.
	URL string

	srv       *http.Server
	done      chan error
	closeOnce sync.Once
	closeErr  error
}

// Start serves NewHandler(functions, o) on 127.0.0.1 at a port the kernel picks, until
// Close.
func Start(functions map[string]lambda.Handler, o Options) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("lambdainvoke: listen: %w", err)
	}
	s := &Server{
		URL:  "http://" + ln.Addr().String(),
		srv:  &http.Server{Handler: NewHandler(functions, o), ReadHeaderTimeout: 5 * time.Second},
		done: make(chan error, 1),
	}
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

// Close stops the server, letting invocations under way finish for up to 5 seconds. It is
// safe to call more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = StopServer(s.srv, s.done) })
	return s.closeErr
}

// StopServer stops srv, whose Serve result arrives on done: requests under way get up to 5
// seconds, then the connections are closed. The local stack's API front stops the same way.
func StopServer(srv *http.Server, done <-chan error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = srv.Close()
	}
	if serveErr := <-done; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	return err
}
