package qut

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest/ingesttest"
)

func TestConformance(t *testing.T) {
	ingesttest.Run(t, New(),
		filepath.Join("testdata", "coretweet_test_input.csv"),
		filepath.Join("testdata", "sample_data.csv"),
		filepath.Join("testdata", "qut_bad.csv"))
}

func decodeFile(t *testing.T, name string) event.Batch {
	t.Helper()
	return ingesttest.DecodeFile(t, New(), filepath.Join("testdata", name))
}

func TestCoretweetInput(t *testing.T) {
	// coretweet_test_input.csv starts with a UTF-8 BOM; 15 rows, all retweets of rtid0..rtid6.
	b := decodeFile(t, "coretweet_test_input.csv")
	if len(b.Rejects) != 0 || len(b.Posts) != 15 {
		t.Fatalf("%d posts, %d rejects; want 15, 0", len(b.Posts), len(b.Rejects))
	}
	src := filepath.Join("testdata", "coretweet_test_input.csv")
	want0 := event.Post{Platform: event.X, ID: "0", AuthorID: "uid0", AuthorHandle: "username0",
		CreatedAt: time.Unix(0, 0).UTC(), Kind: event.KindRepost, RefID: "rtid0", Text: "Example tweet from uid0",
		Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Views: -1, Prov: event.Provenance{Source: src, Line: 2}}
	if !reflect.DeepEqual(b.Posts[0], want0) {
		t.Errorf("first post\n%+v\nwant\n%+v", b.Posts[0], want0)
	}
	// The boundary pairs of the fixture: uid1 at 59 s, uid2 at 60 s (rows 2 and 3).
	if got := b.Posts[1].CreatedAt.Unix(); got != 59 {
		t.Errorf("row 2 at %d s, want 59", got)
	}
	if got := b.Posts[2].CreatedAt.Unix(); got != 60 {
		t.Errorf("row 3 at %d s, want 60", got)
	}
	if last := b.Posts[14]; last.ID != "14" || last.AuthorID != "uid0" || last.CreatedAt.Unix() != 1 || last.Prov.Line != 16 {
		t.Errorf("last post %+v", last)
	}
	// Distinct users: uid0..uid5, uid10, uid11, uid12 = 9 accounts, each once.
	if len(b.Accounts) != 9 {
		t.Errorf("%d accounts, want 9", len(b.Accounts))
	}
}

func TestSampleData(t *testing.T) {
	b := decodeFile(t, "sample_data.csv")
	kinds := map[event.PostKind]int{}
	for _, p := range b.Posts {
		kinds[p.Kind]++
	}
	// Counted with Python's csv module on the same file: 100 rows, 27 with repost_id,
	// 15 with reply_id, none with both.
	if want := map[event.PostKind]int{event.KindPost: 58, event.KindRepost: 27, event.KindReply: 15}; !reflect.DeepEqual(kinds, want) {
		t.Errorf("kinds %v, want %v", kinds, want)
	}
	// Row 2 (line 3): message 2 by user 1 reposting 1 at 1606451170.518142 with two URLs, kept
	// verbatim.
	p := b.Posts[1]
	wantAt := time.Unix(1606451170, 518142000).UTC()
	if p.ID != "2" || p.Kind != event.KindRepost || p.RefID != "1" || !p.CreatedAt.Equal(wantAt) ||
		!reflect.DeepEqual(p.URLs, []string{"http://example.com/4", "http://example.com/6"}) {
		t.Errorf("message 2: %+v", p)
	}
}

func TestRejects(t *testing.T) {
	b := decodeFile(t, "qut_bad.csv")
	type rej struct {
		Line  int64
		Field string
	}
	var got []rej
	for _, r := range b.Rejects {
		got = append(got, rej{r.Line, r.Field})
	}
	// qut_bad.csv: 2 good; 3 no id; 4 no user; 5 bad time; 6 unterminated list; 7 seven
	// fields; 8–9 a two-line repost with a negative time; 10 repost and reply both set: the
	// repost wins, the URL keeps its apostrophe.
	want := []rej{{3, "message_id"}, {4, "user_id"}, {5, "timestamp"}, {6, "urls"}, {7, ""}, {8, "timestamp"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rejects %v, want %v", got, want)
	}
	if len(b.Posts) != 2 {
		t.Fatalf("%d posts, want 2", len(b.Posts))
	}
	if p := b.Posts[1]; p.Kind != event.KindRepost || p.RefID != "1" || p.Prov.Line != 10 ||
		!reflect.DeepEqual(p.URLs, []string{"http://example.com/it's"}) {
		t.Errorf("post 7: %+v", p)
	}
}

func TestUnixTime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		sec, ns int64
		err     bool
	}{
		{"0", 0, 0, false},
		{"1606451170", 1606451170, 0, false},
		{"1606451170.518101", 1606451170, 518101000, false},
		{"1606451170.5", 1606451170, 500000000, false},
		{" 60. ", 60, 0, false},
		{"1.1234567891", 1, 123456789, false}, // tenth digit dropped
		{"", 0, 0, true}, {"-1", 0, 0, true}, {"+1", 0, 0, true}, {"1e9", 0, 0, true},
		{"1.2.3", 0, 0, true}, {".5", 0, 0, true}, {"2020-11-27", 0, 0, true},
	}
	for _, tc := range tests {
		got, err := UnixTime(tc.in)
		if (err != nil) != tc.err {
			t.Errorf("UnixTime(%q) error %v, want error %v", tc.in, err, tc.err)
			continue
		}
		if !tc.err && !got.Equal(time.Unix(tc.sec, tc.ns)) {
			t.Errorf("UnixTime(%q) = %v, want %d.%09d", tc.in, got, tc.sec, tc.ns)
		}
	}
}

func TestPyList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
		err  bool
	}{
		{"", nil, false}, {"[]", nil, false}, {"[ ]", nil, false},
		{"['http://example.com/2']", []string{"http://example.com/2"}, false},
		{"['http://a/1', 'http://b/2?x=1,2']", []string{"http://a/1", "http://b/2?x=1,2"}, false},
		{`["http://a/it's", 'b\'c']`, []string{"http://a/it's", "b'c"}, false},
		{"[a, b]", []string{"a", "b"}, false},
		{"['a'", nil, true}, {"['a', ]", nil, true}, {"['a' 'b']", nil, true}, {"http://a", nil, true},
	}
	for _, tc := range tests {
		got, err := PyList(tc.in)
		if (err != nil) != tc.err || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("PyList(%q) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func FuzzQUT(f *testing.F) {
	for _, name := range []string{"coretweet_test_input.csv", "qut_bad.csv"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	c := New()
	f.Fuzz(func(t *testing.T, data []byte) { ingesttest.Fuzz(t, c, data) })
}

func FuzzPyList(f *testing.F) {
	for _, s := range []string{"['a', 'b']", `["it's", 'x\'y']`, "[a,b]", "['", "[,]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := PyList(s)
		if err == nil {
			for _, e := range out {
				if len(e) > len(s) {
					t.Fatalf("element %q longer than input %q", e, s)
				}
			}
		}
	})
}
