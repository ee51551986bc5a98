//go:build beam

// Package pipeline runs echotrace's co-repost pair counting as an Apache Beam (Go SDK)
// pipeline, for inputs that outgrow one machine: the same definitions as
// internal/analysis/coord, distributed over sharded input files.
//
// One element per input file is decoded by the connectors of internal/ingest (the formats
// `echotrace import` reads, compressed or not) into repost items keyed by the reposted post;
// per post the items are reduced to timed actions with the store's rules (ObjectActions), the
// two-pointer sweep emits each distinct pair of accounts that reposted it within the window
// (ObjectPairs), the pairs are counted (distinct posts per pair), filtered by the minimum
// weight, and written once as a sorted CSV `source,target,weight`.
//
// Every file is behind the `beam` build tag, so that the default build does not compile Beam:
// `go build -tags beam ./cmd/echotrace`, `go test -tags beam ./internal/pipeline`. Runners:
// direct and prism in-process; flink, spark and dataflow through Beam's portable and Dataflow
// runners (docs/pipeline.md).
package pipeline
