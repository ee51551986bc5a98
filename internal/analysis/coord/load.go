package coord

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/echotrace/echotrace/internal/analysis/text"
	"github.com/echotrace/echotrace/internal/store"
)

// secs is the SQL for a timestamp column as whole unix seconds.
func secs(col string) string { return "CAST(floor(epoch(" + col + ")) AS BIGINT)" }

// Load reads the actions of the requested signals (all when p.Signals is empty) from the
// store's documented views (DESIGN §3):
//   - co-repost, co-reply, co-quote: the engagements view (kind repost, reply, quote; rows
//     with a time), object = the engaged post, with its author and creation time when known;
//     restricted to the watchlist's posts unless p.AllTargets (or the watchlist is empty);
//   - co-text: posts that are not reposts, object = text.Normalize(text) (or, with
//     p.NearDuplicates, its MinHash/LSH near-duplicate group); empty normalised texts skipped;
//   - co-link: post_urls of posts that are not reposts, object = the URL (its domain with
//     p.SameDomain);
//   - co-hashtag: the hashtag sequence of each non-repost post, lower-cased, in order;
//   - co-share: the shares view (CooRTweet's object_id, account_id, content_id, timestamp);
//   - co-phrase: from the co-text rows (same scan), object = a word p.PhraseN-gram of a target
//     post (a watchlist account's post; any post with p.AllTargets or an empty watchlist) used
//     by at most p.PhraseMaxAccounts non-watchlist accounts, action = a non-watchlist account's
//     post containing it, once per (post, phrase), at most 50 phrases a post (phraseActions).
//
// Accounts carry created_at and followers from the accounts view, the watchlist flag, and the
// latest status observation (suspended or deleted). Account keys are platform + id; the id is
// what the outputs show.
//
// Every query that creates account, object or content indexes is ordered, because the Input —
// and so the clusters that Leiden finds for a seed — depends on that order, and DuckDB's
// parallel scans return rows in no fixed order.
//
// Load reads the study's analysis snapshot instead (loadSnapshot: the same Input, integer-coded)
// when it is fresh and holds what p asks for; otherwise the views.
func Load(ctx context.Context, q store.Querier, p Params) (Input, error) {
	p = p.Defaults()
	want := map[Signal]bool{}
	for _, s := range p.Signals {
		want[s] = true
	}
	if snapshotUsable(p, want) && os.Getenv("ECHOTRACE_NO_SNAPSHOT") == "" {
		meta, err := snapshotMeta(ctx, q)
		if err != nil {
			return Input{}, err
		}
		if meta.fresh {
			in, err := loadSnapshot(ctx, q, p, want, meta)
			if !errors.Is(err, errSnapshotOrder) {
				return in, err
			}
		}
	}
	return loadViews(ctx, q, p)
}

