// Package authorizer is monban's API Gateway Lambda authorizer as plain Go: it
// takes an authorizer event, asks a monbanauth.Authenticator about the
// credentials in it, and builds the response API Gateway expects. One handler
// serves every event shape, told apart by the event's own fields:
//
//   - HTTP API, payload format 2.0 ("version":"2.0"): a simple response,
//     {"isAuthorized":…, "context":{…}}. The authorizer must be created with
//     EnableSimpleResponses. Every refusal is isAuthorized false, which API
//     Gateway answers with 403; the documented way to get a 401 for a request
//     with no credential at all is the authorizer's IdentitySource, which
//     API Gateway checks before invoking the function. (A function error is
//     a 500 on HTTP APIs, not a 401.)
//   - REST API REQUEST authorizers (no version) and HTTP API payload 1.0
//     ("version":"1.0"): an IAM policy with principalId = sub. No or invalid
//     credentials return the error "Unauthorized", which API Gateway turns
//     into 401; a caller lacking a required scope or group gets a Deny
//     policy, a 403.
//   - REST API TOKEN authorizers: as REQUEST, with the token header's value
//     as the only credential (bearer tokens only).
//
// Policies allow or deny the whole stage (arn:…:api-id/stage/*/*), not just
// the method in methodArn: API Gateway caches an authorizer's result per
// identity and reuses it for every route the authorizer guards, so a policy
// naming one method would deny the caller's next, different, route.
//
// An outage of the user pool's signing keys is returned as an error (a 500),
// never as a refusal: API Gateway would cache a refusal and lock callers out
// for the whole TTL after the keys are back.
package authorizer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/monban-auth/monban/internal/originverify"
	"github.com/monban-auth/monban/pkg/monbanauth"
)

// Event holds the fields of every authorizer event shape that the authorizer
// reads. DecodeEvent reads an invocation payload into it (Invoke does), as the
// Lambda runtime's JSON decoding would for Handle.
type Event struct {
	// Version is "2.0" or "1.0" for HTTP APIs and absent for REST APIs.
	Version string `json:"version"`
	// Type is "REQUEST", or "TOKEN" for REST token authorizers.
	Type string `json:"type"`
	// RouteArn is the invoked route (HTTP API 2.0).
	RouteArn string `json:"routeArn"`
	// MethodArn is the invoked method (REST, HTTP API 1.0).
	MethodArn string `json:"methodArn"`
	// AuthorizationToken is the token header's value (TOKEN).
	AuthorizationToken string `json:"authorizationToken"`
	// Headers are the request headers: lower-cased names on HTTP APIs, as
	// sent on REST APIs; repeated headers are comma-joined.
	Headers map[string]string `json:"headers"`
	// MultiValueHeaders are the request headers with repeats kept (REST,
	// HTTP API 1.0).
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	// Cookies are the request's cookies (HTTP API 2.0, which takes them out
	// of Headers).
	Cookies []string `json:"cookies"`

	// Read only to say what an event that is not an authorizer event is.
	HTTPMethod    string `json:"httpMethod"`    // a payload 1.0 request (REST API, HTTP API 1.0)
	TriggerSource string `json:"triggerSource"` // a Cognito user pool trigger event
}

// shape is the kind of event, which decides the response format.
type shape int

const (
	shapeSimple shape = iota // HTTP API 2.0
	shapePolicy              // REST REQUEST, HTTP API 1.0
	shapeToken               // REST TOKEN
)

func (s shape) String() string {
	return [...]string{"http-api-2.0", "request-policy", "token-policy"}[s]
}

