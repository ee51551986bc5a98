//go:build beam

package pipeline

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/core/metrics"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/gcs"   // gs:// inputs and outputs
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/local" // local files
	beamlog "github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/dataflow"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/direct"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/flink"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/spark"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/transforms/stats"

	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/ingest/all"
)

// Runners are the accepted --runner values. direct and prism run in this process; flink and
// spark submit to a portable job server (--endpoint), dataflow to Google Cloud Dataflow.
var Runners = []string{"direct", "prism", "flink", "spark", "dataflow"}

// Options configure a co-repost pipeline run.
type Options struct {
	// Inputs are files or folders (expanded on the submitting machine like `echotrace
	// import` does), or, with a scheme such as gs://, file patterns read by Beam's file
	// systems.
	Inputs []string
	// Format is the connector name, or "" / "auto" to detect it per file.
	Format string
	// Window: two reposts of the same post are co-actions when |t_A − t_B| ≤ Window
	// (inclusive). Whole seconds; default 60 s.
	Window time.Duration
	// MinWeight drops account pairs that co-reposted fewer distinct posts. Default 2.
	MinWeight int
	// AllTargets counts reposts of every post. Otherwise, when the inputs hold watchlist
	// entries with ids, only reposts of the watchlist accounts' posts count (coord.Load's rule).
	AllTargets bool
	// Out is the edges CSV to write: source,target,weight.
	Out string
	// Runner is one of Runners. Default direct.
	Runner string
	// RunnerFlags are Beam's own flags (--endpoint=…, --project=…, --environment_type=…),
	// applied to Go's flag.CommandLine before the run.
	RunnerFlags []string
}

// Result summarises a run. Counters are Beam metrics in the "echotrace" namespace (the
// runner's committed values, or attempted ones when it reports no committed values).
type Result struct {
	Runner   string           `json:"runner"`
	Files    int              `json:"files"`
	Out      string           `json:"out"`
	Window   float64          `json:"window_seconds"`
	Min      int              `json:"min_weight"`
	Counters map[string]int64 `json:"counters"`
	Elapsed  float64          `json:"elapsed_seconds"`
}

// Counters of the pipeline (namespace "echotrace").
var (
	cFiles       = beam.NewCounter("echotrace", "files")
	cRecords     = beam.NewCounter("echotrace", "records")
	cRejects     = beam.NewCounter("echotrace", "rejects")
	cRepostPosts = beam.NewCounter("echotrace", "repost_posts")
	cRepostEngs  = beam.NewCounter("echotrace", "repost_engagements")
	cWatch       = beam.NewCounter("echotrace", "watch_ids")
	cWatchNoID   = beam.NewCounter("echotrace", "watch_handle_only")
	cObjects     = beam.NewCounter("echotrace", "objects")
	cActions     = beam.NewCounter("echotrace", "actions")
	cPairObjects = beam.NewCounter("echotrace", "pair_objects")
	cCandidates  = beam.NewCounter("echotrace", "candidate_pairs")
	cEdges       = beam.NewCounter("echotrace", "edges")
)

func (o Options) defaults() Options {
	if o.Window <= 0 {
		o.Window = 60 * time.Second
	}
	if o.MinWeight <= 0 {
		o.MinWeight = 2
	}
	if o.Runner == "" {
		o.Runner = "direct"
	}
	return o
}

// Validate reports the first invalid option, in words meant for the command line.
func (o Options) Validate() error {
	if len(o.Inputs) == 0 {
		return errors.New("no inputs: give files or folders to read")
	}
	if o.Out == "" {
		return errors.New("no output: --out FILE.csv is required")
	}
	if o.Window%time.Second != 0 {
		return fmt.Errorf("window %s: want whole seconds (times are compared in seconds)", o.Window)
	}
	if !slices.Contains(Runners, o.Runner) {
		return fmt.Errorf("runner %q: want one of %s", o.Runner, strings.Join(Runners, ", "))
	}
	return nil
}

// Files lists the files the pipeline will read: local paths expanded like `echotrace import`
// (folders walked, documentation files skipped, sorted), patterns with a scheme listed by
// Beam's file system for that scheme.
func Files(ctx context.Context, inputs []string) ([]string, error) {
	var out, local []string
	for _, in := range inputs {
		if !strings.Contains(in, "://") {
			local = append(local, in)
			continue
		}
		fs, err := filesystem.New(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", in, err)
		}
		names, err := fs.List(ctx, in)
		fs.Close()
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", in, err)
		}
		sort.Strings(names)
		out = append(out, names...)
	}
	if len(local) > 0 {
		names, err := ingest.Expand(local)
		if err != nil {
			return nil, fmt.Errorf("inputs: %w", err)
		}
		out = append(out, names...)
	}
	return out, nil
}

