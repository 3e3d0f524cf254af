package main

import (
	"context"
	"errors"
)

func runGen(ctx context.Context, a *app, args []string) error {
	return errors.New("allot gen: not built yet")
}
