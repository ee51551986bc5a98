package simulate

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/echotrace/echotrace/internal/event"
)

// post is a watch account's post while its week is generated: its text, its planted
// engagement and its final public counts.
type post struct {
	ID      uint64
	T       int64 // unix seconds
	Text    string
	URL     string // expanded URL in the text, "" if none
	Tags    []string
	Viral   bool
	Snap    bool
	NRep    int // organic reposts, replies, quotes
	NReply  int
	NQuote  int
	Planted []plantedAct
	Reposts int // final public counts
	Replies int
	Quotes  int
	Likes   int
	Obj     []byte // the encoded post with its final counts
	// Snapshot counts: events at or before the snapshot time.
	SnapRep, SnapReply, SnapQuote int
}

// plantedAct is one engagement by a planted account, decided when the post is planned.
type plantedAct struct {
	J    int
	Kind event.EngagementKind
	T    int64
	Text string // replies and quotes
	URL  string // link-sharing quotes
}

// shardStats are a shard's counters, merged after all shards finish.
type shardStats struct {
	Pages, Lines  int64
	Tweets        [4]int64 // post, repost, reply, quote written as data
	Users         int64
	Snapshots     int64
	Records       int64 // repost records in the temporary file
	UKWeekly      []weekCount
	Viral         []string
	AccountCounts []accountCount // by watch index (only this shard's accounts are set)
	PlantedEng    []int64        // engagements (all kinds) by planted account
}

type weekCount struct {
	Reposts, Network, Suspended int64
}

type accountCount struct {
	Posts, Likes, Reposts, Replies, Quotes int64
}

// shard generates the accounts assigned to one output file.
type shard struct {
	w        *world
	idx      int
	out      io.Writer
	tmp      *bufio.Writer
	emitted  []uint64     // users already written by this shard
	seen     *[2][]uint64 // shared: amplifiers of each subset (atomic)
	ctr      uint64
	tl, eng  page
	snap     page
	line     []byte
	obj      []byte
	dedup    map[int]struct{}
	stats    shardStats
	rec      [8]byte
	engOwner int // watch account of the open engagement page
}

const kindPost, kindRepost, kindReply, kindQuote = 0, 1, 2, 3

// newID returns a fresh post id at unix second t: a snowflake whose low 22 bits hold the
// shard and the low bits of the shard's counter, and whose milliseconds hold the counter's
// next digits, so ids are unique for up to 1,000 × 2^20 posts per shard (scale 100 writes
// about 10^8).
func (s *shard) newID(t int64) uint64 {
	c := s.ctr
	s.ctr++
	low := uint64(s.idx)<<counterBits | c&(1<<counterBits-1)
	ms := t*1000 + int64(c>>counterBits)%1000
	return snowflake(ms, low)
}

// counterBits of the 22 low id bits count posts; the rest (2 bits) name the shard.
const counterBits = 20

