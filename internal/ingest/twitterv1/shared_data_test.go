package twitterv1

import (
	"encoding/json"
	"github.com/echotrace/echotrace/internal/sharedtest"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/echotrace/echotrace/internal/ingest/ingesttest"
)

// TestSharedSamples decodes every file of ../shared/data/twitter-v1.1-api-json and checks that
// the distinct post ids emitted, together with the tweets rejected for having no user (the API
// sometimes omits the user of a nested quoted_status), are exactly the distinct tweet ids of the
// input. Those are found independently by a generic walk over encoding/json's values (a stream
// of top-level values, so line-delimited and concatenated documents both read): any object with
// id_str or id_str_h and text, full_text, text_m or extended_tweet; and any Activity Streams
// activity (verb post or share), whose id ends in the tweet id.
func TestSharedSamples(t *testing.T) {
	dir := sharedtest.Data(t, "twitter-v1.1-api-json")
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	if err != nil || len(files) < 30 {
		t.Fatalf("sample files: %d, %v", len(files), err)
	}
	noUser := regexp.MustCompile(`^tweet (\S+) has no user$`)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			want := walkTweetIDs(t, data)
			b := ingesttest.Decode(t, New(), f, data)
			ingesttest.CheckBatch(t, f, &b)
			got := make(map[string]bool)
			for _, p := range b.Posts {
				got[p.ID] = true
			}
			for _, r := range b.Rejects {
				m := noUser.FindStringSubmatch(r.Reason)
				if m == nil {
					t.Errorf("unexpected reject %s", r.Error())
					continue
				}
				got[m[1]] = true
			}
			for id := range want {
				if !got[id] {
					t.Errorf("tweet %s neither emitted nor rejected", id)
				}
			}
			for id := range got {
				if !want[id] {
					t.Errorf("post %s emitted but not a tweet of the input", id)
				}
			}
			t.Logf("%d distinct tweets, %d posts, %d accounts, %d rejects", len(want), len(b.Posts), len(b.Accounts), len(b.Rejects))
		})
	}
}

func walkTweetIDs(t *testing.T, data []byte) map[string]bool {
	ids := make(map[string]bool)
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			id, _ := v["id_str"].(string)
			if id == "" {
				id, _ = v["id_str_h"].(string)
			}
			_, text := v["text"].(string)
			_, full := v["full_text"].(string)
			_, textM := v["text_m"].(string)
			_, ext := v["extended_tweet"].(map[string]any)
			if id != "" && (text || full || textM || ext) {
				ids[id] = true
			}
			if verb, _ := v["verb"].(string); verb == "post" || verb == "share" {
				if aid, _ := v["id"].(string); aid != "" {
					ids[aid[strings.LastIndexByte(aid, ':')+1:]] = true
				}
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
	dec := json.NewDecoder(strings.NewReader(string(data)))
	for {
		var v any
		err := dec.Decode(&v)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("sample is not JSON: %v", err)
		}
		walk(v)
	}
	return ids
}
