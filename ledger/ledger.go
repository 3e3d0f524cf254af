package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"os/user"
	"strings"
	"sync"
	"time"

	// Database drivers: pure-Go SQLite and pgx's database/sql adapter.
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// Sentinel errors, tested with errors.Is.
var (
	// ErrLocked: another run holds the lock. The error names the holder when known.
	ErrLocked = errors.New("locked by another run")
	// ErrNotFound: the record the call refers to does not exist.
	ErrNotFound = errors.New("not found")
	// ErrInvalid: a record handed to the ledger breaks its contract; the
	// wrapping *FieldError says which field and why.
	ErrInvalid = errors.New("invalid record")
	// ErrUnbalanced: a journal's debits do not equal its credits.
	ErrUnbalanced = errors.New("journal does not balance")
	// ErrDuplicate: a run id or journal id was already stored.
	ErrDuplicate = errors.New("already stored")
	// ErrDoublePosting: the posting would leave two live batches of one kind
	// for one period, company and currency. Reverse the live batch first
	// (see [Plan]).
	ErrDoublePosting = errors.New("second live posting")
	// ErrDSN: the data source name is not one the ledger opens.
	ErrDSN = errors.New("unsupported ledger DSN")
	// ErrSchemaTooNew: the database was migrated by a newer allot.
	ErrSchemaTooNew = errors.New("ledger schema is newer than this allot")
	// ErrClosed: the Ledger was closed.
	ErrClosed = errors.New("ledger closed")
)

// FieldError is a record that breaks the ledger's contract: Path names the
// field (for example "journals[1].lines[4].debit"), Value the offending
// value when it helps, Err the reason (ErrInvalid, ErrUnbalanced, or a
// more specific error wrapping one of them).
type FieldError struct {
	Path  string
	Value string
	Err   error
}

func (e *FieldError) Error() string {
	if e.Value != "" {
		return fmt.Sprintf("%s %q: %v", e.Path, e.Value, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Path, e.Err)
}

// Unwrap returns the reason.
func (e *FieldError) Unwrap() error { return e.Err }

// Is makes every FieldError match ErrInvalid.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }

// dialect is the SQL engine behind a Ledger. Everything engine-specific
// goes through it: placeholders, the DSN, the write serialization.
type dialect int

const (
	dialectSQLite dialect = iota
	dialectPostgres
)

func (d dialect) String() string {
	if d == dialectPostgres {
		return "postgres"
	}
	return "sqlite"
}

// rebind turns the ledger's "?" placeholders into PostgreSQL's "$n". The
// ledger's own statements never contain a literal question mark.
func (d dialect) rebind(q string) string {
	if d != dialectPostgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// Ledger is the state store. It is safe for concurrent use; writes are
// serialized (one writer at a time per database).
type Ledger struct {
	db      *sql.DB
	dialect dialect
	dsn     string // redacted, for messages
	secret  string // the DSN's password, scrubbed from every error
	path    string // SQLite database file (lock files live beside it)
	schema  string // PostgreSQL current_schema(), part of every lock key
	now     func() time.Time

	mu     sync.Mutex
	closed bool
	locks  map[*heldLock]struct{}
}

// Open opens (creating if needed) the ledger named by dsn and applies the
// embedded migrations:
//
//	sqlite:PATH                 a local SQLite file (sqlite:///abs/path also works)
//	postgres://user@host/db     PostgreSQL (postgresql:// too; query parameters go to pgx,
//	                            for example ?sslmode=disable&search_path=allot)
//
// Errors never contain the DSN's password.
func Open(ctx context.Context, dsn string) (*Ledger, error) {
	cfg, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	l := &Ledger{
		dialect: cfg.dialect,
		dsn:     cfg.redacted,
		secret:  cfg.password,
		path:    cfg.path,
		now:     time.Now,
		locks:   map[*heldLock]struct{}{},
	}
	db, err := sql.Open(cfg.driver, cfg.driverDSN)
	if err != nil {
		return nil, l.errorf("open %s: %w", l.dsn, err)
	}
	l.db = db
	if l.dialect == dialectSQLite {
		// WAL lets readers run beside the single writer; a few connections suffice.
		db.SetMaxOpenConns(4)
	} else {
		db.SetMaxOpenConns(8)
	}
	db.SetMaxIdleConns(2)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, l.errorf("open %s: %w", l.dsn, err)
	}
	if l.dialect == dialectPostgres {
		if err := db.QueryRowContext(ctx, "SELECT current_schema()").Scan(&l.schema); err != nil {
			db.Close()
			return nil, l.errorf("open %s: %w", l.dsn, err)
		}
	}
	if err := l.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return l, nil
}

// Close releases every lock this Ledger still holds and closes the database.
func (l *Ledger) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	held := make([]*heldLock, 0, len(l.locks))
	for h := range l.locks {
		held = append(held, h)
	}
	l.mu.Unlock()
	var errs []error
	for _, h := range held {
		errs = append(errs, h.release())
	}
	errs = append(errs, l.db.Close())
	if err := errors.Join(errs...); err != nil {
		return l.errorf("close: %w", err)
	}
	return nil
}