// Build adds the co-repost pipeline over files to s:
//
//	Create(files) → ParDo(decode) → items KV<object, Item>, targets
//	→ GroupByKey(object) → ParDo(sweep, side input: targets) → one pair key per co-reposted object
//	→ Count per pair (distinct objects) → filter ≥ MinWeight → write the sorted CSV once.
func Build(s beam.Scope, files []string, o Options) {
	o = o.defaults()
	registerAll()
	s = s.Scope("echotrace.corepost")
	paths := beam.Create(s, stringsAsAny(files)...)
	items, targets := beam.ParDo2(s, &decodeFn{Format: o.Format, WithPosts: !o.AllTargets}, paths)
	grouped := beam.GroupByKey(s, items)
	pairs := beam.ParDo(s, &objectFn{Window: int64(o.Window / time.Second), AllTargets: o.AllTargets},
		grouped, beam.SideInput{Input: targets})
	counted := stats.Count(s, pairs)
	edges := beam.ParDo(s, &filterFn{MinWeight: o.MinWeight}, counted)
	beam.ParDo0(s, &writeFn{Path: o.Out}, beam.Impulse(s), beam.SideInput{Input: edges})
}

func stringsAsAny(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// Run expands the inputs, builds the pipeline and runs it on o.Runner.
func Run(ctx context.Context, o Options) (Result, error) {
	o = o.defaults()
	if err := o.Validate(); err != nil {
		return Result{}, err
	}
	if len(o.RunnerFlags) > 0 {
		if err := flag.CommandLine.Parse(o.RunnerFlags); err != nil {
			return Result{}, fmt.Errorf("runner flags: %w", err)
		}
		if rest := flag.CommandLine.Args(); len(rest) > 0 {
			return Result{}, fmt.Errorf("runner flags: unexpected argument %q (want --name=value)", rest[0])
		}
	}
	files, err := Files(ctx, o.Inputs)
	if err != nil {
		return Result{}, err
	}
	if len(files) == 0 {
		return Result{}, fmt.Errorf("inputs %s: no files to read", strings.Join(o.Inputs, " "))
	}
	registerAll()
	beam.Init()
	if slogDefault != nil {
		slog.SetDefault(slogDefault)
	}
	p, s := beam.NewPipelineWithRoot()
	Build(s, files, o)
	start := time.Now()
	pr, err := beam.Run(ctx, o.Runner, p)
	if err != nil {
		return Result{}, fmt.Errorf("pipeline on %s: %w", o.Runner, err)
	}
	res := Result{Runner: o.Runner, Files: len(files), Out: o.Out, Window: o.Window.Seconds(), Min: o.MinWeight,
		Counters: map[string]int64{}, Elapsed: time.Since(start).Seconds()}
	if pr != nil {
		qr := pr.Metrics().Query(func(r metrics.SingleResult) bool { return r.Namespace() == "echotrace" })
		for _, c := range qr.Counters() {
			res.Counters[c.Name()] += c.Result()
		}
	}
	return res, nil
}

// SetLog sends Beam's log to w: warnings and errors only, or everything when verbose (the
// direct runner logs the whole plan at info level). It sets Beam's process-wide logger and,
// because prism logs through log/slog, the process-wide default slog logger (again after
// beam.Init, which resets it).
func SetLog(w io.Writer, verbose bool) {
	min, level := beamlog.SevWarn, slog.LevelWarn
	if verbose {
		min, level = beamlog.SevDebug, slog.LevelDebug
	}
	beamlog.SetLogger(&logger{w: w, min: min})
	slogDefault = slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(slogDefault)
}

// slogDefault is the slog logger chosen by SetLog (nil: Beam's own).
var slogDefault *slog.Logger

type logger struct {
	mu  sync.Mutex
	w   io.Writer
	min beamlog.Severity
}

func (l *logger) Log(_ context.Context, sev beamlog.Severity, _ int, msg string) {
	if sev < l.min {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "beam: %s\n", strings.TrimRight(msg, "\n"))
}

// decodeFn decodes one input file into items and targets.
type decodeFn struct {
	Format    string `json:"format"`
	WithPosts bool   `json:"with_posts"`

	reg *ingest.Registry
}

func (f *decodeFn) Setup() error {
	reg, err := all.New(all.Options{})
	if err != nil {
		return fmt.Errorf("connector registry: %w", err)
	}
	f.reg = reg
	return nil
}

func (f *decodeFn) ProcessElement(ctx context.Context, path string, item func(string, Item), target func(string)) error {
	fs, err := filesystem.New(ctx, path)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer fs.Close()
	rc, err := fs.OpenRead(ctx, path)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer rc.Close()
	r, err := ingest.Decompress(path, rc)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if c, ok := r.(io.Closer); ok {
		defer c.Close()
	}
	st, err := DecodeFile(ctx, f.reg, f.Format, path, r, f.WithPosts, Emitter{Item: item, Target: target})
	if err != nil {
		return err
	}
	cFiles.Inc(ctx, 1)
	cRecords.Inc(ctx, st.Records)
	cRejects.Inc(ctx, st.Rejects)
	cRepostPosts.Inc(ctx, st.RepostPosts)
	cRepostEngs.Inc(ctx, st.RepostEngs)
	cWatch.Inc(ctx, st.Watch)
	cWatchNoID.Inc(ctx, st.WatchNoID)
	return nil
}

// objectFn turns one object's items into its co-repost pairs: one key per distinct pair of
// accounts that reposted the object within the window of each other.
type objectFn struct {
	Window     int64 `json:"window"`
	AllTargets bool  `json:"all_targets"`

	targets map[string]bool // nil until the side input is read
}

func (f *objectFn) ProcessElement(ctx context.Context, key string, items func(*Item) bool, targets func(*string) bool, emit func(string)) {
	if f.targets == nil {
		f.targets = map[string]bool{}
		var t string
		for targets(&t) {
			f.targets[t] = true
		}
	}
	var its []Item
	var it Item
	for items(&it) {
		its = append(its, it)
	}
	platform, _ := splitKey(key)
	var filter func(string) bool
	if !f.AllTargets && len(f.targets) > 0 {
		filter = func(author string) bool { return f.targets[platform+"\x00"+author] }
	}
	acts := ObjectActions(its, filter)
	if len(acts) == 0 {
		return
	}
	cObjects.Inc(ctx, 1)
	cActions.Inc(ctx, int64(len(acts)))
	pairs := ObjectPairs(acts, f.Window)
	cPairObjects.Inc(ctx, int64(len(pairs)))
	for _, p := range pairs {
		emit(platform + "\x00" + p.A + "\x00" + p.B)
	}
}

// Edge is one output row: accounts Source < Target (as strings) co-reposted Weight distinct
// posts within the window.
type Edge struct {
	Source string `json:"source"`
	Target string `json:"target"`
	Weight int    `json:"weight"`
}

// filterFn keeps the pairs with at least MinWeight objects.
type filterFn struct {
	MinWeight int `json:"min_weight"`
}

func (f *filterFn) ProcessElement(ctx context.Context, pair string, n int, emit func(Edge)) {
	cCandidates.Inc(ctx, 1)
	if n < f.MinWeight {
		return
	}
	_, rest := splitKey(pair)
	a, b := splitKey(rest)
	cEdges.Inc(ctx, 1)
	emit(Edge{Source: a, Target: b, Weight: n})
}

// writeFn writes all edges, sorted by (source, target), as one CSV file with a header; it runs
// once (on the impulse), so an empty result still gives a header-only file.
type writeFn struct {
	Path string `json:"path"`
}

func (f *writeFn) ProcessElement(ctx context.Context, _ []byte, edges func(*Edge) bool) error {
	var es []Edge
	var e Edge
	for edges(&e) {
		es = append(es, e)
	}
	SortEdges(es)
	fs, err := filesystem.New(ctx, f.Path)
	if err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	defer fs.Close()
	w, err := fs.OpenWrite(ctx, f.Path)
	if err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	if err := WriteEdges(w, es); err != nil {
		w.Close()
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	return nil
}

// SortEdges sorts edges by (Source, Target).
func SortEdges(es []Edge) {
	slices.SortFunc(es, func(x, y Edge) int {
		if c := strings.Compare(x.Source, y.Source); c != 0 {
			return c
		}
		return strings.Compare(x.Target, y.Target)
	})
}

// WriteEdges writes the CSV `source,target,weight` (the header of `echotrace coord --edges`
// starts the same way).
func WriteEdges(w io.Writer, es []Edge) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"source", "target", "weight"}); err != nil {
		return err
	}
	for _, e := range es {
		if err := cw.Write([]string{e.Source, e.Target, strconv.Itoa(e.Weight)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadEdges reads a CSV written by WriteEdges (or by `echotrace coord --edges`, whose first
// three columns are the same). Errors name the line and the column.
func ReadEdges(r io.Reader) ([]Edge, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("edges line 1: %w", err)
	}
	if len(head) < 3 || head[0] != "source" || head[1] != "target" || head[2] != "weight" {
		return nil, fmt.Errorf("edges line 1: header %q: want it to start with source,target,weight", strings.Join(head, ","))
	}
	var out []Edge
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("edges: %w", err) // a *csv.ParseError names the line
		}
		line, _ := cr.FieldPos(0)
		if len(rec) < 3 {
			return nil, fmt.Errorf("edges line %d: %d columns, want at least source,target,weight", line, len(rec))
		}
		wf, err := strconv.ParseFloat(rec[2], 64)
		if err != nil || wf != float64(int(wf)) || wf < 0 {
			return nil, fmt.Errorf("edges line %d: weight %q: want a whole number ≥ 0", line, rec[2])
		}
		out = append(out, Edge{Source: rec[0], Target: rec[1], Weight: int(wf)})
	}
}
