package amplify

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/event"
)

// syntheticInput builds an Input the size of the reference study at scale 1: 365 watch
// accounts, 201,382 target posts, 1.3 M reposts and 1 M replies from 300,000 Zipf-distributed
// amplifiers, with status observations for a third of them.
func syntheticInput(seed uint64, nPosts, nReposts, nReplies, nAmp int) Input {
	rng := rand.New(rand.NewPCG(seed, 1))
	var in Input
	in.Platforms = []string{"x"}
	start := time.Date(2020, 6, 9, 0, 0, 0, 0, time.UTC).Unix()
	span := int64(259 * 86400)
	for w := range 365 {
		a := in.Accounts.Add(0, "w"+itoa(w), "", start-int64(w)*86400)
		in.Watch = append(in.Watch, WatchEntry{Account: a, Platform: "x", ID: "w" + itoa(w), ActorType: "ambassador",
			Country: "C" + itoa(w%130), Since: NoTime, Until: NoTime})
		in.Labels.Add(int32(w), start, LabelClass(w%3))
	}
	base := int32(in.Accounts.Len())
	for a := range nAmp {
		in.Accounts.Add(0, "u"+itoa(a), "", start-rng.Int64N(10*365*86400))
		if a%3 == 0 {
			in.Statuses.Add(base+int32(a), start+span+rng.Int64N(86400*30), Status(rng.IntN(5)))
		}
	}
	for range nPosts {
		in.Posts.Add(int32(rng.IntN(365)), start+rng.Int64N(span), PostOriginal, rng.Int64N(100), rng.Int64N(20), rng.Int64N(10), rng.Int64N(3))
	}
	zipf := rand.NewZipf(rng, 1.1, 10, uint64(nAmp-1))
	add := func(n int, k Kind) {
		for range n {
			p := int32(rng.IntN(nPosts))
			in.Engagements.Add(base+int32(zipf.Uint64()), p, k, in.Posts.Created[p]+rng.Int64N(86400))
		}
	}
	add(nReposts, Repost)
	add(nReplies, Reply)
	return in
}

func itoa(i int) string {
	const digits = "0123456789"
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	for ; i > 0; i /= 10 {
		n--
		b[n] = digits[i%10]
	}
	return string(b[n:])
}

// BenchmarkCompute measures Compute at the reference study's scale (prc-2021 scale 1).
//
//	go test -run '^$' -bench Compute -benchtime 3x ./internal/analysis/amplify
func BenchmarkCompute(b *testing.B) {
	in := syntheticInput(1, 201_382, 1_300_000, 1_000_000, 300_000)
	p := Params{AsOf: time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)}
	b.ResetTimer()
	cpu0 := cpuSeconds()
	for b.Loop() {
		if _, err := Compute(in, p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(in.Engagements.Len())*float64(b.N)/b.Elapsed().Seconds(), "engagements/s")
	// CPU time is the stable figure on a shared machine, where wall time depends on the load.
	b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s/op")
}

// BenchmarkAnalyze measures Load + Compute through a DuckDB store holding a world at a
// tenth of the reference scale (20,138 target posts, 130,000 reposts and 100,000 replies as
// posts, 30,000 amplifiers); the store is built once, outside the timer.
//
//	go test -run '^$' -bench Analyze -benchtime 1x ./internal/analysis/amplify
func BenchmarkAnalyze(b *testing.B) {
	const nPosts, nReposts, nReplies, nAmp = 20_138, 130_000, 100_000, 30_000
	rng := rand.New(rand.NewPCG(7, 1))
	start := time.Date(2020, 6, 9, 0, 0, 0, 0, time.UTC)
	batch := &event.Batch{}
	for w := range 365 {
		batch.Watch = append(batch.Watch, event.WatchEntry{Platform: event.X, ID: "w" + itoa(w), ActorType: event.ActorAmbassador, Country: "C" + itoa(w%130)})
	}
	created := make([]time.Time, nPosts)
	for i := range nPosts {
		created[i] = start.Add(time.Duration(rng.Int64N(259*86400)) * time.Second)
		batch.Posts = append(batch.Posts, event.Post{Platform: event.X, ID: "p" + itoa(i), AuthorID: "w" + itoa(rng.IntN(365)),
			CreatedAt: created[i], Kind: event.KindPost, Likes: 5, Reposts: 3, Replies: 1, Quotes: 0, Views: -1, CountsAt: start})
	}
	zipf := rand.NewZipf(rng, 1.1, 10, nAmp-1)
	for i := range nReposts + nReplies {
		p := rng.IntN(nPosts)
		kind := event.KindRepost
		if i >= nReposts {
			kind = event.KindReply
		}
		batch.Posts = append(batch.Posts, event.Post{Platform: event.X, ID: "r" + itoa(i), AuthorID: "u" + itoa(int(zipf.Uint64())),
			CreatedAt: created[p].Add(time.Duration(rng.Int64N(86400)) * time.Second), Kind: kind, RefID: "p" + itoa(p),
			Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Views: -1})
	}
	for a := range nAmp {
		batch.Accounts = append(batch.Accounts, event.Account{Platform: event.X, ID: "u" + itoa(a), CreatedAt: start.AddDate(-rng.IntN(10), 0, 0),
			Followers: -1, Following: -1, Posts: -1})
		if a%3 == 0 {
			batch.Statuses = append(batch.Statuses, event.StatusObservation{Platform: event.X, AccountID: "u" + itoa(a),
				ObservedAt: start.AddDate(0, 9, a%30), Status: event.StatusSuspended})
		}
	}
	t0 := time.Now()
	db := openStore(b, batch)
	b.Logf("store built in %v", time.Since(t0))
	ctx := context.Background()
	p := Params{AsOf: time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)}
	b.ResetTimer()
	for b.Loop() {
		t1 := time.Now()
		in, err := Load(ctx, db, p)
		if err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		if _, err := Compute(in, p); err != nil {
			b.Fatal(err)
		}
		b.Logf("load %v (%d engagements), compute %v; process CPU so far %.1f s", t2.Sub(t1), in.Engagements.Len(), time.Since(t2), cpuSeconds())
	}
}
