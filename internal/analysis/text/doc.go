// Package text prepares post text for co-text coordination signals: Normalize reduces a post
// to the words a copy-paste campaign shares, Shingles turns those words into hashed word
// k-shingles, MinHash signatures estimate Jaccard similarity between shingle sets, and
// NearDuplicateGroups finds groups of near-identical texts with locality-sensitive hashing
// (LSH) over the signatures, verified by exact Jaccard similarity. Phrases finds n-grams shared
// by only a few accounts.
//
// Everything is deterministic: hashes are stable across runs, platforms and Go versions
// (64-bit FNV-1a over UTF-8 bytes, fixed mixing constants), and the MinHash functions come from
// a caller-given seed.
package text
