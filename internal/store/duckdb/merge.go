package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
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
func mergeKind(ctx context.Context, conn *sql.Conn, k *kind, stage string, importID int64) (int64, error) {
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

	// 1. Distinct keys, their multiplicity, and whether they are already stored.
	err := exec(fmt.Sprintf(`CREATE TEMP TABLE %s AS
SELECT %s, s.n, t.import_id IS NOT NULL AS existed
FROM (SELECT %s, count(*) AS n FROM %s GROUP BY ALL) s
LEFT JOIN core.%s t ON %s`,
		keysT, prefixed("s", keyNames), keyList, stage, k.table, match("t", "s", keyNames)))
	if err != nil {
		return 0, err
	}
	var stored, pairs, multi int64
	q := fmt.Sprintf(`SELECT count(*) FILTER (WHERE NOT existed), count(*) FILTER (WHERE existed AND n = 1),
		count(*) FILTER (WHERE n > 1) FROM %s`, keysT)
	if err := conn.QueryRowContext(ctx, q).Scan(&stored, &pairs, &multi); err != nil {
		return 0, fmt.Errorf("%w\n%s", err, q)
	}

	// 2. New keys seen once: straight in.
	err = exec(fmt.Sprintf(`INSERT INTO core.%s (%s, import_id)
SELECT %s, %d FROM %s s SEMI JOIN (SELECT %s FROM %s WHERE n = 1 AND NOT existed) k ON %s`,
		k.table, colList, prefixed("s", colNames), importID, stage, keyList, keysT, match("s", "k", keyNames)))
	if err != nil {
		return 0, err
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
			return 0, err
		}
		if err := exec(k.updateFrom(pairT)); err != nil {
			return 0, err
		}
	}
	if multi == 0 && (pairs == 0 || pairMerge) {
		return stored, nil
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
		return 0, err
	}
	if len(k.data) > 0 {
		if err := exec(k.updateFrom(mergedT)); err != nil {
			return 0, err
		}
	}
	return stored, exec(fmt.Sprintf(`INSERT INTO core.%s (%s, import_id) SELECT %s, import_id FROM %s WHERE NOT existed`,
		k.table, colList, colList, mergedT))
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
