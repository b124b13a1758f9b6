// Package lambdaruntime runs a built Lambda function binary (bootstrap) the way Lambda runs
// it: as a child process with Lambda's environment, talking to a local implementation of the
// Lambda Runtime API (version 2018-06-01) on 127.0.0.1. Tests use it to prove that what SAM
// deploys — the stripped lambda.norpc binary, not the handler called in-process — starts,
// reads its configuration and answers real events; benchmarks use it to time a cold start.
//
// Only what a function's runtime calls is implemented: next invocation, invocation response
// and error, and init error. Extensions, response streaming and the telemetry API are not.
package lambdaruntime

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Header names of the Runtime API.
const (
	headerRequestID   = "Lambda-Runtime-Aws-Request-Id"
	headerDeadline    = "Lambda-Runtime-Deadline-Ms"
	headerFunctionARN = "Lambda-Runtime-Invoked-Function-Arn"
	headerTraceID     = "Lambda-Runtime-Trace-Id"
	headerErrorType   = "Lambda-Runtime-Function-Error-Type"
	trailerErrorBody  = "Lambda-Runtime-Function-Error-Body"
)

// maxPayload is Lambda's limit for a synchronous response (6 MB); error bodies share it.
const maxPayload = 6 << 20

// FunctionError is what a function reported for a failed invocation (its handler returned an
// error or panicked), or what the harness says on its behalf when the process died mid-way.
type FunctionError struct {
	Type    string `json:"errorType"`
	Message string `json:"errorMessage"`
	// Body is the error document as posted, for details such as stackTrace.
	Body []byte `json:"-"`
}

func (e *FunctionError) Error() string { return e.Type + ": " + e.Message }

// invocation is one event on its way through the Runtime API.
type invocation struct {
	id, arn, traceID string
	event            []byte
	deadline         time.Time
	done             chan result // buffered: the API never waits for Invoke
}

type result struct {
	response []byte
	fnErr    *FunctionError
}

// runtimeAPI is the HTTP side: it hands queued invocations to GET .../next and routes what
// the function posts back to the waiting Invoke.
type runtimeAPI struct {
	addr  string
	srv   *http.Server
	queue chan *invocation // unbuffered: an event is handed straight to a waiting /next

	ready      chan struct{} // closed at the first /next: init is over
	readyOnce  sync.Once
	initFailed chan struct{} // closed when /init/error is posted
	stopped    chan struct{} // closed by close: /next calls return
	stopOnce   sync.Once

	mu      sync.Mutex
	pending map[string]*invocation
	initErr *FunctionError
}

func startRuntimeAPI() (*runtimeAPI, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	a := &runtimeAPI{
		addr:       ln.Addr().String(),
		queue:      make(chan *invocation),
		ready:      make(chan struct{}),
		initFailed: make(chan struct{}),
		stopped:    make(chan struct{}),
		pending:    map[string]*invocation{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", a.next)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", a.response)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", a.invocationError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", a.initError)
	a.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = a.srv.Serve(ln) }()
	return a, nil
}

// close ends waiting /next calls and the server.
func (a *runtimeAPI) close() {
	a.stopOnce.Do(func() {
		close(a.stopped)
		_ = a.srv.Close()
	})
}

func (a *runtimeAPI) isReady() bool {
	select {
	case <-a.ready:
		return true
	default:
		return false
	}
}

// next blocks until an event is queued, the function goes away or the harness stops.
func (a *runtimeAPI) next(w http.ResponseWriter, r *http.Request) {
	a.readyOnce.Do(func() { close(a.ready) })
	select {
	case inv := <-a.queue:
		h := w.Header()
		h.Set(headerRequestID, inv.id)
		h.Set(headerDeadline, strconv.FormatInt(inv.deadline.UnixMilli(), 10))
		h.Set(headerFunctionARN, inv.arn)
		h.Set(headerTraceID, inv.traceID)
		h.Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(inv.event)
	case <-r.Context().Done():
	case <-a.stopped:
		writeAPIError(w, http.StatusInternalServerError, "Runtime.Stopped", "the harness is stopping")
	}
}

func (a *runtimeAPI) response(w http.ResponseWriter, r *http.Request) {
	body, err := readPayload(w, r)
	inv := a.take(r.PathValue("id"))
	if inv == nil {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequestID", "no invocation in flight with this request id")
		return
	}
	switch {
	case err != nil:
		// Lambda fails the invocation when the response cannot be taken.
		inv.done <- result{fnErr: &FunctionError{Type: "Function.ResponseSizeTooLarge", Message: err.Error()}}
		writeAPIError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", err.Error())
		return
	case r.Trailer.Get(headerErrorType) != "":
		// aws-lambda-go streams the response and, when reading it fails part-way, says so
		// in trailers: the invocation failed even though a response was posted.
		inv.done <- result{fnErr: trailerError(r.Trailer)}
	default:
		inv.done <- result{response: body}
	}
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func (a *runtimeAPI) invocationError(w http.ResponseWriter, r *http.Request) {
	body, err := readPayload(w, r)
	inv := a.take(r.PathValue("id"))
	if inv == nil {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequestID", "no invocation in flight with this request id")
		return
	}
	inv.done <- result{fnErr: decodeError(body, err, r.Header.Get(headerErrorType))}
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func (a *runtimeAPI) initError(w http.ResponseWriter, r *http.Request) {
	body, err := readPayload(w, r)
	if a.isReady() {
		// As Lambda: once the runtime has asked for an event, init is over.
		writeAPIError(w, http.StatusForbidden, "InvalidStateTransition", "init is already complete")
		return
	}
	a.mu.Lock()
	first := a.initErr == nil
	if first {
		a.initErr = decodeError(body, err, r.Header.Get(headerErrorType))
	}
	a.mu.Unlock()
	if first {
		close(a.initFailed)
	}
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func (a *runtimeAPI) reportedInitError() *FunctionError {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.initErr
}

func (a *runtimeAPI) add(inv *invocation) {
	a.mu.Lock()
	a.pending[inv.id] = inv
	a.mu.Unlock()
}

// take removes and returns the invocation with this id: each gets one answer.
func (a *runtimeAPI) take(id string) *invocation {
	a.mu.Lock()
	defer a.mu.Unlock()
	inv := a.pending[id]
	delete(a.pending, id)
	return inv
}

func readPayload(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	return io.ReadAll(http.MaxBytesReader(w, r.Body, maxPayload))
}

// decodeError reads an error document ({"errorType", "errorMessage", ...}); the header's
// type is the fallback, as the Runtime API documents both.
func decodeError(body []byte, readErr error, headerType string) *FunctionError {
	e := &FunctionError{Body: body}
	if readErr != nil {
		e.Message = "error body unreadable: " + readErr.Error()
	} else if err := json.Unmarshal(body, e); err != nil {
		e.Message = string(body)
	}
	if e.Type == "" {
		e.Type = headerType
	}
	if e.Type == "" {
		e.Type = "Runtime.Unknown"
	}
	return e
}

func trailerError(tr http.Header) *FunctionError {
	body, err := base64.StdEncoding.DecodeString(tr.Get(trailerErrorBody))
	if err != nil {
		body = nil
	}
	return decodeError(body, err, tr.Get(headerErrorType))
}

func writeAPIError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"errorType": typ, "errorMessage": msg})
}
