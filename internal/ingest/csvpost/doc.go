// Package csvpost is the "csv" connector: posts in a generic CSV file.
//
// By default the header is the posts view's first eight columns,
//
//	platform,id,author_id,created_at,kind,ref_id,ref_author_id,text
//
// in any order, and the optional columns author_handle, lang, urls, hashtags, likes,
// reposts, replies, quotes are read too when the header has them, so that a posts table
// exported by echotrace reads back. Other layouts name their columns with a Mapping, built in
// code or parsed by ParseMapping from "id=tweet_id,author_id=user,created_at=time,
// platform=const:x" or from a mapping file with one field=column per line and # comments.
//
// Values: platform is a platform name (x, twitter, facebook, …); created_at is RFC 3339 or unix
// seconds (any layout field.Time accepts); kind is post, repost, quote or reply (also
// retweet/retweeted → repost, quoted → quote, replied_to → reply; empty → post; case-
// insensitive); a repost or quote needs ref_id; urls and hashtags are lists written "[a, b]"
// or "a,b", URLs normalised, hashtags lower-cased without '#'; counts are whole numbers, empty
// meaning unknown. A mapping that maps ref_id must map kind too.
package csvpost
