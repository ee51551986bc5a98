// Package twarc2 reads Twitter/X API v2 responses as twarc2 saves them: JSON lines where each
// line is one API page ({"data", "includes", "errors", "meta", "__twarc"}) or, in twarc's
// flattened form, one tweet with its expansions merged in (author, in_reply_to_user,
// referenced_tweets[] carrying the referenced tweet).
//
// Every tweet met (in data, includes.tweets or embedded in a flattened tweet) becomes an
// event.Post and every user object an event.Account. A page's errors that say a user is
// suspended or cannot be found become event.StatusObservations at the page's retrieval time.
// Pages of other shapes (tweet counts, lists, compliance results) are valid input that yields
// no events. See docs/formats-twitter.md for the field mapping.
//
// Decoding uses github.com/go-json-experiment/json into typed structs: it validates UTF-8,
// reports the JSON pointer of a bad field, and allocates less than encoding/json. BenchmarkDecode
// reports the throughput in tweets per second (budget: 50 k/s, DESIGN §6).
package twarc2
