package text

import (
	"cmp"
	"slices"
	"strings"
)

// Phrase is a word n-gram shared by a few accounts.
type Phrase struct {
	// Text is the n-gram: n normalised tokens joined by single spaces.
	Text string
	// Hash is the n-gram's shingle hash (as in Shingles with k = n).
	Hash uint64
	// Accounts are the distinct accounts (values from the accounts argument) that used it,
	// ascending.
	Accounts []int32
	// Texts are the indexes of the texts that contain it, ascending.
	Texts []int32
}

// Phrases returns the word n-grams (n ≥ 1; tokens as in Shingles, after Normalize) that at
// least 2 and at most maxAccounts distinct accounts used, where accounts[i] is the author of
// texts[i]. Rare shared phrases are the "copied talking points" signal: a 6-gram that three
// unrelated accounts post is unlikely to be chance, while one that thousands post is a slogan
// or a quotation. Texts shorter than n tokens contribute nothing. The result is sorted by
// number of accounts (descending), then by Text; it is deterministic. It panics if
// len(accounts) != len(texts).
func Phrases(texts []string, accounts []int32, n, maxAccounts int) []Phrase {
	if len(accounts) != len(texts) {
		panic("text: Phrases needs one account per text")
	}
	n = max(n, 1)
	type occ struct {
		hash         uint64
		account, txt int32
		start        int32 // first token of the n-gram in its text, for the phrase text
	}
	var occs []occ
	var toks []string
	for i, s := range texts {
		toks = tokens(Normalize(s), toks[:0])
		for j := 0; j+n <= len(toks); j++ {
			occs = append(occs, occ{hashTokens(toks[j : j+n]), accounts[i], int32(i), int32(j)})
		}
	}
	slices.SortFunc(occs, func(a, b occ) int {
		return cmp.Or(cmp.Compare(a.hash, b.hash), cmp.Compare(a.account, b.account),
			cmp.Compare(a.txt, b.txt), cmp.Compare(a.start, b.start))
	})
	var out []Phrase
	for s := 0; s < len(occs); {
		e := s + 1
		distinct := 1
		for e < len(occs) && occs[e].hash == occs[s].hash {
			if occs[e].account != occs[e-1].account {
				distinct++
			}
			e++
		}
		if distinct >= 2 && distinct <= maxAccounts {
			first := occs[s]
			toks = tokens(Normalize(texts[first.txt]), toks[:0])
			p := Phrase{Text: strings.Join(toks[first.start:int(first.start)+n], " "), Hash: first.hash}
			for _, o := range occs[s:e] {
				if len(p.Accounts) == 0 || p.Accounts[len(p.Accounts)-1] != o.account {
					p.Accounts = append(p.Accounts, o.account)
				}
				p.Texts = append(p.Texts, o.txt)
			}
			slices.Sort(p.Texts)
			p.Texts = slices.Compact(p.Texts)
			out = append(out, p)
		}
		s = e
	}
	slices.SortFunc(out, func(a, b Phrase) int {
		return cmp.Or(cmp.Compare(len(b.Accounts), len(a.Accounts)), strings.Compare(a.Text, b.Text))
	})
	return out
}

// hashTokens is the shingle hash of one window of tokens (see Shingles).
func hashTokens(toks []string) uint64 {
	h := uint64(fnvOffset)
	for _, t := range toks {
		for j := 0; j < len(t); j++ {
			h ^= uint64(t[j])
			h *= fnvPrime
		}
		h ^= 0xFF
		h *= fnvPrime
	}
	return h
}
