//go:build beam

package pipeline

import (
	"slices"
)

// ItemKind says what an Item tells about its object.
type ItemKind uint8

// Item kinds.
const (
	// ItemRepostPost: a repost known as a post (posts with kind repost and a referenced id).
	ItemRepostPost ItemKind = iota + 1
	// ItemRepostEngagement: a repost known without the reposting post (retweeted_by lists).
	ItemRepostEngagement
	// ItemPost: the object itself was seen as a post; Account is its author. Used to fill a
	// repost's missing referenced author, as the store's engagements view does.
	ItemPost
)

// Item is one fact about an object (a post that may be reposted), keyed in the pipeline by
// ObjectKey(platform, post id). Account ids are bare ids: the platform is part of the key.
type Item struct {
	Kind ItemKind
	// Account is the reposting account (repost items) or the post's author (ItemPost).
	Account string
	// Author is the reposted post's author as the repost gives it ("" unknown).
	Author string
	// PostID is the reposting post's id (ItemRepostPost) or the object's id (ItemPost).
	PostID string
	// Time is the repost time in unix seconds (floor); HasTime is false when the source gives
	// none (such a repost post still hides an engagement, but is not an action).
	Time    int64
	HasTime bool
	// CountsAt ranks observations of the same post (latest counts first), as the store does.
	CountsAt int64
}

// Action is one timed repost of an object: account Account at Time (unix seconds).
type Action struct {
	Account string
	Time    int64
}

// ObjectActions reduces everything known about one object to its co-repost actions, with the
// semantics of the store's engagements view read by coord.Load:
//
//   - each repost post counts once (observations of the same post id are merged, the one with
//     the latest counts first), and only when it has a time;
//   - a repost engagement counts once per account, at its earliest time, and not at all when
//     the same account's repost of this object is known as a post;
//   - when targets is not nil, an action counts only if the reposted post's author is a target:
//     the author the repost carries, or else the author of the object's own post record.
//
// The actions are returned sorted by (time, account).
func ObjectActions(items []Item, targets func(author string) bool) []Action {
	posts := map[string]Item{}   // repost post id → best observation
	engaged := map[string]Item{} // account → earliest engagement
	objAuthor, objRank := "", int64(0)
	haveObj := false
	for _, it := range items {
		switch it.Kind {
		case ItemRepostPost:
			if cur, ok := posts[it.PostID]; !ok || better(it, cur) {
				posts[it.PostID] = it
			}
		case ItemRepostEngagement:
			if !it.HasTime {
				continue
			}
			cur, ok := engaged[it.Account]
			if !ok || it.Time < cur.Time || (it.Time == cur.Time && it.Author > cur.Author) {
				engaged[it.Account] = it
			}
		case ItemPost:
			if !haveObj || it.CountsAt > objRank || (it.CountsAt == objRank && it.Account > objAuthor) {
				objAuthor, objRank, haveObj = it.Account, it.CountsAt, true
			}
		}
	}
	byPost := map[string]bool{} // accounts whose repost of this object is a post
	var acts []Action
	keep := func(it Item) bool {
		if targets == nil {
			return true
		}
		a := it.Author
		if a == "" {
			a = objAuthor
		}
		return a != "" && targets(a)
	}
	for _, it := range posts {
		byPost[it.Account] = true
		if it.HasTime && keep(it) {
			acts = append(acts, Action{Account: it.Account, Time: it.Time})
		}
	}
	for acc, it := range engaged {
		if !byPost[acc] && keep(it) {
			acts = append(acts, Action{Account: acc, Time: it.Time})
		}
	}
	slices.SortFunc(acts, cmpAction)
	return acts
}

// better reports whether repost-post observation x outranks y: later counts first, then a
// deterministic order of the remaining fields (observations of one post id normally agree).
func better(x, y Item) bool {
	switch {
	case x.CountsAt != y.CountsAt:
		return x.CountsAt > y.CountsAt
	case x.HasTime != y.HasTime:
		return x.HasTime
	case x.Time != y.Time:
		return x.Time < y.Time
	case x.Account != y.Account:
		return x.Account < y.Account
	}
	return x.Author < y.Author
}

func cmpAction(x, y Action) int {
	switch {
	case x.Time < y.Time:
		return -1
	case x.Time > y.Time:
		return 1
	case x.Account < y.Account:
		return -1
	case x.Account > y.Account:
		return 1
	}
	return 0
}

// Sweep calls emit(i, j) for every pair i < j of the time-sorted actions with
// acts[j].Time − acts[i].Time ≤ window: the two-pointer sweep of internal/analysis/coord (the
// window is inclusive and sliding, never binned). Its cost is proportional to the pairs inside
// the window, never to the cartesian product.
func Sweep(acts []Action, window int64, emit func(i, j int)) {
	lo := 0
	for j := 1; j < len(acts); j++ {
		for acts[j].Time-acts[lo].Time > window {
			lo++
		}
		for i := lo; i < j; i++ {
			emit(i, j)
		}
	}
}

// Pair is an unordered pair of different accounts, A < B as strings.
type Pair struct{ A, B string }

// ObjectPairs returns the distinct pairs of different accounts that co-acted on one object:
// some action of each within window seconds of each other (|t_A − t_B| ≤ window). acts must
// be sorted by time (ObjectActions does). The pairs are sorted.
func ObjectPairs(acts []Action, window int64) []Pair {
	if len(acts) < 2 {
		return nil
	}
	// Intern accounts so that the pairs are packed integers; de-duplicate by sorting.
	idx := map[string]uint32{}
	var names []string
	ids := make([]uint32, len(acts))
	for k, a := range acts {
		i, ok := idx[a.Account]
		if !ok {
			i = uint32(len(names))
			idx[a.Account] = i
			names = append(names, a.Account)
		}
		ids[k] = i
	}
	var keys []uint64
	Sweep(acts, window, func(i, j int) {
		a, b := ids[i], ids[j]
		if a == b {
			return
		}
		if a > b {
			a, b = b, a
		}
		keys = append(keys, uint64(a)<<32|uint64(b))
	})
	slices.Sort(keys)
	keys = slices.Compact(keys)
	out := make([]Pair, 0, len(keys))
	for _, k := range keys {
		a, b := names[k>>32], names[uint32(k)]
		if a > b {
			a, b = b, a
		}
		out = append(out, Pair{a, b})
	}
	slices.SortFunc(out, func(x, y Pair) int {
		switch {
		case x.A != y.A:
			if x.A < y.A {
				return -1
			}
			return 1
		case x.B < y.B:
			return -1
		case x.B > y.B:
			return 1
		}
		return 0
	})
	return out
}
