package export

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/parquet-go/parquet-go"
)

// writeTable writes t in format (csv, json or parquet) and returns its row count.
func writeTable(ctx context.Context, w io.Writer, format string, t table) (int64, error) {
	switch format {
	case "csv":
		return writeCSV(ctx, w, t)
	case "json":
		return writeJSONL(ctx, w, t)
	case "parquet":
		return writeParquet(ctx, w, t)
	}
	return 0, fmt.Errorf("%w: %q", ErrFormat, format)
}

// cell renders a value for CSV: NULL is empty, times are RFC 3339 UTC, floats shortest.
func cell(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return formatFloat(v)
	case bool:
		return strconv.FormatBool(v)
	case time.Time:
		return v.UTC().Format(time.RFC3339)
	}
	return fmt.Sprint(v)
}

func formatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func writeCSV(ctx context.Context, w io.Writer, t table) (int64, error) {
	cw := csv.NewWriter(w)
	head := make([]string, len(t.cols))
	for i, c := range t.cols {
		head[i] = c.name
	}
	if err := cw.Write(head); err != nil {
		return 0, err
	}
	var n int64
	rec := make([]string, len(t.cols))
	err := t.rows(ctx, func(r []any) error {
		for i, v := range r {
			rec[i] = cell(v)
		}
		n++
		return cw.Write(rec)
	})
	if err != nil {
		return n, err
	}
	cw.Flush()
	return n, cw.Error()
}

// writeJSONL writes one JSON object per line with the columns in order; NULL is null, times
// are RFC 3339 strings and non-finite floats null.
func writeJSONL(ctx context.Context, w io.Writer, t table) (int64, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	keys := make([][]byte, len(t.cols))
	for i, c := range t.cols {
		k, _ := json.Marshal(c.name)
		keys[i] = k
	}
	var n int64
	err := t.rows(ctx, func(r []any) error {
		bw.WriteByte('{')
		for i, v := range r {
			if i > 0 {
				bw.WriteByte(',')
			}
			bw.Write(keys[i])
			bw.WriteByte(':')
			switch x := v.(type) {
			case time.Time:
				v = x.UTC().Format(time.RFC3339)
			case float64:
				if math.IsNaN(x) || math.IsInf(x, 0) {
					v = nil
				}
			}
			b, err := json.Marshal(v)
			if err != nil {
				return err
			}
			bw.Write(b)
		}
		bw.WriteString("}\n")
		n++
		return nil
	})
	if err != nil {
		return n, err
	}
	return n, bw.Flush()
}

// parquetSchema builds t's schema: every column optional, times as TIMESTAMP(MILLIS) adjusted
// to UTC, integers INT64, floats DOUBLE, strings UTF-8. Parquet orders a group's fields by
// name, so columnIndex maps t's columns to the schema's leaves.
func parquetSchema(t table) (*parquet.Schema, []int) {
	g := parquet.Group{}
	for _, c := range t.cols {
		var n parquet.Node
		switch c.kind {
		case kString:
			n = parquet.String()
		case kInt:
			n = parquet.Int(64)
		case kFloat:
			n = parquet.Leaf(parquet.DoubleType)
		case kBool:
			n = parquet.Leaf(parquet.BooleanType)
		case kTime:
			n = parquet.TimestampAdjusted(parquet.Millisecond, true)
		}
		g[c.name] = parquet.Optional(n)
	}
	schema := parquet.NewSchema(t.name, g)
	index := map[string]int{}
	for i, path := range schema.Columns() {
		index[path[0]] = i
	}
	idx := make([]int, len(t.cols))
	for i, c := range t.cols {
		idx[i] = index[c.name]
	}
	return schema, idx
}

func writeParquet(ctx context.Context, w io.Writer, t table) (int64, error) {
	schema, idx := parquetSchema(t)
	pw := parquet.NewWriter(w, schema, parquet.Compression(&parquet.Zstd))
	var n int64
	batch := make([]parquet.Row, 0, 1024)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, err := pw.WriteRows(batch)
		batch = batch[:0]
		return err
	}
	err := t.rows(ctx, func(r []any) error {
		row := make(parquet.Row, len(r))
		for i, v := range r {
			col := idx[i]
			var pv parquet.Value
			switch x := v.(type) {
			case nil:
				row[col] = parquet.NullValue().Level(0, 0, col)
				continue
			case string:
				pv = parquet.ByteArrayValue([]byte(x))
			case int64:
				pv = parquet.Int64Value(x)
			case float64:
				pv = parquet.DoubleValue(x)
			case bool:
				pv = parquet.BooleanValue(x)
			case time.Time:
				pv = parquet.Int64Value(x.UnixMilli())
			default:
				return fmt.Errorf("column %s: unexpected %T", t.cols[i].name, v)
			}
			row[col] = pv.Level(0, 1, col)
		}
		batch = append(batch, row)
		n++
		if len(batch) == cap(batch) {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if cerr := pw.Close(); err == nil {
		err = cerr
	}
	return n, err
}
