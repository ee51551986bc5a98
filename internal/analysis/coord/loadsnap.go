package coord

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	"github.com/echotrace/echotrace/internal/store"
)

// errSnapshotOrder: a snapshot table was not read in the order it was written; Load then
// reads the views.
var errSnapshotOrder = errors.New("coord load: snapshot rows out of order")

// snapshotUsable reports whether Load can read p's input from the analysis snapshot: it
// holds the default co-text, co-link and engagement objects; near-duplicate groups, domains
// and co-phrase need the texts and URLs themselves and are read from the views.
func snapshotUsable(p Params, want map[Signal]bool) bool {
	return !p.NearDuplicates && !p.SameDomain && !want[CoPhrase]
}

// snapshotMeta reads whether the study's snapshot is fresh (built for its latest import, in
// this format) and its status date. A study without one (an older schema) is not fresh.
func snapshotMeta(ctx context.Context, q store.Querier) (m snapMeta, err error) {
	rows, err := q.Query(ctx, `SELECT format = ? AND import_id IS NOT DISTINCT FROM
  (SELECT max(id) FROM core.imports WHERE status IN ('committed', 'partial')), status_as_of,
  reposts, replies, quotes, texts FROM snap.meta`, store.SnapshotFormat)
	if err != nil {
		return m, nil // no snapshot schema: read the views
	}
	defer rows.Close()
	var at sql.NullTime
	if rows.Next() {
		n := &m.counts
		if err := rows.Scan(&m.fresh, &at, &n.repost, &n.reply, &n.quote, &n.text); err != nil {
			return snapMeta{}, err
		}
	}
	if at.Valid {
		m.asOf = at.Time
	}
	return m, rows.Err()
}

// snapMeta is what snap.meta says: whether the snapshot is fresh, the status date, and the
// posts' counts that Load's capacity hints use (countRows, as of the build).
type snapMeta struct {
	fresh  bool
	asOf   time.Time
	counts rowCounts
}

// ints reads a query of integer columns into one flat slice, n values a row, with room for
// hint rows (a guess from the snapshot's counts: no copying as the slice grows). The values are
// scanned into interfaces (database/sql's fast path: no conversion through reflection, a third
// of the read's CPU time) and converted here; a NULL is an error.
func ints(ctx context.Context, q store.Querier, n, hint int, query string, row func()) ([]int64, error) {
	rows, err := q.Query(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("coord load: %w", err)
	}
	defer rows.Close()
	out := make([]int64, 0, max(hint, 0)*n)
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("coord load: %w", err)
		}
		for i, v := range vals {
			x, ok := int64Of(v)
			if !ok {
				return nil, fmt.Errorf("coord load: column %d: %v (%T) is not an integer", i, v, v)
			}
			out = append(out, x)
		}
		if row != nil {
			row()
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("coord load: %w", err)
	}
	return out, nil
}

// int64Of is v as an int64 when v is an integer the driver returns (NULL is not).
func int64Of(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int32:
		return int64(x), true
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	}
	return 0, false
}

// later64 is an integer query read in the background.
type later64 struct {
	done chan struct{}
	v    []int64
	err  error
}

func readLater(ctx context.Context, q store.Querier, wanted bool, n, hint int, query string, row func()) *later64 {
	l := &later64{done: make(chan struct{})}
	go func() {
		defer close(l.done)
		if wanted {
			l.v, l.err = ints(ctx, q, n, hint, query, row)
		}
	}()
	return l
}

func (l *later64) wait() ([]int64, error) { <-l.done; return l.v, l.err }

