package telegram

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/ingest/field"
	"github.com/echotrace/echotrace/internal/ingest/jsonrec"
)

// New returns the Telegram Desktop export connector.
func New() ingest.Connector { return connector{} }

type connector struct{}

func (connector) Name() string { return "telegram" }
func (connector) Describe() string {
	return "Telegram Desktop JSON export (result.json) of channels and chats, with forwards"
}

func (connector) Detect(name string, head []byte) int {
	h := string(head)
	if strings.Contains(h, `"messages"`) && (strings.Contains(h, `"public_channel"`) || strings.Contains(h, `"private_channel"`) ||
		strings.Contains(h, `"date_unixtime"`) || strings.Contains(h, `"personal_chat"`) || strings.Contains(h, `"public_supergroup"`)) {
		return 90
	}
	if strings.Contains(h, `"chats"`) && strings.Contains(h, `"list"`) {
		return 60
	}
	return 0
}

func (connector) Open(r io.Reader, src string) (ingest.Decoder, error) {
	return &decoder{rd: jsonrec.NewReader(r), src: src}, nil
}

type decoder struct {
	rd  *jsonrec.Reader
	src string
}

type (
	chat struct {
		Name     string      `json:"name"`
		Type     string      `json:"type"`
		ID       json.Number `json:"id"`
		Messages []message   `json:"messages"`
	}
	message struct {
		ID              json.Number     `json:"id"`
		Type            string          `json:"type"`
		Date            string          `json:"date"`
		DateUnix        string          `json:"date_unixtime"`
		From            string          `json:"from"`
		FromID          string          `json:"from_id"`
		Author          string          `json:"author"`
		ForwardedFrom   *string         `json:"forwarded_from"`
		ForwardedFromID string          `json:"forwarded_from_id"`
		ReplyTo         json.Number     `json:"reply_to_message_id"`
		Text            json.RawMessage `json:"text"`
		Entities        []entity        `json:"text_entities"`
		Reactions       []struct {
			Count int64 `json:"count"`
		} `json:"reactions"`
	}
	entity struct {
		Type string `json:"type"`
		Text string `json:"text"`
		Href string `json:"href"`
	}
	export struct {
		chat
		Chats *struct {
			List []chat `json:"list"`
		} `json:"chats"`
	}
)

func (d *decoder) Decode(b *event.Batch) error {
	rec, err := d.rd.Next()
	if err != nil {
		return err
	}
	if rec.Err != nil {
		b.Rejects = append(b.Rejects, event.NewReject(d.src, rec.Line, "", rec.Err.Error(), rec.Raw))
		return nil
	}
	var ex export
	if err := json.Unmarshal(rec.Raw, &ex); err != nil {
		b.Rejects = append(b.Rejects, event.NewReject(d.src, rec.Line, "", "not a Telegram export: "+err.Error(), rec.Raw))
		return nil
	}
	if ex.ID == "" && ex.Messages == nil && ex.Chats == nil {
		b.Rejects = append(b.Rejects, event.NewReject(d.src, rec.Line, "", "not a Telegram export: neither a chat (id, messages) nor chats.list", rec.Raw))
		return nil
	}
	prov := event.Provenance{Source: d.src, Line: rec.Line}
	// A full export's top level is no chat (no id, no messages): only its chats.list is read.
	if ex.ID != "" || ex.Messages != nil {
		emitChat(b, &ex.chat, prov)
	}
	if ex.Chats != nil {
		for i := range ex.Chats.List {
			emitChat(b, &ex.Chats.List[i], prov)
		}
	}
	return nil
}

