package ingest

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/zstd"
)

func TestDecompress(t *testing.T) {
	t.Parallel()
	const text = "line one\nline two\n"
	var gz, zs bytes.Buffer
	gw := gzip.NewWriter(&gz)
	gw.Write([]byte(text))
	gw.Close()
	zw, _ := zstd.NewWriter(&zs)
	zw.Write([]byte(text))
	zw.Close()
	for _, tt := range []struct {
		name string
		data []byte
	}{{"a.jsonl", []byte(text)}, {"a.jsonl.gz", gz.Bytes()}, {"a.jsonl.zst", zs.Bytes()}, {"misnamed.jsonl", gz.Bytes()}} {
		r, err := Decompress(tt.name, bytes.NewReader(tt.data))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		got, err := io.ReadAll(r)
		if err != nil || string(got) != text {
			t.Errorf("%s: %q, %v", tt.name, got, err)
		}
	}
	if _, err := Decompress("a.gz", bytes.NewReader([]byte("plain text"))); err == nil {
		t.Error("a .gz file that is not gzip was accepted")
	}
	if r, err := Decompress("empty.gz", bytes.NewReader(nil)); err != nil {
		t.Errorf("empty .gz: %v", err)
	} else if b, _ := io.ReadAll(r); len(b) != 0 {
		t.Errorf("empty .gz read %q", b)
	}
}

func TestExpand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, f := range []string{"b.jsonl", "a/c.csv", "README.md", ".hidden", "a/index.tsv", ".git/x", "truth.json"} {
		p := filepath.Join(dir, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("x"), 0o644)
	}
	got, err := Expand([]string{dir, filepath.Join(dir, "README.md")})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "a/c.csv"), filepath.Join(dir, "b.jsonl"), filepath.Join(dir, "README.md")}
	if len(got) != len(want) {
		t.Fatalf("Expand = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Expand[%d] = %s, want %s", i, got[i], want[i])
		}
	}
	if _, err := Expand([]string{filepath.Join(dir, "missing")}); err == nil {
		t.Error("a missing path was accepted")
	}
}

func TestFingerprint(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fp := func(content []byte) string {
		p := filepath.Join(dir, "f")
		os.WriteFile(p, content, 0o644)
		f, _ := os.Open(p)
		defer f.Close()
		fi, _ := f.Stat()
		s, err := Fingerprint(f, fi)
		if err != nil {
			t.Fatal(err)
		}
		if off, _ := f.Seek(0, io.SeekCurrent); off != 0 {
			t.Errorf("file left at offset %d", off)
		}
		return s
	}
	big := bytes.Repeat([]byte("0123456789"), 300_000) // 3 MB: head and tail both hashed
	a := fp(big)
	if a != fp(big) {
		t.Error("fingerprint not stable")
	}
	changedTail := append([]byte{}, big...)
	changedTail[len(changedTail)-1] = 'x'
	if fp(changedTail) == a {
		t.Error("a change in the last MiB does not change the fingerprint")
	}
	if fp(big[:len(big)-1]) == a {
		t.Error("a size change does not change the fingerprint")
	}
}
