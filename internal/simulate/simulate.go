package simulate

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/klauspost/compress/gzip"
)

// PresetPRC2021 names the preset calibrated to the Oxford/AP 2021 study of PRC diplomats and
// state media on Twitter (9 June 2020 – 23 February 2021).
const PresetPRC2021 = "prc-2021"

// Presets lists the preset names Run accepts.
var Presets = []string{PresetPRC2021}

// Scale bounds: event volumes are multiplied by the scale; the watchlist and the planted
// networks' membership stay fixed.
const (
	MinScale = 0.001
	MaxScale = 100.0
)

// Errors returned by Run for a bad Config; callers map them to usage errors.
var (
	ErrPreset = errors.New("unknown preset")
	ErrScale  = errors.New("scale out of range")
	ErrOut    = errors.New("no output folder")
)

// Config says what to generate.
type Config struct {
	Preset string  // PresetPRC2021 ("" means it)
	Scale  float64 // 0.001 … 100; 0 means 1
	Seed   uint64
	Out    string // folder to write; created if missing; earlier posts-NN.jsonl[.gz] are removed
	Plain  bool   // write posts-*.jsonl instead of posts-*.jsonl.gz
}

// Output file names.
const (
	WatchlistFile = "watchlist.csv"
	StatusFile    = "status.csv"
	LabelsFile    = "labels.csv"
	TruthFile     = "truth.json"
)

// PostsFile returns the name of shard i's posts file.
func PostsFile(i int, plain bool) string {
	if plain {
		return fmt.Sprintf("posts-%02d.jsonl", i)
	}
	return fmt.Sprintf("posts-%02d.jsonl.gz", i)
}

func (c *Config) normalise() error {
	if c.Preset == "" {
		c.Preset = PresetPRC2021
	}
	if c.Preset != PresetPRC2021 {
		return fmt.Errorf("%w %q (want one of %v)", ErrPreset, c.Preset, Presets)
	}
	if c.Scale == 0 {
		c.Scale = 1
	}
	if !(c.Scale >= MinScale && c.Scale <= MaxScale) {
		return fmt.Errorf("%w: %g (want %g to %g)", ErrScale, c.Scale, MinScale, MaxScale)
	}
	if c.Out == "" {
		return ErrOut
	}
	return nil
}

// Run generates a world into cfg.Out and returns its ground truth, which it also writes to
// truth.json there. Shards run in parallel on all CPUs; the files depend only on cfg.
func Run(ctx context.Context, cfg Config) (Truth, error) {
	if err := cfg.normalise(); err != nil {
		return Truth{}, err
	}
	return run(ctx, cfg, prc2021())
}

// run is Run with the preset's parameters given, for calibration tests.
func run(ctx context.Context, cfg Config, p params) (Truth, error) {
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return Truth{}, fmt.Errorf("create output folder: %w", err)
	}
	// Posts files of an earlier run (another shard count or compression) would be imported
	// with this one's; remove every file named like ours.
	for _, pat := range []string{"posts-[0-9][0-9].jsonl", "posts-[0-9][0-9].jsonl.gz"} {
		old, _ := filepath.Glob(filepath.Join(cfg.Out, pat))
		for _, name := range old {
			if err := os.Remove(name); err != nil {
				return Truth{}, fmt.Errorf("remove earlier output: %w", err)
			}
		}
	}
	tmpDir, err := os.MkdirTemp("", "echotrace-simulate-")
	if err != nil {
		return Truth{}, fmt.Errorf("create temporary folder: %w", err)
	}
	defer os.RemoveAll(tmpDir)

	if p.Shards > 1<<(22-counterBits) {
		return Truth{}, fmt.Errorf("preset has %d shards, at most %d fit in post ids", p.Shards, 1<<(22-counterBits))
	}
	w := newWorld(p, cfg.Seed, cfg.Scale)
	words := (w.NumAmps() + 63) / 64
	seen := &[2][]uint64{make([]uint64, words), make([]uint64, words)}
	stats := make([]shardStats, w.P.Shards)
	tmpFiles := make([]string, w.P.Shards)
	errs := make([]error, w.P.Shards)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), w.P.Shards) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				tmpFiles[i] = filepath.Join(tmpDir, fmt.Sprintf("reposts-%02d.bin", i))
				stats[i], errs[i] = runShard(ctx, w, i, seen, filepath.Join(cfg.Out, PostsFile(i, cfg.Plain)), tmpFiles[i], cfg.Plain)
				if errs[i] != nil {
					cancel()
				}
			}
		}()
	}
	for i := 0; i < w.P.Shards; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return Truth{}, err
	}

	t, err := computeTruth(w, cfg, stats, tmpFiles, seen)
	if err != nil {
		return Truth{}, err
	}
	if err := writeTables(w, cfg.Out, seen, &t); err != nil {
		return Truth{}, err
	}
	if err := writeTruth(filepath.Join(cfg.Out, TruthFile), &t); err != nil {
		return Truth{}, err
	}
	return t, nil
}

// runShard writes one posts file and its temporary repost records.
func runShard(ctx context.Context, w *world, i int, seen *[2][]uint64, path, tmpPath string, plain bool) (shardStats, error) {
	f, err := os.Create(path)
	if err != nil {
		return shardStats{}, fmt.Errorf("create %s: %w", path, err)
	}
	defer f.Close()
	tf, err := os.Create(tmpPath)
	if err != nil {
		return shardStats{}, fmt.Errorf("create %s: %w", tmpPath, err)
	}
	defer tf.Close()

	fb := bufio.NewWriterSize(f, 1<<20)
	var out io.Writer = fb
	var zw *gzip.Writer
	if !plain {
		// A fixed header (no name, no time) keeps the bytes identical across runs.
		zw, err = gzip.NewWriterLevel(fb, gzip.BestSpeed)
		if err != nil {
			return shardStats{}, err
		}
		out = zw
	}
	bw := bufio.NewWriterSize(out, 1<<20)
	tb := bufio.NewWriterSize(tf, 1<<16)
	s := &shard{
		w: w, idx: i, out: bw, tmp: tb, seen: seen,
		emitted: make([]uint64, (w.NumAmps()+63)/64),
		dedup:   map[int]struct{}{},
		stats:   shardStats{AccountCounts: make([]accountCount, len(w.Watch)), PlantedEng: make([]int64, len(w.Planted))},
	}
	if err := s.run(ctx); err != nil {
		return shardStats{}, fmt.Errorf("shard %d: %w", i, err)
	}
	if err := bw.Flush(); err != nil {
		return shardStats{}, fmt.Errorf("write %s: %w", path, err)
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return shardStats{}, fmt.Errorf("write %s: %w", path, err)
		}
	}
	if err := fb.Flush(); err != nil {
		return shardStats{}, fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return shardStats{}, fmt.Errorf("close %s: %w", path, err)
	}
	if err := tb.Flush(); err != nil {
		return shardStats{}, fmt.Errorf("write %s: %w", tmpPath, err)
	}
	for _, b := range s.emitted {
		s.stats.Users += int64(popcount(b))
	}
	return s.stats, nil
}
