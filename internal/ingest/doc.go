// Package ingest is the connector contract, the explicit registry of formats, format
// detection, transparent decompression (.gz, .zst) and the run loop that feeds a connector's
// events into a store Appender with provenance, rejects and a reconciled summary.
//
// What an input can make an import hold is bounded: decompression by MaxRatio,
// MaxDecompressed and MaxZstdWindow (a bomb is stopped with ErrBomb), each line of a JSON-lines
// input by package lines (lines.MaxRecord), and each field of an event by the limits of package
// event (event.MaxText and the others, applied by Feed to every connector's events). An input
// that breaks off (a truncated or corrupt file) keeps its whole records and is logged as a
// partial import (ErrIncomplete). Folders are walked following symbolic links, each real file
// once. docs/operations.md, "What is bounded", lists the limits.
//
// A connector turns bytes into event batches and never touches the store. Each format lives in
// its own sub-package and is registered by one line in internal/ingest/all.
package ingest