// loadSnapshot is Load reading the analysis snapshot (docs/schema.md, schema snap) instead of
// the views: the same Input, index for index — accounts, objects and contents created in the
// same order as Load creates them from the views' ordered rows, since the snapshot's dense ids
// follow the string order of the keys. Engagement objects and every post content are left
// unnamed and named from the snapshot when the results show them (NameObjects,
// NameContents). Co-share is read from the shares view (it is not in the snapshot).
func loadSnapshot(ctx context.Context, q store.Querier, p Params, want map[Signal]bool, meta snapMeta) (Input, error) {
	all := len(want) == 0
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var readRows int64
	var row func() // progress is reported per table below (the reads run concurrently)
	kinds := []Signal{CoRepost, CoReply, CoQuote}
	var ks []string
	for i := range kinds {
		if all || want[kinds[i]] {
			ks = append(ks, fmt.Sprint(i))
		}
	}
	p.report("read", 0, 1)
	t0 := time.Now()
	trace := func(what string) {
		if os.Getenv("ECHOTRACE_SNAPSHOT_TRACE") != "" {
			fmt.Fprintf(os.Stderr, "snapshot load: %s at %.2fs\n", what, time.Since(t0).Seconds())
		}
	}
	// Packed integers: fewer values per row through database/sql (each is boxed).
	// Room for the wanted kinds only (the memory model counts those).
	var hint int64
	for i, c := range []int64{meta.counts.repost, meta.counts.reply, meta.counts.quote} {
		if all || want[kinds[i]] {
			hint += c
		}
	}
	engs := readLater(rctx, q, len(ks) > 0, 4, int(hint), `SELECT (CAST(oid AS BIGINT) << 32) | aid, t,
       (CAST(coalesce(author, -1) + 1 AS BIGINT) << 32) | (coalesce(via, -1) + 1),
       coalesce(created, 0) * 8 + kind * 2 + CAST(irart AS INTEGER)
FROM snap.engagements WHERE kind IN (`+strings.Join(append(ks, "-1"), ",")+`)`, row)
	texts := readLater(rctx, q, all || want[CoText], 3, int(meta.counts.text), `SELECT (CAST(oid AS BIGINT) << 32) | aid, t, key FROM snap.texts`, row)
	links := readLater(rctx, q, all || want[CoLink], 3, 0, `SELECT (CAST(oid AS BIGINT) << 32) | aid, uid, t FROM snap.links`, row)
	tags := readLater(rctx, q, all || want[CoHashtag], 3, 0, `SELECT (CAST(oid AS BIGINT) << 32) | aid, sid, t FROM snap.hashtags`, row)
	defer func() {
		cancel()
		for _, l := range []*later64{engs, texts, links, tags} {
			<-l.done
		}
	}()

	// The account dictionary, whole: ids for display, attributes.
	var dict []snapAccount
	err := eachRow(rctx, q, `SELECT id, created, followers, status, watch FROM snap.accounts ORDER BY aid`, func(r *sql.Rows) error {
		var a snapAccount
		var st int64
		if err := r.Scan(&a.id, &a.created, &a.followers, &st, &a.watch); err != nil {
			return err
		}
		a.status = Status(st)
		dict = append(dict, a)
		return nil
	})
	if err != nil {
		return Input{}, err
	}

	trace("accounts read")
	counts := meta.counts
	var in Input
	// Capacity hints, as Load's: millions of contents and actions are not copied as they grow.
	nContents := int(counts.repost + counts.reply + counts.quote + counts.text)
	in.Contents.ID = make([]string, 0, nContents)
	accIdx := make([]int32, len(dict))
	for i := range accIdx {
		accIdx[i] = -1
	}
	acc := func(aid int64) int32 {
		if i := accIdx[aid]; i >= 0 {
			return i
		}
		i := int32(len(in.Accounts.ID))
		accIdx[aid] = i
		in.Accounts.ID = append(in.Accounts.ID, dict[aid].id)
		return i
	}
	nWatch := 0
	for aid := range dict {
		if dict[aid].watch {
			acc(int64(aid))
			nWatch++
		}
	}
	onlyTargets := !p.AllTargets && nWatch > 0

	o := &in.Objects
	var created []int64 // per object, 0 unknown (Objects.Created once one is known)
	var objPost []int32 // per object: its post (oid) when unnamed and an engaged post, else -1
	newObject := func(id string, author int32, post int32) int32 {
		i := int32(len(o.ID))
		o.ID = append(o.ID, id)
		o.Author = append(o.Author, author)
		created = append(created, 0)
		objPost = append(objPost, post)
		return i
	}
	c := &in.Contents
	contentPost := make([]int32, 0, nContents) // per content: its post (oid) when unnamed, else -1
	newContent := func(post int64) int32 {
		if post < 0 {
			return -1
		}
		i := int32(len(c.ID))
		c.ID = append(c.ID, "")
		contentPost = append(contentPost, int32(post))
		return i
	}
	actions := map[Signal]*Actions{}
	add := func(s Signal, a, obj, content int32, t int64) {
		x := actions[s]
		if x == nil {
			in.Actions = append(in.Actions, Actions{Signal: s})
			x = &in.Actions[len(in.Actions)-1]
			// pointers into in.Actions stay valid: reserve room for every signal up front
			actions[s] = x
		}
		x.Account = append(x.Account, a)
		x.Object = append(x.Object, obj)
		x.Time = append(x.Time, t)
		x.Content = append(x.Content, content)
	}
	in.Actions = make([]Actions, 0, len(AllSignals))
	// Load reserves room for these signals first (so they come first, even if empty).
	for _, r := range []struct {
		s Signal
		n int64
	}{{CoRepost, counts.repost}, {CoReply, counts.reply}, {CoQuote, counts.quote}, {CoText, counts.text}} {
		if (all || want[r.s]) && r.n > 0 {
			in.Actions = append(in.Actions, Actions{Signal: r.s, Account: make([]int32, 0, r.n),
				Object: make([]int32, 0, r.n), Time: make([]int64, 0, r.n), Content: make([]int32, 0, r.n)})
			actions[r.s] = &in.Actions[len(in.Actions)-1]
		}
	}

	// Engagements, in (post, time, account, kind, via) order.
	trace("before engagements")
	ev, err := engs.wait()
	trace("engagements read")
	if err != nil {
		return Input{}, err
	}
	readRows += int64(len(ev) / 4)
	// Per post (oid), dense: its object, its text's content, its own content (-1: none yet).
	nPosts, err := maxOID(rctx, q)
	if err != nil {
		return Input{}, err
	}
	minus := func() []int32 {
		x := make([]int32, nPosts)
		for i := range x {
			x[i] = -1
		}
		return x
	}
	objOf := minus()
	irart := map[int32]bool{}
	{
		var last struct {
			valid, target bool
			post, author  int64
			obj           int32
		}
		var prev [5]int64
		for i := 0; i+4 <= len(ev); i += 4 {
			post, aid := ev[i]>>32, ev[i]&0xffffffff
			t := ev[i+1]
			author, via := ev[i+2]>>32-1, ev[i+2]&0xffffffff-1
			cr, kind, ir := ev[i+3]>>3, ev[i+3]>>1&3, ev[i+3]&1
			vk := via
			if vk < 0 {
				vk = math.MaxInt64 // NULL sorts last
			}
			key := [5]int64{post, t, aid, 2 - kind, vk}
			if i > 0 && cmpKey(prev[:], key[:]) > 0 {
				return Input{}, errSnapshotOrder
			}
			prev = key
			if !last.valid || post != last.post || author != last.author {
				last.valid, last.post, last.author = true, post, author
				last.target = !onlyTargets || (author >= 0 && dict[author].watch)
				if last.target {
					au := int32(-1)
					if author >= 0 {
						au = acc(author)
					}
					ob := objOf[post]
					if ob < 0 {
						ob = newObject("", au, int32(post))
						objOf[post] = ob
						created[ob] = cr
						if ir == 1 {
							irart[ob] = true
						}
					} else if au >= 0 && o.Author[ob] < 0 {
						o.Author[ob] = au
					}
					last.obj = ob
				}
			}
			if !last.target {
				continue
			}
			add(kinds[kind], acc(aid), last.obj, newContent(via), t)
		}
	}
	nEngObjects := len(o.ID)
	ev = nil

	// Texts, in post order: hashed co-text objects, named from the posts when shown.
	trace("before texts")
	tv, err := texts.wait()
	trace("texts read")
	if err != nil {
		return Input{}, err
	}
	readRows += int64(len(tv) / 3)
	textContent := minus()
	textObj0 := int32(len(o.ID))
	var firstContent []int32 // per text object, the content of its first post
	hashed := make(map[uint64]int32, len(tv)/3)
	for i := 0; i+3 <= len(tv); i += 3 {
		post, aid := tv[i]>>32, tv[i]&0xffffffff
		if i > 0 && tv[i-3]>>32 >= post {
			return Input{}, errSnapshotOrder
		}
		cn := newContent(post)
		textContent[post] = cn
		k := uint64(tv[i+2])
		a := acc(aid)
		ob, ok := hashed[k]
		if !ok {
			ob = newObject("", -1, -1)
			hashed[k] = ob
			firstContent = append(firstContent, cn)
		}
		add(CoText, a, ob, cn, tv[i+1])
	}
	tv = nil

	// Engaged posts without a creation time are anchored at their first action, as in Load.
	{
		b := &Builder{in: in}
		for ob, t := range created {
			if t != 0 {
				b.SetCreated(int32(ob), t)
			}
		}
		b.anchorAtFirstAction(nEngObjects, func(ob int32) bool { return !irart[ob] })
		in = b.in
	}

	// A post's content for co-link and co-hashtag: its text's, else one of its own.
	postContent := func(post int64) int32 {
		if cn := textContent[post]; cn >= 0 {
			return cn
		}
		cn := newContent(post)
		textContent[post] = cn // a post without a text: its URLs and hashtags share one
		return cn
	}
	named := map[string]int32{} // objects by name, for co-share's objects
	trace("before links")
	lv, err := links.wait()
	trace("links read")
	if err != nil {
		return Input{}, err
	}
	readRows += int64(len(lv) / 3)
	if len(lv) > 0 {
		urls, err := names(rctx, q, `SELECT url FROM snap.urls ORDER BY uid`)
		if err != nil {
			return Input{}, err
		}
		objOfURL := make([]int32, len(urls))
		for i := range objOfURL {
			objOfURL[i] = -1
		}
		lastPost, content := int64(-1), int32(-1)
		for i := 0; i+3 <= len(lv); i += 3 {
			post, aid, uid := lv[i]>>32, lv[i]&0xffffffff, lv[i+1]
			if i > 0 && (lv[i-3]>>32 > post || lv[i-3]>>32 == post && lv[i-2] > uid) {
				return Input{}, errSnapshotOrder
			}
			if post != lastPost {
				lastPost, content = post, postContent(post)
			}
			a := acc(aid)
			ob := objOfURL[uid]
			if ob < 0 {
				ob = in.newObject("url:" + urls[uid])
				objOfURL[uid] = ob
				named["url:"+urls[uid]] = ob
			}
			add(CoLink, a, ob, content, lv[i+2])
		}
	}
	lv = nil
	trace("before hashtags")
	hv, err := tags.wait()
	trace("hashtags read")
	if err != nil {
		return Input{}, err
	}
	readRows += int64(len(hv) / 3)
	if len(hv) > 0 {
		seqs, err := names(rctx, q, `SELECT seq FROM snap.tagseqs ORDER BY sid`)
		if err != nil {
			return Input{}, err
		}
		objOfSeq := make([]int32, len(seqs))
		for i := range objOfSeq {
			objOfSeq[i] = -1
		}
		for i := 0; i+3 <= len(hv); i += 3 {
			post, aid, sid := hv[i]>>32, hv[i]&0xffffffff, hv[i+1]
			if i > 0 && hv[i-3]>>32 >= post {
				return Input{}, errSnapshotOrder
			}
			a := acc(aid)
			ob := objOfSeq[sid]
			if ob < 0 {
				ob = in.newObject("tags:" + seqs[sid])
				objOfSeq[sid] = ob
				named["tags:"+seqs[sid]] = ob
			}
			add(CoHashtag, a, ob, postContent(post), hv[i+2])
		}
	}
	hv = nil

	// Co-share from the view (strings; its objects and contents are namespaces of their own,
	// but a share object named like a link or hashtag object is that object, as in Load).
	if all || want[CoShare] {
		contents := map[string]int32{}
		err := eachRow(rctx, q, `SELECT a.aid, s.object_id, coalesce(s.content_id, ''), `+secs(`s."at"`)+`
FROM shares s JOIN snap.accounts a ON a.platform = s.platform AND a.id = s.account_id
WHERE s."at" IS NOT NULL
ORDER BY s.platform, s.object_id, s."at", s.account_id, s.content_id`, func(r *sql.Rows) error {
			var obj, content string
			var aid, t int64
			if err := r.Scan(&aid, &obj, &content, &t); err != nil {
				return err
			}
			readRows++
			a := acc(aid)
			ob, ok := named[obj]
			if !ok {
				ob = in.newObject(obj)
				named[obj] = ob
			}
			cn := int32(-1)
			if content != "" {
				if cn, ok = contents[content]; !ok {
					cn = int32(len(c.ID))
					c.ID = append(c.ID, content)
					contentPost = append(contentPost, -1)
					contents[content] = cn
				}
			}
			add(CoShare, a, ob, cn, t)
			return nil
		})
		if err != nil {
			return Input{}, err
		}
	}

	// Account attributes.
	n := len(in.Accounts.ID)
	a := &in.Accounts
	a.CreatedAt, a.Followers = make([]int64, n), make([]int64, n)
	a.Status, a.Watch = make([]Status, n), make([]bool, n)
	for aid, i := range accIdx {
		if i < 0 {
			continue
		}
		d := &dict[aid]
		a.CreatedAt[i], a.Followers[i], a.Status[i], a.Watch[i] = d.created, d.followers, d.status, d.watch
	}
	in.TimeUnit = time.Second
	in.StatusAsOf = meta.asOf

	// Names, when shown: engaged posts and contents from the object dictionary, co-text
	// objects from their first post's text.
	in.Objects.name = snapshotObjectNames(q, objPost, textObj0, firstContent, contentPost)
	in.Contents.name = func(ctx context.Context, cs []int32) ([]string, error) {
		posts := make([]int32, len(cs))
		for i, cn := range cs {
			posts[i] = contentPost[cn]
		}
		return postIDs(ctx, q, posts)
	}
	// Names compared by posts: an engaged post is its content when a post reposts itself. A
	// post content is never a co-text, link or hashtag object (Load compares a post id with
	// "url:…", "tags:…" or an unnamed text there, which differ but for post ids spelt so).
	in.sameAsObject = func(cn, ob int32) bool {
		if cp := contentPost[cn]; cp >= 0 {
			return int(ob) < len(objPost) && objPost[ob] == cp
		}
		return in.Contents.ID[cn] == in.Objects.ID[ob] // co-share's contents are named
	}
	trace("done")
	p.report("read", readRows, readRows)
	return in, nil
}

