// Package bluesky reads Bluesky (AT Protocol) AppView XRPC responses as the public API returns
// them — app.bsky.feed.getAuthorFeed, getTimeline, getFeed, getListFeed, getActorLikes,
// searchPosts, getQuotes, getPostThread, getRepostedBy, getLikes, app.bsky.actor.getProfiles,
// app.bsky.graph.getFollowers/getFollows — one response per file or one per line (the raw
// archive `echotrace collect bluesky` writes), and Jetstream commit events (JSON lines).
//
// Mapping (platform "bluesky"): a post's id is its at:// URI and its author the author's DID;
// record.createdAt is the post time (indexedAt when absent). A reply refers to reply.parent, a
// quote to the embedded record (app.bsky.embed.record or recordWithMedia); a feed item whose
// reason is #reasonRepost is a repost by reason.by of the item's post, with the synthetic id
// "repost:<did>:<post uri>" and the time reason.indexedAt (the feed does not expose the repost
// record's own URI). getRepostedBy yields repost engagements without times; getLikes yields likes
// with createdAt. Profile labels become label observations at the label's cts.
package bluesky
