// Command api is monban's /auth API as a Lambda function behind API Gateway (HTTP API,
// payload format 2.0).
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/monban-auth/monban/internal/app"
)

func main() {
	h, err := newHandler(context.Background(), os.Getenv)
	if err != nil {
		app.NewLogger(slog.LevelInfo).Error("monban api cannot start", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(h)
}
