// Command api is monban's /auth API as a Lambda function behind API Gateway (HTTP API,
// payload format 2.0).
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/monban-auth/monban/internal/lambdainit"
)

func main() {
	h, err := newHandler(context.Background(), os.Getenv)
	if err != nil {
		lambdainit.Fail(err) // reported to Lambda as Runtime.ConfigError; exits
	}
	lambda.Start(h)
}
