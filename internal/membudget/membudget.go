// Package membudget is the one memory budget every step honours (--memory): how it is parsed,
// its default (a safe share of the machine's memory, cgroup limits included), how it is split
// between DuckDB and the Go heap, and the pre-flight check a step makes before it starts.
package membudget

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// DefaultShare is the share of the machine's memory (or of the process's cgroup limit, when
// lower) that the default budget takes: the rest is left to the page cache, which DuckDB's
// reads depend on, and to the rest of the machine.
const DefaultShare = 0.5

// Budget is a number of bytes.
type Budget int64

// String formats b in binary units, e.g. "11.7 GiB".
func (b Budget) String() string {
	f := float64(b)
	for _, u := range []string{"B", "KiB", "MiB", "GiB", "TiB"} {
		if math.Abs(f) < 1024 || u == "TiB" {
			if u == "B" {
				return strconv.FormatInt(int64(b), 10) + " B"
			}
			return strconv.FormatFloat(f, 'f', 1, 64) + " " + u
		}
		f /= 1024
	}
	return ""
}

// Parse reads a size: a number (decimals allowed) with an optional unit, B, K/KB, M/MB, G/GB,
// T/TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024), case-insensitive, spaces
// allowed: "12GiB", "4 GB", "512m", "1.5GiB", "1073741824".
func Parse(s string) (Budget, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return !(unicode.IsDigit(r) || r == '.') })
	num, unit := t, ""
	if i >= 0 {
		num, unit = t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || num == "" {
		return 0, fmt.Errorf("memory size %q: want a number with an optional unit, e.g. 12GiB or 4GB", s)
	}
	mult := map[string]float64{
		"": 1, "b": 1,
		"k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9, "t": 1e12, "tb": 1e12,
		"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
	}[unit]
	if mult == 0 {
		return 0, fmt.Errorf("memory size %q: unknown unit %q (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)", s, unit)
	}
	b := v * mult
	if b < Minimum || b > math.MaxInt64/2 {
		return 0, fmt.Errorf("memory size %q: must be at least %s", s, Budget(Minimum))
	}
	return Budget(b), nil
}

// Minimum is the smallest budget accepted: below it DuckDB cannot run its queries.
const Minimum = 256 << 20

// System returns the memory available to this process: the machine's MemTotal, or the
// lowest cgroup limit on the process's own cgroup and its parents (v2 memory.max, v1
// memory.limit_in_bytes) when lower. 0 if unknown.
func System() Budget {
	total := meminfo("/proc/meminfo")
	self, _ := os.ReadFile("/proc/self/cgroup")
	for _, f := range cgroupFiles("/sys/fs/cgroup", string(self)) {
		if l := cgroupLimit(f); l > 0 && (total == 0 || l < total) {
			total = l
		}
	}
	return total
}

// cgroupFiles lists the memory-limit files that bound a process whose /proc/self/cgroup is
// self, under the cgroup mount root: for its v2 cgroup ("0::/path") and its v1 memory cgroup
// ("N:memory:/path"), the file of that cgroup and of each parent up to the root.
func cgroupFiles(root, self string) []string {
	var files []string
	walk := func(dir, path, file string) {
		for {
			files = append(files, filepath.Join(dir, path, file))
			if path == "/" || path == "." || path == "" {
				return
			}
			path = filepath.Dir(path)
		}
	}
	for _, line := range strings.Split(self, "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		switch {
		case parts[0] == "0" && parts[1] == "":
			walk(root, parts[2], "memory.max")
		case slices.Contains(strings.Split(parts[1], ","), "memory"):
			walk(filepath.Join(root, "memory"), parts[2], "memory.limit_in_bytes")
		}
	}
	if len(files) == 0 { // no /proc/self/cgroup: the mount's root files
		files = []string{filepath.Join(root, "memory.max"), filepath.Join(root, "memory", "memory.limit_in_bytes")}
	}
	return files
}

// Default is the budget when --memory is not given: DefaultShare of System, or 4 GiB when the
// machine's memory cannot be read.
func Default() Budget {
	if s := System(); s > 0 {
		return max(Budget(float64(s)*DefaultShare), Minimum)
	}
	return 4 << 30
}

func meminfo(path string) Budget {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			fields := strings.Fields(rest)
			if len(fields) >= 1 {
				if kb, err := strconv.ParseInt(fields[0], 10, 64); err == nil {
					return Budget(kb << 10)
				}
			}
		}
	}
	return 0
}

// cgroupLimit reads a cgroup memory limit file: 0 when absent, "max" or absurdly large (v1
// writes a page-rounded 2^63 for no limit).
func cgroupLimit(path string) Budget {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || v <= 0 || v >= 1<<60 {
		return 0
	}
	return Budget(v)
}

// Split is how a budget is shared while a step runs: DuckDB's buffer pool (memory_limit; it
// spills to the study's temporary folder beyond it) and the Go heap (the runtime's soft limit,
// which makes the garbage collector work harder near it). DuckDB keeps what its pool holds
// until the connection closes, so the two are bounded separately and sum to the budget.
type Split struct {
	DuckDB Budget
	Go     Budget
}

// DuckDBShare is DuckDB's share of the budget.
const DuckDBShare = 0.4

// Split divides b: DuckDBShare of it to DuckDB, the rest to Go.
func (b Budget) Split() Split {
	d := max(Budget(float64(b)*DuckDBShare), Minimum/2)
	return Split{DuckDB: d, Go: max(b-d, Minimum/2)}
}

// DuckDBSetting is the value of DuckDB's memory_limit for s, in whole MiB.
func (s Split) DuckDBSetting() string { return strconv.FormatInt(int64(s.DuckDB>>20), 10) + "MiB" }

// ApplyGo sets the Go runtime's soft memory limit to the split's Go share.
func (s Split) ApplyGo() { debug.SetMemoryLimit(int64(s.Go)) }

// TooSmall is the error of a step whose estimated need exceeds its budget, returned before the
// step starts.
type TooSmall struct {
	Step   string // e.g. "analyze: coordination input"
	Need   Budget // estimated peak
	Budget Budget
	Detail string // what the estimate counts, and how to need less
}

func (e *TooSmall) Error() string {
	return fmt.Sprintf("%s needs about %s of memory (%s) but the budget is %s: rerun with --memory %s or more%s",
		e.Step, e.Need, e.Detail, e.Budget, roundUp(e.Need), hint(e.Need))
}

// roundUp is the need rounded up to a whole GiB, as a flag value.
func roundUp(b Budget) string {
	return strconv.FormatInt((int64(b)+(1<<30)-1)>>30, 10) + "GiB"
}

func hint(need Budget) string {
	if s := System(); s > 0 && need > s {
		return fmt.Sprintf(" (this machine has %s: this step needs a larger machine or the Beam pipeline)", s)
	}
	return ""
}
