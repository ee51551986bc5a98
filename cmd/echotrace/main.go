// Command echotrace measures state-backed amplification and coordinated networks on social
// media. See `echotrace --help` and the README.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/echotrace/echotrace/internal/cli"
	"github.com/echotrace/echotrace/internal/ingest/all"
)

func main() {
	runWorker()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	reg, err := all.New(all.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "echotrace:", err)
		os.Exit(cli.ExitFailure)
	}
	os.Exit(cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr, reg))
}
