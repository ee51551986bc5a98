package collect

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// jetstreamEvents are Jetstream messages around the watch account did:plc:emb, with the
// kept ones marked: its own post, a repost and a reply and a quote of it by others, a like of
// another account's post (dropped), and an identity event (dropped).
var jetstreamEvents = []struct {
	msg  string
	kept bool
}{
	{`{"did":"did:plc:emb","time_us":1725911160000000,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"p1","record":{"$type":"app.bsky.feed.post","text":"Embassy statement","createdAt":"2024-09-09T19:46:00Z"}}}`, true},
	{`{"did":"did:plc:aaa","time_us":1725911161000000,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.repost","rkey":"r1","record":{"$type":"app.bsky.feed.repost","createdAt":"2024-09-09T19:46:01Z","subject":{"uri":"at://did:plc:emb/app.bsky.feed.post/p1","cid":"c"}}}}`, true},
	{`{"did":"did:plc:bbb","time_us":1725911162000000,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.like","rkey":"l9","record":{"$type":"app.bsky.feed.like","createdAt":"2024-09-09T19:46:02Z","subject":{"uri":"at://did:plc:other/app.bsky.feed.post/x","cid":"c"}}}}`, false},
	{`{"did":"did:plc:ccc","time_us":1725911163000000,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"q1","record":{"$type":"app.bsky.feed.post","text":"so true","createdAt":"2024-09-09T19:46:03Z","reply":{"root":{"uri":"at://did:plc:emb/app.bsky.feed.post/p1"},"parent":{"uri":"at://did:plc:emb/app.bsky.feed.post/p1"}}}}}`, true},
	{`{"did":"did:plc:ddd","time_us":1725911164000000,"kind":"identity","identity":{"did":"did:plc:ddd","handle":"x.bsky.social"}}`, false},
	// After the connection drops, the follower reconnects from its cursor:
	{`{"did":"did:plc:eee","time_us":1725911165000000,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"q2","record":{"$type":"app.bsky.feed.post","text":"look","createdAt":"2024-09-09T19:46:05Z","embed":{"$type":"app.bsky.embed.record","record":{"uri":"at://did:plc:emb/app.bsky.feed.post/p1"}}}}}`, true},
	{`{"did":"did:plc:fff","time_us":1725911166000000,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.like","rkey":"l1","record":{"$type":"app.bsky.feed.like","createdAt":"2024-09-09T19:46:06Z","subject":{"uri":"at://did:plc:emb/app.bsky.feed.post/p1"}}}}`, true},
	// Past Until: the follower stops here.
	{`{"did":"did:plc:emb","time_us":1725911200000000,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"late","record":{"text":"late","createdAt":"2024-09-09T19:46:40Z"}}}`, false},
}

// jetstreamServer replays the events from the requested cursor on; the first connection is
// dropped after the fifth event. It records the cursors asked for.
func jetstreamServer(t *testing.T) (*httptest.Server, *[]string) {
	var mu sync.Mutex
	var cursors []string
	conns := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		mu.Lock()
		conns++
		first := conns == 1
		cursors = append(cursors, r.URL.Query().Get("cursor"))
		mu.Unlock()
		if got := r.URL.Query()["wantedCollections"]; len(got) != 3 {
			t.Errorf("wantedCollections = %v", got)
		}
		var from int64
		fmt.Sscan(r.URL.Query().Get("cursor"), &from)
		sent := 0
		for _, e := range jetstreamEvents {
			var us int64
			fmt.Sscanf(e.msg[strings.Index(e.msg, `"time_us":`)+10:], "%d", &us)
			if us < from {
				continue
			}
			if err := c.Write(r.Context(), websocket.MessageText, []byte(e.msg)); err != nil {
				return
			}
			sent++
			if first && sent == 5 {
				return // drop the connection
			}
		}
		<-r.Context().Done()
	}))
	return srv, &cursors
}

func runJetstream(t *testing.T, st interface{}, srv *httptest.Server, sink *Sink) *Jetstream {
	t.Helper()
	j := &Jetstream{URL: "ws" + strings.TrimPrefix(srv.URL, "http"), Sink: sink, Watch: []string{"did:plc:emb"},
		BatchSize: 2, FlushEvery: time.Second, Until: time.UnixMicro(1725911200000000),
		Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := j.Run(ctx); err != nil {
		t.Fatal(err)
	}
	return j
}

func TestJetstreamFollower(t *testing.T) {
	st := newStore(t)
	srv, cursors := jetstreamServer(t)
	defer srv.Close()
	sink := &Sink{Store: st}
	j := runJetstream(t, st, srv, sink)
	wantKept := 0
	for _, e := range jetstreamEvents {
		if e.kept {
			wantKept++
		}
	}
	if int(j.Kept) < wantKept {
		t.Errorf("kept %d events, want at least %d", j.Kept, wantKept)
	}
	// The reconnection asked for the cursor of the last event read (time_us of the 5th event)
	// rewound by 5 s.
	if len(*cursors) != 2 || (*cursors)[0] != "" || (*cursors)[1] != fmt.Sprint(int64(1725911164000000-5_000_000)) {
		t.Errorf("cursors asked = %q", *cursors)
	}
	// Stored: the embassy post, the repost, the reply and the quote (4 posts), and the like.
	got := counts(t, st)
	if !strings.HasPrefix(got, "posts=4 ") || !strings.Contains(got, "likes=1") {
		t.Errorf("stored %s", got)
	}
	cp, _ := sink.Checkpoint(context.Background(), jetstreamKey)
	if cp.Cursor != "1725911166000000" {
		t.Errorf("checkpoint cursor = %q, want the last event before Until", cp.Cursor)
	}
	// Running again resumes from the checkpoint: re-read events are duplicates.
	before := counts(t, st)
	runJetstream(t, st, srv, &Sink{Store: st})
	if after := counts(t, st); after != before {
		t.Errorf("re-run changed counts: %s → %s", before, after)
	}
}

func TestInvolves(t *testing.T) {
	t.Parallel()
	watch := map[string]bool{"did:plc:emb": true}
	for rec, want := range map[string]bool{
		`{"subject":{"uri":"at://did:plc:emb/app.bsky.feed.post/p1"}}`:                            true,
		`{"subject":{"uri":"at://did:plc:other/app.bsky.feed.post/p1"}}`:                          false,
		`{"text":"at://did:plc:emb is mentioned in text only"}`:                                   false,
		`{"reply":{"parent":{"uri":"at://did:plc:x/a/b"},"root":{"uri":"at://did:plc:emb/a/b"}}}`: true,
		`{}`: false,
	} {
		if got := involves("did:plc:someone", []byte(rec), watch); got != want {
			t.Errorf("involves(%s) = %v, want %v", rec, got, want)
		}
	}
	if !involves("did:plc:emb", []byte(`{}`), watch) {
		t.Error("the watch account's own event is not kept")
	}
}
