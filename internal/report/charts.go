package report

import (
	"fmt"
	"github.com/echotrace/echotrace/internal/analysis/amplify"
	"math"
	"sort"
	"time"
)

// lorenzChart draws the amplification Lorenz curve against the line of equality.
func lorenzChart(pts []Point, gini float64) chart {
	const id, title = "lorenz", "Lorenz curve of amplification"
	caption := fmt.Sprintf("Cumulative share of target reposts (vertical) made by the least active share of reposting accounts (horizontal). The diagonal is perfect equality; the further the curve sags below it, the more concentrated the amplification (Gini %.2f).", gini)
	if len(pts) < 2 {
		return emptyChart(id, title, caption)
	}
	c := chart{ID: id, Title: title, Caption: caption, W: 420, H: 380}
	c.yAxis(1, pctLabel)
	pw, ph := c.W-marginL-marginR, c.H-marginT-marginB
	px := func(x float64) float64 { return marginL + pw*clamp01(x) }
	py := func(y float64) float64 { return c.H - marginB - ph*clamp01(y) }
	for i := 0; i <= 4; i++ {
		x := float64(i) / 4
		c.Texts = append(c.Texts, text{X: px(x), Y: c.H - marginB + 16, Anchor: "middle", Class: "tick", S: pctLabel(x)})
	}
	c.Texts = append(c.Texts, text{X: marginL + pw/2, Y: c.H - 6, Anchor: "middle", Class: "axis-label", S: "share of reposting accounts (least to most active)"})
	c.Paths = append(c.Paths, path{D: "M" + ff(px(0)) + " " + ff(py(0)) + "L" + ff(px(1)) + " " + ff(py(1)), Class: "equality"})
	d := make([]byte, 0, 16*len(pts))
	for i, p := range pts {
		if i == 0 {
			d = append(d, 'M')
		} else {
			d = append(d, 'L')
		}
		d = append(d, ff(px(p.X))+" "+ff(py(p.Y))...)
	}
	c.Paths = append(c.Paths, path{D: string(d), Class: "curve"})
	c.Legend = []legend{{"equality", "equality"}, {"curve", "amplifiers"}}
	return c
}

func clamp01(x float64) float64 {
	switch {
	case x < 0 || math.IsNaN(x):
		return 0
	case x > 1:
		return 1
	}
	return x
}

// weeklyCharts draws, for each series, the weekly shares of reposts from suspended, deleted,
// coordinated and other accounts as 100 % stacked bars.
func weeklyCharts(series []WeeklySeries) []chart {
	const caption = "Share of the account's reposts each week (Monday to Sunday, UTC) made by accounts later suspended, self-deleted, in a coordinated cluster, or none of these. Hover a bar for counts."
	var out []chart
	for i, s := range series {
		name := s.Account.Handle
		if name == "" {
			name = s.Account.ID
		}
		id := fmt.Sprintf("weekly-%d", i+1)
		title := "Weekly composition of reposts of @" + name
		if len(s.Weeks) == 0 {
			out = append(out, emptyChart(id, title, caption))
			continue
		}
		c := chart{ID: id, Title: title, Caption: caption, W: 720, H: 260}
		c.yAxis(1, pctLabel)
		pw, ph := c.W-marginL-marginR, c.H-marginT-marginB
		bw := pw / float64(len(s.Weeks))
		for j, w := range s.Weeks {
			tot := float64(w.Total())
			x := marginL + bw*float64(j)
			y := c.H - marginB
			if tot > 0 {
				tip := fmt.Sprintf("week of %s: %s reposts — %s suspended, %s deleted, %s coordinated, %s other",
					dateLabel(w.Start), amplify.GroupDigits(w.Total()), amplify.GroupDigits(w.Suspended), amplify.GroupDigits(w.Deleted), amplify.GroupDigits(w.Coordinated), amplify.GroupDigits(w.Other))
				for _, part := range []struct {
					n     int64
					class string
				}{{w.Suspended, "s-susp"}, {w.Deleted, "s-del"}, {w.Coordinated, "s-coord"}, {w.Other, "s-other"}} {
					h := ph * float64(part.n) / tot
					if h <= 0 {
						continue
					}
					y -= h
					c.Rects = append(c.Rects, rect{X: x + bw*0.08, Y: y, W: bw * 0.84, H: h, Class: part.class, Tip: tip})
				}
			}
			if every := labelEvery(len(s.Weeks), 8); j%every == 0 {
				c.Texts = append(c.Texts, text{X: x + bw/2, Y: c.H - marginB + 16, Anchor: "middle", Class: "tick", S: w.Start.UTC().Format("2 Jan 06")})
			}
		}
		c.Legend = []legend{{"s-susp", "suspended"}, {"s-del", "deleted"}, {"s-coord", "coordinated"}, {"s-other", "other"}}
		out = append(out, c)
	}
	return out
}

// labelEvery returns the step that keeps at most max labels out of n.
func labelEvery(n, max int) int {
	if n <= max {
		return 1
	}
	return (n + max - 1) / max
}