// newObject adds a named object without an author (the snapshot load's link, hashtag and
// share objects).
func (in *Input) newObject(id string) int32 {
	i := int32(len(in.Objects.ID))
	in.Objects.ID = append(in.Objects.ID, id)
	in.Objects.Author = append(in.Objects.Author, -1)
	if in.Objects.Created != nil {
		in.Objects.Created = append(in.Objects.Created, 0)
	}
	return i
}

// maxOID is the number of posts in the snapshot's object dictionary.
func maxOID(ctx context.Context, q store.Querier) (int64, error) {
	var n int64
	err := eachRow(ctx, q, `SELECT count(*) FROM snap.objects`, func(r *sql.Rows) error { return r.Scan(&n) })
	return n, err
}

// cmpKey compares two keys of the same length.
func cmpKey(x, y []int64) int {
	for i := range x {
		switch {
		case x[i] < y[i]:
			return -1
		case x[i] > y[i]:
			return 1
		}
	}
	return 0
}

// snapAccount is a row of snap.accounts.
type snapAccount struct {
	id                 string
	created, followers int64
	status             Status
	watch              bool
}

// eachRow runs query and calls scan for every row.
func eachRow(ctx context.Context, q store.Querier, query string, scan func(*sql.Rows) error, args ...any) error {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("coord load: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("coord load: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("coord load: %w", err)
	}
	return nil
}

