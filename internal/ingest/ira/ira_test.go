package ira

import (
	"bytes"
	"encoding/csv"
	"github.com/echotrace/echotrace/internal/sharedtest"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/ingest/ingesttest"
)

var fixtures = []string{"window_head.csv", "fivethirtyeight_sample.csv", "authors_head.csv", "nbc_users_head.csv", "window_bad.csv"}

func TestConformance(t *testing.T) {
	var paths []string
	for _, f := range fixtures {
		paths = append(paths, filepath.Join("testdata", f))
	}
	ingesttest.Run(t, New(), paths...)
}

func decodeFile(t *testing.T, name string) event.Batch {
	t.Helper()
	return ingesttest.DecodeFile(t, New(), filepath.Join("testdata", name))
}

func TestWindowRows(t *testing.T) {
	b := decodeFile(t, "window_head.csv")
	src := filepath.Join("testdata", "window_head.csv")
	// Line 2: _NickLuna_, R/1, 2016-10-06 08:30:00, following 1267, followers 1463, updates 1858.
	text := "Trust In The Lord With All Your Heart (Prov 3:5,6) https://t.co/GRZklyHPQ9"
	want := event.Post{Platform: event.X, ID: synth("_nickluna_", "2016-10-06 08:30:00", text, 0),
		AuthorID: "_nickluna_", AuthorHandle: "_NickLuna_", CreatedAt: time.Date(2016, 10, 6, 8, 30, 0, 0, time.UTC),
		Kind: event.KindRepost, RefID: RepostRef(text), Text: text, Lang: "en",
		URLs: []string{"https://t.co/GRZklyHPQ9"}, Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Views: -1,
		Prov: event.Provenance{Source: src, Line: 2}}
	if !reflect.DeepEqual(b.Posts[0], want) {
		t.Errorf("post\n%+v\nwant\n%+v", b.Posts[0], want)
	}
	wantAcct := event.Account{Platform: event.X, ID: "_nickluna_", Handle: "_NickLuna_", Followers: 1463, Following: 1267,
		Posts: 1858, Location: "United States", ObservedAt: time.Date(2016, 10, 6, 8, 30, 0, 0, time.UTC),
		Prov: event.Provenance{Source: src, Line: 2}}
	if !reflect.DeepEqual(b.Accounts[0], wantAcct) {
		t.Errorf("account\n%+v\nwant\n%+v", b.Accounts[0], wantAcct)
	}
	// Line 3's hashtags, as in the text "#TrumpTrain- … #AmericaFirst #MAGA #nhpolitics".
	if got, want := b.Posts[1].Hashtags, []string{"trumptrain", "americafirst", "maga", "nhpolitics"}; !reflect.DeepEqual(got, want) {
		t.Errorf("hashtags %q, want %q", got, want)
	}
	ids := map[string]bool{}
	for _, p := range b.Posts {
		if ids[p.ID] {
			t.Errorf("duplicate id %s", p.ID)
		}
		ids[p.ID] = true
	}
}

// synth recomputes the documented synthetic id independently of the decoder.
func synth(author, at, text string, n int) string {
	return "ira:" + sha256hex(author + "|" + at + "|" + text + "|" + strconv.Itoa(n))[:20]
}

