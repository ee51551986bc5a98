// Package amplify computes the findings of a state-amplification study: volume, label
// coverage, amplifiers, concentration (top-p share, Lorenz curve, Gini), the share of
// amplification from suspended and deleted accounts, repost speed, focus and coverage, account
// age and creation bursts, and the weekly composition of each watch account's reposts.
//
// The definitions are those of DESIGN §4 and docs/metrics.md, which follow the Oxford Internet
// Institute / Associated Press 2021 investigation of PRC diplomats and state media.
//
// Compute is a pure, deterministic function over columnar slices (Input); Load fills an Input
// from the documented store views; Analyze loads, computes and stores the "findings" document.
package amplify