// names reads one string column.
func names(ctx context.Context, q store.Querier, query string) ([]string, error) {
	var out []string
	err := eachRow(ctx, q, query, func(r *sql.Rows) error {
		var s string
		err := r.Scan(&s)
		out = append(out, s)
		return err
	})
	return out, err
}

// postIDs returns the ids of snapshot posts (oids), in batches of bound parameters.
func postIDs(ctx context.Context, q store.Querier, posts []int32) ([]string, error) {
	ids, _, err := postKeys(ctx, q, posts)
	return ids, err
}

// postKeys returns the ids and platforms of snapshot posts (oids).
func postKeys(ctx context.Context, q store.Querier, posts []int32) (ids, platforms []string, err error) {
	byOID := map[int32][2]string{}
	const batch = 500
	for i := 0; i < len(posts); i += batch {
		part := posts[i:min(i+batch, len(posts))]
		args := make([]any, len(part))
		for j, x := range part {
			args[j] = x
		}
		err := eachRow(ctx, q, `SELECT oid, platform, id FROM snap.objects WHERE oid IN (?`+strings.Repeat(", ?", len(part)-1)+`)`, func(r *sql.Rows) error {
			var oid int32
			var pl, id string
			if err := r.Scan(&oid, &pl, &id); err != nil {
				return err
			}
			byOID[oid] = [2]string{pl, id}
			return nil
		}, args...)
		if err != nil {
			return nil, nil, fmt.Errorf("coord: naming posts: %w", err)
		}
	}
	ids, platforms = make([]string, len(posts)), make([]string, len(posts))
	for i, x := range posts {
		k, ok := byOID[x]
		if !ok {
			return nil, nil, fmt.Errorf("coord: naming posts: post %d is no longer in the snapshot", x)
		}
		platforms[i], ids[i] = k[0], k[1]
	}
	return ids, platforms, nil
}

