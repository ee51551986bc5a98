// Package radix sorts uint64 keys by a least-significant-digit radix sort: the analyses sort
// tens of millions of packed pair keys, where it is several times faster than a comparison sort.
package radix

const (
	digitBits = 11
	digitSize = 1 << digitBits
	digitMask = digitSize - 1
	passes    = (64 + digitBits - 1) / digitBits
)

// Sort sorts keys ascending using scratch (len(scratch) >= len(keys)) by an LSD radix sort
// on 11-bit digits, skipping the digits where every key has the same value (pair keys of a
// million accounts use 40 bits: 4 passes). The sorted result is left in keys.
func Sort(keys, scratch []uint64) {
	n := len(keys)
	if n < 64 {
		insertionSort(keys)
		return
	}
	var hist [passes][digitSize]int
	histogram(keys, &hist)
	src, dst := keys, scratch[:n]
	for d := 0; d < passes; d++ {
		h := &hist[d]
		shift := uint(digitBits * d)
		if !offsets(h, keys[0], shift, n) {
			continue // this digit is constant
		}
		for _, k := range src {
			x := (k >> shift) & digitMask
			dst[h[x]] = k
			h[x]++
		}
		src, dst = dst, src
	}
	if &src[0] != &keys[0] {
		copy(keys, src)
	}
}

// histogram counts the keys' digits, per pass.
func histogram(keys []uint64, hist *[passes][digitSize]int) {
	for _, k := range keys {
		for d := 0; d < passes; d++ {
			hist[d][(k>>(digitBits*d))&digitMask]++
		}
	}
}

// offsets turns one pass's digit counts into the first output position of each digit, and
// reports false (leaving h as is) when every key has the digit of k at shift: the pass would
// not move anything.
func offsets(h *[digitSize]int, k uint64, shift uint, n int) bool {
	if h[(k>>shift)&digitMask] == n {
		return false
	}
	sum := 0
	for i := range h {
		h[i], sum = sum, sum+h[i]
	}
	return true
}

func insertionSort(keys []uint64) {
	for i := 1; i < len(keys); i++ {
		k := keys[i]
		j := i - 1
		for j >= 0 && keys[j] > k {
			keys[j+1] = keys[j]
			j--
		}
		keys[j+1] = k
	}
}

// SortKV sorts keys ascending as Sort does, moving vals[i] with keys[i]; sk and sv
// are scratch of at least len(keys).
func SortKV(keys, vals, sk, sv []uint64) {
	n := len(keys)
	if n < 2 {
		return
	}
	var hist [passes][digitSize]int
	histogram(keys, &hist)
	srcK, dstK, srcV, dstV := keys, sk[:n], vals, sv[:n]
	for d := 0; d < passes; d++ {
		h := &hist[d]
		shift := uint(digitBits * d)
		if !offsets(h, keys[0], shift, n) {
			continue // this digit is constant
		}
		for i, k := range srcK {
			x := (k >> shift) & digitMask
			dstK[h[x]], dstV[h[x]] = k, srcV[i]
			h[x]++
		}
		srcK, dstK, srcV, dstV = dstK, srcK, dstV, srcV
	}
	if &srcK[0] != &keys[0] {
		copy(keys, srcK)
		copy(vals, srcV)
	}
}
