package amplify

import (
	"math"
	"testing"
)

func TestHeadlineText(t *testing.T) {
	t.Parallel()
	f := handExpected()
	got := map[string]string{}
	for _, m := range f.Headline() {
		got[m.Key] = m.Text()
	}
	for k, want := range map[string]string{
		"since":                  "2021-01-04",
		"until":                  "2021-01-17",
		"posts":                  "9",
		"likes":                  "143",
		"top_share.10":           "42.1 %", // 8/19
		"suspended_repost_share": "31.6 %", // 6/19
		"gini":                   "0.306",  // 64/209
		"status_as_of":           "2021-03-01",
		"heavy_amplifiers":       "2",
	} {
		if got[k] != want {
			t.Errorf("%s: %q, want %q", k, got[k], want)
		}
	}
	if s := (Metric{Key: "status_as_of", Date: true}).Text(); s != "latest" {
		t.Errorf("unbounded status date: %q", s)
	}
	if s := (Metric{Value: 1300000}).Text(); s != "1,300,000" {
		t.Errorf("thousands: %q", s)
	}
}

// TestReplication: the prc-2021 table reads each figure from its actor group (the hand
// fixture's diplomats: 4 watch accounts, 7 posts, likes 43, top 1 % 3/16; state media: replies
// 5 + reposts 20 + quotes 2 = 27 as "comments and shares"), and a group the study lacks is
// marked, not zero-filled silently.
func TestReplication(t *testing.T) {
	f, err := Compute(batchInput(handFixture()), handParams())
	if err != nil {
		t.Fatal(err)
	}
	rows, err := Replication("prc-2021", f)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]ReplicationRow{}
	for _, r := range rows {
		got[r.Group+"/"+r.Metric] = r
	}
	for k, want := range map[string]float64{"diplomats/accounts": 4, "diplomats/posts": 7, "diplomats/likes": 43,
		"diplomats/top 1 % share of reposts": 3.0 / 16, "state_media/comments and shares": 27, "state_media/accounts": 1} {
		if r, ok := got[k]; !ok || !r.Found || math.Abs(r.Value-want) > 1e-12 {
			t.Errorf("%s = %+v, want %v", k, r, want)
		}
	}
	if r := got["diplomats/accounts"]; r.Reference != 189 || r.Published != "189" {
		t.Errorf("published diplomat accounts %+v", r)
	}
	f.ActorGroups = f.ActorGroups[:1]
	rows, _ = Replication("prc-2021", f)
	for _, r := range rows {
		if r.Group == "state_media" && r.Found {
			t.Errorf("state media found without its group: %+v", r)
		}
	}
	if _, err := Replication("nope", f); err == nil {
		t.Error("an unknown reference study was accepted")
	}
}
