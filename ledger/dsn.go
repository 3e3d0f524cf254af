package ledger

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
)

// SQLite connection settings: WAL so readers never wait for the writer, a
// busy timeout so a second process waits for the write lock instead of
// failing at once, foreign keys enforced, and write transactions that take
// the write lock when they begin (no deadlock on a read-to-write upgrade).
const sqliteParams = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_txlock=immediate"

type dsnConfig struct {
	dialect   dialect
	driver    string // database/sql driver name
	driverDSN string
	redacted  string
	password  string
	path      string // SQLite file
}

// parseDSN reads sqlite:PATH and postgres:// or postgresql:// URLs.
func parseDSN(dsn string) (dsnConfig, error) {
	dsn = strings.TrimSpace(dsn)
	scheme, rest, _ := strings.Cut(dsn, ":")
	switch strings.ToLower(scheme) {
	case "sqlite", "sqlite3":
		path := strings.TrimPrefix(rest, "//") // sqlite:///abs/path, sqlite://rel/path
		switch {
		case path == "":
			return dsnConfig{}, fmt.Errorf("ledger: DSN %q: %w: want sqlite:PATH, for example sqlite:allot.db", dsn, ErrDSN)
		case path == ":memory:" || strings.HasPrefix(path, "file:"):
			return dsnConfig{}, fmt.Errorf("ledger: DSN %q: %w: the ledger must outlive the run; give a file path, for example sqlite:allot.db", dsn, ErrDSN)
		case strings.ContainsAny(path, "?#"):
			return dsnConfig{}, fmt.Errorf("ledger: DSN %q: %w: the SQLite path must not contain '?' or '#'; rename the file", dsn, ErrDSN)
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return dsnConfig{}, fmt.Errorf("ledger: DSN %q: %w", dsn, err)
		}
		return dsnConfig{
			dialect:   dialectSQLite,
			driver:    "sqlite",
			driverDSN: abs + "?" + sqliteParams,
			redacted:  "sqlite:" + path,
			path:      abs,
		}, nil
	case "postgres", "postgresql":
		u, err := url.Parse(dsn)
		if err != nil {
			// url.Parse quotes the input in its message; do not repeat it.
			return dsnConfig{}, fmt.Errorf("ledger: DSN %s: %w: not a valid URL; want postgres://user@host:5432/db", redactDSN(dsn), ErrDSN)
		}
		pw, _ := u.User.Password()
		if pw == "" {
			pw = u.Query().Get("password")
		}
		return dsnConfig{
			dialect:   dialectPostgres,
			driver:    "pgx",
			driverDSN: dsn,
			redacted:  redactDSN(dsn),
			password:  pw,
		}, nil
	}
	return dsnConfig{}, fmt.Errorf("ledger: DSN %s: %w: want sqlite:PATH or postgres://user@host/db", redactDSN(dsn), ErrDSN)
}

// redactDSN returns dsn with any password replaced by REDACTED. Text that
// does not parse as a URL with a scheme is not echoed at all: it might be
// a password pasted in the wrong place.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return "(not a URL)"
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "REDACTED")
		}
	}
	if qv := u.Query(); qv.Has("password") {
		qv.Set("password", "REDACTED")
		u.RawQuery = qv.Encode()
	}
	return u.String()
}
