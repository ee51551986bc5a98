package text

// Signature is a MinHash signature: for each of its hash functions h_i, the minimum of h_i
// over a shingle set. For two sets A and B, Pr[min h_i(A) = min h_i(B)] = J(A, B) (Broder 1997,
// "On the resemblance and containment of documents"), so the fraction of equal positions is an
// unbiased estimate of the Jaccard similarity with standard error √(J(1−J)/n) for n hashes.
type Signature []uint64

// MinHasher computes signatures with a fixed family of hash functions
// h_i(x) = a_i·x + b_i mod 2⁶⁴ (a_i odd), applied to shingle hashes that are first mixed with
// the SplitMix64 finaliser; a_i and b_i are drawn from SplitMix64 seeded with the seed, so the
// family is the same on every platform for a given seed.
type MinHasher struct {
	a, b []uint64
}

// NewMinHasher returns a MinHasher with n hash functions (n < 1 means 1).
func NewMinHasher(n int, seed uint64) *MinHasher {
	n = max(n, 1)
	m := &MinHasher{a: make([]uint64, n), b: make([]uint64, n)}
	state := seed
	for i := range n {
		m.a[i] = splitmix(&state) | 1
		m.b[i] = splitmix(&state)
	}
	return m
}

// Len returns the number of hash functions.
func (m *MinHasher) Len() int { return len(m.a) }

// Signature returns the signature of a shingle set. The signature of the empty set is all
// ones (^uint64(0)) in every position.
func (m *MinHasher) Signature(shingles []uint64) Signature {
	return m.SignatureInto(make(Signature, len(m.a)), shingles)
}

// SignatureInto writes the signature into dst (which must have Len() elements) and returns it.
func (m *MinHasher) SignatureInto(dst Signature, shingles []uint64) Signature {
	a := m.a
	b := m.b[:len(a)]
	dst = dst[:len(a)]
	for i := range dst {
		dst[i] = ^uint64(0)
	}
	for _, s := range shingles {
		x := mix(s)
		for i := range a {
			if v := a[i]*x + b[i]; v < dst[i] {
				dst[i] = v
			}
		}
	}
	return dst
}

// Similarity returns the fraction of positions where s and t agree: the MinHash estimate of
// the Jaccard similarity of the underlying sets. Signatures of different lengths compare over
// the shorter one; empty signatures have similarity 0.
func (s Signature) Similarity(t Signature) float64 {
	n := min(len(s), len(t))
	if n == 0 {
		return 0
	}
	eq := 0
	for i := range n {
		if s[i] == t[i] {
			eq++
		}
	}
	return float64(eq) / float64(n)
}

// splitmix advances a SplitMix64 generator (Steele, Lea & Flood 2014) and returns its output.
func splitmix(state *uint64) uint64 {
	*state += 0x9E3779B97F4A7C15
	return mix(*state)
}

// mix is the SplitMix64 finaliser, a bijection on uint64 with good avalanche.
func mix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}
