package collect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/echotrace/echotrace/internal/ingest/bluesky"
)

// JetstreamURL is a public Jetstream instance (Bluesky's firehose as JSON over a websocket).
const JetstreamURL = "wss://jetstream2.us-east.bsky.network/subscribe"

// jetstreamCollections are the records a study needs: posts (with replies and quotes),
// reposts and likes.
var jetstreamCollections = []string{"app.bsky.feed.post", "app.bsky.feed.repost", "app.bsky.feed.like"}

// Jetstream follows the live stream and keeps the events that involve the watch accounts: their
// own posts and reposts, and any post, reply, quote, repost or like whose subject, parent, root
// or embedded record is one of their posts. The filter runs here, not on the server, because
// the engaging accounts are not known in advance (the server's wantedDids filters authors).
//
// Events are committed in batches (every BatchSize kept events or FlushEvery, whichever comes
// first) and the stream position (time_us) is checkpointed after each commit. A restart — or a
// dropped connection, retried with backoff — resumes from the checkpoint rewound by Rewind, so
// nothing is lost; events seen twice are duplicates, which change nothing.
type Jetstream struct {
	URL        string // default JetstreamURL
	Sink       *Sink
	Watch      []string      // watch account DIDs
	BatchSize  int           // default 500
	FlushEvery time.Duration // default 10 s
	Rewind     time.Duration // default 5 s
	// Until stops the follower when an event at or after it arrives (zero: follow until the
	// context ends).
	Until time.Time
	// MaxReconnects bounds consecutive failed connections (default 10).
	MaxReconnects int
	Sleep         func(ctx context.Context, d time.Duration) error
	Logf          func(format string, args ...any)
	// Seen and Kept count the events read and kept.
	Seen, Kept int64
}

const jetstreamKey = "jetstream:cursor"

func (j *Jetstream) defaults() {
	if j.URL == "" {
		j.URL = JetstreamURL
	}
	if j.BatchSize <= 0 {
		j.BatchSize = 500
	}
	if j.FlushEvery <= 0 {
		j.FlushEvery = 10 * time.Second
	}
	if j.Rewind <= 0 {
		j.Rewind = 5 * time.Second
	}
	if j.MaxReconnects <= 0 {
		j.MaxReconnects = 10
	}
	if j.Sleep == nil {
		j.Sleep = sleep
	}
	if j.Logf == nil {
		j.Logf = func(string, ...any) {}
	}
}

// Run follows the stream until ctx ends, Until is reached, or the connection fails
// MaxReconnects times in a row. Ending by ctx or Until is not an error.
func (j *Jetstream) Run(ctx context.Context) error {
	j.defaults()
	if len(j.Watch) == 0 {
		return errors.New("jetstream: no watch accounts (DIDs) to follow")
	}
	watch := make(map[string]bool, len(j.Watch))
	for _, d := range j.Watch {
		watch[d] = true
	}
	failures := 0
	for {
		seen := j.Seen
		done, err := j.connect(ctx, watch)
		if done {
			return err // Until reached or stopped: err is the last flush's
		}
		if ctx.Err() != nil {
			return nil // stopped while connecting
		}
		if j.Seen > seen {
			failures = 0 // the connection worked for a while: count failures afresh
		}
		failures++
		if failures > j.MaxReconnects {
			return fmt.Errorf("jetstream: giving up after %d failed connections: %w", failures-1, err)
		}
		wait := time.Duration(min(1<<min(failures-1, 6), 60)) * time.Second
		j.Logf("jetstream: %v; reconnecting in %s", err, wait)
		if err := j.Sleep(ctx, wait); err != nil {
			return nil
		}
	}
}

