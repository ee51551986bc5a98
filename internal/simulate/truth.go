package simulate

import (
	"bufio"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/echotrace/echotrace/internal/event"
)

// Truth is the ground truth of a generated world: what was planted and the headline figures
// an analysis of the files must find. It is written to truth.json.
type Truth struct {
	Preset string  `json:"preset"`
	Seed   uint64  `json:"seed"`
	Scale  float64 `json:"scale"`
	// Window is the posting window: every post and every engagement is at or after Since and
	// strictly before Until (so "until 2021-02-23" inclusive or exclusive gives the same).
	Window Window `json:"window"`
	// AsOf holds the dates used for the status and label figures.
	AsOf AsOf `json:"as_of"`
	// Expected are the DESIGN §4 headline figures for the whole watchlist; Subsets for the
	// diplomat and state-media accounts alone.
	Expected Figures            `json:"expected"`
	Subsets  map[string]Figures `json:"subsets"`
	// FindingsArgs are the `echotrace findings` flags that reproduce Expected ("expected") and
	// each subset: the as-of dates and the actor types.
	FindingsArgs map[string][]string `json:"findings_args"`
	// Networks are the planted coordinated networks; HardNegatives the organic look-alikes.
	Networks      []Network        `json:"networks"`
	HardNegatives HardNegatives    `json:"hard_negatives"`
	UK            UKCase           `json:"uk_case"`
	PerAccount    []AccountFigures `json:"per_account"`
	Files         Files            `json:"files"`
	Definitions   []string         `json:"definitions"`
}

// Window is a half-open time interval.
type Window struct {
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
}

// AsOf holds the observation dates the figures use.
type AsOf struct {
	Status      time.Time `json:"status"`       // suspended/deleted shares: latest status at or before this
	StatusLater time.Time `json:"status_later"` // the second sweep (the reported UK accounts)
	Label       time.Time `json:"label"`        // label_share: latest label at or before this
	Counts      time.Time `json:"counts"`       // retrieved_at of the final count snapshot
}

// Figures are the headline figures of DESIGN §4 for one watchlist subset.
type Figures struct {
	WatchAccounts        int                `json:"watch_accounts"`
	IncludedAccounts     int                `json:"included_accounts"`
	Countries            int                `json:"countries"`
	Posts                int64              `json:"posts"`
	Likes                int64              `json:"likes"`
	Reposts              int64              `json:"reposts"`
	Replies              int64              `json:"replies"`
	Quotes               int64              `json:"quotes"`
	LabelShare           float64            `json:"label_share"`
	Amplifiers           int64              `json:"amplifiers"`
	Reposters            int64              `json:"reposters"` // amplifiers with ≥ 1 target repost: n of top_share and gini
	TargetReposts        int64              `json:"target_reposts"`
	TopShare             map[string]float64 `json:"top_share"`
	Gini                 float64            `json:"gini"`
	SuspendedRepostShare float64            `json:"suspended_repost_share"`
	DeletedRepostShare   float64            `json:"deleted_repost_share"`
	FastBase             int64              `json:"fast_amplifier_base"` // amplifiers with > 100 target reposts
	FastAmplifiers10s    float64            `json:"fast_amplifiers_10s"`
	FastAmplifiers60s    float64            `json:"fast_amplifiers_60s"`
}

// Network is a planted group of accounts: a coordinated network or a set of hard negatives.
type Network struct {
	Name       string   `json:"name"`
	Style      string   `json:"style"`
	Members    []string `json:"members"`
	Handles    []string `json:"member_handles"`
	Targets    []string `json:"targets"`
	TargetsH   []string `json:"target_handles"`
	Batches    []Batch  `json:"created_batches,omitempty"`
	Suspended  int      `json:"suspended_as_of_status"`
	Deleted    int      `json:"deleted_as_of_status"`
	LaterSusp  int      `json:"suspended_as_of_status_later"`
	Reposts    int64    `json:"target_reposts"`
	Engagement int64    `json:"engagements"`
}

