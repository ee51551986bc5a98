package twarc2

import (
	"github.com/echotrace/echotrace/internal/sharedtest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest/ingesttest"
)

func TestConformance(t *testing.T) {
	ingesttest.Run(t, New(),
		"testdata/handmade.jsonl",
		"testdata/two_tweets.jsonl",
		"testdata/flat_head.jsonl",
		"testdata/quoted_edit.jsonl",
		"testdata/stream_bad.jsonl",
	)
}

func decodeFile(t *testing.T, path string) event.Batch {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b := ingesttest.Decode(t, New(), path, data)
	ingesttest.CheckBatch(t, path, &b)
	return b
}

func postsByID(b event.Batch) map[string]event.Post {
	m := make(map[string]event.Post)
	for _, p := range b.Posts {
		m[p.ID] = p
	}
	return m
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// TestHandmade checks values computed by hand from testdata/handmade.jsonl: line 1 is a
// search page (retweet, reply, quote, reply-and-quote; includes tweet 50 by alice and two users;
// errors), line 2 blank, line 3 a flattened retweet of an embedded tweet.
func TestHandmade(t *testing.T) {
	b := decodeFile(t, "testdata/handmade.jsonl")
	if len(b.Rejects) != 0 {
		t.Fatalf("rejects: %v", b.Rejects)
	}
	seen := utc("2024-01-02T03:04:05Z") // __twarc.retrieved_at of line 1
	prov1 := event.Provenance{Source: "testdata/handmade.jsonl", Line: 1}
	prov3 := event.Provenance{Source: "testdata/handmade.jsonl", Line: 3} // line 2 is blank
	want := map[string]event.Post{
		// retweet: RefID from referenced_tweets[type=retweeted], RefAuthorID = author_id of
		// tweet 50 in includes.tweets; text kept as "RT @alice: …"; counts as given.
		"100": {Platform: event.X, ID: "100", AuthorID: "1", AuthorHandle: "bob",
			CreatedAt: utc("2024-01-01T10:00:00Z"), Kind: event.KindRepost, RefID: "50", RefAuthorID: "10",
			ConversationID: "100", Text: "RT @alice: hello", Lang: "en", Mentions: []string{"alice"},
			Client: "Twitter for Android", Likes: 0, Reposts: 7, Replies: 0, Quotes: 0, Views: event.Unknown,
			CountsAt: seen, Prov: prov1},
		// reply: RefAuthorID = in_reply_to_user_id.
		"101": {Platform: event.X, ID: "101", AuthorID: "2", CreatedAt: utc("2024-01-01T10:05:00Z"),
			Kind: event.KindReply, RefID: "50", RefAuthorID: "10", ConversationID: "50", Text: "@alice agreed",
			Lang: "en", Client: "Twitter Web App", Likes: 1, Reposts: 0, Replies: 0, Quotes: 0,
			Views: event.Unknown, CountsAt: seen, Prov: prov1},
		// quote; URLs: expanded_url "HTTP://WWW.Example.com/Path/?utm_source=tw&id=5#frag" →
		// https, host lower case without www, utm_* and fragment dropped → ".../Path/?id=5";
		// unwound_url preferred over the bit.ly expanded_url, trailing slash trimmed; the media
		// link (media_key) skipped. impression_count → Views.
		"102": {Platform: event.X, ID: "102", AuthorID: "3", CreatedAt: utc("2024-01-01T11:00:00Z"),
			Kind: event.KindQuote, RefID: "50", RefAuthorID: "10", ConversationID: "102",
			Text: "look #StateMedia https://t.co/a https://t.co/b https://t.co/m", Lang: "en",
			URLs:     []string{"https://example.com/Path/?id=5", "https://news.example.org/story"},
			Hashtags: []string{"statemedia"}, Likes: 5, Reposts: 2, Replies: 3, Quotes: 4, Views: 1234,
			CountsAt: seen, Prov: prov1},
		// reply that also quotes: a reply to 102 (author 3, from in_reply_to_user_id); no
		// public_metrics → all counts Unknown and CountsAt zero.
		"103": {Platform: event.X, ID: "103", AuthorID: "3", CreatedAt: utc("2024-01-01T12:00:00Z"),
			Kind: event.KindReply, RefID: "102", RefAuthorID: "3", ConversationID: "102",
			Text: "@carl yes, see this", Likes: event.Unknown, Reposts: event.Unknown, Replies: event.Unknown,
			Quotes: event.Unknown, Views: event.Unknown, Prov: prov1},
		"50": {Platform: event.X, ID: "50", AuthorID: "10", AuthorHandle: "alice",
			CreatedAt: utc("2023-12-31T23:59:59Z"), Kind: event.KindPost, ConversationID: "50", Text: "hello",
			Lang: "en", Likes: 900, Reposts: 70, Replies: 8, Quotes: 9, Views: event.Unknown, CountsAt: seen,
			Prov: prov1},
		// flattened retweet: RefAuthorID from the embedded tweet's author_id; no __twarc →
		// CountsAt unknown.
		"200": {Platform: event.X, ID: "200", AuthorID: "20", AuthorHandle: "dave",
			CreatedAt: utc("2024-02-01T00:00:00Z"), Kind: event.KindRepost, RefID: "60", RefAuthorID: "30",
			Text: "RT @carol: flat", Likes: 0, Reposts: 3, Replies: 0, Quotes: 0, Views: event.Unknown, Prov: prov3},
		"60": {Platform: event.X, ID: "60", AuthorID: "30", AuthorHandle: "carol",
			CreatedAt: utc("2024-01-31T00:00:00Z"), Kind: event.KindPost, Text: "flat", Likes: event.Unknown,
			Reposts: event.Unknown, Replies: event.Unknown, Quotes: event.Unknown, Views: event.Unknown, Prov: prov3},
	}
	got := postsByID(b)
	if len(b.Posts) != len(want) {
		t.Errorf("%d posts, want %d", len(b.Posts), len(want))
	}
	for id, w := range want {
		if g, ok := got[id]; !ok {
			t.Errorf("post %s missing", id)
		} else if !reflect.DeepEqual(g, w) {
			t.Errorf("post %s:\n got %+v\nwant %+v", id, g, w)
		}
	}
	// The quote inside reply 103 survives as a quote engagement of tweet 50 (author 10).
	wantEng := []event.Engagement{{Platform: event.X, AccountID: "3", Kind: event.EngageQuote, PostID: "50",
		PostAuthorID: "10", At: utc("2024-01-01T12:00:00Z"), Prov: prov1}}
	if !reflect.DeepEqual(b.Engagements, wantEng) {
		t.Errorf("engagements %+v, want %+v", b.Engagements, wantEng)
	}
	alice := event.Account{Platform: event.X, ID: "10", Handle: "alice", Name: "Alice",
		CreatedAt: utc("2010-05-06T07:08:09Z"), Followers: 100, Following: 5, Posts: 42, Verified: true,
		DefaultAvatar: true, Description: "Embassy", Location: "Beijing", ObservedAt: seen, Prov: prov1}
	var accounts []string
	for _, a := range b.Accounts {
		accounts = append(accounts, a.ID)
		if a.ID == "10" && !reflect.DeepEqual(a, alice) {
			t.Errorf("account 10:\n got %+v\nwant %+v", a, alice)
		}
	}
	if w := []string{"10", "1", "20", "30"}; !reflect.DeepEqual(accounts, w) {
		t.Errorf("accounts %v, want %v", accounts, w)
	}
	// errors: suspended by handle, not found by id → deleted; the tweet error says nothing.
	wantSt := []event.StatusObservation{
		{Platform: event.X, Handle: "ghost", ObservedAt: seen, Status: event.StatusSuspended, RawCode: "User has been suspended", Prov: prov1},
		{Platform: event.X, AccountID: "77", ObservedAt: seen, Status: event.StatusDeleted, RawCode: "Could not find user with ids", Prov: prov1},
	}
	if !reflect.DeepEqual(b.Statuses, wantSt) {
		t.Errorf("statuses\n got %+v\nwant %+v", b.Statuses, wantSt)
	}
}

// TestNonTweetShapes: counts, lists and compliance files are valid and yield nothing.
func TestNonTweetShapes(t *testing.T) {
	for _, f := range []string{"testdata/counts.jsonl", "testdata/lists.jsonl", "testdata/tweets_compliance.jsonl"} {
		b := decodeFile(t, f)
		if b.Len() != 0 {
			t.Errorf("%s: %d events, want none (rejects: %v)", f, b.Len(), b.Rejects)
		}
	}
}

// TestBadLines: every damaged line is rejected with its physical line number and the good
// lines around it are kept.
func TestBadLines(t *testing.T) {
	good := `{"data":[{"id":"1","author_id":"9","text":"ok","created_at":"2024-01-01T00:00:00.000Z"}]}`
	tests := []struct {
		name      string
		line      string
		field     string
		reasonHas string
	}{
		{"truncated", `{"data":[{"id":"2","author_id":"9","text":"ok`, "", "truncated JSON"},
		{"bad time", `{"data":[{"id":"2","author_id":"9","text":"x","created_at":"yesterday"}]}`, "data.created_at", "not a time"},
		{"bad time in page", `{"data":[{"id":"2","author_id":"9","text":"x","created_at":"2024-13-01"},{"id":"3","author_id":"9","text":"y"}]}`, "data[0].created_at", "not a time"},
		{"bad includes user time", `{"data":[],"includes":{"users":[{"id":"5","username":"u","created_at":"nope"}]}}`, "includes.users[0].created_at", "not a time"},
		{"bad retrieved_at", `{"data":[],"__twarc":{"retrieved_at":"later"}}`, "__twarc.retrieved_at", "not a time"},
		{"invalid utf8", "{\"data\":[{\"id\":\"2\",\"author_id\":\"9\",\"text\":\"\xff\"}]}", "", "invalid UTF-8"},
		{"array", `[1,2]`, "", "not a JSON object"},
		{"unknown shape", `{"hello":"world"}`, "", "not a twarc2 page"},
		{"wrong type", `{"data":[{"id":2,"author_id":"9","text":"x"}]}`, "data/0/id", "expected a string"},
		{"no author", `{"data":[{"id":"2","text":"x"}]}`, "data.author_id", "no author_id"},
		{"trailing garbage", good + `x`, "", "invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := good + "\n\n" + tt.line + "\n" + good + "\n"
			b := ingesttest.Decode(t, New(), "in", []byte(in))
			ingesttest.CheckBatch(t, "in", &b)
			if len(b.Rejects) != 1 {
				t.Fatalf("%d rejects, want 1: %v", len(b.Rejects), b.Rejects)
			}
			r := b.Rejects[0]
			if r.Line != 3 || r.Field != tt.field || !strings.Contains(r.Reason, tt.reasonHas) {
				t.Errorf("reject %q line %d field %q, want line 3 field %q reason containing %q", r.Reason, r.Line, r.Field, tt.field, tt.reasonHas)
			}
			// both good lines (1 and 4) are kept; posts from the bad page that are fine too.
			var lines []int64
			for _, p := range b.Posts {
				if p.ID == "1" {
					lines = append(lines, p.Prov.Line)
				}
			}
			if !reflect.DeepEqual(lines, []int64{1, 4}) {
				t.Errorf("good post seen on lines %v, want [1 4]", lines)
			}
		})
	}
}