// String names the ledger without credentials, for logs.
func (l *Ledger) String() string { return l.dsn }

func (l *Ledger) checkOpen() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return l.errorf("%s: %w", l.dsn, ErrClosed)
	}
	return nil
}

// errorf formats an error with the "ledger: " prefix and scrubs the DSN's
// password from its text (errors.Is and errors.As still see the cause).
func (l *Ledger) errorf(format string, args ...any) error {
	err := fmt.Errorf("ledger: "+format, args...)
	if l.secret != "" && strings.Contains(err.Error(), l.secret) {
		return &scrubbed{err: err, secret: l.secret}
	}
	return err
}

// scrubbed hides a secret in an error's text.
type scrubbed struct {
	err    error
	secret string
}

func (e *scrubbed) Error() string { return strings.ReplaceAll(e.err.Error(), e.secret, "REDACTED") }
func (e *scrubbed) Unwrap() error { return e.err }

// querier is what *sql.DB, *sql.Tx and *sql.Conn share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// q runs statements on a querier with the dialect's placeholders.
type q struct {
	querier
	d dialect
}

func (x q) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return x.ExecContext(ctx, x.d.rebind(query), args...)
}

func (x q) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return x.QueryContext(ctx, x.d.rebind(query), args...)
}

func (x q) row(ctx context.Context, query string, args ...any) *sql.Row {
	return x.QueryRowContext(ctx, x.d.rebind(query), args...)
}

func (l *Ledger) read() q { return q{l.db, l.dialect} }

// writeTx runs fn in a transaction that is the only writer of the ledger
// while it runs: SQLite opens it with BEGIN IMMEDIATE (see the DSN), and
// PostgreSQL takes a transaction-level advisory lock. fn's error rolls
// everything back; so does a cancelled ctx or a killed process.
func (l *Ledger) writeTx(ctx context.Context, fn func(tx q) error) error {
	if err := l.checkOpen(); err != nil {
		return err
	}
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	w := q{tx, l.dialect}
	if l.dialect == dialectPostgres {
		if _, err := w.exec(ctx, "SELECT pg_advisory_xact_lock(?)", l.lockKey("\x00writer")); err != nil {
			tx.Rollback()
			return err
		}
	}
	if err := fn(w); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// lockKey maps a name to a PostgreSQL advisory lock key, scoped to the
// ledger's schema so two ledgers in one database do not share locks.
func (l *Ledger) lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("allot-ledger\x00"))
	h.Write([]byte(l.schema))
	h.Write([]byte{0})
	h.Write([]byte(name))
	return int64(h.Sum64())
}

// whoami returns the user and host recorded with runs and locks.
func whoami() (usr, host string) {
	if u, err := user.Current(); err == nil {
		usr = u.Username
	}
	if usr == "" {
		usr = os.Getenv("USER")
	}
	if usr == "" {
		usr = "unknown"
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	return usr, host
}
