package focus

// SetMinChunk sets the fewest groups per worker of ScanGroupsParallel and
// returns a function that restores it, for tests that share few groups.
func SetMinChunk(n int) (restore func()) {
	old := minChunk
	minChunk = n
	return func() { minChunk = old }
}
