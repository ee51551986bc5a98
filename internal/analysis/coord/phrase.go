package coord

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// phrasesPerPost caps the distinct target phrases taken from one post (in the order they
// first occur in it), bounding the co-phrase actions and the memory of one pass. A post of 280
// characters has at most about 45 word 6-grams, so the cap only binds on long posts.
const phrasesPerPost = 50

// phraseText is one normalised post for the co-phrase signal.
type phraseText struct {
	norm    string // text.Normalize of the post's text
	account int32  // any dense id of the author (only compared for equality)
	t       int64  // the post's time
	target  bool   // a target post: a phrase occurring in it can be an object
	watched bool   // by a watchlist account: never an action, never counted
}

// phraseAction is one co-phrase action: post text (an index into the phraseText slice) uses
// phrase; first is the earliest time of a target post containing the phrase (0 when every
// post is a target: then the phrase's first action stands for its creation).
type phraseAction struct {
	text   int32
	phrase string
	first  int64
}

// phraseActions returns the co-phrase actions of texts, in text order and, within a text, in
// order of first occurrence. The definition (docs/coordination.md):
//
//   - a phrase is a word n-gram (n tokens joined by single spaces) of a normalised text, with
//     tokens as text.Shingles splits them; texts of fewer than n tokens have none;
//   - a phrase is an object when it occurs in at least one target post (allTargets: every
//     post is one) and at most maxAccounts distinct non-watchlist accounts use it;
//   - an action is a post by a non-watchlist account containing an object, once per (post,
//     phrase); each post contributes at most its first phrasesPerPost distinct target phrases,
//     to the account counts as to the actions.
//
// Phrases are matched by their 64-bit FNV-1a hash (as text.Shingles); the phrase text of an
// action is its own n-gram.
func phraseActions(texts []phraseText, n, maxAccounts int, allTargets bool) []phraseAction {
	n = max(n, 1)
	var toks []string
	// The target phrases, with the earliest time of a target post containing each.
	first := map[uint64]int64{}
	if !allTargets {
		for i := range texts {
			x := &texts[i]
			if !x.target {
				continue
			}
			toks = phraseTokens(x.norm, toks[:0])
			for j := 0; j+n <= len(toks); j++ {
				h := hashPhrase(toks[j : j+n])
				if t, ok := first[h]; !ok || x.t < t {
					first[h] = x.t
				}
			}
		}
		if len(first) == 0 {
			return nil
		}
	}
	// The occurrences of target phrases in non-watchlist posts, deduplicated and capped per post.
	type occ struct {
		hash          uint64
		account, text int32
		start         int32
	}
	var occs []occ
	var seen []uint64
	for i := range texts {
		x := &texts[i]
		if x.watched {
			continue
		}
		toks = phraseTokens(x.norm, toks[:0])
		seen = seen[:0]
		for j := 0; j+n <= len(toks) && len(seen) < phrasesPerPost; j++ {
			h := hashPhrase(toks[j : j+n])
			if !allTargets {
				if _, ok := first[h]; !ok {
					continue
				}
			}
			if slices.Contains(seen, h) {
				continue
			}
			seen = append(seen, h)
			occs = append(occs, occ{h, x.account, int32(i), int32(j)})
		}
	}
	// Distinct accounts per phrase.
	type ha struct {
		hash    uint64
		account int32
	}
	byHash := make([]ha, len(occs))
	for i, o := range occs {
		byHash[i] = ha{o.hash, o.account}
	}
	slices.SortFunc(byHash, func(a, b ha) int {
		return cmp.Or(cmp.Compare(a.hash, b.hash), cmp.Compare(a.account, b.account))
	})
	keep := map[uint64]bool{}
	for s := 0; s < len(byHash); {
		e, distinct := s+1, 1
		for ; e < len(byHash) && byHash[e].hash == byHash[s].hash; e++ {
			if byHash[e].account != byHash[e-1].account {
				distinct++
			}
		}
		if distinct <= maxAccounts {
			keep[byHash[s].hash] = true
		}
		s = e
	}
	var out []phraseAction
	cur := int32(-1)
	for _, o := range occs {
		if !keep[o.hash] {
			continue
		}
		if o.text != cur {
			cur = o.text
			toks = phraseTokens(texts[cur].norm, toks[:0])
		}
		out = append(out, phraseAction{text: o.text, phrase: strings.Join(toks[o.start:int(o.start)+n], " "), first: first[o.hash]})
	}
	return out
}

// phraseTokens splits a normalised text into tokens, appending to dst: the space-separated
// words, except that every Han, Hiragana or Katakana character is a token of its own. It is
// text.Shingles' tokenisation (unexported there); TestPhraseTokensMatchShingles and
// FuzzPhraseTokens keep the two identical.
func phraseTokens(s string, dst []string) []string {
	for _, w := range strings.Fields(s) {
		start := 0
		for i := 0; i < len(w); {
			r, size := utf8.DecodeRuneInString(w[i:])
			if r >= 0x2E80 && (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r)) {
				if start < i {
					dst = append(dst, w[start:i])
				}
				dst = append(dst, w[i:i+size])
				start = i + size
			}
			i += size
		}
		if start < len(w) {
			dst = append(dst, w[start:])
		}
	}
	return dst
}

// hashPhrase is the 64-bit FNV-1a hash of tokens, each followed by a 0xFF byte: the hash
// text.Shingles gives the same window of tokens.
func hashPhrase(toks []string) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	for _, t := range toks {
		for j := 0; j < len(t); j++ {
			h ^= uint64(t[j])
			h *= prime
		}
		h ^= 0xFF
		h *= prime
	}
	return h
}
