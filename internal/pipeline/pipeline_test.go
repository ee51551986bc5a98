//go:build beam

package pipeline

import (
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/analysis/coord"
	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/ingest/all"
	"github.com/echotrace/echotrace/internal/simulate"
	"github.com/echotrace/echotrace/internal/store/duckdb"
)

func readEdgesFile(t *testing.T, path string) []Edge {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	es, err := ReadEdges(f)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// TestPipelineHandmade runs the pipeline on testdata/handmade: two twarc2 pages (the second
// gzip-compressed) and a watchlist naming account 900. Accounts A=101, B=102, C=103 retweet
// P1=5001 (by 900), P2=5002 (by 900, whose author only the original tweet in page 1 tells) and
// P3=5003 (by 901). Window 60 s:
//
//	P1: A@10:00:00, B@10:00:30, C@10:01:31 → AB (30 s); BC is 61 s apart, AC 91 s.
//	P2: A@11:00:00, B@11:00:59, C@11:01:00 → AB, BC, AC (60 s: inclusive).
//	P3: A@12:00:00, C@12:00:10, B@12:00:20 → AB, AC, BC.
//
// All posts: AB = 3, AC = 2, BC = 2. Watchlist posts only (P1, P2): AB = 2, AC = 1, BC = 1, so
// with minimum weight 2 only AB remains.
func TestPipelineHandmade(t *testing.T) {
	SetLog(io.Discard, false)
	tests := []struct {
		name       string
		runner     string
		allTargets bool
		min        int
		want       []Edge
	}{
		{"targets", "direct", false, 2, []Edge{{"101", "102", 2}}},
		{"all posts", "direct", true, 2, []Edge{{"101", "102", 3}, {"101", "103", 2}, {"102", "103", 2}}},
		{"all posts min 3", "direct", true, 3, []Edge{{"101", "102", 3}}},
		{"nothing left", "direct", false, 5, nil},
		{"prism", "prism", true, 2, []Edge{{"101", "102", 3}, {"101", "103", 2}, {"102", "103", 2}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "edges.csv")
			start := time.Now()
			res, err := Run(t.Context(), Options{Inputs: []string{"testdata/handmade"}, Window: time.Minute,
				MinWeight: tc.min, AllTargets: tc.allTargets, Out: out, Runner: tc.runner})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d files in %s, counters %v", tc.runner, res.Files, time.Since(start).Round(time.Millisecond), res.Counters)
			got := readEdgesFile(t, out)
			if !slices.Equal(got, tc.want) {
				t.Errorf("edges %v, want %v", got, tc.want)
			}
			if res.Files != 3 {
				t.Errorf("files %d, want 3", res.Files)
			}
			if tc.runner == "direct" {
				// 9 retweets; the watchlist entry has an id.
				if res.Counters["repost_posts"] != 9 || res.Counters["watch_ids"] != 1 || res.Counters["edges"] != int64(len(tc.want)) {
					t.Errorf("counters %v: want repost_posts 9, watch_ids 1, edges %d", res.Counters, len(tc.want))
				}
			}
		})
	}
}

