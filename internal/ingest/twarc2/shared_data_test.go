package twarc2

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/echotrace/echotrace/internal/ingest/ingesttest"
)

// TestSharedSamples decodes every file of ../shared/data/twitter-v2-twarc2-jsonl and checks
// that the distinct post ids emitted are exactly the distinct tweet ids in the input, found
// independently by a generic walk over encoding/json's map[string]any (any object anywhere with
// a string id and text or author_id). Lines that are not valid JSON are left to the rejects.
func TestSharedSamples(t *testing.T) {
	files := sharedFiles(t)
	if len(files) < 20 {
		t.Fatalf("only %d sample files", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			want, badLines := walkTweetIDs(t, data)
			b := ingesttest.Decode(t, New(), f, data)
			ingesttest.CheckBatch(t, f, &b)
			got := make(map[string]bool)
			for _, p := range b.Posts {
				got[p.ID] = true
			}
			for id := range want {
				if !got[id] {
					t.Errorf("tweet %s not emitted", id)
				}
			}
			for id := range got {
				if !want[id] {
					t.Errorf("post %s emitted but not a tweet of the input", id)
				}
			}
			if len(b.Rejects) != badLines {
				t.Errorf("%d rejects, want %d (lines that are not JSON): %v", len(b.Rejects), badLines, b.Rejects)
			}
			t.Logf("%d distinct tweets, %d posts, %d accounts, %d statuses, %d rejects",
				len(want), len(b.Posts), len(b.Accounts), len(b.Statuses), len(b.Rejects))
		})
	}
}

// walkTweetIDs returns the distinct tweet ids of a JSON-lines input and the number of non-blank
// lines that are not valid JSON.
func walkTweetIDs(t *testing.T, data []byte) (ids map[string]bool, bad int) {
	ids = make(map[string]bool)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 64<<20)
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			id, _ := v["id"].(string)
			_, hasText := v["text"].(string)
			_, hasAuthor := v["author_id"].(string)
			if id != "" && (hasText || hasAuthor) {
				ids[id] = true
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var v any
		if err := json.Unmarshal(line, &v); err != nil {
			bad++
			continue
		}
		walk(v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ids, bad
}