// emitChat emits a chat's account and its messages; every message it cannot read is a reject.
func emitChat(b *event.Batch, c *chat, prov event.Provenance) {
	if c.ID == "" {
		if len(c.Messages) > 0 {
			b.Rejects = append(b.Rejects, event.Reject{Source: prov.Source, Line: prov.Line, Field: "id",
				Reason: fmt.Sprintf("chat %q has %d messages but no id", c.Name, len(c.Messages))})
		}
		return
	}
	if len(c.Messages) == 0 {
		return // an empty chat
	}
	chatAuthor := "channel" + c.ID.String()
	b.Accounts = append(b.Accounts, event.Account{Platform: event.Telegram, ID: chatAuthor, Name: c.Name,
		Followers: event.Unknown, Following: event.Unknown, Posts: event.Unknown, Prov: prov})
	for i := range c.Messages {
		m := &c.Messages[i]
		if m.Type != "" && m.Type != "message" {
			continue // service messages (channel created, pinned …) are no posts
		}
		p, err := post(c, chatAuthor, m, prov)
		if err != nil {
			b.Rejects = append(b.Rejects, event.Reject{Source: prov.Source, Line: prov.Line, Field: err.field,
				Reason: fmt.Sprintf("chat %s, message %s: %s", c.ID, m.ID, err.reason)})
			continue
		}
		b.Posts = append(b.Posts, p)
	}
}

type msgError struct{ field, reason string }

func post(c *chat, chatAuthor string, m *message, prov event.Provenance) (event.Post, *msgError) {
	if m.ID == "" {
		return event.Post{}, &msgError{"id", "message without id"}
	}
	var at time.Time
	if m.DateUnix != "" {
		sec, err := strconv.ParseInt(m.DateUnix, 10, 64)
		if err != nil {
			return event.Post{}, &msgError{"date_unixtime", "not unix seconds"}
		}
		at = time.Unix(sec, 0).UTC()
	} else {
		t, err := field.Time(m.Date)
		if err != nil || t.IsZero() {
			return event.Post{}, &msgError{"date", "`date` is not a time; expected 2006-01-02T15:04:05"}
		}
		at = t
	}
	author := chatAuthor
	if m.FromID != "" {
		author = m.FromID
	}
	p := event.Post{Platform: event.Telegram, ID: c.ID.String() + "/" + m.ID.String(), AuthorID: author,
		AuthorHandle: m.From, CreatedAt: at, Kind: event.KindPost, Text: text(m),
		Likes: event.Unknown, Reposts: event.Unknown, Replies: event.Unknown, Quotes: event.Unknown, Views: event.Unknown,
		Prov: prov}
	if len(m.Reactions) > 0 {
		p.Likes = 0
		for _, r := range m.Reactions {
			p.Likes += max(r.Count, 0)
		}
	}
	for _, e := range m.Entities {
		switch e.Type {
		case "hashtag":
			p.Hashtags = append(p.Hashtags, field.Hashtag(e.Text))
		case "link":
			p.URLs = append(p.URLs, field.URL(e.Text))
		case "text_link":
			p.URLs = append(p.URLs, field.URL(e.Href))
		case "mention":
			p.Mentions = append(p.Mentions, field.Handle(e.Text))
		}
	}
	switch {
	case m.ForwardedFrom != nil || m.ForwardedFromID != "":
		src := m.ForwardedFromID
		if src == "" {
			src = "name:" + *m.ForwardedFrom
		}
		sum := sha256.Sum256([]byte(p.Text))
		p.Kind, p.RefID, p.RefAuthorID = event.KindRepost, "fwd:"+src+":"+hex.EncodeToString(sum[:8]), src
	case m.ReplyTo != "":
		p.Kind, p.RefID = event.KindReply, c.ID.String()+"/"+m.ReplyTo.String()
	}
	return p, nil
}

// text returns a message's plain text: the text entities joined, or the text field (a string
// or a list of strings and entity objects).
func text(m *message) string {
	if len(m.Entities) > 0 {
		var b strings.Builder
		for _, e := range m.Entities {
			b.WriteString(e.Text)
		}
		return b.String()
	}
	var s string
	if json.Unmarshal(m.Text, &s) == nil {
		return s
	}
	var parts []json.RawMessage
	if json.Unmarshal(m.Text, &parts) != nil {
		return ""
	}
	var b strings.Builder
	for _, p := range parts {
		var str string
		var ent entity
		if json.Unmarshal(p, &str) == nil {
			b.WriteString(str)
		} else if json.Unmarshal(p, &ent) == nil {
			b.WriteString(ent.Text)
		}
	}
	return b.String()
}
