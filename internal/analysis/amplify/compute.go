package amplify

import (
	"github.com/echotrace/echotrace/internal/radix"

	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
)

const (
	day  = 86400
	hour = 3600
	// lorenzPoints bounds the number of Lorenz points in Findings.
	lorenzPoints = 200
	// maxBursts bounds the listed creation bursts.
	maxBursts = 20
)

func (p Params) withDefaults() Params {
	if p.HeavyMin <= 0 {
		p.HeavyMin = 100
	}
	if p.PerAccountMin <= 0 {
		p.PerAccountMin = 100
	}
	if p.BurstMin <= 0 {
		p.BurstMin = 5
	}
	if p.BurstFactor <= 0 {
		p.BurstFactor = 5
	}
	if p.TopN <= 0 {
		p.TopN = 50
	}
	if p.ConcentrationBase == "" {
		p.ConcentrationBase = BaseReposters
	}
	return p
}

// Selected reports whether the filter selects the watch entry.
func (f Filter) Selected(w WatchEntry) bool {
	if len(f.ActorTypes) > 0 && !slices.ContainsFunc(f.ActorTypes, func(s string) bool {
		return strings.EqualFold(strings.TrimSpace(s), w.ActorType)
	}) {
		return false
	}
	if len(f.Countries) > 0 && !slices.ContainsFunc(f.Countries, func(s string) bool {
		return strings.EqualFold(strings.TrimSpace(s), w.Country)
	}) {
		return false
	}
	if len(f.Accounts) > 0 && !slices.ContainsFunc(f.Accounts, func(s string) bool {
		s = strings.TrimSpace(s)
		return (w.ID != "" && s == w.ID) ||
			(w.Handle != "" && strings.EqualFold(strings.TrimPrefix(s, "@"), strings.TrimPrefix(w.Handle, "@")))
	}) {
		return false
	}
	return true
}

// within reports whether t lies in [lo, hi]; NoTime bounds are open, and an unknown t lies
// only in the unbounded interval.
func within(t, lo, hi int64) bool {
	if lo != NoTime && (t == NoTime || t < lo) {
		return false
	}
	if hi != NoTime && (t == NoTime || t > hi) {
		return false
	}
	return true
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// weekStart returns the Monday 00:00 UTC of t's week, in unix seconds.
func weekStart(t int64) int64 {
	d := floorDiv(t, day)
	wd := ((d+3)%7 + 7) % 7 // 1970-01-01 (day 0) was a Thursday, 3 days after a Monday
	return (d - wd) * day
}

func dateOf(t int64) string { return time.Unix(t, 0).UTC().Format(time.DateOnly) }

func rfc3339(t int64) string { return time.Unix(t, 0).UTC().Format(time.RFC3339) }

// acc accumulates the figures of one watch entry.
type acc struct {
	posts, originals, withCounts    int64
	likes, reposts, replies, quotes int64
	targetReposts, watchReposts     int64
	suspended, deleted, coordinated int64
	labelled                        bool
	amplifiers                      int
	maxCoverage                     float64
	halfCoverage                    int
	topShare                        TopMap
	gini                            float64
	measured                        bool
}

// volume accumulates one VolumeRow.
type volume struct {
	row      VolumeRow
	accounts map[int32]struct{}
}

func addVolume(m map[string]*volume, key string, w int32, p *Posts, i int) {
	v := m[key]
	if v == nil {
		v = &volume{row: VolumeRow{Key: key}, accounts: map[int32]struct{}{}}
		m[key] = v
	}
	v.accounts[w] = struct{}{}
	v.row.Posts++
	if p.Kind[i] == PostRepost {
		return
	}
	v.row.Likes += known(p.Likes[i])
	v.row.Reposts += known(p.Reposts[i])
	v.row.Replies += known(p.Replies[i])
	v.row.Quotes += known(p.Quotes[i])
}

func volumeRows(m map[string]*volume) []VolumeRow {
	out := make([]VolumeRow, 0, len(m))
	for _, v := range m {
		r := v.row
		r.Accounts = len(v.accounts)
		r.Shares = r.Reposts + r.Quotes
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b VolumeRow) int { return cmp.Compare(a.Key, b.Key) })
	return out
}

func known(c int64) int64 {
	if c < 0 {
		return 0
	}
	return c
}

// pair packs two non-negative int32 indexes into one sortable key.
func pair(hi, lo int32) uint64 { return uint64(uint32(hi))<<32 | uint64(uint32(lo)) }

