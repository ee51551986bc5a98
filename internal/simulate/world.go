package simulate

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/echotrace/echotrace/internal/event"
)

// twitterEpochMs is the snowflake epoch: X post and account ids encode their creation time in
// milliseconds since this instant in their top 41 bits.
const twitterEpochMs = 1288834974657

// snowflake builds an X-style id from a time in milliseconds and the 22 low bits (worker and
// sequence).
func snowflake(ms int64, low uint64) uint64 {
	return uint64(ms-twitterEpochMs)<<22 | low&0x3fffff
}

// mix is splitmix64's finaliser: a cheap, well-distributed hash of x.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// hash2 hashes a pair; unit maps a hash to [0, 1).
func hash2(a, b uint64) uint64 { return mix(mix(a) ^ b) }
func unit(h uint64) float64    { return float64(h>>11) / (1 << 53) }

// newRand returns a PCG generator for a named stream of the seed.
func newRand(seed uint64, stream ...uint64) *rand.Rand {
	s := mix(seed ^ 0x5eed)
	for _, x := range stream {
		s = hash2(s, x)
	}
	return rand.New(rand.NewPCG(seed, s))
}

// Streams: distinct constants so that no two uses of the seed share random numbers. The
// values are part of the output's identity: changing one changes every world.
const (
	streamWatch   uint64 = 1
	streamPlanted uint64 = 2
	streamWeek    uint64 = 4
	streamPost    uint64 = 5
)

// Subsets of the watchlist with their own figures in truth.json.
const (
	subDiplomats  = 0
	subStateMedia = 1
	numSubsets    = 2
)

var subsetNames = [numSubsets]string{"diplomats", "state_media"}

// watchAccount is one account of the watchlist with its generative parameters.
type watchAccount struct {
	Idx       int
	ID        uint64
	IDStr     string
	Handle    string
	Name      string
	Actor     event.ActorType
	Country   string
	Outlet    string
	Lang      string
	Subset    int
	UK        bool
	Created   time.Time
	Followers int64
	Following int64
	TZ        int     // hours from UTC, for the daily posting rhythm
	BasePosts int     // posts at scale 1
	Posts     int     // posts at the run's scale
	Pop       float64 // popularity: multiplies organic engagement per post
	Label     string  // "" when unlabelled
	Class     event.LabelClass
	Shard     int
}

// plantedAccount is a member of a planted network or a hard negative.
type plantedAccount struct {
	J         int // index among planted accounts
	Amp       uint32
	ID        uint64
	IDStr     string
	Handle    string
	Name      string
	Created   time.Time
	Followers int64
	Status    event.Status // at StatusAsOf
	Later     event.Status // at StatusLater ("" when not observed again)
	Group     int          // index into world.Groups
}

// group is a planted network or a set of hard negatives.
type group struct {
	Name     string
	Style    string
	Negative bool
	Members  []int   // planted indices
	Targets  []int   // watch indices
	Batches  []Batch // creation batches (planted networks)
}

// Batch is a creation batch of a planted network: accounts created close together.
type Batch struct {
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Members int       `json:"members"`
}

// world is everything fixed before generation starts: the watchlist, the planted accounts and
// the organic population's size. Organic amplifiers' attributes are hash functions of the seed
// and their rank, so shards need no shared state to describe them.
type world struct {
	P        params
	Seed     uint64
	Scale    float64
	Watch    []watchAccount
	Planted  []plantedAccount
	Groups   []group
	NOrganic int // organic amplifiers: ranks 0..NOrganic-1, amp index = rank
	// Per-account planted behaviour, indexed by watch account.
	UKNet     int     // group index of the UK network
	SpreaderG int     // group index of the spreaders
	Fans      [][]int // watch idx → planted fans
	Bots      [][]int // watch idx → planted news bots
	CopyCell  [][]int // watch idx → copy-cell groups targeting it
	LinkCell  [][]int // watch idx → link-cell groups targeting it
	Spread    [][]int // watch idx → spreader planted indices following it
	// Spreader timing: per planted spreader index, session period and offset in seconds and
	// the time compression inside a session.
	SpreadPeriod map[int]float64
	SpreadPhase  map[int]float64
	SpreadComp   map[int]float64
	PopNorm      float64 // divides diplomat organic engagement so that means hit the targets
	SMNorm       float64 // the same for state-media likes and unseen counts (SMLikesPerPost, SMUnseenPerPost)
}

