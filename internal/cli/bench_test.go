package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkAnalyzeScale1 is the DESIGN §6 budget of `echotrace analyze`: the prc-2021 world at
// scale 1 (seed 1) in ≤ 30 s on two cores. The study is built first, outside the timing
// (simulate, init, import: about 80 s), unless $ECHOTRACE_BENCH_STUDY names a study folder
// that already holds that world. Each iteration runs the whole command: coordination
// detection, findings, and storing both.
//
//	go test ./internal/cli -run '^$' -bench AnalyzeScale1 -benchtime 3x -timeout 30m
func BenchmarkAnalyzeScale1(b *testing.B) {
	study := os.Getenv("ECHOTRACE_BENCH_STUDY")
	if study == "" {
		dir := b.TempDir()
		world, study0 := filepath.Join(dir, "world"), filepath.Join(dir, "study")
		mustRun(b, "simulate", "--preset", "prc-2021", "--scale", "1", "--seed", "1", "--out", world)
		mustRun(b, "init", study0)
		mustRun(b, "--study", study0, "import", world)
		study = study0
	}
	b.ResetTimer()
	for range b.N {
		mustRun(b, "--study", study, "analyze", "--status-as-of", "2021-03-01", "--label-as-of", "2021-02-23")
	}
}
