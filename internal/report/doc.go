// Package report renders a study's findings and coordinated networks as one self-contained
// HTML file that can be published: headline findings as sentences with their numbers, the
// methods (definitions, parameters, provenance, as-of dates), inline SVG charts, a network
// drawing laid out in Go, and tables of top amplifiers and clusters with evidence cards.
//
// The file makes no network request: CSS is inline, charts are inline SVG, there is no script,
// and a Content-Security-Policy meta tag (default-src 'none') forbids anything else. All
// untrusted text (post texts, names, bios, handles) goes through html/template's contextual
// escaping and is never turned into a link.
//
// Accounts that are not on the watchlist are pseudonymised by default (package
// report/pseudonym): ids and handles become keyed-hash pseudonyms, names and bios are dropped,
// and @mentions of them inside post texts are replaced. Options.Reveal keeps them in clear.
//
// Long lists are capped so that the report of a large study stays small (Options.MaxRows,
// default 200 rows per table; the network drawing keeps the largest clusters up to
// Options.MaxNodes nodes); every capped table says how many rows it leaves out.
package report
