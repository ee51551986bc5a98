package text

import (
	"crypto/sha256"
	"encoding/binary"
)

// KeyPrefix starts the name of every co-text object: "text:" and the normalised text.
const KeyPrefix = "text:"

// KeyOf returns the first 64 bits of the SHA-256 of name (KeyPrefix and a normalised text):
// the key of a co-text object. Two different texts share a key by chance with probability
// about n²/2⁶⁵ for n distinct texts (≈ 4·10⁻⁵ for 40 million). The texts are anyone's, so the
// hash must not be invertible: with FNV-1a (as first written) a text with the key of a target's
// text can be found in about 2³² steps (meet in the middle), and its author would then
// co-act with the target; a second preimage of 64 bits of SHA-256 costs about 2⁶⁴.
func KeyOf(name []byte) uint64 {
	sum := sha256.Sum256(name)
	return binary.BigEndian.Uint64(sum[:8])
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