// NumAmps is the size of the amplifier index space: organic ranks, then planted accounts.
func (w *world) NumAmps() int { return w.NOrganic + len(w.Planted) }

var (
	outlets = []struct {
		Name, Slug string
		N          int
	}{
		{"CGTN", "cgtn", 40}, {"Xinhua", "xinhua", 25}, {"China Daily", "chinadaily", 22},
		{"People's Daily", "peoplesdaily", 20}, {"CCTV", "cctv", 18}, {"Global Times", "globaltimes", 15},
		{"China Radio International", "cri", 14}, {"China News Service", "chinanews", 10},
		{"China.org.cn", "chinaorg", 7}, {"Beijing Review", "bjreview", 5},
	}
	smLangs = []string{"en", "en", "en", "es", "fr", "ar", "ru", "zh", "pt", "de", "ja"}
)

// newWorld lays out the watchlist, the planted accounts and networks for a seed and scale.
func newWorld(p params, seed uint64, scale float64) *world {
	w := &world{P: p, Seed: seed, Scale: scale}
	r := newRand(seed, streamWatch)
	w.buildWatchlist(r)
	w.NOrganic = max(300, int(math.Round(float64(p.Amplifiers)*scale)))
	w.buildPlanted(newRand(seed, streamPlanted))
	w.assignShards()
	return w
}

