package text

import "hash/fnv"

// KeyPrefix starts the name of every co-text object: "text:" and the normalised text.
const KeyPrefix = "text:"

// KeyOf returns the 64-bit FNV-1a hash of name (KeyPrefix and a normalised text): the key of
// a co-text object. Two different texts share a key with probability about n²/2⁶⁵ for n
// distinct texts (≈ 4·10⁻⁵ for 40 million).
func KeyOf(name []byte) uint64 {
	h := fnv.New64a()
	h.Write(name)
	return h.Sum64()
}

// Key returns the co-text key of a raw post text (KeyOf of KeyPrefix + Normalize(raw)), and
// false when the normalised text is empty (such a post has no co-text action). buf is scratch
// space, returned for reuse.
func Key(buf []byte, raw string) (key uint64, ok bool, out []byte) {
	buf = AppendNormalize(append(buf[:0], KeyPrefix...), raw)
	if len(buf) == len(KeyPrefix) {
		return 0, false, buf
	}
	return KeyOf(buf), true, buf
}
