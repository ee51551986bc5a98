// Package csvtable reads header-addressed CSV tables for the CSV-family connectors (csv, shares,
// qut, io-archive, ira, crowdtangle, watchlist, status, labels).
//
// A Reader strips a UTF-8 byte-order mark, matches header names case-insensitively, and turns
// every record it cannot use — a malformed or unterminated quote, the wrong number of fields,
// a field over MaxField, a record over MaxRecord, a quoted field over MaxFieldLines lines,
// invalid UTF-8 — into an event.Reject with the record's 1-based physical line number, so that
// one bad line never stops an import. Quoted fields may span lines.
//
// After a record that does not parse into the header's number of fields, reading resumes at
// the physical line after the one the record started on, so a stray quote costs the record it
// opens in rather than the rest of the file, and the memory held is bounded by MaxRecord
// whatever the input.
package csvtable
