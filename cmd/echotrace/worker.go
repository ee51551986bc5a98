//go:build !beam

package main

// runWorker does nothing in a build without Apache Beam (see docs/pipeline.md).
func runWorker() {}
