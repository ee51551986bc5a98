package ingest_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/ingest/csvpost"
	"github.com/echotrace/echotrace/internal/ingest/shares"
)

// lines reads any input as one post per line: two of them, named apart, stand for two formats
// that can read the same file.
type lines struct{ name string }

func (l lines) Name() string              { return l.name }
func (l lines) Describe() string          { return "test" }
func (l lines) Detect(string, []byte) int { return 1 }
func (l lines) Open(r io.Reader, src string) (ingest.Decoder, error) {
	return &linesDec{src: src, r: r}, nil
}

type linesDec struct {
	src  string
	r    io.Reader
	done bool
}

func (d *linesDec) Decode(b *event.Batch) error {
	if d.done {
		return io.EOF
	}
	d.done = true
	_, _ = io.Copy(io.Discard, d.r)
	b.Posts = append(b.Posts, event.Post{Platform: event.X, ID: "1", AuthorID: "a", Kind: event.KindPost, Prov: event.Provenance{Source: d.src, Line: 1}})
	return nil
}

// TestAlreadyImportedNeedsSameFormatMappingAndContent is issue 14 item 8c: "already imported"
// ignored --format, --mapping, and edits in the middle of a file of the same size.
func TestAlreadyImportedNeedsSameFormatMappingAndContent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "posts.csv")
	head := "platform,id,author_id,created_at,kind,ref_id,ref_author_id,text\n"
	row := "x,1,a,2021-01-01T00:00:00Z,post,,,"
	body := make([]byte, 0, 4<<20)
	body = append(body, head...)
	for len(body) < 4<<20 { // 4 MB: the middle lies beyond the first and last MiB
		body = append(body, row+"some text of the post\n"...)
	}
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	mapping, err := csvpost.ParseMapping("id=id,author_id=author_id,created_at=created_at,text=text,platform=const:facebook")
	if err != nil {
		t.Fatal(err)
	}
	st := &memStore{}
	run := func(reg *ingest.Registry, format string) bool {
		t.Helper()
		sum, err := ingest.RunFile(context.Background(), reg, st, path, ingest.Options{Format: format})
		if err != nil {
			t.Fatal(err)
		}
		return sum.Skipped
	}
	def := ingest.NewRegistry(csvpost.New(csvpost.Mapping{}), lines{"a"}, lines{"b"})
	custom := ingest.NewRegistry(csvpost.New(mapping))
	sameCustom, _ := csvpost.ParseMapping("platform=const:facebook\ntext=text\ncreated_at=created_at\nauthor_id=author_id\nid=id\n")
	steps := []struct {
		what    string
		reg     *ingest.Registry
		format  string
		skipped bool
	}{
		{"first import", def, "csv", false},
		{"the same again", def, "csv", true},
		{"the same, format detected", def, "auto", true},
		{"another --format", def, "a", false},
		{"that format again", def, "a", true},
		{"a third format", def, "b", false},
		{"another --mapping", custom, "csv", false},
		{"the same mapping, written otherwise", ingest.NewRegistry(csvpost.New(sameCustom)), "csv", true},
	}
	for _, s := range steps {
		if got := run(s.reg, s.format); got != s.skipped {
			t.Errorf("%s: skipped %v, want %v", s.what, got, s.skipped)
		}
	}
	// An edit in the middle that keeps the size.
	body[len(body)/2] ^= 1
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	if run(def, "csv") {
		t.Error("a file edited in the middle (same size) was skipped as already imported")
	}
}

// TestSourceKeySettings: connectors with settings (ingest.Configured) key them in.
func TestSourceKeySettings(t *testing.T) {
	t.Parallel()
	url := ingest.SourceKey("c", shares.New(shares.Options{Object: "url"}))
	if url == ingest.SourceKey("c", shares.New(shares.Options{Object: "domain"})) {
		t.Error("shares with --object url and --object domain have one key")
	}
	if url != ingest.SourceKey("c", shares.New(shares.Options{Object: "url"})) {
		t.Error("the key is not stable")
	}
	if url == ingest.SourceKey("d", shares.New(shares.Options{Object: "url"})) {
		t.Error("the key ignores the content")
	}
}