func (e *Event) shape() (shape, error) {
	switch {
	case e.Version == "2.0" && e.Type == "REQUEST":
		return shapeSimple, nil
	case (e.Version == "" || e.Version == "1.0") && e.Type == "REQUEST":
		return shapePolicy, nil
	case e.Version == "" && e.Type == "TOKEN":
		return shapeToken, nil
	}
	var got, fix string
	switch {
	case e.Type == "" && e.Version == "2.0":
		got, fix = "an HTTP API request (payload format 2.0), not an authorizer event", attachAsAuthorizer
	case e.Type == "" && e.HTTPMethod != "":
		got, fix = "a proxy integration's request (REST API or HTTP API payload format 1.0), not an authorizer event", attachAsAuthorizer
	case e.Type == "" && e.TriggerSource != "":
		got, fix = fmt.Sprintf("a Cognito user pool trigger event (triggerSource %.64q)", e.TriggerSource), attachAsAuthorizer
	case e.Type == "":
		got, fix = "an event without a type, which no API Gateway authorizer sends", attachAsAuthorizer
	case e.Type == "TOKEN":
		got = fmt.Sprintf("a TOKEN event with payload format version %.10q, which API Gateway does not send (TOKEN authorizers are REST API ones, unversioned)", e.Version)
		fix = `on an HTTP API, use a REQUEST authorizer with AuthorizerPayloadFormatVersion "2.0" and EnableSimpleResponses`
	case e.Type == "REQUEST":
		got = fmt.Sprintf("a REQUEST event with payload format version %.10q", e.Version)
		fix = `set the authorizer's AuthorizerPayloadFormatVersion to "2.0" (with EnableSimpleResponses) or "1.0"`
	default:
		got, fix = fmt.Sprintf("an authorizer event of type %.32q", e.Type), "use a REQUEST authorizer (or TOKEN, on a REST API)"
	}
	return 0, fmt.Errorf("authorizer: received %s; it answers API Gateway Lambda authorizer events (HTTP API REQUEST, payload format 2.0 or 1.0; REST API REQUEST or TOKEN): %s", got, fix)
}

// attachAsAuthorizer is what to change when the function receives events that are not an
// authorizer's.
const attachAsAuthorizer = "attach it to the routes it guards as their Lambda authorizer, not as their integration or another event source"

// request returns the credentials the event carries; list, when set, stands for
// e.Headers.
func (e *Event) request(s shape, list *headerList) monbanauth.Request {
	if !list.set {
		list = nil
	}
	switch s {
	case shapeToken:
		if e.AuthorizationToken == "" {
			return monbanauth.Request{}
		}
		return monbanauth.Request{Authorization: []string{e.AuthorizationToken}}
	case shapeSimple:
		cookies := e.Cookies
		if len(cookies) == 0 {
			cookies = headerValues(e.Headers, list, nil, "cookie")
		}
		return monbanauth.Request{Authorization: headerValues(e.Headers, list, nil, "authorization"), Cookies: cookies,
			OriginVerify: headerValues(e.Headers, list, nil, originverify.Header)}
	default:
		return monbanauth.Request{
			Authorization: headerValues(e.Headers, list, e.MultiValueHeaders, "authorization"),
			Cookies:       headerValues(e.Headers, list, e.MultiValueHeaders, "cookie"),
			OriginVerify:  headerValues(e.Headers, list, e.MultiValueHeaders, originverify.Header),
		}
	}
}

// headerValues returns the values of header name, matched case-insensitively,
// from the multi-value map when it has any, else from the single-value map (or
// the list standing for it, when not nil). Names are visited in sorted order so
// the result does not depend on map iteration.
func headerValues(single map[string]string, list *headerList, multi map[string][]string, name string) []string {
	// A request has one spelling of a header, or a few: their names fit on the stack.
	var buf [4]string
	var out []string
	for _, k := range matchingKeys(buf[:0], multi, name) {
		out = append(out, multi[k]...)
	}
	if len(out) > 0 {
		return out
	}
	if list != nil {
		return list.appendValues(out, name)
	}
	for _, k := range matchingKeys(buf[:0], single, name) {
		out = append(out, single[k])
	}
	return out
}

