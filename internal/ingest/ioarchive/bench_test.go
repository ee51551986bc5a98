package ioarchive

import (
	"bytes"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/event"
)

// generate writes n tweet rows built from the fixture's rows, with fresh tweet ids and
// authors drawn from users distinct user ids, so that the benchmark sees realistic field
// lengths, kinds and list columns.
func generate(tb testing.TB, n, users int) []byte {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", "tweets.csv"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	hdr, rows := recs[0], recs[1:]
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(hdr)
	for i := 0; i < n; i++ {
		r := append([]string(nil), rows[i%len(rows)]...)
		r[cTweetID] = strconv.FormatInt(783947400600000000+int64(i), 10)
		uid := "u" + strconv.Itoa(i%users)
		r[cUserID], r[cDisplayName], r[cScreenName] = uid, uid, uid
		_ = w.Write(r)
	}
	w.Flush()
	return buf.Bytes()
}

// BenchmarkDecode measures tweets-file decoding on 100,000 generated rows (DESIGN §6 budget:
// ≥ 300 k rows/s). Run: go test -run x -bench Decode -benchtime 5x ./internal/ingest/ioarchive/
func BenchmarkDecode(b *testing.B) {
	const rows = 100_000
	data := generate(b, rows, 5_000)
	c := New()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		dec, err := c.Open(bytes.NewReader(data), "bench.csv")
		if err != nil {
			b.Fatal(err)
		}
		var batch event.Batch
		posts := 0
		for {
			err := dec.Decode(&batch)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if len(batch.Posts) >= 50_000 {
				posts += len(batch.Posts)
				batch.Reset()
			}
		}
		posts += len(batch.Posts)
		if posts != rows || len(batch.Rejects) != 0 {
			b.Fatalf("%d posts, %d rejects; want %d, 0", posts, len(batch.Rejects), rows)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/time.Since(start).Seconds(), "rows/s")
}
