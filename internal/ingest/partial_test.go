package ingest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/ingest/ingesttest"
	"github.com/echotrace/echotrace/internal/ingest/twarc2"
)

// TestRunFileKeepsWholeRecordsOfTruncatedGzip: a real twarc2 slice, gzipped and cut at two
// thirds. The import says where it broke (the file, the last whole line, the compressed byte),
// keeps every tweet of the whole lines before the cut, logs the import as partial with the
// error, and does not take the file for done.
func TestRunFileKeepsWholeRecordsOfTruncatedGzip(t *testing.T) {
	ctx := context.Background()
	plain, err := os.ReadFile(filepath.Join("testdata", "twarc2_flat_head.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	gz := gzipBytes(plain)
	cut := gz[:len(gz)*2/3]
	path := filepath.Join(t.TempDir(), "flat.jsonl.gz")
	if err := os.WriteFile(path, cut, 0o644); err != nil {
		t.Fatal(err)
	}
	// What is whole before the cut: the lines gzip can give back from the cut bytes.
	zr, _ := gzip.NewReader(bytes.NewReader(cut))
	got, _ := io.ReadAll(zr)
	whole := got[:bytes.LastIndexByte(got, '\n')+1]
	lines := bytes.Count(whole, []byte("\n"))
	if lines < 2 || lines >= 12 {
		t.Fatalf("the cut leaves %d whole lines; the fixture no longer suits the test", lines)
	}
	want := map[string]bool{}
	for _, p := range ingesttest.Decode(t, twarc2.New(), "whole", whole).Posts {
		want[p.ID] = true
	}

	db := openStore(t)
	reg := registry(t)
	sum, err := ingest.RunFile(ctx, reg, db, path, ingest.Options{})
	if !errors.Is(err, ingest.ErrIncomplete) {
		t.Fatalf("RunFile: %v; want ErrIncomplete", err)
	}
	for _, s := range []string{path, fmt.Sprintf("line %d ", lines), fmt.Sprintf("compressed byte %d", len(cut)), "truncated"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not say %q", err, s)
		}
	}
	if n := queryInt(t, db, `SELECT count(*) FROM posts`); n != int64(len(want)) || sum.Stored.Posts != int64(len(want)) {
		t.Errorf("%d posts stored (summary %d); want the %d of the %d whole lines", n, sum.Stored.Posts, len(want), lines)
	}
	status, msg := lastImport(t, db)
	if status != "partial" || !strings.Contains(msg, fmt.Sprintf("line %d ", lines)) || !strings.Contains(msg, "compressed byte") {
		t.Errorf("imports: status %q, error %q; want partial, saying where it broke", status, msg)
	}
	// Not done: running again reads it again (and stores nothing new).
	sum, err = ingest.RunFile(ctx, reg, db, path, ingest.Options{})
	if !errors.Is(err, ingest.ErrIncomplete) || sum.Skipped || sum.Stored.Posts != 0 {
		t.Errorf("second run: skipped %v, %d new posts, %v", sum.Skipped, sum.Stored.Posts, err)
	}
	// With --strict nothing is kept.
	db2 := openStore(t)
	if _, err := ingest.RunFile(ctx, reg, db2, path, ingest.Options{Strict: true}); !errors.Is(err, ingest.ErrRejected) || !errors.Is(err, ingest.ErrIncomplete) {
		t.Errorf("strict: %v; want ErrRejected and ErrIncomplete", err)
	}
	if n := queryInt(t, db2, `SELECT count(*) FROM posts`); n != 0 {
		t.Errorf("strict: %d posts kept", n)
	}
}

// TestRunFileDoesNotTakeCutGzipForEmpty: a gzip cut before its first record is a broken file,
// not an empty one or one of an unknown format (which a folder import would skip quietly).
func TestRunFileDoesNotTakeCutGzipForEmpty(t *testing.T) {
	gz := gzipBytes([]byte(`{"data":[{"id":"1","author_id":"2","text":"x"}]}` + "\n"))
	for _, n := range []int{6, 11, 14} { // inside the header; inside the first block
		path := filepath.Join(t.TempDir(), "cut.jsonl.gz")
		if err := os.WriteFile(path, gz[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := ingest.RunFile(context.Background(), registry(t), openStore(t), path, ingest.Options{})
		if !errors.Is(err, ingest.ErrIncomplete) || !strings.Contains(err.Error(), fmt.Sprintf("compressed byte %d", n)) {
			t.Errorf("cut at %d: %v; want ErrIncomplete saying where", n, err)
		}
	}
}

// gzipBomb is a multi-member gzip stream of n bytes of 'a' between prefix and suffix, about
// n/1000 bytes long, built without holding n bytes: one compressed member of 1 MiB repeated.
func gzipBomb(prefix string, n int64, suffix string) []byte {
	const chunk = 1 << 20
	one := gzipBytes(bytes.Repeat([]byte("a"), chunk))
	out := gzipBytes([]byte(prefix))
	for ; n >= chunk; n -= chunk {
		out = append(out, one...)
	}
	return append(out, gzipBytes(append(bytes.Repeat([]byte("a"), int(n)), suffix...))...)
}

// TestRunFileStopsDecompressionBombInBoundedMemory is the reproduction: a 1.5 MB
// .jsonl.gz holding one 1.5 GB line, auto-detected as twarc2 (it took 13 GB of RSS and stored a
// 1.57 GB post text). The import is stopped by the decompression guard with an error naming the
// file and the compressed byte, allocating a small fraction of the line, and stores no post.
func TestRunFileStopsDecompressionBombInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("decompresses tens of MiB")
	}
	const size = 1_500_000_000
	bomb := gzipBomb(`{"data":[{"id":"1","author_id":"2","created_at":"2021-01-01T00:00:00.000Z","text":"`, size,
		`"}],"includes":{}}`+"\n"+`{"data":[{"id":"3","author_id":"2","created_at":"2021-01-01T00:00:00.000Z","text":"after"}],"includes":{}}`+"\n")
	path := filepath.Join(t.TempDir(), "bomb.jsonl.gz")
	if err := os.WriteFile(path, bomb, 0o644); err != nil {
		t.Fatal(err)
	}
	db := openStore(t)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	sum, err := ingest.RunFile(context.Background(), registry(t), db, path, ingest.Options{})
	runtime.ReadMemStats(&after)
	t.Logf("%d-byte file: %v", len(bomb), err)
	if sum.Format != "twarc2" && sum.Format != "" {
		t.Errorf("format %q", sum.Format)
	}
	if !errors.Is(err, ingest.ErrBomb) || !errors.Is(err, ingest.ErrIncomplete) ||
		!strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "at compressed byte") {
		t.Fatalf("RunFile: %v; want ErrBomb and ErrIncomplete naming the file and the compressed byte", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 256<<20 {
		t.Errorf("importing a %d-byte line allocated %d bytes; want at most 256 MiB", int64(size), grew)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM posts`); n != 0 {
		t.Errorf("%d posts stored from the bomb", n)
	}
	if status, msg := lastImport(t, db); status != "partial" || !strings.Contains(msg, "decompression bomb") {
		t.Errorf("imports: %q, %q", status, msg)
	}
}