func TestSyntheticIDOccurrences(t *testing.T) {
	// Two identical rows (same author, minute and text) get distinct ids, index 0 then 1; a
	// retweet of that text by another account refers to it by the text's hash.
	b := decodeFile(t, "window_bad.csv")
	var good []event.Post
	for _, p := range b.Posts {
		if p.AuthorHandle == "GoodAuthor" {
			good = append(good, p)
		}
	}
	if len(good) != 2 {
		t.Fatalf("%d GoodAuthor posts, want 2", len(good))
	}
	// Lines 2 and 8 hold the same (GoodAuthor, 08:30, "first") triple: occurrences 0 and 1.
	if good[0].ID != synth("goodauthor", "2016-10-06 08:30:00", "first", 0) || good[1].ID != synth("goodauthor", "2016-10-06 08:30:00", "first", 1) {
		t.Errorf("ids %s %s", good[0].ID, good[1].ID)
	}
	rt := b.Posts[len(b.Posts)-1]
	text := "RT @GoodAuthor: first\n#Two lines @Them https://t.co/AbC"
	if rt.Kind != event.KindRepost || rt.RefID != RepostRef(text) || rt.RefAuthorID != "" || rt.Prov.Line != 9 ||
		!reflect.DeepEqual(rt.Mentions, []string{"goodauthor", "them"}) || !reflect.DeepEqual(rt.Hashtags, []string{"two"}) ||
		!reflect.DeepEqual(rt.URLs, []string{"https://t.co/AbC"}) {
		t.Errorf("retweet %+v", rt)
	}
}

func TestRejects(t *testing.T) {
	b := decodeFile(t, "window_bad.csv")
	type rej struct {
		Line  int64
		Field string
	}
	var got []rej
	for _, r := range b.Rejects {
		got = append(got, rej{r.Line, r.Field})
	}
	// window_bad.csv: 2 good; 3 no author; 4 date "06.10.2016"; 5 retweet "yes"; 6 followers
	// "lots"; 7 seven fields; 8 good; 9–10 a two-line retweet.
	want := []rej{{3, "author_id"}, {4, "publish_date"}, {5, "retweet"}, {6, "followers"}, {7, ""}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rejects %v, want %v", got, want)
	}
}

func TestFiveThirtyEight(t *testing.T) {
	b := decodeFile(t, "fivethirtyeight_sample.csv")
	// Line 2: article_url http://twitter.com/905874659358453760/statuses/914580356430536707,
	// publish_date 10/1/17 19:58, harvested 10/1/17 19:59, post_type "", retweet 0,
	// tco1_step1 https://twitter.com/10_gop/status/914580356430536707/video/1.
	p := b.Posts[0]
	if p.ID != "914580356430536707" || p.AuthorID != "905874659358453760" || p.AuthorHandle != "10_GOP" ||
		!p.CreatedAt.Equal(time.Date(2017, 10, 1, 19, 58, 0, 0, time.UTC)) || p.Kind != event.KindPost ||
		!reflect.DeepEqual(p.URLs, []string{"https://twitter.com/10_gop/status/914580356430536707/video/1"}) ||
		!reflect.DeepEqual(p.Mentions, []string{"nedryun"}) {
		t.Errorf("first post %+v", p)
	}
	// Line 4 is a RETWEET (retweet 1): a repost of its text.
	if r := b.Posts[2]; r.Kind != event.KindRepost || r.RefID != RepostRef(r.Text) || r.ID != "914623490375979008" {
		t.Errorf("retweet %+v", r)
	}
	a := b.Accounts[0]
	if a.ID != "905874659358453760" || a.Handle != "10_GOP" || a.Followers != 9636 || a.Following != 1052 || a.Posts != 253 ||
		!a.ObservedAt.Equal(time.Date(2017, 10, 1, 19, 59, 0, 0, time.UTC)) {
		t.Errorf("account %+v", a)
	}
}

func TestNBCUsers(t *testing.T) {
	b := decodeFile(t, "nbc_users_head.csv")
	// Line 2: "18710816","near Utah Ave & Lighthouse an","Robby Delaware","304","11484",
	// "Pacific Time (US & Canada)","false","en","RobbyDelaware","I support …",
	// "Wed Jan 07 04:38:02 +0000 2009","17","670","13".
	src := filepath.Join("testdata", "nbc_users_head.csv")
	want := event.Account{Platform: event.X, ID: "18710816", Handle: "RobbyDelaware", Name: "Robby Delaware",
		CreatedAt: time.Date(2009, 1, 7, 4, 38, 2, 0, time.UTC), Followers: 304, Following: 670, Posts: 11484,
		Description: "I support the free movement of people, ideas and capital.", Location: "near Utah Ave & Lighthouse an",
		Lang: "en", Prov: event.Provenance{Source: src, Line: 2}}
	if !reflect.DeepEqual(b.Accounts[0], want) {
		t.Errorf("got\n%+v\nwant\n%+v", b.Accounts[0], want)
	}
	if len(b.Accounts) != 120 {
		t.Errorf("%d accounts, want 120", len(b.Accounts))
	}
}

