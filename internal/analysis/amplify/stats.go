package amplify

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// TopShares returns, for each p of TopShareKeys, the share of all events made by the
// k = ⌈p·n⌉ largest counts (n = len(desc)); desc must be sorted in descending order.
//
// Ties at the cut do not matter: the share is the sum of the k largest values, which is the
// same whichever of several equal counts is taken as the k-th. k is computed in integers
// (⌈n·m/1000⌉ for p = m‰), so ⌈0.01·100⌉ is exactly 1. With n = 0 every share is 0.
func TopShares(desc []int64) TopMap {
	n := int64(len(desc))
	var total int64
	for _, c := range desc {
		total += c
	}
	out := make(TopMap, len(TopShareKeys))
	for _, k := range TopShareKeys {
		if total == 0 {
			out[k.Key] = 0
			continue
		}
		top := (n*k.PerMille + 999) / 1000
		var s int64
		for _, c := range desc[:top] {
			s += c
		}
		out[k.Key] = float64(s) / float64(total)
	}
	return out
}

// Gini returns the Gini coefficient of the counts, sorted ascending (x₁ ≤ … ≤ xₙ):
//
//	G = 2·Σᵢ i·xᵢ / (n·Σᵢ xᵢ) − (n+1)/n
//
// 0 when all are equal, (n−1)/n when one holds everything; 0 for n = 0 or a zero sum.
func Gini(asc []int64) float64 {
	n := float64(len(asc))
	var sum, weighted float64
	for i, x := range asc {
		sum += float64(x)
		weighted += float64(i+1) * float64(x)
	}
	if n == 0 || sum == 0 {
		return 0
	}
	return 2*weighted/(n*sum) - (n+1)/n
}

// Lorenz returns Lorenz-curve points for counts sorted ascending: the point k is
// (k/n, Σ_{i≤k} xᵢ / Σ x) for k = 0…n. When n exceeds maxPoints, the points at
// k = round(j·n/maxPoints), j = 0…maxPoints, are kept (both ends always included).
func Lorenz(asc []int64, maxPoints int) []Point {
	n := len(asc)
	if n == 0 {
		return nil
	}
	var total int64
	for _, x := range asc {
		total += x
	}
	cum := make([]int64, n+1)
	for i, x := range asc {
		cum[i+1] = cum[i] + x
	}
	y := func(k int) float64 {
		if total == 0 {
			return float64(k) / float64(n)
		}
		return float64(cum[k]) / float64(total)
	}
	var pts []Point
	if maxPoints <= 0 || n <= maxPoints {
		pts = make([]Point, 0, n+1)
		for k := 0; k <= n; k++ {
			pts = append(pts, Point{float64(k) / float64(n), y(k)})
		}
		return pts
	}
	pts = make([]Point, 0, maxPoints+1)
	for j := 0; j <= maxPoints; j++ {
		k := int(math.Round(float64(j) * float64(n) / float64(maxPoints)))
		pts = append(pts, Point{float64(k) / float64(n), y(k)})
	}
	return pts
}

// median returns the median of v (sorting it in place): the middle value, or the mean of the
// two middle values when len(v) is even; NaN for an empty slice.
func median(v []int64) float64 {
	n := len(v)
	if n == 0 {
		return math.NaN()
	}
	slices.Sort(v)
	if n%2 == 1 {
		return float64(v[n/2])
	}
	return (float64(v[n/2-1]) + float64(v[n/2])) / 2
}

// Bin edges of the charts: seconds for latencies and gaps, days for account age.
var (
	secondEdges = []float64{0, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600,
		12 * 3600, 86400, 2 * 86400, 7 * 86400}
	dayEdges   = []float64{0, 1, 7, 30, 90, 180, 365, 2 * 365, 5 * 365, 10 * 365}
	tenthEdges = []float64{0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1}
)

// histogram is a fixed-edge histogram: bin i is [edges[i], edges[i+1]), the last bin
// [edges[last], ∞). Values below edges[0] are not counted.
type histogram struct {
	edges  []float64
	counts []int64
}

func newHistogram(edges []float64) *histogram {
	return &histogram{edges: edges, counts: make([]int64, len(edges))}
}

func (h *histogram) add(v float64) {
	if math.IsNaN(v) || v < h.edges[0] {
		return
	}
	// the last edge ≤ v
	i, found := slices.BinarySearch(h.edges, v)
	if !found {
		i--
	}
	h.counts[i]++
}

func (h *histogram) bins() []Bin {
	out := make([]Bin, len(h.edges))
	for i, lo := range h.edges {
		hi := -1.0
		if i+1 < len(h.edges) {
			hi = h.edges[i+1]
		}
		out[i] = Bin{Lo: lo, Hi: hi, Count: h.counts[i]}
	}
	return out
}

// share returns a/b, 0 when b is 0.
func share(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func formatFloat(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }

// GroupDigits writes n with comma thousands separators: 1300000 → "1,300,000", -1234 →
// "-1,234". The report, the dashboard and the findings tables all print counts this way.
func GroupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
