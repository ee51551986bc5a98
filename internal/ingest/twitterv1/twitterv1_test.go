package twitterv1

import (
	"errors"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest/ingesttest"
)

var fixtures = []string{
	"testdata/handmade.jsonl",
	"testdata/handmade_array.json",
	"testdata/handmade_search.json",
	"testdata/get_status.json",
	"testdata/post_retweet.json",
	"testdata/models_status_quoted_tweet.json",
	"testdata/3.2_extended_tweet_in_extended_mode.json",
	"testdata/activity_streams_head.json",
	"testdata/original_format_head.json",
	"testdata/osome_hashed_head.json",
	"testdata/search_extended_head.json",
}

func TestConformance(t *testing.T) {
	ingesttest.Run(t, New(), fixtures...)
}

func decodeFile(t *testing.T, path string) event.Batch {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b := ingesttest.Decode(t, New(), path, data)
	ingesttest.CheckBatch(t, path, &b)
	if len(b.Rejects) > 0 {
		t.Errorf("%s: rejects %v", path, b.Rejects)
	}
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

// TestHandmade checks values computed by hand from testdata/handmade.jsonl: line 1 a
// streamed retweet of tweet 50 by alice (id 10), line 2 an extended-mode reply, line 3 a quote.
func TestHandmade(t *testing.T) {
	const src = "testdata/handmade.jsonl"
	b := decodeFile(t, src)
	prov := func(l int64) event.Provenance { return event.Provenance{Source: src, Line: l} }
	// timestamp_ms 1704254706000 = 2024-01-03T04:05:06Z: counts of the streamed retweet and of
	// its embedded original were observed then.
	streamed := utc("2024-01-03T04:05:06Z")
	orig := func(l int64, at time.Time) event.Post {
		return event.Post{Platform: event.X, ID: "50", AuthorID: "10", AuthorHandle: "alice",
			CreatedAt: utc("2024-01-02T10:00:00Z"), Kind: event.KindPost, Text: "hi", Lang: "en",
			Client: "Twitter Web App", Likes: 9, Reposts: 3, Replies: event.Unknown, Quotes: event.Unknown,
			Views: event.Unknown, CountsAt: at, Prov: prov(l)}
	}
	tests := []struct {
		line int64
		want []event.Post
	}{
		{1, []event.Post{orig(1, streamed), {Platform: event.X, ID: "1000000000000000001", AuthorID: "1",
			AuthorHandle: "Bob", CreatedAt: utc("2024-01-03T04:05:06Z"), Kind: event.KindRepost, RefID: "50",
			RefAuthorID: "10", Text: "RT @alice: hi", Lang: "en", Mentions: []string{"alice"},
			Client: "Twitter for Android", Likes: 0, Reposts: 3, Replies: event.Unknown, Quotes: event.Unknown,
			Views: event.Unknown, CountsAt: streamed, Prov: prov(1)}}},
		// extended_tweet.full_text and its entities win over text; URL
		// "http://www.Example.com/a/?utm_medium=x&k=1" → "https://example.com/a/?k=1".
		{2, []event.Post{{Platform: event.X, ID: "101", AuthorID: "2", AuthorHandle: "carol",
			CreatedAt: utc("2024-01-03T05:00:00Z"), Kind: event.KindReply, RefID: "50", RefAuthorID: "10",
			Text: "@alice long full text #Tag https://t.co/x", URLs: []string{"https://example.com/a/?k=1"},
			Hashtags: []string{"tag"}, Mentions: []string{"alice"}, Likes: 3, Reposts: 4, Replies: 1, Quotes: 2,
			Views: event.Unknown, Prov: prov(2)}}},
		{3, []event.Post{orig(3, time.Time{}), {Platform: event.X, ID: "102", AuthorID: "2", AuthorHandle: "carol",
			CreatedAt: utc("2024-01-03T06:00:00Z"), Kind: event.KindQuote, RefID: "50", RefAuthorID: "10",
			Text: "look", Likes: 1, Reposts: 0, Replies: event.Unknown, Quotes: event.Unknown, Views: event.Unknown,
			Prov: prov(3)}}},
	}
	var got []event.Post
	for _, tt := range tests {
		got = append(got, tt.want...)
	}
	if !reflect.DeepEqual(b.Posts, got) {
		for i := range max(len(b.Posts), len(got)) {
			if i >= len(b.Posts) || i >= len(got) || !reflect.DeepEqual(b.Posts[i], got[i]) {
				var g, w any
				if i < len(b.Posts) {
					g = b.Posts[i]
				}
				if i < len(got) {
					w = got[i]
				}
				t.Errorf("post %d:\n got %+v\nwant %+v", i, g, w)
			}
		}
	}
	bob := event.Account{Platform: event.X, ID: "1", Handle: "Bob", Name: "Bob",
		CreatedAt: utc("2019-01-01T00:00:00Z"), Followers: 3, Following: 4, Posts: 5, DefaultAvatar: true,
		ObservedAt: streamed, Prov: prov(1)}
	found := false
	for _, a := range b.Accounts {
		if a.ID == "1" {
			found = true
			if !reflect.DeepEqual(a, bob) {
				t.Errorf("account 1:\n got %+v\nwant %+v", a, bob)
			}
		}
	}
	if !found {
		t.Error("account 1 missing")
	}
}

// TestDocumentLines: in pretty-printed documents each tweet carries the line where its object
// starts (handmade_array.json: "  {" on lines 2 and 55; handmade_search.json: lines 3 and 44,
// the retweet's embedded original on the retweet's line 44).
func TestDocumentLines(t *testing.T) {
	tests := []struct {
		file string
		want map[string]int64
	}{
		{"testdata/handmade_array.json", map[string]int64{"101": 2, "102": 55, "50": 55}},
		{"testdata/handmade_search.json", map[string]int64{"102": 3, "1000000000000000001": 44}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := postsByID(decodeFile(t, tt.file))
			for id, line := range tt.want {
				if got[id].Prov.Line != line {
					t.Errorf("post %s on line %d, want %d", id, got[id].Prov.Line, line)
				}
			}
		})
	}
}