func TestDetect(t *testing.T) {
	c := New()
	for _, f := range fixtures {
		data, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		want := 100
		if strings.HasPrefix(f, "nbc") {
			want = 60
		}
		if got := c.Detect(f, data); got != want {
			t.Errorf("Detect(%s) = %d, want %d", f, got, want)
		}
	}
	if got := c.Detect("x.csv", []byte("platform,id,author_id,created_at\n")); got != 0 {
		t.Errorf("Detect(generic csv) = %d", got)
	}
}

func TestStatusURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, user, id string }{
		{"http://twitter.com/905874659358453760/statuses/914580356430536707", "905874659358453760", "914580356430536707"},
		{"https://twitter.com/10_gop/status/913231923715198976/video/1", "10_gop", "913231923715198976"},
		{"https://www.twitter.com/a/status/1?s=20", "", ""},
		{"https://example.com/a/status/1", "", ""},
		{"http://twitter.com/a/statuses/9.14E+17", "", ""},
	}
	for _, tc := range tests {
		u, id, _ := statusURL(tc.in)
		if u != tc.user || id != tc.id {
			t.Errorf("statusURL(%q) = %q, %q; want %q, %q", tc.in, u, id, tc.user, tc.id)
		}
	}
}

// TestAllSharedFiles imports every file under ../shared/data/ira-troll-tweets-* (the .csv.gz
// through ingest.Decompress) and checks, against a plain CSV count of the same file, that
// posts (or, for account files, accounts) + rejects = data rows, with no rejects at all.
func TestAllSharedFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 50 MB of shared data")
	}
	root := sharedtest.Data(t, "")
	files, err := filepath.Glob(filepath.Join(root, "ira-troll-tweets-*", "*.csv*"))
	if err != nil || len(files) == 0 {
		t.Skipf("no IRA files under %s", root)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			rows := countRows(t, path)
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r, err := ingest.Decompress(path, f)
			if err != nil {
				t.Fatal(err)
			}
			dec, err := New().Open(r, path)
			if err != nil {
				t.Fatal(err)
			}
			var posts, accounts, rejects int
			var b event.Batch
			for {
				err := dec.Decode(&b)
				if err != nil && err != io.EOF {
					t.Fatal(err)
				}
				posts += len(b.Posts)
				accounts += len(b.Accounts)
				rejects += len(b.Rejects)
				for _, r := range b.Rejects {
					t.Errorf("reject %s", r.Error())
				}
				b.Reset()
				if err == io.EOF {
					break
				}
			}
			events := posts
			if posts == 0 {
				events = accounts
			}
			if events+rejects != rows {
				t.Errorf("%d posts, %d accounts, %d rejects for %d data rows", posts, accounts, rejects, rows)
			}
			t.Logf("%d rows: %d posts, %d accounts, %d rejects", rows, posts, accounts, rejects)
		})
	}
}

func countRows(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".gz") {
		r, err := ingest.Decompress(path, bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if data, err = io.ReadAll(r); err != nil {
			t.Fatal(err)
		}
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return len(recs) - 1
}

func FuzzIRA(f *testing.F) {
	for _, name := range []string{"window_bad.csv", "fivethirtyeight_sample.csv"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	c := New()
	f.Fuzz(func(t *testing.T, data []byte) { ingesttest.Fuzz(t, c, data) })
}
