// Package export writes a study's data for the tools analysts use next: CSV and JSON Lines
// for pandas and R, Parquet for DuckDB and Arrow, GEXF 1.3 and GraphML for Gephi.
//
// Run reads only through store.Querier (SQL over the documented views) and
// store.ResultStore (the "findings" and "coord" documents). Tables: posts, engagements,
// accounts, findings, edges, evidence (the co-actions behind each edge) and clusters. The graph
// formats write network.gexf or network.graphml: accounts of the coordination result as nodes
// (cluster, score, suspended, deleted, followers) and coordination edges (weight, co-action
// count, score, p-value, signals, and a count per signal).
//
// Accounts not on the watchlist are pseudonymised unless Options.Reveal is set, with the
// same keyed hash as the report (package report/pseudonym): their ids and handles become
// "acct_…" pseudonyms, their names are emptied, the ids of posts they wrote become "post_…"
// pseudonyms (a post id leads to its author on the platform), and @mentions of them in texts
// are replaced. The same account has the same pseudonym in every table, so joins still work.
// A manifest.json lists every file with its row count and SHA-256.
package export
