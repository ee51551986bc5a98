// Package ira is the "ira" connector: the Russian Internet Research Agency troll-tweet data
// released by FiveThirtyEight (Linvill & Warren, 2018) in its layouts, platform x. Four files,
// detected by header, columns matched by name:
//
//   - window files (the bet4a/russian-troll-tweets-by-author split): author_id,
//     account_category, account_type, content, region, language, publish_date, harvested_date,
//     following, followers, updates, post_type, retweet. There is no tweet id.
//   - the original 21-column FiveThirtyEight layout: external_author_id, author, content, …,
//     tweet_id, article_url, tco1_step1, tco2_step1, tco3_step1, possibly Excel-mangled (ids
//     like 9.06E+17, dates like 10/1/17 19:58).
//   - authors.csv: author_id, author, external_author_id, … → one Account per row.
//   - NBC News's users.csv (id, screen_name, name, created_at in v1.1 format, followers_count,
//     friends_count, statuses_count, verified, lang, location, description …) → Accounts;
//     rows with an empty id (accounts NBC knew only by handle) are identified by the
//     lower-cased screen_name, as window-file authors are.
//
// Ids. Window-file authors are identified by their author_id lower-cased (a handle, or the
// handle followed by the numeric id for a few accounts, exactly as authors.csv keys them); the
// handle as written is Post.AuthorHandle. Tweets get a stable synthetic id:
//
//	"ira:" + hex(sha256(author + "|" + time + "|" + content + "|" + n))[:20]
//
// where author is the lower-cased author id, time is publish_date formatted
// "2006-01-02 15:04:05" (UTC), content is the text as written and n is the occurrence index
// (0, 1, …) of that (author, time, content) triple within the file, so identical tweets in
// the same minute stay distinct and re-importing the same data yields the same ids. In the
// FiveThirtyEight layout the exact ids are taken from article_url
// (http://twitter.com/<userid>/statuses/<tweetid>); failing that from tweet_id and
// external_author_id when they are plain integers; failing that as for window files.
//
// Kinds. post_type "R"/"RETWEET" or retweet = 1 makes a repost; "Q"/"QUOTE_TWEET" without
// retweet = 1 a quote; anything else an original post (the data has no replies). The data
// has no retweeted-tweet id, and the text of a retweet is the original's text; a leading
// "RT @user:" belongs to that original (it was itself a manual retweet), so it does not name
// the retweeted author. The reposted post is therefore identified by its text:
//
//	RefID = "irart:" + hex(sha256(content))[:20]
//
// so that accounts that retweeted the same original share a RefID (co-repost detection works),
// and RefAuthorID is left empty. A quote whose FiveThirtyEight tco*_step1 columns link a
// status (twitter.com/<user>/status/<id>) refers to that id; otherwise it gets the same
// text-derived RefID.
//
// Other fields: times are UTC at minute resolution; language names ("English") are mapped to
// ISO 639-1 codes where known ("Unknown" → empty), otherwise kept as written; hashtags and @mentions are taken from
// the text; URLs are the tco*_step1 expanded links (FiveThirtyEight layout) or the links in the
// text (window files, t.co), normalised. Each author's Account (followers, following, updates
// as the posts count, region as location, observed at harvested_date) is emitted once per
// file, at the author's first row. account_category and account_type have no place in the
// data model and are not imported. Public counts are unknown.
package ira