func unpair(k uint64) (int32, int32) { return int32(k >> 32), int32(uint32(k)) }

// Compute measures the findings of DESIGN §4 (formulas in docs/metrics.md) over in, for the
// window, watchlist subset and observation dates of p. It is deterministic and does no I/O.
func Compute(in Input, p Params) (Findings, error) {
	if err := in.Validate(); err != nil {
		return Findings{}, fmt.Errorf("amplify: invalid input: %w", err)
	}
	groups, source := p.ActorGroups, p.ActorGroupsSource
	if groups == nil {
		groups = DefaultActorGroups
		if source == "" {
			source = GroupsFromDefaults
		}
	}
	// The total and every group are independent computations over the same read-only input:
	// they run concurrently.
	type result struct {
		f     Findings
		types []string
		err   error
	}
	res := make([]result, len(groups)+1)
	var wg sync.WaitGroup
	for i, g := range groups {
		q := p
		q.Filter.ActorTypes = intersectFold(p.Filter.ActorTypes, g.ActorTypes)
		if len(q.Filter.ActorTypes) == 0 {
			continue // the run's filter leaves none of the group's types
		}
		res[i+1].types = q.Filter.ActorTypes
		wg.Go(func() { res[i+1].f, res[i+1].err = compute(in, q) })
	}
	res[0].f, res[0].err = compute(in, p)
	wg.Wait()
	f := res[0].f
	if res[0].err != nil {
		return f, res[0].err
	}
	f.ActorGroupsSource = source
	for _, g := range groups {
		f.ActorGroupsDefined = append(f.ActorGroupsDefined, ActorGroup{Name: g.Name, ActorTypes: slices.Clone(g.ActorTypes)})
	}
	for i, g := range groups {
		r := res[i+1]
		if r.err != nil {
			return f, fmt.Errorf("actor group %s: %w", g.Name, r.err)
		}
		if r.types == nil || r.f.WatchAccounts == 0 {
			continue // filtered out, or the study watches no account of the group
		}
		figs := map[string]float64{}
		for _, m := range r.f.Headline() {
			figs[m.Key] = m.Value
		}
		f.ActorGroups = append(f.ActorGroups, GroupFindings{Name: g.Name, ActorTypes: r.types, Figures: figs})
	}
	return f, nil
}

// intersectFold returns the values of group also in filter (case-insensitive); an empty filter
// keeps the whole group.
func intersectFold(filter, group []string) []string {
	if len(filter) == 0 {
		return group
	}
	var out []string
	for _, g := range group {
		if slices.ContainsFunc(filter, func(s string) bool { return strings.EqualFold(strings.TrimSpace(s), g) }) {
			out = append(out, g)
		}
	}
	return out
}

