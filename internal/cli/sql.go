package cli

import (
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

func newSQLCmd(a *App) *cobra.Command {
	var asCSV bool
	var limit int
	cmd := &cobra.Command{
		Use:   "sql [--csv|--json] \"SELECT ...\"",
		Short: "Run a read-only SQL query over the study's views",
		Long: `sql runs one read-only statement against the study (opened read-only) and prints the
result. Statements that write are refused.

The table shows control characters of the data escaped, as in a Go string literal (\t, \n,
\x1b, \u202e …), so that a post's text cannot act on the terminal or break the table, and
cuts values at 60 characters; --csv and --json print every value as stored.

The stable, documented views (docs/schema.md):
  accounts(platform, id, handle, name, created_at, followers, following, verified, ...)
  posts(platform, id, author_id, created_at, kind, ref_id, ref_author_id, text,
        likes, reposts, replies, quotes, ...)        -- kind: post | repost | quote | reply
  engagements(platform, account_id, kind, post_id, post_author_id, at)
  watchlist(platform, account_id, handle, actor_type, country, outlet, ...)
  status_observations(platform, account_id, observed_at, status, raw_code)
  label_observations(platform, account_id, observed_at, label, class)
  shares(platform, account_id, object_id, content_id, at)
  post_urls(...), post_hashtags(...), rejects(source, line, reason, ...)`,
		Example: `  echotrace sql "SELECT kind, count(*) FROM posts GROUP BY kind"
  echotrace sql --csv "SELECT * FROM rejects" > rejects.csv`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if asCSV && a.JSON {
				return usageError(fmt.Errorf("choose one of --csv and --json"))
			}
			st, err := a.OpenStore(cmd.Context(), true)
			if err != nil {
				return err
			}
			defer st.Close()
			rows, err := st.Query(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			defer rows.Close()
			switch {
			case a.JSON:
				return writeRowsJSON(a, rows, limit)
			case asCSV:
				return writeRowsCSV(a.Out, rows, limit)
			default:
				return writeRowsTable(a.Out, rows, limit)
			}
		},
	}
	cmd.Flags().BoolVar(&asCSV, "csv", false, "print CSV with a header row")
	cmd.Flags().IntVar(&limit, "limit", 0, "print at most this many rows (0: all)")
	return cmd
}

// scanRows calls fn with each row's values rendered for output.
func scanRows(rows *sql.Rows, limit int, fn func(cols []string, vals []any) error) error {
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for n := 0; rows.Next(); n++ {
		if limit > 0 && n >= limit {
			break
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		if err := fn(cols, vals); err != nil {
			return err
		}
	}
	return rows.Err()
}

func render(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case []byte:
		return string(x)
	default:
		return fmt.Sprint(x)
	}
}

func jsonValue(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case []byte:
		return string(x)
	default:
		return x
	}
}

func writeRowsJSON(a *App, rows *sql.Rows, limit int) error {
	out := []map[string]any{}
	err := scanRows(rows, limit, func(cols []string, vals []any) error {
		m := make(map[string]any, len(cols))
		for i, c := range cols {
			m[c] = jsonValue(vals[i])
		}
		out = append(out, m)
		return nil
	})
	if err != nil {
		return err
	}
	return a.PrintJSON(out)
}

func writeRowsCSV(w io.Writer, rows *sql.Rows, limit int) error {
	cw := csv.NewWriter(w)
	header := false
	err := scanRows(rows, limit, func(cols []string, vals []any) error {
		if !header {
			header = true
			if err := cw.Write(cols); err != nil {
				return err
			}
		}
		rec := make([]string, len(vals))
		for i, v := range vals {
			rec[i] = render(v)
		}
		return cw.Write(rec)
	})
	if err != nil {
		return err
	}
	if !header {
		cols, _ := rows.Columns()
		_ = cw.Write(cols)
	}
	cw.Flush()
	return cw.Error()
}

func writeRowsTable(w io.Writer, rows *sql.Rows, limit int) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = termCell(c)
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	n := 0
	err = scanRows(rows, limit, func(cols []string, vals []any) error {
		n++
		rec := make([]string, len(vals))
		for i, v := range vals {
			s := termCell(render(v))
			if len([]rune(s)) > 60 {
				s = string([]rune(s)[:59]) + "…"
			}
			rec[i] = s
		}
		_, err := fmt.Fprintln(tw, strings.Join(rec, "\t"))
		return err
	})
	if err != nil {
		return err
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "(%d rows)\n", n)
	return err
}
