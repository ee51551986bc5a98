package coord

import (
	"github.com/echotrace/echotrace/internal/radix"

	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// act is one action inside an object's time-sorted group.
type act struct {
	t int64
	a int32
	c int32
}

// groups holds a signal's actions grouped by object and sorted by time within each object:
// object o's actions are acts[start[o]:start[o+1]].
type groups struct {
	start []int
	acts  []act
}

// groupActions groups the actions for which keep(i) is true (nil: all) by object with a
// counting sort, then sorts each object's actions by (time, account, content), in parallel.
func groupActions(a *Actions, nObj int, keep func(i int) bool, workers int) groups {
	start := make([]int, nObj+1)
	n := a.Len()
	for i := 0; i < n; i++ {
		if keep == nil || keep(i) {
			start[a.Object[i]+1]++
		}
	}
	for o := 0; o < nObj; o++ {
		start[o+1] += start[o]
	}
	acts := make([]act, start[nObj])
	pos := make([]int, nObj)
	copy(pos, start[:nObj])
	for i := 0; i < n; i++ {
		if keep != nil && !keep(i) {
			continue
		}
		o := a.Object[i]
		c := int32(-1)
		if a.Content != nil {
			c = a.Content[i]
		}
		acts[pos[o]] = act{t: a.Time[i], a: a.Account[i], c: c}
		pos[o]++
	}
	pos = nil
	g := groups{start: start, acts: acts}
	g.forEachObject(workers, func(_ int, _ int, grp []act) {
		if len(grp) > 1 {
			slices.SortFunc(grp, cmpAct)
		}
	})
	return g
}

func cmpAct(x, y act) int {
	switch {
	case x.t != y.t:
		if x.t < y.t {
			return -1
		}
		return 1
	case x.a != y.a:
		return int(x.a) - int(y.a)
	default:
		return int(x.c) - int(y.c)
	}
}

// forEachObject calls f(worker, object, group) for every object, spreading objects over
// workers in dynamic chunks.
func (g groups) forEachObject(workers int, f func(w, o int, grp []act)) {
	parallelW(max(workers, 1), len(g.start)-1, func(w, o int) { f(w, o, g.acts[g.start[o]:g.start[o+1]]) })
}

// forEachLargestFirst is forEachObject over the objects with lo … hi actions only, the
// largest first (ties in object order).
func (g groups) forEachLargestFirst(workers, lo, hi int, f func(w, o int, grp []act)) {
	nObj := len(g.start) - 1
	if workers < 1 {
		workers = 1
	}
	// A counting sort of the objects by size, descending.
	if hi < lo {
		return // no object has lo … hi actions
	}
	hi = min(hi, max(lo, len(g.acts)))
	bucket := make([]int32, hi-lo+2)
	for o := 0; o < nObj; o++ {
		if n := int(g.start[o+1] - g.start[o]); n >= lo && n <= hi {
			bucket[hi-n+1]++
		}
	}
	for i := 1; i < len(bucket); i++ {
		bucket[i] += bucket[i-1]
	}
	order := make([]int32, bucket[len(bucket)-1])
	for o := 0; o < nObj; o++ {
		if n := int(g.start[o+1] - g.start[o]); n >= lo && n <= hi {
			order[bucket[hi-n]] = int32(o)
			bucket[hi-n]++
		}
	}
	parallelW(workers, len(order), func(w, k int) {
		o := order[k]
		f(w, int(o), g.acts[g.start[o]:g.start[o+1]])
	})
}

// sweep calls emit(i, j) for every pair i < j of the time-sorted group with
// grp[j].t − grp[i].t ≤ window: the two-pointer sweep. It returns the number of such pairs
// (whatever emit does with them).
func sweep(grp []act, window int64, emit func(i, j int)) int64 {
	var n int64
	lo := 0
	for j := 1; j < len(grp); j++ {
		for grp[j].t-grp[lo].t > window {
			lo++
		}
		for i := lo; i < j; i++ {
			emit(i, j)
		}
		n += int64(j - lo)
	}
	return n
}

// pairTable is an aggregated pair table: unique keys, each partition's keys ascending.
type pairTable struct {
	keys   []uint64
	counts []uint32
}

func (p *pairTable) len() int { return len(p.keys) }

// kernelOpts configure countPairs.
type kernelOpts struct {
	window int64
	// rows counts every pair of actions (CooRTweet's pair rows) instead of distinct objects.
	rows bool
	// participating, when not nil, keeps a pair only if either account participates.
	participating []bool
	workers       int
	budget        int64  // bytes of emitted pair keys held in memory; the rest is spilled
	tempDir       string // for spilled partitions ("" = os.TempDir())
	minCount      uint32 // pairs with a smaller total are dropped
}

// kernelStats reports what the kernel did.
type kernelStats struct {
	Actions      int64 `json:"actions"`
	WindowPairs  int64 `json:"window_pairs"`    // action pairs inside the window, same account included
	Emitted      int64 `json:"emitted"`         // pair keys emitted (after de-duplication per object)
	Candidates   int64 `json:"candidate_pairs"` // distinct account pairs with ≥ 1 co-action
	Partitions   int   `json:"partitions"`
	SpilledBytes int64 `json:"spilled_bytes"`
}

const (
	chunkKeys  = 1 << 15 // keys per emission chunk (256 KiB)
	partitions = 64      // hash partitions of the pair keys
)

// partitionOf spreads pair keys over the partitions by a multiplicative hash of the key.
func partitionOf(k uint64) int { return int((k * 0x9E3779B97F4A7C15) >> (64 - 6)) }

// spool holds the emitted keys, partitioned by partitionOf: full chunks in memory while the
// budget allows, appended to one temporary file per partition beyond it (hash-partitioned
// external aggregation: each partition is later sorted and counted on its own).
type spool struct {
	mu       sync.Mutex
	mem      [partitions][][]uint64
	files    [partitions]*os.File
	writers  [partitions]*bufio.Writer
	fileKeys [partitions]int64
	memKeys  int64
	budget   int64 // keys
	dir      string
	spilled  int64
	free     [][]uint64
	err      error
	emitted  int64
}

func (s *spool) newChunk() []uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := len(s.free); n > 0 {
		c := s.free[n-1]
		s.free = s.free[:n-1]
		return c[:0]
	}
	return make([]uint64, 0, chunkKeys)
}

