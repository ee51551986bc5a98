package web

import (
	"bytes"
	"embed"
	"fmt"
	"github.com/echotrace/echotrace/internal/analysis/amplify"
	"html/template"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/echotrace/echotrace/internal/report"
)

//go:embed templates/*.html.tmpl
var templateFS embed.FS

var funcs = template.FuncMap{
	"num": func(v any) string {
		switch n := v.(type) {
		case int:
			return amplify.GroupDigits(int64(n))
		case int64:
			return amplify.GroupDigits(n)
		case *int64:
			if n == nil {
				return "?"
			}
			return amplify.GroupDigits(*n)
		case float64:
			return amplify.GroupDigits(int64(math.Round(n)))
		}
		return fmt.Sprint(v)
	},
	"pct":     pctText,
	"width":   func(v float64) string { return strconv.FormatFloat(math.Round(clamp01(v)*1000)/10, 'f', -1, 64) },
	"dur":     durText,
	"date":    func(t time.Time) string { return t.UTC().Format("2006-01-02") },
	"stamp":   func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
	"inc":     func(i int) int { return i + 1 },
	"signals": signalText,
	"join":    func(v []string) string { return strings.Join(v, ", ") },
	// Every untrusted value goes through one of these (see report.Isolate).
	"plain": report.StripBidi,
	"bdi":   report.Isolate,
}

var (
	dashboardTmpl = template.Must(template.New("dashboard.html.tmpl").Funcs(funcs).ParseFS(templateFS, "templates/base.html.tmpl", "templates/dashboard.html.tmpl"))
	clusterTmpl   = template.Must(template.New("cluster.html.tmpl").Funcs(funcs).ParseFS(templateFS, "templates/base.html.tmpl", "templates/cluster.html.tmpl"))
)

// Caps of the HTML pages; the JSON API pages through everything.
const (
	pageClusters   = 200
	pageAmplifiers = 50
	pageWeeks      = 52
	pageMembers    = 200
)

type countRow struct {
	Name string
	N    int64
}

type dashboardView struct {
	Title          string
	O              overviewView
	Headline       []headRow // the headline findings: the total, then each actor group
	Groups         []string  // actor group names, the headline's columns after the total
	GroupsFrom     string    // where the groups were defined, for people
	Counts         []countRow
	Lorenz         string // SVG polyline points
	Gini           float64
	Weeks          []weekView
	WeeksHidden    int
	Clusters       []clusterSummary
	ClustersHidden int
	Amplifiers     []ampRow
}

// headRow is a headline measure: the total's value and each actor group's ("" when the group
// lacks it), as findings prints them.
type headRow struct {
	Key, Label, Total string
	Groups            []string
}

// groupsFrom says where a run's actor groups were defined (amplify.GroupsFrom…).
func groupsFrom(source string) string {
	switch source {
	case amplify.GroupsFromSettings:
		return "the study's echotrace.toml"
	case amplify.GroupsFromFlags:
		return "--actor-group"
	case amplify.GroupsFromDefaults:
		return "the built-in groups"
	}
	return ""
}

// ampRow is a top amplifier on the dashboard.
type ampRow struct {
	Account   accountView
	Reposts   int64
	Share     float64
	MedianGap float64
	Cluster   string
}

