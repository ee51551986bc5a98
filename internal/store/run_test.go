package store

import (
	"strings"
	"testing"
	"time"
)

// TestJudgeResults covers the rule by which report, export and serve flag stored results
// (issue 14, item 2): results belong together when one run wrote both or one run read the
// other's result; unknown runs are flagged only beside known ones; results are stale when their
// run saw an earlier import (or, for an unknown run, were stored before it finished).
func TestJudgeResults(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2024, 5, 2, 10, 0, 0, 0, time.UTC)
	analyze := &Run{ID: 1, Command: "analyze", At: t0, ImportID: 4, Results: []string{"coord", "findings"}}
	coord := &Run{ID: 2, Command: "coord", At: t0.Add(time.Minute), ImportID: 4, Results: []string{"coord"}}
	noCoord := &Run{ID: 3, Command: "analyze", At: t0.Add(2 * time.Minute), ImportID: 4, Results: []string{"findings"}, Inputs: map[string]int64{"coord": 2}}
	noClusters := &Run{ID: 4, Command: "analyze", At: t0, ImportID: 4, Results: []string{"findings"}}
	latest := &ImportMark{ID: 4, Source: "/home/a/data/x.jsonl", Finished: t0.Add(-time.Hour)}
	o := func(name string, r *Run, at time.Time) ResultOrigin {
		return ResultOrigin{Name: name, Run: r, StoredAt: at}
	}
	for _, tc := range []struct {
		name         string
		origins      []ResultOrigin
		latest       *ImportMark
		mixed, stale bool
		want         string // a warning contains it, if set
	}{
		{name: "one run", origins: []ResultOrigin{o("findings", analyze, t0), o("coord", analyze, t0)}, latest: latest},
		{name: "findings read the clusters", origins: []ResultOrigin{o("findings", noCoord, t0), o("coord", coord, t0)}, latest: latest},
		{name: "coord after analyze", origins: []ResultOrigin{o("findings", analyze, t0), o("coord", coord, t0)}, latest: latest, mixed: true,
			want: "the findings from run 1 (echotrace analyze, 2024-05-02 10:00:00 UTC), the clusters from run 2 (echotrace coord, 2024-05-02 10:01:00 UTC). The findings were computed with the clusters of run 1, not with these."},
		{name: "findings without clusters", origins: []ResultOrigin{o("findings", noClusters, t0), o("coord", coord, t0)}, mixed: true,
			want: "The findings were computed without clusters."},
		{name: "both unknown", origins: []ResultOrigin{o("findings", nil, t0), o("coord", nil, t0)}, latest: latest},
		{name: "unknown beside known", origins: []ResultOrigin{o("findings", nil, t0), o("coord", coord, t0)}, mixed: true,
			want: "the findings from a run unknown (stored 2024-05-02 10:00:00 UTC"},
		{name: "stale run", origins: []ResultOrigin{o("findings", analyze, t0), o("coord", analyze, t0)}, latest: &ImportMark{ID: 5, Source: "/home/a/y.jsonl", Finished: t0}, stale: true,
			want: "The findings of run 1 (echotrace analyze, 2024-05-02 10:00:00 UTC) and the clusters of run 1 (echotrace analyze, 2024-05-02 10:00:00 UTC) were computed before the latest import, 5 of y.jsonl"},
		{name: "stale unknown", origins: []ResultOrigin{o("findings", nil, t0), o("coord", nil, t0)}, latest: &ImportMark{ID: 5, Finished: t0.Add(time.Second)}, stale: true},
		{name: "nothing stored", latest: latest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Judge(tc.origins, tc.latest)
			if s.Mixed != tc.mixed || s.Stale != tc.stale || s.OK() != (len(s.Warnings) == 0) {
				t.Errorf("mixed %v stale %v, want %v %v; warnings %q", s.Mixed, s.Stale, tc.mixed, tc.stale, s.Warnings)
			}
			if tc.want != "" && !strings.Contains(strings.Join(s.Warnings, "\n"), tc.want) {
				t.Errorf("warnings %q\nwant one containing %q", s.Warnings, tc.want)
			}
			if s.LatestImport != nil && strings.Contains(s.LatestImport.Source, "/") {
				t.Errorf("latest import names folders: %q", s.LatestImport.Source)
			}
		})
	}
}
