//go:build beam

package main

import (
	"os"

	"github.com/echotrace/echotrace/internal/pipeline"
)

// runWorker hands the process to the Beam harness when a remote runner (Flink, Spark,
// Dataflow) starts this binary as a worker; otherwise it returns.
func runWorker() {
	if pipeline.IsWorker(os.Args) {
		pipeline.Worker(os.Args)
	}
}
