package export

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/echotrace/echotrace/internal/analysis/amplify"
	"github.com/echotrace/echotrace/internal/analysis/coord"
	"github.com/echotrace/echotrace/internal/report/pseudonym"
	"github.com/echotrace/echotrace/internal/store"
)

// Formats are the accepted values of Run's format.
var Formats = []string{"csv", "parquet", "json", "gexf", "graphml"}

// Sentinel errors.
var (
	// ErrFormat is returned for a format not in Formats.
	ErrFormat = errors.New("unknown export format (want csv, parquet, json, gexf or graphml)")
	// ErrNoKey is returned when neither a pseudonym key nor Reveal is given.
	ErrNoKey = errors.New("export: a pseudonym key is required unless Reveal is set")
)

// Options control an export.
type Options struct {
	// Reveal keeps the ids, handles and names of non-watchlist accounts (internal use only).
	Reveal bool
	// Key is the study's pseudonym key (pseudonym.Key); required unless Reveal.
	Key []byte
	// Warnings are further warnings about the stored results from the caller (the command
	// line's: actor groups the study's settings no longer define): in the manifest, and a
	// refusal under Strict.
	Warnings []string
	// Now stamps the manifest.
	Now time.Time
	// Strict refuses (store.ErrResultsMixed) to export findings and a coordination result
	// that do not belong together or predate the latest import; otherwise the manifest says so.
	Strict bool
}

// Manifest describes what Run wrote; it is also written as manifest.json.
type Manifest struct {
	Format        string    `json:"format"`
	Created       time.Time `json:"created"`
	Pseudonymised bool      `json:"pseudonymised"`
	Files         []File    `json:"files"`
	// Missing names inputs that were not in the study (e.g. "coord" before `echotrace analyze`).
	Missing []string `json:"missing,omitempty"`
	// Results says which run stored the findings and the coordination result, and whether
	// they belong together (results.mixed) and include the latest import (results.stale);
	// Warnings repeats what is wrong, naming the runs and their times. Absent for a store that
	// does not record runs.
	Results  *store.ResultState `json:"results,omitempty"`
	Warnings []string           `json:"warnings,omitempty"`
}

// File is one written file.
type File struct {
	Name   string `json:"name"` // relative to the export folder
	Table  string `json:"table"`
	Rows   int64  `json:"rows"` // rows, or nodes + edges for a graph
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// Run exports the study into dir (created if needed) in format and returns the manifest.
func Run(ctx context.Context, q store.Querier, docs store.ResultStore, format string, dir string, opt Options) (Manifest, error) {
	if !validFormat(format) {
		return Manifest{}, fmt.Errorf("%w: %q", ErrFormat, format)
	}
	if !opt.Reveal && len(opt.Key) == 0 {
		return Manifest{}, ErrNoKey
	}
	// Exported findings and clusters must say whether they belong together.
	state, err := store.CheckResults(ctx, docs, amplify.DocumentName, amplify.CoordDocument)
	if err != nil {
		return Manifest{}, err
	}
	if opt.Strict && (!state.OK() || len(opt.Warnings) > 0) {
		return Manifest{}, fmt.Errorf("export: %w: %s", store.ErrResultsMixed, strings.Join(append(state.Warnings, opt.Warnings...), " "))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Manifest{}, fmt.Errorf("create export folder: %w", err)
	}
	s, err := load(ctx, q, docs, opt)
	if err != nil {
		return Manifest{}, err
	}
	man := Manifest{Format: format, Created: opt.Now.UTC(), Pseudonymised: !opt.Reveal, Missing: s.missing}
	if _, ok := docs.(store.Runs); ok {
		man.Results, man.Warnings = &state, state.Warnings
	}
	man.Warnings = append(man.Warnings, opt.Warnings...)
	add := func(name, table string, write func(w io.Writer) (int64, error)) error {
		f, err := writeFile(filepath.Join(dir, name), write)
		if err != nil {
			return fmt.Errorf("export %s: %w", name, err)
		}
		f.Name, f.Table = name, table
		man.Files = append(man.Files, f)
		return nil
	}
	switch format {
	case "gexf", "graphml":
		if s.coord == nil {
			return man, fmt.Errorf("export %s: no coordination result in the study (run `echotrace analyze` or `echotrace coord` first)", format)
		}
		g, err := s.graph(ctx, q)
		if err != nil {
			return man, err
		}
		write := g.WriteGEXF
		if format == "graphml" {
			write = g.WriteGraphML
		}
		if err := add("network."+format, "network", func(w io.Writer) (int64, error) {
			return int64(len(g.Nodes) + len(g.Edges)), write(w, opt.Now)
		}); err != nil {
			return man, err
		}
	default:
		ext := map[string]string{"csv": ".csv", "json": ".jsonl", "parquet": ".parquet"}[format]
		for _, t := range s.tables(q) {
			if err := add(t.name+ext, t.name, func(w io.Writer) (int64, error) {
				return writeTable(ctx, w, format, t)
			}); err != nil {
				return man, err
			}
		}
		if s.findingsJSON != nil && format == "json" {
			if err := add("findings.json", "findings", func(w io.Writer) (int64, error) {
				_, err := w.Write(s.findingsJSON)
				return 1, err
			}); err != nil {
				return man, err
			}
		}
	}
	body, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return man, err
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), append(body, '\n'), 0o644); err != nil {
		return man, fmt.Errorf("write manifest: %w", err)
	}
	return man, nil
}