// compute is Compute without the actor groups.
func compute(in Input, p Params) (Findings, error) {
	p = p.withDefaults()
	if p.ConcentrationBase != BaseReposters && p.ConcentrationBase != BaseAmplifiers {
		return Findings{}, fmt.Errorf("amplify: concentration base %q: want %q or %q", p.ConcentrationBase, BaseReposters, BaseAmplifiers)
	}
	since, until := unix(p.Since), unix(p.Until)
	if since != NoTime && until != NoTime && since > until {
		return Findings{}, fmt.Errorf("amplify: since %s is after until %s", rfc3339(since), rfc3339(until))
	}
	asOf := unix(p.AsOf)
	labelAsOf := unix(p.LabelAsOf)
	if labelAsOf == NoTime {
		labelAsOf = asOf
	}

	nw, na := len(in.Watch), in.Accounts.Len()
	posts, eng := &in.Posts, &in.Engagements
	f := Findings{Filter: p.Filter}

	// Watchlist: the selected subset, and which accounts are watchlist accounts at all.
	selected := make([]bool, nw)
	isWatch := make([]bool, na)
	for w, e := range in.Watch {
		selected[w] = p.Filter.Selected(e)
		if selected[w] {
			f.WatchAccounts++
		}
		if e.Account >= 0 {
			isWatch[e.Account] = true
		}
	}

	// Target posts: by a selected account, in the window and in the entry's own period.
	target := make([]bool, posts.Len())
	per := make([]acc, nw)
	byPlatform, byActor, byCountry, byOutlet, byMonth := map[string]*volume{}, map[string]*volume{},
		map[string]*volume{}, map[string]*volume{}, map[string]*volume{}
	first, last := NoTime, NoTime
	for i, w := range posts.Author {
		e := &in.Watch[w]
		t := posts.Created[i]
		if !selected[w] || !within(t, since, until) || !within(t, e.Since, e.Until) {
			continue
		}
		target[i] = true
		a := &per[w]
		a.posts++
		f.Posts++
		f.Events.Likes += posts.LikeEvents[i]
		if t != NoTime {
			if first == NoTime || t < first {
				first = t
			}
			if last == NoTime || t > last {
				last = t
			}
		}
		if posts.Kind[i] == PostOriginal {
			a.originals++
		}
		if posts.Kind[i] != PostRepost { // a repost's public counts are those of the reposted post
			a.likes += known(posts.Likes[i])
			a.reposts += known(posts.Reposts[i])
			a.replies += known(posts.Replies[i])
			a.quotes += known(posts.Quotes[i])
			if posts.Likes[i] >= 0 || posts.Reposts[i] >= 0 || posts.Replies[i] >= 0 || posts.Quotes[i] >= 0 {
				a.withCounts++
			}
		}
		month := "unknown"
		if t != NoTime {
			month = time.Unix(t, 0).UTC().Format("2006-01")
		}
		addVolume(byPlatform, e.Platform, w, posts, i)
		addVolume(byActor, orNone(e.ActorType), w, posts, i)
		addVolume(byCountry, orNone(e.Country), w, posts, i)
		addVolume(byOutlet, orNone(e.Outlet), w, posts, i)
		addVolume(byMonth, month, w, posts, i)
	}
	f.Since, f.Until = since, until
	if since == NoTime {
		f.Since = first
	}
	if until == NoTime {
		f.Until = last
	}
	if f.Since == NoTime {
		f.Since = 0
	} else {
		f.SinceDate = rfc3339(f.Since)
	}
	if f.Until == NoTime {
		f.Until = 0
	} else {
		f.UntilDate = rfc3339(f.Until)
	}
	if asOf != NoTime {
		f.StatusAsOf = asOf
		f.StatusAsOfD = rfc3339(asOf)
	}
	if labelAsOf != NoTime {
		f.LabelAsOf = labelAsOf
	}
	f.ByPlatform, f.ByActorType, f.ByCountry = volumeRows(byPlatform), volumeRows(byActor), volumeRows(byCountry)
	f.ByOutlet, f.ByMonth = volumeRows(byOutlet), volumeRows(byMonth)

	// Labels: the latest observation at or before the label date; at equal times a
	// government or state-media label wins over none.
	labelAt := make([]int64, nw)
	for w := range labelAt {
		labelAt[w] = NoTime
	}
	for i, w := range in.Labels.Watch {
		t := in.Labels.At[i]
		if labelAsOf != NoTime && t > labelAsOf {
			continue
		}
		l := in.Labels.Class[i] != LabelNone
		if labelAt[w] == NoTime || t > labelAt[w] || (t == labelAt[w] && l) {
			labelAt[w], per[w].labelled = t, l
		}
	}

	countries := map[string]struct{}{}
	labelActor, labelCountry := map[string]*LabelRow{}, map[string]*LabelRow{}
	for w, e := range in.Watch {
		if per[w].posts == 0 {
			continue
		}
		f.IncludedAccounts++
		if e.Country != "" {
			countries[strings.ToUpper(e.Country)] = struct{}{}
		}
		a := &per[w]
		f.OriginalPosts += a.originals
		f.Likes += a.likes
		f.Reposts += a.reposts
		f.Replies += a.replies
		f.Quotes += a.quotes
		f.PostsWithCounts += a.withCounts
		if a.labelled {
			f.LabelledAccounts++
		}
		for _, m := range []struct {
			rows map[string]*LabelRow
			key  string
		}{{labelActor, orNone(e.ActorType)}, {labelCountry, orNone(e.Country)}} {
			r := m.rows[m.key]
			if r == nil {
				r = &LabelRow{Key: m.key}
				m.rows[m.key] = r
			}
			r.Accounts++
			if a.labelled {
				r.Labelled++
			}
		}
	}
	f.Countries = len(countries)
	f.Shares = f.Reposts + f.Quotes
	f.LabelShare = share(int64(f.LabelledAccounts), int64(f.IncludedAccounts))
	f.LabelByActorType, f.LabelByCountry = labelRows(labelActor), labelRows(labelCountry)

	// Status as of the status date: the latest observation at or before it; at equal times
	// the larger Status (deleted > suspended > protected > active > unknown) wins.
	status := make([]Status, na)
	statusAt := make([]int64, na)
	for i := range statusAt {
		statusAt[i] = NoTime
	}
	for i, a := range in.Statuses.Account {
		t, s := in.Statuses.At[i], in.Statuses.Status[i]
		if asOf != NoTime && t > asOf {
			continue
		}
		if statusAt[a] == NoTime || t > statusAt[a] || (t == statusAt[a] && s > status[a]) {
			statusAt[a], status[a] = t, s
		}
	}

	coordinated := make([]bool, na)
	if len(p.Coordinated) > 0 {
		set := make(map[string]struct{}, len(p.Coordinated))
		for _, id := range p.Coordinated {
			set[id] = struct{}{}
		}
		for i, id := range in.Accounts.ID {
			_, coordinated[i] = set[id]
		}
	}

	// One pass over the engagements of target posts.
	nReposts := make([]int64, na)
	nQuotes := make([]int64, na)
	nReplies := make([]int64, na)
	firstEng := make([]int64, na)
	for i := range firstEng {
		firstEng[i] = NoTime
	}
	// (watch, account), (watch, account), (account, post); at most one of each per engagement.
	repostPairs := make([]uint64, 0, len(eng.Post))
	engagePairs := make([]uint64, 0, len(eng.Post))
	coverKeys := make([]uint64, 0, len(eng.Post))
	// Weekly rows, indexed by (watch index + 1, week number); watch index -1 stands for all.
	weekIdx := map[uint64]int32{}
	weeks := []WeekRow{}
	var weekPlatform []string // of each row's watch account; "" for all
	addWeek := func(w int32, ws int64, cat int, coord bool) {
		k := uint64(uint32(w+1))<<32 | uint64(uint32(int32(floorDiv(ws, 7*day))))
		i, ok := weekIdx[k]
		if !ok {
			i = int32(len(weeks))
			weekIdx[k] = i
			r := WeekRow{Week: dateOf(ws)}
			platform := ""
			if w >= 0 {
				r.Account, platform = in.Watch[w].ID, in.Watch[w].Platform
			}
			weeks = append(weeks, r)
			weekPlatform = append(weekPlatform, platform)
		}
		r := &weeks[i]
		r.Reposts++
		switch cat {
		case 0:
			r.Suspended++
		case 1:
			r.Deleted++
		case 2:
			r.Coordinated++
		default:
			r.Other++
		}
		if coord {
			r.CoordinatedAll++
		}
	}
	latencies := make([]int64, 0, 1024)
	var suspendedReposts, deletedReposts, coordReposts int64
	for i, pi := range eng.Post {
		if !target[pi] {
			continue
		}
		a, k, at := eng.Account[i], eng.Kind[i], eng.At[i]
		w := posts.Author[pi]
		switch k {
		case Repost:
			f.Events.Reposts++
		case Quote:
			f.Events.Quotes++
		case Reply:
			f.Events.Replies++
		}
		if isWatch[a] {
			if k == Repost {
				f.WatchReposts++
				per[w].watchReposts++
			}
			continue
		}
		if at != NoTime && (firstEng[a] == NoTime || at < firstEng[a]) {
			firstEng[a] = at
		}
		engagePairs = append(engagePairs, pair(w, a))
		if posts.Kind[pi] == PostOriginal && (k == Repost || k == Reply) {
			coverKeys = append(coverKeys, pair(a, pi))
		}
		switch k {
		case Quote:
			nQuotes[a]++
			f.TargetQuotes++
			continue
		case Reply:
			nReplies[a]++
			f.TargetReplies++
			continue
		}
		nReposts[a]++
		f.TargetReposts++
		per[w].targetReposts++
		repostPairs = append(repostPairs, pair(w, a))
		cat := 3
		switch {
		case status[a] == StatusSuspended:
			cat = 0
			suspendedReposts++
			per[w].suspended++
		case status[a] == StatusDeleted:
			cat = 1
			deletedReposts++
			per[w].deleted++
		case coordinated[a]:
			cat = 2
		}
		if coordinated[a] {
			coordReposts++
			per[w].coordinated++
		}
		wt := at
		if wt == NoTime {
			wt = posts.Created[pi]
		}
		if wt != NoTime {
			ws := weekStart(wt)
			addWeek(-1, ws, cat, coordinated[a])
			addWeek(w, ws, cat, coordinated[a])
		}
		if at != NoTime && posts.Created[pi] != NoTime {
			f.TimedReposts++
			if l := at - posts.Created[pi]; l >= 0 {
				latencies = append(latencies, l)
			} else {
				f.NegativeLatencies++
			}
		}
	}
	f.SuspendedRepostShare = share(suspendedReposts, f.TargetReposts)
	f.DeletedRepostShare = share(deletedReposts, f.TargetReposts)
	f.CoordinatedRepostShare = share(coordReposts, f.TargetReposts)

	lh := newHistogram(secondEdges)
	for _, l := range latencies {
		lh.add(float64(l))
	}
	f.LatencyHist = lh.bins()
	f.MedianLatency = zeroNaN(median(latencies))

	// Amplifiers and their statuses.
	var reposters []int32
	var amplifiers []int32
	for a := range na {
		if nReposts[a]+nQuotes[a]+nReplies[a] == 0 {
			continue
		}
		amplifiers = append(amplifiers, int32(a))
		if nReposts[a] > 0 {
			reposters = append(reposters, int32(a))
		}
		switch status[a] {
		case StatusSuspended:
			f.SuspendedAmplifiers++
		case StatusDeleted:
			f.DeletedAmplifiers++
		}
		if statusAt[a] != NoTime {
			f.ObservedAmplifiers++
		}
		if coordinated[a] {
			f.CoordinatedAccounts++
		}
	}
	f.Amplifiers, f.Reposters = len(amplifiers), len(reposters)

	// Concentration, global: target reposts per reposting account (DESIGN §4, the reference
	// study's rule), or with BaseAmplifiers per amplifier, those with no repost (only quotes or
	// replies) as zeros.
	zeros := p.ConcentrationBase == BaseAmplifiers
	f.ConcentrationBase = p.ConcentrationBase
	counts := make([]int64, 0, len(amplifiers))
	for _, a := range amplifiers {
		if nReposts[a] > 0 || zeros {
			counts = append(counts, nReposts[a])
		}
	}
	slices.Sort(counts)
	f.Gini = Gini(counts)
	f.Lorenz = Lorenz(counts, lorenzPoints)
	slices.Reverse(counts)
	f.TopShare = TopShares(counts)

	// Per watch account: its amplifiers (any of repost, quote, reply) with their reposts of its
	// posts (the reposters only, unless BaseAmplifiers), for its concentration; and each reposter's top watch account.
	// Every repost pair is also an engagement pair, so one merge of the sorted lists counts them.
	scratch := make([]uint64, max(len(engagePairs), len(coverKeys)))
	radix.Sort(repostPairs, scratch)
	radix.Sort(engagePairs, scratch)
	engagePairs = slices.Compact(engagePairs)
	topWatch := make([]int32, na)
	topCount := make([]int64, na)
	watchesReached := make([]int32, na)
	{
		var cur []int64
		flush := func(w int32) {
			if len(cur) == 0 {
				return
			}
			a := &per[w]
			if a.targetReposts >= int64(p.PerAccountMin) {
				a.measured = true
				slices.Sort(cur)
				a.gini = Gini(cur)
				slices.Reverse(cur)
				a.topShare = TopShares(cur)
			}
			cur = cur[:0]
		}
		curW := int32(-1)
		j := 0
		for _, k := range engagePairs {
			w, a := unpair(k)
			var c int64
			for j < len(repostPairs) && repostPairs[j] == k {
				c++
				j++
			}
			if w != curW {
				flush(curW)
				curW = w
			}
			if c > 0 || zeros {
				cur = append(cur, c)
			}
			per[w].amplifiers++
			if c > 0 {
				watchesReached[a]++
				if c > topCount[a] { // ties: the watch entry listed first
					topCount[a], topWatch[a] = c, w
				}
			}
		}
		flush(curW)
	}

	// Coverage: distinct original posts of a watch account an amplifier reposted or replied to.
	radix.Sort(coverKeys, scratch)
	coverKeys = slices.Compact(coverKeys)
	byWatch := make([]uint64, len(coverKeys))
	for i, k := range coverKeys {
		a, pi := unpair(k)
		byWatch[i] = pair(posts.Author[pi], a)
	}
	radix.Sort(byWatch, scratch)
	scratch = nil
	topCoverage := make([]float64, na)
	for i := 0; i < len(byWatch); {
		j := i
		for j < len(byWatch) && byWatch[j] == byWatch[i] {
			j++
		}
		w, a := unpair(byWatch[i])
		cov := share(int64(j-i), per[w].originals)
		if cov > per[w].maxCoverage {
			per[w].maxCoverage = cov
		}
		if 2*(j-i) >= int(per[w].originals) {
			per[w].halfCoverage++
		}
		if nReposts[a] > 0 && w == topWatch[a] {
			topCoverage[a] = cov
		}
		i = j
	}

	// Focus on one watch account, and on named groups.
	fh := newHistogram(tenthEdges)
	for _, a := range reposters {
		if nReposts[a] >= 2 {
			fh.add(float64(topCount[a]) / float64(nReposts[a]))
		}
	}
	f.FocusHist = fh.bins()
	topGroup, topGroupShare := groupFocus(&f, in, p, per, repostPairs, nReposts, na)

	// Speed: per reposter, the sorted times of its timed target reposts (CSR layout).
	off := make([]int64, na+1)
	for i, pi := range eng.Post {
		if target[pi] && eng.Kind[i] == Repost && !isWatch[eng.Account[i]] && eng.At[i] != NoTime {
			off[eng.Account[i]+1]++
		}
	}
	for a := range na {
		off[a+1] += off[a]
	}
	times := make([]int64, off[na])
	lats := make([]int64, off[na]) // latency per timed repost, -1 when the post time is unknown or later
	fill := slices.Clone(off[:na])
	for i, pi := range eng.Post {
		a := eng.Account[i]
		if target[pi] && eng.Kind[i] == Repost && !isWatch[a] && eng.At[i] != NoTime {
			times[fill[a]] = eng.At[i]
			l := int64(-1)
			if c := posts.Created[pi]; c != NoTime && eng.At[i] >= c {
				l = eng.At[i] - c
			}
			lats[fill[a]] = l
			fill[a]++
		}
	}
	medGap := make([]float64, na)
	medLat := make([]float64, na)
	gh, mgh, alh := newHistogram(secondEdges), newHistogram(secondEdges), newHistogram(secondEdges)
	var heavy, fast10, fast60 int
	gaps := make([]int64, 0, 1024)
	for _, a := range reposters {
		ts := times[off[a]:off[a+1]]
		slices.Sort(ts)
		gaps = gaps[:0]
		for i := 1; i < len(ts); i++ {
			g := ts[i] - ts[i-1]
			gaps = append(gaps, g)
			gh.add(float64(g))
		}
		medGap[a] = median(gaps)
		if !math.IsNaN(medGap[a]) {
			mgh.add(medGap[a])
		}
		ls := lats[off[a]:off[a+1]]
		k := 0
		for _, l := range ls {
			if l >= 0 {
				ls[k] = l
				k++
			}
		}
		medLat[a] = median(ls[:k])
		alh.add(medLat[a])
		if nReposts[a] > int64(p.HeavyMin) {
			heavy++
			if medGap[a] <= 10 { // false for NaN
				fast10++
			}
			if medGap[a] <= 60 {
				fast60++
			}
		}
	}
	f.HeavyAmplifiers = heavy
	f.FastAmplifiers10s = share(int64(fast10), int64(heavy))
	f.FastAmplifiers60s = share(int64(fast60), int64(heavy))
	f.GapHist, f.MedianGapHist, f.AmplifierLatencyHist = gh.bins(), mgh.bins(), alh.bins()

	// Account age at first target engagement, and creation bursts.
	ages := make([]int64, 0, len(amplifiers))
	ah := newHistogram(dayEdges)
	var created []int64
	for _, a := range amplifiers {
		c := in.Accounts.Created[a]
		if c == NoTime {
			continue
		}
		created = append(created, c)
		if firstEng[a] != NoTime && firstEng[a] >= c {
			ages = append(ages, firstEng[a]-c)
			ah.add(float64(firstEng[a]-c) / day)
		}
	}
	f.AgedAmplifiers = len(ages)
	f.AgeHist = ah.bins()
	f.MedianAgeDays = zeroNaN(median(ages) / day)
	f.CreationDays, f.CreationBursts = bursts(created, day, p, amplifiers, in.Accounts.Created, nReposts)
	_, f.CreationHourBursts = bursts(created, hour, p, amplifiers, in.Accounts.Created, nReposts)

	// Top amplifiers.
	top := slices.Clone(amplifiers)
	slices.SortFunc(top, func(x, y int32) int {
		if c := cmp.Compare(nReposts[y], nReposts[x]); c != 0 {
			return c
		}
		if c := cmp.Compare(nQuotes[y]+nReplies[y], nQuotes[x]+nReplies[x]); c != 0 {
			return c
		}
		if c := cmp.Compare(in.Platforms[in.Accounts.Platform[x]], in.Platforms[in.Accounts.Platform[y]]); c != 0 {
			return c
		}
		return cmp.Compare(in.Accounts.ID[x], in.Accounts.ID[y])
	})
	if len(top) > p.TopN {
		top = top[:p.TopN]
	}
	f.TopAmplifiers = make([]AmplifierRow, 0, len(top))
	for _, a := range top {
		r := AmplifierRow{
			Platform: in.Platforms[in.Accounts.Platform[a]], ID: in.Accounts.ID[a], Handle: in.Accounts.Handle[a],
			Reposts: nReposts[a], Quotes: nQuotes[a], Replies: nReplies[a], WatchAccounts: int(watchesReached[a]),
			MedianGap: -1, MedianLatency: -1, Status: status[a].String(), Coordinated: coordinated[a],
		}
		if !math.IsNaN(medGap[a]) && nReposts[a] > 0 {
			r.MedianGap = medGap[a]
		}
		if !math.IsNaN(medLat[a]) && nReposts[a] > 0 {
			r.MedianLatency = medLat[a]
		}
		if c := in.Accounts.Created[a]; c != NoTime {
			r.Created = rfc3339(c)
		}
		if nReposts[a] > 0 {
			r.TopAccount = in.Watch[topWatch[a]].ID
			r.TopAccountShare = float64(topCount[a]) / float64(nReposts[a])
			r.Coverage = topCoverage[a]
		}
		if topGroup != nil {
			r.TopGroup, r.TopGroupShare = topGroup[a], topGroupShare[a]
		}
		f.TopAmplifiers = append(f.TopAmplifiers, r)
	}

	// Per watch account rows.
	for w, e := range in.Watch {
		a := &per[w]
		if a.posts == 0 {
			continue
		}
		r := AccountRow{
			Platform: e.Platform, ID: e.ID, Handle: e.Handle, ActorType: e.ActorType, Country: e.Country,
			Outlet: e.Outlet, Labelled: a.labelled, Posts: a.posts, Originals: a.originals, Likes: a.likes,
			Reposts: a.reposts, Replies: a.replies, Quotes: a.quotes, Amplifiers: a.amplifiers,
			TargetReposts: a.targetReposts, WatchReposts: a.watchReposts,
			SuspendedRepostShare:   share(a.suspended, a.targetReposts),
			DeletedRepostShare:     share(a.deleted, a.targetReposts),
			CoordinatedRepostShare: share(a.coordinated, a.targetReposts),
			Measured:               a.measured, TopShare: a.topShare, Gini: a.gini,
			MaxCoverage: a.maxCoverage, HalfCoverage: a.halfCoverage,
		}
		f.PerAccount = append(f.PerAccount, r)
	}
	slices.SortStableFunc(f.PerAccount, func(x, y AccountRow) int {
		if c := cmp.Compare(y.TargetReposts, x.TargetReposts); c != 0 {
			return c
		}
		if c := cmp.Compare(x.Platform, y.Platform); c != 0 {
			return c
		}
		return cmp.Compare(x.ID, y.ID)
	})

	// Weekly composition: all selected accounts first, then per account; by week.
	// One watch id can be listed on two platforms: their rows are told apart by the platform,
	// so that the order never depends on the order of the engagements.
	order := make([]int, len(weeks))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int {
		x, y := &weeks[i], &weeks[j]
		if c := cmp.Compare(x.Account, y.Account); c != 0 {
			return c
		}
		if c := cmp.Compare(weekPlatform[i], weekPlatform[j]); c != 0 {
			return c
		}
		return cmp.Compare(x.Week, y.Week)
	})
	f.Weekly = make([]WeekRow, len(weeks))
	for k, i := range order {
		f.Weekly[k] = weeks[i]
	}
	return f, nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func zeroNaN(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return v
}

