// Command sample-api is the sample protected API behind API Gateway (HTTP API,
// payload 2.0): GET /api/me behind the monban Lambda authorizer and
// GET /api/me-jwt behind API Gateway's JWT authorizer, both answering who is
// calling.
package main

import "github.com/aws/aws-lambda-go/lambda"

func main() {
	lambda.Start(newHandler(nil))
}
