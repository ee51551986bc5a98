package store

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// Run is one analysis run (`echotrace analyze`, `echotrace coord`) whose results were stored
// together, in one transaction.
type Run struct {
	ID      int64           `json:"id"`
	Command string          `json:"command"`
	Params  json.RawMessage `json:"params,omitempty"`
	Started time.Time       `json:"started"`
	// At is when the run's results were committed.
	At time.Time `json:"at"`
	// ImportID is the latest import that stored data (committed or partial) when the run
	// started: the data it saw (0: none).
	ImportID int64 `json:"import_id"`
	// Results names what the run wrote: documents ("findings", "coord") and result_* tables.
	Results []string `json:"results"`
	// Inputs names the stored results of earlier runs that this run read, with the run that
	// wrote each (0: a result stored outside a run, by an echotrace before schema 7), e.g.
	// {"coord": 4} for findings computed with the clusters of run 4.
	Inputs map[string]int64 `json:"inputs,omitempty"`
}

// Label names the run for people: "run 7 (echotrace coord, 2024-05-02 10:00:03 UTC)".
func (r *Run) Label() string {
	if r == nil {
		return "run unknown"
	}
	return fmt.Sprintf("run %d (echotrace %s, %s)", r.ID, r.Command, stamp(r.At))
}

// RunWriter stores the results of one run: every PutDocument and PutTable goes into one
// transaction that Commit makes visible at once, together with the run's row in the runs
// table; Rollback (or a crash) leaves the study's earlier results as they were. Document
// reads see the run's own writes; reading another run's result records it as an input of
// this run. A RunWriter is not reused after Commit or Rollback (ErrClosed).
type RunWriter interface {
	ResultStore
	Commit(ctx context.Context) (Run, error)
	Rollback() error
}

// ImportMark is an import as the result checks see it.
type ImportMark struct {
	ID       int64     `json:"id"`
	Source   string    `json:"source"`
	Finished time.Time `json:"finished"`
}

// ResultOrigin says which run stored a result.
type ResultOrigin struct {
	Name     string    `json:"name"`
	StoredAt time.Time `json:"stored_at"`
	// Run is nil for a result stored outside a run (by an echotrace before schema 7): "run
	// unknown".
	Run *Run `json:"run,omitempty"`
}

// Runs is implemented by stores that record analysis runs (the DuckDB store). Readers
// check for it at run time: a ResultStore without it cannot say where its results come from.
type Runs interface {
	// BeginRun starts storing the results of a run of command with its parameters (any
	// JSON-encodable value); it notes the latest import that stored data (committed or partial), the data the run sees.
	BeginRun(ctx context.Context, command string, params any) (RunWriter, error)
	// ResultOrigins returns the origin of each named document that is stored (absent ones
	// are left out), and the latest import that stored data, committed or partial (nil if none).
	ResultOrigins(ctx context.Context, names ...string) ([]ResultOrigin, *ImportMark, error)
	// ListRuns lists the recorded runs, oldest first.
	ListRuns(ctx context.Context) ([]Run, error)
}

// ResultState says whether stored results belong together: what report, export and serve
// check before they combine the findings with the coordination result.
type ResultState struct {
	Results []ResultOrigin `json:"origins"`
	// LatestImport is the latest committed or partial import, its source a file name only (no folders:
	// the state goes into reports and export manifests).
	LatestImport *ImportMark `json:"latest_import,omitempty"`
	// Mixed: the results come from different runs, none of which read the other's result
	// (findings of one run beside clusters of another); a result of an unknown run counts as
	// mixed only beside one of a known run.
	Mixed bool `json:"mixed"`
	// Stale: a result was computed before the latest import (its run saw an earlier import;
	// for a result of an unknown run, it was stored before that import finished).
	Stale bool `json:"stale"`
	// Warnings say what is wrong, naming the runs and their times; empty when all is well.
	Warnings []string `json:"warnings,omitempty"`
}

// OK reports whether the results belong together and are current.
func (s ResultState) OK() bool { return !s.Mixed && !s.Stale }

// CheckResults reports whether the named stored results of rs (e.g. "findings", "coord")
// belong together and are current. A ResultStore that does not implement Runs gives an empty
// state (nothing known, nothing flagged).
func CheckResults(ctx context.Context, rs ResultStore, names ...string) (ResultState, error) {
	runs, ok := rs.(Runs)
	if !ok {
		return ResultState{}, nil
	}
	origins, latest, err := runs.ResultOrigins(ctx, names...)
	if err != nil {
		return ResultState{}, fmt.Errorf("check stored results: %w", err)
	}
	return Judge(origins, latest), nil
}

// resultLabels are the names people know results by (plural: "were computed").
var resultLabels = map[string]string{"findings": "the findings", "coord": "the clusters"}

