// Package twitterv1 reads Twitter API v1.1 JSON as researchers saved it: a JSON array of
// tweets (timelines, statuses/lookup, retweets), a search result ({"statuses": […]}), a single
// tweet, line-delimited tweets (the streaming API and GNIP "original format"), GNIP Activity
// Streams activities (verb post or share), and the hashed-id variant of the OSoMe coordination
// sample (id_str_h, screen_name_h, text_m), whose hashed ids are kept as opaque ids.
//
// Every tweet met, including retweeted_status and quoted_status (and the shared and quoted
// activities of Activity Streams), becomes an event.Post and every user an event.Account. Ids
// are always taken from the _str members (or the integer literal, digit for digit), never
// through float64. Line numbers are those of the line where each tweet object starts.
//
// Input whose first non-blank line is a complete JSON value is read line by line, and a bad
// line is rejected on its own. Otherwise the input is one document spanning lines
// (pretty-printed), which is held in memory; a syntax error rejects the rest of that document
// from the line where it occurs. See docs/formats-twitter.md for the field mapping.
package twitterv1
