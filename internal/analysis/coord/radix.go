package coord

const (
	radixBits = 11
	radixSize = 1 << radixBits
	radixMask = radixSize - 1
	radixPass = (64 + radixBits - 1) / radixBits
)

// radixSort sorts keys ascending using scratch (len(scratch) >= len(keys)) by an LSD radix sort
// on 11-bit digits, skipping the digits where every key has the same value (pair keys of a
// million accounts use 40 bits: 4 passes). The sorted result is left in keys.
func radixSort(keys, scratch []uint64) {
	n := len(keys)
	if n < 64 {
		insertionSort(keys)
		return
	}
	var hist [radixPass][radixSize]int
	for _, k := range keys {
		for d := 0; d < radixPass; d++ {
			hist[d][(k>>(radixBits*d))&radixMask]++
		}
	}
	src, dst := keys, scratch[:n]
	for d := 0; d < radixPass; d++ {
		h := &hist[d]
		shift := uint(radixBits * d)
		if h[(keys[0]>>shift)&radixMask] == n {
			continue // this digit is constant
		}
		sum := 0
		for i := range h {
			h[i], sum = sum, sum+h[i]
		}
		for _, k := range src {
			x := (k >> shift) & radixMask
			dst[h[x]] = k
			h[x]++
		}
		src, dst = dst, src
	}
	if &src[0] != &keys[0] {
		copy(keys, src)
	}
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

// uniqueSorted removes adjacent duplicates from sorted keys.
func uniqueSorted(keys []uint64) []uint64 {
	if len(keys) < 2 {
		return keys
	}
	w := 1
	for i := 1; i < len(keys); i++ {
		if keys[i] != keys[w-1] {
			keys[w] = keys[i]
			w++
		}
	}
	return keys[:w]
}

// pairKey packs an unordered account pair, smaller index first.
func pairKey(a, b int32) uint64 {
	if a > b {
		a, b = b, a
	}
	return uint64(uint32(a))<<32 | uint64(uint32(b))
}

// splitKey unpacks a pair key.
func splitKey(k uint64) (a, b int32) { return int32(k >> 32), int32(uint32(k)) }

// radixSortKV sorts keys ascending as radixSort does, moving vals[i] with keys[i]; sk and sv
// are scratch of at least len(keys).
func radixSortKV(keys, vals, sk, sv []uint64) {
	n := len(keys)
	if n < 2 {
		return
	}
	var hist [radixPass][radixSize]int
	for _, k := range keys {
		for d := 0; d < radixPass; d++ {
			hist[d][(k>>(radixBits*d))&radixMask]++
		}
	}
	srcK, dstK, srcV, dstV := keys, sk[:n], vals, sv[:n]
	for d := 0; d < radixPass; d++ {
		h := &hist[d]
		shift := uint(radixBits * d)
		if h[(keys[0]>>shift)&radixMask] == n {
			continue // this digit is constant
		}
		sum := 0
		for i := range h {
			h[i], sum = sum, sum+h[i]
		}
		for i, k := range srcK {
			x := (k >> shift) & radixMask
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
