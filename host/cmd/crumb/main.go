// Command crumb is the Crumb host: it serves the chat API and UI, answers
// questions from the command line, writes the demo brand and shows the
// plugins. This package is wiring only; the work is in the host packages.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRoot().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "crumb:", err)
		os.Exit(1)
	}
}