func (s *shard) run(ctx context.Context) error {
	for i := range s.w.Watch {
		a := &s.w.Watch[i]
		if a.Shard != s.idx {
			continue
		}
		if err := s.account(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

// weekCounts spreads an account's posts over the weeks of the window with log-normal week
// weights and cumulative rounding, so the total is exact.
func (s *shard) weekCounts(a *watchAccount, weeks int) []int {
	r := newRand(s.w.Seed, streamWeek, uint64(a.Idx), 1<<32)
	ws := make([]float64, weeks)
	var sum float64
	for k := range ws {
		ws[k] = math.Exp(0.4 * r.NormFloat64())
		sum += ws[k]
	}
	out := make([]int, weeks)
	var cum float64
	prev := 0
	for k := range ws {
		cum += ws[k]
		next := int(math.Round(float64(a.Posts) * cum / sum))
		out[k] = next - prev
		prev = next
	}
	return out
}

func (s *shard) account(ctx context.Context, a *watchAccount) error {
	p := s.w.P
	start, end := p.Start.Unix(), p.End.Unix()
	weeks := int((end - start + 7*86400 - 1) / (7 * 86400))
	counts := s.weekCounts(a, weeks)
	for k := 0; k < weeks; k++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		ws := start + int64(k)*7*86400
		we := min(ws+7*86400, end-3600) // posts leave an hour for engagement inside the window
		if counts[k] == 0 || we <= ws {
			continue
		}
		if err := s.week(a, k, ws, we, counts[k]); err != nil {
			return err
		}
	}
	return s.flushEng(a)
}

// week generates one account's posts of one week and everything that engages with them.
func (s *shard) week(a *watchAccount, k int, ws, we int64, n int) error {
	w, p := s.w, s.w.P
	r := newRand(w.Seed, streamPost, uint64(a.Idx), uint64(k))
	times := make([]int64, n)
	for i := range times {
		for {
			t := ws + r.Int64N(we-ws)
			h := int(((t/3600)%24 + 24 + int64(a.TZ)) % 24)
			if r.Float64() < hourWeight[h] {
				times[i] = t
				break
			}
		}
	}
	sortInt64(times)
	posts := make([]post, n)
	snapT := ws + 8*86400
	for i := range posts {
		s.plan(r, a, &posts[i], times[i])
	}
	// The account's timeline, as collected the day after the window closed.
	for i := range posts {
		s.tl.addData(posts[i].ID, posts[i].Obj)
		if s.tl.n == 1 {
			s.tl.addUser(s.watchUser(a))
		}
		if s.tl.n == p.PageSize {
			if err := s.flushTimeline(a); err != nil {
				return err
			}
		}
	}
	if s.tl.n > 0 {
		if err := s.flushTimeline(a); err != nil {
			return err
		}
	}
	for i := range posts {
		if err := s.engage(r, a, &posts[i], snapT); err != nil {
			return err
		}
	}
	// An earlier snapshot of some posts, with the counts they had then.
	for i := range posts {
		po := &posts[i]
		if !po.Snap {
			continue
		}
		total := po.Reposts + po.Replies + po.Quotes
		early := po.SnapRep + po.SnapReply + po.SnapQuote
		likes := po.Likes / 2
		if total > 0 {
			likes = int(float64(po.Likes) * float64(early) / float64(total))
		}
		s.obj = s.appendOriginal(s.obj[:0], a, po, po.SnapRep, po.SnapReply, po.SnapQuote, likes)
		s.snap.addData(po.ID, s.obj)
		s.stats.Snapshots++
	}
	if s.snap.n > 0 {
		s.snap.addUser(s.watchUser(a))
		url := "https://api.twitter.com/2/users/" + a.IDStr + "/tweets?max_results=100&tweet.fields=public_metrics,created_at,entities,referenced_tweets"
		if err := s.writePage(&s.snap, url, time.Unix(snapT, 0)); err != nil {
			return err
		}
	}
	return nil
}

// hourWeight is the acceptance probability of a post at a local hour: a daily rhythm.
var hourWeight = [24]float64{0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.2, 0.4, 0.7, 0.9, 1, 1,
	0.9, 0.9, 1, 1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2}

// lognormal draws from a log-normal with the given median and sigma.
func lognormal(r *rand.Rand, median, sigma float64) float64 {
	return median * math.Exp(sigma*r.NormFloat64())
}

// poisson draws a Poisson variate (Knuth below 30, rounded normal above).
func poisson(r *rand.Rand, mean float64) int {
	if mean <= 0 {
		return 0
	}
	if mean < 30 {
		l := math.Exp(-mean)
		k := 0
		for pr := r.Float64(); pr > l; pr *= r.Float64() {
			k++
		}
		return k
	}
	v := math.Round(mean + math.Sqrt(mean)*r.NormFloat64())
	if v < 0 {
		return 0
	}
	return int(v)
}

// plan decides a post's text, its organic engagement volumes, its planted engagement and its
// final public counts.
func (s *shard) plan(r *rand.Rand, a *watchAccount, po *post, t int64) {
	w, p := s.w, s.w.P
	po.T = t
	po.ID = s.newID(t)
	// Text: 10–28 words, sometimes hashtags and a link to a state-media article.
	b := appendWords(s.obj[:0], r, 10+r.IntN(19))
	b[0] -= 32 * b2i(b[0] >= 'a' && b[0] <= 'z')
	po.Tags = po.Tags[:0]
	for n := r.IntN(3); n > 0; n-- {
		tag := hashtags[r.IntN(len(hashtags))]
		po.Tags = append(po.Tags, tag)
		b = append(b, " #"...)
		b = append(b, tag...)
	}
	if r.Float64() < 0.3 {
		o := outlets[r.IntN(len(outlets))]
		po.URL = "https://www." + o.Slug + ".example/a/" + strconv.Itoa(r.IntN(20000)) + ".html"
		b = append(b, ' ')
		b = appendTco(b, po.ID, 0)
	}
	po.Text = string(b)

	f := math.Exp(p.PostNoise*r.NormFloat64() - p.PostNoise*p.PostNoise/2)
	if a.Subset == subDiplomats && !a.UK && r.Float64() < p.ViralProb {
		po.Viral = true
		f *= p.ViralMult
		s.stats.Viral = append(s.stats.Viral, strconv.FormatUint(po.ID, 10))
	}
	switch {
	case a.Subset == subStateMedia:
		m := a.Pop * f
		po.NRep = poisson(r, p.SMRepostsPerPost*m)
		po.NReply = poisson(r, p.SMRepliesPerPost*m)
		po.NQuote = poisson(r, p.SMQuotesPerPost*m)
	case a.UK:
		po.NRep = poisson(r, p.UKRepostsOrg*f)
		po.NReply = poisson(r, p.UKRepliesOrg*f)
		po.NQuote = poisson(r, p.QuotesPerPost*f)
	default:
		m := a.Pop / w.PopNorm * f
		po.NRep = poisson(r, p.RepostsPerPost*m)
		po.NReply = poisson(r, p.RepliesPerPost*m)
		po.NQuote = poisson(r, p.QuotesPerPost*m)
	}
	po.NRep = min(po.NRep, w.NOrganic/4)

	// Planted engagement.
	po.Planted = po.Planted[:0]
	end := p.End.Unix()
	if a.UK {
		// The crew on duty: UKCrew consecutive members (circularly) from a random start, so
		// that neighbours act together often and every member is linked to the rest.
		members := w.Groups[w.UKNet].Members
		first := r.IntN(len(members))
		crew := make([]int, 0, p.UKCrew)
		for i := 0; i < p.UKCrew; i++ {
			crew = append(crew, members[(first+i)%len(members)])
		}
		if r.Float64() < p.UKFireProb {
			start := t + 30 + int64(min(r.ExpFloat64()*180, 1800))
			for _, j := range crew {
				if r.Float64() < p.UKRepostProb {
					po.Planted = append(po.Planted, plantedAct{J: j, Kind: event.EngageRepost, T: start + r.Int64N(20)})
				}
			}
		}
		if r.Float64() < p.UKReplyProb {
			n := min(1+poisson(r, p.UKReplyMean), len(crew))
			for _, j := range sample(r, crew, n) {
				text := "@" + a.Handle + " " + sixGram(r, po.Text) + ". " + replyWords[r.IntN(len(replyWords))]
				po.Planted = append(po.Planted, plantedAct{J: j, Kind: event.EngageReply, T: t + 60 + r.Int64N(1800), Text: text})
			}
		}
	}
	for _, g := range w.CopyCell[a.Idx] {
		if r.Float64() >= p.CopyFireProb {
			continue
		}
		members := w.Groups[g].Members
		pr := newRand(w.Seed, streamPlanted, uint64(g), uint64(r.IntN(20)))
		text := "@" + a.Handle + " " + string(appendWords(nil, pr, 8+pr.IntN(8)))
		base := t + 120 + r.Int64N(120)
		for _, j := range sample(r, members, 6+r.IntN(5)) {
			po.Planted = append(po.Planted, plantedAct{J: j, Kind: event.EngageReply, T: base + r.Int64N(90), Text: text})
		}
	}
	for _, g := range w.LinkCell[a.Idx] {
		if r.Float64() >= p.LinkFireProb {
			continue
		}
		url := "https://news-digest-" + strconv.Itoa(g) + ".example.com/story/" + strconv.Itoa(r.IntN(50))
		base := t + 300 + r.Int64N(300)
		for _, j := range sample(r, w.Groups[g].Members, 5+r.IntN(4)) {
			text := string(appendWords(nil, r, 4+r.IntN(6)))
			po.Planted = append(po.Planted, plantedAct{J: j, Kind: event.EngageQuote, T: base + r.Int64N(120), Text: text, URL: url})
		}
	}
	for _, j := range w.Spread[a.Idx] {
		if unit(hash2(uint64(j)^w.Seed, po.ID)) >= p.SpreaderRate {
			continue
		}
		// The next session after t; inside it, reposts keep the posts' order, compressed.
		period, phase, comp := w.SpreadPeriod[j], w.SpreadPhase[j], w.SpreadComp[j]
		rel := float64(t-p.Start.Unix()) - phase
		k := math.Floor(rel/period) + 1
		sess := float64(p.Start.Unix()) + phase + k*period
		at := int64(sess + (float64(t)-(sess-period))*comp)
		if at < end {
			po.Planted = append(po.Planted, plantedAct{J: j, Kind: event.EngageRepost, T: at})
		}
	}
	for _, j := range w.Fans[a.Idx] {
		if r.Float64() < p.FanRate {
			po.Planted = append(po.Planted, plantedAct{J: j, Kind: event.EngageRepost, T: t + 2 + int64(lognormal(r, p.FanLatency, 0.6))})
		}
	}
	for _, j := range w.Bots[a.Idx] {
		po.Planted = append(po.Planted, plantedAct{J: j, Kind: event.EngageRepost, T: t + 5 + int64(r.ExpFloat64()*p.NewsBotDelay)})
	}
	for i := range po.Planted {
		po.Planted[i].T = min(po.Planted[i].T, end-1)
	}

	po.Reposts, po.Replies, po.Quotes = po.NRep, po.NReply, po.NQuote
	for _, pa := range po.Planted {
		switch pa.Kind {
		case event.EngageRepost:
			po.Reposts++
		case event.EngageReply:
			po.Replies++
		case event.EngageQuote:
			po.Quotes++
		}
	}
	if a.Subset == subStateMedia {
		// Counts beyond the events (SMUnseenPerPost), with noise from a hash of the post so that
		// the generator's random stream (and so every event) is the same as without them.
		h := hash2(w.Seed^0x736d, po.ID)
		sm := a.Pop / w.SMNorm * f // mean 1 over state-media posts, as PopNorm for diplomats
		unseen := int(math.Round(p.SMUnseenPerPost * sm * (0.5 + unit(h))))
		rep, reply := int(math.Round(0.6*float64(unseen))), int(math.Round(0.3*float64(unseen)))
		po.Reposts += rep
		po.Replies += reply
		po.Quotes += unseen - rep - reply
		po.Likes = int(math.Round(p.SMLikesPerPost * sm * math.Exp(0.3*r.NormFloat64()-0.045)))
	} else {
		po.Likes = int(math.Round(p.LikesPerRepost * float64(po.Reposts+po.Replies) * math.Exp(0.4*r.NormFloat64()-0.08)))
	}
	po.Snap = unit(hash2(w.Seed^0x5a4b, po.ID)) < p.SnapshotShare
	po.SnapRep, po.SnapReply, po.SnapQuote = 0, 0, 0
	po.Obj = s.appendOriginal(nil, a, po, po.Reposts, po.Replies, po.Quotes, po.Likes)

	c := &s.stats.AccountCounts[a.Idx]
	c.Posts++
	c.Likes += int64(po.Likes)
	c.Reposts += int64(po.Reposts)
	c.Replies += int64(po.Replies)
	c.Quotes += int64(po.Quotes)
}

func b2i(b bool) byte {
	if b {
		return 1
	}
	return 0
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// appendTco appends a t.co short link derived from a post id and a link number.
func appendTco(b []byte, id uint64, k uint64) []byte {
	b = append(b, "https://t.co/"...)
	h := hash2(id, k)
	for i := 0; i < 10; i++ {
		b = append(b, base62[h%62])
		h /= 62
	}
	return b
}

// organicLatency draws seconds from post to organic engagement, inside the window.
func organicLatency(r *rand.Rand, t, end int64, median, sigma float64, viral bool, viralMean float64) int64 {
	for try := 0; try < 4; try++ {
		var l float64
		if viral && r.Float64() < 0.8 {
			l = 1 + r.ExpFloat64()*viralMean
		} else {
			l = 1 + lognormal(r, median, sigma)
		}
		if at := t + int64(l); at < end && l < 1e8 {
			return at
		}
	}
	return t + 1 + r.Int64N(end-t-1)
}

// engage writes every repost, reply and quote of a post.
func (s *shard) engage(r *rand.Rand, a *watchAccount, po *post, snapT int64) error {
	w, p := s.w, s.w.P
	end := p.End.Unix()
	for _, pa := range po.Planted {
		amp := uint32(w.NOrganic + pa.J)
		if err := s.event(a, po, amp, pa.Kind, pa.T, pa.Text, pa.URL, snapT); err != nil {
			return err
		}
	}
	n := w.NOrganic
	clear(s.dedup)
	for i := 0; i < po.NRep; i++ {
		rank := sampleRank(r, n, p.RepostZipf, p.ActivityHead)
		for try := 0; ; try++ {
			if _, dup := s.dedup[rank]; !dup {
				break
			}
			if try < 100 {
				rank = sampleRank(r, n, p.RepostZipf, p.ActivityHead)
			} else {
				rank = (rank + 1) % n // NRep ≤ n/4, so a free rank is near
			}
		}
		s.dedup[rank] = struct{}{}
		at := organicLatency(r, po.T, end, p.RepostLatency, p.LatencySpread, po.Viral, p.ViralLatency)
		if err := s.event(a, po, uint32(rank), event.EngageRepost, at, "", "", snapT); err != nil {
			return err
		}
	}
	for i := 0; i < po.NReply; i++ {
		amp := replierRank(sampleRank(r, n, p.ReplyZipf, p.ActivityHead), n)
		at := organicLatency(r, po.T, end, p.ReplyLatency, p.LatencySpread, po.Viral, p.ViralLatency*2)
		text := "@" + a.Handle + " " + replyWords[r.IntN(len(replyWords))] + " " + string(appendWords(s.obj[:0], r, r.IntN(12)))
		if err := s.event(a, po, uint32(amp), event.EngageReply, at, text, "", snapT); err != nil {
			return err
		}
	}
	for i := 0; i < po.NQuote; i++ {
		amp := sampleRank(r, n, p.RepostZipf, p.ActivityHead)
		at := organicLatency(r, po.T, end, p.ReplyLatency, p.LatencySpread, po.Viral, p.ViralLatency*2)
		text := string(appendWords(s.obj[:0], r, 3+r.IntN(15)))
		if err := s.event(a, po, uint32(amp), event.EngageQuote, at, text, "", snapT); err != nil {
			return err
		}
	}
	return nil
}

// event writes one engagement as a tweet on the open engagement page and records it for the
// truth.
func (s *shard) event(a *watchAccount, po *post, amp uint32, kind event.EngagementKind, at int64, text, url string, snapT int64) error {
	w := s.w
	if s.engOwner != a.Idx && s.eng.n > 0 {
		if err := s.flushEng(&w.Watch[s.engOwner]); err != nil {
			return err
		}
	}
	s.engOwner = a.Idx
	id := s.newID(at)
	ampID := w.ampID(amp)
	b := s.obj[:0]
	b = append(b, `{"id":`...)
	b = appendID(b, id)
	b = append(b, `,"text":`...)
	var k int
	switch kind {
	case event.EngageRepost:
		k = kindRepost
		b = s.appendRTText(b, a, po)
	default:
		if kind == event.EngageReply {
			k = kindReply
			b = appendString(b, text)
		} else {
			k = kindQuote
			qt := text + " "
			if url != "" {
				qt += string(appendTco(nil, id, 2)) + " "
			}
			b = appendString(b, qt+string(appendTco(nil, id, 1)))
		}
	}
	b = append(b, `,"author_id":`...)
	b = appendID(b, ampID)
	b = append(b, `,"conversation_id":`...)
	if kind == event.EngageReply {
		b = appendID(b, po.ID)
		b = append(b, `,"in_reply_to_user_id":`...)
		b = appendID(b, a.ID)
	} else {
		b = appendID(b, id)
	}
	b = append(b, `,"created_at":`...)
	b = appendUnixTime(b, at)
	b = append(b, `,"lang":`...)
	b = appendString(b, a.Lang)
	b = append(b, `,"source":`...)
	b = appendString(b, clients[int(amp)%len(clients)])
	b = append(b, `,"public_metrics":{"retweet_count":0,"reply_count":0,"like_count":0,"quote_count":0},"referenced_tweets":[{"type":`...)
	switch kind {
	case event.EngageRepost:
		b = append(b, `"retweeted"`...)
	case event.EngageReply:
		b = append(b, `"replied_to"`...)
	default:
		b = append(b, `"quoted"`...)
	}
	b = append(b, `,"id":`...)
	b = appendID(b, po.ID)
	b = append(b, `}],"entities":{`...)
	switch kind {
	case event.EngageRepost, event.EngageReply:
		off := 3
		if kind == event.EngageReply {
			off = 0
		}
		b = append(b, `"mentions":[{"start":`...)
		b = strconv.AppendInt(b, int64(off), 10)
		b = append(b, `,"end":`...)
		b = strconv.AppendInt(b, int64(off+1+len(a.Handle)), 10)
		b = append(b, `,"username":`...)
		b = appendString(b, a.Handle)
		b = append(b, `}]`...)
	default:
		b = append(b, `"urls":[`...)
		pos := len(text) + 1
		if url != "" {
			b = appendURL(b, pos, string(appendTco(nil, id, 2)), url)
			b = append(b, ',')
			pos += 24
		}
		ex := "https://twitter.com/" + a.Handle + "/status/" + strconv.FormatUint(po.ID, 10)
		b = appendURL(b, pos, string(appendTco(nil, id, 1)), ex)
		b = append(b, ']')
	}
	b = append(b, `}}`...)
	s.obj = b
	s.eng.addData(id, b)
	s.eng.addIncluded(po.ID, po.Obj)
	if !getBit(s.emitted, amp) {
		setBit(s.emitted, amp)
		s.eng.addUser(s.ampUser(amp))
	}
	s.stats.Tweets[k]++
	if int(amp) >= w.NOrganic {
		s.stats.PlantedEng[int(amp)-w.NOrganic]++
	}
	atomicSetBit(s.seen[a.Subset], amp)

	if at <= snapT {
		switch kind {
		case event.EngageRepost:
			po.SnapRep++
		case event.EngageReply:
			po.SnapReply++
		default:
			po.SnapQuote++
		}
	}
	if kind == event.EngageRepost {
		tt := uint32(at-w.P.Start.Unix())<<1 | uint32(a.Subset)
		binary.LittleEndian.PutUint32(s.rec[:4], amp)
		binary.LittleEndian.PutUint32(s.rec[4:], tt)
		if _, err := s.tmp.Write(s.rec[:]); err != nil {
			return fmt.Errorf("write repost record: %w", err)
		}
		s.stats.Records++
		if a.UK {
			wk := int((at - w.P.Start.Unix()) / (7 * 86400))
			for len(s.stats.UKWeekly) <= wk {
				s.stats.UKWeekly = append(s.stats.UKWeekly, weekCount{})
			}
			c := &s.stats.UKWeekly[wk]
			c.Reposts++
			if int(amp) >= w.NOrganic && w.Planted[int(amp)-w.NOrganic].Group == w.UKNet {
				c.Network++
			}
			if w.ampStatus(amp) == event.StatusSuspended {
				c.Suspended++
			}
		}
	}
	if s.eng.n >= w.P.PageSize {
		return s.flushEng(a)
	}
	return nil
}

func appendURL(b []byte, start int, url, expanded string) []byte {
	b = append(b, `{"start":`...)
	b = strconv.AppendInt(b, int64(start), 10)
	b = append(b, `,"end":`...)
	b = strconv.AppendInt(b, int64(start+len(url)), 10)
	b = append(b, `,"url":`...)
	b = appendString(b, url)
	b = append(b, `,"expanded_url":`...)
	b = appendString(b, expanded)
	b = append(b, `,"display_url":`...)
	d := expanded
	if i := indexOf(d, "://"); i >= 0 {
		d = d[i+3:]
	}
	if len(d) > 26 {
		d = d[:26] + "…"
	}
	b = appendString(b, d)
	return append(b, '}')
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// appendRTText appends the text of a retweet: "RT @handle: " and the start of the original,
// cut at 140 characters as the API does.
func (s *shard) appendRTText(b []byte, a *watchAccount, po *post) []byte {
	t := "RT @" + a.Handle + ": " + po.Text
	if len(t) > 140 {
		t = t[:139] + "…"
	}
	return appendString(b, t)
}

// appendOriginal appends a watch account's post with the given public counts.
func (s *shard) appendOriginal(b []byte, a *watchAccount, po *post, rep, reply, quote, likes int) []byte {
	b = append(b, `{"id":`...)
	b = appendID(b, po.ID)
	b = append(b, `,"text":`...)
	b = appendString(b, po.Text)
	b = append(b, `,"author_id":`...)
	b = appendID(b, a.ID)
	b = append(b, `,"conversation_id":`...)
	b = appendID(b, po.ID)
	b = append(b, `,"created_at":`...)
	b = appendUnixTime(b, po.T)
	b = append(b, `,"lang":`...)
	b = appendString(b, a.Lang)
	b = append(b, `,"source":"Twitter Web App","public_metrics":{"retweet_count":`...)
	b = strconv.AppendInt(b, int64(rep), 10)
	b = append(b, `,"reply_count":`...)
	b = strconv.AppendInt(b, int64(reply), 10)
	b = append(b, `,"like_count":`...)
	b = strconv.AppendInt(b, int64(likes), 10)
	b = append(b, `,"quote_count":`...)
	b = strconv.AppendInt(b, int64(quote), 10)
	b = append(b, '}')
	if len(po.Tags) > 0 || po.URL != "" {
		b = append(b, `,"entities":{`...)
		if len(po.Tags) > 0 {
			b = append(b, `"hashtags":[`...)
			pos := 0
			for i, tag := range po.Tags {
				at := indexOf(po.Text[pos:], "#"+tag) + pos
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, `{"start":`...)
				b = strconv.AppendInt(b, int64(at), 10)
				b = append(b, `,"end":`...)
				b = strconv.AppendInt(b, int64(at+1+len(tag)), 10)
				b = append(b, `,"tag":`...)
				b = appendString(b, tag)
				b = append(b, '}')
				pos = at + 1 + len(tag)
			}
			b = append(b, ']')
		}
		if po.URL != "" {
			if len(po.Tags) > 0 {
				b = append(b, ',')
			}
			b = append(b, `"urls":[`...)
			b = appendURL(b, len(po.Text)-23, po.Text[len(po.Text)-23:], po.URL)
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

// watchUser encodes a watch account's profile.
func (s *shard) watchUser(a *watchAccount) []byte {
	return appendUser(nil, a.ID, a.Handle, a.Name, a.Created, a.Followers, a.Following, int64(a.Posts)*3+500,
		"Official account. "+string(a.Actor)+" "+a.Country, false)
}

// ampUser encodes an amplifier's profile.
func (s *shard) ampUser(amp uint32) []byte {
	w := s.w
	if int(amp) < w.NOrganic {
		h := hash2(w.Seed^0x0a11, uint64(amp))
		u1, u2 := unit(h)+1e-12, unit(mix(h))
		g := math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
		followers := int64(math.Exp(4 + 2*g))
		following := int64(math.Exp(5 + 1.2*g*0.5))
		return appendUser(s.line[:0], w.ampID(amp), w.ampHandle(amp), firstNames[h%uint64(len(firstNames))],
			w.orgCreated(int(amp)), followers, following, int64(math.Exp(7+1.5*g)), "", h&7 == 0)
	}
	pa := &w.Planted[int(amp)-w.NOrganic]
	return appendUser(s.line[:0], pa.ID, pa.Handle, pa.Name, pa.Created, pa.Followers, pa.Followers*3+20, 1000+int64(pa.J)*37, "", pa.Group == w.UKNet)
}

func appendUser(b []byte, id uint64, handle, name string, created time.Time, followers, following, tweets int64, desc string, defaultAvatar bool) []byte {
	b = append(b, `{"id":`...)
	b = appendID(b, id)
	b = append(b, `,"username":`...)
	b = appendString(b, handle)
	b = append(b, `,"name":`...)
	b = appendString(b, name)
	b = append(b, `,"created_at":`...)
	b = appendTime(b, created)
	b = append(b, `,"description":`...)
	b = appendString(b, desc)
	b = append(b, `,"public_metrics":{"followers_count":`...)
	b = strconv.AppendInt(b, followers, 10)
	b = append(b, `,"following_count":`...)
	b = strconv.AppendInt(b, following, 10)
	b = append(b, `,"tweet_count":`...)
	b = strconv.AppendInt(b, tweets, 10)
	b = append(b, `,"listed_count":0},"verified":false,"protected":false,"profile_image_url":`...)
	if defaultAvatar {
		b = append(b, `"https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"`...)
	} else {
		b = append(b, `"https://pbs.twimg.com/profile_images/`...)
		b = strconv.AppendUint(b, id%1000000007, 10)
		b = append(b, `/avatar_normal.jpg"`...)
	}
	return append(b, '}')
}

func (s *shard) flushTimeline(a *watchAccount) error {
	url := "https://api.twitter.com/2/users/" + a.IDStr + "/tweets?max_results=100&tweet.fields=public_metrics,created_at,entities,referenced_tweets"
	s.stats.Tweets[kindPost] += int64(s.tl.n)
	return s.writePage(&s.tl, url, s.w.P.CollectedAt)
}

func (s *shard) flushEng(a *watchAccount) error {
	if s.eng.n == 0 {
		return nil
	}
	url := "https://api.twitter.com/2/tweets/search/all?query=retweets_of%3A" + a.Handle + "%20OR%20to%3A" + a.Handle + "%20OR%20url%3A" + a.Handle + "&max_results=100"
	// The authors of the referenced posts are expanded too.
	s.eng.addUser(s.watchUser(a))
	return s.writePage(&s.eng, url, s.w.P.CollectedAt)
}

func (s *shard) writePage(pg *page, url string, at time.Time) error {
	var err error
	s.line, err = pg.writeTo(s.out, s.line, url, at)
	if err != nil {
		return fmt.Errorf("write page: %w", err)
	}
	s.stats.Pages++
	s.stats.Lines++
	pg.reset()
	return nil
}

func getBit(bs []uint64, i uint32) bool { return bs[i>>6]&(1<<(i&63)) != 0 }
func setBit(bs []uint64, i uint32)      { bs[i>>6] |= 1 << (i & 63) }
func atomicSetBit(bs []uint64, i uint32) {
	if atomic.LoadUint64(&bs[i>>6])&(1<<(i&63)) == 0 {
		atomic.OrUint64(&bs[i>>6], 1<<(i&63))
	}
}

func sortInt64(xs []int64) { slices.Sort(xs) }
