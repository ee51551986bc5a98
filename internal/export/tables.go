package export

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/echotrace/echotrace/internal/analysis/coord"
	"github.com/echotrace/echotrace/internal/store"
)

// kind is a column type.
type kind int

const (
	kString kind = iota
	kInt
	kFloat
	kBool
	kTime
)

// column is a typed column. Values are string, int64, float64, bool, time.Time or nil (NULL).
type column struct {
	name string
	kind kind
}

// table is a named sequence of typed rows.
type table struct {
	name string
	cols []column
	rows func(ctx context.Context, emit func([]any) error) error
}

// scan runs a query and calls fn with each row's values typed by kinds (nil for NULL).
func scan(ctx context.Context, q store.Querier, query string, fn func([]any), kinds ...kind) error {
	return scanErr(ctx, q, query, func(r []any) error { fn(r); return nil }, kinds...)
}

func scanErr(ctx context.Context, q store.Querier, query string, fn func([]any) error, kinds ...kind) error {
	rows, err := q.Query(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	ptrs := make([]any, len(kinds))
	for i, k := range kinds {
		switch k {
		case kString:
			ptrs[i] = new(sql.NullString)
		case kInt:
			ptrs[i] = new(sql.NullInt64)
		case kFloat:
			ptrs[i] = new(sql.NullFloat64)
		case kBool:
			ptrs[i] = new(sql.NullBool)
		case kTime:
			ptrs[i] = new(sql.NullTime)
		}
	}
	vals := make([]any, len(kinds))
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, p := range ptrs {
			switch p := p.(type) {
			case *sql.NullString:
				vals[i] = nilUnless(p.Valid, p.String)
			case *sql.NullInt64:
				vals[i] = nilUnless(p.Valid, p.Int64)
			case *sql.NullFloat64:
				vals[i] = nilUnless(p.Valid, p.Float64)
			case *sql.NullBool:
				vals[i] = nilUnless(p.Valid, p.Bool)
			case *sql.NullTime:
				vals[i] = nilUnless(p.Valid, p.Time.UTC())
			}
		}
		if err := fn(vals); err != nil {
			return err
		}
	}
	return rows.Err()
}

