package objstoretest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/allot-dev/allot/objstore"
)

// BigSize is the size of the large bodies the suite writes: above 8 MiB, and
// not a multiple of any power of two, so the last part or block is short.
const BigSize = 8<<20 + 123_457

// Option tunes Run.
type Option func(*config)

type config struct {
	secrets []string
}

// Secrets lists values (keys, passwords, connection strings) that must never
// appear in the bucket's String() or in the errors it returns. Empty values
// are ignored.
func Secrets(s ...string) Option {
	return func(c *config) {
		for _, v := range s {
			if v != "" {
				c.secrets = append(c.secrets, v)
			}
		}
	}
}

// Run runs the conformance suite. newBucket must return a fresh, empty
// bucket for each call (see the package documentation).
func Run(t *testing.T, newBucket func(t *testing.T) objstore.Bucket, opts ...Option) {
	t.Helper()
	var c config
	for _, o := range opts {
		o(&c)
	}
	t.Run("ListEmpty", func(t *testing.T) { testListEmpty(t, newBucket(t)) })
	t.Run("List", func(t *testing.T) { testList(t, newBucket(t)) })
	t.Run("Missing", func(t *testing.T) { testMissing(t, newBucket(t)) })
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, newBucket(t)) })
	t.Run("Big", func(t *testing.T) { testBig(t, newBucket(t)) })
	t.Run("Replace", func(t *testing.T) { testReplace(t, newBucket(t)) })
	t.Run("IfNotExists", func(t *testing.T) { testIfNotExists(t, newBucket(t)) })
	t.Run("IfNotExistsBig", func(t *testing.T) { testIfNotExistsBig(t, newBucket(t)) })
	t.Run("IfNotExistsRace", func(t *testing.T) { testIfNotExistsRace(t, newBucket(t), 8, 0) })
	t.Run("IfNotExistsRaceBig", func(t *testing.T) { testIfNotExistsRace(t, newBucket(t), 3, BigSize) })
	t.Run("ConcurrentPuts", func(t *testing.T) { testConcurrentPuts(t, newBucket(t)) })
	t.Run("BodyError", func(t *testing.T) { testBodyError(t, newBucket(t)) })
	t.Run("CancelledContext", func(t *testing.T) { testCancelled(t, newBucket(t)) })
	t.Run("CancelDuringPut", func(t *testing.T) { testCancelDuringPut(t, newBucket(t)) })
	t.Run("CancelDuringRead", func(t *testing.T) { testCancelDuringRead(t, newBucket(t)) })
	t.Run("NoSecrets", func(t *testing.T) { testNoSecrets(t, newBucket(t), c.secrets) })
}

func put(t *testing.T, b objstore.Bucket, key, body string) {
	t.Helper()
	if err := b.Put(t.Context(), key, strings.NewReader(body), nil); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

func read(t *testing.T, b objstore.Bucket, key string) string {
	t.Helper()
	rc, err := b.Open(t.Context(), key)
	if err != nil {
		t.Fatalf("Open(%q): %v", key, err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("reading %q: %v", key, err)
	}
	return string(got)
}

func keys(objs []objstore.Object) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o.Key
	}
	return out
}

func wantNotFound(t *testing.T, b objstore.Bucket, key string) {
	t.Helper()
	_, err := b.Stat(t.Context(), key)
	if !errors.Is(err, objstore.ErrNotFound) {
		t.Errorf("Stat(%q) error = %v, want one wrapping ErrNotFound", key, err)
	} else if !strings.Contains(err.Error(), key) {
		t.Errorf("Stat(%q) error %q does not name the key", key, err)
	}
	rc, err := b.Open(t.Context(), key)
	if err == nil {
		rc.Close()
	}
	if !errors.Is(err, objstore.ErrNotFound) {
		t.Errorf("Open(%q) error = %v, want one wrapping ErrNotFound", key, err)
	} else if !strings.Contains(err.Error(), key) {
		t.Errorf("Open(%q) error %q does not name the key", key, err)
	}
}

func testListEmpty(t *testing.T, b objstore.Bucket) {
	for _, prefix := range []string{"", "a", "a/"} {
		got, err := b.List(t.Context(), prefix)
		if err != nil {
			t.Fatalf("List(%q) on an empty bucket: %v", prefix, err)
		}
		if len(got) != 0 {
			t.Errorf("List(%q) on an empty bucket = %q, want nothing", prefix, keys(got))
		}
	}
}

