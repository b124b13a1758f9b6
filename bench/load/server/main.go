// Command server is the monban side of `make load`: the local stack (cognito-local, its
// stand-ins and the API built by app.New, as the Lambda function builds it) serving on
// 127.0.0.1 in a process of its own, so that the load generator can read this process's CPU
// time and memory alone. It prints {"url": …} on stdout once it serves, and stops the stack
// on SIGTERM, SIGINT or when its standard input closes.
//
// Usage: server -data DIR -email ADDRESS -password PASSWORD
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/monban-auth/monban/internal/app"
	"github.com/monban-auth/monban/internal/devstack"
)

func main() {
	data := flag.String("data", "", "emulator data `folder` (a fresh temporary one)")
	email := flag.String("email", "", "the user to create")
	password := flag.String("password", "", "the user's password")
	flag.Parse()
	if *data == "" || *email == "" || *password == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*data, devstack.User{Email: *email, Password: *password}); err != nil {
		fmt.Fprintln(os.Stderr, "load server:", err)
		os.Exit(1)
	}
}

func run(data string, user devstack.User) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The parent holds our standard input: when it goes away, so do we.
	go func() {
		io.Copy(io.Discard, os.Stdin)
		stop()
	}()

	local, err := devstack.LocalDir()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	site := "http://" + ln.Addr().String()
	startCtx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	stack, err := devstack.StartStack(startCtx, devstack.StackOptions{
		LocalDir: local, DataDir: data, CognitoPort: 0, SiteURL: site,
		Users: []devstack.User{user},
		// The load generator reads the access token to give the Auth.js server the same
		// session content; GET /auth/session is the same handler either way.
		Env: map[string]string{"MONBAN_TOKEN_ENDPOINT": "true"},
		// Warnings and errors only: a successful GET /auth/session logs nothing anyway.
		App:         app.Options{Log: devstack.DevLoggerAt(os.Stderr, slog.LevelWarn)},
		EmulatorLog: os.Stderr,
	})
	if err != nil {
		return err
	}
	defer stack.Stop()

	srv := &http.Server{Handler: stack.Handler, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	if err := json.NewEncoder(os.Stdout).Encode(map[string]string{"url": site}); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
	case err := <-done:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	shutdown, cancelShutdown := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelShutdown()
	return srv.Shutdown(shutdown)
}
