package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/echotrace/echotrace/internal/event"
)

// pairMerge enables step 3 of mergeKind; tests turn it off to check that step 4 alone gives
// the same result.
var pairMerge = true

// mergeKind merges the staging table stage of kind k into its core table, inside the caller's
// transaction, and returns how many new keys it stored. The steps, all set-based:
//
//  1. keys: every distinct key of the import with n, its number of records, and whether the
//     core table already holds it (one join).
//  2. New keys seen once are inserted as they are.
//  3. Stored keys seen once: the stored row and the staged record are merged column by column
//     (a join, no sort).
//  4. Keys seen more than once: the stored row (if any) and every staged record are ranked by
//     k.rankBy, then the later import, then the later record, and aggregated per key.
//
// Merging gives each data column the value of its rule over the ranked observations (best: the
// highest-ranked non-NULL value; first: the highest-ranked value; least/greatest: the min/max
// non-NULL value). Stored rows whose merged values differ are updated (provenance keeps where
// the key was first stored); new keys are inserted. Steps 3 and 4 apply the same ranking.
//
// Before step 2, for kinds with identity columns, records whose identity conflicts with the
// one kept for their key are moved from the staging table to core.conflicts
// (identityConflicts); mergeKind returns how many.
func mergeKind(ctx context.Context, conn *sql.Conn, k *kind, stage string, importID int64) (stored, conflicts int64, err error) {
	keysT := stage + "_keys"
	pairT := stage + "_pairs"
	mergedT := stage + "_merged"
	defer func() {
		for _, t := range []string{keysT, pairT, mergedT} {
			_, _ = conn.ExecContext(context.Background(), `DROP TABLE IF EXISTS temp.main.`+t)
		}
	}()
	exec := func(q string) error {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%w\n%s", err, q)
		}
		return nil
	}
	keyNames := names(k.keys)
	keyList := strings.Join(keyNames, ", ")
	colNames := names(k.columns())
	colList := strings.Join(colNames, ", ")

	// 1. Distinct keys, their multiplicity, and whether they are already stored; for kinds
	// with identity columns, whether the key is suspect of an identity conflict: two different
	// non-NULL values of an identity column among its staged records (their min and max
	// differ) or between them and the stored row.
	var pairs, multi, suspects int64
	suspect, spread := "false", ""
	for _, name := range k.identity {
		c, lo, hi := quote(name), quote(name+"_lo"), quote(name+"_hi")
		spread += fmt.Sprintf(", min(%s) AS %s, max(%s) AS %s", c, lo, c, hi)
		suspect += fmt.Sprintf(" OR s.%[1]s <> s.%[2]s OR t.%[3]s <> s.%[1]s OR t.%[3]s <> s.%[2]s", lo, hi, c)
	}
	keys := func() error {
		err := exec(fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE %s AS
SELECT %s, s.n, t.import_id IS NOT NULL AS existed, coalesce(%s, false) AS suspect
FROM (SELECT %s, count(*) AS n%s FROM %s GROUP BY %s) s
LEFT JOIN core.%s t ON %s`,
			keysT, prefixed("s", keyNames), suspect, keyList, spread, stage, keyList, k.table, match("t", "s", keyNames)))
		if err != nil {
			return err
		}
		q := fmt.Sprintf(`SELECT count(*) FILTER (WHERE NOT existed), count(*) FILTER (WHERE existed AND n = 1),
		count(*) FILTER (WHERE n > 1), count(*) FILTER (WHERE suspect) FROM %s`, keysT)
		if err := conn.QueryRowContext(ctx, q).Scan(&stored, &pairs, &multi, &suspects); err != nil {
			return fmt.Errorf("%w\n%s", err, q)
		}
		return nil
	}
	if err := keys(); err != nil {
		return 0, 0, err
	}
	if suspects > 0 {
		if conflicts, err = identityConflicts(ctx, conn, k, stage, keysT, importID); err != nil {
			return 0, 0, err
		}
		if conflicts > 0 {
			if err := keys(); err != nil {
				return 0, 0, err
			}
		}
	}

	// 2. New keys seen once: straight in.
	err = exec(fmt.Sprintf(`INSERT INTO core.%s (%s, import_id)
SELECT %s, %d FROM %s s SEMI JOIN (SELECT %s FROM %s WHERE n = 1 AND NOT existed) k ON %s`,
		k.table, colList, prefixed("s", colNames), importID, stage, keyList, keysT, match("s", "k", keyNames)))
	if err != nil {
		return 0, 0, err
	}

	// 3. Stored keys seen once: merge the two rows.
	if pairs > 0 && len(k.data) > 0 && pairMerge {
		win := k.stagedWins(importID)
		var exprs []string
		for _, c := range k.data {
			exprs = append(exprs, pairExpr(quote(c.name), c.rule, win))
		}
		err := exec(fmt.Sprintf(`CREATE TEMP TABLE %s AS
SELECT %s, %s, true AS existed
FROM core.%s t JOIN %s s ON %s SEMI JOIN (SELECT %s FROM %s WHERE n = 1 AND existed) k ON %s`,
			pairT, prefixed("t", keyNames), strings.Join(exprs, ", "), k.table, stage, match("t", "s", keyNames),
			keyList, keysT, match("s", "k", keyNames)))
		if err != nil {
			return 0, 0, err
		}
		if err := exec(k.updateFrom(pairT)); err != nil {
			return 0, 0, err
		}
	}
	if multi == 0 && (pairs == 0 || pairMerge) {
		return stored, conflicts, nil
	}

	// 4. Keys seen more than once: rank every observation and aggregate.
	var aggs []string
	for _, c := range k.data {
		aggs = append(aggs, aggregate(quote(c.name), c.rule))
	}
	prov := []string{quote("import_id")}
	if k.prov {
		prov = append(prov, quote("source"), quote("line"))
	}
	for _, p := range prov {
		// Provenance is where the key was first stored: the stored row (seq -1), else the
		// first staged record.
		aggs = append(aggs, fmt.Sprintf("arg_min(%s, seq) AS %s", p, p))
	}
	order := "import_id DESC, seq DESC"
	if k.rankBy != "" {
		dir := "ASC"
		if k.rankDesc {
			dir = "DESC"
		}
		order = fmt.Sprintf("%s %s NULLS LAST, %s", quote(k.rankBy), dir, order)
	}
	dataAndProv := append(names(k.data), prov[1:]...)
	err = exec(fmt.Sprintf(`CREATE TEMP TABLE %[1]s AS
WITH multi AS (SELECT %[5]s, existed FROM %[6]s WHERE n > 1 OR (existed AND NOT %[15]t)),
cand AS (
	SELECT %[2]s, %[3]s import_id, -1 AS seq
	FROM core.%[4]s t SEMI JOIN (SELECT %[5]s FROM multi WHERE existed) k ON %[7]s
	UNION ALL
	SELECT %[8]s, %[9]s %[10]d AS import_id, s.seq
	FROM %[11]s s SEMI JOIN multi k ON %[12]s
), ranked AS (
	SELECT *, row_number() OVER (PARTITION BY %[5]s ORDER BY %[13]s) AS rnk FROM cand
)
SELECT %[5]s, %[14]s, bool_or(seq = -1) AS existed FROM ranked GROUP BY ALL`,
		mergedT, prefixed("t", keyNames), trailingComma(prefixed("t", dataAndProv)), k.table, keyList, keysT,
		match("t", "k", keyNames), prefixed("s", keyNames), trailingComma(prefixed("s", dataAndProv)),
		importID, stage, match("s", "k", keyNames), order, strings.Join(aggs, ", "), pairMerge))
	if err != nil {
		return 0, 0, err
	}
	if len(k.data) > 0 {
		if err := exec(k.updateFrom(mergedT)); err != nil {
			return 0, 0, err
		}
	}
	return stored, conflicts, exec(fmt.Sprintf(`INSERT INTO core.%s (%s, import_id) SELECT %s, import_id FROM %s WHERE NOT existed`,
		k.table, colList, colList, mergedT))
}

// identityConflicts moves the staged records of kind k whose identity conflicts with the one
// kept for their key into core.conflicts, and returns how many it moved.
//
// The rule, first seen wins: the observations of a key are taken in the order they were seen
// — the stored row (from earlier imports) first, then the staged records in the order they
// were read. The kept identity starts as the first one's identity columns; each later record
// whose non-NULL identity values all agree with the kept non-NULL ones fills the kept empty
// ones (a stub known only by id gets its author) and is merged as usual; a record with another
// non-NULL value in any identity column is a conflict: one row per differing field goes to
// core.conflicts (with the kept value and where it was seen), and the record is removed from
// the staging table, so that none of its fields is merged (they describe another object).
// A post is thus never re-attributed, and provenance keeps the source of the kept record.
//
// Step 1 of mergeKind marks the few keys with two different values in some identity column
// (keysT.suspect); only their observations are read into Go.
func identityConflicts(ctx context.Context, conn *sql.Conn, k *kind, stage, keysT string, importID int64) (int64, error) {
	rmT := stage + "_removed"
	defer func() { _, _ = conn.ExecContext(context.Background(), `DROP TABLE IF EXISTS temp.main.`+rmT) }()
	keyNames := names(k.keys)
	keyList := strings.Join(keyNames, ", ")
	ident := make([]string, len(k.identity))
	for i, c := range k.identity {
		ident[i] = quote(c)
	}
	// The observations of the keys in relation keys (key columns and existed): their stored
	// rows (seq -1) and their staged records.
	cand := func(keys string) string {
		return fmt.Sprintf(`SELECT %[1]s, %[2]s, t.source, t.line, t.import_id, -1 AS seq
FROM core.%[3]s t SEMI JOIN (SELECT %[4]s FROM %[5]s WHERE existed) k ON %[6]s
UNION ALL
SELECT %[7]s, %[8]s, s.source, s.line, %[9]d AS import_id, s.seq
FROM %[10]s s SEMI JOIN %[5]s k ON %[11]s`,
			prefixed("t", keyNames), prefixed("t", ident), k.table, keyList, keys, match("t", "k", keyNames),
			prefixed("s", keyNames), prefixed("s", ident), importID, stage, match("s", "k", keyNames))
	}
	q := fmt.Sprintf(`SELECT * FROM (%s) ORDER BY %s, seq`,
		cand(fmt.Sprintf("(SELECT %s, existed FROM %s WHERE suspect)", keyList, keysT)), keyList)
	rows, err := conn.QueryContext(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("%w\n%s", err, q)
	}
	type seen struct {
		src  sql.NullString
		line sql.NullInt64
		imp  int64
	}
	var (
		found   []conflictRow
		removed []int64
		prev    []sql.NullString
		kept    []sql.NullString
		from    []seen
		nk, ni  = len(keyNames), len(ident)
	)
	for rows.Next() {
		key, val := make([]sql.NullString, nk), make([]sql.NullString, ni)
		var o seen
		var seq int64
		dest := make([]any, 0, nk+ni+4)
		for i := range key {
			dest = append(dest, &key[i])
		}
		for i := range val {
			dest = append(dest, &val[i])
		}
		dest = append(dest, &o.src, &o.line, &o.imp, &seq)
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return 0, err
		}
		if !slices.Equal(key, prev) { // the key's first observation: its identity is kept
			prev, kept, from = key, val, make([]seen, ni)
			for i := range from {
				from[i] = o
			}
			continue
		}
		var differ []int
		for i := range val {
			if val[i].Valid && kept[i].Valid && val[i].String != kept[i].String && !k.unreferenced(i, val, kept) {
				differ = append(differ, i)
			}
		}
		if len(differ) == 0 {
			for i := range val {
				if val[i].Valid && (!kept[i].Valid || k.unreferenced(i, kept, nil)) {
					kept[i], from[i] = val[i], o // fills (or refines a kind without reference)
				}
			}
			continue
		}
		removed = append(removed, seq)
		for _, i := range differ {
			r := conflictRow{record: k.record, platform: key[0].String, field: k.identity[i], kept: kept[i].String,
				keptSource: from[i].src, keptLine: from[i].line, keptImport: from[i].imp, value: val[i].String,
				source: o.src, line: o.line, importID: importID}
			for j, name := range k.conflictKey {
				if c := slices.IndexFunc(k.keys, func(c column) bool { return c.name == name }); name != "" && c >= 0 {
					r.key[j] = key[c]
				}
			}
			found = append(found, r)
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return 0, err
	}
	if len(removed) == 0 {
		return 0, nil
	}
	if err := insertConflicts(ctx, conn, found); err != nil {
		return 0, err
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`CREATE TEMP TABLE %s (seq BIGINT NOT NULL)`, rmT)); err != nil {
		return 0, err
	}
	for len(removed) > 0 {
		chunk := removed[:min(len(removed), 1000)]
		removed = removed[len(chunk):]
		args := make([]any, len(chunk))
		for i, s := range chunk {
			args[i] = s
		}
		if _, err := conn.ExecContext(ctx, fmt.Sprintf(`INSERT INTO %s VALUES (?)%s`, rmT, strings.Repeat(", (?)", len(chunk)-1)), args...); err != nil {
			return 0, err
		}
	}
	res, err := conn.ExecContext(ctx, fmt.Sprintf(`DELETE FROM %s WHERE seq IN (SELECT seq FROM %s)`, stage, rmT))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// unreferenced reports whether identity column i is a post's kind that one of the
// observations a or b (b may be nil) gives as "post" without a referenced post: an
// observation that did not see the reference — the copy of a quote tweet embedded in the
// tweet quoting it, whose own quote Twitter does not nest, reads as a plain post — and so
// does not conflict with a repost, quote or reply.
func (k *kind) unreferenced(i int, a, b []sql.NullString) bool {
	if k.identity[i] != "kind" {
		return false
	}
	ref := slices.Index(k.identity, "ref_id")
	plain := func(o []sql.NullString) bool {
		return o != nil && o[i].String == string(event.KindPost) && (ref < 0 || !o[ref].Valid)
	}
	return plain(a) || plain(b)
}

// conflictRow is one row of core.conflicts.
type conflictRow struct {
	record, platform string
	key              [3]sql.NullString // id, account_id, action
	field, kept      string
	keptSource       sql.NullString
	keptLine         sql.NullInt64
	keptImport       int64
	value            string
	source           sql.NullString
	line             sql.NullInt64
	importID         int64
}

// insertConflicts appends rows to core.conflicts, a few hundred per statement.
func insertConflicts(ctx context.Context, conn *sql.Conn, rows []conflictRow) error {
	const cols = 14
	for len(rows) > 0 {
		chunk := rows[:min(len(rows), 500)]
		rows = rows[len(chunk):]
		args := make([]any, 0, cols*len(chunk))
		for _, r := range chunk {
			args = append(args, r.record, r.platform, r.key[0], r.key[1], r.key[2], r.field, r.kept,
				r.keptSource, r.keptLine, r.keptImport, r.value, r.source, r.line, r.importID)
		}
		one := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
		q := `INSERT INTO core.conflicts (record, platform, id, account_id, action, field, kept, kept_source,
	kept_line, kept_import_id, value, source, line, import_id) VALUES ` + one + strings.Repeat(", "+one, len(chunk)-1)
		if _, err := conn.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("record identity conflicts: %w", err)
		}
	}
	return nil
}

// updateFrom updates the stored rows of merged (keys, data, existed) whose values differ.
func (k *kind) updateFrom(merged string) string {
	var set, differ []string
	for _, c := range k.data {
		n := quote(c.name)
		set = append(set, fmt.Sprintf("%s = m.%s", n, n))
		differ = append(differ, fmt.Sprintf("t.%s IS DISTINCT FROM m.%s", n, n))
	}
	return fmt.Sprintf(`UPDATE core.%s t SET %s FROM %s m WHERE m.existed AND %s AND (%s)`,
		k.table, strings.Join(set, ", "), merged, match("t", "m", names(k.keys)), strings.Join(differ, " OR "))
}

// stagedWins is the condition under which the staged record s ranks above the stored row t,
// as in step 4's ORDER BY: t wins only if its rankBy value is better (NULLs last), or equal
// and t comes from a later import.
func (k *kind) stagedWins(importID int64) string {
	later := fmt.Sprintf("t.import_id > %d", importID)
	if k.rankBy == "" {
		return "NOT (" + later + ")"
	}
	x, cmp := quote(k.rankBy), "<"
	if k.rankDesc {
		cmp = ">"
	}
	return fmt.Sprintf("NOT ((t.%[1]s IS NOT NULL AND (s.%[1]s IS NULL OR t.%[1]s %[2]s s.%[1]s)) OR (t.%[1]s IS NOT DISTINCT FROM s.%[1]s AND %[3]s))",
		x, cmp, later)
}

// pairExpr merges column c of the stored row t and the staged record s by rule r; win says
// whether s ranks first.
func pairExpr(c string, r rule, win string) string {
	switch r {
	case first:
		return fmt.Sprintf("CASE WHEN %s THEN s.%s ELSE t.%s END AS %s", win, c, c, c)
	case least, greatest:
		op := "<"
		if r == greatest {
			op = ">"
		}
		return fmt.Sprintf("CASE WHEN s.%[1]s IS NULL THEN t.%[1]s WHEN t.%[1]s IS NULL THEN s.%[1]s WHEN s.%[1]s %[2]s t.%[1]s THEN s.%[1]s ELSE t.%[1]s END AS %[1]s", c, op)
	default:
		return fmt.Sprintf("CASE WHEN %[1]s THEN coalesce(s.%[2]s, t.%[2]s) ELSE coalesce(t.%[2]s, s.%[2]s) END AS %[2]s", win, c)
	}
}

// aggregate is the merge expression of a data column over the ranked observations.
func aggregate(c string, r rule) string {
	switch r {
	case first:
		return fmt.Sprintf("arg_min(%s, rnk) AS %s", c, c)
	case least:
		return fmt.Sprintf("min(%s) AS %s", c, c)
	case greatest:
		return fmt.Sprintf("max(%s) AS %s", c, c)
	default:
		return fmt.Sprintf("arg_min(%s, rnk) FILTER (WHERE %s IS NOT NULL) AS %s", c, c, c)
	}
}

// names lists the columns' quoted names.
func names(cols []column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = quote(c.name)
	}
	return out
}

// quote quotes an identifier (some column names, like "at", are SQL keywords).
func quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// prefixed renders "p.a, p.b".
func prefixed(p string, cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = p + "." + c
	}
	return strings.Join(out, ", ")
}

func trailingComma(s string) string {
	if s == "" {
		return ""
	}
	return s + ","
}

// match renders the NULL-safe equality of two relations' keys.
func match(a, b string, keys []string) string {
	out := make([]string, len(keys))
	for i, c := range keys {
		out[i] = fmt.Sprintf("%s.%s IS NOT DISTINCT FROM %s.%s", a, c, b, c)
	}
	return strings.Join(out, " AND ")
}
