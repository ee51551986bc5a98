package coord

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"
)

// sharedData returns ../shared/data/<rel> beside the repository root, or skips the test.
func sharedData(t testing.TB, rel string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root (go.mod) not found")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared data %s absent (CI has it): %v", p, err)
	}
	return p
}

func readCSV(t testing.TB, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows[1:]
}

// TestQUTReference reproduces the QUT coordination-network-toolkit's own output (commit
// daa0e11, compute NETWORK --time_window 60 --min_edge_weight 1, Gephi CSV export) on its two
// test inputs, edge for edge and weight for weight.
func TestQUTReference(t *testing.T) {
	t.Parallel()
	networks := []struct {
		name   string
		signal Signal
	}{
		{"co_retweet", CoRepost}, {"co_tweet", CoText}, {"co_link", CoLink}, {"co_reply", CoReply},
	}
	for _, input := range []string{"coretweet_test_input", "sample_data"} {
		f, err := os.Open(filepath.Join("testdata", "qut", input+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		in, err := ReadQUT(f, input+".csv")
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, nw := range networks {
			t.Run(input+"/"+nw.name, func(t *testing.T) {
				got, err := QUT(&in, nw.signal, 60*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				var want []DirectedEdge
				for _, r := range readCSV(t, filepath.Join("testdata", "qut", fmt.Sprintf("%s_%s_tw60_w1.csv", input, nw.name))) {
					w, _ := strconv.Atoi(r[2])
					want = append(want, DirectedEdge{Source: r[0], Target: r[1], Weight: w})
					if r[3] != nw.name {
						t.Fatalf("reference edge_type %q", r[3])
					}
				}
				sort.Slice(want, func(i, j int) bool {
					if want[i].Source != want[j].Source {
						return want[i].Source < want[j].Source
					}
					return want[i].Target < want[j].Target
				})
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("QUT %s on %s:\n got %v\nwant %v", nw.name, input, got, want)
				}
			})
		}
	}
}

// TestQUTBoundary is the toolkit's designed boundary case, computed by hand: uid0 reposts rtid0
// at 0 s and 1 s, uid1 at 59 s (both within 60 s: uid0→uid1 = 2, uid1→uid0 = 1); uid2/uid3 at
// 60/70 s on rtid1 (10 s: 1 each way) but 70/131 s on rtid2 (61 s: no pair); uid4/uid5 at 30/89
// s (59 s) and 40/41 s: 2 each way; uid10 only pairs with itself; uid11/uid12 are 258 s apart.
// With Detect (undirected distinct objects) the same input gives uid0–uid1 = 1 object,
// uid2–uid3 = 1, uid4–uid5 = 2.
func TestQUTBoundary(t *testing.T) {
	t.Parallel()
	f, err := os.Open(filepath.Join("testdata", "qut", "coretweet_test_input.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in, err := ReadQUT(f, "coretweet_test_input.csv")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Detect(t.Context(), in, Params{Signals: []Signal{CoRepost}, MinWeight: 1, Alpha: -1, Algorithm: Components}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, e := range res.Edges {
		got[e.Source+"-"+e.Target] = e.Count
	}
	want := map[string]int{"uid0-uid1": 1, "uid2-uid3": 1, "uid4-uid5": 2}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("edges = %v, want %v", got, want)
	}
	// A window of 58 s drops uid0–uid1 (58 s apart: kept, 59 s: dropped → still 1 object via
	// the 1 s repost at 58 s) and uid4–uid5's 59 s pair (→ 1 object).
	res, err = Detect(t.Context(), in, Params{Signals: []Signal{CoRepost}, Window: 58 * time.Second, MinWeight: 1, Alpha: -1, Algorithm: Components}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got = map[string]int{}
	for _, e := range res.Edges {
		got[e.Source+"-"+e.Target] = e.Count
	}
	want = map[string]int{"uid0-uid1": 1, "uid2-uid3": 1, "uid4-uid5": 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("window 58 s: edges = %v, want %v", got, want)
	}
}

// loadGermanElections reads CooRTweet's german_elections.csv with URLs as objects, exactly as
// the reference README's R code does: rows with a url_id, object "url_<id>", content = post_id,
// unique rows.
func loadGermanElections(t testing.TB, path string) Input {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	b := NewBuilder()
	seen := map[[4]string]bool{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		url := rec[col["url_id"]]
		if url == "NA" || url == "" {
			continue
		}
		k := [4]string{"url_" + url, rec[col["account_id"]], rec[col["post_id"]], rec[col["timestamp"]]}
		if seen[k] {
			continue
		}
		seen[k] = true
		ts, err := strconv.ParseInt(k[3], 10, 64)
		if err != nil {
			t.Fatalf("timestamp %q: %v", k[3], err)
		}
		b.Add(CoShare, b.Account(k[1]), b.Object(k[0], -1), b.Content(k[2]), ts)
	}
	return b.Input(time.Second)
}

// TestCooRTweetReference checks detect_groups rows and network edges against CooRTweet 2.1.3's
// own output on german_elections (URLs, min_participation 2, windows 10 s — its default —,
// 30 s, 60 s and 300 s).
func TestCooRTweetReference(t *testing.T) {
	path := sharedData(t, "coortweet-german-elections-2021/german_elections.csv")
	ref := filepath.Join(filepath.Dir(path), "reference")
	in := loadGermanElections(t, path)
	if n := in.actionsOf(CoShare).Len(); n != 41100 {
		t.Fatalf("%d shares, want 41,100 (reference README)", n)
	}
	for _, tw := range []int{10, 30, 60, 300} {
		t.Run(fmt.Sprintf("tw%d", tw), func(t *testing.T) {
			rows, err := CooRTweetGroups(&in, CoShare, time.Duration(tw)*time.Second, 2)
			if err != nil {
				t.Fatal(err)
			}
			// detect_groups: compare as multisets of unordered rows.
			key := func(obj, c1, c2, d, a1, a2 string) string {
				if c1 > c2 {
					c1, c2, a1, a2 = c2, c1, a2, a1
				}
				return obj + "|" + c1 + "|" + c2 + "|" + d + "|" + a1 + "|" + a2
			}
			want := map[string]int{}
			wantRows := readCSV(t, filepath.Join(ref, fmt.Sprintf("detect_groups_url_tw%d_mp2.csv", tw)))
			for _, r := range wantRows {
				want[key(r[0], r[1], r[2], r[3], r[4], r[5])]++
			}
			got := map[string]int{}
			for _, r := range rows {
				got[key(r.Object, r.Content, r.ContentY, strconv.FormatInt(r.TimeDelta, 10), r.Account, r.AccountY)]++
			}
			if len(rows) != len(wantRows) {
				t.Errorf("detect_groups: %d rows, want %d", len(rows), len(wantRows))
			}
			diff := 0
			for k, n := range want {
				if got[k] != n {
					diff++
					if diff < 5 {
						t.Errorf("row %s: got %d, want %d", k, got[k], n)
					}
				}
			}
			for k := range got {
				if _, ok := want[k]; !ok {
					diff++
					if diff < 5 {
						t.Errorf("extra row %s", k)
					}
				}
			}
			// generate_coordinated_network(edge_weight = 0.5): every column.
			edges := CooRTweetNetwork(rows, 0.5)
			wantEdges := readCSV(t, filepath.Join(ref, fmt.Sprintf("network_edges_url_tw%d_mp2_ew0.5.csv", tw)))
			if len(edges) != len(wantEdges) {
				t.Fatalf("network: %d edges, want %d", len(edges), len(wantEdges))
			}
			byPair := map[[2]string]CooREdge{}
			for _, e := range edges {
				byPair[[2]string{e.From, e.To}] = e
			}
			for _, r := range wantEdges {
				from, to := r[0], r[1]
				if from > to {
					from, to = to, from
				}
				e, ok := byPair[[2]string{from, to}]
				if !ok {
					t.Errorf("missing edge %s–%s", r[0], r[1])
					continue
				}
				w, _ := strconv.Atoi(r[2])
				avg, _ := strconv.ParseFloat(r[3], 64)
				thr, _ := strconv.Atoi(r[7])
				if e.Weight != w || math.Abs(e.AvgTimeDelta-avg) > 1e-9 || e.WeightThreshold != thr {
					t.Errorf("edge %s–%s: got weight %d avg %g threshold %d, want %d %g %d", r[0], r[1], e.Weight, e.AvgTimeDelta, e.WeightThreshold, w, avg, thr)
				}
			}
			// The same edges through Detect: pair-row weights, min participation 2, no null
			// filter, min weight 1.
			res, err := Detect(t.Context(), in, Params{Signals: []Signal{CoShare}, Window: time.Duration(tw) * time.Second,
				MinWeight: 1, MinParticipation: 2, Weight: WeightPairs, Alpha: -1, Algorithm: Components}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Edges) != len(edges) {
				t.Fatalf("Detect: %d edges, want %d", len(res.Edges), len(edges))
			}
			for _, e := range res.Edges {
				ce, ok := byPair[[2]string{e.Source, e.Target}]
				if !ok || ce.Weight != e.Count || e.Weight != float64(ce.Weight) {
					t.Errorf("Detect edge %s–%s weight %v, CooRTweet %d", e.Source, e.Target, e.Weight, ce.Weight)
				}
			}
		})
	}
}

// TestCooRTweetParticipationRows is a hand-built case where CooRTweet's two readings of
// min_participation differ (reference README, step 4). Share x1 of account X is listed under
// two URLs u1 and u2; only its u1 row co-shares (with Y's y1, 5 s apart); Y's second share y2
// (u3) pairs with nothing. min_participation 2: step 1 keeps both accounts (two rows each). C =
// {x1, y1}. X has two ROWS whose share id is in C, so X participates and the x1–y1 pair row is
// kept; counting distinct share ids (or only the rows that are themselves in a pair) X has one
// and nothing would be kept.
func TestCooRTweetParticipationRows(t *testing.T) {
	t.Parallel()
	b := NewBuilder()
	x, y := b.Account("X"), b.Account("Y")
	u1, u2, u3 := b.Object("u1", -1), b.Object("u2", -1), b.Object("u3", -1)
	x1 := b.Content("x1")
	b.Add(CoShare, x, u1, x1, 100)
	b.Add(CoShare, x, u2, x1, 100)
	b.Add(CoShare, y, u1, b.Content("y1"), 105)
	b.Add(CoShare, y, u3, b.Content("y2"), 5000)
	in := b.Input(time.Second)
	rows, err := CooRTweetGroups(&in, CoShare, 10*time.Second, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Object != "u1" || rows[0].Content != "x1" || rows[0].ContentY != "y1" {
		t.Fatalf("rows %+v, want the one x1–y1 row on u1", rows)
	}
	res, err := Detect(t.Context(), in, cooRTweetParams(CoShare, 10), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Edges) != 1 || res.Edges[0].Count != 1 {
		t.Errorf("edges %+v, want X–Y with one pair row", res.Edges)
	}
}