func nilUnless[T any](ok bool, v T) any {
	if !ok {
		return nil
	}
	return v
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// tables lists the row tables of a study in export order.
func (s *study) tables(q store.Querier) []table {
	ts := []table{s.postsTable(q), s.engagementsTable(q), s.accountsTable(q)}
	if s.findingsJSON != nil {
		ts = append(ts, s.findingsTable())
	}
	if s.coord != nil {
		ts = append(ts, s.edgesTable(), s.evidenceTable(), s.clustersTable())
	}
	return ts
}

func (s *study) postsTable(q store.Querier) table {
	return table{name: "posts",
		cols: []column{{"platform", kString}, {"id", kString}, {"author_id", kString}, {"created_at", kTime},
			{"kind", kString}, {"ref_id", kString}, {"ref_author_id", kString}, {"text", kString},
			{"likes", kInt}, {"reposts", kInt}, {"replies", kInt}, {"quotes", kInt}},
		rows: func(ctx context.Context, emit func([]any) error) error {
			return scanErr(ctx, q, `SELECT platform, id, author_id, created_at, kind, ref_id, ref_author_id, text,
				likes, reposts, replies, quotes FROM posts ORDER BY platform, id`, func(r []any) error {
				p, author, refAuthor := str(r[0]), str(r[2]), str(r[6])
				r[1] = s.m.PostID(p, author, str(r[1]))
				r[2] = nilOr(r[2], s.m.ID(p, author))
				r[5] = nilOr(r[5], s.m.PostID(p, refAuthor, str(r[5])))
				r[6] = nilOr(r[6], s.m.ID(p, refAuthor))
				r[7] = nilOr(r[7], s.m.Text(p, str(r[7])))
				return emit(r)
			}, kString, kString, kString, kTime, kString, kString, kString, kString, kInt, kInt, kInt, kInt)
		}}
}

// nilOr keeps NULL as NULL and otherwise returns v.
func nilOr(orig any, v string) any {
	if orig == nil {
		return nil
	}
	return v
}

func (s *study) engagementsTable(q store.Querier) table {
	return table{name: "engagements",
		cols: []column{{"platform", kString}, {"account_id", kString}, {"kind", kString}, {"post_id", kString},
			{"post_author_id", kString}, {"at", kTime}},
		rows: func(ctx context.Context, emit func([]any) error) error {
			return scanErr(ctx, q, `SELECT platform, account_id, kind, post_id, post_author_id, "at" FROM engagements
				ORDER BY platform, account_id, kind, post_id, "at"`, func(r []any) error {
				p, author := str(r[0]), str(r[4])
				r[1] = nilOr(r[1], s.m.ID(p, str(r[1])))
				r[3] = nilOr(r[3], s.m.PostID(p, author, str(r[3])))
				r[4] = nilOr(r[4], s.m.ID(p, author))
				return emit(r)
			}, kString, kString, kString, kString, kString, kTime)
		}}
}

func (s *study) accountsTable(q store.Querier) table {
	return table{name: "accounts",
		cols: []column{{"platform", kString}, {"id", kString}, {"handle", kString}, {"name", kString},
			{"created_at", kTime}, {"followers", kInt}, {"following", kInt}, {"verified", kBool},
			{"watch", kBool}, {"status", kString}, {"cluster", kInt}, {"coord_score", kFloat}},
		rows: func(ctx context.Context, emit func([]any) error) error {
			status := map[string]string{} // platform \x00 id → latest status
			err := scan(ctx, q, `SELECT platform, account_id, status FROM status_observations WHERE account_id IS NOT NULL ORDER BY observed_at, status`, func(r []any) {
				status[str(r[0])+"\x00"+str(r[1])] = str(r[2])
			}, kString, kString, kString)
			if err != nil {
				return fmt.Errorf("read statuses: %w", err)
			}
			type score struct {
				cluster int
				score   float64
			}
			scores := map[string]score{}
			if s.coord != nil {
				for _, a := range s.coord.Accounts {
					scores[a.ID] = score{a.Cluster, a.Score}
				}
			}
			out := make([]any, 12)
			return scanErr(ctx, q, `SELECT platform, id, handle, name, created_at, followers, following, verified
				FROM accounts ORDER BY platform, id`, func(r []any) error {
				p, id, handle := str(r[0]), str(r[1]), str(r[2])
				copy(out, r)
				watched := s.m.IsWatched(p, id, handle)
				if !watched && !s.m.Reveal() {
					out[1] = s.m.ID(p, id)
					out[2] = nilOr(r[2], s.m.Handle(p, id, handle))
					out[3] = nilOr(r[3], "")
				}
				out[8] = watched
				out[9] = nil
				if st, ok := status[p+"\x00"+id]; ok {
					out[9] = st
				}
				out[10], out[11] = nil, nil
				if sc, ok := scores[id]; ok && s.platform(id) == p {
					out[10], out[11] = int64(sc.cluster), sc.score
				}
				return emit(out)
			}, kString, kString, kString, kString, kTime, kInt, kInt, kBool)
		}}
}

// findingsTable flattens the findings document into (key, value, number) rows: key is the
// path of a scalar ("top_share.1", "per_account[0].gini"), value its JSON text (strings
// unquoted) and number its value when numeric.
func (s *study) findingsTable() table {
	return table{name: "findings",
		cols: []column{{"key", kString}, {"value", kString}, {"number", kFloat}},
		rows: func(ctx context.Context, emit func([]any) error) error {
			var doc any
			dec := json.NewDecoder(strings.NewReader(string(s.findingsJSON)))
			dec.UseNumber()
			if err := dec.Decode(&doc); err != nil {
				return err
			}
			return flatten("", doc, emit)
		}}
}

func flatten(path string, v any, emit func([]any) error) error {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if err := flatten(p, v[k], emit); err != nil {
				return err
			}
		}
		return nil
	case []any:
		for i, e := range v {
			if err := flatten(path+"["+strconv.Itoa(i)+"]", e, emit); err != nil {
				return err
			}
		}
		return nil
	case json.Number:
		f, err := v.Float64()
		if err != nil {
			return emit([]any{path, v.String(), nil})
		}
		return emit([]any{path, v.String(), f})
	case string:
		return emit([]any{path, v, nil})
	case bool:
		return emit([]any{path, strconv.FormatBool(v), nil})
	case nil:
		return emit([]any{path, nil, nil})
	}
	return fmt.Errorf("findings: unexpected %T at %s", v, path)
}

// pair returns the pseudonymised ends of an edge, ordered source < target as strings.
func (s *study) pair(e coord.Edge) (string, string, bool) {
	a, b := s.id(e.Source), s.id(e.Target)
	if b < a {
		return b, a, true
	}
	return a, b, false
}