// renderDashboard renders the dashboard page once: its data cannot change while served.
func renderDashboard(ov overviewView, f amplify.Findings, sn *snapshot, pin report.Input) ([]byte, error) {
	v := dashboardView{Title: "echotrace dashboard", O: ov, Gini: ov.Values["gini"], GroupsFrom: groupsFrom(ov.ActorGroupsSource)}
	if ov.Analysed {
		for _, g := range f.ActorGroups {
			v.Groups = append(v.Groups, g.Name)
		}
		for _, m := range f.Headline() {
			r := headRow{Key: m.Key, Label: m.Label, Total: m.Text()}
			for _, g := range f.ActorGroups {
				t := ""
				if x, ok := g.Figures[m.Key]; ok {
					gm := m
					gm.Value = x
					t = gm.Text()
				}
				r.Groups = append(r.Groups, t)
			}
			v.Headline = append(v.Headline, r)
		}
	}
	if ov.Study != "" {
		v.Title = "echotrace · " + ov.Study
	}
	for _, k := range []string{"accounts", "posts", "engagements", "shares", "watchlist", "status_observations", "label_observations", "rejects"} {
		v.Counts = append(v.Counts, countRow{strings.ReplaceAll(k, "_", " "), ov.Counts[k]})
	}
	if len(pin.Lorenz) > 1 {
		var b strings.Builder
		for i, p := range pin.Lorenz {
			if i > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%.1f,%.1f", 30+200*clamp01(p.X), 210-200*clamp01(p.Y))
		}
		v.Lorenz = b.String()
	}
	v.Weeks = sn.weekly[""]
	if n := len(v.Weeks); n > pageWeeks {
		v.WeeksHidden = n - pageWeeks
		v.Weeks = v.Weeks[n-pageWeeks:]
	}
	v.Clusters = sn.clusters
	if len(v.Clusters) > pageClusters {
		v.ClustersHidden = len(v.Clusters) - pageClusters
		v.Clusters = v.Clusters[:pageClusters]
	}
	for _, a := range pin.Amplifiers[:min(len(pin.Amplifiers), pageAmplifiers)] {
		v.Amplifiers = append(v.Amplifiers, ampRow{Account: sn.view(a.Account), Reposts: a.Reposts, Share: a.Share,
			MedianGap: a.MedianGap, Cluster: a.Cluster})
	}
	var buf bytes.Buffer
	if err := dashboardTmpl.Execute(&buf, v); err != nil {
		return nil, fmt.Errorf("render dashboard: %w", err)
	}
	return buf.Bytes(), nil
}

type clusterPageView struct {
	C             *clusterCard
	Members       []memberView
	MembersHidden int
	Pseudonymised bool
}

func (s *Server) clusterPage(w http.ResponseWriter, r *http.Request, sn *snapshot) {
	c, ok := cardOf(r, sn)
	if !ok {
		writeBytes(w, http.StatusNotFound, "text/plain; charset=utf-8", []byte("no such cluster\n"))
		return
	}
	v := clusterPageView{C: c, Members: c.Members, Pseudonymised: !sn.reveal}
	if len(v.Members) > pageMembers {
		v.MembersHidden = len(v.Members) - pageMembers
		v.Members = v.Members[:pageMembers]
	}
	var buf bytes.Buffer
	if err := clusterTmpl.Execute(&buf, v); err != nil {
		writeBytes(w, http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("render cluster page failed\n"))
		return
	}
	writeBytes(w, http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
}

func clamp01(x float64) float64 {
	if math.IsNaN(x) || x < 0 {
		return 0
	}
	return min(x, 1)
}

func pctText(v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	p := v * 100
	if p != 0 && math.Abs(p) < 1 {
		return strconv.FormatFloat(p, 'f', 2, 64) + " %"
	}
	return strconv.FormatFloat(p, 'f', 1, 64) + " %"
}

// durText writes seconds for people; negative values mean unknown.
func durText(sec float64) string {
	switch {
	case sec < 0 || math.IsNaN(sec):
		return "–"
	case sec < 60:
		return strconv.FormatFloat(math.Round(sec*10)/10, 'f', -1, 64) + " s"
	case sec < 3600:
		return strconv.FormatFloat(math.Round(sec/6)/10, 'f', -1, 64) + " min"
	case sec < 86400:
		return strconv.FormatFloat(math.Round(sec/360)/10, 'f', -1, 64) + " h"
	}
	return strconv.FormatFloat(math.Round(sec/8640)/10, 'f', -1, 64) + " d"
}

func signalText(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + " (" + strconv.Itoa(m[k]) + ")"
	}
	return strings.Join(parts, ", ")
}
