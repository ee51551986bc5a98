package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/ingest/all"
	"github.com/echotrace/echotrace/internal/store"
)

// importResult is what `import --json` prints.
type importResult struct {
	Files    []store.ImportSummary `json:"files"`
	Unknown  []string              `json:"unknown_format,omitempty"`
	Read     event.Counts          `json:"read"`
	Stored   event.Counts          `json:"stored"`
	Dups     event.Counts          `json:"duplicates"`
	Rejected int64                 `json:"rejected"`
	// RejectedKept counts, among the Rejected, the records stored with a field cleared
	// (store.ImportSummary.RejectedKept): not lost, and left out of the >50 % rule.
	RejectedKept int64          `json:"rejected_kept"`
	Rejects      []event.Reject `json:"first_rejects,omitempty"` // of this import only
	// Warnings name the files that lost most of their records (see mostlyRejected); with any,
	// the import exits 3 and Error and ExitCode say so here too.
	Warnings []string `json:"warnings,omitempty"`
	// Error and ExitCode are those of the error that stopped the import early (a file that
	// broke off, whose committed part is in Files; a --strict reject; a file that cannot be
	// read), else of the warnings. Files lists what was committed before.
	Error    string `json:"error,omitempty"`
	ExitCode int    `json:"exit_code,omitempty"`
}

// MaxRejectShare is the share of a file's records above which an import that committed the
// rest still fails (exit 3): a file that lost most of its records must not look like a success.
const MaxRejectShare = 0.5

func newImportCmd(a *App) *cobra.Command {
	var (
		opt    ingest.Options
		regOpt all.Options
	)
	cmd := &cobra.Command{
		Use:   "import [flags] PATH...",
		Short: "Import posts, engagements and observations from files or folders",
		Long: `import reads files (or every file under folders; .gz and .zst are decompressed on the
fly) and stores their posts, accounts, engagements and observations in the study.

Each file is one transaction: an interrupted import keeps the files it finished, and running
the same command again skips them and resumes. Importing the same data twice changes nothing
(records are keyed by platform + id). A record that cannot be read is stored in the rejects
table with its file, line and reason; the summary reconciles read = stored + duplicates (per
kind) and counts the rejects, and lists the first rejects of this import. A file that loses
more than half of its records is still imported (what could be read is kept) but the import
warns and exits 3. With --strict the first bad record stops the import (exit 3): that file's
transaction is rolled back, files finished before it are kept.

Formats (--format, default auto-detected per file):
` + formatList(),
		Example: `  echotrace import ~/data/brexit.jsonl.gz
  echotrace import --format io-archive china_082019_1_tweets_csv_hashed.csv
  echotrace import --format csv --mapping "id=tweet_id,author_id=user,created_at=time,text=body,platform=const:x" my.csv
  echotrace import --format shares --object url german_elections.csv
  echotrace import simulated-world/      # a whole folder, formats detected per file`,
		Args: minArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			reg, err := all.New(regOpt)
			if err != nil {
				return usageError(err)
			}
			if opt.Format != "" && opt.Format != "auto" {
				if _, err := reg.Lookup(opt.Format); err != nil {
					return usageError(err)
				}
			}
			return a.runImport(cmd.Context(), reg, args, opt)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opt.Format, "format", "auto", "input format (see above); auto detects it per file")
	f.BoolVar(&opt.Strict, "strict", false, "stop at the first record that cannot be read (exit code 3)")
	f.IntVar(&opt.BatchSize, "batch-size", ingest.DefaultBatchSize, "events handed to the store at a time (bounds memory)")
	f.BoolVar(&opt.Force, "force", false, "re-read files that were already imported completely")
	f.StringVar(&regOpt.CSVMapping, "mapping", "", "column mapping for --format csv: \"field=column,...\" or a mapping file")
	f.StringVar(&regOpt.SharesObject, "object", "", "object type for CooRTweet layouts with --format shares: url, domain, hashtag or phash")
	return cmd
}

func formatList() string {
	reg, err := all.New(all.Options{})
	if err != nil {
		return ""
	}
	var b strings.Builder
	for _, c := range reg.Connectors() {
		fmt.Fprintf(&b, "  %-12s %s\n", c.Name(), c.Describe())
	}
	return b.String()
}