func testList(t *testing.T, b objstore.Bucket) {
	// Written out of order; sizes are the body lengths.
	bodies := map[string]string{
		"c.txt":         "c",
		"b/d/e.txt":     "nested twice",
		"a.txt":         "alpha",
		"bz.txt":        "bz",
		"b/c.txt":       "nested",
		"b-x.txt":       "dash sorts before slash",
		"b/d/f g/h.csv": "space in a folder name",
	}
	for _, k := range []string{"c.txt", "b/d/e.txt", "a.txt", "bz.txt", "b/c.txt", "b-x.txt", "b/d/f g/h.csv"} {
		put(t, b, k, bodies[k])
	}
	tests := []struct {
		name, prefix string
		want         []string // sorted bytewise by hand: '-' < '/' < 'z'
	}{
		{"everything", "", []string{"a.txt", "b-x.txt", "b/c.txt", "b/d/e.txt", "b/d/f g/h.csv", "bz.txt", "c.txt"}},
		{"name prefix", "b", []string{"b-x.txt", "b/c.txt", "b/d/e.txt", "b/d/f g/h.csv", "bz.txt"}},
		{"folder", "b/", []string{"b/c.txt", "b/d/e.txt", "b/d/f g/h.csv"}},
		{"partial folder name", "b/d", []string{"b/d/e.txt", "b/d/f g/h.csv"}},
		{"nested folder", "b/d/f g/", []string{"b/d/f g/h.csv"}},
		{"exact key", "a.txt", []string{"a.txt"}},
		{"no match", "zzz", nil},
		{"no match in folder", "b/x", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := b.List(t.Context(), tt.prefix)
			if err != nil {
				t.Fatalf("List(%q): %v", tt.prefix, err)
			}
			if !slices.Equal(keys(got), tt.want) {
				t.Fatalf("List(%q) = %q, want %q", tt.prefix, keys(got), tt.want)
			}
			for _, o := range got {
				if got, want := o.Size, int64(len(bodies[o.Key])); got != want {
					t.Errorf("List(%q): %s size = %d, want %d", tt.prefix, o.Key, got, want)
				}
				if o.ModTime.IsZero() {
					t.Errorf("List(%q): %s has no ModTime", tt.prefix, o.Key)
				}
			}
		})
	}
	st, err := b.Stat(t.Context(), "b/d/e.txt")
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	if got, want := st.Key, "b/d/e.txt"; got != want {
		t.Errorf("Stat Key = %q, want %q", got, want)
	}
	if got, want := st.Size, int64(len("nested twice")); got != want {
		t.Errorf("Stat Size = %d, want %d", got, want)
	}
	if st.ModTime.IsZero() {
		t.Errorf("Stat ModTime is zero")
	}
}

func testMissing(t *testing.T, b objstore.Bucket) {
	wantNotFound(t, b, "missing.txt")
	wantNotFound(t, b, "no/such/folder/missing.txt")
	put(t, b, "folder/inner/object.txt", "x")
	// A folder is not an object, with or without its trailing slash.
	wantNotFound(t, b, "folder")
	wantNotFound(t, b, "folder/inner")
	wantNotFound(t, b, "folder/inner/object")
}

func testRoundTrip(t *testing.T, b objstore.Bucket) {
	tests := []struct{ name, key, body string }{
		{"small", "small.csv", "a,b\n1,2\n"},
		{"empty", "empty.txt", ""},
		{"nested", "2026/10/part-0001.csv.gz", "\x1f\x8b binary \x00 bytes \xff"},
		{"space and unicode", "dir with space/ünïcödé + plus=eq&amp.csv", "odd key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := b.Put(t.Context(), tt.key, strings.NewReader(tt.body), &objstore.PutOptions{ContentType: "text/csv"}); err != nil {
				t.Fatalf("Put(%q): %v", tt.key, err)
			}
			if got := read(t, b, tt.key); got != tt.body {
				t.Errorf("Open(%q) = %q, want %q", tt.key, got, tt.body)
			}
			st, err := b.Stat(t.Context(), tt.key)
			if err != nil {
				t.Fatalf("Stat(%q): %v", tt.key, err)
			}
			if got, want := st.Size, int64(len(tt.body)); got != want {
				t.Errorf("Stat(%q).Size = %d, want %d", tt.key, got, want)
			}
			objs, err := b.List(t.Context(), tt.key)
			if err != nil {
				t.Fatalf("List(%q): %v", tt.key, err)
			}
			if got, want := keys(objs), []string{tt.key}; !slices.Equal(got, want) {
				t.Errorf("List(%q) = %q, want %q", tt.key, got, want)
			}
		})
	}
}

