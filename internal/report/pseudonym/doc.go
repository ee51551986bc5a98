// Package pseudonym replaces the identities of accounts that are not on the watchlist with
// keyed-hash pseudonyms, as the platforms' information-operations archives do for small
// accounts, so that reports and exports can be shared without naming private people.
//
// A pseudonym is "acct_" followed by the first 10 characters of the lower-case, unpadded
// base32 encoding of HMAC-SHA256(key, platform + "\x00" + id): 50 bits, stable for a study, and
// not reversible without the key. Handles mentioned inside texts ("@someone") whose account id is
// unknown are hashed by handle instead ("@" + "acct_" + base32(HMAC(key, platform + "\x00@" +
// lower(handle)))[:10]). The key is a per-study random 32-byte secret kept in the study
// (document "pseudonym_key"), never written into a report or an export.
package pseudonym
