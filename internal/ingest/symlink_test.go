package ingest_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/ingest/ingesttest"
	"github.com/echotrace/echotrace/internal/ingest/twarc2"
)

// TestRunFollowsFolderSymlinks: a folder given as a link, holding a link to a subfolder, a
// second link to it and a link back to itself, imports every file once and does not abort.
func TestRunFollowsFolderSymlinks(t *testing.T) {
	plain, err := os.ReadFile(filepath.Join("testdata", "twarc2_flat_head.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	ls := bytes.SplitAfter(plain, []byte("\n"))
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "data", "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "data", "a.jsonl"), bytes.Join(ls[:2], nil), 0o644)
	os.WriteFile(filepath.Join(dir, "data", "sub", "b.jsonl"), bytes.Join(ls[2:4], nil), 0o644)
	for link, target := range map[string]string{"data/loop": ".", "data/linked": "sub", "data/sub/up": "..", "root": "data"} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	db := openStore(t)
	sums, err := ingest.Run(context.Background(), registry(t), db, []string{filepath.Join(dir, "root")}, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := ingesttest.Decode(t, twarc2.New(), "x", bytes.Join(ls[:4], nil))
	ids := map[string]bool{}
	for _, p := range want.Posts {
		ids[p.ID] = true
	}
	if len(sums) != 2 || queryInt(t, db, `SELECT count(*) FROM posts`) != int64(len(ids)) {
		t.Errorf("%d files imported, %d posts; want 2 files, %d posts", len(sums), queryInt(t, db, `SELECT count(*) FROM posts`), len(ids))
	}
	for _, s := range sums {
		if s.Stored.Posts == 0 {
			t.Errorf("%s stored no posts: imported twice?", s.Source)
		}
	}
}
