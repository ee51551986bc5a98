package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/store"
)

// DefaultBatchSize is how many events are handed to the store at a time; memory is bounded by
// it, not by the input's size.
const DefaultBatchSize = 50_000

// headSize is how much of an input auto-detection sees.
const headSize = 64 << 10

// Options control a run.
type Options struct {
	Format    string // connector name, or "" / "auto" to detect per file
	Strict    bool   // stop at the first rejected record (ErrRejected)
	BatchSize int    // events per store append; DefaultBatchSize if 0
	Force     bool   // import sources even if already imported completely
	// Progress, if set, is called with the source and the bytes read so far (compressed).
	Progress func(src string, done, total int64)
	Now      func() time.Time
}

// Expand lists the files under paths: files as given, folders walked recursively (hidden
// files and README/index files skipped), sorted for a deterministic order.
func Expand(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			out = append(out, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if d.IsDir() {
				if path != p && strings.HasPrefix(name, ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasPrefix(name, ".") || skipByName(name) {
				return nil
			}
			found = append(found, path)
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}

// skipByName tells which files in a folder are documentation, not data.
func skipByName(name string) bool {
	l := strings.ToLower(name)
	switch {
	case strings.HasSuffix(l, ".md"), strings.HasSuffix(l, ".txt"), l == "index.tsv",
		l == "truth.json", strings.HasSuffix(l, ".toml"), strings.HasSuffix(l, ".duckdb"),
		strings.HasSuffix(l, ".wal"), strings.HasSuffix(l, ".html"):
		return true
	}
	return false
}

// Run imports each file under paths into st, one Appender (one transaction) per file, so that
// an interrupted run keeps every finished file and re-running resumes after them. It returns one
// summary per file. With Strict, the first reject aborts the file's transaction and Run returns
// an error wrapping ErrRejected and the reject.
func Run(ctx context.Context, reg *Registry, st store.Store, paths []string, opt Options) ([]store.ImportSummary, error) {
	files, err := Expand(paths)
	if err != nil {
		return nil, err
	}
	var sums []store.ImportSummary
	for _, f := range files {
		sum, err := RunFile(ctx, reg, st, f, opt)
		if err != nil {
			return sums, err
		}
		sums = append(sums, sum)
	}
	return sums, nil
}

// RunFile imports one file. See Run.
func RunFile(ctx context.Context, reg *Registry, st store.Store, path string, opt Options) (store.ImportSummary, error) {
	if opt.BatchSize <= 0 {
		opt.BatchSize = DefaultBatchSize
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	f, err := os.Open(path)
	if err != nil {
		return store.ImportSummary{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return store.ImportSummary{}, err
	}
	fp, err := Fingerprint(f, fi)
	if err != nil {
		return store.ImportSummary{}, fmt.Errorf("fingerprint %s: %w", path, err)
	}
	counted := &countingReader{r: f}
	r, err := Decompress(path, counted)
	if err != nil {
		return store.ImportSummary{}, fmt.Errorf("%s: %w", path, err)
	}
	br := bufio.NewReaderSize(r, 1<<20)
	head, _ := br.Peek(headSize)
	if len(bytes.TrimSpace(head)) == 0 {
		// An empty file holds no records: nothing to detect, nothing to store.
		return store.ImportSummary{Source: path, Format: "empty"}, nil
	}
	c, err := pick(reg, opt.Format, path, head)
	if err != nil {
		return store.ImportSummary{}, err
	}
	fp = SourceKey(fp, c) // the same bytes read another way are another source
	if !opt.Force {
		done, err := st.SourceDone(ctx, fp)
		if err != nil {
			return store.ImportSummary{}, err
		}
		if done {
			return store.ImportSummary{Source: path, Format: c.Name(), Skipped: true}, nil
		}
	}
	return Feed(ctx, c, st, br, store.ImportRun{Source: path, Format: c.Name(), Fingerprint: fp, Started: opt.Now()}, opt,
		func() int64 { return counted.n }, fi.Size())
}

func pick(reg *Registry, format, path string, head []byte) (Connector, error) {
	if format == "" || format == "auto" {
		return reg.Detect(path, head)
	}
	return reg.Lookup(format)
}

// Feed decodes r with c and appends everything to st in one transaction. done and total, if
// set, report progress in bytes.
func Feed(ctx context.Context, c Connector, st store.Store, r io.Reader, run store.ImportRun, opt Options, done func() int64, total int64) (store.ImportSummary, error) {
	if opt.BatchSize <= 0 {
		opt.BatchSize = DefaultBatchSize
	}
	now := time.Now()
	if opt.Now != nil {
		now = opt.Now()
	}
	dec, err := c.Open(r, run.Source)
	if err != nil {
		return store.ImportSummary{}, fmt.Errorf("%s: %w", run.Source, err)
	}
	app, err := st.Appender(ctx, run)
	if err != nil {
		return store.ImportSummary{}, err
	}
	fail := func(err error) (store.ImportSummary, error) {
		_ = app.Rollback()
		return store.ImportSummary{}, err
	}
	var b event.Batch
	flush := func() error {
		if b.Len() == 0 {
			return nil
		}
		if err := app.Append(ctx, &b); err != nil {
			return err
		}
		b.Reset()
		return nil
	}
	for {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		mark := b.Mark()
		err := dec.Decode(&b)
		b.CheckTimes(mark, now) // every connector, every time format: one plausibility window
		if opt.Strict && len(b.Rejects) > 0 {
			return fail(fmt.Errorf("%w: %s", ErrRejected, b.Rejects[0].Error()))
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fail(fmt.Errorf("%s: %w", run.Source, err))
		}
		if b.Len() >= opt.BatchSize {
			if err := flush(); err != nil {
				return fail(err)
			}
			if opt.Progress != nil && done != nil {
				opt.Progress(run.Source, done(), total)
			}
		}
	}
	if err := flush(); err != nil {
		return fail(err)
	}
	if opt.Progress != nil && done != nil {
		opt.Progress(run.Source, total, total)
	}
	return app.Commit(ctx)
}

// Decompress wraps r according to the file's name or magic bytes: gzip and zstd are read
// transparently; anything else passes through.
func Decompress(name string, r io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		return gzip.NewReader(br)
	case bytes.HasPrefix(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		d, err := zstd.NewReader(br)
		if err != nil {
			return nil, err
		}
		return d.IOReadCloser(), nil
	case strings.HasSuffix(name, ".gz"), strings.HasSuffix(name, ".zst"):
		if len(magic) == 0 {
			return br, nil // an empty compressed file is simply empty
		}
		return nil, errors.New("file name says compressed but the content is not gzip or zstd")
	}
	return br, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