// loadViews is Load from the views.
func loadViews(ctx context.Context, q store.Querier, p Params) (Input, error) {
	p = p.Defaults()
	want := map[Signal]bool{}
	for _, s := range p.Signals {
		want[s] = true
	}
	all := len(want) == 0
	b := NewBuilder()
	key := func(platform, id string) string { return platform + "\x00" + id }
	var displays []string
	// accIdx caches account indexes per platform, so that the millions of rows that name a
	// known account neither build a platform-qualified key nor hash one.
	accIdx := map[string]map[string]int32{}
	acc := func(platform, id string) int32 {
		m := accIdx[platform]
		if m == nil {
			m = map[string]int32{}
			accIdx[platform] = m
		}
		if i, ok := m[id]; ok {
			return i
		}
		i := b.Account(key(platform, id))
		m[id] = i
		if int(i) == len(displays) {
			displays = append(displays, id)
		}
		return i
	}
	// Reads still running when Load returns early (an error) are cancelled.
	rctx, cancelReads := context.WithCancel(ctx)
	defer cancelReads()
	each := func(query string, scan func(r *sql.Rows) error, args ...any) error {
		return eachRow(rctx, q, query, scan, args...)
	}

	watch := map[string]bool{}
	if err := each(`SELECT DISTINCT platform, account_id FROM watchlist WHERE account_id IS NOT NULL ORDER BY platform, account_id`, func(r *sql.Rows) error {
		var pl, id string
		if err := r.Scan(&pl, &id); err != nil {
			return err
		}
		watch[key(pl, id)] = true
		acc(pl, id)
		return nil
	}); err != nil {
		return Input{}, err
	}
	onlyTargets := !p.AllTargets && len(watch) > 0

	// Capacity hints from one cheap count, so that the millions of actions, objects and
	// contents below are not copied again and again as their columns grow.
	n, err := countRows(rctx, q)
	if err != nil {
		return Input{}, fmt.Errorf("coord load: %w", err)
	}
	for _, r := range []struct {
		s Signal
		n int64
	}{{CoRepost, n.repost}, {CoReply, n.reply}, {CoQuote, n.quote}, {CoText, n.text}} {
		if all || want[r.s] {
			b.Reserve(r.s, int(r.n))
		}
	}
	b.ReserveObjects(int(n.text+n.text/2), int(n.repost+n.reply+n.quote+n.text))
	// Progress: the rows of the two large scans (engagements and texts), against the count.
	var readRows atomic.Int64
	var readTotal int64
	for _, r := range []struct {
		s Signal
		n int64
	}{{CoRepost, n.repost}, {CoReply, n.reply}, {CoQuote, n.quote}} {
		if all || want[r.s] {
			readTotal += r.n
		}
	}
	if all || want[CoText] || want[CoPhrase] {
		readTotal += n.text
	}
	p.report("read", 0, readTotal)
	readRow := func() {
		if p.Progress != nil {
			if v := readRows.Add(1); v%65536 == 0 {
				p.report("read", v, max(readTotal, v+1)) // the end is reported once, below
			}
		}
	}

	// Co-text rows are read and normalised in a goroutine while the engagements are scanned
	// below (2 cores: the two reads overlap); the builder is fed afterwards in the same order as
	// a sequential load, so the Input is identical.
	// The remaining queries are read in the background, in two chains: links, hashtags and
	// shares once the texts are read; target-post times, accounts and statuses once the
	// engagements are. The builder is fed in the same order as a sequential load: the Input is
	// identical.
	type createdRow struct {
		pl, id string
		t      int64
	}
	type linkRow struct {
		pl, id, post, url, domain string
		t                         int64
	}
	type tagRow struct {
		pl, post, id, tag string
		t                 int64
	}
	type shareRow struct {
		pl, id, obj, content string
		t                    int64
	}
	type accountRow struct {
		pl, id             string
		created, followers int64
	}
	type statusRow struct {
		pl, id, status string
		at             sql.NullTime
	}
	var (
		created  = newLater[createdRow]()
		links    = newLater[linkRow]()
		tags     = newLater[tagRow]()
		shares   = newLater[shareRow]()
		accounts = newLater[accountRow]()
		statuses = newLater[statusRow]()
	)
	var fetching sync.WaitGroup
	defer func() { cancelReads(); fetching.Wait() }() // an early return ends the reads
	fetching.Add(1)
	chainA := func() {
		defer fetching.Done()
		read(rctx, each, links, all || want[CoLink], `SELECT platform, author_id, post_id, url, coalesce(domain, ''), `+secs("created_at")+`
FROM post_urls WHERE kind <> 'repost' AND url IS NOT NULL AND created_at IS NOT NULL
ORDER BY platform, post_id, url`, func(r *sql.Rows, x *linkRow) error {
			return r.Scan(&x.pl, &x.id, &x.post, &x.url, &x.domain, &x.t)
		})
		read(rctx, each, tags, all || want[CoHashtag], `SELECT platform, post_id, author_id, `+secs("created_at")+`, lower(tag)
FROM post_hashtags WHERE kind <> 'repost' AND created_at IS NOT NULL ORDER BY platform, post_id, position`, func(r *sql.Rows, x *tagRow) error {
			return r.Scan(&x.pl, &x.post, &x.id, &x.t, &x.tag)
		})
		read(rctx, each, shares, all || want[CoShare], `SELECT platform, account_id, object_id, coalesce(content_id, ''), `+secs(`"at"`)+`
FROM shares WHERE "at" IS NOT NULL
ORDER BY platform, object_id, "at", account_id, content_id`, func(r *sql.Rows, x *shareRow) error {
			return r.Scan(&x.pl, &x.id, &x.obj, &x.content, &x.t)
		})
	}

	var (
		texts   chunked[textRow]
		phrases []phraseAction
		textErr error
		textsOK = make(chan struct{})
		// textsSorted: the texts are in Go's (platform, post id) order, so that links and
		// hashtags find their post's text content by a merge instead of a map.
		textsSorted = true
	)
	const textPrefix = "text:"
	// co-phrase is computed only when asked for: on the scale-1 simulated world it costs about
	// 15 s (n-grams of 2 M texts), half of the analysis budget.
	wantPhrase := want[CoPhrase]
	// Plain co-text keys each text by a hash of its normalised form and keeps no text: most
	// texts are posted once, and their names cost more memory than the rest of the input
	// (names are read back for the objects the results show: nameTexts). Near-duplicate
	// grouping and co-phrase need the texts themselves.
	hashTexts := !p.NearDuplicates && !wantPhrase
	if all || want[CoText] || wantPhrase {
		go func() {
			defer close(textsOK)
			defer func() {
				if textErr != nil || !wantPhrase {
					return
				}
				// Co-phrase works on the same normalised texts (no second scan of the posts).
				pts := make([]phraseText, texts.len())
				ids := map[string]int32{}
				for i := range pts {
					x := texts.at(i)
					k := key(x.pl, x.id)
					a, ok := ids[k]
					if !ok {
						a = int32(len(ids))
						ids[k] = a
					}
					pts[i] = phraseText{norm: x.norm[len(textPrefix):], account: a, t: x.t, target: watch[k], watched: watch[k]}
				}
				phrases = phraseActions(pts, p.PhraseN, p.PhraseMaxAccounts, !onlyTargets)
			}()
			buf := make([]byte, 0, 1024)
			var lastPl string
			textErr = each(`SELECT platform, author_id, id, text, `+secs("created_at")+`
FROM posts WHERE kind <> 'repost' AND text IS NOT NULL AND text <> '' AND created_at IS NOT NULL
ORDER BY platform, id`, func(r *sql.Rows) error {
				var x textRow
				var raw string
				if err := r.Scan(&x.pl, &x.id, &x.post, &raw, &x.t); err != nil {
					return err
				}
				readRow()
				if x.pl == lastPl {
					x.pl = lastPl // one copy of the platform name, not one per row
				}
				lastPl = x.pl
				buf = text.AppendNormalize(append(buf[:0], textPrefix...), raw)
				if len(buf) > len(textPrefix) {
					if hashTexts {
						x.key = text.KeyOf(buf)
					} else {
						x.norm = string(buf)
					}
					if n := texts.len(); n > 0 && !postLess(texts.at(n-1), &x) {
						textsSorted = false
					}
					texts.add(x)
				}
				return nil
			})
			go chainA()
		}()
	} else {
		close(textsOK)
		go chainA()
	}
	defer func() { cancelReads(); <-textsOK }() // an early return ends the text query

	// Engagement kinds arrive as small integers (no string per row).
	kinds := []Signal{CoRepost, CoReply, CoQuote}
	var ks []string
	for i, k := range []string{"repost", "reply", "quote"} {
		if all || want[kinds[i]] {
			ks = append(ks, "'"+k+"'")
		}
	}
	var last struct {
		pl, post, author string
		valid, target    bool
		obj              int32
	}
	if len(ks) > 0 {
		// With a watchlist the target posts' creation times are read apart (a few hundred
		// thousand rows) instead of joining every engagement to the posts.
		created := "0"
		from := "engagements e"
		if !onlyTargets {
			created = "coalesce(" + secs("p.created_at") + ", 0)"
			from += " LEFT JOIN posts p ON p.platform = e.platform AND p.id = e.post_id"
		}
		err := each(`SELECT e.platform, e.account_id, CASE e.kind WHEN 'repost' THEN 0 WHEN 'reply' THEN 1 ELSE 2 END,
       e.post_id, coalesce(e.post_author_id, ''), `+secs(`e."at"`)+`, `+created+`, coalesce(e.via_post_id, '')
FROM `+from+`
WHERE e.kind IN (`+strings.Join(ks, ",")+`) AND e."at" IS NOT NULL AND e.post_id IS NOT NULL
ORDER BY e.platform, e.post_id, `+secs(`e."at"`)+`, e.account_id, e.kind, e.via_post_id`, func(r *sql.Rows) error {
			var pl, id, post, author, via string
			var kind int
			var t, created int64
			if err := r.Scan(&pl, &id, &kind, &post, &author, &t, &created, &via); err != nil {
				return err
			}
			readRow()
			// Rows come ordered by post: the object, its author and whether it is a target are
			// those of the previous row unless the post changed.
			if !last.valid || pl != last.pl || post != last.post || author != last.author {
				if pl == last.pl {
					pl = last.pl
				}
				last.valid, last.pl, last.post, last.author = true, pl, post, author
				last.target = !onlyTargets || watch[key(pl, author)]
				if last.target {
					au := int32(-1)
					if author != "" {
						au = acc(pl, author)
					}
					last.obj = b.Object(key(pl, post), au)
				}
			}
			if !last.target {
				return nil
			}
			b.SetCreated(last.obj, created)
			// The content is the repost, reply or quote itself (when it is known as a post), so
			// that evidence cards can show example posts; each is a distinct post.
			b.Add(kinds[kind], acc(pl, id), last.obj, b.NewContent(via), t)
			return nil
		})
		if err != nil {
			return Input{}, err
		}
	}

	nEngObjects := b.NumObjects() // the engagement signals' objects are the first ones
	fetching.Add(1)
	go func() {
		defer fetching.Done()
		read(rctx, each, created, onlyTargets && len(ks) > 0, `WITH w AS (SELECT DISTINCT platform, account_id FROM watchlist WHERE account_id IS NOT NULL)
SELECT p.platform, p.id, `+secs("p.created_at")+`
FROM posts p JOIN w ON p.platform = w.platform AND p.author_id = w.account_id
WHERE p.created_at IS NOT NULL`, func(r *sql.Rows, x *createdRow) error {
			return r.Scan(&x.pl, &x.id, &x.t)
		})
		read(rctx, each, accounts, true, `SELECT platform, id, coalesce(`+secs("created_at")+`, 0), coalesce(followers, -1) FROM accounts`, func(r *sql.Rows, x *accountRow) error {
			return r.Scan(&x.pl, &x.id, &x.created, &x.followers)
		})
		read(rctx, each, statuses, true, `SELECT platform, account_id, status, observed_at FROM status_observations WHERE account_id IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY platform, account_id ORDER BY observed_at DESC, status) = 1`, func(r *sql.Rows, x *statusRow) error {
			return r.Scan(&x.pl, &x.id, &x.status, &x.at)
		})
	}()

	<-textsOK
	if textErr != nil {
		return Input{}, textErr
	}
	textBase := int32(-1) // the content index of texts.at(0), when the texts' contents are in order
	var nameTextsLater func(*Input)
	if all || want[CoText] {
		if p.NearDuplicates {
			norms := make([]string, texts.len())
			for i := range norms {
				norms[i] = texts.at(i).norm[len(textPrefix):]
			}
			groups := text.NearDuplicateGroups(norms, text.LSHParams{Seed: p.Seed})
			for i := range norms {
				texts.at(i).norm = fmt.Sprintf("near:%d", groups[i])
			}
		}
		// A post has one content, shared by the signals (text, phrase, link, hashtag). The
		// texts are distinct posts: when they come sorted, their contents are added in order
		// without a map, and the other signals find them by position or by a merge.
		// Unnamed text objects (hashTexts) are added in a row: one index range, named later
		// from the first post of each (its platform and content).
		textObj0 := int32(b.NumObjects())
		var firstContent []int32
		var firstPl []string
		object := func(x *textRow, c int32) int32 {
			if !hashTexts {
				return b.Object(x.norm, -1)
			}
			o := b.HashedObject(x.key)
			if int(o-textObj0) == len(firstContent) {
				firstContent = append(firstContent, c)
				firstPl = append(firstPl, x.pl)
			}
			return o
		}
		if textsSorted {
			textBase = b.NumContents()
			for i := range texts.len() {
				x := texts.at(i)
				c := b.NewContent(x.post)
				b.Add(CoText, acc(x.pl, x.id), object(x, c), c, x.t)
			}
		} else {
			for i := range texts.len() {
				x := texts.at(i)
				c := b.Content(key(x.pl, x.post))
				b.Add(CoText, acc(x.pl, x.id), object(x, c), c, x.t)
			}
		}
		if hashTexts {
			nameTextsLater = func(in *Input) {
				in.Objects.name = nameTexts(q, in.Contents.ID, textObj0, firstContent, firstPl)
			}
		}
	}
	for _, a := range phrases {
		x := texts.at(int(a.text))
		o := b.Object("phrase:"+a.phrase, -1)
		b.SetCreated(o, a.first)
		c := textBase + a.text
		if textBase < 0 {
			c = b.Content(key(x.pl, x.post))
		}
		b.Add(CoPhrase, acc(x.pl, x.id), o, c, x.t)
	}
	// postContent returns the content of a post for a signal whose rows come in (platform, post
	// id) order, cur being that signal's position in the texts.
	postContent := func(cur *int, pl, post string) int32 {
		if textBase >= 0 {
			y := textRow{pl: pl, post: post}
			if *cur > 0 && !postLess(texts.at(*cur-1), &y) {
				*cur = 0 // the rows are not in the texts' order here: search again
			}
			for *cur < texts.len() && postLess(texts.at(*cur), &y) {
				*cur++
			}
			if *cur < texts.len() {
				if x := texts.at(*cur); x.pl == pl && x.post == post {
					return textBase + int32(*cur)
				}
			}
		}
		return b.Content(key(pl, post))
	}

	// Target posts' creation times (with a watchlist; otherwise joined above).
	rows, err := created.wait()
	if err != nil {
		return Input{}, err
	}
	for _, x := range rows {
		if o, ok := b.HasObject(key(x.pl, x.id)); ok {
			b.SetCreated(o, x.t)
		}
	}
	// A target post whose stored author is not the one its engagements state (or that is
	// stored by no watchlist account) got no time above: read those from the engagements.
	if onlyTargets && len(ks) > 0 && b.MissingCreated(nEngObjects) {
		err := each(`WITH w AS (SELECT DISTINCT platform, account_id FROM watchlist WHERE account_id IS NOT NULL)
SELECT DISTINCT p.platform, p.id, `+secs("p.created_at")+`
FROM engagements e JOIN w ON e.platform = w.platform AND e.post_author_id = w.account_id
JOIN posts p ON p.platform = e.platform AND p.id = e.post_id
WHERE e.kind IN (`+strings.Join(ks, ",")+`) AND e."at" IS NOT NULL AND p.created_at IS NOT NULL`, func(r *sql.Rows) error {
			var pl, id string
			var t int64
			if err := r.Scan(&pl, &id, &t); err != nil {
				return err
			}
			if o, ok := b.HasObject(key(pl, id)); ok && int(o) < nEngObjects {
				b.SetCreated(o, t)
			}
			return nil
		})
		if err != nil {
			return Input{}, err
		}
	}
	// A reposted, replied-to or quoted post that the study does not hold existed by its first
	// action: that is its creation for the null model, so an organic burst on it keeps its shape
	// (docs/coordination.md §2). Reposts identified only by their text (the IRA layout's
	// "irart:" ids: texts, not posts) stay without one and are timed absolutely.
	b.anchorAtFirstAction(nEngObjects, func(o int32) bool { return !strings.Contains(b.in.Objects.ID[o], "irart:") })

	linkRows, err := links.wait()
	if err != nil {
		return Input{}, err
	}
	var lastLink struct {
		pl, post string
		valid    bool
		content  int32
	}
	linkCur := 0
	for _, x := range linkRows {
		obj := "url:" + x.url
		if p.SameDomain {
			domain := x.domain
			if domain == "" {
				if pu, err := url.Parse(x.url); err == nil {
					domain = strings.TrimPrefix(strings.ToLower(pu.Hostname()), "www.")
				}
			}
			obj = "domain:" + domain
		}
		// Rows come ordered by post: a post's URLs share its content.
		if !lastLink.valid || x.pl != lastLink.pl || x.post != lastLink.post {
			lastLink.valid, lastLink.pl, lastLink.post = true, x.pl, x.post
			lastLink.content = postContent(&linkCur, x.pl, x.post)
		}
		b.Add(CoLink, acc(x.pl, x.id), b.Object(obj, -1), lastLink.content, x.t)
	}

	tagRows, err := tags.wait()
	if err != nil {
		return Input{}, err
	}
	// Rows come ordered by post and position: a post's tags, in order, are one object.
	var seq []string
	tagCur := 0
	for i := 0; i < len(tagRows); {
		x := tagRows[i]
		seq = seq[:0]
		for ; i < len(tagRows) && tagRows[i].pl == x.pl && tagRows[i].post == x.post; i++ {
			seq = append(seq, tagRows[i].tag)
		}
		b.Add(CoHashtag, acc(x.pl, x.id), b.Object("tags:"+strings.Join(seq, " "), -1), postContent(&tagCur, x.pl, x.post), x.t)
	}

	shareRows, err := shares.wait()
	if err != nil {
		return Input{}, err
	}
	for _, x := range shareRows {
		b.Add(CoShare, acc(x.pl, x.id), b.Object(x.obj, -1), b.Content(x.content), x.t)
	}

	// Account attributes, for accounts that act or are watched.
	accountRows, err := accounts.wait()
	if err != nil {
		return Input{}, err
	}
	for _, x := range accountRows {
		if _, ok := b.HasAccount(key(x.pl, x.id)); ok {
			b.SetAccount(key(x.pl, x.id), x.created, x.followers, StatusUnknown, false)
		}
	}
	statusRows, err := statuses.wait()
	if err != nil {
		return Input{}, err
	}
	var asOf time.Time
	for _, x := range statusRows {
		if x.at.Valid && x.at.Time.After(asOf) {
			asOf = x.at.Time
		}
		st := StatusUnknown
		switch x.status {
		case "suspended":
			st = StatusSuspended
		case "deleted":
			st = StatusDeleted
		case "active":
			st = StatusActive
		}
		if _, ok := b.HasAccount(key(x.pl, x.id)); ok {
			b.SetAccount(key(x.pl, x.id), 0, -1, st, false)
		}
	}
	for k := range watch {
		b.SetAccount(k, 0, -1, StatusUnknown, true)
	}
	in := b.Input(time.Second)
	// Show ids, not platform-qualified keys.
	copy(in.Accounts.ID, displays)
	for i, o := range in.Objects.ID {
		if pl, id, ok := strings.Cut(o, "\x00"); ok && pl != "" {
			in.Objects.ID[i] = id
		}
	}
	for i, c := range in.Contents.ID {
		if pl, id, ok := strings.Cut(c, "\x00"); ok && pl != "" {
			in.Contents.ID[i] = id
		}
	}
	in.StatusAsOf = asOf
	if nameTextsLater != nil {
		nameTextsLater(&in)
	}
	p.report("read", readRows.Load(), readRows.Load())
	return in, nil
}

