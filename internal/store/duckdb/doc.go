// Package duckdb is echotrace's embedded store: a study is one DuckDB file, dir/echotrace.duckdb,
// holding the event tables (schema "core"), the documented views of DESIGN §3 (schema "main"),
// the import log, analysis documents and result_* tables, and the analysis runs that stored
// them (each run's results in one transaction).
//
// Imports are bulk loads: an Appender streams events through DuckDB's appender API into
// connection-local staging tables, and Commit merges them into the core tables with a few
// set-based statements in one transaction (dedupe within the import, anti-join against existing
// keys, update rows that a later observation improves), recording the import as committed in
// that same transaction. The schema is versioned; Open migrates older studies and refuses newer
// ones. Tables, columns, keys and merge rules are documented in docs/schema.md.
package duckdb
