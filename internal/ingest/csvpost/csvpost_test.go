package csvpost

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest/ingesttest"
)

func mustMapping(t testing.TB, path string) Mapping {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseMapping(string(data))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestConformance(t *testing.T) {
	ingesttest.Run(t, New(Mapping{}),
		filepath.Join("testdata", "posts.csv"),
		filepath.Join("testdata", "export.csv"),
		filepath.Join("testdata", "posts_bad.csv"))
	ingesttest.Run(t, New(mustMapping(t, filepath.Join("testdata", "custom.mapping"))),
		filepath.Join("testdata", "custom_tweets.csv"))
}

func decode(t *testing.T, m Mapping, name string) event.Batch {
	t.Helper()
	path := filepath.Join("testdata", name)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return ingesttest.Decode(t, New(m), path, data)
}

func TestDefaultLayout(t *testing.T) {
	b := decode(t, Mapping{}, "posts.csv")
	// posts.csv: the first 40 rows of the FiveThirtyEight sample rewritten to the default
	// header; 8 of them are reposts whose tco1_step1 link names the original.
	if len(b.Posts) != 40 || len(b.Rejects) != 0 {
		t.Fatalf("%d posts, %d rejects; want 40, 0", len(b.Posts), len(b.Rejects))
	}
	reposts := 0
	for _, p := range b.Posts {
		if p.Kind == event.KindRepost {
			reposts++
		}
		if p.Likes != event.Unknown || p.URLs != nil {
			t.Errorf("%s: optional columns absent but got likes %d urls %v", p.ID, p.Likes, p.URLs)
		}
	}
	if reposts != 8 {
		t.Errorf("%d reposts, want 8", reposts)
	}
	if p := b.Posts[0]; p.ID != "914580356430536707" || p.AuthorID != "905874659358453760" ||
		!p.CreatedAt.Equal(time.Date(2017, 10, 1, 19, 58, 0, 0, time.UTC)) || !strings.HasPrefix(p.Text, `"We have a sitting`) {
		t.Errorf("first post %+v", p)
	}
}

func TestExportLayout(t *testing.T) {
	b := decode(t, Mapping{}, "export.csv")
	src := filepath.Join("testdata", "export.csv")
	want := []event.Post{
		{Platform: event.X, ID: "914580356430536707", AuthorID: "905874659358453760", AuthorHandle: "10_GOP",
			CreatedAt: time.Date(2017, 10, 1, 19, 58, 0, 0, time.UTC), Kind: event.KindPost,
			Text: `"We have a sitting Democrat US Senator on trial" ~ @nedryun https://t.co/gh6g0D1oiC`, Lang: "en",
			URLs:  []string{"https://twitter.com/10_gop/status/914580356430536707/video/1"},
			Likes: 120, Reposts: 45, Replies: 3, Quotes: 1, Views: -1, Prov: event.Provenance{Source: src, Line: 2}},
		// 1506898200 = 2017-10-01T22:50:00Z.
		{Platform: event.X, ID: "914623490375979008", AuthorID: "905874659358453760", AuthorHandle: "10_GOP",
			CreatedAt: time.Date(2017, 10, 1, 22, 50, 0, 0, time.UTC), Kind: event.KindRepost, RefID: "913231923715198976",
			RefAuthorID: "10_gop", Text: "Daughter of fallen Navy Sailor delivers powerful monologue. #BoycottNFL", Lang: "en",
			Hashtags: []string{"boycottnfl"}, Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Views: -1,
			Prov: event.Provenance{Source: src, Line: 3}},
		{Platform: event.Bluesky, ID: "at://did:plc:abc/app.bsky.feed.post/3k2a", AuthorID: "did:plc:abc", AuthorHandle: "someone.bsky.social",
			CreatedAt: time.Date(2024, 5, 1, 10, 0, 0, 123e6, time.UTC), Kind: event.KindReply,
			RefID: "at://did:plc:xyz/app.bsky.feed.post/3k1z", RefAuthorID: "did:plc:xyz", Text: "a reply\nover two lines", Lang: "en",
			URLs:  []string{"https://example.com/a", "https://b.org"},
			Likes: 2, Reposts: 0, Replies: 0, Quotes: 0, Views: -1, Prov: event.Provenance{Source: src, Line: 4}},
	}
	if !reflect.DeepEqual(b.Posts, want) {
		t.Errorf("got\n%+v\nwant\n%+v", b.Posts, want)
	}
}

func TestCustomMapping(t *testing.T) {
	b := decode(t, mustMapping(t, filepath.Join("testdata", "custom.mapping")), "custom_tweets.csv")
	type row struct {
		ID, Author, Handle string
		Unix               int64
		Kind               event.PostKind
		Ref                string
		Likes              int64
	}
	var got []row
	for _, p := range b.Posts {
		if p.Platform != event.X {
			t.Errorf("platform %s, want the constant x", p.Platform)
		}
		got = append(got, row{p.ID, p.AuthorID, p.AuthorHandle, p.CreatedAt.Unix(), p.Kind, p.RefID, p.Likes})
	}
	want := []row{
		{"1001", "u1", "alice", 1600000000, event.KindPost, "", 5},
		{"1002", "u2", "bob", 1600000060, event.KindRepost, "1001", 0},
		{"1003", "u3", "carol", 1600000120, event.KindReply, "1001", event.Unknown},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestRejects(t *testing.T) {
	b := decode(t, Mapping{}, "posts_bad.csv")
	type rej struct {
		Line  int64
		Field string
	}
	var got []rej
	for _, r := range b.Rejects {
		got = append(got, rej{r.Line, r.Field})
	}
	// posts_bad.csv: 2 good; 3 platform; 4 no id; 5 no author; 6 time; 7 kind "like";
	// 8 repost without ref_id; 9 seven fields; 10 good quote.
	want := []rej{{3, "platform"}, {4, "id"}, {5, "author_id"}, {6, "created_at"}, {7, "kind"}, {8, "ref_id"}, {9, ""}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rejects %v, want %v", got, want)
	}
	if len(b.Posts) != 2 || b.Posts[1].Text != `fine "quote"` {
		t.Errorf("posts %+v", b.Posts)
	}
}

func TestParseMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Mapping
		err  string
	}{
		{in: "id=tweet_id,author_id=user,created_at=time,platform=const:x",
			want: Mapping{ID: "tweet_id", AuthorID: "user", CreatedAt: "time", ConstPlatform: event.X}},
		{in: " ID = Tweet ID , author_id=user,created_at=time,platform=network,text=full text",
			want: Mapping{ID: "Tweet ID", AuthorID: "user", CreatedAt: "time", Platform: "network", Text: "full text"}},
		{in: "# comment\nid=a # trailing\n\nauthor_id=b\ncreated_at=c\nplatform=const:Twitter\n",
			want: Mapping{ID: "a", AuthorID: "b", CreatedAt: "c", ConstPlatform: event.X}},
		{in: "id=a,author_id=b,created_at=c", err: "lacks platform"},
		{in: "id=a,author_id=b,platform=const:x", err: "lacks created_at"},
		{in: "id=a,author_id=b,created_at=c,platform=const:x,ref_id=r", err: "map kind too"},
		{in: "id=a,author_id=b,created_at=c,platform=const:myspace", err: "unknown platform"},
		{in: "id=a,id=b", err: "already mapped"},
		{in: "identifier=a", err: "unknown field"},
		{in: "id", err: "not field=column"},
		{in: "id=", err: "not field=column"},
	}
	for _, tc := range tests {
		got, err := ParseMapping(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseMapping(%q) error %v, want one containing %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseMapping(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	m, err := ParseMapping("id=tweet_id,author_id=user,created_at=time,platform=const:x,likes=likes")
	if err != nil {
		t.Fatal(err)
	}
	// A custom mapping's columns must all be present.
	_, err = ingesttest.DecodeErr(New(m), "f.csv", []byte("tweet_id,user,time\n1,u,0\n"))
	if err == nil || !strings.Contains(err.Error(), "likes (for likes)") {
		t.Errorf("missing mapped column: %v", err)
	}
	// The default mapping needs its eight columns.
	_, err = ingesttest.DecodeErr(New(Mapping{}), "f.csv", []byte("platform,id,author_id\nx,1,u\n"))
	if err == nil || !strings.Contains(err.Error(), "created_at") {
		t.Errorf("missing default column: %v", err)
	}
	// An invalid mapping fails at Open.
	if _, err := New(Mapping{ID: "id"}).Open(strings.NewReader(""), "f.csv"); err == nil {
		t.Error("invalid mapping accepted")
	}
}

func TestDetect(t *testing.T) {
	def := New(Mapping{})
	custom := New(mustMapping(t, filepath.Join("testdata", "custom.mapping")))
	tests := []struct {
		head        string
		def, custom int
	}{
		{DefaultHeader + "\n", 90, 0},
		{"text,platform,id,author_id,created_at,kind,ref_id,ref_author_id,likes\n", 90, 0},
		{"tweet_id,user,screen_name,time,type,rt_id,body,like_count\n", 0, 80},
		{"platform,id,author_id\n", 0, 0},
	}
	for _, tc := range tests {
		if d, c := def.Detect("f.csv", []byte(tc.head)), custom.Detect("f.csv", []byte(tc.head)); d != tc.def || c != tc.custom {
			t.Errorf("Detect(%q) = %d, %d; want %d, %d", tc.head, d, c, tc.def, tc.custom)
		}
	}
}

func FuzzCSV(f *testing.F) {
	for _, name := range []string{"export.csv", "posts_bad.csv"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	c := New(Mapping{})
	f.Fuzz(func(t *testing.T, data []byte) { ingesttest.Fuzz(t, c, data) })
}

func FuzzParseMapping(f *testing.F) {
	for _, s := range []string{"id=a,author_id=b,created_at=c,platform=const:x", "# c\nid=a\nplatform=p\n", "=,", "id==x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMapping(s)
		if err == nil && m.Validate() != nil {
			t.Fatalf("ParseMapping(%q) returned an invalid mapping without error", s)
		}
	})
}

func TestLoadMapping(t *testing.T) {
	if m, err := LoadMapping(""); err != nil || m != (Mapping{}) {
		t.Errorf("empty: %+v %v", m, err)
	}
	inline, err := LoadMapping("id=tweet_id,author_id=user,created_at=time,platform=const:x")
	if err != nil || inline.ID != "tweet_id" || inline.ConstPlatform != event.X {
		t.Errorf("inline: %+v %v", inline, err)
	}
	file, err := LoadMapping(filepath.Join("testdata", "custom.mapping"))
	if err != nil || file.Kind != "type" || file.Likes != "like_count" {
		t.Errorf("file: %+v %v", file, err)
	}
	if _, err := LoadMapping(filepath.Join("testdata", "absent.mapping")); err == nil {
		t.Error("absent file accepted")
	}
}