// histogramChart draws a histogram's bins as bars.
func histogramChart(id, title, caption string, h Histogram) chart {
	if len(h.Counts) == 0 || len(h.Edges) != len(h.Counts)+1 {
		return emptyChart(id, title, caption)
	}
	var max, total int64
	for _, n := range h.Counts {
		max = int64(math.Max(float64(max), float64(n)))
		total += n
	}
	if total == 0 {
		return emptyChart(id, title, caption)
	}
	c := chart{ID: id, Title: title, Caption: caption, W: 720, H: 280}
	top := niceCeil(float64(max))
	c.yAxis(top, countLabel)
	pw, ph := c.W-marginL-marginR, c.H-marginT-marginB
	bw := pw / float64(len(h.Counts))
	for i, n := range h.Counts {
		hh := ph * float64(n) / top
		x := marginL + bw*float64(i)
		label := binLabel(h, i)
		c.Rects = append(c.Rects, rect{X: x + bw*0.1, Y: c.H - marginB - hh, W: bw * 0.8, H: hh, Class: "bar",
			Tip: fmt.Sprintf("%s: %s (%.1f %%)", label, amplify.GroupDigits(n), 100*float64(n)/float64(total))})
		if every := labelEvery(len(h.Counts), 12); i%every == 0 {
			c.Texts = append(c.Texts, text{X: x + bw/2, Y: c.H - marginB + 16, Anchor: "middle", Class: "tick", S: label})
		}
	}
	return c
}

// hoursChart draws a heat map: one row per cluster, one column per UTC hour, shade ∝ the
// share of the cluster's actions in that hour.
func hoursChart(clusters []Cluster, max int) chart {
	const id, title = "hours", "Hour-of-day activity of the top clusters (UTC)"
	const caption = "Each row is a cluster; each cell the share of its members' actions in that hour of the day (darker: more). Coordinated operations often keep office hours of one time zone."
	var rows []Cluster
	for _, cl := range clusters {
		var n int64
		for _, v := range cl.Hours {
			n += v
		}
		if n > 0 {
			rows = append(rows, cl)
		}
		if len(rows) == max {
			break
		}
	}
	if len(rows) == 0 {
		return emptyChart(id, title, caption)
	}
	const left, cell = 150.0, 22.0
	c := chart{ID: id, Title: title, Caption: caption, W: left + 24*cell + marginR, H: marginT + cell*float64(len(rows)) + 30}
	for h := 0; h < 24; h += 3 {
		c.Texts = append(c.Texts, text{X: left + cell*float64(h) + cell/2, Y: c.H - 8, Anchor: "middle", Class: "tick", S: fmt.Sprintf("%02d", h)})
	}
	for r, cl := range rows {
		var n, mx int64
		for _, v := range cl.Hours {
			n += v
			mx = max64(mx, v)
		}
		y := marginT + cell*float64(r)
		c.Texts = append(c.Texts, text{X: left - 8, Y: y + cell/2 + 4, Anchor: "end", Class: "tick", S: fmt.Sprintf("cluster %s (%d)", cl.ID, cl.Size)})
		for h, v := range cl.Hours {
			op := 0.04
			if mx > 0 {
				op = 0.04 + 0.96*float64(v)/float64(mx)
			}
			c.Rects = append(c.Rects, rect{X: left + cell*float64(h) + 1, Y: y + 1, W: cell - 2, H: cell - 2, Class: "heat", Opacity: op,
				Tip: fmt.Sprintf("cluster %s, %02d:00–%02d:59 UTC: %s actions (%.1f %%)", cl.ID, h, h, amplify.GroupDigits(v), 100*float64(v)/float64(n))})
		}
	}
	return c
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

// creationChart draws amplifier account creations per day, week, month or year, whichever
// keeps at most about 120 bars.
func creationChart(days []DateCount) chart {
	const id, title = "creation", "Creation dates of amplifier accounts"
	caption := "Amplifier accounts created per %s (UTC). Spikes mean many accounts were created together, a sign of account farms."
	if len(days) == 0 {
		return emptyChart(id, title, fmt.Sprintf(caption, "period"))
	}
	ds := append([]DateCount(nil), days...)
	sort.Slice(ds, func(i, j int) bool { return ds[i].Day.Before(ds[j].Day) })
	first, last := ds[0].Day.UTC(), ds[len(ds)-1].Day.UTC()
	span := last.Sub(first).Hours() / 24
	unit, key := "day", func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
	next := func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }
	switch {
	case span > 120*365:
		unit, key, next = "year", func(t time.Time) time.Time { return time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC) }, func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }
	case span > 120*30:
		unit, key, next = "month", func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC) }, func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }
	case span > 120:
		unit = "week"
		key = func(t time.Time) time.Time {
			d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
			return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
		}
		next = func(t time.Time) time.Time { return t.AddDate(0, 0, 7) }
	}
	counts := map[time.Time]int64{}
	for _, d := range ds {
		counts[key(d.Day.UTC())] += d.Count
	}
	var bins []DateCount
	for t := key(first); !t.After(last); t = next(t) {
		bins = append(bins, DateCount{t, counts[t]})
	}
	var mx int64
	for _, b := range bins {
		mx = max64(mx, b.Count)
	}
	c := chart{ID: id, Title: title, Caption: fmt.Sprintf(caption, unit), W: 720, H: 260}
	top := niceCeil(float64(mx))
	c.yAxis(top, countLabel)
	pw, ph := c.W-marginL-marginR, c.H-marginT-marginB
	bw := pw / float64(len(bins))
	for i, b := range bins {
		x := marginL + bw*float64(i)
		if b.Count > 0 {
			hh := ph * float64(b.Count) / top
			c.Rects = append(c.Rects, rect{X: x, Y: c.H - marginB - hh, W: math.Max(bw*0.9, 0.6), H: hh, Class: "bar",
				Tip: fmt.Sprintf("%s %s: %s accounts", unit, dateLabel(b.Day), amplify.GroupDigits(b.Count))})
		}
		if every := labelEvery(len(bins), 8); i%every == 0 {
			c.Texts = append(c.Texts, text{X: x + bw/2, Y: c.H - marginB + 16, Anchor: "middle", Class: "tick", S: dateLabel(b.Day)})
		}
	}
	return c
}

