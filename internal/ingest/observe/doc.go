// Package observe holds the three small CSV connectors that describe accounts rather than
// posts: "watchlist" (the accounts under study), "status" (account status observations:
// active, suspended, deleted, protected) and "labels" (platform label observations such as
// "China state-affiliated media").
//
// Each is detected by its exact header (DESIGN §3); columns are matched by name, in any order,
// case-insensitively. A row with a bad field becomes a reject naming its line and field:
//
//	watchlist: platform,handle,id,actor_type,country,outlet,lang,since,until
//	status:    platform,account_id,handle,observed_at,status,raw_code
//	labels:    platform,account_id,handle,observed_at,label,class
//
// Handles are stored without a leading '@' and with their case as written; stores match
// them case-insensitively. See docs/formats-csv.md for every rule, including the mapping of
// X/Twitter error codes to statuses and of label texts to label classes.
package observe