// HardNegatives are organic behaviours that look coordinated but are not.
type HardNegatives struct {
	Groups     []Network `json:"groups"`
	ViralPosts []string  `json:"viral_posts"` // ids, at most 1000 listed
	ViralCount int       `json:"viral_post_count"`
}

// UKCase is the planted UK network's context.
type UKCase struct {
	Accounts     []string `json:"accounts"`
	Posts        int64    `json:"posts"`
	Reposts      int64    `json:"reposts"`
	Replies      int64    `json:"replies"`
	NetworkShare float64  `json:"network_repost_share"`
	Weekly       []UKWeek `json:"weekly"`
}

// UKWeek is one week of reposts of the UK accounts' posts (weeks start at Window.Since).
type UKWeek struct {
	Start        time.Time `json:"start"`
	Reposts      int64     `json:"reposts"`
	Network      int64     `json:"network_reposts"`
	NetworkShare float64   `json:"network_share"`
	Suspended    int64     `json:"suspended_reposts"`
}

// AccountFigures are one watch account's volumes.
type AccountFigures struct {
	ID      string `json:"id"`
	Handle  string `json:"handle"`
	Posts   int64  `json:"posts"`
	Likes   int64  `json:"likes"`
	Reposts int64  `json:"reposts"`
	Replies int64  `json:"replies"`
	Quotes  int64  `json:"quotes"`
}

// Files counts what was written, for reconciling an import.
type Files struct {
	PostsFiles     []string `json:"posts_files"`
	Pages          int64    `json:"pages"`
	Posts          int64    `json:"posts"` // watch accounts' posts in timeline pages
	Snapshots      int64    `json:"snapshot_posts"`
	Reposts        int64    `json:"reposts"`
	Replies        int64    `json:"replies"`
	Quotes         int64    `json:"quotes"`
	Tweets         int64    `json:"distinct_tweets"`
	AmplifierUsers int64    `json:"amplifier_user_objects"`
	WatchAccounts  int      `json:"watchlist_rows"`
	StatusRows     int64    `json:"status_rows"`
	LabelRows      int      `json:"label_rows"`
}

var definitions = []string{
	"posts, likes, reposts, replies, quotes: over posts by included watch accounts; counts are the latest observation (retrieved_at) per post",
	"target_reposts: repost events (referenced_tweets type retweeted) of watch accounts' posts; for diplomats it equals reposts (public retweet_count = repost events); state-media public counts also carry comments and shares that are not in the files as events (SMUnseenPerPost), as real collections do, so their reposts, replies and quotes exceed the events",
	"amplifiers: distinct non-watchlist accounts with at least one repost, reply or quote of a target post",
	"reposters: amplifiers with at least one target repost",
	"top_share[p]: reposts by the ceil(p/100 * reposters) reposting accounts with most target reposts / target_reposts (the reference study's rule: accounts that only replied or quoted are not in n)",
	"gini: over target reposts per reposting account, G = 2*sum(i*x_i)/(n*sum x) - (n+1)/n with x ascending, i from 1, n = reposters",
	"suspended/deleted_repost_share: target reposts by accounts whose latest status observation at or before as_of.status is suspended/deleted / target_reposts",
	"fast_amplifiers_Ns: among amplifiers with > 100 target reposts, share whose median gap between consecutive target reposts (time order, median of an even count = mean of the middle two) is <= N seconds",
	"label_share: included accounts whose latest label observation at or before as_of.label has class government or state_media / included accounts",
	"uk weekly: week k covers [since + 7k days, since + 7(k+1) days), by repost time",
}

