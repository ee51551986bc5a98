// Package event defines echotrace's data model: the accounts, posts, engagements, generic
// co-share actions, status and label observations and watchlist entries that every connector
// emits and every store keeps. It depends on the standard library only.
//
// Ids are opaque strings (hashed archive ids and at:// URIs included). Times are UTC; the zero
// time means "unknown". Counts use Unknown (-1) when the source does not carry them, so that a
// missing count is never mistaken for zero.
package event