func validFormat(f string) bool {
	for _, v := range Formats {
		if v == f {
			return true
		}
	}
	return false
}

// writeFile writes a file through a hashing writer and reports its size and digest.
func writeFile(path string, write func(w io.Writer) (int64, error)) (File, error) {
	f, err := os.Create(path)
	if err != nil {
		return File{}, err
	}
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(f, h)}
	rows, err := write(cw)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return File{}, err
	}
	return File{Rows: rows, Bytes: cw.n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// study is what an export needs besides the row tables.
type study struct {
	m            *pseudonym.Mapper
	platformOf   map[string]string // account id → platform (first seen), for coordination ids
	findings     *amplify.Findings
	findingsJSON []byte // pseudonymised, indented
	coord        *coord.Result
	missing      []string
}

func load(ctx context.Context, q store.Querier, docs store.ResultStore, opt Options) (*study, error) {
	s := &study{m: pseudonym.New(opt.Key, opt.Reveal), platformOf: map[string]string{}}
	err := scan(ctx, q, `SELECT platform, coalesce(account_id, ''), coalesce(handle, '') FROM watchlist`, func(r []any) {
		s.m.Watch(r[0].(string), r[1].(string), r[2].(string))
	}, kString, kString, kString)
	if err != nil {
		return nil, fmt.Errorf("read watchlist: %w", err)
	}
	err = scan(ctx, q, `SELECT platform, id, coalesce(handle, '') FROM accounts`, func(r []any) {
		p, id := r[0].(string), r[1].(string)
		s.m.Known(p, id, r[2].(string))
		if _, ok := s.platformOf[id]; !ok {
			s.platformOf[id] = p
		}
	}, kString, kString, kString)
	if err != nil {
		return nil, fmt.Errorf("read accounts: %w", err)
	}
	body, _, err := docs.Document(ctx, "findings")
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.missing = append(s.missing, "findings")
	case err != nil:
		return nil, fmt.Errorf("read findings: %w", err)
	default:
		var f amplify.Findings
		if err := json.Unmarshal(body, &f); err != nil {
			return nil, fmt.Errorf("read findings document: %w", err)
		}
		s.pseudonymiseFindings(&f)
		s.findings = &f
		if s.findingsJSON, err = json.MarshalIndent(f, "", "  "); err != nil {
			return nil, err
		}
	}
	body, _, err = docs.Document(ctx, "coord")
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.missing = append(s.missing, "coord")
	case err != nil:
		return nil, fmt.Errorf("read coordination result: %w", err)
	default:
		var c coord.Result
		if err := json.Unmarshal(body, &c); err != nil {
			return nil, fmt.Errorf("read coord document: %w", err)
		}
		s.coord = &c
	}
	return s, nil
}

// platform returns the platform of a coordination account id ("x" when unknown).
func (s *study) platform(id string) string {
	if p, ok := s.platformOf[id]; ok {
		return p
	}
	return "x"
}

// id pseudonymises an account id seen without its platform.
func (s *study) id(id string) string { return s.m.ID(s.platform(id), id) }

// pseudonymiseFindings replaces the amplifiers' identities in the findings (watch accounts
// are named in per-account and weekly rows and stay).
func (s *study) pseudonymiseFindings(f *amplify.Findings) {
	for i := range f.TopAmplifiers {
		a := &f.TopAmplifiers[i]
		if s.m.IsWatched(a.Platform, a.ID, a.Handle) {
			continue
		}
		a.Handle = s.m.Handle(a.Platform, a.ID, a.Handle)
		a.ID = s.m.ID(a.Platform, a.ID)
	}
}

// sortedSignals returns a map's signals in coord.AllSignals order, then any unknown ones.
func sortedSignals(m map[coord.Signal]int) []coord.Signal {
	var out []coord.Signal
	seen := map[coord.Signal]bool{}
	for _, sg := range coord.AllSignals {
		if m[sg] > 0 {
			out = append(out, sg)
			seen[sg] = true
		}
	}
	var rest []coord.Signal
	for sg, n := range m {
		if !seen[sg] && n > 0 {
			rest = append(rest, sg)
		}
	}
	sort.Slice(rest, func(i, j int) bool { return rest[i] < rest[j] })
	return append(out, rest...)
}
