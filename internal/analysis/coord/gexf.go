package coord

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
)

// WriteGEXF writes the network as GEXF 1.3 (Gephi): undirected weighted edges; nodes carry
// their cluster and coordination score as attributes. Ids and labels are XML-escaped.
func WriteGEXF(w io.Writer, r Result) error {
	bw := bufio.NewWriter(w)
	esc := func(s string) string {
		var b []byte
		buf := bytesWriter{&b}
		_ = xml.EscapeText(buf, []byte(s))
		return string(b)
	}
	fmt.Fprint(bw, `<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://gexf.net/1.3" version="1.3">
  <meta><creator>echotrace coord</creator><description>co-action network</description></meta>
  <graph defaultedgetype="undirected" mode="static">
    <attributes class="node">
      <attribute id="cluster" title="cluster" type="integer"/>
      <attribute id="score" title="score" type="double"/>
    </attributes>
    <nodes>
`)
	score := map[string]AccountScore{}
	for _, a := range r.Accounts {
		score[a.ID] = a
	}
	seen := map[string]bool{}
	node := func(id string) {
		if seen[id] {
			return
		}
		seen[id] = true
		s, ok := score[id]
		if !ok {
			s.Cluster = -1
		}
		fmt.Fprintf(bw, `      <node id="%s" label="%s"><attvalues><attvalue for="cluster" value="%d"/><attvalue for="score" value="%s"/></attvalues></node>
`, esc(id), esc(id), s.Cluster, strconv.FormatFloat(s.Score, 'g', -1, 64))
	}
	for _, e := range r.Edges {
		node(e.Source)
		node(e.Target)
	}
	fmt.Fprint(bw, "    </nodes>\n    <edges>\n")
	for i, e := range r.Edges {
		fmt.Fprintf(bw, `      <edge id="%d" source="%s" target="%s" weight="%s"/>
`, i, esc(e.Source), esc(e.Target), strconv.FormatFloat(e.Weight, 'g', -1, 64))
	}
	fmt.Fprint(bw, "    </edges>\n  </graph>\n</gexf>\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write gexf: %w", err)
	}
	return nil
}

type bytesWriter struct{ b *[]byte }

func (w bytesWriter) Write(p []byte) (int, error) { *w.b = append(*w.b, p...); return len(p), nil }
