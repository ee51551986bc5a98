package telegram

import (
	"os"
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
