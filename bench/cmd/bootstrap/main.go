// Command bootstrap builds a Lambda function as SAM builds it (internal/lambdaruntime.Build:
// the same flags), for this machine's architecture, so that make bench's cold starts run the
// binary that is deployed. Usage: go run ./bench/cmd/bootstrap FUNCTION_DIR OUT
package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/monban-auth/monban/internal/lambdaruntime"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: bootstrap FUNCTION_DIR OUT")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := lambdaruntime.Build(ctx, os.Args[1], os.Args[2], runtime.GOARCH); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
