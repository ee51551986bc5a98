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

	"github.com/echotrace/echotrace/internal/ingest"
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

	cpuProfile string   // --cpuprofile: where to write a CPU profile
	profile    *os.File // the open profile while one runs
}

// OpenStore opens the study's store. readOnly opens it read-only (sql, findings, report,
// serve); otherwise it must have been created by `echotrace init`.
func (a *App) OpenStore(ctx context.Context, readOnly bool) (store.Store, error) {
	db, err := duckdb.Open(ctx, a.Study, duckdb.Options{ReadOnly: readOnly})
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
	db, err := duckdb.Open(ctx, a.Study, duckdb.Options{Create: true})
	if err != nil {
		return nil, fmt.Errorf("create study %s: %w", a.Study, err)
	}
	return db, nil
}

// StorePath is the study database's path.
func (a *App) StorePath() string { return filepath.Join(a.Study, StoreFile) }

// PrintJSON writes v as indented JSON to Out.
func (a *App) PrintJSON(v any) error {
	enc := json.NewEncoder(a.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// Logf writes a human-readable line to Err unless --json is set.
func (a *App) Logf(format string, args ...any) {
	if a.JSON {
		return
	}
	fmt.Fprintf(a.Err, format+"\n", args...)
}

// usage marks an error as a usage error (exit 2).
type usage struct{ err error }

func (u usage) Error() string { return u.err.Error() }
func (u usage) Unwrap() error { return u.err }

// usageError marks err as the user's misuse of the command line (exit code 2).
func usageError(err error) error { return usage{err} }

// ExitCode maps an error to the documented exit codes: 0 ok, 2 usage, 3 input rejected under
// --strict, 1 anything else.
func ExitCode(err error) int {
	var u usage
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &u):
		return ExitUsage
	case errors.Is(err, ingest.ErrRejected):
		return ExitRejected
	case errors.Is(err, ingest.ErrUnknownFormat):
		return ExitUsage
	default:
		return ExitFailure
	}
}
