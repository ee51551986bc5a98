package coord

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
