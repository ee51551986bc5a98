package membudget

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Budget
	}{
		{"12GiB", 12 << 30}, {"12gib", 12 << 30}, {"4GB", 4e9}, {"4 GB", 4e9}, {"512m", 512e6},
		{"1.5GiB", 3 << 29}, {"1073741824", 1 << 30}, {"300MiB", 300 << 20}, {" 2T ", 2e12},
	} {
		got, err := Parse(c.in)
		if err != nil || got != c.want {
			t.Errorf("Parse(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "GiB", "12XB", "-1GiB", "1.2.3G", "100MiB", "12 GiB extra"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

func TestString(t *testing.T) {
	for b, want := range map[Budget]string{512: "512 B", 3 << 29: "1.5 GiB", 12 << 30: "12.0 GiB", 300 << 20: "300.0 MiB"} {
		if got := b.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int64(b), got, want)
		}
	}
}

func TestLimitsFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if got := meminfo(write("meminfo", "MemTotal:       24557136 kB\nMemFree:        1000 kB\n")); got != 24557136<<10 {
		t.Errorf("meminfo = %d", got)
	}
	if got := cgroupLimit(write("max", "max\n")); got != 0 {
		t.Errorf(`cgroup "max" = %d, want 0 (no limit)`, got)
	}
	if got := cgroupLimit(write("v1", "9223372036854771712\n")); got != 0 {
		t.Errorf("cgroup v1 unlimited = %d, want 0", got)
	}
	if got := cgroupLimit(write("lim", "8589934592\n")); got != 8<<30 {
		t.Errorf("cgroup 8 GiB = %d", got)
	}
	if got := cgroupLimit(filepath.Join(dir, "absent")); got != 0 {
		t.Errorf("absent = %d", got)
	}
}

func TestCgroupFiles(t *testing.T) {
	v2 := cgroupFiles("/sys/fs/cgroup", "0::/user.slice/app.scope\n")
	want := []string{"/sys/fs/cgroup/user.slice/app.scope/memory.max", "/sys/fs/cgroup/user.slice/memory.max", "/sys/fs/cgroup/memory.max"}
	if !slices.Equal(v2, want) {
		t.Errorf("v2: %v, want %v", v2, want)
	}
	v1 := cgroupFiles("/sys/fs/cgroup", "9:name=systemd:/\n4:cpu,memory:/process_api/7\n")
	want = []string{"/sys/fs/cgroup/memory/process_api/7/memory.limit_in_bytes", "/sys/fs/cgroup/memory/process_api/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}
	if !slices.Equal(v1, want) {
		t.Errorf("v1: %v, want %v", v1, want)
	}
	if got := cgroupFiles("/r", ""); len(got) != 2 {
		t.Errorf("no /proc/self/cgroup: %v", got)
	}
	// A limit on a parent bounds the process: System takes the lowest over the walk.
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "a", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "a", "memory.max"), []byte("1073741824\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "a", "b", "memory.max"), []byte("max\n"), 0o600)
	var low Budget
	for _, f := range cgroupFiles(dir, "0::/a/b") {
		if l := cgroupLimit(f); l > 0 && (low == 0 || l < low) {
			low = l
		}
	}
	if low != 1<<30 {
		t.Errorf("lowest limit over the walk %d, want 1 GiB (the parent's)", low)
	}
}

func TestSplit(t *testing.T) {
	b := Budget(10 << 30)
	s := b.Split()
	if s.DuckDB+s.Go != b || s.DuckDB != 4<<30 {
		t.Errorf("split %+v of %d", s, b)
	}
	if got := s.DuckDBSetting(); got != "4096MiB" {
		t.Errorf("DuckDBSetting = %q", got)
	}
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	s.ApplyGo()
	if got := debug.SetMemoryLimit(-1); got != int64(s.Go) {
		t.Errorf("Go soft limit %d, want %d", got, s.Go)
	}
}

func TestTooSmall(t *testing.T) {
	msg := (&TooSmall{Step: "coord: input", Need: 5<<30 + 1, Budget: 2 << 30, Detail: "12 M actions"}).Error()
	for _, want := range []string{"coord: input needs about 5.0 GiB", "12 M actions", "budget is 2.0 GiB", "--memory 6GiB"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
}