// computeTruth merges the shards' counters and derives the amplifier figures from the repost
// records, bucket by bucket so that memory does not grow with the scale.
func computeTruth(w *world, cfg Config, stats []shardStats, tmpFiles []string, seen *[2][]uint64) (Truth, error) {
	p := w.P
	t := Truth{
		Preset: cfg.Preset, Seed: cfg.Seed, Scale: cfg.Scale,
		Window:      Window{p.Start, p.End},
		AsOf:        AsOf{Status: p.StatusAsOf, StatusLater: p.StatusLater, Label: p.LabelAsOf, Counts: p.CollectedAt},
		Subsets:     map[string]Figures{},
		Definitions: definitions,
	}
	asOf := []string{"--status-as-of", p.StatusAsOf.Format("2006-01-02"), "--label-as-of", p.LabelAsOf.Format("2006-01-02")}
	t.FindingsArgs = map[string][]string{
		"expected":    asOf,
		"diplomats":   append(slices.Clone(asOf), "--actor-type", "ambassador,embassy,consulate,staff,ministry"),
		"state_media": append(slices.Clone(asOf), "--actor-type", "state_media"),
	}
	acc := make([]accountCount, len(w.Watch))
	plantedEng := make([]int64, len(w.Planted))
	var records int64
	var ukWeekly []weekCount
	var viral []string
	for _, st := range stats {
		for i, c := range st.AccountCounts {
			acc[i].Posts += c.Posts
			acc[i].Likes += c.Likes
			acc[i].Reposts += c.Reposts
			acc[i].Replies += c.Replies
			acc[i].Quotes += c.Quotes
		}
		records += st.Records
		for j, n := range st.PlantedEng {
			plantedEng[j] += n
		}
		for k, wc := range st.UKWeekly {
			for len(ukWeekly) <= k {
				ukWeekly = append(ukWeekly, weekCount{})
			}
			ukWeekly[k].Reposts += wc.Reposts
			ukWeekly[k].Network += wc.Network
			ukWeekly[k].Suspended += wc.Suspended
		}
		viral = append(viral, st.Viral...)
		t.Files.Pages += st.Pages
		t.Files.Posts += st.Tweets[kindPost]
		t.Files.Reposts += st.Tweets[kindRepost]
		t.Files.Replies += st.Tweets[kindReply]
		t.Files.Quotes += st.Tweets[kindQuote]
		t.Files.Snapshots += st.Snapshots
		t.Files.AmplifierUsers += st.Users
	}
	for i := range stats {
		t.Files.PostsFiles = append(t.Files.PostsFiles, PostsFile(i, cfg.Plain))
	}
	t.Files.Tweets = t.Files.Posts + t.Files.Reposts + t.Files.Replies + t.Files.Quotes

	amp, err := ampFigures(w, tmpFiles, records)
	if err != nil {
		return Truth{}, err
	}
	all := make([]uint64, len(seen[0]))
	for i := range all {
		all[i] = seen[0][i] | seen[1][i]
	}
	for x := 0; x <= numSubsets; x++ {
		var f Figures
		countries := map[string]bool{}
		var labelled int
		for i, a := range w.Watch {
			if x < numSubsets && a.Subset != x {
				continue
			}
			f.WatchAccounts++
			c := acc[i]
			if c.Posts == 0 {
				continue
			}
			f.IncludedAccounts++
			countries[a.Country] = true
			if a.Class == event.LabelGovernment || a.Class == event.LabelStateMedia {
				labelled++
			}
			f.Posts += c.Posts
			f.Likes += c.Likes
			f.Reposts += c.Reposts
			f.Replies += c.Replies
			f.Quotes += c.Quotes
		}
		f.Countries = len(countries)
		f.LabelShare = ratio(int64(labelled), int64(f.IncludedAccounts))
		bs := all
		if x < numSubsets {
			bs = seen[x]
		}
		for _, b := range bs {
			f.Amplifiers += int64(popcount(b))
		}
		amp[x].fill(&f)
		if x == numSubsets {
			t.Expected = f
		} else {
			t.Subsets[subsetNames[x]] = f
		}
	}

	for i, a := range w.Watch {
		c := acc[i]
		t.PerAccount = append(t.PerAccount, AccountFigures{ID: a.IDStr, Handle: a.Handle, Posts: c.Posts,
			Likes: c.Likes, Reposts: c.Reposts, Replies: c.Replies, Quotes: c.Quotes})
		if a.UK {
			t.UK.Accounts = append(t.UK.Accounts, a.IDStr)
			t.UK.Posts += c.Posts
			t.UK.Reposts += c.Reposts
			t.UK.Replies += c.Replies
		}
	}
	var net int64
	for k, wc := range ukWeekly {
		net += wc.Network
		t.UK.Weekly = append(t.UK.Weekly, UKWeek{
			Start: p.Start.AddDate(0, 0, 7*k), Reposts: wc.Reposts, Network: wc.Network,
			NetworkShare: ratio(wc.Network, wc.Reposts), Suspended: wc.Suspended,
		})
	}
	t.UK.NetworkShare = ratio(net, t.UK.Reposts)

	for _, g := range w.Groups {
		n := Network{Name: g.Name, Style: g.Style, Batches: g.Batches}
		for _, j := range g.Members {
			pa := w.Planted[j]
			n.Members = append(n.Members, pa.IDStr)
			n.Handles = append(n.Handles, pa.Handle)
			switch pa.Status {
			case event.StatusSuspended:
				n.Suspended++
			case event.StatusDeleted:
				n.Deleted++
			}
			if pa.Later == event.StatusSuspended {
				n.LaterSusp++
			}
			n.Reposts += amp[numSubsets].planted[j]
			n.Engagement += plantedEng[j]
		}
		for _, i := range g.Targets {
			n.Targets = append(n.Targets, w.Watch[i].IDStr)
			n.TargetsH = append(n.TargetsH, w.Watch[i].Handle)
		}
		if g.Negative {
			t.HardNegatives.Groups = append(t.HardNegatives.Groups, n)
		} else {
			t.Networks = append(t.Networks, n)
		}
	}
	slices.Sort(viral)
	t.HardNegatives.ViralCount = len(viral)
	t.HardNegatives.ViralPosts = viral[:min(len(viral), 1000)]
	if t.HardNegatives.ViralPosts == nil {
		t.HardNegatives.ViralPosts = []string{}
	}
	t.Files.WatchAccounts = len(w.Watch)
	return t, nil
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func popcount(x uint64) int { return bits.OnesCount64(x) }

// ampAcc accumulates the amplifier figures of one subset.
type ampAcc struct {
	hist      map[int64]int64 // target reposts → amplifiers with that many (≥ 1)
	reposts   int64
	suspended int64
	deleted   int64
	fastBase  int64
	fast10    int64
	fast60    int64
	planted   []int64 // reposts per planted account
}

// fill completes f from the accumulator; f.Amplifiers must already be set.
func (a *ampAcc) fill(f *Figures) {
	f.TargetReposts = a.reposts
	f.SuspendedRepostShare = ratio(a.suspended, a.reposts)
	f.DeletedRepostShare = ratio(a.deleted, a.reposts)
	f.FastBase = a.fastBase
	f.FastAmplifiers10s = ratio(a.fast10, a.fastBase)
	f.FastAmplifiers60s = ratio(a.fast60, a.fastBase)
	vals := make([]int64, 0, len(a.hist))
	for v := range a.hist {
		vals = append(vals, v)
	}
	slices.Sort(vals)
	// n: the reposting accounts (the histogram holds those with ≥ 1 repost).
	var n int64
	for _, v := range vals {
		n += a.hist[v]
	}
	f.Reposters = n
	// top shares: ceil(per-mille × n / 1000) reposters, counted from the top.
	f.TopShare = map[string]float64{}
	for _, q := range []struct {
		key      string
		perMille int64
	}{{"0.1", 1}, {"1", 10}, {"5", 50}, {"10", 100}} {
		k := (q.perMille*n + 999) / 1000
		var sum int64
		for i := len(vals) - 1; i >= 0 && k > 0; i-- {
			m := min(k, a.hist[vals[i]])
			sum += m * vals[i]
			k -= m
		}
		f.TopShare[q.key] = ratio(sum, a.reposts)
	}
	// Gini over the n reposters' counts, ascending.
	if n > 0 && a.reposts > 0 {
		var pos float64
		var weighted float64
		for _, v := range vals {
			m := float64(a.hist[v])
			weighted += float64(v) * (m*pos + m*(m+1)/2)
			pos += m
		}
		nf := float64(n)
		f.Gini = 2*weighted/(nf*float64(a.reposts)) - (nf+1)/nf
	}
}

// maxBucketRecords bounds the repost records held in memory at once (8 MiB of records).
const maxBucketRecords = 1 << 20

// ampFigures reads the repost records (amp, time, subset) in buckets of amplifiers, sorts
// each bucket by amplifier and time, and accumulates counts, statuses and repost gaps for the
// two subsets and for all (index numSubsets). With more than one bucket, one pass first splits
// the shards' records into bucket files by amplifier, so every record is read twice at most.
func ampFigures(w *world, files []string, records int64) ([numSubsets + 1]ampAcc, error) {
	var acc [numSubsets + 1]ampAcc
	for x := range acc {
		acc[x].hist = map[int64]int64{}
		acc[x].planted = make([]int64, len(w.Planted))
	}
	buckets := uint32(max(1, (records+maxBucketRecords-1)/maxBucketRecords))
	groups := [][]string{files}
	if buckets > 1 {
		var err error
		if groups, err = splitRecords(files, buckets); err != nil {
			return acc, err
		}
	}
	recs := make([]uint64, 0, min(records, 2*maxBucketRecords)) // amp<<32 | time<<1 | subset
	var gaps []int64
	var times [numSubsets + 1][]int64
	for _, group := range groups {
		recs = recs[:0]
		for _, name := range group {
			if err := eachRecord(name, func(amp, tt uint32) {
				recs = append(recs, uint64(amp)<<32|uint64(tt))
			}); err != nil {
				return acc, err
			}
		}
		slices.Sort(recs)
		for i := 0; i < len(recs); {
			amp := uint32(recs[i] >> 32)
			j := i
			for x := range times {
				times[x] = times[x][:0]
			}
			for ; j < len(recs) && uint32(recs[j]>>32) == amp; j++ {
				tt := uint32(recs[j])
				sec := int64(tt >> 1)
				times[tt&1] = append(times[tt&1], sec)
				times[numSubsets] = append(times[numSubsets], sec)
			}
			st := w.ampStatus(amp)
			for x := range acc {
				n := int64(len(times[x]))
				if n == 0 {
					continue
				}
				a := &acc[x]
				a.hist[n]++
				a.reposts += n
				switch st {
				case event.StatusSuspended:
					a.suspended += n
				case event.StatusDeleted:
					a.deleted += n
				}
				if int(amp) >= w.NOrganic {
					a.planted[int(amp)-w.NOrganic] += n
				}
				if n > 100 {
					a.fastBase++
					gaps = gaps[:0]
					for k := 1; k < len(times[x]); k++ {
						gaps = append(gaps, times[x][k]-times[x][k-1])
					}
					slices.Sort(gaps)
					m := len(gaps)
					med2 := 2 * gaps[m/2] // twice the median, to stay in integers
					if m%2 == 0 {
						med2 = gaps[m/2-1] + gaps[m/2]
					}
					if med2 <= 20 {
						a.fast10++
					}
					if med2 <= 120 {
						a.fast60++
					}
				}
			}
			i = j
		}
	}
	return acc, nil
}

// eachRecord calls fn for every (amplifier, time<<1|subset) record of a file.
func eachRecord(name string, fn func(amp, tt uint32)) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("read repost records: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	var rec [8]byte
	for {
		if _, err := io.ReadFull(br, rec[:]); err != nil {
			if err == io.EOF {
				return nil
			}
			return fmt.Errorf("read repost records %s: %w", name, err)
		}
		fn(binary.LittleEndian.Uint32(rec[:4]), binary.LittleEndian.Uint32(rec[4:]))
	}
}

// splitRecords copies the records of files into n bucket files by amplifier modulo n, beside
// the first file, and returns each bucket's file as a group of one.
func splitRecords(files []string, n uint32) ([][]string, error) {
	dir := filepath.Dir(files[0])
	outs := make([]*os.File, n)
	bws := make([]*bufio.Writer, n)
	groups := make([][]string, n)
	closeAll := func() {
		for _, f := range outs {
			if f != nil {
				f.Close()
			}
		}
	}
	for b := range outs {
		name := filepath.Join(dir, fmt.Sprintf("bucket-%04d.bin", b))
		f, err := os.Create(name)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("split repost records: %w", err)
		}
		outs[b], bws[b], groups[b] = f, bufio.NewWriterSize(f, 1<<15), []string{name}
	}
	var werr error
	for _, name := range files {
		err := eachRecord(name, func(amp, tt uint32) {
			var rec [8]byte
			binary.LittleEndian.PutUint32(rec[:4], amp)
			binary.LittleEndian.PutUint32(rec[4:], tt)
			if _, err := bws[amp%n].Write(rec[:]); err != nil && werr == nil {
				werr = err
			}
		})
		if err != nil {
			closeAll()
			return nil, err
		}
	}
	for b := range bws {
		if err := bws[b].Flush(); err != nil && werr == nil {
			werr = err
		}
	}
	closeAll()
	if werr != nil {
		return nil, fmt.Errorf("split repost records: %w", werr)
	}
	return groups, nil
}

