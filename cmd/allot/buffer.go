package main

import (
	"context"
	"errors"
)

func runBuffer(ctx context.Context, a *app, args []string) error {
	return errors.New("allot buffer: not built yet")
}
