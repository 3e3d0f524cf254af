package sinks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/allot-dev/allot/objstore"
)

// blobSink stores each batch as its own object in an objstore.Bucket.
type blobSink struct {
	bucket objstore.Bucket
	prefix string
	log    *slog.Logger
}

func (s *blobSink) String() string {
	if s.prefix == "" {
		return s.bucket.String()
	}
	return s.bucket.String() + " prefix " + s.prefix
}

// Deliver writes d.Body under prefix/d.Name with IfNotExists. If the object
// exists, its bytes decide: the same bytes mean an earlier delivery of this
// batch succeeded (nil); different bytes are an ErrConflict, and the
// object is left as it is.
func (s *blobSink) Deliver(ctx context.Context, d Delivery) error {
	if err := d.check(s.String()); err != nil {
		return err
	}
	key := objstore.Join(s.prefix, d.Name)
	err := s.bucket.Put(ctx, key, bytes.NewReader(d.Body), &objstore.PutOptions{IfNotExists: true, ContentType: d.contentType()})
	if err == nil {
		s.log.InfoContext(ctx, "sinks: delivered", "sink", s.String(), "key", key, "journal", d.JournalID, "bytes", len(d.Body))
		return nil
	}
	if !errors.Is(err, objstore.ErrExists) {
		return fmt.Errorf("sinks: %s: deliver %s (journal %s): %w", s, key, d.JournalID, err)
	}
	same, err := s.holds(ctx, key, d.Body)
	if err != nil {
		return fmt.Errorf("sinks: %s: %s exists but cannot be read back to compare (journal %s): %w", s, key, d.JournalID, err)
	}
	if !same {
		return fmt.Errorf("sinks: %s: %s (journal %s) already holds a different batch and allot never overwrites one: "+
			"if the stored object is stale, move it away and deliver again; if the journal changed, post a reversal and correction instead: %w",
			s, key, d.JournalID, ErrConflict)
	}
	s.log.InfoContext(ctx, "sinks: already delivered", "sink", s.String(), "key", key, "journal", d.JournalID, "bytes", len(d.Body))
	return nil
}

// holds reports whether the object at key has exactly the bytes want. It
// reads at most len(want)+1 bytes.
func (s *blobSink) holds(ctx context.Context, key string, want []byte) (bool, error) {
	rc, err := s.bucket.Open(ctx, key)
	if err != nil {
		return false, err
	}
	defer rc.Close()
	got, err := io.ReadAll(io.LimitReader(rc, int64(len(want))+1))
	if err != nil {
		return false, err
	}
	return bytes.Equal(got, want), nil
}
