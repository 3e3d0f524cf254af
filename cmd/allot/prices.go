package main

import (
	"context"
	"errors"
)

func runPrices(ctx context.Context, a *app, args []string) error {
	return errors.New("allot prices: not built yet")
}
