package main

import (
	"context"
	"errors"
)

func runRuns(ctx context.Context, a *app, args []string) error {
	return errors.New("allot runs: not built yet")
}
