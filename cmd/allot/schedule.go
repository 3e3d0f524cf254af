package main

import (
	"context"
	"errors"
)

func runSchedule(ctx context.Context, a *app, args []string) error {
	return errors.New("allot schedule: not built yet")
}