// TestHashedSample: the OSoMe sample's hashed ids are kept as opaque ids; its first object
// is a retweet whose text is in text_m.
func TestHashedSample(t *testing.T) {
	b := decodeFile(t, "testdata/osome_hashed_head.json")
	p := b.Posts[1] // the embedded original comes first
	if p.ID != "vDrqI0GVPxRfGTA8S15KaQ" || p.Kind != event.KindRepost || p.RefID != "XQFFKrN4jekP1eBSssFQsQ" ||
		!strings.HasPrefix(p.Text, "RT @un: ") || p.Prov.Line != 1 || p.Mentions[0] != "ni5gbb-wd09aathp_0bnwq" {
		t.Errorf("hashed retweet decoded as %+v", p)
	}
}

// TestActivityStreams: a share is a repost of the shared activity (line 4 of the fixture is
// line 11 of the GNIP sample); line 5 is a reply that also quotes.
func TestActivityStreams(t *testing.T) {
	b := decodeFile(t, "testdata/activity_streams_head.json")
	got := postsByID(b)
	share := got["867478524235366400"]
	if share.Kind != event.KindRepost || share.RefID != "861651727614746624" || share.RefAuthorID != "2382763597" ||
		share.AuthorID != "815279070241955840" || share.Prov.Line != 4 || !share.CreatedAt.Equal(utc("2017-05-24T20:32:51Z")) {
		t.Errorf("share decoded as %+v", share)
	}
	reply := got["867837275152842752"]
	if reply.Kind != event.KindReply || reply.RefID != "861645830863822848" || reply.Client != "Twitter Web Client" {
		t.Errorf("reply decoded as %+v", reply)
	}
	if len(b.Engagements) != 1 || b.Engagements[0].Kind != event.EngageQuote || b.Engagements[0].PostID != "867479301360205824" {
		t.Errorf("engagements %+v, want the quote of 867479301360205824", b.Engagements)
	}
}

