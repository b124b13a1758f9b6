package main

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/monban-auth/monban/internal/app"
	"github.com/monban-auth/monban/internal/config"
)

// lambdaHandler turns an HTTP API (payload 2.0) event into a request for the http.Handler
// and its response, Set-Cookie lines included, into the event's cookies array.
type lambdaHandler func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

func newHandler(ctx context.Context, getenv func(string) string) (lambdaHandler, error) {
	return newHandlerWith(ctx, getenv, app.Options{})
}

func newHandlerWith(ctx context.Context, getenv func(string) string, o app.Options) (lambdaHandler, error) {
	cfg, err := config.Load(getenv)
	if err != nil {
		return nil, err
	}
	var h http.Handler
	if h, err = app.New(ctx, cfg, o); err != nil {
		return nil, err
	}
	return httpadapter.NewV2(h).ProxyWithContext, nil
}
