package main

import (
	"context"
	"errors"
)

func runNormalize(ctx context.Context, a *app, args []string) error {
	return errors.New("allot normalize: not built yet")
}
