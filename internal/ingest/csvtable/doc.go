// Package csvtable reads header-addressed CSV tables for the CSV-family connectors (csv, shares,
// qut, io-archive, ira, watchlist, status, labels).
//
// A Reader strips a UTF-8 byte-order mark, matches header names case-insensitively, and turns
// every record it cannot use — a malformed quote, the wrong number of fields, invalid UTF-8 —
// into an event.Reject with the record's 1-based physical line number, so that one bad line
// never stops an import. Quoted fields may span lines.
package csvtable