// matchingKeys appends to keys the keys of m equal to name but for case, sorted.
func matchingKeys[V any](keys []string, m map[string]V, name string) []string {
	for k := range m {
		if strings.EqualFold(k, name) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// Errors returned to the Lambda runtime. API Gateway matches the message
// "Unauthorized" exactly to answer 401; any other error is a 500.
var (
	errUnauthorized = errors.New("Unauthorized")
	errUnavailable  = errors.New("signing keys unavailable")
)

// Handler answers authorizer events.
type Handler struct {
	auth verifier
	log  *slog.Logger
}

// verifier decides: a *monbanauth.Authenticator, or this package's Authenticator, which
// also keeps its secrets fresh.
type verifier interface {
	Authenticate(ctx context.Context, req monbanauth.Request) (*monbanauth.Identity, error)
}

// NewHandler returns a Handler deciding with a. log gets one line per
// decision (never a credential); nil discards.
func NewHandler(a verifier, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{auth: a, log: log}
}

// Handle answers one authorizer event with the response its shape calls for
// (events.APIGatewayV2CustomAuthorizerSimpleResponse or
// events.APIGatewayCustomAuthorizerResponse), or an error.
func (h *Handler) Handle(ctx context.Context, ev Event) (any, error) {
	v, err := h.decide(ctx, &ev, &headerList{})
	if err != nil {
		return nil, err
	}
	return v.response(), nil
}

// Invoke answers one invocation payload with the JSON of the response Handle
// would give, byte for byte what the Lambda runtime would encode, or Handle's
// error: it is the function's lambda.Handler. The event is read as DecodeEvent
// reads it (leaving out what Handle never reads) and the response written
// directly, without encoding/json's reflection.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	ev, list, err := decodeEvent(payload, true)
	if err != nil {
		return nil, err
	}
	v, err := h.decide(ctx, &ev, &list)
	if err != nil {
		return nil, err
	}
	return v.appendJSON(make([]byte, 0, 512)), nil
}

// verdict is a decision, in the terms of the response the event's shape calls for.
type verdict struct {
	shape shape
	// allowed is isAuthorized, or an Allow rather than a Deny policy.
	allowed bool
	// principal and resource are the policy's (not for shapeSimple).
	principal, resource string
	// id is the caller when allowed: the response's context.
	id *monbanauth.Identity
}

// decide decides about ev; list, when set, stands for ev.Headers.
func (h *Handler) decide(ctx context.Context, ev *Event, list *headerList) (verdict, error) {
	s, err := ev.shape()
	if err != nil {
		h.log.LogAttrs(ctx, slog.LevelError, "authorizer event not understood", slog.String("error", err.Error()))
		return verdict{}, err
	}
	v := verdict{shape: s}
	if s != shapeSimple {
		// Checked before the credentials: without a resource no policy can
		// be written, whatever the verdict.
		if v.resource, err = stageResource(ev.MethodArn); err != nil {
			h.log.LogAttrs(ctx, slog.LevelError, "authorizer event not understood", slog.String("error", err.Error()))
			return verdict{}, err
		}
	}
	id, err := h.auth.Authenticate(ctx, ev.request(s, list))
	h.logDecision(ctx, s, id, err)
	if errors.Is(err, monbanauth.ErrUnavailable) {
		return verdict{}, errUnavailable
	}
	if s == shapeSimple {
		if err == nil {
			v.allowed, v.id = true, id
		}
		return v, nil
	}
	switch {
	case errors.Is(err, monbanauth.ErrForbidden):
		v.principal = "anonymous" // refused before any credential was read
		if id != nil {
			v.principal = id.Subject
		}
		return v, nil
	case err != nil:
		return verdict{}, errUnauthorized
	}
	v.allowed, v.principal, v.id = true, id.Subject, id
	return v, nil
}

// response is the verdict as the aws-lambda-go event type its shape calls for.
func (v verdict) response() any {
	if v.shape == shapeSimple {
		if !v.allowed {
			return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: false}
		}
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: true, Context: v.id.AuthorizerContext()}
	}
	if !v.allowed {
		return policy(v.principal, "Deny", v.resource, nil)
	}
	return policy(v.principal, "Allow", v.resource, v.id.AuthorizerContext())
}

