package text

import (
	"math"
	"runtime"
	"sync"
)

// LSHParams tune NearDuplicateGroups. Zero values take the defaults in brackets.
type LSHParams struct {
	// K is the shingle length in words [3]. Changing one word in the middle of a 30-word text
	// changes 3 of its 28 3-shingles: J = 25/31 ≈ 0.81.
	K int
	// Hashes is the number of MinHash functions [128]; Bands divides them into bands of
	// r = Hashes/Bands rows [32 bands, r = 4]. Hashes beyond Bands·r are unused.
	Hashes, Bands int
	// Threshold is the minimum exact Jaccard similarity of the shingle sets for two texts to be
	// joined [0.7]. Values ≤ 0 mean the default.
	Threshold float64
	// Seed selects the MinHash functions.
	Seed uint64
}

// Defaults of LSHParams.
const (
	DefaultK         = 3
	DefaultHashes    = 128
	DefaultBands     = 32
	DefaultThreshold = 0.7
)

func (p LSHParams) withDefaults() LSHParams {
	if p.K <= 0 {
		p.K = DefaultK
	}
	if p.Hashes <= 0 {
		p.Hashes = DefaultHashes
	}
	if p.Bands <= 0 {
		p.Bands = DefaultBands
	}
	p.Bands = min(p.Bands, p.Hashes)
	if !(p.Threshold > 0) {
		p.Threshold = DefaultThreshold
	}
	return p
}

// maxLeaders bounds the texts of one LSH bucket that later members are verified against.
const maxLeaders = 32

// NearDuplicateGroups returns a group id for every text such that texts joined by a chain of
// near-duplicate pairs share an id. Ids are numbered 0..g−1 in order of each group's first
// text; a text without near-duplicates is a group of its own, and so is every text that
// normalises to nothing.
//
// Each text is normalised (Normalize), split into word K-shingles (Shingles) and MinHashed
// with Hashes functions; the signature is cut into b = Bands bands of r rows, and texts whose
// signatures agree on all rows of some band become candidates. Two texts with Jaccard
// similarity s become candidates with probability
//
//	P(s) = 1 − (1 − s^r)^b
//
// (Leskovec, Rajaraman & Ullman, Mining of Massive Datasets, §3.4): with the defaults r = 4,
// b = 32, P(0.5) = 0.87, P(0.7) = 0.9998, P(0.3) = 0.23, P(0.1) = 0.003. Candidates are
// verified by the exact Jaccard similarity of their shingle sets against Threshold, so false
// positives never join; false negatives are the pairs LSH never proposes. Within a bucket each
// text is verified against the first texts of the groups already seen in that bucket (at most
// 32), which bounds the cost of huge buckets of copies.
//
// The result is deterministic for given texts and parameters. Normalising, shingling and
// hashing run on GOMAXPROCS goroutines.
func NearDuplicateGroups(texts []string, p LSHParams) []int32 {
	p = p.withDefaults()
	n := len(texts)
	r := p.Hashes / p.Bands
	b := p.Bands
	mh := NewMinHasher(b*r, p.Seed)
	shingles := make([][]uint64, n)
	keys := make([]uint32, n*b) // band keys, text-major

	workers := min(runtime.GOMAXPROCS(0), max(1, n/1024))
	chunk := (n + workers - 1) / workers
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*chunk, min(n, (w+1)*chunk)
		if lo >= hi {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var toks []string
			var sh []uint64
			sig := make(Signature, b*r)
			// One arena per worker instead of one allocation per text; a text's shingles are
			// arena[end[i-1]:end[i]].
			arena := make([]uint64, 0, (hi-lo)*16)
			end := make([]int, hi-lo)
			for i := lo; i < hi; i++ {
				toks = tokens(Normalize(texts[i]), toks[:0])
				sh = shinglesInto(sh, toks, p.K)
				arena = append(arena, sh...)
				end[i-lo] = len(arena)
				if len(sh) > 0 {
					bandKeys(keys[i*b:(i+1)*b], mh.SignatureInto(sig, sh), r)
				}
			}
			start := 0
			for i := lo; i < hi; i++ {
				if e := end[i-lo]; e > start {
					shingles[i] = arena[start:e:e]
					start = e
				}
			}
		}()
	}
	wg.Wait()

	parent := make([]int32, n)
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	entries := make([]uint64, 0, n) // key<<32 | text index: sorting groups buckets by index
	var scratch []uint64
	leaders := make([]int32, 0, maxLeaders)
	for j := range b {
		entries = entries[:0]
		for i := range n {
			if shingles[i] != nil {
				entries = append(entries, uint64(keys[i*b+j])<<32|uint64(i))
			}
		}
		radixSortKeys(entries, &scratch)
		for s := 0; s < len(entries); {
			e := s + 1
			for e < len(entries) && entries[e]>>32 == entries[s]>>32 {
				e++
			}
			if e-s > 1 {
				leaders = leaders[:0]
				for _, en := range entries[s:e] {
					i := int32(uint32(en))
					joined := false
					for _, l := range leaders {
						ri, rl := find(i), find(l)
						if ri == rl {
							joined = true
							break
						}
						if Jaccard(shingles[i], shingles[l]) >= p.Threshold {
							// Union by smaller root keeps roots at the smallest index.
							if ri < rl {
								parent[rl] = ri
							} else {
								parent[ri] = rl
							}
							joined = true
							break
						}
					}
					if !joined && len(leaders) < maxLeaders {
						leaders = append(leaders, i)
					}
				}
			}
			s = e
		}
	}

	groups := make([]int32, n)
	id := make([]int32, n)
	var next int32
	for i := range n {
		root := find(int32(i))
		if int(root) == i {
			id[i] = next
			next++
		}
		groups[i] = id[root]
	}
	return groups
}

// bandKeys writes one 32-bit key per band of r rows of sig into dst. Two texts share a key
// when they agree on the band's rows (or, with probability 2⁻³², by accident; verification by
// exact Jaccard makes such collisions harmless).
func bandKeys(dst []uint32, sig Signature, r int) {
	for j := range dst {
		h := uint64(fnvOffset) ^ uint64(j)
		for _, v := range sig[j*r : (j+1)*r] {
			h = mix(h ^ v)
		}
		dst[j] = uint32(h >> 32)
	}
}

// CandidateProbability is the probability 1 − (1 − s^r)^b that two sets with Jaccard
// similarity s agree on all r rows of at least one of b bands.
func CandidateProbability(s float64, rows, bands int) float64 {
	return 1 - math.Pow(1-math.Pow(s, float64(rows)), float64(bands))
}

// radixSortKeys sorts entries (key<<32 | index, appended in index order) by key with a stable
// two-pass LSD radix sort on the key's 16-bit halves, so equal keys stay in index order: the
// result equals slices.Sort's.
func radixSortKeys(entries []uint64, scratch *[]uint64) {
	if cap(*scratch) < len(entries) {
		*scratch = make([]uint64, len(entries))
	}
	src, dst := entries, (*scratch)[:len(entries)]
	var count [1 << 16]int
	for _, shift := range []uint{32, 48} {
		clear(count[:])
		for _, e := range src {
			count[uint16(e>>shift)]++
		}
		sum := 0
		for i, c := range count {
			count[i] = sum
			sum += c
		}
		for _, e := range src {
			d := uint16(e >> shift)
			dst[count[d]] = e
			count[d]++
		}
		src, dst = dst, src
	}
	// After two passes the sorted data is back in entries.
}
