// Command allot is an AI chargeback engine: it reads what a company paid
// the clouds for AI, works out which team ran which kind of AI work, prices
// it per action, applies a four-part chargeback model and emits balanced
// journals for the ERP, team statements and a tagging-gap report.
//
// Run allot --help for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
