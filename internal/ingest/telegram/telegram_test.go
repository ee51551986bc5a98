package telegram

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest/ingesttest"
)

func TestConformance(t *testing.T) { ingesttest.Run(t, New(), "testdata/result.json") }

func TestMapping(t *testing.T) {
	data, err := os.ReadFile("testdata/result.json")
	if err != nil {
		t.Fatal(err)
	}
	b := ingesttest.Decode(t, New(), "r", data)
	// 4 messages, one of them a service message: 3 posts.
	if len(b.Posts) != 3 {
		t.Fatalf("posts = %+v", b.Posts)
	}
	p := b.Posts[0]
	// 1609502400 = 2021-01-01T12:00:00Z; reactions 5 + 2 = 7.
	if p.ID != "1001/2" || p.AuthorID != "channel1001" || p.CreatedAt.Format("2006-01-02T15:04:05Z07:00") != "2021-01-01T12:00:00Z" ||
		p.Likes != 7 || p.Text != "Read #Xinjiang facts: https://www.example.org/a?utm_source=tg" ||
		len(p.Hashtags) != 1 || p.Hashtags[0] != "xinjiang" || len(p.URLs) != 1 || p.URLs[0] != "https://example.org/a" {
		t.Errorf("post = %+v", p)
	}
	fwd := b.Posts[1]
	if fwd.Kind != event.KindRepost || fwd.RefAuthorID != "name:CGTN" || fwd.RefID[:14] != "fwd:name:CGTN:" {
		t.Errorf("forward = %+v", fwd)
	}
	if r := b.Posts[2]; r.Kind != event.KindReply || r.RefID != "1001/2" {
		t.Errorf("reply = %+v", r)
	}
}

func FuzzDecode(f *testing.F) {
	data, _ := os.ReadFile("testdata/result.json")
	f.Add(data)
	f.Fuzz(func(t *testing.T, data []byte) { ingesttest.Fuzz(t, New(), data) })
}

// TestWrongShapesAreRejects is issue 14 item 8a: a record that is no export, a chat with messages
// but no id, and every unreadable message after the first of a chat used to be dropped without a
// reject. Each is now a reject; service messages and empty chats are no rejects.
func TestWrongShapesAreRejects(t *testing.T) {
	lines := []string{
		`{"foo":1}`,
		`{"chats":{"list":[{"name":"no id","type":"public_channel","messages":[{"id":1,"type":"message","date_unixtime":"1609502400","text":"x"}]},{"name":"empty","id":5,"messages":[]}]}}`,
		`{"name":"c","type":"public_channel","id":7,"messages":[{"id":1,"type":"service","date_unixtime":"1609502400"},` +
			`{"id":2,"type":"message","date_unixtime":"soon","text":"a"},{"id":3,"type":"message","text":"b"},` +
			`{"id":4,"type":"message","date_unixtime":"1609502400","text":"ok"}]}`,
	}
	b := ingesttest.Decode(t, New(), "s", []byte(strings.Join(lines, "\n")))
	ingesttest.CheckBatch(t, "s", &b)
	var got []string
	for _, r := range b.Rejects {
		got = append(got, fmt.Sprintf("%d %s: %s", r.Line, r.Field, r.Reason))
	}
	want := []string{
		"1 : not a Telegram export",
		`2 id: chat "no id" has 1 messages but no id`,
		"3 date_unixtime: chat 7, message 2: not unix seconds",
		"3 date: chat 7, message 3: `date` is not a time",
	}
	if len(got) != len(want) {
		t.Fatalf("rejects:\n%s\nwant %d", strings.Join(got, "\n"), len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("reject %d = %q; want it to start %q", i, got[i], want[i])
		}
	}
	if len(b.Posts) != 1 {
		t.Errorf("%d posts; want the one good message", len(b.Posts))
	}
}
