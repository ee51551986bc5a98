// Package telegram reads Telegram Desktop's JSON export (result.json) of a channel or chat, or
// of several chats ({"chats": {"list": [...]}}).
//
// Mapping (platform "telegram"): a message's id is "<chat id>/<message id>", its author the
// from_id ("channel123…", "user…") or else the chat ("channel<chat id>"). A forwarded message is a
// repost: its reference is "fwd:<source>:<hash of the text>", where source is forwarded_from_id
// when the export has it, else the forwarded_from name — so that the same message forwarded by
// several channels has one reference and co-forwarding can be measured. A message with
// reply_to_message_id is a reply to "<chat id>/<that id>". Times come from date_unixtime (UTC);
// older exports only have `date`, in the exporting computer's local time, which is read as UTC —
// say so when citing times from such exports. Reactions are summed into likes; service messages
// are skipped. Text is the concatenation of the text entities; hashtags, links and mentions come
// from the entities.
package telegram
