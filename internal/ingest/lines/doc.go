// Package lines is the bounded line reader every line-delimited connector reads through
// (twarc2, twitter-v1 and, through jsonrec, bluesky, mastodon and telegram).
//
// Each line is bounded (MaxRecord by default): a longer line is returned as an error naming its
// size, only its first bytes are kept, the rest is skipped to the newline without being held in
// memory, and reading resumes at the next line. Memory is then the read buffer plus the longest
// line within the limit, whatever the input. A failure of the underlying input (a truncated or
// corrupt compressed file) is returned as it is, with no cut line before it, and Reader.Line
// tells the last whole line, so that what was read before can be kept.
package lines