// TestPipelineEqualsCoord: on a simulated world (twarc2 pages, watchlist, status and labels),
// the pipeline's edges are exactly coord.Detect's co-repost edges (count weight, null model off)
// after `echotrace import` of the same files, for the watchlist's posts and for all posts.
func TestPipelineEqualsCoord(t *testing.T) {
	if testing.Short() {
		t.Skip("imports a simulated world into DuckDB")
	}
	SetLog(io.Discard, false)
	ctx := t.Context()
	world := filepath.Join(t.TempDir(), "world")
	if _, err := simulate.Run(ctx, simulate.Config{Scale: 0.002, Seed: 3, Out: world}); err != nil {
		t.Fatal(err)
	}
	study := filepath.Join(t.TempDir(), "study")
	st, err := duckdb.Open(ctx, study, duckdb.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	reg, err := all.New(all.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Run(ctx, reg, st, []string{world}, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, allTargets := range []bool{false, true} {
		for _, window := range []time.Duration{10 * time.Second, 60 * time.Second} {
			p := coord.Params{Signals: []coord.Signal{coord.CoRepost}, Window: window, MinWeight: 2, Alpha: -1,
				Algorithm: coord.Components, AllTargets: allTargets}
			in, err := coord.Load(ctx, st, p)
			if err != nil {
				t.Fatal(err)
			}
			res, err := coord.Detect(ctx, in, p, rand.New(rand.NewPCG(1, 1)))
			if err != nil {
				t.Fatal(err)
			}
			var want []Edge
			for _, e := range res.Edges {
				want = append(want, Edge{e.Source, e.Target, int(e.Weight)})
			}
			out := filepath.Join(t.TempDir(), "edges.csv")
			start := time.Now()
			pr, err := Run(ctx, Options{Inputs: []string{world}, Window: window, MinWeight: 2, AllTargets: allTargets, Out: out, Runner: "direct"})
			if err != nil {
				t.Fatal(err)
			}
			got := readEdgesFile(t, out)
			t.Logf("all targets %v, window %s: %d edges (coord %d) in %s on direct; counters %v", allTargets, window,
				len(got), len(want), time.Since(start).Round(time.Millisecond), pr.Counters)
			if len(want) == 0 {
				t.Fatalf("coord found no edges: the comparison would be empty")
			}
			if !slices.Equal(got, want) {
				n := 0
				for i := range min(len(got), len(want)) {
					if got[i] != want[i] && n < 5 {
						t.Errorf("edge %d: got %v, want %v", i, got[i], want[i])
						n++
					}
				}
				t.Fatalf("all targets %v, window %s: %d edges, coord.Detect %d", allTargets, window, len(got), len(want))
			}
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	t.Parallel()
	ok := Options{Inputs: []string{"x"}, Out: "e.csv"}.defaults()
	tests := []struct {
		name string
		mod  func(*Options)
		want string // substring of the error; "" for none
	}{
		{"ok", func(*Options) {}, ""},
		{"no inputs", func(o *Options) { o.Inputs = nil }, "no inputs"},
		{"no out", func(o *Options) { o.Out = "" }, "--out"},
		{"fractional window", func(o *Options) { o.Window = 1500 * time.Millisecond }, "whole seconds"},
		{"runner", func(o *Options) { o.Runner = "local" }, "want one of direct, prism, flink, spark, dataflow"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := ok
			tc.mod(&o)
			err := o.Validate()
			if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestReadEdges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     []Edge
		err      string
	}{
		{"ours", "source,target,weight\na,b,3\n", []Edge{{"a", "b", 3}}, ""},
		{"coord --edges", "source,target,weight,count,co-repost\na,b,2,2,2\n", []Edge{{"a", "b", 2}}, ""},
		{"bad header", "from,to,w\n", nil, "line 1"},
		{"bad weight", "source,target,weight\na,b,1.5\n", nil, "line 2: weight \"1.5\""},
		{"short row", "source,target,weight\na,b\n", nil, "line 2: 2 columns"},
		{"empty", "", nil, "line 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadEdges(strings.NewReader(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

// FuzzReadEdges: whatever the input, ReadEdges does not panic, and what it accepts survives a
// write and a second read unchanged.
func FuzzReadEdges(f *testing.F) {
	f.Add("source,target,weight\na,b,3\n")
	f.Add("source,target,weight,count\n\"a,x\",b,2,2\n")
	f.Add("source,target,weight\na,b,-1\n")
	f.Fuzz(func(t *testing.T, in string) {
		es, err := ReadEdges(strings.NewReader(in))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := WriteEdges(&buf, es); err != nil {
			t.Fatal(err)
		}
		again, err := ReadEdges(&buf)
		if err != nil {
			t.Fatalf("re-read: %v", err)
		}
		if len(again) != len(es) || (len(es) > 0 && !slices.Equal(again, es)) {
			t.Fatalf("round trip %v → %v", es, again)
		}
	})
}
