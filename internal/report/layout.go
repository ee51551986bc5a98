package report

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// Layout places the nodes of an undirected weighted graph in the unit square with the
// Fruchterman–Reingold force-directed algorithm (Fruchterman & Reingold 1991, "Graph drawing by
// force-directed placement"): with k = C·sqrt(area/n), every pair of nodes repels with force
// k²/d, every edge attracts its ends with force d²/k (times its weight, capped at 3), and a weak
// gravity pulls disconnected clusters toward the centre. Each iteration moves a node by at most
// a temperature that cools linearly to zero. Positions start uniformly at random from rng, so the
// layout is deterministic for a seed. n nodes and edges given as index pairs; cost is
// O(iterations · (n² + edges)).
func Layout(n int, edges [][2]int, weights []float64, iterations int, rng *rand.Rand) []Point {
	pos := make([]Point, n)
	if n == 0 {
		return pos
	}
	for i := range pos {
		pos[i] = Point{rng.Float64(), rng.Float64()}
	}
	if n == 1 {
		pos[0] = Point{0.5, 0.5}
		return pos
	}
	k := 0.8 * math.Sqrt(1/float64(n))
	disp := make([]Point, n)
	t0 := 0.1
	for it := 0; it < iterations; it++ {
		for i := range disp {
			disp[i] = Point{}
		}
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				dx, dy := pos[i].X-pos[j].X, pos[i].Y-pos[j].Y
				d2 := dx*dx + dy*dy
				if d2 < 1e-12 {
					// coincident nodes: push apart along a fixed direction
					dx, dy, d2 = 1e-6*float64(i-j), 1e-6, 1e-12+1e-12*float64((i-j)*(i-j))
				}
				f := k * k / d2 // (k²/d) / d: scales the unit vector (dx, dy)/d
				disp[i].X += dx * f
				disp[i].Y += dy * f
				disp[j].X -= dx * f
				disp[j].Y -= dy * f
			}
		}
		for e, p := range edges {
			i, j := p[0], p[1]
			if i == j {
				continue
			}
			w := 1.0
			if weights != nil {
				w = math.Min(math.Max(weights[e], 0.1), 3)
			}
			dx, dy := pos[i].X-pos[j].X, pos[i].Y-pos[j].Y
			d := math.Sqrt(dx*dx + dy*dy)
			f := w * d / k // (d²/k) / d
			disp[i].X -= dx * f
			disp[i].Y -= dy * f
			disp[j].X += dx * f
			disp[j].Y += dy * f
		}
		t := t0 * (1 - float64(it)/float64(iterations))
		for i := range pos {
			// gravity toward the centre keeps components in view
			disp[i].X -= (pos[i].X - 0.5) * k * 2
			disp[i].Y -= (pos[i].Y - 0.5) * k * 2
			d := math.Hypot(disp[i].X, disp[i].Y)
			if d > 0 {
				s := math.Min(d, t) / d
				pos[i].X += disp[i].X * s
				pos[i].Y += disp[i].Y * s
			}
		}
	}
	// fit into the unit square
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range pos {
		minX, maxX = math.Min(minX, p.X), math.Max(maxX, p.X)
		minY, maxY = math.Min(minY, p.Y), math.Max(maxY, p.Y)
	}
	sx, sy := maxX-minX, maxY-minY
	s := math.Max(sx, sy)
	if s == 0 {
		s = 1
	}
	for i := range pos {
		pos[i] = Point{(pos[i].X-minX)/s + (1-sx/s)/2, (pos[i].Y-minY)/s + (1-sy/s)/2}
	}
	return pos
}

