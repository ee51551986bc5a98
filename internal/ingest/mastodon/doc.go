// Package mastodon reads Mastodon REST API JSON responses: status arrays (account statuses,
// public and hashtag timelines), single statuses, contexts (ancestors and descendants), account
// arrays and single accounts, search results, and the envelopes `echotrace collect mastodon`
// writes around reblogged_by / favourited_by pages ({"status": {...}, "reblogged_by": [...]}).
//
// Ids (platform "mastodon") are global, because instance-local ids differ from instance to
// instance for the same object: a status is identified by its ActivityPub uri, an account by its
// profile url (https://host/@user, the form mentions use). A reblog is a repost whose id is the
// reblog's own uri and whose reference is the reblogged status's uri. in_reply_to_id is an
// instance-local id: it is resolved to a uri from the statuses seen in the same input; an
// unresolved reply keeps kind reply with the replied-to account and no post reference. Content
// is HTML and is reduced to text (tags stripped, entities decoded, <br> and </p> as newlines).
package mastodon
