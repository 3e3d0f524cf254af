package main

import (
	"context"
	"errors"
)

func runGaps(ctx context.Context, a *app, args []string) error {
	return errors.New("allot gaps: not built yet")
}