func (w *world) buildWatchlist(r *rand.Rand) {
	p := w.P
	add := func(handle, name string, actor event.ActorType, country, outlet, lang string, sub int) *watchAccount {
		k := len(w.Watch)
		created := time.Date(2011+r.IntN(9), time.Month(1+r.IntN(12)), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), 0, time.UTC)
		if actor == event.ActorAmbassador || actor == event.ActorStaff {
			created = time.Date(2019+r.IntN(2), time.Month(1+r.IntN(5)), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), 0, time.UTC)
		}
		id := snowflake(created.UnixMilli()+999, 0x200000+uint64(k))
		w.Watch = append(w.Watch, watchAccount{
			Idx: k, ID: id, IDStr: strconv.FormatUint(id, 10), Handle: handle, Name: name,
			Actor: actor, Country: country, Outlet: outlet, Lang: lang, Subset: sub,
			Created: created, Following: int64(50 + r.IntN(800)), TZ: tzOf(country),
		})
		return &w.Watch[k]
	}
	// Diplomats: 6 ministry accounts, the UK pair, one account in each of 140 countries and
	// 41 more (consulates, staff, second ambassadors) in the first 41 of them: 189 in all.
	for i := 0; i < 6; i++ {
		add("prc_mfa_"+strconv.Itoa(i+1), "MFA Spokesperson "+strconv.Itoa(i+1), event.ActorMinistry, "CN", "", "en", subDiplomats)
	}
	add("prc_amb_gb", "PRC Ambassador to the UK", event.ActorAmbassador, "GB", "", "en", subDiplomats).UK = true
	add("prc_emb_gb", "PRC Embassy in the UK", event.ActorEmbassy, "GB", "", "en", subDiplomats).UK = true
	for i, c := range countries[:140] {
		lc := lower(c)
		if i%2 == 0 {
			add("prc_emb_"+lc, "PRC Embassy "+c, event.ActorEmbassy, c, "", langOf(c), subDiplomats)
		} else {
			add("prc_amb_"+lc, "PRC Ambassador "+c, event.ActorAmbassador, c, "", langOf(c), subDiplomats)
		}
	}
	extra := []event.ActorType{event.ActorConsulate, event.ActorStaff, event.ActorAmbassador}
	for i, c := range countries[:41] {
		a := extra[i%3]
		lc := lower(c)
		switch a {
		case event.ActorConsulate:
			add("prc_cons_"+lc, "PRC Consulate "+c, a, c, "", langOf(c), subDiplomats)
		case event.ActorStaff:
			add("prc_staff_"+lc, "PRC Embassy Staff "+c, a, c, "", langOf(c), subDiplomats)
		default:
			if i%2 == 0 {
				add("prc_amb_"+lc, "PRC Ambassador "+c, a, c, "", langOf(c), subDiplomats)
			} else {
				add("prc_dam_"+lc, "PRC Deputy Ambassador "+c, a, c, "", langOf(c), subDiplomats)
			}
		}
	}
	nDip := len(w.Watch)
	for _, o := range outlets {
		for i := 0; i < o.N; i++ {
			lang := smLangs[i%len(smLangs)]
			h := o.Slug + "_" + lang + strconv.Itoa(i/len(smLangs)+1)
			add(h, o.Name+" "+lang, event.ActorStateMedia, "CN", o.Name, lang, subStateMedia)
		}
	}

	// Posts over accounts: log-normal weights, exact totals at scale 1 by cumulative rounding.
	weights := make([]float64, len(w.Watch))
	pops := make([]float64, len(w.Watch))
	for i := range w.Watch {
		weights[i] = math.Exp(p.PostSpread * r.NormFloat64())
		pops[i] = math.Exp(p.PopSpread*r.NormFloat64() - p.PopSpread*p.PopSpread/2)
		switch w.Watch[i].Actor {
		case event.ActorMinistry:
			weights[i] *= 3
			pops[i] *= 6
		case event.ActorStateMedia:
			pops[i] = math.Exp(0.8*r.NormFloat64() - 0.32)
		}
	}
	w.Watch[6].BasePosts, w.Watch[7].BasePosts = 1740, p.UKPosts-1740
	// Ministry accounts (0–5) and other diplomats (8…) share the non-UK diplomat posts.
	spreadCounts(w.Watch, weights, 0, nDip, p.DiplomatPosts-p.UKPosts)
	spreadCounts(w.Watch, weights, nDip, len(w.Watch), p.StateMediaPosts)
	var sumN, sumNA, smN, smNA float64
	for i := range w.Watch {
		a := &w.Watch[i]
		a.Posts = max(1, int(math.Round(float64(a.BasePosts)*w.Scale)))
		a.Pop = pops[i]
		if a.Subset == subDiplomats && !a.UK {
			sumN += float64(a.BasePosts)
			sumNA += float64(a.BasePosts) * a.Pop
		}
		if a.Subset == subStateMedia {
			smN += float64(a.BasePosts)
			smNA += float64(a.BasePosts) * a.Pop
		}
		a.Followers = int64(math.Round(2000 * math.Exp(1.5*r.NormFloat64()) * (1 + a.Pop)))
	}
	w.PopNorm = sumNA / sumN * (1 + p.ViralProb*(p.ViralMult-1))
	w.SMNorm = 1
	if smN > 0 {
		w.SMNorm = smNA / smN // (state-media posts are never viral)
	}

	// Labels: 26 diplomat accounts (14 % of 189), all but six state-media accounts.
	var dip []int
	for i := range w.Watch {
		if w.Watch[i].Subset == subDiplomats {
			dip = append(dip, i)
		} else if i%30 != 7 {
			w.Watch[i].Label, w.Watch[i].Class = "China state-affiliated media", event.LabelStateMedia
		}
	}
	r.Shuffle(len(dip), func(i, j int) { dip[i], dip[j] = dip[j], dip[i] })
	nLab := int(math.Round(0.14 * float64(len(dip))))
	for _, i := range dip[:nLab] {
		w.Watch[i].Label, w.Watch[i].Class = "China government official", event.LabelGovernment
	}
}

// spreadCounts gives the accounts in [from, to) other than the UK pair base post counts summing
// exactly to total, in proportion to their weights (cumulative rounding).
func spreadCounts(ws []watchAccount, weights []float64, from, to, total int) {
	var sum float64
	for i := from; i < to; i++ {
		if !ws[i].UK {
			sum += weights[i]
		}
	}
	var cum float64
	prev := 0
	for i := from; i < to; i++ {
		if ws[i].UK {
			continue
		}
		cum += weights[i]
		next := int(math.Round(float64(total) * cum / sum))
		ws[i].BasePosts = max(1, next-prev)
		prev = next
	}
}

func (w *world) addPlanted(r *rand.Rand, g int, prefix string, created time.Time, followers int64) int {
	j := len(w.Planted)
	id := snowflake(created.UnixMilli()/1000*1000+999, uint64(j))
	handle := prefix + strconv.Itoa(10000000+r.IntN(89999999))
	if len(handle) > 15 {
		handle = handle[:15]
	}
	handle = handle[:len(handle)-3] + pad3(j)
	w.Planted = append(w.Planted, plantedAccount{
		J: j, ID: id, IDStr: strconv.FormatUint(id, 10), Handle: handle, Name: firstNames[r.IntN(len(firstNames))],
		Created: created, Followers: followers, Status: event.StatusActive, Group: g,
	})
	w.Groups[g].Members = append(w.Groups[g].Members, j)
	return j
}