// snapshotObjectNames names the snapshot load's unnamed objects: an engaged post (objPost ≥
// 0) by its id, a co-text object (from textObj0 on) by the normalised text of its first post.
func snapshotObjectNames(q store.Querier, objPost []int32, textObj0 int32, firstContent, contentPost []int32) func(context.Context, []int32) ([]string, error) {
	return func(ctx context.Context, objs []int32) ([]string, error) {
		out := make([]string, len(objs))
		var posts, textPosts []int32
		var postAt, textAt []int
		for i, ob := range objs {
			switch {
			case int(ob) < len(objPost) && objPost[ob] >= 0:
				posts = append(posts, objPost[ob])
				postAt = append(postAt, i)
			case ob >= textObj0 && int(ob-textObj0) < len(firstContent):
				textPosts = append(textPosts, contentPost[firstContent[ob-textObj0]])
				textAt = append(textAt, i)
			default:
				return nil, fmt.Errorf("coord: object %d has no name", ob)
			}
		}
		ids, err := postIDs(ctx, q, posts)
		if err != nil {
			return nil, err
		}
		for j, i := range postAt {
			out[i] = ids[j]
		}
		if len(textPosts) > 0 {
			ids, pls, err := postKeys(ctx, q, textPosts)
			if err != nil {
				return nil, err
			}
			// nameTexts reads the texts by (platform, post id) and normalises them.
			first := make([]int32, len(ids))
			tobjs := make([]int32, len(ids))
			for j := range ids {
				first[j], tobjs[j] = int32(j), int32(j)
			}
			texts, err := nameTexts(q, ids, 0, first, pls)(ctx, tobjs)
			if err != nil {
				return nil, err
			}
			for j, i := range textAt {
				out[i] = texts[j]
			}
		}
		return out, nil
	}
}