func (h *Handler) logDecision(ctx context.Context, s shape, id *monbanauth.Identity, err error) {
	level := slog.LevelDebug
	decision := "allow"
	switch {
	case errors.Is(err, monbanauth.ErrUnavailable):
		level, decision = slog.LevelError, "error"
	case errors.Is(err, monbanauth.ErrForbidden):
		level, decision = slog.LevelInfo, "deny"
	case err != nil:
		level, decision = slog.LevelInfo, "unauthenticated"
	}
	if !h.log.Enabled(ctx, level) {
		// Allowed callers are logged at debug: most of the time there is no
		// line to build.
		return
	}
	attrs := []slog.Attr{slog.String("event", s.String()), slog.String("decision", decision)}
	if id != nil {
		attrs = append(attrs, slog.String("sub", id.Subject), slog.String("via", string(id.Via)))
	}
	if err != nil {
		attrs = append(attrs, slog.String("reason", err.Error()))
	}
	h.log.LogAttrs(ctx, level, "authorizer decision", attrs...)
}

func policy(principal, effect, resource string, ctx map[string]any) events.APIGatewayCustomAuthorizerResponse {
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: principal,
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{
			Version: "2012-10-17",
			Statement: []events.IAMPolicyStatement{{
				Action:   []string{"execute-api:Invoke"},
				Effect:   effect,
				Resource: []string{resource},
			}},
		},
		Context: ctx,
	}
}

// stageResource turns a methodArn,
// arn:PARTITION:execute-api:REGION:ACCOUNT:API_ID/STAGE/VERB/PATH…, into the
// ARN of every method and path of the same API and stage.
//
// A methodArn API Gateway did not write is refused, with an error that says
// what is wrong and what to send instead: the policy is written for the whole
// stage, so a wildcard where API Gateway puts a name (the stage "*" of API
// Gateway's stock TOKEN sample, arn:…:API_ID/*/GET/) would allow every stage,
// or every API, of the account.
func stageResource(methodArn string) (string, error) {
	const form = "arn:PARTITION:execute-api:REGION:ACCOUNT:API_ID/STAGE/METHOD/PATH"
	bad := func(problem string) error {
		return fmt.Errorf("authorizer: methodArn %.200q %s; API Gateway sends %s, naming the API's id and the invoked stage, "+
			"and this authorizer writes its policy for that stage: send the event through API Gateway, or give it a methodArn of that form",
			methodArn, problem, form)
	}
	if methodArn == "" {
		return "", errors.New("authorizer: the event has no methodArn, which API Gateway sends with every REST API and HTTP API payload format 1.0 authorizer event (" +
			form + "): send the event through API Gateway, or give it one")
	}
	parts := strings.SplitN(methodArn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return "", bad("is not an ARN")
	}
	if parts[2] != "execute-api" {
		return "", bad(fmt.Sprintf("names the service %.32q, not execute-api", parts[2]))
	}
	segs := strings.SplitN(parts[5], "/", 3)
	if len(segs) != 3 {
		return "", bad("has no API_ID/STAGE/METHOD part")
	}
	for _, p := range []struct{ name, value string }{
		{"partition", parts[1]}, {"region", parts[3]}, {"account", parts[4]}, {"API id", segs[0]}, {"stage", segs[1]},
	} {
		switch {
		case p.value == "":
			return "", bad("has an empty " + p.name)
		case p.name == "stage" && p.value == "*":
			return "", fmt.Errorf("authorizer: methodArn %.200q has the wildcard stage \"*\", as API Gateway's sample TOKEN event does; "+
				"API Gateway names the invoked stage (…/prod/GET/…) in every real event, and a policy for \"*\" would allow every stage of the API: "+
				"put the name of a deployed stage in its place, or call the API through that stage", methodArn)
		case strings.ContainsAny(p.value, "*?/ "):
			return "", bad(fmt.Sprintf("has a wildcard, a slash or a space in its %s (%.64q), where API Gateway puts a name", p.name, p.value))
		}
	}
	return strings.Join(parts[:5], ":") + ":" + segs[0] + "/" + segs[1] + "/*/*", nil
}
