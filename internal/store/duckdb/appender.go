package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	duck "github.com/duckdb/duckdb-go/v2"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/store"
)

// beforeCommit, if set (by tests), runs inside Commit's transaction just before COMMIT.
var beforeCommit func()

// appender is one import: events are staged in connection-local temporary tables through
// DuckDB's appender API, then merged at Commit.
type appender struct {
	db   *DB
	conn *sql.Conn // holds the staging tables; exclusively ours until Commit/Rollback
	run  store.ImportRun
	id   int64

	mu     sync.Mutex
	done   bool
	stages [nKinds]*duck.Appender // created on first use
	staged [nKinds]bool           // staging table created
	seq    int64                  // records staged so far, across kinds
	read   event.Counts
	// rejectedKept counts the rejects read whose record was kept with a field cleared.
	rejectedKept int64
	row          []driver.Value // scratch row, reused
}

// Appender starts an import. Its staging lives on a dedicated connection until Commit or
// Rollback; the import is logged as "running" until then.
func (db *DB) Appender(ctx context.Context, run store.ImportRun) (store.Appender, error) {
	if err := db.writable(); err != nil {
		return nil, err
	}
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("start import of %s: %w", run.Source, err)
	}
	a := &appender{db: db, conn: conn, run: run}
	if err := conn.QueryRowContext(ctx, `SELECT nextval('core.import_id_seq')`).Scan(&a.id); err != nil {
		conn.Close()
		return nil, fmt.Errorf("start import of %s: %w", run.Source, err)
	}
	started := run.Started
	if started.IsZero() {
		started = db.opt.Now()
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO core.imports (id, source, format, fingerprint, started, status)
		VALUES (?, ?, ?, ?, ?, 'running')`, a.id, run.Source, run.Format, nullStr(run.Fingerprint), started.UTC()); err != nil {
		conn.Close()
		return nil, fmt.Errorf("start import of %s: %w", run.Source, err)
	}
	return a, nil
}

// stageName is the temporary table staging kind k.
func (a *appender) stageName(k int) string {
	return fmt.Sprintf("stage_%d_%s", a.id, kinds[k].name)
}

// stage returns the DuckDB appender for kind k, creating its staging table on first use.
func (a *appender) stage(ctx context.Context, k int) (*duck.Appender, error) {
	if s := a.stages[k]; s != nil {
		return s, nil
	}
	name := a.stageName(k)
	if _, err := a.conn.ExecContext(ctx, kinds[k].stageDDL(name)); err != nil {
		return nil, err
	}
	a.staged[k] = true
	err := a.conn.Raw(func(dc any) error {
		s, err := duck.NewAppender(dc.(driver.Conn), "temp", "main", name)
		a.stages[k] = s
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("appender for %s: %w", name, err)
	}
	return a.stages[k], nil
}

// Append stages a batch. Events that cannot be stored (no platform, no id, unknown kind)
// become rejects naming the field, so that one bad record does not fail the import.
func (a *appender) Append(ctx context.Context, b *event.Batch) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.done {
		return store.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var bad []event.Reject
	reject := func(p event.Provenance, field, reason string, v any) {
		raw, _ := json.Marshal(v)
		bad = append(bad, event.NewReject(p.Source, p.Line, field, reason, raw))
	}
	for i := range b.Posts {
		p := &b.Posts[i]
		switch {
		case p.Platform == "":
			reject(p.Prov, "platform", "post has no platform", p)
		case p.ID == "":
			reject(p.Prov, "id", "post has no id", p)
		case p.Kind != "" && !p.Kind.Valid():
			reject(p.Prov, "kind", fmt.Sprintf("post kind %q is not post, repost, quote or reply", p.Kind), p)
		default:
			if err := a.put(ctx, kPosts, postRow(a.row[:0], p)); err != nil {
				return err
			}
			a.read.Posts++
		}
	}
	for i := range b.Accounts {
		ac := &b.Accounts[i]
		switch {
		case ac.Platform == "":
			reject(ac.Prov, "platform", "account has no platform", ac)
		case ac.ID == "":
			reject(ac.Prov, "id", "account has no id", ac)
		default:
			if err := a.put(ctx, kAccounts, accountRow(a.row[:0], ac)); err != nil {
				return err
			}
			a.read.Accounts++
		}
	}
	for i := range b.Engagements {
		e := &b.Engagements[i]
		switch {
		case e.Platform == "" || e.AccountID == "" || e.PostID == "":
			reject(e.Prov, "account_id", "engagement needs platform, account_id and post_id", e)
		case !validEngagement(e.Kind):
			reject(e.Prov, "kind", fmt.Sprintf("engagement kind %q is not like, repost, quote or reply", e.Kind), e)
		default:
			if err := a.put(ctx, kEngagements, engagementRow(a.row[:0], e)); err != nil {
				return err
			}
			a.read.Engagements++
		}
	}
	for i := range b.Shares {
		s := &b.Shares[i]
		if s.Platform == "" || s.AccountID == "" || s.ObjectID == "" {
			reject(s.Prov, "object_id", "share needs platform, account_id and object_id", s)
			continue
		}
		if err := a.put(ctx, kShares, shareRow(a.row[:0], s)); err != nil {
			return err
		}
		a.read.Shares++
	}
	for i := range b.Statuses {
		s := &b.Statuses[i]
		if s.Platform == "" || (s.AccountID == "" && s.Handle == "") {
			reject(s.Prov, "account_id", "status observation needs a platform and an account id or handle", s)
			continue
		}
		if err := a.put(ctx, kStatuses, statusRow(a.row[:0], s)); err != nil {
			return err
		}
		a.read.Statuses++
	}
	for i := range b.Labels {
		l := &b.Labels[i]
		if l.Platform == "" || (l.AccountID == "" && l.Handle == "") {
			reject(l.Prov, "account_id", "label observation needs a platform and an account id or handle", l)
			continue
		}
		if err := a.put(ctx, kLabels, labelRow(a.row[:0], l)); err != nil {
			return err
		}
		a.read.Labels++
	}
	for i := range b.Watch {
		w := &b.Watch[i]
		if w.Platform == "" || (w.ID == "" && w.Handle == "") {
			reject(w.Prov, "id", "watchlist entry needs a platform and an id or handle", w)
			continue
		}
		if err := a.put(ctx, kWatch, watchRow(a.row[:0], w)); err != nil {
			return err
		}
		a.read.Watch++
	}
	for _, rs := range [][]event.Reject{b.Rejects, bad} {
		for i := range rs {
			if err := a.put(ctx, kRejects, rejectRow(a.row[:0], &rs[i])); err != nil {
				return err
			}
			a.read.Rejects++
			if rs[i].Kept {
				a.rejectedKept++
			}
		}
	}
	return nil
}

// put stages one row of kind k, appending seq.
func (a *appender) put(ctx context.Context, k int, row []driver.Value) error {
	s, err := a.stage(ctx, k)
	if err != nil {
		return fmt.Errorf("import %d: stage %s: %w", a.id, kinds[k].name, err)
	}
	a.seq++
	row = append(row, a.seq)
	a.row = row
	if err := s.AppendRow(row...); err != nil {
		return fmt.Errorf("import %d: stage %s: %w", a.id, kinds[k].name, err)
	}
	return nil
}

// Commit merges the staged events into the study and logs the import as committed, all in
// one transaction.
func (a *appender) Commit(ctx context.Context) (store.ImportSummary, error) {
	return a.commit(ctx, nil)
}

// CommitPartial is Commit logging the import as partial, with cause in its error column.
func (a *appender) CommitPartial(ctx context.Context, cause error) (store.ImportSummary, error) {
	if cause == nil {
		cause = errors.New("input incomplete")
	}
	return a.commit(ctx, cause)
}

func (a *appender) commit(ctx context.Context, cause error) (store.ImportSummary, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.done {
		return store.ImportSummary{}, store.ErrClosed
	}
	a.done = true
	defer a.release()
	sum := store.ImportSummary{ImportID: a.id, Source: a.run.Source, Format: a.run.Format,
		Read: a.read, Rejected: a.read.Rejects, RejectedKept: a.rejectedKept}
	if err := a.closeStages(); err != nil {
		a.fail(err)
		return store.ImportSummary{}, fmt.Errorf("import %d (%s): %w", a.id, a.run.Source, err)
	}
	a.db.commitMu.Lock()
	defer a.db.commitMu.Unlock()
	stored, conflicts, err := a.merge(ctx, cause)
	if err != nil {
		a.fail(err)
		return store.ImportSummary{}, fmt.Errorf("import %d (%s): commit: %w", a.id, a.run.Source, err)
	}
	sum.Stored = stored
	sum.Duplicates = a.read.Minus(stored)
	sum.Conflicts = conflicts
	if cause != nil {
		sum.Error = cause.Error()
	}
	return sum, nil
}

// merge runs the set-based merge of every staged kind and marks the import committed (or
// partial, with cause as its error, when cause is not nil), in one transaction on the
// appender's connection. It returns the new keys and the identity conflicts per kind.
func (a *appender) merge(ctx context.Context, cause error) (stored, conflicts event.Counts, err error) {
	if _, err := a.conn.ExecContext(ctx, `BEGIN TRANSACTION`); err != nil {
		return stored, conflicts, err
	}
	defer func() {
		if err != nil {
			_, _ = a.conn.ExecContext(context.Background(), `ROLLBACK`)
		}
	}()
	for k := range kinds {
		if a.stages[k] == nil {
			continue
		}
		n, c, err := mergeKind(ctx, a.conn, &kinds[k], a.stageName(k), a.id)
		if err != nil {
			return stored, conflicts, fmt.Errorf("merge %s: %w", kinds[k].name, err)
		}
		*countOf(&stored, k) = n
		*countOf(&conflicts, k) = c
	}
	dup := a.read.Minus(stored)
	status, errText := "committed", sql.NullString{}
	if cause != nil {
		status, errText = "partial", sql.NullString{String: cause.Error(), Valid: true}
	}
	if _, err := a.conn.ExecContext(ctx, `UPDATE core.imports SET finished = ?, status = ?,
		read = ?, stored = ?, duplicates = ?, rejected = ?, rejected_kept = ?, error = ?, conflicts = ? WHERE id = ?`,
		a.db.opt.Now().UTC(), status, jsonText(a.read), jsonText(stored), jsonText(dup), a.read.Rejects, a.rejectedKept,
		errText, jsonText(conflicts), a.id); err != nil {
		return stored, conflicts, err
	}
	// The counts that `stats` reads, as of this import, committed with it (not for each page
	// of a collection: the cache is then stale and `stats` counts the views).
	if !a.run.Incremental {
		if err := refreshStats(ctx, a.conn, a.conn.ExecContext); err != nil {
			return stored, conflicts, fmt.Errorf("stats: %w", err)
		}
	}
	if beforeCommit != nil {
		beforeCommit()
	}

	if _, err := a.conn.ExecContext(ctx, `COMMIT`); err != nil {
		return stored, conflicts, err
	}
	return stored, conflicts, nil
}

// Rollback discards the staged events and logs the import as rolled back.
func (a *appender) Rollback() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.done {
		return store.ErrClosed
	}
	a.done = true
	defer a.release()
	err := a.closeStages()
	_, err2 := a.conn.ExecContext(context.Background(),
		`UPDATE core.imports SET status = 'rolled_back', finished = ? WHERE id = ?`, a.db.opt.Now().UTC(), a.id)
	return errors.Join(err, err2)
}

// fail logs a failed commit on the import.
func (a *appender) fail(cause error) {
	_, _ = a.conn.ExecContext(context.Background(),
		`UPDATE core.imports SET status = 'failed', finished = ?, error = ? WHERE id = ?`,
		a.db.opt.Now().UTC(), cause.Error(), a.id)
}

// closeStages flushes and closes the DuckDB appenders.
func (a *appender) closeStages() error {
	var errs []error
	for k, s := range a.stages {
		if s == nil {
			continue
		}
		if err := s.Close(); err != nil {
			errs = append(errs, fmt.Errorf("stage %s: %w", kinds[k].name, err))
		}
	}
	return errors.Join(errs...)
}

// release drops the staging tables and returns the connection to the pool.
func (a *appender) release() {
	for k := range kinds {
		if a.staged[k] {
			_, _ = a.conn.ExecContext(context.Background(), `DROP TABLE IF EXISTS temp.main.`+a.stageName(k))
		}
		a.stages[k], a.staged[k] = nil, false
	}
	a.conn.Close()
}

// countOf is the field of c counting kind k.
func countOf(c *event.Counts, k int) *int64 {
	switch k {
	case kPosts:
		return &c.Posts
	case kAccounts:
		return &c.Accounts
	case kEngagements:
		return &c.Engagements
	case kShares:
		return &c.Shares
	case kStatuses:
		return &c.Statuses
	case kLabels:
		return &c.Labels
	case kWatch:
		return &c.Watch
	case kRejects:
		return &c.Rejects
	}
	panic(fmt.Sprintf("duckdb: no kind %d", k))
}

func jsonText(c event.Counts) string {
	b, _ := json.Marshal(c)
	return string(b)
}

func validEngagement(k event.EngagementKind) bool {
	switch k {
	case event.EngageLike, event.EngageRepost, event.EngageReply, event.EngageQuote:
		return true
	}
	return false
}

// nullStr maps "" to NULL.
func nullStr(s string) driver.Value {
	if s == "" {
		return nil
	}
	return s
}

// nullTime maps the zero time to NULL and anything else to UTC.
func nullTime(t time.Time) driver.Value {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// nullCount maps event.Unknown (any negative count) to NULL.
func nullCount(n int64) driver.Value {
	if n < 0 {
		return nil
	}
	return n
}

// nullList joins a list's items with listSep (replacing listSep inside an item by a space);
// an empty list is NULL.
func nullList(l []string) driver.Value {
	if len(l) == 0 {
		return nil
	}
	var b strings.Builder
	for i, item := range l {
		if i > 0 {
			b.WriteString(listSep)
		}
		if strings.Contains(item, listSep) {
			item = strings.ReplaceAll(item, listSep, " ")
		}
		b.WriteString(item)
	}
	return b.String()
}

// accountKey is how status, label and watchlist rows name an account: its id, or else "@"
// and its lower-case handle.
func accountKey(id, handle string) string {
	if id != "" {
		return id
	}
	return "@" + strings.ToLower(handle)
}

// The row builders follow kind.columns(): keys, data, then source and line.

func postRow(r []driver.Value, p *event.Post) []driver.Value {
	return append(r, string(p.Platform), p.ID,
		nullStr(p.AuthorID), nullStr(p.AuthorHandle), nullTime(p.CreatedAt), nullStr(string(p.Kind)),
		nullStr(p.RefID), nullStr(p.RefAuthorID), nullStr(p.ConversationID), nullStr(p.Text),
		nullStr(p.Lang), nullStr(p.Client), nullList(p.URLs), nullList(p.Hashtags), nullList(p.Mentions),
		nullCount(p.Likes), nullCount(p.Reposts), nullCount(p.Replies), nullCount(p.Quotes),
		nullCount(p.Views), nullTime(p.CountsAt),
		nullStr(p.Prov.Source), p.Prov.Line)
}

func accountRow(r []driver.Value, a *event.Account) []driver.Value {
	seen := nullTime(a.ObservedAt)
	return append(r, string(a.Platform), a.ID,
		nullStr(a.Handle), nullStr(a.Name), nullTime(a.CreatedAt), nullCount(a.Followers),
		nullCount(a.Following), nullCount(a.Posts), a.Verified, a.DefaultAvatar,
		nullStr(a.Description), nullStr(a.Location), nullStr(a.Lang), seen, seen, seen,
		nullStr(a.Prov.Source), a.Prov.Line)
}

func engagementRow(r []driver.Value, e *event.Engagement) []driver.Value {
	return append(r, string(e.Platform), e.AccountID, string(e.Kind), e.PostID,
		nullStr(e.PostAuthorID), nullTime(e.At),
		nullStr(e.Prov.Source), e.Prov.Line)
}

func shareRow(r []driver.Value, s *event.Share) []driver.Value {
	return append(r, string(s.Platform), s.AccountID, s.ObjectID, nullStr(s.ContentID), nullTime(s.At),
		nullStr(s.Prov.Source), s.Prov.Line)
}

func statusRow(r []driver.Value, s *event.StatusObservation) []driver.Value {
	return append(r, string(s.Platform), accountKey(s.AccountID, s.Handle), nullTime(s.ObservedAt),
		nullStr(string(s.Status)),
		nullStr(s.AccountID), nullStr(s.Handle), nullStr(s.RawCode),
		nullStr(s.Prov.Source), s.Prov.Line)
}

func labelRow(r []driver.Value, l *event.LabelObservation) []driver.Value {
	return append(r, string(l.Platform), accountKey(l.AccountID, l.Handle), nullTime(l.ObservedAt),
		nullStr(l.Label),
		nullStr(l.AccountID), nullStr(l.Handle), nullStr(string(l.Class)),
		nullStr(l.Prov.Source), l.Prov.Line)
}

func watchRow(r []driver.Value, w *event.WatchEntry) []driver.Value {
	return append(r, string(w.Platform), accountKey(w.ID, w.Handle),
		nullStr(w.ID), nullStr(w.Handle), nullStr(string(w.ActorType)), nullStr(w.Country),
		nullStr(w.Outlet), nullStr(w.Lang), nullTime(w.Since), nullTime(w.Until),
		nullStr(w.Prov.Source), w.Prov.Line)
}

func rejectRow(r []driver.Value, j *event.Reject) []driver.Value {
	return append(r, j.Source, j.Line, j.Reason, nullStr(j.Field), nullStr(strings.ToValidUTF8(j.Raw, "\uFFFD")), j.Kept)
}
