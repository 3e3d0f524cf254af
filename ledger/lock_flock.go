//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package ledger

import (
	"errors"
	"os"
	"syscall"
)

// tryFileLock takes flock(LOCK_EX|LOCK_NB) on path, creating the file. The
// kernel releases the lock when the holder's process ends, however it
// ends. Locks taken through two different opens conflict even within one
// process, so two Ledgers on one file exclude each other too. flock is
// not reliable on network file systems: keep a shared ledger in PostgreSQL.
func tryFileLock(path string) (func() error, bool, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, false, err
	}
	fd := int(f.Fd())
	for {
		err = syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if errors.Is(err, syscall.EWOULDBLOCK) {
		f.Close()
		return nil, false, nil
	}
	if err != nil {
		f.Close()
		return nil, false, &os.PathError{Op: "flock", Path: path, Err: err}
	}
	unlock := func() error {
		// Closing the file drops the lock; the file stays for the next holder
		// (removing it would let two holders lock two different files).
		return errors.Join(syscall.Flock(fd, syscall.LOCK_UN), f.Close())
	}
	return unlock, true, nil
}
