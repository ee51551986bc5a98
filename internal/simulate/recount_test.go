package simulate

import (
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// This file re-reads a generated folder with a minimal, independent reader (encoding/json,
// the standard gzip, encoding/csv) and recomputes the headline figures the straightforward
// way, in memory. It shares no code with the generator's truth accounting.

type rMetrics struct {
	Retweets int64 `json:"retweet_count"`
	Replies  int64 `json:"reply_count"`
	Likes    int64 `json:"like_count"`
	Quotes   int64 `json:"quote_count"`
}

type rTweet struct {
	ID        string   `json:"id"`
	AuthorID  string   `json:"author_id"`
	CreatedAt string   `json:"created_at"`
	Metrics   rMetrics `json:"public_metrics"`
	Refs      []struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"referenced_tweets"`
}

type rPage struct {
	Data     []rTweet `json:"data"`
	Includes struct {
		Users []struct {
			ID string `json:"id"`
		} `json:"users"`
		Tweets []rTweet `json:"tweets"`
	} `json:"includes"`
	Twarc struct {
		RetrievedAt string `json:"retrieved_at"`
	} `json:"__twarc"`
}

type rObs struct {
	at    time.Time
	count rMetrics
}

// recount holds everything re-read from a folder.
type recount struct {
	watch     map[string]int    // watch id → subset
	country   map[string]string // watch id → country
	latest    map[string]rObs   // target post id → latest counts
	postTime  map[string]time.Time
	postOwner map[string]string // target post id → author
	events    []rEvent          // engagements of target posts (data only, each id once)
	status    map[string]event2 // account → latest status at or before the as-of date
	label     map[string]event2
	tweetIDs  map[string]bool
	lines     int
}

type rEvent struct {
	id, author, kind, target string
	at                       time.Time
}

type event2 struct {
	at    time.Time
	value string
}

func readCSV(t *testing.T, path string) [][]string {
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
	return rows
}

func readFolder(t *testing.T, dir string, tr Truth) *recount {
	t.Helper()
	rc := &recount{
		watch: map[string]int{}, country: map[string]string{}, latest: map[string]rObs{},
		postTime: map[string]time.Time{}, postOwner: map[string]string{}, status: map[string]event2{},
		label: map[string]event2{}, tweetIDs: map[string]bool{},
	}
	rows := readCSV(t, filepath.Join(dir, WatchlistFile))
	if got := strings.Join(rows[0], ","); got != "platform,handle,id,actor_type,country,outlet,lang,since,until" {
		t.Fatalf("watchlist header %q", got)
	}
	for _, r := range rows[1:] {
		sub := subDiplomats
		if r[3] == "state_media" {
			sub = subStateMedia
		}
		rc.watch[r[2]] = sub
		rc.country[r[2]] = r[4]
	}
	latestObs := func(path, header string, asOf time.Time, into map[string]event2, col int) {
		rows := readCSV(t, filepath.Join(dir, path))
		if got := strings.Join(rows[0], ","); got != header {
			t.Fatalf("%s header %q", path, got)
		}
		for _, r := range rows[1:] {
			at, err := time.Parse(time.RFC3339, r[3])
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if at.After(asOf) {
				continue
			}
			if prev, ok := into[r[1]]; !ok || !at.Before(prev.at) {
				into[r[1]] = event2{at, r[col]}
			}
		}
	}
	latestObs(StatusFile, "platform,account_id,handle,observed_at,status,raw_code", tr.AsOf.Status, rc.status, 4)
	latestObs(LabelsFile, "platform,account_id,handle,observed_at,label,class", tr.AsOf.Label, rc.label, 5)

	files, _ := filepath.Glob(filepath.Join(dir, "posts-*.jsonl.gz"))
	if len(files) == 0 {
		t.Fatal("no posts files")
	}
	sort.Strings(files)
	seenEvent := map[string]bool{}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(zr)
		for {
			var pg rPage
			if err := dec.Decode(&pg); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			rc.lines++
			at, err := time.Parse(time.RFC3339, pg.Twarc.RetrievedAt)
			if err != nil {
				t.Fatalf("%s: retrieved_at: %v", name, err)
			}
			obs := func(tw rTweet) {
				if _, ok := rc.watch[tw.AuthorID]; !ok || len(tw.Refs) > 0 {
					return
				}
				ct, err := time.Parse(time.RFC3339, tw.CreatedAt)
				if err != nil {
					t.Fatalf("created_at %q: %v", tw.CreatedAt, err)
				}
				rc.postTime[tw.ID] = ct
				rc.postOwner[tw.ID] = tw.AuthorID
				if prev, ok := rc.latest[tw.ID]; !ok || at.After(prev.at) {
					rc.latest[tw.ID] = rObs{at, tw.Metrics}
				}
			}
			for _, tw := range pg.Includes.Tweets {
				obs(tw)
			}
			for _, tw := range pg.Data {
				rc.tweetIDs[tw.ID] = true
				obs(tw)
				if len(tw.Refs) == 0 || seenEvent[tw.ID] {
					continue
				}
				seenEvent[tw.ID] = true
				ct, err := time.Parse(time.RFC3339, tw.CreatedAt)
				if err != nil {
					t.Fatal(err)
				}
				rc.events = append(rc.events, rEvent{tw.ID, tw.AuthorID, tw.Refs[0].Type, tw.Refs[0].ID, ct})
			}
		}
		zr.Close()
		f.Close()
	}
	return rc
}

// figures recomputes Figures for a subset (-1: all) from a recount.
func (rc *recount) figures(t *testing.T, sub int, tr Truth) Figures {
	t.Helper()
	var f Figures
	in := func(id string) bool {
		s, ok := rc.watch[id]
		return ok && (sub < 0 || s == sub)
	}
	included := map[string]bool{}
	for id, o := range rc.latest {
		owner := rc.postOwner[id]
		if !in(owner) {
			continue
		}
		pt := rc.postTime[id]
		if pt.Before(tr.Window.Since) || !pt.Before(tr.Window.Until) {
			continue
		}
		included[owner] = true
		f.Posts++
		f.Likes += o.count.Likes
		f.Reposts += o.count.Retweets
		f.Replies += o.count.Replies
		f.Quotes += o.count.Quotes
	}
	countries := map[string]bool{}
	labelled := 0
	for id := range rc.watch {
		if !in(id) {
			continue
		}
		f.WatchAccounts++
		if included[id] {
			countries[rc.country[id]] = true
			if c := rc.label[id].value; c == "government" || c == "state_media" {
				labelled++
			}
		}
	}
	f.IncludedAccounts = len(included)
	f.Countries = len(countries)
	f.LabelShare = float64(labelled) / float64(f.IncludedAccounts)

	reposts := map[string]int64{}
	times := map[string][]int64{}
	amps := map[string]bool{}
	for _, e := range rc.events {
		owner, ok := rc.postOwner[e.target]
		if !ok || !in(owner) {
			continue
		}
		if _, watched := rc.watch[e.author]; watched {
			continue
		}
		amps[e.author] = true
		if e.kind == "retweeted" {
			reposts[e.author]++
			f.TargetReposts++
			times[e.author] = append(times[e.author], e.at.Unix())
			switch rc.status[e.author].value {
			case "suspended":
				f.SuspendedRepostShare++
			case "deleted":
				f.DeletedRepostShare++
			}
		}
	}
	f.Amplifiers = int64(len(amps))
	f.SuspendedRepostShare /= float64(f.TargetReposts)
	f.DeletedRepostShare /= float64(f.TargetReposts)
	counts := make([]int64, 0, len(amps))
	for a := range amps {
		if reposts[a] > 0 { // the concentration base: reposting accounts
			counts = append(counts, reposts[a])
		}
	}
	f.Reposters = int64(len(counts))
	sort.Slice(counts, func(i, j int) bool { return counts[i] > counts[j] })
	f.TopShare = map[string]float64{}
	for _, p := range []string{"0.1", "1", "5", "10"} {
		var pct float64
		json.Unmarshal([]byte(p), &pct)
		k := int(math.Ceil(pct/100*float64(len(counts)) - 1e-9))
		var s int64
		for _, c := range counts[:k] {
			s += c
		}
		f.TopShare[p] = float64(s) / float64(f.TargetReposts)
	}
	// Gini as the mean absolute difference over twice the mean: Σ(2i−n−1)x_i / (n Σx),
	// x ascending, i from 1.
	n := len(counts)
	var num float64
	for i := range counts {
		x := counts[n-1-i] // ascending
		num += float64(2*(i+1)-n-1) * float64(x)
	}
	f.Gini = num / (float64(n) * float64(f.TargetReposts))
	var fast10, fast60 int64
	for _, ts := range times {
		if len(ts) <= 100 {
			continue
		}
		f.FastBase++
		sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
		gaps := make([]float64, len(ts)-1)
		for i := 1; i < len(ts); i++ {
			gaps[i-1] = float64(ts[i] - ts[i-1])
		}
		sort.Float64s(gaps)
		m := len(gaps)
		med := gaps[m/2]
		if m%2 == 0 {
			med = (gaps[m/2-1] + gaps[m/2]) / 2
		}
		if med <= 10 {
			fast10++
		}
		if med <= 60 {
			fast60++
		}
	}
	if f.FastBase > 0 {
		f.FastAmplifiers10s = float64(fast10) / float64(f.FastBase)
		f.FastAmplifiers60s = float64(fast60) / float64(f.FastBase)
	}
	return f
}

// compareFigures reports every field of got that differs from want.
func compareFigures(t *testing.T, name string, got, want Figures) {
	t.Helper()
	ints := []struct {
		field     string
		got, want int64
	}{
		{"watch_accounts", int64(got.WatchAccounts), int64(want.WatchAccounts)},
		{"included_accounts", int64(got.IncludedAccounts), int64(want.IncludedAccounts)},
		{"countries", int64(got.Countries), int64(want.Countries)},
		{"posts", got.Posts, want.Posts},
		{"likes", got.Likes, want.Likes},
		{"reposts", got.Reposts, want.Reposts},
		{"replies", got.Replies, want.Replies},
		{"quotes", got.Quotes, want.Quotes},
		{"amplifiers", got.Amplifiers, want.Amplifiers},
		{"reposters", got.Reposters, want.Reposters},
		{"target_reposts", got.TargetReposts, want.TargetReposts},
		{"fast_amplifier_base", got.FastBase, want.FastBase},
	}
	for _, c := range ints {
		if c.got != c.want {
			t.Errorf("%s %s: recount %d, truth %d", name, c.field, c.got, c.want)
		}
	}
	floats := []struct {
		field     string
		got, want float64
	}{
		{"label_share", got.LabelShare, want.LabelShare},
		{"gini", got.Gini, want.Gini},
		{"suspended_repost_share", got.SuspendedRepostShare, want.SuspendedRepostShare},
		{"deleted_repost_share", got.DeletedRepostShare, want.DeletedRepostShare},
		{"fast_amplifiers_10s", got.FastAmplifiers10s, want.FastAmplifiers10s},
		{"fast_amplifiers_60s", got.FastAmplifiers60s, want.FastAmplifiers60s},
	}
	for _, k := range []string{"0.1", "1", "5", "10"} {
		floats = append(floats, struct {
			field     string
			got, want float64
		}{"top_share " + k, got.TopShare[k], want.TopShare[k]})
	}
	for _, c := range floats {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s %s: recount %.12f, truth %.12f", name, c.field, c.got, c.want)
		}
	}
}