// TestStreamWithError: the filtered stream's data is one object per line; the last line of the
// sample is cut off after 44 bytes and is the only reject.
func TestStreamWithError(t *testing.T) {
	b := decodeFile(t, "testdata/stream_bad.jsonl")
	if len(b.Rejects) != 1 || b.Rejects[0].Line != 8 || !strings.Contains(b.Rejects[0].Reason, "truncated") {
		t.Fatalf("rejects %v, want one truncated line 8", b.Rejects)
	}
	data := 0
	for _, p := range b.Posts {
		if p.Prov.Line < 1 || p.Prov.Line > 7 {
			t.Errorf("post %s on line %d", p.ID, p.Prov.Line)
		}
		if p.ID != "" {
			data++
		}
	}
	if data < 7 { // seven complete lines, one tweet in each data object, plus includes
		t.Errorf("%d posts, want ≥ 7", data)
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name string
		head string
		min  int // score ≥ min
		max  int // score ≤ max
	}{
		{"twarc page", `{"data": [], "__twarc": {}}`, 90, 100},
		{"page with includes", `{"data": [{"id": "1"}], "includes": {}}`, 80, 100},
		{"flat tweet", "\n" + `{"id": "1", "author_id": "2", "text": "x", "author": {}}`, 70, 100},
		{"compliance", `{"id":"1","action":"delete","created_at":"2019-09-06T17:25:54.667Z","reason":"protected"}`, 1, 50},
		{"v1.1 tweet", `{"created_at": "Mon Jan 02 15:04:05 +0000 2006", "id": 1, "id_str": "1", "text": "x", "user": {}}`, 0, 0},
		{"v1.1 search", `{"statuses": [{"id_str": "1"}]}`, 0, 0},
		{"csv", "tweetid,userid\n1,2\n", 0, 0},
		{"empty", "", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if s := New().Detect("x.jsonl", []byte(tt.head)); s < tt.min || s > tt.max {
				t.Errorf("score %d, want in [%d, %d]", s, tt.min, tt.max)
			}
		})
	}
}