// noise returns a reader of n pseudo-random bytes that cannot seek and
// hands out at most 7,777 bytes per Read, as a network body would.
func noise(seed uint64, n int64) io.Reader {
	return io.LimitReader(&chunky{r: rand.NewChaCha8(seedBytes(seed))}, n)
}

func seedBytes(seed uint64) [32]byte {
	var s [32]byte
	for i := range 8 {
		s[i] = byte(seed >> (8 * i))
	}
	return s
}

type chunky struct{ r io.Reader }

func (c *chunky) Read(p []byte) (int, error) {
	if len(p) > 7777 {
		p = p[:7777]
	}
	return c.r.Read(p)
}

// noiseSum hashes the same bytes noise yields, from a separate generator.
func noiseSum(seed uint64, n int64) [32]byte {
	h := sha256.New()
	if _, err := io.CopyN(h, rand.NewChaCha8(seedBytes(seed)), n); err != nil {
		panic(err)
	}
	return [32]byte(h.Sum(nil))
}

func sumOf(t *testing.T, b objstore.Bucket, key string) ([32]byte, int64) {
	t.Helper()
	rc, err := b.Open(t.Context(), key)
	if err != nil {
		t.Fatalf("Open(%q): %v", key, err)
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		t.Fatalf("reading %q: %v", key, err)
	}
	return [32]byte(h.Sum(nil)), n
}

func testBig(t *testing.T, b objstore.Bucket) {
	const key = "big/object.bin"
	if err := b.Put(t.Context(), key, noise(1, BigSize), nil); err != nil {
		t.Fatalf("Put(%q, %d bytes): %v", key, BigSize, err)
	}
	sum, n := sumOf(t, b, key)
	if n != BigSize {
		t.Fatalf("read %d bytes, want %d", n, BigSize)
	}
	if sum != noiseSum(1, BigSize) {
		t.Fatalf("content of %q differs from what was written", key)
	}
	st, err := b.Stat(t.Context(), key)
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	if st.Size != BigSize {
		t.Errorf("Stat Size = %d, want %d", st.Size, BigSize)
	}
}

func testReplace(t *testing.T, b objstore.Bucket) {
	put(t, b, "k.txt", "first version")
	put(t, b, "k.txt", "second")
	if got, want := read(t, b, "k.txt"), "second"; got != want {
		t.Errorf("after replace: %q, want %q", got, want)
	}
	st, err := b.Stat(t.Context(), "k.txt")
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	if got, want := st.Size, int64(len("second")); got != want {
		t.Errorf("Stat Size = %d, want %d", got, want)
	}
	// Replacing a small object with a big one and back.
	if err := b.Put(t.Context(), "k.txt", noise(2, BigSize), nil); err != nil {
		t.Fatalf("Put big: %v", err)
	}
	if sum, _ := sumOf(t, b, "k.txt"); sum != noiseSum(2, BigSize) {
		t.Errorf("big replacement reads back differently")
	}
	put(t, b, "k.txt", "third")
	if got, want := read(t, b, "k.txt"), "third"; got != want {
		t.Errorf("after second replace: %q, want %q", got, want)
	}
	objs, err := b.List(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := keys(objs), []string{"k.txt"}; !slices.Equal(got, want) {
		t.Errorf("List after replacing = %q, want %q (no temporary objects)", got, want)
	}
}

var ifNotExists = &objstore.PutOptions{IfNotExists: true}

func testIfNotExists(t *testing.T, b objstore.Bucket) {
	if err := b.Put(t.Context(), "once.txt", strings.NewReader("old"), ifNotExists); err != nil {
		t.Fatalf("Put IfNotExists of a new key: %v", err)
	}
	err := b.Put(t.Context(), "once.txt", strings.NewReader("new"), ifNotExists)
	if !errors.Is(err, objstore.ErrExists) {
		t.Fatalf("Put IfNotExists of an existing key: error = %v, want one wrapping ErrExists", err)
	}
	if !strings.Contains(err.Error(), "once.txt") {
		t.Errorf("ErrExists error %q does not name the key", err)
	}
	if got, want := read(t, b, "once.txt"), "old"; got != want {
		t.Errorf("after refused Put: %q, want %q", got, want)
	}
	// Without the option the same key is replaced.
	put(t, b, "once.txt", "replaced")
	if got, want := read(t, b, "once.txt"), "replaced"; got != want {
		t.Errorf("after plain Put: %q, want %q", got, want)
	}
}

func testIfNotExistsBig(t *testing.T, b objstore.Bucket) {
	if err := b.Put(t.Context(), "big-once.bin", noise(3, BigSize), ifNotExists); err != nil {
		t.Fatalf("Put IfNotExists of a new key with a big body: %v", err)
	}
	err := b.Put(t.Context(), "big-once.bin", noise(4, BigSize), ifNotExists)
	if !errors.Is(err, objstore.ErrExists) {
		t.Fatalf("Put IfNotExists of an existing key with a big body: error = %v, want one wrapping ErrExists", err)
	}
	if sum, _ := sumOf(t, b, "big-once.bin"); sum != noiseSum(3, BigSize) {
		t.Errorf("refused big Put changed the object")
	}
	// A big conditional Put onto an existing small object is refused too.
	put(t, b, "small-then-big.txt", "small")
	err = b.Put(t.Context(), "small-then-big.txt", noise(5, BigSize), ifNotExists)
	if !errors.Is(err, objstore.ErrExists) {
		t.Fatalf("big Put IfNotExists over a small object: error = %v, want one wrapping ErrExists", err)
	}
	if got, want := read(t, b, "small-then-big.txt"), "small"; got != want {
		t.Errorf("after refused big Put: %q, want %q", got, want)
	}
}

// testIfNotExistsRace has n writers Put the same new key with IfNotExists
// at once, with bodies of size bytes (a short text when size is 0): exactly
// one must win, and the object must hold the winner's body.
func testIfNotExistsRace(t *testing.T, b objstore.Bucket, n int, size int64) {
	body := func(i int) io.Reader {
		if size == 0 {
			return strings.NewReader(fmt.Sprintf("writer %d", i))
		}
		return noise(uint64(100+i), size)
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = b.Put(t.Context(), "race.txt", body(i), ifNotExists)
		})
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("writers %d and %d both created race.txt with IfNotExists", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, objstore.ErrExists):
			t.Errorf("writer %d: error = %v, want nil or one wrapping ErrExists", i, err)
		}
	}
	if winner < 0 {
		t.Fatalf("no writer created race.txt: %v", errors.Join(errs...))
	}
	if size == 0 {
		if got, want := read(t, b, "race.txt"), fmt.Sprintf("writer %d", winner); got != want {
			t.Errorf("race.txt = %q, want the winner's %q", got, want)
		}
	} else if sum, _ := sumOf(t, b, "race.txt"); sum != noiseSum(uint64(100+winner), size) {
		t.Errorf("race.txt does not hold the winner's body")
	}
}

