// Package web serves a study's stored results as a read-only dashboard and JSON API: the
// headline findings, the coordinated clusters with their evidence cards, account profiles with
// status history and coordination scores, weekly repost composition and store statistics.
//
// The server depends on the store interfaces only (store.Querier and store.ResultStore) and
// on the analysis result documents "findings" (amplify.Findings) and "coord" (coord.Result).
// Those documents cannot change while a study is open read-only, so everything derived from
// them is computed once, on the first request or by Server.Warm, and served from memory:
// /api/overview is a prepared byte slice.
//
// Accounts that are not on the watchlist are pseudonymised exactly as the HTML report does
// (package report/pseudonym, with the study's key): ids and handles become acct_… pseudonyms,
// names, bios and locations are dropped, @mentions in texts and ids of their posts are
// replaced. Options.Reveal turns this off for internal use. In pseudonymised mode an account is
// looked up by its pseudonym; raw ids of non-watchlist accounts are not accepted, so the API
// cannot be used to test which pseudonym belongs to which id.
//
// Safety (DESIGN §7): only GET and HEAD are served (405 otherwise) and request bodies are
// refused; every response carries a strict Content-Security-Policy (no script, no external
// resource), X-Content-Type-Options, Referrer-Policy, X-Frame-Options and Cache-Control:
// no-store. With Options.Token set, every request must present the token, compared in
// constant time, as "Authorization: Bearer TOKEN" or through the session cookie that
// "/?token=TOKEN" sets before redirecting to the same page without the token in its address.
// Without a token the server only answers requests whose Host is a loopback name or address,
// which defeats DNS-rebinding attacks from web pages the user visits. Path parameters are
// used as map keys or bound SQL arguments only, never in file paths or SQL text. CheckListen,
// Listen and Serve implement the listening rules of `echotrace serve`: loopback by default,
// any other address only with a token, timeouts on every phase of a request.
package web
