// Package store defines how echotrace keeps a study: a batch Appender that ingests events
// (Append … Commit or Rollback, never reused), a Querier for read-only SQL over the documented
// views (DESIGN §3), and a ResultStore for analysis outputs. The embedded default is
// store/duckdb; store/storetest is the conformance suite every implementation passes.
package store
