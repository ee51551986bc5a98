package ingest

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// TestFingerprintSeesMiddleEdits is issue 14 item 8c: the fingerprint used to hash the size and
// the first and last MiB only, so an edit in the middle of a file of the same size made it
// "already imported".
func TestFingerprintSeesMiddleEdits(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fp := func(name string, content []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		fi, _ := f.Stat()
		s, err := Fingerprint(f, fi)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	big := bytes.Repeat([]byte("0123456789"), 500_000) // 5 MB: the middle is beyond the first and last MiB
	a := fp("a", big)
	edited := append([]byte{}, big...)
	edited[len(edited)/2] = 'x'
	if fp("b", edited) == a {
		t.Error("an edit in the middle of the file (same size) does not change the fingerprint")
	}
	if fp("c", big) != a {
		t.Error("the same content under another name has another fingerprint")
	}
}

// TestContentHashIndependentOfWorkers checks that the tree hash depends on the chunk size only,
// on files that end inside, at and just after a chunk boundary.
func TestContentHashIndependentOfWorkers(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range []int{0, 1, 999, 1000, 1001, 4321} {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(rng.IntN(256))
		}
		one, err := contentHash(bytes.NewReader(data), int64(size), 1000, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []int{2, 3, 8} {
			if got, _ := contentHash(bytes.NewReader(data), int64(size), 1000, w); got != one {
				t.Errorf("size %d: %d workers give %s, 1 gives %s", size, w, got, one)
			}
		}
		if size > 0 {
			data[size-1] ^= 1
			if got, _ := contentHash(bytes.NewReader(data), int64(size), 1000, 2); got == one {
				t.Errorf("size %d: the last byte changed but not the hash", size)
			}
		}
	}
}

// BenchmarkFingerprint hashes a 256 MiB file (ECHOTRACE_FINGERPRINT_FILE names another, e.g. a
// 1 GB one). Run: go test -run x -bench Fingerprint ./internal/ingest/
func BenchmarkFingerprint(b *testing.B) {
	path := os.Getenv("ECHOTRACE_FINGERPRINT_FILE")
	if path == "" {
		path = filepath.Join(b.TempDir(), "f")
		data := make([]byte, 256<<20)
		for i := range data {
			data[i] = byte(i * 7)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	b.SetBytes(fi.Size())
	for b.Loop() {
		if _, err := Fingerprint(f, fi); err != nil {
			b.Fatal(err)
		}
	}
}