// TestNoTweets: the retweeter-ids response, an empty search result and streaming notices are
// valid and yield nothing.
func TestNoTweets(t *testing.T) {
	if b := decodeFile(t, "testdata/get_retweeters.json"); b.Len() != 0 {
		t.Errorf("%d events from the ids endpoint", b.Len())
	}
	in := `{"statuses": []}` + "\n" + `{"delete":{"status":{"id_str":"1","user_id_str":"2"}}}` + "\n" +
		`{"limit":{"track":5}}` + "\n" + `{"verb":"delete","id":"tag:x,1:2"}` + "\n"
	if b := ingesttest.Decode(t, New(), "in", []byte(in)); b.Len() != 0 {
		t.Errorf("%d events from notices: %v", b.Len(), b.Rejects)
	}
}

const goodLine = `{"created_at":"Wed Jan 03 04:05:06 +0000 2024","id_str":"1","text":"ok","user":{"id_str":"9","screen_name":"u","created_at":"Wed Jan 03 04:05:06 +0000 2024"}}`

// TestBadLines: damaged lines of line-delimited input are rejected one by one, on their line.
func TestBadLines(t *testing.T) {
	tests := []struct {
		name, line, field, reasonHas string
	}{
		{"truncated", `{"created_at":"Wed Jan 03 04:05:06 +0000 2024","id_str":"2","te`, "", "truncated JSON"},
		{"bad time", strings.Replace(strings.Replace(goodLine, `"1"`, `"2"`, 1), `"Wed Jan 03 04:05:06 +0000 2024","id_str"`, `"yesterday","id_str"`, 1), "created_at", "not a time"},
		// the account is rejected, its tweet (id 2) kept
		{"bad user time", strings.Replace(strings.Replace(goodLine, `"u","created_at":"Wed Jan 03 04:05:06 +0000 2024"`, `"u","created_at":"soon"`, 1), `"1"`, `"2"`, 1), "user.created_at", "not a time"},
		{"invalid utf8", strings.Replace(goodLine, "ok", "o\xffk", 1), "", "invalid UTF-8"},
		{"float id", `{"created_at":"Wed Jan 03 04:05:06 +0000 2024","id":8.728364796087337e17,"text":"x","user":{"id_str":"9"}}`, "id_str", "not an integer"},
		{"no user", `{"created_at":"Wed Jan 03 04:05:06 +0000 2024","id_str":"2","text":"x"}`, "user", "no user"},
		{"unknown", `{"hello":"world"}`, "", "not a v1.1 tweet"},
		{"verb", `{"verb":"follow","id":"tag:x,1:2"}`, "verb", "not supported"},
		{"scalar", `42`, "", "not a JSON object or array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := goodLine + "\n\n" + tt.line + "\n" + goodLine + "\n"
			b := ingesttest.Decode(t, New(), "in", []byte(in))
			ingesttest.CheckBatch(t, "in", &b)
			if len(b.Rejects) != 1 {
				t.Fatalf("%d rejects, want 1: %v", len(b.Rejects), b.Rejects)
			}
			r := b.Rejects[0]
			if r.Line != 3 || r.Field != tt.field || !strings.Contains(r.Reason, tt.reasonHas) {
				t.Errorf("reject %q line %d field %q, want line 3 field %q reason containing %q", r.Reason, r.Line, r.Field, tt.field, tt.reasonHas)
			}
			var lines []int64
			for _, p := range b.Posts {
				if p.ID == "1" {
					lines = append(lines, p.Prov.Line)
				}
			}
			if !reflect.DeepEqual(lines, []int64{1, 4}) {
				t.Errorf("good tweet seen on lines %v, want [1 4]", lines)
			}
		})
	}
}

