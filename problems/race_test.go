//go:build race

package problems

// Under the race detector sync.Pool drops items at random, so the
// allocation tests of pooled scratch space do not apply.
func init() { raceEnabled = true }