func resultLabel(name string) string {
	if l, ok := resultLabels[name]; ok {
		return l
	}
	return "the results " + name
}

// dependsOn names the result each result is computed with: the findings count the members
// of the stored clusters as the coordinated accounts.
var dependsOn = map[string]string{"findings": "coord"}

// Judge decides whether results of the given origins belong together and are current (see
// ResultState). Two results belong together when one run wrote both, or when the run of one
// read the other's result as an input from the run that wrote it.
func Judge(origins []ResultOrigin, latest *ImportMark) ResultState {
	s := ResultState{Results: origins}
	if latest != nil {
		l := *latest
		l.Source = sourceName(l.Source)
		s.LatestImport = &l
	}
	for i := range origins {
		for j := i + 1; j < len(origins); j++ {
			a, b := origins[i], origins[j]
			if together(a, b) {
				continue
			}
			s.Mixed = true
			s.Warnings = append(s.Warnings, fmt.Sprintf("%s and %s come from different runs: %s from %s, %s from %s.%s Run `echotrace analyze` to compute both in one run.",
				capital(resultLabel(a.Name)), resultLabel(b.Name), resultLabel(a.Name), originLabel(a),
				resultLabel(b.Name), originLabel(b), usedNote(a, b)+usedNote(b, a)))
		}
	}
	if latest == nil {
		return s
	}
	var stale []string
	for _, o := range origins {
		old := false
		if o.Run != nil {
			old = o.Run.ImportID < latest.ID
		} else {
			old = o.StoredAt.Before(latest.Finished)
		}
		if old {
			stale = append(stale, resultLabel(o.Name)+" of "+originLabel(o))
		}
	}
	if len(stale) > 0 {
		s.Stale = true
		s.Warnings = append(s.Warnings, fmt.Sprintf("%s were computed before the latest import, %d of %s (finished %s), and do not include it: run `echotrace analyze` again.",
			capital(strings.Join(stale, " and ")), latest.ID, s.LatestImport.Source, stamp(latest.Finished)))
	}
	return s
}

// together reports whether two results belong together.
func together(a, b ResultOrigin) bool {
	switch {
	case a.Run == nil && b.Run == nil:
		return true // nothing to tell them apart by (a study written before schema 7)
	case a.Run == nil || b.Run == nil:
		return false
	case a.Run.ID == b.Run.ID:
		return true
	}
	if id, ok := a.Run.Inputs[b.Name]; ok && id == b.Run.ID {
		return true
	}
	if id, ok := b.Run.Inputs[a.Name]; ok && id == a.Run.ID {
		return true
	}
	return false
}

// usedNote says, when a is computed with results like b, which ones a was computed with.
func usedNote(a, b ResultOrigin) string {
	if dependsOn[a.Name] != b.Name || a.Run == nil {
		return ""
	}
	with := ""
	switch id, ok := a.Run.Inputs[b.Name]; {
	case contains(a.Run.Results, b.Name):
		with = fmt.Sprintf("%s of run %d", resultLabel(b.Name), a.Run.ID)
	case ok && id == 0:
		with = resultLabel(b.Name) + " of a run unknown"
	case ok:
		with = fmt.Sprintf("%s of run %d", resultLabel(b.Name), id)
	default:
		return fmt.Sprintf(" %s were computed without %s.", capital(resultLabel(a.Name)), strings.TrimPrefix(resultLabel(b.Name), "the "))
	}
	return fmt.Sprintf(" %s were computed with %s, not with these.", capital(resultLabel(a.Name)), with)
}

func originLabel(o ResultOrigin) string {
	if o.Run == nil {
		return "a run unknown (stored " + stamp(o.StoredAt) + ", before runs were recorded)"
	}
	return o.Run.Label()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// sourceName shows a local file by its name only (a full path names the analyst's folders, and
// warnings go into reports); endpoints stay as they are.
func sourceName(src string) string {
	if strings.Contains(src, "://") {
		return src
	}
	return filepath.Base(src)
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// WithRun returns st with its results going to (and read from) w: analyses written against a
// Store (such as amplify.Finish) then store into the run.
func WithRun(st Store, w RunWriter) Store { return runStore{st, w} }

type runStore struct {
	Store
	w RunWriter
}

func (s runStore) PutDocument(ctx context.Context, name string, body []byte) error {
	return s.w.PutDocument(ctx, name, body)
}

func (s runStore) Document(ctx context.Context, name string) ([]byte, time.Time, error) {
	return s.w.Document(ctx, name)
}

func (s runStore) PutTable(ctx context.Context, name string, columns []string, rows [][]any) error {
	return s.w.PutTable(ctx, name, columns, rows)
}
