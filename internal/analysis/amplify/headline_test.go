package amplify

import "testing"

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
