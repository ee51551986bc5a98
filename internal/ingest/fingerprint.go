package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
)

// Configured is implemented by connectors whose events depend on settings given on the command
// line (a column mapping, an object type). Settings returns them in a canonical form: they are
// part of a source's key (SourceKey), so that a file read again with other settings is imported
// again instead of being skipped as "already imported".
type Configured interface {
	Settings() string
}

// hashChunk is the size of the pieces a file's content is hashed in, in parallel.
const hashChunk = 64 << 20

// Fingerprint identifies a file's content: a SHA-256 tree hash of every byte (the hashes of its
// 64 MiB chunks, computed on up to GOMAXPROCS cores, hashed with the size), so that an edit
// anywhere, even one that keeps the size, changes it. It reads the whole file (ReadAt, before
// the import reads it, since skipping must be decided first): 0.95–2.0 s per GB from the page
// cache on this shared 2-core machine (BenchmarkFingerprint; one core: 1.1–2.4 s; reading alone
// 0.35–0.55 s), and the import's own read that follows is served from the cache. Compressed files
// are hashed as stored, so a 1 GB .gz costs the same second for several GB of records. f is left
// positioned at the start.
func Fingerprint(f *os.File, fi os.FileInfo) (string, error) {
	sum, err := contentHash(f, fi.Size(), hashChunk, runtime.GOMAXPROCS(0))
	if err != nil {
		return "", err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	return sum, nil
}

// contentHash hashes size bytes of r in chunks of chunk bytes on up to workers goroutines. The
// result depends on chunk, not on workers.
func contentHash(r io.ReaderAt, size, chunk int64, workers int) (string, error) {
	n := int((size + chunk - 1) / chunk)
	sums := make([][sha256.Size]byte, n)
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(workers, n)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 1<<20)
			for i := range next {
				h := sha256.New()
				off := int64(i) * chunk
				_, errs[i] = io.CopyBuffer(h, io.NewSectionReader(r, off, min(chunk, size-off)), buf)
				h.Sum(sums[i][:0])
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	h := sha256.New()
	fmt.Fprintf(h, "echotrace content v2\n%d %d\n", size, chunk)
	for i := range sums {
		if errs[i] != nil {
			return "", errs[i]
		}
		h.Write(sums[i][:])
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// SourceKey is what marks a source as imported (store.ImportRun.Fingerprint): its content
// fingerprint, the connector that read it (--format, or the one detected) and the connector's
// settings (--mapping's content, --object). The same file imported with another format or
// mapping is read again; the same bytes under another name or path are not.
func SourceKey(content string, c Connector) string {
	h := sha256.New()
	fmt.Fprintf(h, "echotrace source v2\ncontent %s\nformat %s\n", content, c.Name())
	if s, ok := c.(Configured); ok {
		fmt.Fprintf(h, "settings %q\n", s.Settings())
	}
	return hex.EncodeToString(h.Sum(nil))
}
