// Package simulate generates synthetic social-media worlds with ground truth: a watchlist of
// state-affiliated accounts, their posts, the reposts, replies and quotes they receive from a
// heavy-tailed population of organic amplifiers, planted coordinated networks and hard organic
// negatives, account status and label observations, and a truth.json holding every planted
// network and the headline figures of DESIGN §4 recomputed from the generated events.
//
// The output folder is a complete study input in real formats: twarc2 JSON-lines pages (X API
// v2 responses as twarc2 writes them), watchlist.csv, status.csv and labels.csv. Generation is
// streamed per watch account and week, runs shards in parallel and is deterministic for a seed:
// the same Config gives byte-identical files whatever the number of CPUs.
//
// The only preset, prc-2021, is calibrated to the Oxford Internet Institute / Associated Press
// 2021 study of PRC diplomats and state media on Twitter; docs/simulate.md lists every parameter
// and the published figure each calibration target comes from.
package simulate
