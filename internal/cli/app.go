package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/echotrace/echotrace/internal/analysis/coord"
	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/membudget"
	"github.com/echotrace/echotrace/internal/store"
	"github.com/echotrace/echotrace/internal/store/duckdb"
)

// Exit codes (DESIGN §2).
const (
	ExitOK       = 0
	ExitFailure  = 1
	ExitUsage    = 2
	ExitRejected = 3
)

// StoreFile is the name of the study database inside a study folder.
const StoreFile = "echotrace.duckdb"

// App is what every subcommand shares.
type App struct {
	Study    string // study folder (--study, $ECHOTRACE_STUDY, or the current folder)
	JSON     bool   // --json: machine-readable output
	Out, Err io.Writer
	Now      func() time.Time
	Registry *ingest.Registry
	// Interactive is true when Err is a terminal: progress bars are drawn there.
	Interactive bool

	// Memory is the memory budget (--memory), shared between DuckDB and the Go heap (see
	// membudget.Split); 0 until the flags are parsed.
	Memory membudget.Budget

	memoryFlag string   // --memory as given
	cpuProfile string   // --cpuprofile: where to write a CPU profile
	memProfile string   // --memprofile: where to write a heap profile at the end
	profile    *os.File // the open profile while one runs
}

// OpenStore opens the study's store. readOnly opens it read-only (sql, findings, report,
// serve); otherwise it must have been created by `echotrace init`.
func (a *App) OpenStore(ctx context.Context, readOnly bool) (store.Store, error) {
	db, err := duckdb.Open(ctx, a.Study, a.storeOptions(duckdb.Options{ReadOnly: readOnly}))
	if err != nil {
		if errors.Is(err, store.ErrNoStudy) {
			return nil, fmt.Errorf("%s: %w", a.Study, err)
		}
		return nil, fmt.Errorf("open study %s: %w", a.Study, err)
	}
	return db, nil
}

// CreateStore creates (or opens) the study's store, making the folder if needed.
func (a *App) CreateStore(ctx context.Context) (store.Store, error) {
	if err := os.MkdirAll(a.Study, 0o755); err != nil {
		return nil, err
	}
	db, err := duckdb.Open(ctx, a.Study, a.storeOptions(duckdb.Options{Create: true}))
	if err != nil {
		return nil, fmt.Errorf("create study %s: %w", a.Study, err)
	}
	return db, nil
}

// storeOptions adds the memory budget to o: DuckDB's share as its memory_limit, spilling to
// the study's tmp folder beyond it.
func (a *App) storeOptions(o duckdb.Options) duckdb.Options {
	if a.Memory > 0 {
		o.MemoryLimit = a.Memory.Split().DuckDBSetting()
		o.TempDirectory = a.tempDir()
	}
	return o
}

// tempDir is the study's TempDir, absolute when the study's path can be made so.
func (a *App) tempDir() string {
	dir := filepath.Join(a.Study, TempDir)
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}

// TempDir is the folder inside a study where DuckDB spills what exceeds its memory budget.
const TempDir = "tmp"

// setMemory parses --memory (empty: membudget.Default) and sets the Go heap's soft limit.
func (a *App) setMemory() error {
	b := membudget.Default()
	if a.memoryFlag != "" {
		var err error
		if b, err = membudget.Parse(a.memoryFlag); err != nil {
			return usageError(fmt.Errorf("--memory: %w", err))
		}
	}
	a.Memory = b
	if os.Getenv("GOMEMLIMIT") == "" { // the user's own Go limit wins, as $GOGC does
		b.Split().ApplyGo()
	}
	return nil
}

// coordDefaults fills what the memory budget decides in coordination parameters not set by a
// flag: the pair keys held in memory (an eighth of the budget's Go share, at least 64 MiB)
// and, unless tempDirSet (an explicit --temp-dir, or a run that must not write to the study),
// the spill folder (the study's tmp folder).
func (a *App) coordDefaults(p *coord.Params, tempDirSet bool) {
	if p.MemoryBudget == 0 && a.Memory > 0 {
		p.MemoryBudget = max(int64(a.Memory.Split().Go)/8>>20<<20, 64<<20) // whole MiB
	}
	if !tempDirSet && p.TempDir == "" {
		// The study's tmp folder, when it can be made (else the system's, as before).
		if dir := a.tempDir(); os.MkdirAll(dir, 0o755) == nil {
			p.TempDir = dir
		}
	}
}

// checkCoordMemory refuses, before anything is loaded, a coordination run whose expected peak
// memory (coord.EstimateMemory) exceeds the budget, naming the budget it would need.
func (a *App) checkCoordMemory(ctx context.Context, q store.Querier, p coord.Params) error {
	if a.Memory <= 0 {
		return nil
	}
	e, err := coord.EstimateMemory(ctx, q, p)
	if err != nil {
		return err
	}
	if e.Bytes <= int64(a.Memory) {
		return nil
	}
	return &membudget.TooSmall{
		Step: "coordination", Need: membudget.Budget(e.Bytes), Budget: a.Memory,
		Detail: fmt.Sprintf("%d rows of engagements, texts and shares at about %d B each, plus %s; fewer rows with --signals, or analyze --no-coord", e.Rows, coord.MemoryPerRow, membudget.Budget(coord.MemoryFixed)),
	}
}

// StorePath is the study database's path.
func (a *App) StorePath() string { return filepath.Join(a.Study, StoreFile) }

// PrintJSON writes v as indented JSON to Out.
func (a *App) PrintJSON(v any) error {
	enc := json.NewEncoder(a.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// Logf writes a human-readable line to Err unless --json is set, with the controls that would
// act on a terminal shown escaped (termText).
func (a *App) Logf(format string, args ...any) {
	if a.JSON {
		return
	}
	fmt.Fprintln(a.Err, termText(fmt.Sprintf(format, args...)))
}

// usage marks an error as a usage error (exit 2).
type usage struct{ err error }

func (u usage) Error() string { return u.err.Error() }
func (u usage) Unwrap() error { return u.err }

// usageError marks err as the user's misuse of the command line (exit code 2).
func usageError(err error) error { return usage{err} }

// ExitCode maps an error to the documented exit codes: 0 ok, 2 usage, 3 input rejected under
// --strict (a record that cannot be read, a file that lost most of its records, or stored
// results that --strict refuses to combine: store.ErrResultsMixed), 1 anything else.
func ExitCode(err error) int {
	var u usage
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &u):
		return ExitUsage
	case errors.Is(err, ingest.ErrRejected), errors.Is(err, store.ErrResultsMixed):
		return ExitRejected
	case errors.Is(err, ingest.ErrUnknownFormat):
		return ExitUsage
	default:
		return ExitFailure
	}
}

// refreshSnapshot rebuilds the study's analysis snapshot if an import committed since it was
// built (docs/schema.md, "Analysis snapshot"), saying so when it takes a while.
func (a *App) refreshSnapshot(ctx context.Context, st store.Store) error {
	s, ok := st.(store.Snapshotter)
	if !ok {
		return nil
	}
	start := time.Now()
	built, err := s.RefreshSnapshot(ctx)
	if err != nil {
		return err
	}
	if built {
		a.Logf("analysis snapshot: rebuilt in %.1fs", time.Since(start).Seconds())
	}
	return nil
}
