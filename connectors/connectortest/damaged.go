package connectortest

import (
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
	groups(t, d, p, false)
}
