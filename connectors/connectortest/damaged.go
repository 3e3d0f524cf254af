package connectortest

import (
	"context"
	"errors"
	"testing"

	"github.com/allot-dev/allot/connectors"
	"github.com/allot-dev/allot/cost"
)

// GroupsDamaged is Groups for damaged input: when both scans succeed,
// Groups' checks; when either fails, both must fail with a bad-input
// error at the same place (object, line, row, column) and the grouped scan
// must yield nothing. The messages may differ: a Parquet decoder's message
// about a damaged page can quote bytes its buffers held before.
func GroupsDamaged(t *testing.T, d connectors.Driver, p cost.Period) {
	t.Helper()
	gs, ok := d.(connectors.GroupScanner)
	if !ok {
		t.Fatalf("%T does not implement connectors.GroupScanner", d)
	}
	lerr := d.Scan(context.Background(), p, func(*cost.LineItem) error { return nil })
	var items int
	gerr := gs.ScanGroups(context.Background(), p, func(*cost.LineItem) error { items++; return nil })
	if lerr == nil && gerr == nil {
		Groups(t, d, p)
		return
	}
	if lerr == nil || gerr == nil {
		t.Fatalf("Scan error: %v\nScanGroups error: %v\nwant both or neither", lerr, gerr)
	}
	if !errors.Is(lerr, connectors.ErrBadInput) || !errors.Is(gerr, connectors.ErrBadInput) {
		t.Fatalf("Scan error: %v\nScanGroups error: %v\nwant bad-input errors", lerr, gerr)
	}
	var lre, gre *connectors.RowError
	if errors.As(lerr, &lre) != errors.As(gerr, &gre) || (lre != nil && (lre.Object != gre.Object ||
		lre.Line != gre.Line || lre.Row != gre.Row || lre.Column != gre.Column)) {
		t.Fatalf("Scan error at %+v, ScanGroups error at %+v", lre, gre)
	}
	if items > 0 {
		t.Fatalf("ScanGroups yielded %d items before its error, want none", items)
	}
}