// writeTables writes watchlist.csv, status.csv and labels.csv.
func writeTables(w *world, dir string, seen *[2][]uint64, t *Truth) error {
	p := w.P
	write := func(name string, header []string, rows func(cw *csv.Writer) error) error {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("create %s: %w", path, err)
		}
		bw := bufio.NewWriterSize(f, 1<<16)
		cw := csv.NewWriter(bw)
		if err := cw.Write(header); err != nil {
			f.Close()
			return err
		}
		if err := rows(cw); err != nil {
			f.Close()
			return fmt.Errorf("write %s: %w", path, err)
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			f.Close()
			return fmt.Errorf("write %s: %w", path, err)
		}
		if err := bw.Flush(); err != nil {
			f.Close()
			return fmt.Errorf("write %s: %w", path, err)
		}
		return f.Close()
	}
	err := write(WatchlistFile, []string{"platform", "handle", "id", "actor_type", "country", "outlet", "lang", "since", "until"}, func(cw *csv.Writer) error {
		for _, a := range w.Watch {
			if err := cw.Write([]string{"x", a.Handle, a.IDStr, string(a.Actor), a.Country, a.Outlet, a.Lang, "", ""}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = write(LabelsFile, []string{"platform", "account_id", "handle", "observed_at", "label", "class"}, func(cw *csv.Writer) error {
		for _, a := range w.Watch {
			if a.Label == "" {
				continue
			}
			t.Files.LabelRows++
			if err := cw.Write([]string{"x", a.IDStr, a.Handle, p.LabelObsAt.Format(time.RFC3339), a.Label, string(a.Class)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	rawCode := map[event.Status]string{event.StatusSuspended: "63", event.StatusDeleted: "50"}
	first, later := p.StatusAsOf.Format(time.RFC3339), p.StatusLater.Format(time.RFC3339)
	return write(StatusFile, []string{"platform", "account_id", "handle", "observed_at", "status", "raw_code"}, func(cw *csv.Writer) error {
		row := func(id, handle, at string, st event.Status) error {
			t.Files.StatusRows++
			return cw.Write([]string{"x", id, handle, at, string(st), rawCode[st]})
		}
		for _, a := range w.Watch {
			if err := row(a.IDStr, a.Handle, first, event.StatusActive); err != nil {
				return err
			}
		}
		for amp := uint32(0); int(amp) < w.NumAmps(); amp++ {
			if !getBit(seen[0], amp) && !getBit(seen[1], amp) {
				continue
			}
			id, handle := strconv.FormatUint(w.ampID(amp), 10), w.ampHandle(amp)
			var st, lt event.Status
			if int(amp) < w.NOrganic {
				st, lt = w.orgStatus(int(amp)), w.orgLater(int(amp))
			} else {
				pa := w.Planted[int(amp)-w.NOrganic]
				st, lt = pa.Status, pa.Later
			}
			if err := row(id, handle, first, st); err != nil {
				return err
			}
			if lt != "" {
				if err := row(id, handle, later, lt); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func writeTruth(path string, t *Truth) error {
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return fmt.Errorf("encode truth: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write truth: %w", err)
	}
	return nil
}