// networkChart draws the coordination network of the first clusters, up to maxNodes nodes
// and maxEdges edges (heaviest first). Each cluster is laid out on its own (Layout, seeded) in
// a square of side √members, and the squares are packed on shelves (pack), so that small
// clusters do not drift to the edges of one big force-directed drawing.
func networkChart(clusters []Cluster, edges []Edge, maxNodes, maxEdges int, seed uint64) (chart, int, int) {
	const id, title = "network", "Coordination network of the top clusters"
	caption := "Accounts (dots) joined by coordination edges (lines, thicker for heavier edges), laid out by a seeded force-directed algorithm; colour is the cluster, a dark ring marks accounts later suspended or deleted."
	type node struct {
		key     string
		acct    Account
		cluster int
	}
	var nodes []node
	index := map[string]int{}
	shown := 0
	for ci, cl := range clusters {
		if len(nodes)+len(cl.Members) > maxNodes && shown > 0 {
			break
		}
		shown++
		for _, m := range cl.Members {
			key := m.Platform + "\x00" + m.ID
			if _, dup := index[key]; dup || len(nodes) >= maxNodes {
				continue
			}
			index[key] = len(nodes)
			nodes = append(nodes, node{key, m, ci})
		}
	}
	if len(nodes) == 0 {
		return emptyChart(id, title, caption), 0, len(clusters)
	}
	type wedge struct {
		i, j int
		w    float64
	}
	var es []wedge
	for _, e := range edges {
		i, ok1 := index[e.Platform+"\x00"+e.Source]
		j, ok2 := index[e.Platform+"\x00"+e.Target]
		if ok1 && ok2 && i != j {
			es = append(es, wedge{i, j, e.Weight})
		}
	}
	sort.SliceStable(es, func(a, b int) bool { return es[a].w > es[b].w })
	if len(es) > maxEdges {
		es = es[:maxEdges]
	}
	var maxW float64
	for _, e := range es {
		maxW = math.Max(maxW, e.w)
	}
	norm := make([]float64, len(es))
	for i, e := range es {
		norm[i] = 1 + 2*e.w/math.Max(maxW, 1e-9)
	}
	// lay out each cluster on its own, then pack the clusters on shelves
	byCluster := map[int][]int{}
	var order []int
	for i, n := range nodes {
		if _, ok := byCluster[n.cluster]; !ok {
			order = append(order, n.cluster)
		}
		byCluster[n.cluster] = append(byCluster[n.cluster], i)
	}
	local := make([]int, len(nodes)) // node → index inside its cluster
	for _, ci := range order {
		for j, i := range byCluster[ci] {
			local[i] = j
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0x6563686f))
	cells := make([]cell, len(order))
	for k, ci := range order {
		members := byCluster[ci]
		var pairs [][2]int
		var ws []float64
		for i, e := range es {
			if nodes[e.i].cluster == ci && nodes[e.j].cluster == ci {
				pairs = append(pairs, [2]int{local[e.i], local[e.j]})
				ws = append(ws, norm[i])
			}
		}
		cells[k] = cell{pos: Layout(len(members), pairs, ws, 150, rng), side: math.Sqrt(float64(len(members)))}
	}
	pack(cells)
	pos := make([]Point, len(nodes))
	var width, height float64
	for k, ci := range order {
		c := cells[k]
		width, height = math.Max(width, c.x+c.side), math.Max(height, c.y+c.side)
		for j, i := range byCluster[ci] {
			pos[i] = Point{c.x + c.pos[j].X*c.side, c.y + c.pos[j].Y*c.side}
		}
	}
	c := chart{ID: id, Title: title, W: 720}
	scale := (c.W - 40) / math.Max(width, 1e-9)
	c.H = math.Min(math.Max(height*scale+40, 200), 900)
	scale = math.Min(scale, (c.H-40)/math.Max(height, 1e-9))
	c.Caption = caption + fmt.Sprintf(" Shown: %d clusters, %d accounts, %d edges", shown, len(nodes), len(es))
	if shown < len(clusters) {
		c.Caption += fmt.Sprintf(" (of %d clusters)", len(clusters))
	}
	c.Caption += "."
	r := math.Min(math.Max(scale*0.12, 2.5), 6)
	px := func(p Point) (float64, float64) { return 20 + p.X*scale, 20 + p.Y*scale }
	for i, e := range es {
		x1, y1 := px(pos[e.i])
		x2, y2 := px(pos[e.j])
		cls := "edge"
		if norm[i] > 2 {
			cls = "edge heavy"
		}
		c.Lines = append(c.Lines, line{x1, y1, x2, y2, cls})
	}
	for i, n := range nodes {
		x, y := px(pos[i])
		cls := fmt.Sprintf("node c%d", n.cluster%10)
		if n.acct.Status == "suspended" || n.acct.Status == "deleted" {
			cls += " gone"
		}
		label := n.acct.Handle
		if label == "" {
			label = n.acct.ID
		}
		tip := fmt.Sprintf("@%s — cluster %s", label, clusters[n.cluster].ID)
		if n.acct.Status != "" {
			tip += ", " + n.acct.Status
		}
		c.Circles = append(c.Circles, circle{CX: x, CY: y, R: r, Class: cls, Tip: tip})
	}
	return c, len(nodes), shown
}

// cell is one cluster's drawing: positions in the unit square, scaled to side × side and
// placed at (x, y) by pack.
type cell struct {
	pos        []Point
	side, x, y float64
}

// pack places cells on shelves, in order, left to right, starting a new shelf when the row
// would exceed about 1.4 × the square root of the total area; cells are separated by a
// margin of 0.6 (in node-spacing units).
func pack(cells []cell) {
	const margin = 0.6
	var area, widest float64
	for _, c := range cells {
		area += (c.side + margin) * (c.side + margin)
		widest = math.Max(widest, c.side+margin)
	}
	limit := math.Max(1.4*math.Sqrt(area), widest)
	var x, y, rowH float64
	for i := range cells {
		w := cells[i].side + margin
		if x > 0 && x+w > limit {
			x, y, rowH = 0, y+rowH, 0
		}
		cells[i].x, cells[i].y = x, y
		x += w
		rowH = math.Max(rowH, w)
	}
}
