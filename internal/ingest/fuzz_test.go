package ingest

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// FuzzDecompress reads arbitrary bytes through the decompression layer, as gzip, zstd or plain
// input (chosen by the magic bytes as for a real file). Seeds: testdata/twarc2_flat_head.jsonl
// gzipped, zstd-compressed, cut and plain. It checks that the output stops within the bounds
// (RatioGrace, or MaxRatio times the input, plus one read), that every error of the compressed
// stream names the compressed byte, and that memory stays within a ceiling linear in the
// input: 1024 bytes per input byte plus 64 MiB (the zstd decoder's history grows with its
// output, up to 16 MiB + 200 per input byte here; gzip needs about 50 KiB).
func FuzzDecompress(f *testing.F) {
	plain, err := os.ReadFile(filepath.Join("testdata", "twarc2_flat_head.jsonl"))
	if err != nil {
		f.Fatal(err)
	}
	var gz, zs bytes.Buffer
	gw := gzip.NewWriter(&gz)
	gw.Write(plain)
	gw.Close()
	zw, _ := zstd.NewWriter(&zs)
	zw.Write(plain)
	zw.Close()
	for _, seed := range [][]byte{gz.Bytes(), zs.Bytes(), gz.Bytes()[:gz.Len()/2], zs.Bytes()[:zs.Len()/3], plain[:2000]} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		r, err := Decompress("fuzz.gz", bytes.NewReader(data))
		if err != nil {
			return
		}
		if c, ok := r.(io.Closer); ok {
			defer c.Close()
		}
		n, err := io.Copy(io.Discard, r)
		runtime.ReadMemStats(&after)
		if limit := max(RatioGrace, MaxRatio*int64(len(data))) + 1<<20; n > limit {
			t.Fatalf("%d bytes of input gave %d bytes of output, over %d", len(data), n, limit)
		}
		if err != nil && !strings.Contains(err.Error(), "compressed byte") {
			t.Fatalf("error does not say where: %v", err)
		}
		if grew, ceiling := after.TotalAlloc-before.TotalAlloc, uint64(1024*len(data)+64<<20); grew > ceiling {
			t.Fatalf("%d bytes of input allocated %d, over the ceiling of %d", len(data), grew, ceiling)
		}
	})
}
