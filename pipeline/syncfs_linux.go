package pipeline

import (
	"os"

	"golang.org/x/sys/unix"
)

// canSyncFS is true where syncFS flushes a whole filesystem in one call.
const canSyncFS = true

// syncFS flushes every file written on the filesystem that holds dir to
// the disk (syncfs(2); since Linux 5.8 it also reports write-back errors).
func syncFS(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return unix.Syncfs(int(f.Fd()))
}
