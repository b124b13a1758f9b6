// Package lambdahttp runs an http.Handler as a Lambda function behind an API Gateway HTTP
// API integration with payload format 2.0, the only wiring monban's HTTP functions are
// built for, and makes any other wiring loud.
//
// The adapter monban uses (aws-lambda-go-api-proxy's httpadapter.NewV2) reads whatever
// arrives as a payload 2.0 event: a REST API proxy event (payload 1.0) becomes "GET /", and
// is answered 404 by a function that is otherwise fine, so the mistake stays hidden. Handler
// checks the event's shape first: payload 2.0 (version "2.0" and a requestContext.http
// method) is served; anything else is refused with a message naming what arrived and what
// to change, logged once per container. HTTP-shaped events (REST API, HTTP API payload 1.0,
// an Application Load Balancer, WebSocket) are answered 500 in monban's error contract,
// {"error":{"code":"internal","message":…}}, in a response every one of those callers
// reads, so the operator sees the message on the first request; other events (a Cognito
// trigger, an authorizer event, a queue) fail the invocation with it.
//
// Every request of the function passes through here, so the usual event (an HTTP API
// request without an authorizer's or a client certificate's details) is decoded without
// reflection into only what serving it reads, turned into the request the adapter would
// make, and the response encoded as the runtime would (event.go, serve.go, response.go):
// the same request and the same answer, in a fraction of the time. Any other event is
// decoded into the payload 2.0 type and served by the adapter itself. The check costs
// nothing on top: only a refused event is decoded again, to say what it is.
package lambdahttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/monban-auth/monban/internal/apierror"
	"github.com/monban-auth/monban/internal/triggers"
)

// Handler is a Lambda handler (lambda.Handler: the runtime passes it the raw event) serving
// an http.Handler from HTTP API payload 2.0 events.
type Handler struct {
	function string
	handler  http.Handler
	proxy    func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)
	log      *slog.Logger
	reported atomic.Bool
}

// New returns the Lambda handler of the function named function (for messages: "api",
// "sample-api"), serving h. log receives the one line a wrong wiring is reported with.
func New(function string, h http.Handler, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{function: function, handler: h, proxy: httpadapter.NewV2(h).ProxyWithContext, log: log}
}

// event is a payload 2.0 event, with the one field that tells an HTTP API Lambda
// authorizer's event (same version, same requestContext.http) apart.
type event struct {
	events.APIGatewayV2HTTPRequest
	// Type is "REQUEST" on an authorizer event; a request to serve has none.
	Type string `json:"type"`
}

// Invoke answers one event: the http.Handler's response for an HTTP API payload 2.0 event,
// the error contract's 500 for another HTTP event, an error for anything else.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	// The usual event decodes without reflection and is served directly; any other (one
	// with an authorizer's details, say) is decoded by encoding/json and served through the
	// adapter, whose request context such handlers may read (see serve).
	wire := wires.Get().(*wireEvent)
	defer wire.release()
	if decodeEvent(payload, wire) {
		if wire.version != "2.0" || wire.method == "" || wire.typ != "" {
			return h.refuse(ctx, payload, nil)
		}
		return serve(ctx, h.handler, wire)
	}
	var ev event
	if err := json.Unmarshal(payload, &ev); err != nil || ev.Version != "2.0" || ev.RequestContext.HTTP.Method == "" || ev.Type != "" {
		return h.refuse(ctx, payload, err)
	}
	resp, err := h.proxy(ctx, ev.APIGatewayV2HTTPRequest)
	if err != nil {
		return nil, err
	}
	return appendResponse(make([]byte, 0, 256+len(resp.Body)), &resp), nil
}

// encode writes v as the Lambda runtime writes a typed handler's answer: HTML left
// unescaped, no final newline.
func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// kind is what a refused event was found to be.
type kind struct {
	id   string // for the log line
	what string // "a REST API proxy event (payload format 1.0)"
	fix  string // what to change
	// http events are answered with a response (which their caller shows); others fail.
	http bool
	alb  bool // the response needs a statusDescription
}

// refuse answers an event that is not an HTTP API payload 2.0 request (decodeErr is the
// payload 2.0 decoding's error, if that failed).
func (h *Handler) refuse(ctx context.Context, payload []byte, decodeErr error) ([]byte, error) {
	k := classify(payload, decodeErr)
	msg := fmt.Sprintf("monban's %s function serves API Gateway HTTP API requests in payload format 2.0, but received %s. %s",
		h.function, k.what, k.fix)
	if h.reported.CompareAndSwap(false, true) {
		h.log.LogAttrs(ctx, slog.LevelError, "function wired to the wrong event source",
			slog.String("received", k.id), slog.String("error", msg))
	}
	if !k.http {
		return nil, errors.New(msg)
	}
	b, err := json.Marshal(apierror.Body{Error: apierror.Detail{Code: apierror.Internal, Message: msg}})
	if err != nil {
		return nil, err
	}
	b = append(b, '\n') // as monban's other answers end
	// statusCode, headers, body and isBase64Encoded are what a REST API proxy integration,
	// an HTTP API of either payload format, a WebSocket route and a load balancer all read;
	// a load balancer also wants statusDescription.
	resp := struct {
		StatusCode        int               `json:"statusCode"`
		StatusDescription string            `json:"statusDescription,omitempty"`
		Headers           map[string]string `json:"headers"`
		Body              string            `json:"body"`
		IsBase64Encoded   bool              `json:"isBase64Encoded"`
	}{
		StatusCode: http.StatusInternalServerError,
		Headers:    map[string]string{"Content-Type": "application/json", "Cache-Control": "no-store"},
		Body:       string(b),
	}
	if k.alb {
		resp.StatusDescription = "500 Internal Server Error"
	}
	return encode(resp)
}