// TestLongLine: a line longer than the reader's buffer (1 MiB) is read whole.
func TestLongLine(t *testing.T) {
	text := strings.Repeat("a", 3<<20)
	in := `{"data":[{"id":"1","author_id":"9","text":"` + text + `"}]}` + "\n"
	b := ingesttest.Decode(t, New(), "in", []byte(in))
	if len(b.Posts) != 1 || len(b.Posts[0].Text) != len(text) || len(b.Rejects) != 0 {
		t.Fatalf("posts %d rejects %v", len(b.Posts), b.Rejects)
	}
}

// sharedFiles lists the twarc2 samples in ../shared/data.
func sharedFiles(t *testing.T) []string {
	dir := sharedtest.Data(t, "twitter-v2-twarc2-jsonl")
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasSuffix(p, ".md") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestGoodOddities: a byte-order mark, CRLF line ends, an empty envelope and an empty
// search page are all valid; line numbers still count physical lines.
func TestGoodOddities(t *testing.T) {
	in := "\ufeff" + `{"data":[{"id":"1","author_id":"9","text":"ok"}]}` + "\r\n" +
		`{"meta":{"result_count":0},"__twarc":{"retrieved_at":"2024-01-01T00:00:00+00:00"}}` + "\r\n" +
		`{"__twarc":{"url":"https://api.twitter.com/2/tweets/search/recent"}}` + "\n" +
		`{"data":{"id":"2","author_id":"9","text":"stream"}}`
	if s := New().Detect("x.jsonl", []byte(in)); s < 80 {
		t.Errorf("detect score %d with a byte-order mark", s)
	}
	b := ingesttest.Decode(t, New(), "in", []byte(in))
	ingesttest.CheckBatch(t, "in", &b)
	if len(b.Rejects) != 0 || len(b.Posts) != 2 || b.Posts[0].Prov.Line != 1 || b.Posts[1].Prov.Line != 4 {
		t.Errorf("posts %+v rejects %v, want ids 1 and 2 on lines 1 and 4", b.Posts, b.Rejects)
	}
}

func TestEngagerPages(t *testing.T) {
	t.Parallel()
	// A `twarc2 liking-users 1500` page and a retweeted-by page: each user is an engagement
	// with the tweet named in __twarc.url; other requests yield accounts only.
	in := `{"data":[{"id":"11","username":"a","name":"A"},{"id":"12","username":"b","name":"B"}],"meta":{"result_count":2},"__twarc":{"url":"https://api.twitter.com/2/tweets/1500/liking_users?user.fields=id","version":"2.10.4","retrieved_at":"2022-01-01T00:00:00+00:00"}}
{"data":[{"id":"13","username":"c","name":"C"}],"meta":{"result_count":1},"__twarc":{"url":"https://api.twitter.com/2/tweets/1501/retweeted_by","version":"2.10.4","retrieved_at":"2022-01-01T00:00:00+00:00"}}
{"data":[{"id":"14","username":"d","name":"D"}],"meta":{"result_count":1},"__twarc":{"url":"https://api.twitter.com/2/users/by?usernames=d","version":"2.10.4","retrieved_at":"2022-01-01T00:00:00+00:00"}}
`
	b := ingesttest.Decode(t, New(), "e", []byte(in))
	got := map[string]string{}
	for _, e := range b.Engagements {
		got[e.AccountID] = string(e.Kind) + " " + e.PostID
	}
	want := map[string]string{"11": "like 1500", "12": "like 1500", "13": "repost 1501"}
	if len(got) != len(want) || len(b.Accounts) != 4 {
		t.Fatalf("engagements %v (accounts %d); want %v and 4 accounts", got, len(b.Accounts), want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("account %s: %q, want %q", k, got[k], v)
		}
	}
}