func pad3(j int) string {
	s := strconv.Itoa(j % 1000)
	for len(s) < 3 {
		s = "0" + s
	}
	return s
}

func (w *world) buildPlanted(r *rand.Rand) {
	p := w.P
	nDip := 0
	for _, a := range w.Watch {
		if a.Subset == subDiplomats {
			nDip++
		}
	}
	w.Fans = make([][]int, len(w.Watch))
	w.Bots = make([][]int, len(w.Watch))
	w.CopyCell = make([][]int, len(w.Watch))
	w.LinkCell = make([][]int, len(w.Watch))
	w.Spread = make([][]int, len(w.Watch))
	w.SpreadPeriod = map[int]float64{}
	w.SpreadPhase = map[int]float64{}
	w.SpreadComp = map[int]float64{}

	// The UK network: created in batches, minutes apart inside a batch.
	w.UKNet = len(w.Groups)
	w.Groups = append(w.Groups, group{Name: "uk-embassy-network", Style: "coordinated_network", Targets: []int{6, 7}})
	for b, n := range p.UKBatchSizes {
		t := p.UKBatchStarts[b]
		first := t
		for i := 0; i < n; i++ {
			t = t.Add(time.Duration(30+r.IntN(600)) * time.Second)
			w.addPlanted(r, w.UKNet, pick(r, firstNames), t, int64(r.IntN(40)))
		}
		w.Groups[w.UKNet].Batches = append(w.Groups[w.UKNet].Batches, Batch{Start: first, End: t, Members: n})
	}
	uk := w.Groups[w.UKNet].Members
	perm := r.Perm(len(uk))
	for k, pi := range perm {
		a := &w.Planted[uk[pi]]
		switch {
		case k < p.UKSuspended:
			a.Status = event.StatusSuspended
		case k < p.UKSuspended+p.UKDeleted:
			a.Status = event.StatusDeleted
		default:
			a.Status, a.Later = event.StatusActive, event.StatusSuspended
		}
	}

	// Non-UK diplomat accounts, by popularity: targets for cells, fans and spreaders.
	var cand []int
	for i := 0; i < nDip; i++ {
		if !w.Watch[i].UK {
			cand = append(cand, i)
		}
	}
	for c := 0; c < p.CopyCells; c++ {
		g := len(w.Groups)
		w.Groups = append(w.Groups, group{Name: "copy-cell-" + strconv.Itoa(c+1), Style: "copy_paste"})
		t := time.Date(2019, time.Month(3+3*c), 10+c, 8, 0, 0, 0, time.UTC)
		for i := 0; i < p.CopyCellSize; i++ {
			t = t.Add(time.Duration(60+r.IntN(3600)) * time.Second)
			j := w.addPlanted(r, g, pick(r, firstNames), t, int64(r.IntN(300)))
			if r.Float64() < 0.4 {
				w.Planted[j].Status = event.StatusSuspended
			}
		}
		w.Groups[g].Batches = []Batch{{Start: time.Date(2019, time.Month(3+3*c), 10+c, 8, 0, 0, 0, time.UTC), End: t, Members: p.CopyCellSize}}
		for _, i := range sample(r, cand, p.CopyTargets) {
			w.Groups[g].Targets = append(w.Groups[g].Targets, i)
			w.CopyCell[i] = append(w.CopyCell[i], g)
		}
		sortInts(w.Groups[g].Targets)
	}
	var sm []int
	for i := nDip; i < len(w.Watch); i++ {
		sm = append(sm, i)
	}
	for c := 0; c < p.LinkCells; c++ {
		g := len(w.Groups)
		w.Groups = append(w.Groups, group{Name: "link-cell-" + strconv.Itoa(c+1), Style: "link_sharing"})
		start := time.Date(2020, time.Month(2+c), 3, 10, 0, 0, 0, time.UTC)
		t := start
		for i := 0; i < p.LinkCellSize; i++ {
			t = t.Add(time.Duration(60+r.IntN(7200)) * time.Second)
			j := w.addPlanted(r, g, pick(r, firstNames), t, int64(r.IntN(500)))
			if r.Float64() < 0.25 {
				w.Planted[j].Status = event.StatusSuspended
			}
		}
		w.Groups[g].Batches = []Batch{{Start: start, End: t, Members: p.LinkCellSize}}
		for _, i := range sample(r, sm, p.LinkTargets) {
			w.Groups[g].Targets = append(w.Groups[g].Targets, i)
			w.LinkCell[i] = append(w.LinkCell[i], g)
		}
		sortInts(w.Groups[g].Targets)
	}

	// Super-spreaders: each follows SpreaderFollow diplomat accounts and reposts in sessions.
	w.SpreaderG = len(w.Groups)
	w.Groups = append(w.Groups, group{Name: "super-spreaders", Style: "super_spreader"})
	targets := map[int]bool{}
	window := p.End.Sub(p.Start).Seconds()
	for s := 0; s < p.Spreaders; s++ {
		created := time.Date(2015+r.IntN(5), time.Month(1+r.IntN(12)), 1+r.IntN(28), r.IntN(24), r.IntN(60), 0, 0, time.UTC)
		j := w.addPlanted(r, w.SpreaderG, pick(r, firstNames), created, int64(200+r.IntN(5000)))
		if s < p.SpreadersSusp {
			w.Planted[j].Status = event.StatusSuspended
		}
		var posts float64
		for _, i := range sample(r, cand, p.SpreaderFollow) {
			w.Spread[i] = append(w.Spread[i], j)
			targets[i] = true
			posts += float64(w.Watch[i].Posts)
		}
		// λ reposts per second; sessions of SpreaderBatch reposts every SpreaderBatch/λ
		// seconds, SpreaderGap seconds apart on average inside a session.
		lambda := p.SpreaderRate * posts / window
		w.SpreadPeriod[j] = p.SpreaderBatch / lambda
		w.SpreadPhase[j] = r.Float64() * w.SpreadPeriod[j]
		w.SpreadComp[j] = p.SpreaderGap * lambda
	}
	w.Groups[w.SpreaderG].Targets = sortedKeys(targets)

	// Hard negatives: fans of the most prolific non-UK diplomats, news bots of state media.
	byPosts := append([]int(nil), cand...)
	sortBy(byPosts, func(i int) float64 { return -float64(w.Watch[i].BasePosts) * w.Watch[i].Pop })
	g := len(w.Groups)
	w.Groups = append(w.Groups, group{Name: "fans", Style: "fan", Negative: true})
	for _, i := range byPosts[:p.FanAccounts] {
		w.Groups[g].Targets = append(w.Groups[g].Targets, i)
		for f := 0; f < p.FansPer; f++ {
			created := time.Date(2010+r.IntN(10), time.Month(1+r.IntN(12)), 1+r.IntN(28), r.IntN(24), r.IntN(60), 0, 0, time.UTC)
			if created.Before(time.Date(2011, 1, 1, 0, 0, 0, 0, time.UTC)) {
				created = created.AddDate(1, 0, 0)
			}
			w.Fans[i] = append(w.Fans[i], w.addPlanted(r, g, pick(r, firstNames), created, int64(50+r.IntN(3000))))
		}
	}
	sortInts(w.Groups[g].Targets)
	g = len(w.Groups)
	w.Groups = append(w.Groups, group{Name: "news-bots", Style: "news_bot", Negative: true})
	for _, i := range sample(r, sm, p.NewsBots) {
		w.Groups[g].Targets = append(w.Groups[g].Targets, i)
		created := time.Date(2012+r.IntN(7), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		w.Bots[i] = append(w.Bots[i], w.addPlanted(r, g, "newsfeed", created, int64(100+r.IntN(2000))))
	}
	sortInts(w.Groups[g].Targets)
	for j := range w.Planted {
		w.Planted[j].Amp = uint32(w.NOrganic + j)
	}
}

// assignShards spreads watch accounts over the output files, heaviest first onto the lightest
// shard, keeping the UK pair together. The layout depends only on the world, never on CPUs.
func (w *world) assignShards() {
	load := make([]float64, w.P.Shards)
	order := make([]int, len(w.Watch))
	for i := range order {
		order[i] = i
	}
	weight := func(i int) float64 {
		a := w.Watch[i]
		if a.Subset == subStateMedia {
			return float64(a.BasePosts) * 1.5
		}
		return float64(a.BasePosts) * (1 + 10*a.Pop)
	}
	sortBy(order, func(i int) float64 { return -weight(i) })
	for _, i := range order {
		if i == 7 { // the UK embassy goes with the UK ambassador
			continue
		}
		best := 0
		for s := range load {
			if load[s] < load[best] {
				best = s
			}
		}
		w.Watch[i].Shard = best
		load[best] += weight(i)
		if i == 6 {
			w.Watch[7].Shard = best
			load[best] += weight(7)
		}
	}
}

// Organic amplifiers. Rank r (0 = most active reposter) is also the amplifier index.

// orgCreated is an organic amplifier's creation time: mostly 2011–2020; recent for accounts
// that will be suspended.
func (w *world) orgCreated(rank int) time.Time {
	h := hash2(w.Seed^0x0c0ffee, uint64(rank))
	span := 10 * 365 * 86400.0
	base := time.Date(2011, 1, 1, 0, 0, 0, 0, time.UTC)
	if w.orgStatus(rank) == event.StatusSuspended && h&1 == 0 {
		span = 400 * 86400.0
		base = time.Date(2019, 9, 1, 0, 0, 0, 0, time.UTC)
	}
	return base.Add(time.Duration(unit(h)*span) * time.Second)
}

// orgStatus is an organic amplifier's status at StatusAsOf.
func (w *world) orgStatus(rank int) event.Status {
	u := unit(hash2(w.Seed^0x5a5a, uint64(rank)))
	ps := w.P.BaseSuspend
	if rank < w.NOrganic/100 {
		ps = w.P.TopSuspend
	}
	switch {
	case u < ps:
		return event.StatusSuspended
	case u < ps+w.P.DeleteProb:
		return event.StatusDeleted
	}
	return event.StatusActive
}

// orgLater is an organic amplifier's status at StatusLater, or "" if not observed again.
func (w *world) orgLater(rank int) event.Status {
	if w.orgStatus(rank) != event.StatusActive {
		return ""
	}
	if unit(hash2(w.Seed^0x1a7e, uint64(rank))) < w.P.LaterSuspend {
		return event.StatusSuspended
	}
	return ""
}

// ampStatus is any amplifier's status as of StatusAsOf.
func (w *world) ampStatus(amp uint32) event.Status {
	if int(amp) < w.NOrganic {
		return w.orgStatus(int(amp))
	}
	return w.Planted[int(amp)-w.NOrganic].Status
}

// ampID returns an amplifier's account id.
func (w *world) ampID(amp uint32) uint64 {
	if int(amp) < w.NOrganic {
		ms := w.orgCreated(int(amp)).UnixMilli() + int64(amp>>22)%999
		return snowflake(ms, uint64(amp))
	}
	return w.Planted[int(amp)-w.NOrganic].ID
}

// ampHandle returns an amplifier's handle (unique: the rank in base 36 is part of it).
func (w *world) ampHandle(amp uint32) string {
	if int(amp) < w.NOrganic {
		h := hash2(w.Seed^0x4a4d, uint64(amp))
		return firstNames[h%uint64(len(firstNames))] + "_" + strconv.FormatUint(uint64(amp), 36)
	}
	return w.Planted[int(amp)-w.NOrganic].Handle
}

// sampleRank draws a rank in [0, n) whose quantile q = rank/n has density ∝ (q + q0)^-a on
// [0, 1). The share of activity held by the top x % of the population depends on x, a and q0
// only, not on n (so not on the scale); q0 flattens the very top so that the most active
// accounts stay within what one account can do (a ≠ 1).
func sampleRank(r *rand.Rand, n int, a, q0 float64) int {
	b := 1 - a
	lo := math.Pow(q0, b)
	x := math.Pow(lo+r.Float64()*(math.Pow(1+q0, b)-lo), 1/b)
	k := int((x - q0) * float64(n))
	return min(max(k, 0), n-1)
}

// replierRank maps a replier rank to an amplifier index: a fixed permutation (an affine map
// modulo n) so that the most active repliers are not the most active reposters.
func replierRank(rank, n int) int {
	step := 7919
	for gcd(step, n) != 1 {
		step += 2
	}
	return int((int64(rank)*int64(step) + int64(n/3)) % int64(n))
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func pick(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }

// sample returns k distinct elements of xs in a random order.
func sample(r *rand.Rand, xs []int, k int) []int {
	c := append([]int(nil), xs...)
	r.Shuffle(len(c), func(i, j int) { c[i], c[j] = c[j], c[i] })
	return c[:min(k, len(c))]
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}