// put hands over a chunk of partition p; it returns a chunk to keep filling.
func (s *spool) put(p int, c []uint64) []uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.emitted += int64(len(c))
	if s.err != nil {
		return c[:0]
	}
	if s.memKeys+int64(len(c)) <= s.budget {
		s.memKeys += int64(len(c))
		s.mem[p] = append(s.mem[p], c)
		if n := len(s.free); n > 0 {
			f := s.free[n-1]
			s.free = s.free[:n-1]
			return f[:0]
		}
		return make([]uint64, 0, chunkKeys)
	}
	if s.files[p] == nil {
		f, err := os.CreateTemp(s.dir, "echotrace-coord-pairs-*.bin")
		if err != nil {
			s.err = fmt.Errorf("spill pair keys: %w", err)
			return c[:0]
		}
		s.files[p], s.writers[p] = f, bufio.NewWriterSize(f, 1<<16)
	}
	var rec [8]byte
	for _, k := range c {
		binary.LittleEndian.PutUint64(rec[:], k)
		if _, err := s.writers[p].Write(rec[:]); err != nil {
			s.err = fmt.Errorf("spill pair keys: %w", err)
			break
		}
	}
	s.fileKeys[p] += int64(len(c))
	s.spilled += int64(len(c)) * 8
	return c[:0]
}

func (s *spool) close() {
	for p, f := range s.files {
		if f != nil {
			f.Close()
			os.Remove(f.Name())
			s.files[p] = nil
		}
	}
}