// probe holds the fields that tell the events a function can be wired to apart.
type probe struct {
	Version        string `json:"version"`
	Type           string `json:"type"`          // authorizer events
	HTTPMethod     string `json:"httpMethod"`    // payload 1.0 (REST API, HTTP API 1.0), load balancer
	TriggerSource  string `json:"triggerSource"` // Cognito user pool triggers
	RequestContext struct {
		ELB       *struct{} `json:"elb"`       // load balancer
		EventType string    `json:"eventType"` // WebSocket
		HTTP      *struct {
			Method string `json:"method"`
		} `json:"http"`
	} `json:"requestContext"`
}

const fixHTTPAPI = `integrate it with an HTTP API (AWS::ApiGatewayV2::Integration, IntegrationType AWS_PROXY) with PayloadFormatVersion "2.0", as template.yaml does.`

// classify says what a refused payload is. It runs only for refused events.
func classify(payload []byte, decodeErr error) kind {
	var p probe
	var fields map[string]json.RawMessage
	if json.Unmarshal(payload, &fields) != nil {
		return kind{id: "not-json-object", what: "a payload that is not a JSON object", fix: "Invoke it only through an HTTP API route: " + fixHTTPAPI}
	}
	_ = json.Unmarshal(payload, &p) // best effort: a field of an unexpected type stays empty
	switch {
	case p.RequestContext.ELB != nil:
		return kind{id: "alb", what: "an Application Load Balancer target group event", http: true, alb: true,
			fix: "Put it behind an HTTP API instead of a load balancer: " + fixHTTPAPI}
	case p.Type != "":
		return kind{id: "authorizer", what: fmt.Sprintf("an API Gateway Lambda authorizer event (type %.16q)", p.Type),
			fix: "It is a route's integration, not an authorizer: attach monban's authorizer function (functions/authorizer) as the authorizer, and " + strings.Replace(fixHTTPAPI, "integrate it", "integrate this one", 1)}
	case p.RequestContext.EventType != "":
		return kind{id: "websocket", what: fmt.Sprintf("an API Gateway WebSocket event (eventType %.32q)", p.RequestContext.EventType), http: true,
			fix: "It serves HTTP requests, not WebSocket routes: " + fixHTTPAPI}
	case p.HTTPMethod != "" && p.Version == "1.0":
		return kind{id: "http-api-1.0", what: "an HTTP API event in payload format 1.0", http: true,
			fix: `Set the HTTP API integration's PayloadFormatVersion to "2.0".`}
	case p.HTTPMethod != "":
		return kind{id: "rest-api", what: "a REST API proxy event (payload format 1.0)", http: true,
			fix: "A REST API cannot send payload format 2.0: " + fixHTTPAPI}
	case p.Version == "2.0":
		what := "a payload format 2.0 event without requestContext.http.method"
		if decodeErr != nil {
			what = "a payload format 2.0 event that does not decode (" + decodeProblem(decodeErr) + ")"
		}
		return kind{id: "malformed-2.0", what: what, http: true,
			fix: "API Gateway always sets it, so no HTTP API wrote this event: " + fixHTTPAPI}
	case p.TriggerSource != "":
		return kind{id: "cognito", what: fmt.Sprintf("a Cognito user pool trigger event (triggerSource %.64q)", p.TriggerSource),
			fix: "monban's trigger functions are under triggers/ (" + triggerNames() + "); attach those to the user pool, not this one."}
	}
	return kind{id: "other", what: "an event that is not an HTTP request (" + topLevel(fields) + ")",
		fix: "Invoke it only through an HTTP API route: " + fixHTTPAPI}
}

// triggerNames lists monban's trigger functions from their table, so the message stays
// right when one is added.
func triggerNames() string {
	names := make([]string, len(triggers.All))
	for i, f := range triggers.All {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}

// decodeProblem says why a payload 2.0 event did not decode, by its JSON field path.
func decodeProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("%.80s is a JSON %s where %s belongs", strings.TrimPrefix(te.Field, "APIGatewayV2HTTPRequest."), te.Value, te.Type)
	}
	return err.Error()
}

// topLevel lists an event's top-level field names (never their values), which is often
// enough to tell its source: "Records" (SQS, SNS, S3, DynamoDB), "detail-type"
// (EventBridge), ….
func topLevel(fields map[string]json.RawMessage) string {
	if len(fields) == 0 {
		return "an empty object"
	}
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, fmt.Sprintf("%.40q", k))
	}
	slices.Sort(names)
	more := ""
	if len(names) > 8 {
		more = fmt.Sprintf(" and %d more", len(names)-8)
		names = names[:8]
	}
	return "top-level fields " + strings.Join(names, ", ") + more
}
