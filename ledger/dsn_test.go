package ledger

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseDSN(t *testing.T) {
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	cases := []struct {
		dsn          string
		wantDialect  dialect
		wantPath     string
		wantRedacted string
	}{
		{"sqlite:allot.db", dialectSQLite, abs("allot.db"), "sqlite:allot.db"},
		{"sqlite:///var/lib/allot/allot.db", dialectSQLite, "/var/lib/allot/allot.db", "sqlite:/var/lib/allot/allot.db"},
		{"sqlite://state/allot.db", dialectSQLite, abs("state/allot.db"), "sqlite:state/allot.db"},
		{"postgres://allot@db.internal/allot?sslmode=require", dialectPostgres, "", "postgres://allot@db.internal/allot?sslmode=require"},
		{"postgresql://allot:s3cr3t-pw@10.0.0.5:5432/allot", dialectPostgres, "", "postgresql://allot:REDACTED@10.0.0.5:5432/allot"},
		{"postgres://allot@db/allot?password=s3cr3t-pw&sslmode=disable", dialectPostgres, "", "postgres://allot@db/allot?password=REDACTED&sslmode=disable"},
	}
	for _, c := range cases {
		t.Run(c.dsn, func(t *testing.T) {
			got, err := parseDSN(c.dsn)
			if err != nil {
				t.Fatal(err)
			}
			if got.dialect != c.wantDialect || got.path != c.wantPath || got.redacted != c.wantRedacted {
				t.Errorf("parseDSN = %s %q %q, want %s %q %q", got.dialect, got.path, got.redacted, c.wantDialect, c.wantPath, c.wantRedacted)
			}
		})
	}
	for _, bad := range []string{"", "sqlite:", "sqlite::memory:", "sqlite:file:x.db", "sqlite:a?b.db",
		"mysql://root:s3cr3t-pw@db/allot", "s3cr3t-pw", "postgres://allot:s3cr3t-pw@db:badport/x"} {
		t.Run("rejects "+bad, func(t *testing.T) {
			_, err := parseDSN(bad)
			if !errors.Is(err, ErrDSN) {
				t.Fatalf("err = %v, want ErrDSN", err)
			}
			if strings.Contains(err.Error(), "s3cr3t-pw") {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}

// TestOpenErrorsHideThePassword makes the password appear where a driver
// error would print it (as the database name) and checks it never shows.
func TestOpenErrorsHideThePassword(t *testing.T) {
	const pw = "s3cr3t-pw-4242"
	ctx := context.Background()
	t.Run("no server", func(t *testing.T) {
		_, err := Open(ctx, "postgres://allot:"+pw+"@127.0.0.1:1/"+pw+"?sslmode=disable&connect_timeout=5")
		if err == nil {
			t.Fatal("Open of a closed port succeeded")
		}
		if strings.Contains(err.Error(), pw) {
			t.Errorf("error shows the password: %v", err)
		}
		if !strings.Contains(err.Error(), "REDACTED") {
			t.Errorf("error does not say what it hid: %v", err)
		}
	})
	t.Run("postgres", func(t *testing.T) {
		u, err := url.Parse(postgresDSN(t))
		if err != nil {
			t.Fatal(err)
		}
		u.User = url.UserPassword(u.User.Username(), pw) // trust auth ignores it
		u.Path = "/" + pw                                // no such database
		_, err = Open(ctx, u.String())
		if err == nil {
			t.Fatal("Open of a missing database succeeded")
		}
		if strings.Contains(err.Error(), pw) {
			t.Errorf("error shows the password: %v", err)
		}
	})
	t.Run("sqlite in a missing directory", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "missing", "allot.db")
		_, err := Open(ctx, "sqlite:"+path)
		if err == nil || !strings.Contains(err.Error(), path) {
			t.Fatalf("err = %v, want an error naming %s", err, path)
		}
	})
}

func TestLedgerStringHidesPassword(t *testing.T) {
	dsn := postgresDSN(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), "s3cr3t-pw")
	l := openLedger(t, u.String())
	if s := l.String(); strings.Contains(s, "s3cr3t-pw") || !strings.Contains(s, "REDACTED") {
		t.Errorf("String() = %s", s)
	}
}
