-- allot ledger schema, version 1.
-- One schema for SQLite and PostgreSQL: TEXT, INTEGER and BIGINT only.
-- Money is an exact decimal string (never REAL or FLOAT), timestamps are
-- RFC 3339 UTC text with nine fractional digits (they sort as text),
-- periods are YYYY-MM and quarters YYYYQn.

CREATE TABLE runs (
	id                     TEXT PRIMARY KEY,
	seq                    BIGINT NOT NULL UNIQUE,
	kind                   TEXT NOT NULL CHECK (kind IN ('allocation', 'buffer-reconcile')),
	period                 TEXT NOT NULL,
	model                  TEXT NOT NULL,
	config_fingerprint     TEXT NOT NULL,
	price_list_fingerprint TEXT NOT NULL,
	inputs_fingerprint     TEXT NOT NULL,
	status                 TEXT NOT NULL CHECK (status IN ('posted', 'unchanged', 'failed')),
	outputs                TEXT NOT NULL,
	summary                TEXT NOT NULL,
	error                  TEXT NOT NULL,
	started_at             TEXT NOT NULL,
	finished_at            TEXT NOT NULL,
	run_user               TEXT NOT NULL,
	host                   TEXT NOT NULL
);

CREATE INDEX runs_period ON runs (period, kind, status, seq);

CREATE TABLE run_inputs (
	run_id      TEXT NOT NULL REFERENCES runs (id),
	pos         INTEGER NOT NULL,
	source      TEXT NOT NULL,
	object      TEXT NOT NULL,
	fingerprint TEXT NOT NULL,
	PRIMARY KEY (run_id, pos)
);

CREATE TABLE batches (
	journal_id      TEXT PRIMARY KEY,
	run_id          TEXT NOT NULL REFERENCES runs (id),
	run_seq         BIGINT NOT NULL,
	pos             INTEGER NOT NULL,
	kind            TEXT NOT NULL CHECK (kind IN ('allocation', 'reversal', 'buffer-reconcile')),
	period          TEXT NOT NULL,
	company         TEXT NOT NULL,
	currency        TEXT NOT NULL,
	accounting_date TEXT NOT NULL,
	description     TEXT NOT NULL,
	reverses        TEXT REFERENCES batches (journal_id),
	posted_at       TEXT NOT NULL,
	UNIQUE (run_seq, pos),
	CHECK ((kind = 'reversal') = (reverses IS NOT NULL))
);

-- A batch is reversed at most once.
CREATE UNIQUE INDEX batches_reverses ON batches (reverses);
CREATE INDEX batches_period ON batches (period, run_seq, pos);

CREATE TABLE journal_lines (
	journal_id   TEXT NOT NULL REFERENCES batches (journal_id),
	pos          INTEGER NOT NULL,
	line_no      INTEGER NOT NULL,
	company      TEXT NOT NULL,
	cost_center  TEXT NOT NULL,
	account      TEXT NOT NULL,
	debit        TEXT NOT NULL,
	credit       TEXT NOT NULL,
	description  TEXT NOT NULL,
	team         TEXT NOT NULL,
	action_class TEXT NOT NULL,
	component    TEXT NOT NULL,
	PRIMARY KEY (journal_id, pos)
);

CREATE TABLE deliveries (
	sink       TEXT NOT NULL,
	journal_id TEXT NOT NULL REFERENCES batches (journal_id),
	acked_at   TEXT NOT NULL,
	detail     TEXT NOT NULL,
	PRIMARY KEY (sink, journal_id)
);

CREATE TABLE buffer_movements (
	run_id     TEXT PRIMARY KEY REFERENCES runs (id),
	run_seq    BIGINT NOT NULL,
	period     TEXT NOT NULL,
	kind       TEXT NOT NULL CHECK (kind IN ('month', 'reconcile')),
	currency   TEXT NOT NULL,
	opening    TEXT NOT NULL,
	surcharges TEXT NOT NULL,
	adjustment TEXT NOT NULL,
	closing    TEXT NOT NULL
);

CREATE INDEX buffer_movements_period ON buffer_movements (period, kind, run_seq);

CREATE TABLE buffer_draws (
	run_id TEXT NOT NULL REFERENCES buffer_movements (run_id),
	pos    INTEGER NOT NULL,
	team   TEXT NOT NULL,
	amount TEXT NOT NULL,
	cause  TEXT NOT NULL,
	PRIMARY KEY (run_id, pos)
);

CREATE TABLE price_lists (
	seq           BIGINT PRIMARY KEY,
	quarter       TEXT NOT NULL,
	content       TEXT NOT NULL,
	fingerprint   TEXT NOT NULL,
	lookback_from TEXT NOT NULL,
	lookback_to   TEXT NOT NULL,
	published_at  TEXT NOT NULL,
	published_by  TEXT NOT NULL
);

CREATE INDEX price_lists_quarter ON price_lists (quarter, seq);

-- Who holds a named lock (informational: the lock itself is a file lock
-- for SQLite and an advisory lock for PostgreSQL).
CREATE TABLE lock_holders (
	name        TEXT PRIMARY KEY,
	holder      TEXT NOT NULL,
	token       TEXT NOT NULL,
	acquired_at TEXT NOT NULL
);
