package main

import (
	"context"
	"errors"
)

func runExplain(ctx context.Context, a *app, args []string) error {
	return errors.New("allot explain: not built yet")
}
