package collect

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/store"
)

// Sink turns response pages into stored events.
type Sink struct {
	Store   store.Store
	Archive io.Writer // raw responses as JSON lines, when set
	Now     func() time.Time
	// Stored accumulates what the pages added.
	Stored event.Counts
	Pages  int
}

// Checkpoint is where a paginated task stands.
type Checkpoint struct {
	Cursor string    `json:"cursor,omitempty"`
	Done   bool      `json:"done,omitempty"`
	Pages  int       `json:"pages"`
	At     time.Time `json:"at"`
}

const checkpointPrefix = "checkpoint:"

// Checkpoint returns the saved state of a task (the zero Checkpoint if none).
func (s *Sink) Checkpoint(ctx context.Context, key string) (Checkpoint, error) {
	body, _, err := s.Store.Document(ctx, checkpointPrefix+key)
	if errors.Is(err, store.ErrNotFound) {
		return Checkpoint{}, nil
	}
	if err != nil {
		return Checkpoint{}, err
	}
	var cp Checkpoint
	if err := json.Unmarshal(body, &cp); err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint %s: %w", key, err)
	}
	return cp, nil
}

// Save records a task's state. It is called after the page's data is committed: a crash in
// between re-fetches one page, whose rows are then duplicates and change nothing.
func (s *Sink) Save(ctx context.Context, key string, cp Checkpoint) error {
	cp.At = s.now()
	body, err := json.Marshal(cp)
	if err != nil {
		return err
	}
	return s.Store.PutDocument(ctx, checkpointPrefix+key, body)
}

func (s *Sink) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// Page decodes one response body with connector c, lets extra add events that only the
// request knows (e.g. which post a retweeted_by page is about), and commits everything as one
// import whose source is the endpoint. The body is archived first, compacted to one line.
func (s *Sink) Page(ctx context.Context, c ingest.Connector, endpoint string, body []byte, extra func(b *event.Batch)) (store.ImportSummary, error) {
	var line bytes.Buffer
	if err := json.Compact(&line, body); err != nil {
		return store.ImportSummary{}, fmt.Errorf("%s: %w", endpoint, err)
	}
	return s.Lines(ctx, c, endpoint, [][]byte{line.Bytes()}, extra)
}

// Lines is Page for records that arrive one JSON line each (a stream): it archives the lines,
// decodes them as one input with c, and commits them as one import.
func (s *Sink) Lines(ctx context.Context, c ingest.Connector, source string, lines [][]byte, extra func(b *event.Batch)) (store.ImportSummary, error) {
	var all bytes.Buffer
	for _, l := range lines {
		all.Write(l)
		all.WriteByte('\n')
	}
	if s.Archive != nil {
		if _, err := s.Archive.Write(all.Bytes()); err != nil {
			return store.ImportSummary{}, fmt.Errorf("archive: %w", err)
		}
	}
	dec, err := c.Open(bytes.NewReader(all.Bytes()), source)
	if err != nil {
		return store.ImportSummary{}, err
	}
	var b event.Batch
	for {
		err := dec.Decode(&b)
		if err == io.EOF {
			break
		}
		if err != nil {
			return store.ImportSummary{}, fmt.Errorf("%s: %w", source, err)
		}
	}
	if extra != nil {
		extra(&b)
	}
	// The limits every import applies (ingest.Feed): field sizes and the platform's time window.
	b.LimitFields(event.Mark{})
	b.CheckTimes(event.Mark{}, s.now())
	app, err := s.Store.Appender(ctx, store.ImportRun{Source: source, Format: c.Name(), Started: s.now(), Incremental: true})
	if err != nil {
		return store.ImportSummary{}, err
	}
	if err := app.Append(ctx, &b); err != nil {
		_ = app.Rollback()
		return store.ImportSummary{}, err
	}
	sum, err := app.Commit(ctx)
	if err != nil {
		return store.ImportSummary{}, err
	}
	s.Stored = s.Stored.Plus(sum.Stored)
	s.Pages++
	return sum, nil
}

// paginate runs a cursor-paginated task: fetch(cursor) returns the next cursor ("" at the end)
// and whether to stop early (e.g. past --since). The checkpoint under key is saved after every
// page and marks the task done at the end, so a finished task is skipped on a re-run.
func (s *Sink) paginate(ctx context.Context, key string, maxPages int, fetch func(cursor string) (next string, stop bool, err error)) error {
	cp, err := s.Checkpoint(ctx, key)
	if err != nil {
		return err
	}
	if cp.Done {
		return nil
	}
	for maxPages <= 0 || cp.Pages < maxPages {
		next, stop, err := fetch(cp.Cursor)
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		cp.Pages++
		cp.Cursor = next
		if next == "" || stop {
			cp.Done = true
		}
		if err := s.Save(ctx, key, cp); err != nil {
			return err
		}
		if cp.Done {
			return nil
		}
	}
	cp.Done = true
	return s.Save(ctx, key, cp)
}