// connect reads one connection until it ends; done reports that Until was reached.
func (j *Jetstream) connect(ctx context.Context, watch map[string]bool) (done bool, err error) {
	cp, err := j.Sink.Checkpoint(ctx, jetstreamKey)
	if err != nil {
		return false, err
	}
	u, err := url.Parse(j.URL)
	if err != nil {
		return false, err
	}
	q := u.Query()
	for _, c := range jetstreamCollections {
		q.Add("wantedCollections", c)
	}
	if cp.Cursor != "" {
		us, err := strconv.ParseInt(cp.Cursor, 10, 64)
		if err != nil {
			return false, fmt.Errorf("checkpoint %s: bad cursor %q", jetstreamKey, cp.Cursor)
		}
		q.Set("cursor", strconv.FormatInt(us-j.Rewind.Microseconds(), 10))
	}
	u.RawQuery = q.Encode()
	conn, _, err := websocket.Dial(ctx, u.String(), nil)
	if err != nil {
		return false, err
	}
	defer conn.CloseNow()
	conn.SetReadLimit(4 << 20)

	// A reader goroutine hands messages over; the main loop batches them and flushes on size
	// or on a ticker, so a quiet stream still commits and checkpoints on time.
	msgs := make(chan []byte)
	readErr := make(chan error, 1)
	go func() {
		for {
			_, m, err := conn.Read(ctx)
			if err != nil {
				readErr <- err
				return
			}
			select {
			case msgs <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	ticker := time.NewTicker(j.FlushEvery)
	defer ticker.Stop()
	var (
		batch  [][]byte
		lastUS int64
		saved  int64
	)
	// flush commits the batch and the cursor. It runs with a context that is not cancelled, so
	// that stopping the follower (Ctrl-C) still stores what it read.
	flush := func() error {
		fctx := context.WithoutCancel(ctx)
		if len(batch) > 0 {
			if _, err := j.Sink.Lines(fctx, bluesky.New(), "jetstream "+u.Host, batch, nil); err != nil {
				return err
			}
			batch = batch[:0]
		}
		if lastUS > saved {
			cp.Cursor = strconv.FormatInt(lastUS, 10)
			cp.Pages++
			if err := j.Sink.Save(fctx, jetstreamKey, cp); err != nil {
				return err
			}
			saved = lastUS
		}
		return nil
	}
	for {
		select {
		case <-ctx.Done():
			return true, flush()
		case err := <-readErr:
			if ferr := flush(); ferr != nil {
				return false, ferr
			}
			if ctx.Err() != nil {
				return true, nil
			}
			return false, err
		case <-ticker.C:
			if err := flush(); err != nil {
				return false, err
			}
		case msg := <-msgs:
			j.Seen++
			var ev struct {
				DID    string `json:"did"`
				TimeUS int64  `json:"time_us"`
				Kind   string `json:"kind"`
				Commit *struct {
					Record json.RawMessage `json:"record"`
				} `json:"commit"`
			}
			if json.Unmarshal(msg, &ev) != nil || ev.TimeUS == 0 {
				continue
			}
			if !j.Until.IsZero() && !time.UnixMicro(ev.TimeUS).Before(j.Until) {
				return true, flush()
			}
			lastUS = ev.TimeUS
			if ev.Kind == "commit" && ev.Commit != nil && involves(ev.DID, ev.Commit.Record, watch) {
				batch = append(batch, msg)
				j.Kept++
			}
			if len(batch) >= j.BatchSize {
				if err := flush(); err != nil {
					return false, err
				}
			}
		}
	}
}

// involves reports whether an event by did with record rec concerns a watch account: the
// author is one, or a URI the record points at (subject, reply parent or root, embedded record)
// is one of theirs (at://<did>/…).
func involves(did string, rec json.RawMessage, watch map[string]bool) bool {
	if watch[did] {
		return true
	}
	s := string(rec)
	for i := 0; ; {
		k := strings.Index(s[i:], `"at://`)
		if k < 0 {
			return false
		}
		start := i + k + len(`"at://`)
		end := strings.IndexAny(s[start:], `/"`)
		if end < 0 {
			return false
		}
		if watch[s[start:start+end]] {
			return true
		}
		i = start
	}
}
