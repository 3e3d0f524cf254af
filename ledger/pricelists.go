package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/allot-dev/allot/cost"
)

// Fingerprint returns "sha256:" and the hex SHA-256 of b: the fingerprint
// the ledger gives a price list published without one.
func Fingerprint(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// PublishPriceList stores a publication of a quarter's price list. The
// history is kept: a later publication for the same quarter (an edit made
// before the quarter starts) becomes the current one, and every earlier
// one stays readable through PriceLists. Publishing the same content
// (same fingerprint) as the current publication stores nothing.
//
// Whether a price list may still change once runs of the quarter have used
// it is the caller's policy: compare Run.PriceListFingerprint.
func (l *Ledger) PublishPriceList(ctx context.Context, rec PriceListRecord) error {
	fe := func(field, value, msg string) error {
		return l.errorf("publish price list %s: %w", rec.Quarter, &FieldError{Path: "price_list." + field, Value: value, Err: errors.New(msg)})
	}
	switch {
	case rec.Quarter.IsZero():
		return fe("quarter", "", "is empty")
	case len(rec.Content) == 0:
		return fe("content", "", "is empty")
	case !utf8.Valid(rec.Content) || bytes.IndexByte(rec.Content, 0) >= 0:
		return fe("content", "", "is not UTF-8 text; a price list is a YAML file")
	case rec.Lookback.From.IsZero() || rec.Lookback.To.IsZero() || rec.Lookback.To.Before(rec.Lookback.From):
		return fe("lookback", rec.Lookback.String(), "want a range of months, for example 2026-07..2026-09")
	}
	if rec.Fingerprint == "" {
		rec.Fingerprint = Fingerprint(rec.Content)
	}
	if rec.PublishedAt.IsZero() {
		rec.PublishedAt = l.now()
	}
	if rec.PublishedBy == "" {
		u, h := whoami()
		rec.PublishedBy = u + "@" + h
	}
	err := l.writeTx(ctx, func(tx q) error {
		cur, ok, err := latestPriceList(ctx, tx, rec.Quarter)
		if err != nil {
			return err
		}
		if ok && cur.Fingerprint == rec.Fingerprint {
			return nil
		}
		var seq int64
		if err := tx.row(ctx, "SELECT COALESCE(MAX(seq), 0) + 1 FROM price_lists").Scan(&seq); err != nil {
			return err
		}
		_, err = tx.exec(ctx, `INSERT INTO price_lists (seq, quarter, content, fingerprint, lookback_from, lookback_to,
	published_at, published_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			seq, rec.Quarter.String(), string(rec.Content), rec.Fingerprint, rec.Lookback.From.String(),
			rec.Lookback.To.String(), formatTime(rec.PublishedAt), rec.PublishedBy)
		return err
	})
	if err != nil {
		return l.errorf("publish price list %s: %w", rec.Quarter, err)
	}
	return nil
}

// PriceList returns the current publication of q; ok is false if q was
// never published.
func (l *Ledger) PriceList(ctx context.Context, qt cost.Quarter) (PriceListRecord, bool, error) {
	rec, ok, err := latestPriceList(ctx, l.read(), qt)
	if err != nil {
		return PriceListRecord{}, false, l.errorf("price list %s: %w", qt, err)
	}
	return rec, ok, nil
}

// PriceLists returns every publication, by quarter and then in publication order.
func (l *Ledger) PriceLists(ctx context.Context) ([]PriceListRecord, error) {
	out, err := queryPriceLists(ctx, l.read(), "", "ORDER BY quarter, seq")
	if err != nil {
		return nil, l.errorf("price lists: %w", err)
	}
	return out, nil
}

func latestPriceList(ctx context.Context, x q, qt cost.Quarter) (PriceListRecord, bool, error) {
	out, err := queryPriceLists(ctx, x, "WHERE quarter = ?", "ORDER BY seq DESC LIMIT 1", qt.String())
	if err != nil || len(out) == 0 {
		return PriceListRecord{}, false, err
	}
	return out[0], true, nil
}

func queryPriceLists(ctx context.Context, x q, where, order string, args ...any) ([]PriceListRecord, error) {
	rows, err := x.query(ctx, `SELECT quarter, content, fingerprint, lookback_from, lookback_to, published_at, published_by
FROM price_lists `+where+" "+order, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PriceListRecord
	for rows.Next() {
		var r PriceListRecord
		var quarter, content, from, to, at string
		if err := rows.Scan(&quarter, &content, &r.Fingerprint, &from, &to, &at, &r.PublishedBy); err != nil {
			return nil, err
		}
		if r.Quarter, err = cost.ParseQuarter(quarter); err != nil {
			return nil, fmt.Errorf("stored price list quarter: %w", err)
		}
		if r.Lookback, err = cost.ParsePeriodRange(from + ".." + to); err != nil {
			return nil, fmt.Errorf("stored price list %s lookback: %w", quarter, err)
		}
		if r.PublishedAt, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("stored price list %s published_at: %w", quarter, err)
		}
		r.Content = []byte(content)
		out = append(out, r)
	}
	return out, rows.Err()
}