func signalColumn(sg coord.Signal) string { return strings.ReplaceAll(string(sg), "-", "_") }

func signalList(m map[coord.Signal]int) string {
	var b strings.Builder
	for i, sg := range sortedSignals(m) {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(string(sg) + ":" + strconv.Itoa(m[sg]))
	}
	return b.String()
}

func (s *study) edgesTable() table {
	cols := []column{{"source", kString}, {"target", kString}, {"weight", kFloat}, {"count", kInt},
		{"score", kFloat}, {"p_value", kFloat}, {"expected", kFloat}, {"median_gap_seconds", kFloat},
		{"cluster", kInt}, {"signals", kString}}
	for _, sg := range coord.AllSignals {
		cols = append(cols, column{signalColumn(sg), kInt})
	}
	return table{name: "edges", cols: cols,
		rows: func(ctx context.Context, emit func([]any) error) error {
			for _, e := range s.coord.Edges {
				src, dst, _ := s.pair(e)
				r := []any{src, dst, e.Weight, int64(e.Count), e.Score, e.PValue, e.Expected, e.MedianGap,
					int64(e.Cluster), signalList(e.Signals)}
				for _, sg := range coord.AllSignals {
					r = append(r, int64(e.Signals[sg]))
				}
				if err := emit(r); err != nil {
					return err
				}
			}
			return nil
		}}
}

func (s *study) evidenceTable() table {
	return table{name: "evidence",
		cols: []column{{"source", kString}, {"target", kString}, {"signal", kString}, {"object", kString},
			{"source_post", kString}, {"target_post", kString}, {"source_time", kTime}, {"target_time", kTime},
			{"gap_seconds", kFloat}},
		rows: func(ctx context.Context, emit func([]any) error) error {
			for _, e := range s.coord.Edges {
				src, dst, swapped := s.pair(e)
				for _, ev := range e.Evidence {
					sp := s.m.PostID(s.platform(e.Source), e.Source, ev.SourcePost)
					tp := s.m.PostID(s.platform(e.Target), e.Target, ev.TargetPost)
					st, tt := timeOrNil(ev.SourceTime), timeOrNil(ev.TargetTime)
					if swapped {
						sp, tp, st, tt = tp, sp, tt, st
					}
					obj := ev.Object
					if ev.Signal == coord.CoText {
						obj = s.m.Text(s.platform(e.Source), obj)
					}
					if err := emit([]any{src, dst, string(ev.Signal), obj, sp, tp, st, tt, ev.GapSeconds}); err != nil {
						return err
					}
				}
			}
			return nil
		}}
}

func timeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

func timePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return timeOrNil(*t)
}

func (s *study) clustersTable() table {
	return table{name: "clusters",
		cols: []column{{"id", kInt}, {"size", kInt}, {"edges", kInt}, {"density", kFloat}, {"score", kFloat},
			{"p_value", kFloat}, {"observed", kFloat}, {"expected", kFloat}, {"median_gap_seconds", kFloat},
			{"created_first", kTime}, {"created_last", kTime}, {"created_spread_days", kFloat},
			{"created_same_day_share", kFloat}, {"suspended", kInt}, {"deleted", kInt},
			{"suspended_share", kFloat}, {"deleted_share", kFloat}, {"followers_median", kFloat},
			{"followers_mean", kFloat}, {"organic_engagement", kInt}, {"signals", kString},
			{"targets", kString}, {"members", kString}},
		rows: func(ctx context.Context, emit func([]any) error) error {
			for _, c := range s.coord.Clusters {
				members := make([]string, len(c.Members))
				for i, m := range c.Members {
					members[i] = s.id(m)
				}
				sort.Strings(members)
				targets := make([]string, len(c.Targets))
				for i, t := range c.Targets {
					targets[i] = t.Object + ":" + strconv.Itoa(t.CoActions)
				}
				r := []any{int64(c.ID), int64(c.Size), int64(c.Edges), c.Density, c.Score, c.PValue, c.Observed,
					c.Expected, c.MedianGap, timePtr(c.CreatedFirst), timePtr(c.CreatedLast), c.CreatedSpreadDays,
					c.CreatedSameDayShare, int64(c.Suspended), int64(c.Deleted), c.SuspendedShare, c.DeletedShare,
					c.FollowersMedian, c.FollowersMean, int64(c.OrganicEngagement), signalList(c.Signals),
					strings.Join(targets, ";"), strings.Join(members, ";")}
				if err := emit(r); err != nil {
					return err
				}
			}
			return nil
		}}
}
