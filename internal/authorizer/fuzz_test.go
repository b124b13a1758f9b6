package authorizer_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/monban-auth/monban/internal/authorizer"
	"github.com/monban-auth/monban/internal/tokentest"
)

// FuzzHandle feeds arbitrary invocation payloads, decoded as the Lambda
// runtime would, to the authorizer. Nothing may panic, and nothing may be
// authorized except as the one user the seeds hold genuine credentials for.
func FuzzHandle(f *testing.F) {
	fx := newFixture(f)
	cookies := sealCookie(f, secret, good, exp, 0)
	chunked := sealCookie(f, secret, good, exp, 6000)
	for _, ev := range []string{httpV2, httpV1, restReq, restTok} {
		f.Add(load(f, ev, "", ""))
		f.Add(load(f, ev, "Bearer "+good, ""))
		f.Add(load(f, ev, "", cookies))
		f.Add(load(f, ev, "Basic eA==", chunked))
		f.Add(load(f, ev, "Bearer "+tokentest.Unsigned(tokentest.AccessClaims(epoch)), "__Host-monban-session=x.y"))
	}
	f.Add([]byte(`{"version":"2.0","type":"REQUEST","headers":{"authorization":"Bearer a.b.c"},"cookies":["__Host-monban-session.0=a","__Host-monban-session.2=b"]}`))
	f.Add([]byte(`{"type":"REQUEST","methodArn":"arn:aws:execute-api:r:1:a/s/GET/","multiValueHeaders":{"Cookie":["a=b","__Host-monban-session=c"]}}`))
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, payload []byte) {
		var ev authorizer.Event
		if json.Unmarshal(payload, &ev) != nil {
			return // the runtime would fail the invocation before the handler
		}
		resp, err := fx.h.Handle(ctx, ev)
		if err != nil {
			if resp != nil {
				t.Fatal("a response and an error")
			}
			return
		}
		var sub string
		switch r := resp.(type) {
		case events.APIGatewayV2CustomAuthorizerSimpleResponse:
			if !r.IsAuthorized {
				return
			}
			sub, _ = r.Context["sub"].(string)
		case events.APIGatewayCustomAuthorizerResponse:
			if r.PrincipalID == "" || len(r.PolicyDocument.Statement) != 1 {
				t.Fatalf("malformed policy %+v", r)
			}
			sub = r.PrincipalID
		default:
			t.Fatalf("unexpected response type %T", resp)
		}
		if sub != tokentest.Subject {
			t.Fatalf("authorized as %q", sub)
		}
	})
}

// FuzzInvoke feeds arbitrary invocation payloads to the function's own entry point,
// Invoke, whose event reader parses untrusted input by hand: nothing may panic, the
// event read must be the runtime's (DecodeEvent against encoding/json's decoding, errors
// included), and the answer must be byte for byte the one the Lambda runtime gives
// through Handle.
func FuzzInvoke(f *testing.F) {
	fx := newFixture(f)
	cookies := sealCookie(f, secret, good, exp, 0)
	for _, ev := range []string{httpV2, httpV1, restReq, restTok} {
		f.Add(load(f, ev, "", ""))
		f.Add(load(f, ev, "Bearer "+good, ""))
		f.Add(load(f, ev, "", cookies))
		f.Add(load(f, ev, "Bearer "+tokentest.Unsigned(tokentest.AccessClaims(epoch)), "__Host-monban-session=x.y"))
	}
	f.Add([]byte(`{"version":"2.0","type":"REQUEST","headers":{"Authorization":"Bearer a.b.c","AUTHORIZATION":"x"},"cookies":["a=1",null]}`))
	f.Add([]byte(`{"type":"REQUEST","methodArn":"arn:aws:execute-api:r:1:a/s/GET/","multiValueHeaders":{"Cookie":["a=b","__Host-monban-session=c"]},"Headers":{}}`))
	f.Add([]byte(`{"type":"TOKEN","authorizationToken":"Bearer \u0061.b.c","methodArn":"arn:aws:execute-api:r:1:a/s/GET/","x":[1,-0.5e3,true,null,{"y":"\ud800"}]} tail`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		sameEvent(t, payload)
		sameAnswer(t, fx.h, payload)
	})
}