// load gathers partition p's keys into buf (grown as needed), releasing its memory chunks.
func (s *spool) load(p int, buf []uint64) ([]uint64, error) {
	n := s.fileKeys[p]
	for _, c := range s.mem[p] {
		n += int64(len(c))
	}
	if int64(cap(buf)) < n {
		buf = make([]uint64, 0, n)
	}
	buf = buf[:0]
	for _, c := range s.mem[p] {
		buf = append(buf, c...)
	}
	s.mem[p] = nil
	if f := s.files[p]; f != nil {
		if err := s.writers[p].Flush(); err != nil {
			return nil, fmt.Errorf("spill pair keys: %w", err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("read spilled pair keys: %w", err)
		}
		rd := bufio.NewReaderSize(f, 1<<20)
		var rec [8]byte
		for i := int64(0); i < s.fileKeys[p]; i++ {
			if _, err := io.ReadFull(rd, rec[:]); err != nil {
				return nil, fmt.Errorf("read spilled pair keys: %w", err)
			}
			buf = append(buf, binary.LittleEndian.Uint64(rec[:]))
		}
		f.Close()
		os.Remove(f.Name())
		s.files[p] = nil
	}
	return buf, nil
}

// countPairs is the co-action kernel: it aggregates, per unordered account pair, the number of
// distinct objects (or, with rows, of action pairs) co-acted on inside the window.
func countPairs(ctx context.Context, g groups, o kernelOpts) (pairTable, kernelStats, error) {
	if o.workers < 1 {
		o.workers = max(1, runtime.GOMAXPROCS(0))
	}
	if o.budget <= 0 {
		o.budget = 512 << 20
	}
	st := kernelStats{Actions: int64(len(g.acts)), Partitions: partitions}
	// Keys are packed as a<<shift | b with shift = the bits of the largest account index, so
	// that the radix sort skips the empty digits.
	maxAcc := int32(0)
	for _, x := range g.acts {
		maxAcc = max(maxAcc, x.a)
	}
	shift := uint(bits.Len32(uint32(maxAcc)))
	key := func(a, b int32) uint64 {
		if a > b {
			a, b = b, a
		}
		return uint64(a)<<shift | uint64(b)
	}
	lowMask := uint64(1)<<shift - 1
	sp := &spool{budget: o.budget / 8, dir: o.tempDir}
	defer sp.close()
	var (
		window atomic.Int64
		cancel atomic.Bool
	)
	type wstate struct {
		cur          [partitions][]uint64
		obj, scratch []uint64
		seen, dup    []int32 // per account: last object seen + 1, last object with a repeat + 1
	}
	ws := make([]*wstate, o.workers)
	nAcc := int(maxAcc) + 1
	for w := range ws {
		ws[w] = &wstate{}
		if !o.rows {
			ws[w].seen, ws[w].dup = make([]int32, nAcc), make([]int32, nAcc)
		}
	}
	g.forEachObject(o.workers, func(w, obj int, grp []act) {
		if len(grp) < 2 || cancel.Load() {
			return
		}
		if obj%4096 == 0 && ctx.Err() != nil {
			cancel.Store(true)
			return
		}
		s := ws[w]
		add := func(k uint64) {
			p := partitionOf(k)
			if s.cur[p] == nil {
				s.cur[p] = sp.newChunk()
			}
			s.cur[p] = append(s.cur[p], k)
			if len(s.cur[p]) == chunkKeys {
				s.cur[p] = sp.put(p, s.cur[p])
			}
		}
		part := o.participating
		keepPair := func(x, y act) bool {
			if x.a == y.a || (x.c >= 0 && x.c == y.c) {
				return false
			}
			return part == nil || part[x.a] || part[y.a]
		}
		if o.rows {
			window.Add(sweep(grp, o.window, func(i, j int) {
				if keepPair(grp[i], grp[j]) {
					add(key(grp[i].a, grp[j].a))
				}
			}))
			return
		}
		// Distinct objects: a pair can repeat within this object only if one of its accounts
		// acts on it more than once. Pairs of single-action accounts are emitted directly;
		// the others are de-duplicated by sorting.
		stamp := int32(obj) + 1
		repeats := false
		for _, x := range grp {
			if s.seen[x.a] == stamp {
				s.dup[x.a] = stamp
				repeats = true
			}
			s.seen[x.a] = stamp
		}
		s.obj = s.obj[:0]
		limit := 1 << 20
		window.Add(sweep(grp, o.window, func(i, j int) {
			x, y := grp[i], grp[j]
			if !keepPair(x, y) {
				return
			}
			k := key(x.a, y.a)
			if !repeats || (s.dup[x.a] != stamp && s.dup[y.a] != stamp) {
				add(k)
				return
			}
			{
				s.obj = append(s.obj, k)
				if len(s.obj) >= limit { // a huge object: compact its keys in place
					s.obj = sortUnique(s.obj, &s.scratch)
					if len(s.obj) > limit/2 {
						limit *= 2
					}
				}
			}
		}))
		s.obj = sortUnique(s.obj, &s.scratch)
		for _, k := range s.obj {
			add(k)
		}
		if cap(s.obj) > 1<<22 { // do not keep a viral object's buffers around
			s.obj, s.scratch = nil, nil
		}
	})
	if cancel.Load() {
		return pairTable{}, st, ctx.Err()
	}
	for _, s := range ws {
		for p := range s.cur {
			if len(s.cur[p]) > 0 {
				sp.put(p, s.cur[p])
			}
			s.cur[p] = nil
		}
		s.obj, s.scratch = nil, nil
	}
	if sp.err != nil {
		return pairTable{}, st, sp.err
	}
	st.WindowPairs = window.Load()
	st.Emitted = sp.emitted
	st.SpilledBytes = sp.spilled

	// Aggregate each partition: gather, radix sort, run-length count, filter.
	var (
		outs [partitions]pairTable
		cand [partitions]int64
		errs [partitions]error
		next atomic.Int64
		wg   sync.WaitGroup
		load sync.Mutex // partitions are gathered one at a time (bounded memory)
	)
	for w := 0; w < o.workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf, scratch []uint64
			for {
				p := int(next.Add(1)) - 1
				if p >= partitions {
					return
				}
				load.Lock()
				var err error
				buf, err = sp.load(p, buf)
				load.Unlock()
				if err != nil {
					errs[p] = err
					continue
				}
				if len(scratch) < len(buf) {
					scratch = make([]uint64, len(buf))
				}
				radix.Sort(buf, scratch)
				outs[p], cand[p] = rleFilter(buf, o.minCount, shift, lowMask)
			}
		}()
	}
	wg.Wait()
	n := 0
	for p := range outs {
		n += len(outs[p].keys)
	}
	out := pairTable{keys: make([]uint64, 0, n), counts: make([]uint32, 0, n)}
	for p := 0; p < partitions; p++ {
		if errs[p] != nil {
			return pairTable{}, st, errs[p]
		}
		st.Candidates += cand[p]
		out.keys = append(out.keys, outs[p].keys...)
		out.counts = append(out.counts, outs[p].counts...)
	}
	return out, st, nil
}

func sortUnique(keys []uint64, scratch *[]uint64) []uint64 {
	if len(keys) < 2 {
		return keys
	}
	if len(*scratch) < len(keys) {
		*scratch = make([]uint64, len(keys))
	}
	radix.Sort(keys, *scratch)
	return uniqueSorted(keys)
}

// rleFilter counts runs of equal sorted packed keys, keeping those of at least minCount as
// pairKey keys; it also returns the number of distinct keys.
func rleFilter(keys []uint64, minCount uint32, shift uint, lowMask uint64) (pairTable, int64) {
	// Count the kept runs first, so that the table is allocated once at its size.
	kept := 0
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j] == keys[i] {
			j++
		}
		if uint32(j-i) >= minCount {
			kept++
		}
		i = j
	}
	p := pairTable{keys: make([]uint64, 0, kept), counts: make([]uint32, 0, kept)}
	var distinct int64
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j] == keys[i] {
			j++
		}
		distinct++
		if uint32(j-i) >= minCount {
			p.keys = append(p.keys, pairKey(int32(keys[i]>>shift), int32(keys[i]&lowMask)))
			p.counts = append(p.counts, uint32(j-i))
		}
		i = j
	}
	return p, distinct
}
