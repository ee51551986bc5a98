// Package qut is the "qut" connector: the preprocessed CSV of the QUT Digital Observatory's
// coordination-network-toolkit, with header
//
//	message_id,user_id,username,repost_id,reply_id,message,timestamp,urls
//
// Each row is one post on platform x (the toolkit is used for Twitter/X data; its CSV carries
// no platform column). Kind: a non-empty repost_id makes a repost whose RefID is repost_id; else
// a non-empty reply_id makes a reply whose RefID is reply_id; else an original post. When both
// are set, the repost wins and reply_id is dropped. The text is kept verbatim (the toolkit's
// co-tweet signal normalises it itself).
//
// timestamp is unix seconds, integer or fractional ("1606451170.518101"); the fraction is kept
// to the nanosecond, parsed from the digits, not through a float. urls is a Python list
// literal ("['http://a', 'http://b']", "[]" or empty). Post.URLs keeps the URLs EXACTLY as
// written, not normalised: the toolkit compares them as given, and the co-link cross-check
// against its reference output needs the same identity. The author's username becomes
// Post.AuthorHandle, and each user_id is also emitted once per file as an Account with that
// handle.
package qut
