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
	"github.com/echotrace/echotrace/internal/ingest/lines"
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
// files and folders and README/index files skipped), sorted for a deterministic order.
//
// Symbolic links are followed, to files and to folders, whether given or found inside a folder.
// Each real file (filepath.EvalSymlinks) is listed once, under the first path that reaches it,
// and each real folder is walked once, so that a link back to a folder being walked (a cycle)
// or a second way into one already walked is skipped. A dangling link is listed as a file, so
// that importing it fails with its name.
func Expand(paths []string) ([]string, error) {
	x := expander{files: map[string]bool{}, dirs: map[string]bool{}}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			x.file(p, &x.out)
			continue
		}
		var found []string
		if err := x.walk(p, &found); err != nil {
			return nil, err
		}
		sort.Strings(found)
		x.out = append(x.out, found...)
	}
	return x.out, nil
}

// expander remembers the real files listed and the real folders walked.
type expander struct {
	files, dirs map[string]bool
	out         []string
}

// realPath resolves path's links; a path that cannot be resolved stands for itself.
func realPath(path string) string {
	r, err := filepath.EvalSymlinks(path)
	if err != nil {
		return filepath.Clean(path)
	}
	return r
}

func (x *expander) file(path string, out *[]string) {
	r := realPath(path)
	if x.files[r] {
		return
	}
	x.files[r] = true
	*out = append(*out, path)
}

