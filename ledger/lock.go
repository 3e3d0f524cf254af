package ledger

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"strings"
	"sync"
	"time"
)

// Lock takes the exclusive lock called name (for example "run 2026-10")
// without waiting. If another holder has it — a run in this process, in
// another process or, with PostgreSQL, on another machine — it returns an
// error wrapping ErrLocked that names the holder when known. A holder that
// dies releases the lock with its process (SQLite: the kernel drops the
// file lock; PostgreSQL: the server ends the session and its advisory
// locks). release gives the lock back; calling it twice is harmless, and
// Close releases every lock still held.
func (l *Ledger) Lock(ctx context.Context, name string) (release func() error, err error) {
	if err := l.checkOpen(); err != nil {
		return nil, err
	}
	if strings.TrimSpace(name) == "" {
		return nil, l.errorf("lock: %w", &FieldError{Path: "name", Err: errors.New("is empty")})
	}
	var unlock func() error
	var ok bool
	if l.dialect == dialectPostgres {
		unlock, ok, err = l.tryAdvisoryLock(ctx, name)
	} else {
		unlock, ok, err = tryFileLock(l.lockFile(name))
	}
	if err != nil {
		return nil, l.errorf("lock %q: %w", name, err)
	}
	if !ok {
		holder := l.holder(ctx, name)
		if holder != "" {
			return nil, l.errorf("lock %q: %w (held by %s); wait for it to finish", name, ErrLocked, holder)
		}
		return nil, l.errorf("lock %q: %w; wait for it to finish", name, ErrLocked)
	}
	usr, host := whoami()
	h := &heldLock{
		l:      l,
		ctx:    context.WithoutCancel(ctx),
		name:   name,
		token:  randomHex(8),
		unlock: unlock,
	}
	holder := fmt.Sprintf("%s@%s pid %d", usr, host, os.Getpid())
	_, err = l.read().exec(ctx, `INSERT INTO lock_holders (name, holder, token, acquired_at) VALUES (?, ?, ?, ?)
ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, token = excluded.token, acquired_at = excluded.acquired_at`,
		name, holder, h.token, formatTime(l.now()))
	if err != nil {
		return nil, l.errorf("lock %q: record the holder: %w", name, errors.Join(err, unlock()))
	}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil, l.errorf("lock %q: %w", name, errors.Join(ErrClosed, unlock()))
	}
	l.locks[h] = struct{}{}
	l.mu.Unlock()
	return h.release, nil
}

// heldLock is one lock this Ledger holds.
type heldLock struct {
	l      *Ledger
	ctx    context.Context // the Lock call's values, never cancelled
	name   string
	token  string
	unlock func() error

	once sync.Once
	err  error
}

// release forgets the holder record (while still holding the lock, so a
// new holder's record is never deleted) and then drops the lock.
func (h *heldLock) release() error {
	h.once.Do(func() {
		ctx, cancel := context.WithTimeout(h.ctx, 30*time.Second)
		defer cancel()
		_, err := h.l.read().exec(ctx, "DELETE FROM lock_holders WHERE name = ? AND token = ?", h.name, h.token)
		if uerr := h.unlock(); uerr != nil {
			err = errors.Join(err, uerr)
		}
		h.l.mu.Lock()
		delete(h.l.locks, h)
		h.l.mu.Unlock()
		if err != nil {
			h.err = h.l.errorf("release lock %q: %w", h.name, err)
		}
	})
	return h.err
}

// holder describes who holds the lock, from the informational record.
func (l *Ledger) holder(ctx context.Context, name string) string {
	var holder, at string
	err := l.read().row(ctx, "SELECT holder, acquired_at FROM lock_holders WHERE name = ?", name).Scan(&holder, &at)
	if err != nil {
		return ""
	}
	return holder + " since " + at
}

// tryAdvisoryLock takes a session-level advisory lock on a connection of
// its own. Releasing unlocks and then discards that connection, so the
// lock can never stay behind in the pool.
func (l *Ledger) tryAdvisoryLock(ctx context.Context, name string) (func() error, bool, error) {
	key := l.lockKey(name)
	conn, err := l.db.Conn(ctx)
	if err != nil {
		return nil, false, err
	}
	var ok bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&ok); err != nil {
		discard(conn)
		return nil, false, err
	}
	if !ok {
		conn.Close()
		return nil, false, nil
	}
	detached := context.WithoutCancel(ctx)
	unlock := func() error {
		ctx, cancel := context.WithTimeout(detached, 30*time.Second)
		defer cancel()
		var released bool
		err := conn.QueryRowContext(ctx, "SELECT pg_advisory_unlock($1)", key).Scan(&released)
		discard(conn)
		if err != nil {
			return err
		}
		if !released {
			return errors.New("the advisory lock was no longer held: the session was lost while the run held it")
		}
		return nil
	}
	return unlock, true, nil
}

// discard closes the connection for good instead of returning it to the pool.
func discard(conn *sql.Conn) {
	conn.Raw(func(any) error { return driver.ErrBadConn })
	conn.Close()
}

// lockFile is the file whose OS lock stands for the named lock:
// PATH.NAME.lock beside the SQLite database, with NAME reduced to
// [A-Za-z0-9._-] (plus a hash of the real name when it had to change).
func (l *Ledger) lockFile(name string) string {
	var b strings.Builder
	changed := false
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
			changed = true
		}
	}
	safe := b.String()
	if changed || len(safe) > 64 {
		h := fnv.New32a()
		h.Write([]byte(name))
		if len(safe) > 64 {
			safe = safe[:64]
		}
		safe = fmt.Sprintf("%s-%08x", safe, h.Sum32())
	}
	return l.path + "." + safe + ".lock"
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}
