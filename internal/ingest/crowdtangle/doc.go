// Package crowdtangle reads CrowdTangle post exports, in both layouts researchers hold: the
// API's post objects flattened to CSV (platformId, platform, date, updated, …, account_*,
// statistics_actual_*; as PyCooRnet and CooRnet write them) and the dashboard's "Historical
// data" CSV (Page Name, User Name, Facebook Id, Post Created, …, Likes, Comments, Shares, Love …).
//
// Mapping: platform facebook or instagram; the post id is CrowdTangle's platformId (dashboard:
// the URL's last path element is not stable, so the "URL" column is the id there); the author
// is the page/group's platform id (dashboard: Facebook Id). Likes are the sum of all reactions
// (like, love, wow, haha, sad, angry, thankful, care), as Facebook counts them; shares are
// reposts and comments replies. Counts are observed at `updated` (API) or unknown (dashboard).
// The link (expanded when CrowdTangle resolved it) is the post's URL, normalised for co-link.
// Times are UTC in the API layout; the dashboard writes a zone abbreviation, which is honoured.
package crowdtangle
