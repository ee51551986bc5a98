package text

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// FNV-1a 64-bit parameters (http://www.isthe.com/chongo/tech/comp/fnv/).
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// Shingles returns the set of word k-shingles of s (k consecutive tokens), each hashed with
// 64-bit FNV-1a over the tokens' UTF-8 bytes with a 0xFF byte (never present in UTF-8) after
// every token, sorted ascending and deduplicated. s should already be normalised (Normalize);
// Shingles only splits it. Tokens are the space-separated words, except that every Han,
// Hiragana or Katakana character is a token of its own, since those scripts do not put
// spaces between words. A text with fewer than k (but at least one) tokens has a single
// shingle of all its tokens, so that short texts can still be compared; an empty text has
// none. k < 1 means 1.
func Shingles(s string, k int) []uint64 {
	return shinglesInto(nil, tokens(s, nil), k)
}

// tokens splits a normalised text into tokens, appending to dst.
func tokens(s string, dst []string) []string {
	for _, w := range strings.Fields(s) {
		start := 0
		for i := 0; i < len(w); {
			r, size := utf8.DecodeRuneInString(w[i:])
			if isIdeographic(r) {
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

func isIdeographic(r rune) bool {
	return r >= 0x2E80 && (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r))
}

// shinglesInto appends the sorted, deduplicated shingle hashes of toks to dst[:0].
func shinglesInto(dst []uint64, toks []string, k int) []uint64 {
	dst = dst[:0]
	if len(toks) == 0 {
		return dst
	}
	k = max(k, 1)
	if len(toks) < k {
		k = len(toks)
	}
	for i := 0; i+k <= len(toks); i++ {
		dst = append(dst, hashTokens(toks[i:i+k]))
	}
	slices.Sort(dst)
	return slices.Compact(dst)
}

// Jaccard returns |a ∩ b| / |a ∪ b| for two sorted, deduplicated sets (as returned by
// Shingles). Two empty sets have similarity 0: an empty text is not a duplicate of anything.
func Jaccard(a, b []uint64) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 0
	}
	inter := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			inter++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}
