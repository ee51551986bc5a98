// Package storetest is the conformance suite every store.Store implementation passes: append,
// commit and rollback visibility, ErrClosed after use, idempotent re-import with a reconciled
// summary, the merge rules (latest counts win, empty fields are filled), the documented views
// (engagements without double counting, watchlist and observation handle resolution), rejects,
// read-only Query, Stats, documents, result tables and SourceDone.
//
// An implementation's test calls Run with a function that opens a fresh, empty store:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { ... })
//	}
package storetest
