package duckdb

import (
	"context"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/store"
)

// benchPosts is how many posts BenchmarkAppendPosts imports per iteration;
// ECHOTRACE_BENCH_POSTS overrides it (e.g. 100000 while iterating).
func benchPosts(b *testing.B) int {
	if s := os.Getenv("ECHOTRACE_BENCH_POSTS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("ECHOTRACE_BENCH_POSTS=%q: want a positive integer", s)
		}
		return n
	}
	return 1_000_000
}

// cpuTime is the CPU time (user + system, all threads) the process has used so far: on a
// shared machine it measures the work better than wall time does.
func cpuTime() time.Duration {
	var r syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &r); err != nil {
		return 0
	}
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}

// fillPosts refills batch with posts [from, from+n): one in four a repost of an earlier
// post, each with one URL and two hashtags, counts observed at a fixed time.
func fillPosts(batch *event.Batch, from, n int) {
	batch.Reset()
	t0 := time.Date(2020, 6, 9, 0, 0, 0, 0, time.UTC)
	urls := [][]string{{"https://example.com/a"}, {"https://news.example.org/b"}, {"https://t.co/c"}}
	tags := [][]string{{"china", "news"}, {"covid", "who"}, {"hk", "china"}}
	for i := from; i < from+n; i++ {
		p := event.Post{
			Platform: event.X, ID: strconv.Itoa(i), AuthorID: "u" + strconv.Itoa(i%50_000),
			CreatedAt: t0.Add(time.Duration(i) * time.Second), Kind: event.KindPost,
			Text: "post number " + strconv.Itoa(i) + " about things", Lang: "en",
			URLs: urls[i%3], Hashtags: tags[i%3], Client: "Twitter Web App",
			Likes: int64(i % 100), Reposts: int64(i % 7), Replies: int64(i % 3), Quotes: 0,
			Views: event.Unknown, CountsAt: t0.Add(1000 * time.Hour),
			Prov: event.Provenance{Source: "bench.jsonl", Line: int64(i + 1)},
		}
		if i%4 == 3 {
			p.Kind, p.RefID, p.RefAuthorID = event.KindRepost, strconv.Itoa(i/2), "u"+strconv.Itoa((i/2)%50_000)
		}
		batch.Posts = append(batch.Posts, p)
	}
}

// BenchmarkAppendPosts imports 1 M posts (with URLs and hashtags) into a fresh study in
// batches of 50 000 and commits; it reports posts/s over append + commit.
func BenchmarkAppendPosts(b *testing.B) {
	n := benchPosts(b)
	const batchSize = 50_000
	ctx := context.Background()
	var batch event.Batch
	var total, cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		db, err := Open(ctx, b.TempDir(), Options{Create: true})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start, cpu0 := time.Now(), cpuTime()
		app, err := db.Appender(ctx, store.ImportRun{Source: "bench.jsonl", Format: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		for from := 0; from < n; from += batchSize {
			fillPosts(&batch, from, min(batchSize, n-from))
			if err := app.Append(ctx, &batch); err != nil {
				b.Fatal(err)
			}
		}
		sum, err := app.Commit(ctx)
		if err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		cpu += cpuTime() - cpu0
		b.StopTimer()
		if sum.Stored.Posts != int64(n) {
			b.Fatalf("stored %d posts, want %d", sum.Stored.Posts, n)
		}
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n)*float64(b.N)/total.Seconds(), "posts/s")
	b.ReportMetric(float64(n)*float64(b.N)/cpu.Seconds(), "posts/cpu-s")
}

// BenchmarkReimportPosts imports 1 M posts, then measures re-importing the first half with
// newer counts (every re-imported post is updated) and checks that no row is lost: the
// regression check for the LIST-update data loss (see list in schema.go).
func BenchmarkReimportPosts(b *testing.B) {
	n := benchPosts(b)
	const batchSize = 50_000
	ctx := context.Background()
	var batch event.Batch
	var total, cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		db, err := Open(ctx, b.TempDir(), Options{Create: true})
		if err != nil {
			b.Fatal(err)
		}
		load := func(m int, newer bool) store.ImportSummary {
			app, err := db.Appender(ctx, store.ImportRun{Source: "bench.jsonl", Format: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			for from := 0; from < m; from += batchSize {
				fillPosts(&batch, from, min(batchSize, m-from))
				if newer {
					for i := range batch.Posts {
						batch.Posts[i].Likes++
						batch.Posts[i].CountsAt = batch.Posts[i].CountsAt.Add(time.Hour)
					}
				}
				if err := app.Append(ctx, &batch); err != nil {
					b.Fatal(err)
				}
			}
			sum, err := app.Commit(ctx)
			if err != nil {
				b.Fatal(err)
			}
			return sum
		}
		load(n, false)
		b.StartTimer()
		start, cpu0 := time.Now(), cpuTime()
		sum := load(n/2, true)
		total += time.Since(start)
		cpu += cpuTime() - cpu0
		b.StopTimer()
		if sum.Stored.Posts != 0 || sum.Duplicates.Posts != int64(n/2) {
			b.Fatalf("re-import stored %d, duplicates %d; want 0 and %d", sum.Stored.Posts, sum.Duplicates.Posts, n/2)
		}
		var rows, likes int64
		if err := db.DB().QueryRow(`SELECT count(*), sum(likes) FROM core.posts`).Scan(&rows, &likes); err != nil {
			b.Fatal(err)
		}
		// fillPosts gives post i likes i % 100; the re-import adds 1 to the first half.
		var want int64
		for i := range n {
			want += int64(i % 100)
		}
		want += int64(n / 2)
		if rows != int64(n) || likes != want {
			b.Fatalf("after re-import: %d rows with %d likes, want %d rows with %d likes", rows, likes, n, want)
		}
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n/2)*float64(b.N)/total.Seconds(), "posts/s")
	b.ReportMetric(float64(n/2)*float64(b.N)/cpu.Seconds(), "posts/cpu-s")
}