func testConcurrentPuts(t *testing.T, b objstore.Bucket) {
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			body := strings.Repeat(fmt.Sprintf("object %d;", i), 100+i)
			errs[i] = b.Put(t.Context(), fmt.Sprintf("many/%02d.txt", i), strings.NewReader(body), nil)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent Puts: %v", err)
	}
	var want []string
	for i := range n {
		key := fmt.Sprintf("many/%02d.txt", i)
		want = append(want, key)
		if got, want := read(t, b, key), strings.Repeat(fmt.Sprintf("object %d;", i), 100+i); got != want {
			t.Errorf("%s holds %d bytes that differ from the %d written", key, len(got), len(want))
		}
	}
	objs, err := b.List(t.Context(), "many/")
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(objs); !slices.Equal(got, want) {
		t.Errorf("List = %q, want %q", got, want)
	}
}

// failing yields n bytes of r and then err.
type failing struct {
	r   io.Reader
	n   int64
	err error
}

func (f *failing) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, f.err
	}
	if int64(len(p)) > f.n {
		p = p[:f.n]
	}
	n, err := f.r.Read(p)
	f.n -= int64(n)
	return n, err
}

var errBody = errors.New("objstoretest: body failed on purpose")

func testBodyError(t *testing.T, b objstore.Bucket) {
	tests := []struct {
		name string
		n    int64 // bytes before the failure
	}{
		{"at once", 0},
		{"small", 1000},
		{"after 8 MiB", BigSize - 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := &failing{r: noise(6, BigSize), n: tt.n, err: errBody}
			err := b.Put(t.Context(), "new.bin", body, nil)
			if !errors.Is(err, errBody) {
				t.Fatalf("Put with a failing body: error = %v, want one wrapping the body's error", err)
			}
			wantNotFound(t, b, "new.bin")

			put(t, b, "old.txt", "old")
			body = &failing{r: noise(6, BigSize), n: tt.n, err: errBody}
			if err := b.Put(t.Context(), "old.txt", body, nil); !errors.Is(err, errBody) {
				t.Fatalf("replacing Put with a failing body: error = %v, want one wrapping the body's error", err)
			}
			if got, want := read(t, b, "old.txt"), "old"; got != want {
				t.Errorf("after a failed replace: %q, want %q", got, want)
			}
		})
	}
}