// nameTexts returns the namer of the unnamed co-text objects from obj0 on: object obj0+i is
// the normalised text of post firstContent[i] of platform firstPl[i], read back from the
// posts view in batches (bound parameters).
func nameTexts(q store.Querier, contents []string, obj0 int32, firstContent []int32, firstPl []string) func(context.Context, []int32) ([]string, error) {
	return func(ctx context.Context, objs []int32) ([]string, error) {
		type want struct{ pl, post string }
		ws := make([]want, len(objs))
		byPl := map[string][]string{}
		for i, o := range objs {
			k := int(o - obj0)
			if k < 0 || k >= len(firstContent) || firstContent[k] < 0 {
				return nil, fmt.Errorf("coord: object %d has no name", o)
			}
			ws[i] = want{firstPl[k], contents[firstContent[k]]}
			byPl[ws[i].pl] = append(byPl[ws[i].pl], ws[i].post)
		}
		texts := map[want]string{}
		const batch = 500
		for pl, posts := range byPl {
			slices.Sort(posts)
			posts = slices.Compact(posts)
			for len(posts) > 0 {
				n := min(batch, len(posts))
				args := []any{pl}
				for _, id := range posts[:n] {
					args = append(args, id)
				}
				query := `SELECT id, text FROM posts WHERE platform = ? AND id IN (?` + strings.Repeat(", ?", n-1) + `)`
				rows, err := q.Query(ctx, query, args...)
				if err != nil {
					return nil, fmt.Errorf("coord: naming texts: %w", err)
				}
				for rows.Next() {
					var id string
					var t sql.NullString
					if err := rows.Scan(&id, &t); err != nil {
						rows.Close()
						return nil, fmt.Errorf("coord: naming texts: %w", err)
					}
					texts[want{pl, id}] = t.String
				}
				err = rows.Err()
				rows.Close()
				if err != nil {
					return nil, fmt.Errorf("coord: naming texts: %w", err)
				}
				posts = posts[n:]
			}
		}
		names := make([]string, len(objs))
		for i, w := range ws {
			t, ok := texts[w]
			if !ok {
				return nil, fmt.Errorf("coord: naming texts: post %s of %s is no longer in the study", w.post, w.pl)
			}
			names[i] = "text:" + text.Normalize(t)
		}
		return names, nil
	}
}