func labelRows(m map[string]*LabelRow) []LabelRow {
	out := make([]LabelRow, 0, len(m))
	for _, r := range m {
		r.Share = share(int64(r.Labelled), int64(r.Accounts))
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b LabelRow) int { return cmp.Compare(a.Key, b.Key) })
	return out
}

// groupFocus fills f.Groups and returns, per account, its most-reposted group and that
// group's share of its target reposts (nil when no groups are named).
func groupFocus(f *Findings, in Input, p Params, per []acc, repostPairs []uint64, nReposts []int64, na int) ([]string, []float64) {
	if len(p.GroupNames) == 0 {
		return nil, nil
	}
	lookup := make(map[string]string, len(p.GroupNames))
	for k, g := range p.GroupNames {
		lookup[strings.ToLower(strings.TrimPrefix(strings.TrimSpace(k), "@"))] = g
	}
	groupName := make([]string, len(in.Watch))
	set := map[string]struct{}{}
	for w, e := range in.Watch {
		g, ok := lookup[strings.ToLower(e.ID)]
		if !ok && e.Handle != "" {
			g = lookup[strings.ToLower(strings.TrimPrefix(e.Handle, "@"))]
		}
		if g != "" {
			groupName[w] = g
			set[g] = struct{}{}
		}
	}
	names := make([]string, 0, len(set))
	for g := range set {
		names = append(names, g)
	}
	slices.Sort(names)
	groupOf := make([]int32, len(in.Watch))
	for w := range in.Watch {
		groupOf[w] = -1
		if groupName[w] != "" {
			i, _ := slices.BinarySearch(names, groupName[w])
			groupOf[w] = int32(i)
		}
	}
	rows := make([]GroupRow, len(names))
	for i, n := range names {
		rows[i].Group = n
	}
	for w := range in.Watch {
		if groupOf[w] >= 0 && per[w].posts > 0 {
			rows[groupOf[w]].Accounts++
		}
	}
	keys := make([]uint64, 0, len(repostPairs))
	for _, k := range repostPairs {
		w, a := unpair(k)
		if g := groupOf[w]; g >= 0 {
			keys = append(keys, pair(g, a))
		}
	}
	slices.Sort(keys)
	topGroup := make([]string, na)
	topShare := make([]float64, na)
	for i := 0; i < len(keys); {
		j := i
		for j < len(keys) && keys[j] == keys[i] {
			j++
		}
		g, a := unpair(keys[i])
		c := int64(j - i)
		rows[g].Reposts += c
		rows[g].Amplifiers++
		s := float64(c) / float64(nReposts[a])
		if nReposts[a] >= 2 && 2*c >= nReposts[a] {
			rows[g].Focused++
		}
		if s > topShare[a] {
			topShare[a], topGroup[a] = s, names[g]
		}
		i = j
	}
	f.Groups = rows
	return topGroup, topShare
}