// walk lists the files under dir into out, following links. Each folder's own entries come
// before its links, so that a file reached both ways is listed under its own path.
func (x *expander) walk(dir string, out *[]string) error {
	r := realPath(dir)
	if x.dirs[r] {
		return nil // a cycle, or a folder already walked through another path
	}
	x.dirs[r] = true
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, links := range []bool{false, true} {
		for _, e := range entries {
			name := e.Name()
			if strings.HasPrefix(name, ".") || (e.Type()&fs.ModeSymlink != 0) != links {
				continue
			}
			path := filepath.Join(dir, name)
			isDir := e.IsDir()
			if links {
				if fi, err := os.Stat(path); err == nil {
					isDir = fi.IsDir()
				}
			}
			if isDir {
				if err := x.walk(path, out); err != nil {
					return err
				}
			} else if !skipByName(name) {
				x.file(path, out)
			}
		}
	}
	return nil
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
	if c, ok := r.(io.Closer); ok {
		defer c.Close()
	}
	br := bufio.NewReaderSize(r, 1<<20)
	head, perr := br.Peek(headSize)
	// broken: the input broke off within its first 64 KiB (a gzip cut inside its header or
	// first block), so that its head is neither empty nor recognisable.
	broken := func() error {
		return fmt.Errorf("%s: %w: input broke off before its first whole record: %w", path, ErrIncomplete, perr)
	}
	if len(bytes.TrimSpace(head)) == 0 {
		if perr != nil && perr != io.EOF {
			return store.ImportSummary{}, broken()
		}
		// An empty file holds no records: nothing to detect, nothing to store.
		return store.ImportSummary{Source: path, Format: "empty"}, nil
	}
	c, err := pick(reg, opt.Format, path, head)
	if err != nil {
		if perr != nil && perr != io.EOF {
			return store.ImportSummary{}, broken()
		}
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
//
// Every event passes event.Batch.LimitFields: one with a field over its limit becomes a reject.
// When the input breaks off (a truncated or corrupt compressed file, a decompression bomb, a read
// error), the whole records before the break are committed, the import is logged as partial with
// the error, and Feed returns the summary with an error wrapping ErrIncomplete that says after
// which line it broke; with Strict, nothing is kept and the error wraps ErrRejected as well.
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
	// Decoding and appending overlap: a full batch goes to the appender's goroutine while the
	// decoder fills the other one (two batches: memory stays bounded by the batch size).
	work := make(chan *event.Batch)
	back := make(chan *event.Batch, 1)
	appended := make(chan struct{})
	var appendErr error // written by the appender's goroutine; read when it holds no batch
	go func() {
		defer close(appended)
		for full := range work {
			if appendErr == nil {
				appendErr = app.Append(ctx, full)
			}
			full.Reset()
			back <- full
		}
	}()
	finished := false
	finish := func() error {
		if !finished {
			finished = true
			close(work)
			<-appended
		}
		return appendErr
	}
	fail := func(err error) (store.ImportSummary, error) {
		if aerr := finish(); aerr != nil && !errors.Is(err, aerr) {
			err = errors.Join(aerr, err) // the store's error first: it came first
		}
		_ = app.Rollback()
		return store.ImportSummary{}, err
	}
	b, spare := &event.Batch{}, &event.Batch{}
	flush := func() error {
		if b.Len() == 0 {
			return nil
		}
		next := spare
		if next == nil {
			next = <-back // the appender is idle now: appendErr is its last result
			if appendErr != nil {
				return appendErr
			}
		}
		spare = nil
		work <- b
		b = next
		return nil
	}
	var last int64 // the line of the last record decoded
	for {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		m := b.Mark()
		err := dec.Decode(b)
		b.LimitFields(m)
		b.CheckTimes(m, now) // every connector, every time format: one plausibility window
		last = max(last, lastLine(b))
		if opt.Strict && len(b.Rejects) > 0 {
			return fail(fmt.Errorf("%w: %s", ErrRejected, b.Rejects[0].Error()))
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return fail(cerr)
			}
			cause := fmt.Errorf("input broke off after the record on line %d (the last one stored or rejected): %w", last, err)
			if last == 0 {
				cause = fmt.Errorf("input broke off before its first whole record: %w", err)
			}
			if opt.Strict {
				return fail(fmt.Errorf("%w: %w: %s: %w", ErrRejected, ErrIncomplete, run.Source, cause))
			}
			if err := flush(); err != nil {
				return fail(err)
			}
			if err := finish(); err != nil {
				return fail(err)
			}
			sum, cerr := app.CommitPartial(ctx, cause)
			if cerr != nil {
				return sum, cerr
			}
			kept := fmt.Sprintf("the %d events read before it were imported", sum.Read.Total())
			if sum.Read.Total() == 0 {
				kept = "nothing was read before it"
			}
			return sum, fmt.Errorf("%s: %w: %w; %s (import %d, logged as partial)", run.Source, ErrIncomplete, cause, kept, sum.ImportID)
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
	if err := finish(); err != nil {
		return fail(err)
	}
	if opt.Progress != nil && done != nil {
		opt.Progress(run.Source, total, total)
	}
	return app.Commit(ctx)
}

// lastLine is the largest provenance line among the last event of each kind in b.
func lastLine(b *event.Batch) int64 {
	var n int64
	if k := len(b.Accounts); k > 0 {
		n = max(n, b.Accounts[k-1].Prov.Line)
	}
	if k := len(b.Posts); k > 0 {
		n = max(n, b.Posts[k-1].Prov.Line)
	}
	if k := len(b.Engagements); k > 0 {
		n = max(n, b.Engagements[k-1].Prov.Line)
	}
	if k := len(b.Shares); k > 0 {
		n = max(n, b.Shares[k-1].Prov.Line)
	}
	if k := len(b.Statuses); k > 0 {
		n = max(n, b.Statuses[k-1].Prov.Line)
	}
	if k := len(b.Labels); k > 0 {
		n = max(n, b.Labels[k-1].Prov.Line)
	}
	if k := len(b.Watch); k > 0 {
		n = max(n, b.Watch[k-1].Prov.Line)
	}
	if k := len(b.Rejects); k > 0 {
		n = max(n, b.Rejects[k-1].Line)
	}
	return n
}

// Decompression bounds: what stops a decompression bomb (docs/operations.md, "What is bounded").
// A compressed file whose output grows past them is stopped with an error wrapping ErrBomb that
// names the compressed byte reached; what was read before is kept, as for a truncated file.
const (
	// MaxRatio bounds how many times larger than the compressed bytes read so far the output of a
	// .gz or .zst file may grow, once past RatioGrace: 200. Real archives expand 3 to 8 times
	// (every sample in ../shared/data under gzip -9 and zstd -19 --long); a bomb made of one
	// repeated byte expands about 1,000 times under gzip and far more under zstd.
	MaxRatio = 200
	// RatioGrace is the output up to which the ratio is not checked: 16 MiB, so that small files
	// of very repetitive content (a page of blanks) are not refused.
	RatioGrace = 16 << 20
	// MaxDecompressed bounds the output of one compressed file whatever its ratio: 1 TiB, several
	// times the largest single archive a study of the reference study's size would hold.
	MaxDecompressed = 1 << 40
	// MaxZstdWindow bounds the window a zstd frame may ask the decoder to hold as history: 128
	// MiB, the limit of the zstd command itself (frames made with --long=28 or more need
	// --memory there too), where the decoder's own default allows 512 MiB.
	MaxZstdWindow = 128 << 20
)

// bombLimits are the decompression bounds in force (tests shrink them).
type bombLimits struct{ ratio, grace, max int64 }

var defaultBombLimits = bombLimits{MaxRatio, RatioGrace, MaxDecompressed}

// Decompress wraps r according to the file's name or magic bytes: gzip and zstd are read
// transparently, bounded by MaxRatio and MaxDecompressed; anything else passes through. Errors
// of the compressed stream (truncation, corruption, a bomb) name the compressed byte offset.
// The reader returned for compressed input is an io.Closer, to be closed when done.
func Decompress(name string, r io.Reader) (io.Reader, error) {
	return decompress(name, r, defaultBombLimits)
}

func decompress(name string, r io.Reader, lim bombLimits) (io.Reader, error) {
	in := &countingReader{r: r}
	br := bufio.NewReaderSize(in, 64<<10)
	magic, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: gzip header ends abruptly at compressed byte %d: the file is truncated", ErrIncomplete, in.n)
		}
		if err != nil {
			return nil, fmt.Errorf("gzip header: %w", err)
		}
		return &guard{r: zr, in: in, br: br, kind: "gzip", lim: lim}, nil
	case bytes.HasPrefix(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		// One goroutine: the decoder then reads br in the caller's goroutine, where the guard reads
		// its position (with background decoding that was a data race).
		d, err := zstd.NewReader(br, zstd.WithDecoderMaxWindow(MaxZstdWindow), zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		return &guard{r: d.IOReadCloser(), in: in, br: br, kind: "zstd", lim: lim}, nil
	case strings.HasSuffix(name, ".gz"), strings.HasSuffix(name, ".zst"):
		if len(magic) == 0 {
			return br, nil // an empty compressed file is simply empty
		}
		return nil, errors.New("file name says compressed but the content is not gzip or zstd")
	}
	return br, nil
}

// guard reads a decompressor, stopping it when its output outgrows the limits and saying where
// the compressed stream broke.
type guard struct {
	r    io.Reader
	in   *countingReader // the compressed bytes read from the file
	br   *bufio.Reader   // between in and the decompressor
	out  int64
	kind string
	lim  bombLimits
	err  error
}

// Close releases the decompressor (the zstd decoder's goroutines and buffers).
func (g *guard) Close() error {
	if c, ok := g.r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// at is the compressed bytes the decompressor has consumed: exact for gzip, which reads its
// input byte by byte from br; for zstd, up to the block being decoded.
func (g *guard) at() int64 { return g.in.n - int64(g.br.Buffered()) }

func (g *guard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	g.out += int64(n)
	switch at := g.at(); {
	case g.out > g.lim.max:
		g.err = fmt.Errorf("%w: %s data expands beyond %s; stopped at compressed byte %d; if the file is genuine, decompress it and import the plain file",
			ErrBomb, g.kind, lines.Size(g.lim.max), at)
	case g.out > g.lim.grace && g.out > g.lim.ratio*at:
		g.err = fmt.Errorf("%w: %s data expands more than %d times (%s from %s); stopped at compressed byte %d; if the file is genuine, decompress it and import the plain file",
			ErrBomb, g.kind, g.lim.ratio, lines.Size(g.out), lines.Size(at), at)
	case err == nil || err == io.EOF:
		return n, err
	case errors.Is(err, zstd.ErrWindowSizeExceeded):
		g.err = fmt.Errorf("zstd data near compressed byte %d needs a window larger than %s (written with zstd --long=28 or more?); decompress it with zstd -d --memory=2048MB and import the plain file: %w",
			at, lines.Size(MaxZstdWindow), err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		g.err = fmt.Errorf("%s data ends abruptly at compressed byte %d: the file is truncated (%w)", g.kind, at, err)
	default:
		g.err = fmt.Errorf("%s data is corrupt near compressed byte %d: %w", g.kind, at, err)
	}
	return n, g.err
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
