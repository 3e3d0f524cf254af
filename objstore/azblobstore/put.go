package azblobstore

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"

	"github.com/allot-dev/allot/objstore"
)

// Put stores body under key. A body of up to BlockSize bytes goes up in
// one Put Blob; a larger one is staged block by block and becomes visible
// only when Put Block List commits it, so a reader sees the old blob or the
// whole new one. With IfNotExists the Put Blob or the Put Block List
// carries If-None-Match: *, and an existing blob yields an error wrapping
// objstore.ErrExists. Every request carries the Content-MD5 of its body.
func (b *Bucket) Put(ctx context.Context, key string, body io.Reader, opts *objstore.PutOptions) error {
	if err := checkKey(key); err != nil {
		return fmt.Errorf("azblobstore: put %s: %w", b.where(key), err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("azblobstore: put %s: %w", b.where(key), err)
	}
	if opts == nil {
		opts = &objstore.PutOptions{}
	}
	r := objstore.ContextReader{Ctx: ctx, R: body}
	// Read up to one byte past a block: memory follows the body size for
	// small bodies, and is capped at one block for big ones.
	head, err := io.ReadAll(io.LimitReader(r, b.opts.BlockSize+1))
	if err != nil {
		return b.bodyError(ctx, key, err)
	}
	if int64(len(head)) <= b.opts.BlockSize {
		return b.putSmall(ctx, key, head, opts)
	}
	rest := io.MultiReader(bytes.NewReader(head[b.opts.BlockSize:]), r)
	return b.putBlocks(ctx, key, head[:b.opts.BlockSize], rest, opts)
}

func (b *Bucket) bodyError(ctx context.Context, key string, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("azblobstore: put %s: %w", b.where(key), cerr)
	}
	return fmt.Errorf("azblobstore: put %s: reading the body: %w", b.where(key), err)
}

func (b *Bucket) existsError(key string) error {
	return fmt.Errorf("azblobstore: put %s: %w (IfNotExists was set; choose another key or drop the option to replace it)",
		b.where(key), objstore.ErrExists)
}

// conditions returns the access conditions of a Put: If-None-Match: * with
// IfNotExists, none otherwise.
func conditions(opts *objstore.PutOptions) *blob.AccessConditions {
	if !opts.IfNotExists {
		return nil
	}
	return &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfNoneMatch: to.Ptr(azcore.ETagAny)}}
}

func headers(opts *objstore.PutOptions) *blob.HTTPHeaders {
	if opts.ContentType == "" {
		return nil
	}
	return &blob.HTTPHeaders{BlobContentType: to.Ptr(opts.ContentType)}
}

// isExists reports whether err is the service refusing a conditional
// write because the blob exists.
func isExists(err error) bool {
	_, status := statusOf(err)
	return bloberror.HasCode(err, bloberror.BlobAlreadyExists, bloberror.ConditionNotMet) || status == 412
}

func (b *Bucket) putSmall(ctx context.Context, key string, data []byte, opts *objstore.PutOptions) error {
	sum := md5.Sum(data)
	_, err := b.client.NewBlockBlobClient(key).Upload(ctx, streaming.NopCloser(bytes.NewReader(data)), &blockblob.UploadOptions{
		HTTPHeaders:             headers(opts),
		AccessConditions:        conditions(opts),
		TransactionalValidation: blob.TransferValidationTypeMD5(sum[:]),
	})
	if err != nil {
		if opts.IfNotExists && isExists(err) && ctx.Err() == nil {
			return b.existsError(key)
		}
		return b.wrap(ctx, "put", key, err)
	}
	return nil
}

