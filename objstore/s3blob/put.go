package s3blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/allot-dev/allot/objstore"
)

// abortTimeout bounds the AbortMultipartUpload sent after a failed Put,
// which runs even when the Put's context is cancelled.
const abortTimeout = 30 * time.Second

// conflictRetries is how often a conditional PutObject is retried after
// S3's 409 ConditionalRequestConflict (a concurrent write to the same key),
// as AWS documents.
const conflictRetries = 3

// Put stores body under key. A body of up to PartSize bytes goes up in one
// PutObject; a larger one as a multipart upload that is completed only
// after every part is stored, and aborted on any error, so a reader sees
// the old object or the whole new one. With IfNotExists the PutObject or
// the CompleteMultipartUpload carries If-None-Match: *, and an existing
// key yields an error wrapping objstore.ErrExists.
func (b *Bucket) Put(ctx context.Context, key string, body io.Reader, opts *objstore.PutOptions) error {
	if err := checkKey(key); err != nil {
		return fmt.Errorf("s3blob: put %s: %w", b.where(key), err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("s3blob: put %s: %w", b.where(key), err)
	}
	if opts == nil {
		opts = &objstore.PutOptions{}
	}
	r := objstore.ContextReader{Ctx: ctx, R: body}
	// Read up to one byte past a part: memory follows the body size for
	// small bodies, and is capped at one part for big ones.
	head, err := io.ReadAll(io.LimitReader(r, b.opts.PartSize+1))
	if err != nil {
		return b.bodyError(ctx, key, err)
	}
	if int64(len(head)) <= b.opts.PartSize {
		return b.putSmall(ctx, key, head, opts)
	}
	rest := io.MultiReader(bytes.NewReader(head[b.opts.PartSize:]), r)
	return b.putMultipart(ctx, key, head[:b.opts.PartSize], rest, opts)
}

func (b *Bucket) bodyError(ctx context.Context, key string, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("s3blob: put %s: %w", b.where(key), cerr)
	}
	return fmt.Errorf("s3blob: put %s: reading the body: %w", b.where(key), err)
}

func (b *Bucket) existsError(key string) error {
	return fmt.Errorf("s3blob: put %s: %w (IfNotExists was set; choose another key or drop the option to replace it)",
		b.where(key), objstore.ErrExists)
}

func (b *Bucket) putSmall(ctx context.Context, key string, data []byte, opts *objstore.PutOptions) error {
	for attempt := 0; ; attempt++ {
		in := &s3.PutObjectInput{
			Bucket:        aws.String(b.bucket),
			Key:           aws.String(key),
			Body:          bytes.NewReader(data),
			ContentLength: aws.Int64(int64(len(data))),
		}
		if opts.ContentType != "" {
			in.ContentType = aws.String(opts.ContentType)
		}
		if opts.IfNotExists {
			in.IfNoneMatch = aws.String("*")
		}
		_, err := b.client.PutObject(ctx, in)
		if err == nil {
			return nil
		}
		code, status := errorCode(err)
		switch {
		case opts.IfNotExists && (code == codePreconditionFailed || status == 412):
			return b.existsError(key)
		case opts.IfNotExists && code == codeConditionConflict && attempt < conflictRetries && ctx.Err() == nil:
			continue
		case opts.IfNotExists && code == codeNotImplemented:
			return fmt.Errorf("s3blob: put %s: the server does not support conditional writes (If-None-Match), which IfNotExists needs: %w",
				b.where(key), err)
		}
		return b.wrap("put", key, err)
	}
}