func testCancelled(t *testing.T, b objstore.Bucket) {
	put(t, b, "exists.txt", "x")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := b.List(ctx, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("List with a cancelled context: error = %v, want context.Canceled", err)
	}
	if _, err := b.Stat(ctx, "exists.txt"); !errors.Is(err, context.Canceled) {
		t.Errorf("Stat with a cancelled context: error = %v, want context.Canceled", err)
	}
	rc, err := b.Open(ctx, "exists.txt")
	if err == nil {
		rc.Close()
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Open with a cancelled context: error = %v, want context.Canceled", err)
	}
	for _, opts := range []*objstore.PutOptions{nil, ifNotExists} {
		if err := b.Put(ctx, "new.txt", strings.NewReader("y"), opts); !errors.Is(err, context.Canceled) {
			t.Errorf("Put(%+v) with a cancelled context: error = %v, want context.Canceled", opts, err)
		}
	}
	wantNotFound(t, b, "new.txt")
	if err := b.Put(ctx, "exists.txt", strings.NewReader("changed"), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("replacing Put with a cancelled context: error = %v, want context.Canceled", err)
	}
	if got, want := read(t, b, "exists.txt"), "x"; got != want {
		t.Errorf("after a cancelled replace: %q, want %q", got, want)
	}
}

// cancelAfter yields r and calls cancel once n bytes have been read,
// continuing to yield data: the bucket must notice the context itself.
type cancelAfter struct {
	r      io.Reader
	n      int64
	cancel func()
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n -= int64(n)
	if c.n <= 0 {
		c.cancel()
	}
	return n, err
}

func testCancelDuringPut(t *testing.T, b objstore.Bucket) {
	for _, at := range []int64{100, BigSize / 2, BigSize - 100} {
		t.Run(fmt.Sprintf("after %d bytes", at), func(t *testing.T) {
			put(t, b, "k.bin", "old")
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			err := b.Put(ctx, "k.bin", &cancelAfter{r: noise(7, BigSize), n: at, cancel: cancel}, nil)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Put cancelled part way: error = %v, want context.Canceled", err)
			}
			if got, want := read(t, b, "k.bin"), "old"; got != want {
				t.Errorf("after a cancelled Put the object holds %d bytes, want the old %q", len(got), want)
			}
			ctx, cancel = context.WithCancel(t.Context())
			defer cancel()
			err = b.Put(ctx, "fresh.bin", &cancelAfter{r: noise(7, BigSize), n: at, cancel: cancel}, nil)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Put of a new key cancelled part way: error = %v, want context.Canceled", err)
			}
			wantNotFound(t, b, "fresh.bin")
		})
	}
}

func testCancelDuringRead(t *testing.T, b objstore.Bucket) {
	if err := b.Put(t.Context(), "big.bin", noise(8, BigSize), nil); err != nil {
		t.Fatalf("Put: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	rc, err := b.Open(ctx, "big.bin")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer rc.Close()
	head := make([]byte, 1024)
	if _, err := io.ReadFull(rc, head); err != nil {
		t.Fatalf("reading the first KiB: %v", err)
	}
	var want [1024]byte
	io.ReadFull(noise(8, 1024), want[:])
	if !bytes.Equal(head, want[:]) {
		t.Fatalf("first KiB differs from what was written")
	}
	cancel()
	n, err := io.Copy(io.Discard, rc)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("reading after cancel: %d more bytes, error = %v, want context.Canceled", n, err)
	}
}

func testNoSecrets(t *testing.T, b objstore.Bucket, secrets []string) {
	s := b.String()
	if s == "" {
		t.Errorf("String() is empty; it should name the bucket for logs")
	}
	var errs []error
	_, err := b.Stat(t.Context(), "missing.txt")
	errs = append(errs, err)
	_, err = b.Open(t.Context(), "missing.txt")
	errs = append(errs, err)
	put(t, b, "exists.txt", "x")
	errs = append(errs, b.Put(t.Context(), "exists.txt", strings.NewReader("y"), ifNotExists))
	errs = append(errs, b.Put(t.Context(), "failing.txt", &failing{r: strings.NewReader(""), err: errBody}, nil))
	for _, secret := range secrets {
		if strings.Contains(s, secret) {
			t.Errorf("String() = %q contains a secret", s)
		}
		for _, err := range errs {
			if err != nil && strings.Contains(err.Error(), secret) {
				t.Errorf("error %q contains a secret", err)
			}
		}
	}
}
