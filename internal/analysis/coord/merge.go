package coord

import "github.com/echotrace/echotrace/internal/radix"

// cand is an account pair with its distinct co-acted objects per signal run and in total.
type cand struct {
	key    uint64
	counts []int32 // per run, in the order of runs
	total  int
}

// mergeTables combines the runs' pair tables into the pairs whose total count reaches
// minTotal. One run keeps its table's order; several are merged by radix-sorting every
// (key, run, count) entry by key, so the candidates come out sorted by pair key. The counts
// of all candidates share one backing array.
func mergeTables(runs []*signalRun, minTotal int) []cand {
	if len(runs) == 0 {
		return nil
	}
	if len(runs) == 1 {
		t := runs[0].table
		n := 0
		for _, c := range t.counts {
			if int(c) >= minTotal {
				n++
			}
		}
		cands := make([]cand, 0, n)
		flat := make([]int32, n)
		for i, k := range t.keys {
			if c := int(t.counts[i]); c >= minTotal {
				j := len(cands)
				flat[j] = int32(c)
				cands = append(cands, cand{key: k, counts: flat[j : j+1 : j+1], total: c})
			}
		}
		return cands
	}
	n := 0
	for _, r := range runs {
		n += r.table.len()
	}
	keys, vals := make([]uint64, 0, n), make([]uint64, 0, n)
	for ri, r := range runs {
		keys = append(keys, r.table.keys...)
		for _, c := range r.table.counts {
			vals = append(vals, uint64(ri)<<32|uint64(c))
		}
	}
	sk, sv := make([]uint64, n), make([]uint64, n)
	radix.SortKV(keys, vals, sk, sv)
	sk, sv = nil, nil

	nr := len(runs)
	var cands []cand
	var flat []int32
	for i := 0; i < n; {
		j, total := i, 0
		for ; j < n && keys[j] == keys[i]; j++ {
			total += int(uint32(vals[j]))
		}
		if total >= minTotal {
			base := len(flat)
			flat = append(flat, make([]int32, nr)...)
			for _, v := range vals[i:j] {
				flat[base+int(v>>32)] += int32(uint32(v))
			}
			cands = append(cands, cand{key: keys[i], total: total})
		}
		i = j
	}
	for i := range cands {
		cands[i].counts = flat[i*nr : (i+1)*nr : (i+1)*nr]
	}
	return cands
}
