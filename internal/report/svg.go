package report

import (
	"fmt"
	"github.com/echotrace/echotrace/internal/analysis/amplify"
	"math"
	"strconv"
	"time"
)

// chart is an inline SVG drawing made of primitives; the template renders every primitive
// with html/template's contextual escaping, so labels taken from the data stay text.
type chart struct {
	ID      string // data-chart attribute, stable for tests
	Title   string // accessible name and <title>
	Caption string // figure caption under the drawing
	W, H    float64
	Rects   []rect
	Lines   []line
	Paths   []path
	Circles []circle
	Texts   []text
	Legend  []legend
	Empty   bool // no data: the drawing says so
}

type rect struct {
	X, Y, W, H float64
	Class      string
	Opacity    float64 // fill-opacity; 0 means 1
	Tip        string
}

type line struct {
	X1, Y1, X2, Y2 float64
	Class          string
}

type path struct {
	D     string
	Class string
}

type circle struct {
	CX, CY, R float64
	Class     string
	Tip       string
}

type text struct {
	X, Y   float64
	Anchor string // start, middle, end
	Class  string
	S      string
	Rotate bool // vertical label
}

type legend struct {
	Class, Label string
}

// Plot area margins.
const (
	marginL = 64.0
	marginR = 16.0
	marginT = 16.0
	marginB = 44.0
)

// ff formats a coordinate.
func ff(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "0"
	}
	return strconv.FormatFloat(math.Round(x*10)/10, 'f', -1, 64)
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten (v ≤ 0 gives 1).
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v-1e-9*p {
			return m * p
		}
	}
	return 10 * p
}

// yAxis draws a left axis from 0 to max with five ticks, labelled by format.
func (c *chart) yAxis(max float64, format func(float64) string) {
	plotH := c.H - marginT - marginB
	c.Lines = append(c.Lines, line{marginL, marginT, marginL, c.H - marginB, "axis"})
	for i := 0; i <= 4; i++ {
		v := max * float64(i) / 4
		y := c.H - marginB - plotH*float64(i)/4
		c.Lines = append(c.Lines, line{marginL, y, c.W - marginR, y, "grid"})
		c.Texts = append(c.Texts, text{X: marginL - 6, Y: y + 4, Anchor: "end", Class: "tick", S: format(v)})
	}
	c.Lines = append(c.Lines, line{marginL, c.H - marginB, c.W - marginR, c.H - marginB, "axis"})
}

// emptyChart is a chart that says there is no data.
func emptyChart(id, title, caption string) chart {
	c := chart{ID: id, Title: title, Caption: caption, W: 720, H: 120, Empty: true}
	c.Texts = append(c.Texts, text{X: 360, Y: 64, Anchor: "middle", Class: "note", S: "No data in this study for this chart."})
	return c
}

func pctLabel(v float64) string { return strconv.FormatFloat(math.Round(v*100), 'f', -1, 64) + " %" }

func countLabel(v float64) string { return amplify.GroupDigits(int64(math.Round(v))) }

// durLabel writes seconds compactly: 45 → "45s", 90 → "1.5m", 7200 → "2h", 172800 → "2d".
func durLabel(sec float64) string {
	switch {
	case math.IsInf(sec, 1):
		return "∞"
	case sec < 60:
		return strconv.FormatFloat(sec, 'f', -1, 64) + "s"
	case sec < 3600:
		return strconv.FormatFloat(math.Round(sec/6)/10, 'f', -1, 64) + "m"
	case sec < 86400:
		return strconv.FormatFloat(math.Round(sec/360)/10, 'f', -1, 64) + "h"
	default:
		return strconv.FormatFloat(math.Round(sec/8640)/10, 'f', -1, 64) + "d"
	}
}

func dateLabel(t time.Time) string { return t.UTC().Format("2006-01-02") }

// binLabel names histogram bin i.
func binLabel(h Histogram, i int) string {
	lo, hi := h.Edges[i], h.Edges[i+1]
	if h.Unit != "s" {
		if math.IsInf(hi, 1) {
			return fmt.Sprintf("≥%g", lo)
		}
		return fmt.Sprintf("%g–%g", lo, hi)
	}
	if math.IsInf(hi, 1) {
		return "≥" + durLabel(lo)
	}
	return durLabel(lo) + "–" + durLabel(hi)
}
