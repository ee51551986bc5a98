// Package ioarchive is the "io-archive" connector: Twitter's Information Operations archive
// CSVs (the state-backed operations Twitter published from 2018 on), platform x.
//
// Two files are read, detected by header and matched by column name:
//
//   - tweets: the 31 columns tweetid, userid, user_display_name, user_screen_name,
//     user_reported_location, user_profile_description, user_profile_url, follower_count,
//     following_count, account_creation_date, account_language, tweet_language, tweet_text,
//     tweet_time, tweet_client_name, in_reply_to_userid, in_reply_to_tweetid,
//     quoted_tweet_tweetid, is_retweet, retweet_userid, retweet_tweetid, latitude, longitude,
//     quote_count, reply_count, like_count, retweet_count, hashtags, urls, user_mentions,
//     poll_choices. Each row is one Post; the author's Account is emitted too, once per file, at
//     the author's first row (profiles repeat on every row of the archive).
//   - users: userid, user_display_name, user_screen_name, user_reported_location,
//     user_profile_description, user_profile_url, follower_count, following_count,
//     account_creation_date, account_language. Each row is one Account.
//
// Kinds: is_retweet true ("True", "true" or "1") makes a repost of retweet_tweetid by
// retweet_userid (a retweet without retweet_tweetid is rejected); else a non-empty
// in_reply_to_tweetid or in_reply_to_userid makes a reply (RefID in_reply_to_tweetid,
// RefAuthorID in_reply_to_userid); else a non-empty quoted_tweet_tweetid makes a quote; else an
// original post. Hashed user ids (the archive hashes accounts with fewer than 5,000 followers,
// in userid, user_display_name and user_screen_name alike) are kept as opaque strings.
//
// Fields: tweet_time is minute resolution ("2016-10-01 12:34"; seconds are accepted too);
// account_creation_date is a date. hashtags, urls and user_mentions are list columns written
// "[a, b]"; hashtags are lower-cased without '#', URLs normalised with field.URL, and
// user_mentions — user ids in the archive, not handles — are kept verbatim in Post.Mentions.
// Counts that are empty are unknown. latitude, longitude ("absent" when unknown),
// user_profile_url and poll_choices have no place in the data model and are ignored.
//
// No real archive file was reachable when this was written; the fixtures in testdata were
// built from real IRA tweets by testdata/mkfixture.py, which documents what is real and what is
// synthetic.
package ioarchive
