// Package ingest is the connector contract, the explicit registry of formats, format
// detection, transparent decompression (.gz, .zst) and the run loop that feeds a connector's
// events into a store Appender with provenance, rejects and a reconciled summary.
//
// A connector turns bytes into event batches and never touches the store. Each format lives in
// its own sub-package and is registered by one line in internal/ingest/all.
package ingest