// bursts counts amplifiers created per bucket (a UTC day or hour) and lists the buckets with
// at least max(BurstMin, BurstFactor × expected) creations, expected being the mean per bucket
// over the span from the first to the last creation. For days it also returns every day's count.
func bursts(created []int64, size int64, p Params, amplifiers []int32, createdAt []int64, nReposts []int64) ([]DayCount, []Burst) {
	if len(created) == 0 {
		return nil, nil
	}
	buckets := make([]int64, len(created))
	for i, c := range created {
		buckets[i] = floorDiv(c, size)
	}
	slices.Sort(buckets)
	reposts := map[int64]int64{}
	for _, a := range amplifiers {
		if c := createdAt[a]; c != NoTime {
			reposts[floorDiv(c, size)] += nReposts[a]
		}
	}
	span := buckets[len(buckets)-1] - buckets[0] + 1
	expected := float64(len(created)) / float64(span)
	threshold := max(float64(p.BurstMin), p.BurstFactor*expected)
	var days []DayCount
	var out []Burst
	for i := 0; i < len(buckets); {
		j := i
		for j < len(buckets) && buckets[j] == buckets[i] {
			j++
		}
		start := buckets[i] * size
		if size == day {
			days = append(days, DayCount{Day: dateOf(start), Count: j - i})
		}
		if float64(j-i) >= threshold {
			out = append(out, Burst{Start: rfc3339(start), Count: j - i, Expected: expected, Reposts: reposts[buckets[i]]})
		}
		i = j
	}
	slices.SortStableFunc(out, func(x, y Burst) int { return cmp.Compare(y.Count, x.Count) })
	if len(out) > maxBursts {
		out = out[:maxBursts]
	}
	return days, out
}
