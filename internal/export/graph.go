package export

import (
	"bufio"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/echotrace/echotrace/internal/analysis/coord"
	"github.com/echotrace/echotrace/internal/store"
)

// Graph is the coordination network as written to GEXF and GraphML.
type Graph struct {
	Nodes []Node
	Edges []Edge
}

// Node is an account of the coordination network.
type Node struct {
	ID        string
	Label     string // handle (pseudonym unless revealed), else the id
	Cluster   int64  // -1: in no reported cluster
	Score     float64
	Suspended bool
	Deleted   bool
	Followers int64 // -1: unknown
}

// Edge is a coordination edge; PerSignal counts co-actions per signal in coord.AllSignals
// order.
type Edge struct {
	Source, Target string
	Weight         float64
	Count          int64
	Score          float64
	PValue         float64
	Signals        string // "co-repost:3;co-text:1"
	PerSignal      []int64
}

// graph builds the network of the coordination result: every scored account and every edge
// end, with statuses and followers from the store.
func (s *study) graph(ctx context.Context, q store.Querier) (Graph, error) {
	type info struct {
		handle    string
		followers int64
	}
	accts := map[string]info{}
	err := scan(ctx, q, `SELECT platform, id, coalesce(handle, ''), coalesce(followers, -1) FROM accounts`, func(r []any) {
		if p, id := str(r[0]), str(r[1]); s.platform(id) == p {
			accts[id] = info{str(r[2]), r[3].(int64)}
		}
	}, kString, kString, kString, kInt)
	if err != nil {
		return Graph{}, fmt.Errorf("read accounts: %w", err)
	}
	status := map[string]string{}
	err = scan(ctx, q, `SELECT platform, account_id, status FROM status_observations WHERE account_id IS NOT NULL ORDER BY observed_at, status`, func(r []any) {
		if p, id := str(r[0]), str(r[1]); s.platform(id) == p {
			status[id] = str(r[2])
		}
	}, kString, kString, kString)
	if err != nil {
		return Graph{}, fmt.Errorf("read statuses: %w", err)
	}
	var g Graph
	seen := map[string]bool{}
	node := func(id string, cluster int64, score float64) {
		if seen[id] {
			return
		}
		seen[id] = true
		a, ok := accts[id]
		if !ok {
			a.followers = -1
		}
		p := s.platform(id)
		label := s.m.Handle(p, id, a.handle)
		if label == "" {
			label = s.id(id)
		}
		g.Nodes = append(g.Nodes, Node{ID: s.id(id), Label: label, Cluster: cluster, Score: score,
			Suspended: status[id] == "suspended", Deleted: status[id] == "deleted", Followers: a.followers})
	}
	for _, a := range s.coord.Accounts {
		node(a.ID, int64(a.Cluster), a.Score)
	}
	for _, e := range s.coord.Edges {
		node(e.Source, -1, 0)
		node(e.Target, -1, 0)
		src, dst, _ := s.pair(e)
		per := make([]int64, len(coord.AllSignals))
		for i, sg := range coord.AllSignals {
			per[i] = int64(e.Signals[sg])
		}
		g.Edges = append(g.Edges, Edge{Source: src, Target: dst, Weight: e.Weight, Count: int64(e.Count),
			Score: e.Score, PValue: e.PValue, Signals: signalList(e.Signals), PerSignal: per})
	}
	sort.SliceStable(g.Nodes, func(i, j int) bool { return g.Nodes[i].ID < g.Nodes[j].ID })
	sort.SliceStable(g.Edges, func(i, j int) bool {
		if g.Edges[i].Source != g.Edges[j].Source {
			return g.Edges[i].Source < g.Edges[j].Source
		}
		return g.Edges[i].Target < g.Edges[j].Target
	})
	return g, nil
}

// attr describes a node or edge attribute of the graph formats.
type attr struct {
	id, gexfType, graphmlType string
}

var nodeAttrs = []attr{
	{"cluster", "long", "long"}, {"score", "double", "double"}, {"suspended", "boolean", "boolean"},
	{"deleted", "boolean", "boolean"}, {"followers", "long", "long"},
}

func edgeAttrs() []attr {
	as := []attr{{"count", "long", "long"}, {"score", "double", "double"}, {"p_value", "double", "double"},
		{"signals", "string", "string"}}
	for _, sg := range coord.AllSignals {
		as = append(as, attr{signalColumn(sg), "long", "long"})
	}
	return as
}

func (n Node) values() []string {
	return []string{strconv.FormatInt(n.Cluster, 10), formatFloat(n.Score), strconv.FormatBool(n.Suspended),
		strconv.FormatBool(n.Deleted), strconv.FormatInt(n.Followers, 10)}
}

func (e Edge) values() []string {
	v := []string{strconv.FormatInt(e.Count, 10), formatFloat(e.Score), formatFloat(e.PValue), e.Signals}
	for _, n := range e.PerSignal {
		v = append(v, strconv.FormatInt(n, 10))
	}
	return v
}

// xmlWriter writes elements with encoding/xml's escaping of every attribute and text.
type xmlWriter struct {
	enc *xml.Encoder
	err error
}

