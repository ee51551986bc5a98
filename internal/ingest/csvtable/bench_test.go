package csvtable

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/echotrace/echotrace/internal/event"
)

// BenchmarkNext reads 100,000 rows of 12 columns, a quarter of them with a quoted text that
// holds commas, quotes and a line break (the IO-archive budget of DESIGN §6 is 300 k rows/s end
// to end; this is the reader's share). Run: go test -run x -bench Next ./internal/ingest/csvtable/
func BenchmarkNext(b *testing.B) {
	const rows = 100_000
	var in bytes.Buffer
	in.WriteString("tweetid,userid,name,handle,location,bio,followers,following,created,lang,text,time\n")
	for i := range rows {
		text := "RT @someone: a plain tweet text of about eighty bytes and with no quotes in it at all"
		if i%4 == 0 {
			text = `"she said ""no"", twice,` + "\n" + `and then left https://t.co/abcdefghij"`
		}
		fmt.Fprintf(&in, "%d,u%d,Name %d,handle%d,Somewhere,a short bio of the account,%d,%d,2016-01-02,en,%s,2016-10-06 12:%02d\n",
			783947400600000000+i, i%5000, i, i, i%1000, i%300, text, i%60)
	}
	data := in.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := Open(bytes.NewReader(data), "bench.csv")
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		var batch event.Batch
		for {
			ok, err := r.Next(&batch)
			if err == io.EOF {
				break
			}
			if err != nil || !ok {
				b.Fatal(err, batch.Rejects)
			}
			if strings.HasPrefix(r.Field(10), "she") {
				n++
			}
		}
		if n != rows/4 {
			b.Fatalf("%d quoted texts, want %d", n, rows/4)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
