package ioarchive

import (
	"encoding/csv"
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
		filepath.Join("testdata", "tweets.csv"),
		filepath.Join("testdata", "users.csv"),
		filepath.Join("testdata", "tweets_bad.csv"))
}

func decodeFile(t *testing.T, name string) event.Batch {
	t.Helper()
	return ingesttest.DecodeFile(t, New(), filepath.Join("testdata", name))
}

func TestFixtureCounts(t *testing.T) {
	b := decodeFile(t, "tweets.csv")
	// Counted independently with a plain CSV read of the same file: rows, distinct userids,
	// rows with is_retweet True.
	f, err := os.Open(filepath.Join("testdata", "tweets.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	users, retweets := map[string]bool{}, 0
	for _, r := range recs[1:] {
		users[r[cUserID]] = true
		if r[cIsRetweet] == "True" {
			retweets++
		}
	}
	reposts := 0
	for _, p := range b.Posts {
		if p.Kind == event.KindRepost {
			reposts++
		}
	}
	if len(b.Posts) != len(recs)-1 || len(b.Accounts) != len(users) || reposts != retweets || len(b.Rejects) != 0 {
		t.Errorf("%d posts, %d accounts, %d reposts, %d rejects; want %d, %d, %d, 0",
			len(b.Posts), len(b.Accounts), reposts, len(b.Rejects), len(recs)-1, len(users), retweets)
	}
}

func TestFirstRow(t *testing.T) {
	b := decodeFile(t, "tweets.csv")
	src := filepath.Join("testdata", "tweets.csv")
	const hashed = "sokAezCpPDU7v4D4Da49Ahnnq6NcRumjzlLliR4pbB8="
	wantPost := event.Post{Platform: event.X, ID: "783947400610566650", AuthorID: hashed, AuthorHandle: hashed,
		CreatedAt: time.Date(2016, 10, 6, 8, 30, 0, 0, time.UTC), Kind: event.KindRepost,
		RefID: "783947400609540335", RefAuthorID: "zWYjouOuoVBmnz0zGuIbgEezyF/XXELimiFNoSNuhlU=",
		Text: "Trust In The Lord With All Your Heart (Prov 3:5,6) https://t.co/GRZklyHPQ9", Lang: "en",
		URLs: []string{"https://t.co/GRZklyHPQ9"}, Client: "Twitter for Android",
		Likes: 0, Reposts: 0, Replies: 0, Quotes: 0, Views: event.Unknown,
		Prov: event.Provenance{Source: src, Line: 2}}
	if !reflect.DeepEqual(b.Posts[0], wantPost) {
		t.Errorf("post\n%+v\nwant\n%+v", b.Posts[0], wantPost)
	}
	wantAcct := event.Account{Platform: event.X, ID: hashed, Handle: hashed, Name: hashed,
		CreatedAt: time.Date(2014, 6, 3, 0, 0, 0, 0, time.UTC), Followers: 1463, Following: 1267,
		Posts: event.Unknown, Lang: "en", Prov: event.Provenance{Source: src, Line: 2}}
	if !reflect.DeepEqual(b.Accounts[0], wantAcct) {
		t.Errorf("account\n%+v\nwant\n%+v", b.Accounts[0], wantAcct)
	}
	// Line 3's hashtags "[TrumpTrain, AmericaFirst, MAGA, nhpolitics]" are lower-cased.
	if got, want := b.Posts[1].Hashtags, []string{"trumptrain", "americafirst", "maga", "nhpolitics"}; !reflect.DeepEqual(got, want) {
		t.Errorf("hashtags %q, want %q", got, want)
	}
}

func TestKinds(t *testing.T) {
	hdr := strings.Join(TweetColumns, ",") + "\n"
	// row builds a tweet row with the given reply user/tweet, quoted id, is_retweet and
	// retweet user/tweet, and list columns.
	row := func(id, replyUser, replyTweet, quoted, isRT, rtUser, rtTweet, lists string) string {
		return id + ",u1,U,uu,,,,1,2,2014-01-02,en,en,text," + "2016-10-01 12:34:56" + ",Web," +
			replyUser + "," + replyTweet + "," + quoted + "," + isRT + "," + rtUser + "," + rtTweet +
			",absent,absent,,,,," + lists + ",\n"
	}
	tests := []struct {
		name, row        string
		kind             event.PostKind
		ref, refAuthor   string
		urls, tags, mnts []string
	}{
		{"post", row("1", "", "", "", "False", "", "", ",,"), event.KindPost, "", "", nil, nil, nil},
		{"retweet", row("2", "", "", "", "true", "u9", "99", ",,"), event.KindRepost, "99", "u9", nil, nil, nil},
		{"retweet wins over quote", row("3", "", "", "77", "1", "u9", "99", ",,"), event.KindRepost, "99", "u9", nil, nil, nil},
		{"reply", row("4", "u8", "88", "", "False", "", "", ",,"), event.KindReply, "88", "u8", nil, nil, nil},
		{"reply to a user only", row("5", "u8", "", "", "False", "", "", ",,"), event.KindReply, "", "u8", nil, nil, nil},
		{"reply wins over quote", row("6", "u8", "88", "77", "False", "", "", ",,"), event.KindReply, "88", "u8", nil, nil, nil},
		{"quote", row("7", "", "", "77", "FALSE", "", "", ",,"), event.KindQuote, "77", "", nil, nil, nil},
		{"lists", row("8", "", "", "", "", "", "", `"[#Tag, Two]","[http://WWW.Example.com/a/?utm_source=x, https://t.co/x]","[123, 456]"`),
			event.KindPost, "", "", []string{"https://example.com/a", "https://t.co/x"}, []string{"tag", "two"}, []string{"123", "456"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := ingesttest.Decode(t, New(), "k.csv", []byte(hdr+tc.row))
			if len(b.Posts) != 1 {
				t.Fatalf("%d posts, rejects %v", len(b.Posts), b.Rejects)
			}
			p := b.Posts[0]
			if p.Kind != tc.kind || p.RefID != tc.ref || p.RefAuthorID != tc.refAuthor ||
				!reflect.DeepEqual(p.URLs, tc.urls) || !reflect.DeepEqual(p.Hashtags, tc.tags) || !reflect.DeepEqual(p.Mentions, tc.mnts) {
				t.Errorf("got %s ref %q by %q urls %q tags %q mentions %q", p.Kind, p.RefID, p.RefAuthorID, p.URLs, p.Hashtags, p.Mentions)
			}
			// Seconds, when present, are kept; empty counts are unknown.
			if !p.CreatedAt.Equal(time.Date(2016, 10, 1, 12, 34, 56, 0, time.UTC)) || p.Likes != event.Unknown {
				t.Errorf("time %v likes %d", p.CreatedAt, p.Likes)
			}
		})
	}
}

func TestRejects(t *testing.T) {
	b := decodeFile(t, "tweets_bad.csv")
	type rej struct {
		Line  int64
		Field string
	}
	var got []rej
	for _, r := range b.Rejects {
		got = append(got, rej{r.Line, r.Field})
	}
	// tweets_bad.csv: 2 good; 3 month 13; 4 is_retweet "maybe"; 5 retweet without id;
	// 6 like_count -2; 7 no tweetid; 8 follower_count "many" on u3's first row; 9–10 u3's
	// second row, good, so u3's account comes from it; 11 fourteen fields.
	want := []rej{{3, "tweet_time"}, {4, "is_retweet"}, {5, "retweet_tweetid"}, {6, "like_count"},
		{7, "tweetid"}, {8, "follower_count"}, {11, ""}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rejects %v, want %v", got, want)
	}
	if len(b.Posts) != 2 || b.Posts[1].Text != "second row of u3,\nover two lines" || b.Posts[1].Prov.Line != 9 {
		t.Errorf("posts %+v", b.Posts)
	}
	if len(b.Accounts) != 2 || b.Accounts[1].ID != "u3" || b.Accounts[1].Prov.Line != 9 {
		t.Errorf("accounts %+v", b.Accounts)
	}
	if r := b.Rejects[0]; r.Reason != "`tweet_time` is not a time; expected \"2006-01-02 15:04\"" ||
		!strings.HasPrefix(r.Raw, "1002,u1,") {
		t.Errorf("reject %+v", r)
	}
	// Posts + rejects = data rows (10 physical lines after the header, one record spans two).
	if n := len(b.Posts) + len(b.Rejects); n != 9 {
		t.Errorf("posts + rejects = %d, want 9", n)
	}
}

func TestUsersFile(t *testing.T) {
	b := decodeFile(t, "users.csv")
	if len(b.Accounts) != 30 || len(b.Posts) != 0 {
		t.Fatalf("%d accounts, %d posts; want 30, 0", len(b.Accounts), len(b.Posts))
	}
	// The users file and the tweets file describe the same 30 authors identically.
	tw := decodeFile(t, "tweets.csv")
	for i := range b.Accounts {
		a, c := b.Accounts[i], tw.Accounts[i]
		a.Prov, c.Prov = event.Provenance{}, event.Provenance{}
		if !reflect.DeepEqual(a, c) {
			t.Errorf("account %d: users file %+v, tweets file %+v", i, a, c)
		}
	}
}

func TestDetect(t *testing.T) {
	c := New()
	tests := []struct {
		head string
		want int
	}{
		{strings.Join(TweetColumns, ",") + "\n", 100},
		{"\ufeff" + strings.ToUpper(strings.Join(TweetColumns, ",")) + "\r\n", 100},
		{strings.Join(UserColumns, ",") + "\n", 90},
		{"author_id,account_category,account_type,content\n", 0},
		{"", 0},
	}
	for _, tc := range tests {
		if got := c.Detect("f.csv", []byte(tc.head)); got != tc.want {
			t.Errorf("Detect(%.40q) = %d, want %d", tc.head, got, tc.want)
		}
	}
}

func TestFastTime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2016-10-01 12:34", time.Date(2016, 10, 1, 12, 34, 0, 0, time.UTC), true},
		{"2016-02-29", time.Date(2016, 2, 29, 0, 0, 0, 0, time.UTC), true},
		{"2015-02-29", time.Time{}, false}, {"1900-02-29", time.Time{}, false},
		{"2000-02-29", time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC), true},
		{"2016-10-01 24:00", time.Time{}, false}, {"2016-10-01T12:34", time.Time{}, false},
		{"2016-00-01", time.Time{}, false}, {"2016-1x-01", time.Time{}, false},
	}
	for _, tc := range tests {
		got, ok := fastTime(tc.in)
		if ok != tc.ok || !got.Equal(tc.want) {
			t.Errorf("fastTime(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func FuzzIOArchive(f *testing.F) {
	for _, name := range []string{"tweets_bad.csv", "users.csv"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	c := New()
	f.Fuzz(func(t *testing.T, data []byte) { ingesttest.Fuzz(t, c, data) })
}
