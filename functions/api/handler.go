package main

import (
	"context"
	"net/http"

	"github.com/monban-auth/monban/internal/app"
	"github.com/monban-auth/monban/internal/config"
	"github.com/monban-auth/monban/internal/lambdahttp"
)

// newHandler builds the function's Lambda handler from its environment: an HTTP API
// (payload 2.0) event becomes a request for the http.Handler, and its response, Set-Cookie
// lines included (in the event's cookies array), the answer; any other event (a REST API's,
// a load balancer's, a trigger's) is refused with a message that names the wiring to change
// (see lambdahttp).
func newHandler(ctx context.Context, getenv func(string) string) (*lambdahttp.Handler, error) {
	return newHandlerWith(ctx, getenv, app.Options{})
}

func newHandlerWith(ctx context.Context, getenv func(string) string, o app.Options) (*lambdahttp.Handler, error) {
	cfg, err := config.Load(getenv)
	if err != nil {
		return nil, err
	}
	if o.Log == nil {
		o.Log = app.NewLogger(cfg.LogLevel)
	}
	var h http.Handler
	if h, err = app.New(ctx, cfg, o); err != nil {
		return nil, err
	}
	return lambdahttp.New("api", h, o.Log), nil
}
