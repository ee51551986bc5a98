package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/echotrace/echotrace/internal/event"
)

// Sentinel errors of the store interface; callers test them with errors.Is.
var (
	// ErrNoStudy is returned when a study folder holds no store.
	ErrNoStudy = errors.New("no study here (run `echotrace init` first)")
	// ErrReadOnly is returned when a write is attempted on a store opened read-only, or when a
	// query given to Query is not read-only.
	ErrReadOnly = errors.New("store is read-only")
	// ErrClosed is returned by an Appender used after Commit or Rollback.
	ErrClosed = errors.New("appender already committed or rolled back")
	// ErrNotFound is returned when a requested result does not exist.
	ErrNotFound = errors.New("not found")
	// ErrResultsMixed is returned by readers asked to be strict when the stored results do
	// not belong together (different runs) or predate the latest import (see ResultState).
	ErrResultsMixed = errors.New("stored results do not belong together or predate the latest import")
)

// Store is a study's storage.
type Store interface {
	// Appender starts an import of events from one source. The import id is recorded on every
	// row the appender stores.
	Appender(ctx context.Context, run ImportRun) (Appender, error)
	Querier
	ResultStore
	// Runs stores the results of a run atomically and says which run stored each result.
	Runs
	// SourceDone reports whether a source with this fingerprint was already imported completely,
	// so that re-running an import over many files resumes where it stopped.
	SourceDone(ctx context.Context, fingerprint string) (bool, error)
	Close() error
}

// ImportRun describes one import: a source (file or endpoint) and how it was read.
type ImportRun struct {
	Source      string // path or endpoint
	Format      string // connector name
	Fingerprint string // content fingerprint (size+mtime+hash of head and tail); empty: never skip
	Started     time.Time
	// Incremental marks one of many small commits (a collection page): it does not recount the
	// study for `stats`, which then counts the views until the next import recounts them.
	Incremental bool
}

// Appender ingests batches inside one transaction. Append may be called many times; Commit
// makes everything visible at once and returns what was stored; Rollback discards it. An
// Appender is not reused after Commit or Rollback (ErrClosed).
//
// Keys are platform + id (posts, accounts); engagements and shares are keyed by all their
// identifying fields; observations by platform, account, time and value. Re-appending a known
// key stores nothing new (counted as a duplicate) except that a post's public counts and an
// account's profile are replaced by a later observation, and empty fields are filled in. A
// record of a known key with another identity (a post's author, kind or referenced post; an
// engagement's post author) is an identity conflict: the first seen is kept, the other is
// counted in ImportSummary.Conflicts and listed in the conflicts view, never merged.
type Appender interface {
	Append(ctx context.Context, b *event.Batch) error
	Commit(ctx context.Context) (ImportSummary, error)
	// CommitPartial is Commit for an input that broke off before its end (a truncated file):
	// what was appended is kept, and the import is logged as partial with cause as its error,
	// so that SourceDone does not take the source for complete.
	CommitPartial(ctx context.Context, cause error) (ImportSummary, error)
	Rollback() error
}

// ImportSummary reconciles one import: for each kind, Read = Stored + Duplicates (+ Rejected
// for the rejects row). Rejected records are stored in the rejects table.
type ImportSummary struct {
	ImportID   int64        `json:"import_id"`
	Source     string       `json:"source"`
	Format     string       `json:"format"`
	Read       event.Counts `json:"read"`
	Stored     event.Counts `json:"stored"`
	Duplicates event.Counts `json:"duplicates"`
	// Rejected counts the rejects read (rows of the rejects table, Read.Rejects).
	Rejected int64 `json:"rejected"`
	// RejectedKept counts, among the Rejected, the records that were kept with a field cleared
	// (event.Reject.Kept): they are in Read and Stored or Duplicates as well, and nothing of them
	// is lost. Rejected − RejectedKept records were dropped.
	RejectedKept int64 `json:"rejected_kept"`
	// Conflicts counts, among the Duplicates, the records whose key was known with another
	// identity (a post with the same platform and id but another author, kind or referenced
	// post; an engagement whose post has another author). They are not merged — the record
	// seen first is kept — and each differing field is listed in the conflicts view; the
	// other duplicates are plain ones.
	Conflicts event.Counts `json:"conflicts"`
	Skipped   bool         `json:"skipped,omitempty"` // source already imported completely
	Error     string       `json:"error,omitempty"`   // why a partial import stopped early
}

// Querier answers read-only questions.
type Querier interface {
	// Query runs one read-only SQL statement over the documented views (DESIGN §3) and any
	// other table of the schema (docs/schema.md). Statements that write are refused with
	// ErrReadOnly. Arguments are bound, never interpolated.
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	// Stats counts rows per table, per platform and per import.
	Stats(ctx context.Context) (Stats, error)
}

// Stats is what `echotrace stats` prints.
type Stats struct {
	Accounts    int64                   `json:"accounts"`
	Posts       int64                   `json:"posts"`
	Engagements int64                   `json:"engagements"`
	Shares      int64                   `json:"shares"`
	Statuses    int64                   `json:"status_observations"`
	Labels      int64                   `json:"label_observations"`
	Watchlist   int64                   `json:"watchlist"`
	Rejects     int64                   `json:"rejects"`
	Conflicts   int64                   `json:"conflicts"` // rows of the conflicts view: one per differing field of a conflicting record
	PerPlatform map[string]event.Counts `json:"per_platform"`
	Imports     []ImportSummary         `json:"imports"`
}

// ResultStore keeps analysis outputs inside the study so that report, export and serve read
// them without recomputing.
type ResultStore interface {
	// PutDocument stores a JSON document under a name (e.g. "findings", "coord"), replacing any
	// earlier one.
	PutDocument(ctx context.Context, name string, body []byte) error
	// Document returns the stored document and when it was stored, or ErrNotFound.
	Document(ctx context.Context, name string) ([]byte, time.Time, error)
	// PutTable replaces a result table (names match ^[a-z][a-z0-9_]*$ and start with
	// "result_"; others are refused) with the given columns and rows. Column types are taken
	// from the Go values of the first row: string, int64, float64, bool, time.Time.
	PutTable(ctx context.Context, name string, columns []string, rows [][]any) error
}

// SnapshotFormat is the layout of the analysis snapshot (schema snap, docs/schema.md) that
// this build writes and reads; a snapshot of another format is stale. 2: text keys from
// SHA-256 (text.KeyOf) and the key cache by MD5. 3: snap.posts, snap.untimed and snap.likes,
// the findings' input.
const SnapshotFormat = 3

// Snapshotter is implemented by stores that keep the integer-coded analysis snapshot.
type Snapshotter interface {
	// RefreshSnapshot rebuilds the snapshot when the data changed since it was built (a
	// committed import since), and reports whether it did.
	RefreshSnapshot(ctx context.Context) (bool, error)
}

// SnapshotFresh reports whether q's analysis snapshot was built, in this binary's format, for
// the study's latest committed or partial import. A study without one is not fresh.
func SnapshotFresh(ctx context.Context, q Querier) bool {
	rows, err := q.Query(ctx, `SELECT format = ? AND import_id IS NOT DISTINCT FROM
  (SELECT max(id) FROM core.imports WHERE status IN ('committed', 'partial')) FROM snap.meta`, SnapshotFormat)
	if err != nil {
		return false // no snapshot schema
	}
	defer rows.Close()
	var fresh bool
	if rows.Next() && rows.Scan(&fresh) != nil {
		return false
	}
	return fresh && rows.Err() == nil
}
