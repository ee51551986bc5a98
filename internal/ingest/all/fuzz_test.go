package all

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// FuzzDetect gives every connector's Detect an arbitrary head: scores stay within 0–100, the
// registry picks deterministically, and detecting allocates at most 512 bytes per head byte
// plus 64 KiB (heads are at most 64 KiB). The most measured is 250 per byte, on a twarc2
// head: the CSV connectors' csvtable.HeaderHas splits and lower-cases the head's first line on
// every call, and a JSON line has many commas. Seeds: the heads of fixtures in JSON lines, a
// JSON document and two CSV layouts.
func FuzzDetect(f *testing.F) {
	for _, p := range []string{"../testdata/twarc2_flat_head.jsonl", "../ioarchive/testdata/users.csv",
		"../telegram/testdata/result.json", "../observe/testdata/watchlist.csv"} {
		data, err := os.ReadFile(filepath.FromSlash(p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data[:min(len(data), 4096)])
	}
	reg, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, head []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for _, c := range reg.Connectors() {
			if s := c.Detect("fuzz", head); s < 0 || s > 100 {
				t.Fatalf("%s: score %d", c.Name(), s)
			}
		}
		a, errA := reg.Detect("fuzz", head)
		b, errB := reg.Detect("fuzz", head)
		runtime.ReadMemStats(&after)
		if (errA == nil) != (errB == nil) || (errA == nil && a.Name() != b.Name()) {
			t.Fatal("detection is not deterministic")
		}
		if grew, ceiling := after.TotalAlloc-before.TotalAlloc, uint64(512*len(head)+64<<10); grew > ceiling {
			t.Fatalf("detecting a %d-byte head allocated %d, over the ceiling of %d", len(head), grew, ceiling)
		}
	})
}