func (a *App) runImport(ctx context.Context, reg *ingest.Registry, paths []string, opt ingest.Options) error {
	files, err := ingest.Expand(paths)
	if err != nil {
		return usageError(err)
	}
	explicit := make(map[string]bool)
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			explicit[p] = true
		}
	}
	st, err := a.OpenStore(ctx, false)
	if err != nil {
		return err
	}
	defer st.Close()

	progress, finish := a.progress()
	opt.Progress = progress
	var (
		res  importResult
		stop error // the error that ended the import early, if any
	)
	defer finish()
	for _, f := range files {
		sum, err := ingest.RunFile(ctx, reg, st, f, opt)
		if errors.Is(err, ingest.ErrUnknownFormat) && !explicit[f] {
			res.Unknown = append(res.Unknown, f)
			continue
		}
		// A file that broke off (ErrIncomplete) comes with the summary of what it committed
		// as partial; any error ends the import, and the files done so far are reported.
		if err == nil || (errors.Is(err, ingest.ErrIncomplete) && sum.ImportID != 0) {
			res.Files = append(res.Files, sum)
			res.Read = res.Read.Plus(sum.Read)
			res.Stored = res.Stored.Plus(sum.Stored)
			res.Dups = res.Dups.Plus(sum.Duplicates)
			res.Rejected += sum.Rejected
			res.RejectedKept += sum.RejectedKept
		}
		if err != nil {
			stop = err
			break
		}
	}
	finish()
	// The snapshot that analyze and coord read, rebuilt once for all the files of the command.
	// A failed rebuild loses nothing (the next analyze or coord rebuilds it): the import's own
	// result is still reported.
	if err := a.refreshSnapshot(ctx, st); err != nil {
		if ctx.Err() != nil && stop == nil {
			stop = err
		}
		fmt.Fprintf(a.Err, "echotrace: warning: the analysis snapshot was not rebuilt (analyze and coord will): %s\n", termText(err.Error()))
	}
	var (
		ids  []int64  // this import's runs that rejected something
		most []string // files that lost most of their records
	)
	for _, s := range res.Files {
		if s.Rejected > 0 {
			ids = append(ids, s.ImportID)
		}
		if share, lost := mostlyRejected(s); lost {
			dropped := s.Rejected - s.RejectedKept
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s: %d of its %d records rejected (%.0f %%); the rest is imported, but check the input",
				s.Source, dropped, dropped+records(s), 100*share))
			most = append(most, s.Source)
		}
	}
	if len(ids) > 0 {
		res.Rejects = firstRejects(ctx, st, ids, 5)
	}
	// The import's error: the one that stopped it, else the warning that files lost most of
	// their records. Both are in the result; reported, so that Main prints no second document.
	var lost error
	switch {
	case stop != nil:
		lost = reported{stop}
	case len(res.Warnings) > 0:
		lost = reported{fmt.Errorf("%w: more than %.0f %% of the records of %s", ingest.ErrRejected,
			100*MaxRejectShare, strings.Join(most, ", "))}
	}
	if lost != nil {
		res.Error, res.ExitCode = lost.Error(), ExitCode(lost)
	}
	if a.JSON {
		if err := a.PrintJSON(res); err != nil {
			return err
		}
		return lost
	}
	for _, s := range res.Files {
		if s.Skipped {
			a.Logf("%s: already imported (use --force to read it again)", s.Source)
			continue
		}
		partial := ""
		if s.Error != "" {
			partial = " (partial: the input broke off, see below)"
		}
		a.Logf("%s [%s]: %s%s", s.Source, s.Format, describeCounts(s.Read, s.Stored, s.Duplicates, s.Rejected, s.RejectedKept), partial)
	}
	for _, u := range res.Unknown {
		a.Logf("%s: skipped, format not recognised (name it with --format)", u)
	}
	if len(res.Files) > 1 {
		a.Logf("total: %s", describeCounts(res.Read, res.Stored, res.Dups, res.Rejected, res.RejectedKept))
	}
	a.logConflicts(res.Files)
	for _, r := range res.Rejects {
		if r.Kept {
			a.Logf("  kept, field cleared: %s", r.Error())
			continue
		}
		a.Logf("  rejected %s", r.Error())
	}
	if res.Rejected > int64(len(res.Rejects)) {
		a.Logf("  … see all with: echotrace sql \"SELECT * FROM rejects WHERE import_id >= %d ORDER BY import_id, line\"", slices.Min(ids))
	}
	for _, w := range res.Warnings {
		a.Logf("WARNING: %s", w)
	}
	return lost
}

// records counts the records of an import that were read (and kept): one per main event (a
// post, an engagement, a share, an observation, a watchlist entry). Accounts count only in a
// file that holds nothing else (a profile list): most formats carry one with every post.
func records(s store.ImportSummary) int64 {
	r := s.Read
	n := r.Posts + r.Engagements + r.Shares + r.Statuses + r.Labels + r.Watch
	if n == 0 {
		n = r.Accounts
	}
	return n
}