// putMultipart uploads first, then the rest of the body in parts of
// PartSize, Concurrency at a time, and completes the upload. Any error
// aborts it.
func (b *Bucket) putMultipart(ctx context.Context, key string, first []byte, rest io.Reader, opts *objstore.PutOptions) (err error) {
	if opts.IfNotExists {
		// Fail early rather than upload gigabytes for nothing. The
		// conditional CompleteMultipartUpload below is what guarantees it.
		if _, err := b.Stat(ctx, key); err == nil {
			return b.existsError(key)
		} else if !errors.Is(err, objstore.ErrNotFound) {
			return err
		}
	}
	create := &s3.CreateMultipartUploadInput{
		Bucket:            aws.String(b.bucket),
		Key:               aws.String(key),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
	}
	if opts.ContentType != "" {
		create.ContentType = aws.String(opts.ContentType)
	}
	mu, err := b.client.CreateMultipartUpload(ctx, create)
	if err != nil {
		return b.wrap("put", key, err)
	}
	uploadID := mu.UploadId
	defer func() {
		if err == nil {
			return
		}
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
		defer cancel()
		_, aerr := b.client.AbortMultipartUpload(actx, &s3.AbortMultipartUploadInput{
			Bucket: aws.String(b.bucket), Key: aws.String(key), UploadId: uploadID,
		})
		if aerr != nil {
			err = fmt.Errorf("%w (aborting multipart upload %s also failed, so its parts stay billed until a lifecycle rule removes them: %v)",
				err, aws.ToString(uploadID), aerr)
		}
	}()

	parts, err := b.uploadParts(ctx, key, uploadID, first, rest)
	if err != nil {
		return err
	}
	complete := &s3.CompleteMultipartUploadInput{
		Bucket:          aws.String(b.bucket),
		Key:             aws.String(key),
		UploadId:        uploadID,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	}
	if opts.IfNotExists {
		complete.IfNoneMatch = aws.String("*")
	}
	if _, err := b.client.CompleteMultipartUpload(ctx, complete); err != nil {
		code, status := errorCode(err)
		switch {
		case opts.IfNotExists && (code == codePreconditionFailed || status == 412):
			return b.existsError(key)
		case opts.IfNotExists && code == codeNotImplemented:
			return fmt.Errorf("s3blob: put %s: the server does not support conditional writes (If-None-Match), which IfNotExists needs: %w",
				b.where(key), err)
		}
		return b.wrap("put", key, err)
	}
	return nil
}

// uploadParts uploads first as part 1 and the rest of the body as the
// following parts. At most Concurrency parts are in flight, so at most
// Concurrency+1 part buffers exist. It returns the parts sorted by number.
func (b *Bucket) uploadParts(ctx context.Context, key string, uploadID *string, first []byte, rest io.Reader) ([]types.CompletedPart, error) {
	uctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		parts    []types.CompletedPart
		firstErr error
		wg       sync.WaitGroup
	)
	slots := make(chan struct{}, b.opts.Concurrency)
	free := make(chan []byte, b.opts.Concurrency+1)
	send := func(num int32, data []byte) {
		defer wg.Done()
		defer func() { <-slots }()
		out, err := b.client.UploadPart(uctx, &s3.UploadPartInput{
			Bucket:            aws.String(b.bucket),
			Key:               aws.String(key),
			UploadId:          uploadID,
			PartNumber:        aws.Int32(num),
			Body:              bytes.NewReader(data),
			ContentLength:     aws.Int64(int64(len(data))),
			ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
		})
		free <- data
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("part %d: %w", num, err)
				cancel()
			}
			return
		}
		parts = append(parts, types.CompletedPart{
			PartNumber:    aws.Int32(num),
			ETag:          out.ETag,
			ChecksumCRC32: out.ChecksumCRC32,
		})
	}
	failed := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return firstErr != nil
	}

	var readErr error
	data := first
	for num := int32(1); ; {
		slots <- struct{}{} // released by send
		wg.Add(1)
		go send(num, data)
		if failed() {
			break
		}
		var buf []byte
		select {
		case buf = <-free:
		default:
			buf = make([]byte, b.opts.PartSize)
		}
		n, err := io.ReadFull(rest, buf[:b.opts.PartSize])
		if err == io.EOF {
			break
		}
		if err != nil && err != io.ErrUnexpectedEOF {
			readErr = err
			break
		}
		data = buf[:n]
		if num++; num > MaxParts {
			readErr = fmt.Errorf("the body is larger than %d parts of %d bytes; raise Options.PartSize", MaxParts, b.opts.PartSize)
			break
		}
	}
	if readErr != nil {
		cancel()
	}
	wg.Wait()
	if cerr := ctx.Err(); cerr != nil {
		return nil, fmt.Errorf("s3blob: put %s: %w", b.where(key), cerr)
	}
	if readErr != nil {
		return nil, b.bodyError(ctx, key, readErr)
	}
	if firstErr != nil {
		return nil, b.wrap("put", key, firstErr)
	}
	sort.Slice(parts, func(i, j int) bool { return *parts[i].PartNumber < *parts[j].PartNumber })
	return parts, nil
}
