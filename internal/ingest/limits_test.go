package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/ingest/ioarchive"
)

// TestRunFileRejectsFieldsOverLimits: a post whose text, or an account whose description, is
// over its limit becomes a reject naming the field, in every connector (a JSON and a CSV one
// here); the rest of the record's events are stored.
func TestRunFileRejectsFieldsOverLimits(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	long := strings.Repeat("x", event.MaxText+1)
	bio := strings.Repeat("b", event.MaxDescription+1)
	tweet := func(id, text, author string) string {
		return fmt.Sprintf(`{"id":%q,"author_id":"9","created_at":"2021-01-01T00:00:00.000Z","text":%q,"author":%s}`, id, text, author)
	}
	user := func(desc string) string {
		return fmt.Sprintf(`{"id":"9","username":"u","name":"U","created_at":"2010-01-01T00:00:00.000Z","description":%q}`, desc)
	}
	jsonl := filepath.Join(dir, "flat.jsonl")
	os.WriteFile(jsonl, []byte(strings.Join([]string{
		tweet("1", long, user("ok")), tweet("2", "fine", user(bio)), tweet("3", "fine", user("ok")),
	}, "\n")+"\n"), 0o644)

	cols := ioarchive.TweetColumns
	row := func(id, text string) string {
		v := make([]string, len(cols))
		for i, c := range cols {
			switch c {
			case "tweetid":
				v[i] = id
			case "userid", "user_screen_name":
				v[i] = "u1"
			case "tweet_time":
				v[i] = "2016-10-06 08:30"
			case "is_retweet":
				v[i] = "False"
			case "tweet_text":
				v[i] = text
			}
		}
		return strings.Join(v, ",")
	}
	csv := filepath.Join(dir, "tweets.csv")
	os.WriteFile(csv, []byte(strings.Join(cols, ",")+"\n"+row("1", long)+"\n"+row("2", "fine")+"\n"), 0o644)

	tests := []struct {
		path, format string
		posts        int64
		fields       []string
	}{
		{jsonl, "twarc2", 2, []string{"text", "description"}},
		{csv, "io-archive", 1, []string{"text"}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			db := openStore(t)
			sum, err := ingest.RunFile(ctx, registry(t), db, tt.path, ingest.Options{Format: tt.format})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Stored.Posts != tt.posts || sum.Rejected != int64(len(tt.fields)) {
				t.Errorf("stored %d posts, %d rejects; want %d, %d", sum.Stored.Posts, sum.Rejected, tt.posts, len(tt.fields))
			}
			if n := queryInt(t, db, `SELECT count(*) FROM posts WHERE length(text) > ?`, event.MaxText); n != 0 {
				t.Errorf("%d posts over the text limit stored", n)
			}
			for _, f := range tt.fields {
				if n := queryInt(t, db, `SELECT count(*) FROM rejects WHERE field = ? AND line > 0 AND reason LIKE '%over the limit%'`, f); n != 1 {
					t.Errorf("%d rejects for %s over its limit; want 1", n, f)
				}
			}
			if _, err := ingest.RunFile(ctx, registry(t), openStore(t), tt.path, ingest.Options{Format: tt.format, Strict: true}); !errors.Is(err, ingest.ErrRejected) {
				t.Errorf("strict: %v; want ErrRejected", err)
			}
		})
	}
}
