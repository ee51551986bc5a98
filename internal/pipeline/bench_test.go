//go:build beam

package pipeline

import (
	"flag"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/simulate"
)

var worldScale = flag.Float64("world-scale", 0.01, "scale of the simulated world the benchmarks read")

// BenchmarkPipeline runs the co-repost pipeline (window 60 s, min weight 2, watchlist posts) on
// a simulated prc-2021 world of -world-scale, on the in-process runners. Generating the world
// is not timed. Reported: reposts read per second.
func BenchmarkPipeline(b *testing.B) {
	SetLog(io.Discard, false)
	world := filepath.Join(b.TempDir(), "world")
	if _, err := simulate.Run(b.Context(), simulate.Config{Scale: *worldScale, Seed: 1, Out: world}); err != nil {
		b.Fatal(err)
	}
	for _, runner := range []string{"direct", "prism"} {
		b.Run(runner, func(b *testing.B) {
			var reposts int64
			for b.Loop() {
				res, err := Run(b.Context(), Options{Inputs: []string{world}, Window: time.Minute, MinWeight: 2,
					Out: filepath.Join(b.TempDir(), "edges.csv"), Runner: runner})
				if err != nil {
					b.Fatal(err)
				}
				reposts = res.Counters["repost_posts"] + res.Counters["repost_engagements"]
				b.ReportMetric(float64(res.Counters["edges"]), "edges")
			}
			b.ReportMetric(float64(reposts)*float64(b.N)/b.Elapsed().Seconds(), "reposts/s")
		})
	}
}
