// Package objstoretest is the conformance suite every [objstore.Bucket]
// driver runs, in the spirit of go-cloud's drivertest: the only per-driver
// code is a function that returns a fresh, empty bucket.
//
//	func TestConformance(t *testing.T) {
//		objstoretest.Run(t, func(t *testing.T) objstore.Bucket {
//			return fileblob.New(t.TempDir())
//		})
//	}
//
// # What it checks
//
//   - List: prefix filtering, keys sorted bytewise, nested keys, an empty
//     result for a prefix that matches nothing, sizes.
//   - Stat and Open of a missing key, and of a "folder" that only exists as
//     the prefix of other keys: errors wrapping [objstore.ErrNotFound] that
//     name the key.
//   - Put then Open round trips: empty, small, keys with spaces and
//     non-ASCII characters, and a body larger than 8 MiB fed through a
//     reader that cannot seek, so cloud drivers take their multipart or
//     block upload path.
//   - Put replacing an object; Put with IfNotExists on a new key, on an
//     existing key (an error wrapping [objstore.ErrExists], old content
//     kept), with a large body, and from several goroutines at once (exactly
//     one wins).
//   - Concurrent Puts of different keys.
//   - Atomicity: a Put whose body fails, or whose context is cancelled part
//     way, leaves the previous object (or no object) in place.
//   - Cancellation: List, Stat, Put and Open with a cancelled context, and
//     reading an open object after its context is cancelled, return errors
//     wrapping [context.Canceled].
//   - String never contains a secret passed with [Secrets], nor do the
//     errors the bucket returns.
//
// # Requirements on newBucket
//
// newBucket must return an empty bucket that no other test writes to, and
// clean it up with t.Cleanup. It is called once per subtest.
package objstoretest
