package ingest

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
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

// TestExpandFollowsSymlinksOnceWithoutLooping: a link to a folder, given or found inside one,
// is followed; a link back up (a cycle) does not recurse forever; a file reached through two
// paths (a folder link, a file link, a folder given twice) is listed once, under its own path.
func TestExpandFollowsSymlinksOnceWithoutLooping(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	for _, f := range []string{"data/a.jsonl", "data/sub/b.jsonl", "elsewhere/c.jsonl"} {
		p := filepath.Join(dir, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("x"), 0o644)
	}
	for link, target := range map[string]string{
		"data/linked":      "sub",                           // a second way into data/sub
		"data/loop":        ".",                             // a cycle to the folder itself
		"data/sub/up":      "..",                            // a cycle to the parent
		"data/again.jsonl": "a.jsonl",                       // a second name for a file
		"data/outside":     filepath.Join(dir, "elsewhere"), // a folder outside the tree
		"root":             "data",                          // a link given on the command line
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	root := filepath.Join(dir, "root")
	got, err := Expand([]string{root, data, filepath.Join(data, "a.jsonl")})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(root, "a.jsonl"), filepath.Join(root, "outside", "c.jsonl"), filepath.Join(root, "sub", "b.jsonl")}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Expand =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// gzipBomb is a multi-member gzip stream of n bytes of 'a' between prefix and suffix, about
// n/1000 bytes long, built without holding n bytes: one compressed member of 1 MiB repeated.
func gzipBomb(prefix string, n int64, suffix string) []byte {
	member := func(p []byte) []byte {
		var b bytes.Buffer
		w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		w.Write(p)
		w.Close()
		return b.Bytes()
	}
	const chunk = 1 << 20
	one := member(bytes.Repeat([]byte("a"), chunk))
	out := member([]byte(prefix))
	for ; n >= chunk; n -= chunk {
		out = append(out, one...)
	}
	out = append(out, member(append(bytes.Repeat([]byte("a"), int(n)), suffix...))...)
	return out
}

// TestDecompressStopsBombs: output that grows past the ratio (after the grace) or past the
// absolute cap is stopped with ErrBomb, naming the compressed byte reached, in bounded memory.
func TestDecompressStopsBombs(t *testing.T) {
	t.Parallel()
	var zs bytes.Buffer
	zw, _ := zstd.NewWriter(&zs)
	io.Copy(zw, io.LimitReader(zeros{}, 256<<20))
	zw.Close()
	noise := make([]byte, 4<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range noise {
		noise[i] = byte(rng.Uint32())
	}
	var gzNoise bytes.Buffer
	gw := gzip.NewWriter(&gzNoise)
	gw.Write(noise)
	gw.Close()
	tests := []struct {
		name string
		file string
		data []byte
		lim  bombLimits
		want string
	}{
		{"gzip ratio", "bomb.jsonl.gz", gzipBomb("", 64<<20, ""), bombLimits{200, 1 << 20, 1 << 40}, "gzip data expands more than 200 times"},
		{"zstd ratio", "bomb.jsonl.zst", zs.Bytes(), bombLimits{200, 1 << 20, 1 << 40}, "zstd data expands more than 200 times"},
		{"absolute cap", "noise.gz", gzNoise.Bytes(), bombLimits{1 << 40, 0, 1 << 20}, "gzip data expands beyond 1,048,576 bytes (1.0 MiB)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := decompress(tt.file, bytes.NewReader(tt.data), tt.lim)
			if err != nil {
				t.Fatal(err)
			}
			n, err := io.Copy(io.Discard, r)
			if !errors.Is(err, ErrBomb) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "at compressed byte") {
				t.Fatalf("after %d bytes: %v; want ErrBomb saying %q and the compressed byte", n, err, tt.want)
			}
			if n > 8<<20 {
				t.Errorf("read %d bytes before stopping", n)
			}
		})
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestDecompressSaysWhereCompressedDataBroke: a truncated gzip or zstd stream says it is
// truncated and at which compressed byte (the file's end); a corrupt one says near which.
func TestDecompressSaysWhereCompressedDataBroke(t *testing.T) {
	t.Parallel()
	text := bytes.Repeat([]byte(`{"id":"1","text":"some words to compress"}`+"\n"), 20000)
	var gz, zs bytes.Buffer
	gw := gzip.NewWriter(&gz)
	gw.Write(text)
	gw.Close()
	zw, _ := zstd.NewWriter(&zs)
	zw.Write(text)
	zw.Close()
	corrupt := bytes.Clone(gz.Bytes())
	for i := 100; i < 140; i++ {
		corrupt[i] ^= 0x55
	}
	tests := []struct {
		name string
		file string
		data []byte
		want string
	}{
		{"truncated gzip", "a.jsonl.gz", gz.Bytes()[:gz.Len()/2], fmt.Sprintf("gzip data ends abruptly at compressed byte %d: the file is truncated", gz.Len()/2)},
		{"truncated zstd", "a.jsonl.zst", zs.Bytes()[:zs.Len()/2], fmt.Sprintf("zstd data ends abruptly at compressed byte %d: the file is truncated", zs.Len()/2)},
		{"corrupt gzip", "a.jsonl.gz", corrupt, "gzip data is corrupt near compressed byte"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Decompress(tt.file, bytes.NewReader(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			_, err = io.Copy(io.Discard, r)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v; want it to say %q", err, tt.want)
			}
		})
	}
}

// TestDecompressRefusesHugeZstdWindow: a zstd frame asking for a window over MaxZstdWindow is
// refused before the decoder allocates it.
func TestDecompressRefusesHugeZstdWindow(t *testing.T) {
	t.Parallel()
	var zs bytes.Buffer
	zw, err := zstd.NewWriter(&zs, zstd.WithWindowSize(512<<20), zstd.WithEncoderLevel(zstd.SpeedFastest))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(zw, io.LimitReader(zeros{}, 1<<20))
	zw.Close()
	r, err := Decompress("big-window.zst", bytes.NewReader(zs.Bytes()))
	if err == nil {
		_, err = io.Copy(io.Discard, r)
	}
	if err == nil || !strings.Contains(err.Error(), "window") {
		t.Fatalf("error %v; want the window refused", err)
	}
	t.Log(err)
}