func (x *xmlWriter) start(name string, attrs ...string) {
	if x.err != nil {
		return
	}
	el := xml.StartElement{Name: xml.Name{Local: name}}
	for i := 0; i+1 < len(attrs); i += 2 {
		el.Attr = append(el.Attr, xml.Attr{Name: xml.Name{Local: attrs[i]}, Value: attrs[i+1]})
	}
	x.err = x.enc.EncodeToken(el)
}

func (x *xmlWriter) end(name string) {
	if x.err == nil {
		x.err = x.enc.EncodeToken(xml.EndElement{Name: xml.Name{Local: name}})
	}
}

func (x *xmlWriter) empty(name string, attrs ...string) {
	x.start(name, attrs...)
	x.end(name)
}

func (x *xmlWriter) text(name, s string, attrs ...string) {
	x.start(name, attrs...)
	if x.err == nil {
		x.err = x.enc.EncodeToken(xml.CharData(s))
	}
	x.end(name)
}

func newXMLWriter(w io.Writer) (*xmlWriter, *bufio.Writer) {
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString(xml.Header)
	enc := xml.NewEncoder(bw)
	enc.Indent("", " ")
	return &xmlWriter{enc: enc}, bw
}

func (x *xmlWriter) finish(bw *bufio.Writer) error {
	if x.err == nil {
		x.err = x.enc.Flush()
	}
	if x.err == nil {
		_, x.err = bw.WriteString("\n")
	}
	if x.err == nil {
		x.err = bw.Flush()
	}
	return x.err
}

// WriteGEXF writes the graph as GEXF 1.3 (namespace http://gexf.net/1.3): an undirected static
// graph with the node attributes cluster, score, suspended, deleted, followers and the edge
// attributes count, score, p_value, signals and one count per signal; the edge weight is the
// GEXF weight. now dates the meta element.
func (g Graph) WriteGEXF(w io.Writer, now time.Time) error {
	x, bw := newXMLWriter(w)
	x.start("gexf", "xmlns", "http://gexf.net/1.3", "version", "1.3")
	x.start("meta", "lastmodifieddate", now.UTC().Format("2006-01-02"))
	x.text("creator", "echotrace")
	x.text("description", "Coordination network: accounts (nodes) joined by co-actions within the coordination window (edges)")
	x.end("meta")
	x.start("graph", "defaultedgetype", "undirected", "mode", "static")
	for _, class := range []struct {
		name  string
		attrs []attr
	}{{"node", nodeAttrs}, {"edge", edgeAttrs()}} {
		x.start("attributes", "class", class.name)
		for _, a := range class.attrs {
			x.empty("attribute", "id", a.id, "title", a.id, "type", a.gexfType)
		}
		x.end("attributes")
	}
	x.start("nodes", "count", strconv.Itoa(len(g.Nodes)))
	for _, n := range g.Nodes {
		x.start("node", "id", n.ID, "label", n.Label)
		x.start("attvalues")
		for i, v := range n.values() {
			x.empty("attvalue", "for", nodeAttrs[i].id, "value", v)
		}
		x.end("attvalues")
		x.end("node")
	}
	x.end("nodes")
	x.start("edges", "count", strconv.Itoa(len(g.Edges)))
	ea := edgeAttrs()
	for i, e := range g.Edges {
		x.start("edge", "id", strconv.Itoa(i), "source", e.Source, "target", e.Target, "weight", formatFloat(e.Weight))
		x.start("attvalues")
		for j, v := range e.values() {
			x.empty("attvalue", "for", ea[j].id, "value", v)
		}
		x.end("attvalues")
		x.end("edge")
	}
	x.end("edges")
	x.end("graph")
	x.end("gexf")
	return x.finish(bw)
}

// WriteGraphML writes the graph as GraphML (namespace http://graphml.graphdrawing.org/xmlns)
// with the same attributes as WriteGEXF plus label (nodes) and weight (edges) as data keys.
func (g Graph) WriteGraphML(w io.Writer, _ time.Time) error {
	x, bw := newXMLWriter(w)
	x.start("graphml", "xmlns", "http://graphml.graphdrawing.org/xmlns")
	x.empty("key", "id", "n_label", "for", "node", "attr.name", "label", "attr.type", "string")
	for _, a := range nodeAttrs {
		x.empty("key", "id", "n_"+a.id, "for", "node", "attr.name", a.id, "attr.type", a.graphmlType)
	}
	x.empty("key", "id", "e_weight", "for", "edge", "attr.name", "weight", "attr.type", "double")
	ea := edgeAttrs()
	for _, a := range ea {
		x.empty("key", "id", "e_"+a.id, "for", "edge", "attr.name", a.id, "attr.type", a.graphmlType)
	}
	x.start("graph", "id", "coordination", "edgedefault", "undirected")
	for _, n := range g.Nodes {
		x.start("node", "id", n.ID)
		x.text("data", n.Label, "key", "n_label")
		for i, v := range n.values() {
			x.text("data", v, "key", "n_"+nodeAttrs[i].id)
		}
		x.end("node")
	}
	for i, e := range g.Edges {
		x.start("edge", "id", "e"+strconv.Itoa(i), "source", e.Source, "target", e.Target)
		x.text("data", formatFloat(e.Weight), "key", "e_weight")
		for j, v := range e.values() {
			x.text("data", v, "key", "e_"+ea[j].id)
		}
		x.end("edge")
	}
	x.end("graph")
	x.end("graphml")
	return x.finish(bw)
}
