package report

import (
	"github.com/echotrace/echotrace/internal/analysis/amplify"
	"math"
	"math/rand/v2"
	"testing"
)

func TestLayout(t *testing.T) {
	// two triangles joined by nothing: nodes 0-2 and 3-5
	edges := [][2]int{{0, 1}, {1, 2}, {0, 2}, {3, 4}, {4, 5}, {3, 5}}
	pos := Layout(6, edges, nil, 200, rand.New(rand.NewPCG(1, 2)))
	again := Layout(6, edges, nil, 200, rand.New(rand.NewPCG(1, 2)))
	for i := range pos {
		if pos[i] != again[i] {
			t.Fatalf("layout not deterministic for a seed: %v vs %v", pos[i], again[i])
		}
		if pos[i].X < -1e-9 || pos[i].X > 1+1e-9 || pos[i].Y < -1e-9 || pos[i].Y > 1+1e-9 {
			t.Errorf("node %d at %v outside the unit square", i, pos[i])
		}
	}
	dist := func(a, b int) float64 { return math.Hypot(pos[a].X-pos[b].X, pos[a].Y-pos[b].Y) }
	// every edge is shorter than every pair across the two components
	var maxIn, minAcross = 0.0, math.Inf(1)
	for _, e := range edges {
		maxIn = math.Max(maxIn, dist(e[0], e[1]))
	}
	for a := 0; a < 3; a++ {
		for b := 3; b < 6; b++ {
			minAcross = math.Min(minAcross, dist(a, b))
		}
	}
	if maxIn >= minAcross {
		t.Errorf("longest edge %.3f ≥ shortest distance between components %.3f", maxIn, minAcross)
	}
	if got := Layout(1, nil, nil, 10, rand.New(rand.NewPCG(1, 2))); got[0] != (Point{0.5, 0.5}) {
		t.Errorf("single node at %v, want the centre", got[0])
	}
	if got := Layout(0, nil, nil, 10, rand.New(rand.NewPCG(1, 2))); len(got) != 0 {
		t.Error("empty graph has positions")
	}
}

func TestFormatting(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{amplify.GroupDigits(1234567), "1,234,567"},
		{amplify.GroupDigits(-1000), "-1,000"},
		{amplify.GroupDigits(999), "999"},
		{durLabel(45), "45s"},
		{durLabel(90), "1.5m"},
		{durLabel(7200), "2h"},
		{durLabel(172800), "2d"},
		{durLabel(math.Inf(1)), "∞"},
		{pctText(0.4731), "47.3 %"},
		{pctText(0.0012), "0.12 %"},
		{pctText(0), "0 %"},
		{durText(-1), "–"},
		{durText(4.25), "4.3 s"},
		{ff(niceCeil(7)), "10"},
		{ff(niceCeil(0.13)), "0.2"},
		{ff(niceCeil(200)), "200"},
		{ff(niceCeil(0)), "1"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// TestCreationBins: 3 accounts on 1 Jan 2020 and 1 on 10 Jan 2020 span 9 days, so day bins:
// 10 bins, the first with 3, the last with 1.
func TestCreationBins(t *testing.T) {
	d := func(day int) DateCount { return DateCount{Day: t0.AddDate(0, 0, day)} }
	a, b := d(0), d(9)
	a.Count, b.Count = 3, 1
	c := creationChart([]DateCount{b, a})
	if len(c.Rects) != 2 || c.Rects[0].H <= c.Rects[1].H {
		t.Fatalf("want 2 bars, the first taller: %+v", c.Rects)
	}
	// a 10-year span is binned by month: at most 121 bins
	long := creationChart([]DateCount{{t0, 1}, {t0.AddDate(10, 0, 0), 1}})
	if n := len(long.Texts); n > 20 {
		t.Errorf("10-year creation chart has %d labels", n)
	}
}