// putBlocks stages first, then the rest of the body in blocks of
// BlockSize, Concurrency at a time, and commits the block list. Blocks of a
// failed Put stay uncommitted and invisible; the service discards them
// (after a week, or at the blob's next commit).
func (b *Bucket) putBlocks(ctx context.Context, key string, first []byte, rest io.Reader, opts *objstore.PutOptions) error {
	if opts.IfNotExists {
		// Fail early rather than upload gigabytes for nothing. The
		// conditional commit below is what guarantees it.
		if _, err := b.Stat(ctx, key); err == nil {
			return b.existsError(key)
		} else if !errors.Is(err, objstore.ErrNotFound) {
			return err
		}
	}
	bb := b.client.NewBlockBlobClient(key)
	ids, err := b.stageBlocks(ctx, key, bb, first, rest)
	if err != nil {
		return err
	}
	_, err = bb.CommitBlockList(ctx, ids, &blockblob.CommitBlockListOptions{
		HTTPHeaders:      headers(opts),
		AccessConditions: conditions(opts),
	})
	if err != nil {
		if opts.IfNotExists && isExists(err) && ctx.Err() == nil {
			return b.existsError(key)
		}
		if bloberror.HasCode(err, bloberror.InvalidBlockList) && ctx.Err() == nil {
			// A commit of the same blob by another writer discards our
			// uncommitted blocks.
			if _, serr := b.Stat(ctx, key); opts.IfNotExists && serr == nil {
				return b.existsError(key)
			}
			return &sdkError{msg: fmt.Sprintf("azblobstore: put %s: %s: another writer committed the same blob while this Put "+
				"staged its blocks; retry", b.where(key), describe(err)), err: err}
		}
		return b.wrap(ctx, "put", key, err)
	}
	return nil
}

// stageBlocks stages first as block 0 and the rest of the body as the
// following blocks. At most Concurrency blocks are in flight, so at most
// Concurrency+1 block buffers exist. It returns the block IDs in order.
func (b *Bucket) stageBlocks(ctx context.Context, key string, bb *blockblob.Client, first []byte, rest io.Reader) ([]string, error) {
	// Block IDs are unique to this Put, so a concurrent Put of the same
	// key never commits our blocks or we theirs; all IDs of a blob must
	// have the same length.
	var nonce [12]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, fmt.Errorf("azblobstore: put %s: %w", b.where(key), err)
	}
	prefix := hex.EncodeToString(nonce[:])
	blockID := func(n int) string { return base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "%s-%06d", prefix, n)) }

	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
		ids      []string
	)
	slots := make(chan struct{}, b.opts.Concurrency)
	free := make(chan []byte, b.opts.Concurrency+1)
	send := func(id string, data []byte) {
		defer wg.Done()
		defer func() { <-slots }()
		sum := md5.Sum(data)
		_, err := bb.StageBlock(sctx, id, streaming.NopCloser(bytes.NewReader(data)), &blockblob.StageBlockOptions{
			TransactionalValidation: blob.TransferValidationTypeMD5(sum[:]),
		})
		free <- data
		if err != nil {
			mu.Lock()
			if firstErr == nil {
				firstErr = err
				cancel()
			}
			mu.Unlock()
		}
	}
	failed := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return firstErr != nil
	}

	var readErr error
	data := first
	for n := 0; ; {
		id := blockID(n)
		ids = append(ids, id)
		slots <- struct{}{} // released by send
		wg.Add(1)
		go send(id, data)
		if failed() {
			break
		}
		var buf []byte
		select {
		case buf = <-free:
		default:
			buf = make([]byte, b.opts.BlockSize)
		}
		m, err := io.ReadFull(rest, buf[:b.opts.BlockSize])
		if err == io.EOF {
			break
		}
		if err != nil && err != io.ErrUnexpectedEOF {
			readErr = err
			break
		}
		data = buf[:m]
		if n++; n >= MaxBlocks {
			readErr = fmt.Errorf("the body is larger than %d blocks of %d bytes; raise Options.BlockSize", MaxBlocks, b.opts.BlockSize)
			break
		}
	}
	if readErr != nil {
		cancel()
	}
	wg.Wait()
	if cerr := ctx.Err(); cerr != nil {
		return nil, fmt.Errorf("azblobstore: put %s: %w", b.where(key), cerr)
	}
	if readErr != nil {
		return nil, b.bodyError(ctx, key, readErr)
	}
	if firstErr != nil {
		return nil, b.wrap(ctx, "put", key, firstErr)
	}
	return ids, nil
}