// mostlyRejected reports the share of a file's records that were rejected and dropped, and
// whether it exceeds MaxRejectShare. Rejects of records kept with a field cleared
// (RejectedKept) lost nothing and do not count: such a record is among the ones read.
func mostlyRejected(s store.ImportSummary) (float64, bool) {
	dropped := s.Rejected - s.RejectedKept
	if s.Skipped || dropped <= 0 {
		return 0, false
	}
	share := float64(dropped) / float64(dropped+records(s))
	return share, share > MaxRejectShare
}

// reported marks an error whose details the command has already printed (with --json, inside
// its result), so that Main does not print a second JSON document for it.
type reported struct{ error }

func (r reported) Unwrap() error { return r.error }

// describeCounts says what an import read, per kind (read = new + duplicate), and its rejects:
// the records dropped and, apart, those kept with a field cleared (already among the read).
func describeCounts(read, stored, dups event.Counts, rejected, rejectedKept int64) string {
	var parts []string
	add := func(name string, r, s, d int64) {
		if r == 0 {
			return
		}
		parts = append(parts, fmt.Sprintf("%s %d read = %d new + %d duplicate", name, r, s, d))
	}
	add("posts", read.Posts, stored.Posts, dups.Posts)
	add("accounts", read.Accounts, stored.Accounts, dups.Accounts)
	add("engagements", read.Engagements, stored.Engagements, dups.Engagements)
	add("shares", read.Shares, stored.Shares, dups.Shares)
	add("watchlist", read.Watch, stored.Watch, dups.Watch)
	add("status", read.Statuses, stored.Statuses, dups.Statuses)
	add("labels", read.Labels, stored.Labels, dups.Labels)
	if rejectedKept == 0 {
		parts = append(parts, fmt.Sprintf("%d rejected", rejected))
	} else {
		parts = append(parts, fmt.Sprintf("%d rejected: %d dropped, %d kept with a field cleared",
			rejected, rejected-rejectedKept, rejectedKept))
	}
	return strings.Join(parts, "; ")
}

// firstRejects returns the first n rejects of the given imports, in import and line order.
func firstRejects(ctx context.Context, q store.Querier, imports []int64, n int) []event.Reject {
	marks := strings.TrimSuffix(strings.Repeat("?,", len(imports)), ",")
	args := make([]any, 0, len(imports)+1)
	for _, id := range imports {
		args = append(args, id)
	}
	args = append(args, n)
	rows, err := q.Query(ctx, "SELECT source, line, coalesce(field, ''), reason, kept FROM rejects WHERE import_id IN ("+marks+
		") ORDER BY import_id, line LIMIT ?", args...)
	if err != nil {
		return nil
	}
	defer rows.Close()
	var out []event.Reject
	for rows.Next() {
		var r event.Reject
		if rows.Scan(&r.Source, &r.Line, &r.Field, &r.Reason, &r.Kept) == nil {
			out = append(out, r)
		}
	}
	return out
}

// progress returns a byte-progress callback that draws one bar per source on a terminal
// (nothing otherwise), and a function that waits for the bars to finish drawing.
func (a *App) progress() (func(src string, done, total int64), func()) {
	if !a.Interactive || a.JSON {
		return nil, func() {}
	}
	p := mpb.New(mpb.WithOutput(a.Err), mpb.WithWidth(40))
	var (
		mu   sync.Mutex
		bars = map[string]*mpb.Bar{}
		once sync.Once
	)
	cb := func(src string, done, total int64) {
		mu.Lock()
		defer mu.Unlock()
		bar, ok := bars[src]
		if !ok {
			bar = p.AddBar(total,
				mpb.PrependDecorators(decor.Name(shorten(src, 40), decor.WCSyncSpaceR)),
				mpb.AppendDecorators(decor.CountersKibiByte("% .1f / % .1f"), decor.Name(" "), decor.AverageSpeed(decor.SizeB1024(0), "% .1f")))
			bars[src] = bar
		}
		bar.SetCurrent(done)
		if done >= total {
			bar.SetTotal(total, true)
		}
	}
	finish := func() {
		once.Do(func() {
			mu.Lock()
			for _, b := range bars {
				if !b.Completed() {
					b.Abort(false)
				}
			}
			mu.Unlock()
			p.Wait()
		})
	}
	return cb, finish
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n+1:]
}
