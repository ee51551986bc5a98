// Package shares is the "shares" connector: generic co-share actions, CooRTweet's canonical
// input, as event.Share values for the co-share coordination signal.
//
// Two layouts are read, detected by header:
//
//   - canonical: object_id,account_id,content_id,timestamp_share (timestamp_share in unix
//     seconds; any time field.Time accepts also works). Every row is one Share, ids verbatim,
//     duplicates included (stores key shares by platform, account, object, content and time).
//   - german_elections, CooRTweet's example data set as written by R's write.csv (NA for
//     missing values, possibly quoted, possibly with a leading row-number column named ""):
//     account_id,post_id,url_id,hashtag_id,domain_id,phash_id,timestamp.
//
// A german_elections row yields one Share for the object type chosen with Options.Object (url
// by default), unless that column is NA or empty; a row without such an object yields nothing
// and is not checked further (the data has rows whose post_id and objects are all NA). The
// object id is the type and the value joined by "_" ("url_23678") and the content id is
// post_id, exactly as CooRTweet's reference run builds its input:
//
//	x <- ge[!is.na(url_id), .(object_id = paste0("url_", url_id), account_id = account_id,
//	                          content_id = as.character(post_id), timestamp_share = timestamp)]
//	x <- unique(x)
//
// Rows repeat by design (a post with several hashtags appears once per hashtag), so, like
// unique(x), identical (object, account, content, time) shares are emitted once per file; the
// set of shares seen is kept in memory for the file (41,100 for german_elections' URLs).
//
// The platform is "other" for both layouts: the german_elections account ids carry their
// platform as a prefix (fb_…, tw_…), which is kept verbatim, so that the ids (and therefore
// the coordination edges) are exactly CooRTweet's.
package shares
