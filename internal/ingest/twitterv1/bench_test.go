package twitterv1

import (
	"bytes"
	"github.com/echotrace/echotrace/internal/sharedtest"
	"io"
	"os"
	"testing"

	"github.com/echotrace/echotrace/internal/event"
)

// BenchmarkDecode decodes a v1.1 search result in extended mode (100 tweets, document mode)
// and reports tweets (posts emitted) per second.
func BenchmarkDecode(b *testing.B) {
	data, err := os.ReadFile(sharedtest.Data(b, "twitter-v1.1-api-json/rtweet-vcr-extracted/tweet_data2_0.json"))
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
