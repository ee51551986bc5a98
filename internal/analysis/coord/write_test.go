package coord

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"testing"
)

func TestWriters(t *testing.T) {
	t.Parallel()
	res, err := Detect(t.Context(), handInput(), Params{MinWeight: 1, Alpha: -1, Algorithm: Components}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteEdgesCSV(&buf, res); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[0][0] != "source" || rows[0][1] != "target" || rows[0][2] != "weight" || rows[0][4] != "co-repost" {
		t.Errorf("csv header %v, %d rows", rows[0], len(rows))
	}
	if rows[1][0] != "a" || rows[1][1] != "b" || rows[1][2] != "3" {
		t.Errorf("first edge %v, want a,b,3", rows[1])
	}
	buf.Reset()
	if err := WriteJSON(&buf, res); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Params   map[string]any `json:"params"`
		Clusters []struct {
			ID      *int     `json:"id"`
			Members []string `json:"members"`
			Score   *float64 `json:"score"`
		} `json:"clusters"`
		Accounts []struct {
			ID      string   `json:"id"`
			Cluster *int     `json:"cluster"`
			Score   *float64 `json:"score"`
		} `json:"accounts"`
		Edges []map[string]any `json:"edges"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Params["window_seconds"] != 60.0 || len(doc.Clusters) != 1 || doc.Clusters[0].ID == nil || doc.Clusters[0].Score == nil ||
		len(doc.Clusters[0].Members) != 3 || len(doc.Accounts) != 3 || doc.Accounts[0].Cluster == nil || len(doc.Edges) != 3 {
		t.Errorf("json %s", buf.String())
	}
	buf.Reset()
	if err := WriteGEXF(&buf, res); err != nil {
		t.Fatal(err)
	}
	var g struct {
		Graph struct {
			Nodes []struct {
				ID string `xml:"id,attr"`
			} `xml:"nodes>node"`
			Edges []struct {
				Source string  `xml:"source,attr"`
				Weight float64 `xml:"weight,attr"`
			} `xml:"edges>edge"`
		} `xml:"graph"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Graph.Nodes) != 3 || len(g.Graph.Edges) != 3 || g.Graph.Edges[0].Weight != 3 {
		t.Errorf("gexf %s", buf.String())
	}
}
