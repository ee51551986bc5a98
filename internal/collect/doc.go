// Package collect gathers posts and engagement live from platform APIs — X API v2, the Bluesky
// AppView, Mastodon — and re-checks account status later. Every response page is decoded by the
// same connector that imports saved files (twarc2, bluesky, mastodon), optionally archived raw as
// JSON lines, and committed to the store page by page; a checkpoint (the page cursor) is saved
// after each commit, so a killed collection restarts where it stopped and, because rows are
// keyed, never duplicates anything.
//
// The Client honours rate limits from response headers (x-rate-limit-*, ratelimit-*,
// Retry-After), retries 429, 5xx, timeouts and truncated bodies with exponential backoff and
// jitter, and never logs or stores the token: every form of it is scrubbed from errors, log
// lines and response bodies (before they are archived or decoded), and a redirect to another
// origin is followed without it.
package collect
