// Command authorizer is monban's API Gateway Lambda authorizer: it lets
// through callers presenting a Cognito access token (Authorization: Bearer) or
// the monban session cookie, for HTTP APIs (payload 2.0, simple responses) and
// REST APIs (REQUEST or TOKEN, IAM policies).
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/monban-auth/monban/internal/authorizer"
	"github.com/monban-auth/monban/internal/lambdainit"
)

func main() {
	h, err := newHandler(context.Background(), os.Getenv, authorizer.Options{})
	if err != nil {
		lambdainit.Fail(err)
	}
	// h reads the invocation's bytes itself: the runtime's reflection-based
	// JSON decoding of the whole event would cost more than the decision.
	lambda.Start(h)
}
