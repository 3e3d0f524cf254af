//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package ledger

import (
	"errors"
	"fmt"
)

// tryFileLock is not implemented on this platform: the SQLite ledger's
// lock uses flock(2). Use a PostgreSQL ledger here.
func tryFileLock(path string) (func() error, bool, error) {
	return nil, false, fmt.Errorf("lock file %s: %w: the SQLite ledger locks with flock(2); use a PostgreSQL ledger on this platform", path, errors.ErrUnsupported)
}
