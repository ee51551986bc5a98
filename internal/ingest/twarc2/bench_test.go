package twarc2

import (
	"bytes"
	"github.com/echotrace/echotrace/internal/sharedtest"
	"io"
	"os"
	"testing"

	"github.com/echotrace/echotrace/internal/event"
)

// BenchmarkDecode decodes the twarc-network sample (5 pages, 500 tweets in data plus their
// includes) from memory and reports tweets (posts emitted) per second.
func BenchmarkDecode(b *testing.B) {
	data, err := os.ReadFile(sharedtest.Data(b, "twitter-v2-twarc2-jsonl/twarc-network-test-data/tweets.jsonl"))
	if err != nil {
		b.Skip(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var posts int64
	var batch event.Batch
	for b.Loop() {
		dec, _ := New().Open(bytes.NewReader(data), "bench")
		for {
			err := dec.Decode(&batch)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			posts += int64(len(batch.Posts))
			batch.Reset()
		}
	}
	b.ReportMetric(float64(posts)/b.Elapsed().Seconds(), "tweets/s")
}