// hbarChart draws horizontal bars with a label per row; values are split into stacked parts.
func hbarChart(id, title, caption string, labels []string, parts [][]float64, classes []string, tips []string, valueLabel func(i int) string, max float64, legendNames []string) chart {
	if len(labels) == 0 {
		return emptyChart(id, title, caption)
	}
	const left, row = 170.0, 22.0
	c := chart{ID: id, Title: title, Caption: caption, W: 720, H: math.Max(marginT+row*float64(len(labels))+10, 80)}
	pw := c.W - left - 90
	if max <= 0 {
		max = 1
	}
	for i, lab := range labels {
		y := marginT + row*float64(i)
		c.Texts = append(c.Texts, text{X: left - 8, Y: y + row/2 + 4, Anchor: "end", Class: "tick", S: truncate(lab, 28)})
		x := left
		for k, v := range parts[i] {
			w := pw * v / max
			if w <= 0 {
				continue
			}
			c.Rects = append(c.Rects, rect{X: x, Y: y + 3, W: w, H: row - 6, Class: classes[k], Tip: tips[i]})
			x += w
		}
		c.Texts = append(c.Texts, text{X: x + 6, Y: y + row/2 + 4, Anchor: "start", Class: "tick", S: valueLabel(i)})
	}
	for k, n := range legendNames {
		c.Legend = append(c.Legend, legend{classes[k], n})
	}
	return c
}

// coverageChart draws label coverage per group.
func coverageChart(id, title string, cov []Coverage, max int) chart {
	const caption = "Share of included watch accounts carrying a platform government or state-affiliated media label, as of the status date."
	rows := append([]Coverage(nil), cov...)
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Accounts > rows[j].Accounts })
	if len(rows) > max {
		rows = rows[:max]
	}
	labels := make([]string, len(rows))
	parts := make([][]float64, len(rows))
	tips := make([]string, len(rows))
	for i, r := range rows {
		labels[i] = r.Group
		parts[i] = []float64{r.Share(), 1 - r.Share()}
		tips[i] = fmt.Sprintf("%s: %d of %d accounts labelled", r.Group, r.Labelled, r.Accounts)
	}
	return hbarChart(id, title, caption, labels, parts, []string{"lab-yes", "lab-no"}, tips,
		func(i int) string {
			return fmt.Sprintf("%s (%d/%d)", pctLabel(rows[i].Share()), rows[i].Labelled, rows[i].Accounts)
		},
		1, []string{"labelled", "not labelled"})
}

// outletChart draws engagement with target posts per outlet, stacked by kind.
func outletChart(outlets []Outlet, max int) chart {
	const id, title = "outlets", "Engagement by outlet"
	const caption = "Likes, reposts and replies received by the target posts of each outlet's watch accounts (latest observed public counts)."
	rows := append([]Outlet(nil), outlets...)
	tot := func(o Outlet) int64 { return o.Likes + o.Reposts + o.Replies }
	sort.SliceStable(rows, func(i, j int) bool { return tot(rows[i]) > tot(rows[j]) })
	if len(rows) > max {
		rows = rows[:max]
	}
	labels := make([]string, len(rows))
	parts := make([][]float64, len(rows))
	tips := make([]string, len(rows))
	var mx float64
	for i, o := range rows {
		labels[i] = o.Outlet
		parts[i] = []float64{float64(o.Likes), float64(o.Reposts), float64(o.Replies)}
		tips[i] = fmt.Sprintf("%s (%d accounts, %s posts): %s likes, %s reposts, %s replies", o.Outlet, o.Accounts,
			amplify.GroupDigits(o.Posts), amplify.GroupDigits(o.Likes), amplify.GroupDigits(o.Reposts), amplify.GroupDigits(o.Replies))
		mx = math.Max(mx, float64(tot(o)))
	}
	return hbarChart(id, title, caption, labels, parts, []string{"e-like", "e-repost", "e-reply"}, tips,
		func(i int) string { return amplify.GroupDigits(tot(rows[i])) }, mx, []string{"likes", "reposts", "replies"})
}

// truncate shortens s to n runes with an ellipsis.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
