// Package ledger is allot's state store: the runs, the journal batches
// posted to the ERP (with their lines, so a later run can reverse them
// exactly), delivery acknowledgements per sink, the buffer fund's
// movements, the published price lists, and the locks that keep two runs
// of one period apart. It also holds two pure computations the store's
// callers need: the posting plan of a restatement ([Plan]) and the
// quarter-end buffer reconciliation ([Reconcile]).
//
// # DSNs
//
//	sqlite:allot.db                  a local file (sqlite:///var/lib/allot/allot.db for an absolute path)
//	postgres://allot@db.internal/allot?sslmode=require
//	postgresql://allot:SECRET@10.0.0.5:5432/allot?search_path=finops
//
// SQLite runs through modernc.org/sqlite (pure Go, no cgo) in WAL mode
// with a 10 s busy timeout, foreign keys on, and write transactions that
// take the write lock when they begin. PostgreSQL runs through pgx's
// database/sql driver; query parameters of the URL go to pgx (sslmode,
// search_path, application_name, …). Relative SQLite paths are relative
// to the working directory: resolve them against the configuration file
// before calling [Open]. Errors and [Ledger.String] never show the DSN's
// password.
//
// # Schema and migrations
//
// One schema serves both engines; it keeps to their common SQL: TEXT,
// INTEGER and BIGINT columns, money as exact decimal strings (never REAL),
// timestamps as RFC 3339 UTC text with nine fractional digits, periods as
// YYYY-MM and quarters as YYYYQn. Placeholders are written "?" and turned
// into "$n" for PostgreSQL in one place. The migrations are embedded
// (migrations/NNNN_name.sql) and applied by Open in one transaction,
// recorded in schema_migrations; a database migrated by a newer allot is
// refused with [ErrSchemaTooNew]. Tables:
//
//	runs              id, seq (run order), kind, period, model, config / price list / inputs
//	                  fingerprints, status, outputs, summary JSON, error, started/finished, user, host
//	run_inputs        the fingerprint of every input object of a run (source, object, fingerprint)
//	batches           every journal ever posted: id, run, kind, period, company, currency,
//	                  accounting date, description, the id it reverses, posted at
//	journal_lines     every cost.JournalLine field of every batch, in order
//	deliveries        (sink, journal id) acknowledged, when, detail
//	buffer_movements  per run: period, kind (month or reconcile), currency, opening,
//	                  surcharges, adjustment, closing
//	buffer_draws      per movement: team, amount, cause
//	price_lists       every publication: quarter, YAML content, fingerprint, look-back range,
//	                  published at and by
//	lock_holders      who holds a named lock (information only)
//
// Writes are serialized: one write transaction at a time per database
// (SQLite's write lock; a transaction-level advisory lock on PostgreSQL),
// so sequence numbers are assigned without races.
//
// # Posting and reversals
//
// [Ledger.Post] stores a run, its journals and its buffer movement in one
// transaction: a process killed in the middle leaves nothing of it. Before
// storing each journal it checks that the id is new, and that a reversal
// reverses a posted, not yet reversed batch of the same period, company and
// currency, line for line with debits and credits swapped. At the end no
// period, company and currency may hold two live batches of one kind
// ([ErrDoublePosting]): a second full posting cannot happen.
//
// A restatement never edits a posted batch and never posts a delta. [Plan]
// reverses every live allocation batch whose lines changed and posts the
// new allocation in full, so the sum of all batches of a period equals the
// latest allocation. Journal ids are deterministic and readable, and never
// reused:
//
//	ALLOT-2026-10-1000-USD-A1      first allocation of October 2026, company 1000, USD
//	ALLOT-2026-10-1000-USD-A1-R    its reversal (a batch is reversed at most once)
//	ALLOT-2026-10-1000-USD-A2      the restated allocation
//	ALLOT-2026Q4-1000-USD-B1       the buffer reconciliation of 2026Q4 ([PlanReconcile])
//
// The revision number is one more than the highest revision already
// posted for the period, company and currency, so a flip-flop A→B→A posts
// A1, A1-R, A2, A2-R, A3. Non-alphanumeric characters of a company code
// become "_" in ids. A reversal carries the reversed batch's period and
// accounting date, so the ERP's figures for the period end exactly at the
// restated allocation.
//
// A run that posts nothing (its inputs or its plan are unchanged, or it
// failed) is stored with [Ledger.RecordRun] for the audit trail.
// [Ledger.LatestRun] is the latest posted allocation run of a period;
// [Ledger.Runs] lists runs for `allot runs`.
//
// # Deliveries
//
// A sink acknowledges each journal it delivered with [Ledger.Ack];
// [Ledger.Undelivered] lists the period's batches a sink still owes, in
// posting order (a reversal before the correction that follows it). The
// journal id is the idempotency key a sink sends.
//
// # Buffer fund
//
// Each allocation run stores the fund's month movement (opening,
// surcharges, draws per team with causes, closing; opening + surcharges −
// draws = closing). The movement of the latest run of a period is the
// current one, so a restated month replaces its movement. The opening of
// a period is the closing of the current movement of the latest earlier
// period ([Ledger.BufferOpening]), plus that period's quarter-end
// adjustment if it was reconciled. [Ledger.QuarterDraws] sums a quarter's
// draws per team before a month, for the quarterly cap.
//
// [Reconcile] turns a quarter's current movements into the quarter-end
// statement: surcharges in, draws out per team with causes, the closing
// balance against the target range (5%–10% of the average monthly
// inference spend by default), the buffer rates that would have closed the
// quarter at each bound, and the adjustment back into range: a refund of
// the excess to the teams pro rata to the surcharges they paid, or a
// top-up of the shortfall from the central budget. The caller posts its
// journals (through [PlanReconcile]) and its reconcile movement with a run
// of kind [RunBufferReconcile] on the quarter's last month. Reconcile a
// quarter before running the next quarter's first month: that month's
// opening includes the adjustment.
//
// # Locks
//
// [Ledger.Lock] is exclusive and never waits: a lock held elsewhere is an
// error wrapping [ErrLocked] that names the holder (user@host pid N since
// T) when known. With SQLite the lock is flock(2) on a file beside the
// database, PATH.NAME.lock (NAME reduced to [A-Za-z0-9._-]): it excludes
// other processes on the machine and other Ledgers in the same process, and
// the kernel releases it when the holder exits or crashes. flock is not
// reliable on network file systems and is not implemented on Windows: use
// PostgreSQL for a shared ledger. With PostgreSQL the lock is a
// session-level advisory lock (pg_try_advisory_lock) on a dedicated
// connection, keyed by the schema and the name, so it holds across
// machines; the server drops it when the holder's session ends, including
// when its process dies. Releasing discards that connection.
//
// # Audit
//
// Nothing posted is ever updated or deleted: batches, lines, movements,
// runs and price lists are append-only, so any figure of any past run can
// be traced to the run that produced it, the inputs it read (object
// fingerprints) and the configuration and price list it used
// (fingerprints).
package ledger