// TestTruncatedDocument: a pretty-printed array cut short keeps the tweets before the cut and
// rejects the rest from the line of the cut.
func TestTruncatedDocument(t *testing.T) {
	data, err := os.ReadFile("testdata/handmade_array.json")
	if err != nil {
		t.Fatal(err)
	}
	cut := data[:len(data)-200] // inside the second tweet, which starts on line 55
	b := ingesttest.Decode(t, New(), "in", cut)
	ingesttest.CheckBatch(t, "in", &b)
	lines := int64(strings.Count(string(cut), "\n")) + 1
	if len(b.Posts) != 1 || b.Posts[0].ID != "101" {
		t.Errorf("posts %+v, want only 101", b.Posts)
	}
	if len(b.Rejects) != 1 || b.Rejects[0].Line < 55 || b.Rejects[0].Line > lines {
		t.Errorf("rejects %+v, want one between line 55 and %d", b.Rejects, lines)
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name     string
		head     string
		min, max int
	}{
		{"v1.1 tweet", goodLine, 80, 100},
		{"array", "[\n  {\n \"id_str\": \"1\", \"user\": {}", 80, 100},
		{"search", `{"statuses": [{"id_str": "1"`, 90, 100},
		{"activity", `{"verb":"post","actor":{"id":"id:twitter.com:1"}}`, 80, 100},
		{"hashed", `{"id_str_h": "x", "user": {"screen_name_h": "y"}}`, 80, 100},
		{"twarc2 page", `{"data": [{"id": "1", "author_id": "2", "text": "x"}], "__twarc": {}}`, 0, 0},
		{"v2 tweet", `{"id": "1", "author_id": "2", "text": "x"}`, 0, 0},
		{"ids endpoint", `{"ids":[1,2],"next_cursor":0,"next_cursor_str":"0"}`, 1, 50},
		{"csv", "tweetid,userid\n", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if s := New().Detect("x.json", []byte(tt.head)); s < tt.min || s > tt.max {
				t.Errorf("score %d, want in [%d, %d]", s, tt.min, tt.max)
			}
		})
	}
}

// TestByteOrderMark: a leading byte-order mark does not hide the first tweet, in either mode.
func TestByteOrderMark(t *testing.T) {
	for _, in := range []string{"\ufeff" + goodLine + "\n", "\ufeff[\n" + goodLine + "\n]\n"} {
		b := ingesttest.Decode(t, New(), "in", []byte(in))
		ingesttest.CheckBatch(t, "in", &b)
		if len(b.Rejects) != 0 || len(b.Posts) != 1 {
			t.Errorf("%q: posts %d rejects %v", in[:8], len(b.Posts), b.Rejects)
		}
		if s := New().Detect("x.json", []byte(in)); s < 80 {
			t.Errorf("%q: detect score %d", in[:8], s)
		}
	}
}

// breaksOff returns data and then err instead of io.EOF: a truncated compressed file.
type breaksOff struct {
	r   *strings.Reader
	err error
}

func (b *breaksOff) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil {
		return n, b.err
	}
	return n, nil
}

// TestDecodeKeepsWholeValuesOfBrokenDocument: when the input breaks off inside a pretty-printed
// array (a truncated .json.gz), the tweets before the cut are decoded and Decode then returns
// the read error, not a reject for the cut tweet.
func TestDecodeKeepsWholeValuesOfBrokenDocument(t *testing.T) {
	data, err := os.ReadFile("testdata/handmade_array.json")
	if err != nil {
		t.Fatal(err)
	}
	full := postsByID(ingesttest.Decode(t, New(), "a.json", data))
	cut := string(data[:len(data)*2/3])
	b, err := ingesttest.DecodeReader(New(), "a.json", &breaksOff{strings.NewReader(cut), io.ErrUnexpectedEOF})
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("error %v; want the read error", err)
	}
	if len(b.Posts) == 0 || len(b.Posts) >= len(full) || len(b.Rejects) > 0 {
		t.Fatalf("%d posts (of %d), rejects %+v; want the whole tweets before the cut and no reject", len(b.Posts), len(full), b.Rejects)
	}
	for _, p := range b.Posts {
		if !reflect.DeepEqual(p, full[p.ID]) {
			t.Errorf("post %s differs from the one decoded from the whole file", p.ID)
		}
	}
}
