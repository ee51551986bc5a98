package web

import (
	"context"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

// BenchmarkOverviewLoad is the DESIGN §6 budget: 100 concurrent clients call /api/overview
// over loopback TCP through the production server settings (Listen, NewHTTPServer), each
// making 20 requests per iteration on a kept-alive connection. It reports the latency
// percentiles of all requests (budget: p99 ≤ 200 ms) and the throughput.
//
//	go test ./internal/web -run '^$' -bench OverviewLoad -benchtime 5x
func BenchmarkOverviewLoad(b *testing.B) {
	const clients, perClient = 100, 20
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := newServer(Options{})
	if err := h.Warm(ctx); err != nil {
		b.Fatal(err)
	}
	ln, err := Listen(ctx, "127.0.0.1:0", "")
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, NewHTTPServer(h, nil), time.Second) }()
	url := "http://" + ln.Addr().String() + "/api/overview"
	tr := &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	var lat []time.Duration
	var mu sync.Mutex
	var failed error
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		var wg sync.WaitGroup
		for range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				mine := make([]time.Duration, 0, perClient)
				for range perClient {
					t := time.Now()
					resp, err := client.Get(url)
					if err == nil {
						_, err = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							err = io.ErrUnexpectedEOF
						}
					}
					if err != nil {
						mu.Lock()
						failed = err
						mu.Unlock()
						return
					}
					mine = append(mine, time.Since(t))
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			}()
		}
		wg.Wait()
	}
	elapsed := time.Since(start)
	b.StopTimer()
	if failed != nil {
		b.Fatal(failed)
	}
	slices.Sort(lat)
	q := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
	cancel()
	if err := <-done; err != nil {
		b.Error(err)
	}
}