// chunked is an append-only list stored in fixed-size chunks, so that growing it to millions
// of elements copies nothing.
type chunked[T any] struct {
	chunks [][]T
	n      int
}

const chunkLen = 1 << 16

func (c *chunked[T]) add(x T) {
	if c.n%chunkLen == 0 {
		c.chunks = append(c.chunks, make([]T, 0, chunkLen))
	}
	last := &c.chunks[len(c.chunks)-1]
	*last = append(*last, x)
	c.n++
}

func (c *chunked[T]) len() int { return c.n }

func (c *chunked[T]) at(i int) *T { return &c.chunks[i/chunkLen][i%chunkLen] }

// later is the result of a query read in the background.
type later[T any] struct {
	done chan struct{}
	rows []T
	err  error
}

func newLater[T any]() *later[T] { return &later[T]{done: make(chan struct{})} }

// wait returns the rows once read.
func (l *later[T]) wait() ([]T, error) {
	<-l.done
	return l.rows, l.err
}

// read fills l with the rows of query, each scanned by scan, when wanted (otherwise none),
// unless ctx is done first (the load returned early).
func read[T any](ctx context.Context, each func(string, func(*sql.Rows) error, ...any) error, l *later[T], wanted bool,
	query string, scan func(*sql.Rows, *T) error) {
	defer close(l.done)
	if err := ctx.Err(); err != nil {
		l.err = fmt.Errorf("coord load: %w", err)
		return
	}
	if !wanted {
		return
	}
	l.err = each(query, func(r *sql.Rows) error {
		var x T
		err := scan(r, &x)
		l.rows = append(l.rows, x)
		return err
	})
}

// textRow is a post's text for co-text (and co-phrase).
type textRow struct {
	pl, id, post string // platform, author id, post id
	t            int64
	norm         string // "text:" + text.Normalize(text): the co-text object key
	key          uint64 // instead of norm, its text.KeyOf (see hashTexts)
}

// postLess orders text rows by platform, then post id (Go's string order).
func postLess(x, y *textRow) bool {
	return x.pl < y.pl || x.pl == y.pl && x.post < y.post
}
