package amplify

import (
	"fmt"
	"maps"
	"slices"
)

// ReplicationRow sets one published figure of a reference study beside this study's, with the
// definition used for it here (docs/metrics.md).
type ReplicationRow struct {
	Group      string  `json:"group"`  // actor group the figure is of ("" = total)
	Metric     string  `json:"metric"` // what is counted
	Published  string  `json:"published"`
	Reference  float64 `json:"reference"` // the published figure as a number (a bound or an approximation)
	Value      float64 `json:"value"`     // this study's figure
	Share      bool    `json:"share"`
	Found      bool    `json:"found"` // false when the study has no such group
	Definition string  `json:"definition"`
}

type published struct {
	group, metric, text string
	ref                 float64
	keys                []string // headline keys summed for this study's figure
	share               bool
	def                 string
}

// references are the published figures of the reference studies, by preset name.
var references = map[string][]published{
	// Oxford Internet Institute and Associated Press, "China's diplomats and state media", June
	// 2020 – February 2021 (the seed of the prc-2021 simulator preset).
	"prc-2021": {
		{"diplomats", "accounts", "189", 189, []string{"watch_accounts"}, false, "watchlist accounts of the group"},
		{"diplomats", "countries", "≥ 126", 126, []string{"countries"}, false, "distinct countries of the included accounts (ministry: CN)"},
		{"diplomats", "posts", "201,382 tweets", 201382, []string{"posts"}, false, "posts by the group's accounts in the window, all kinds"},
		{"diplomats", "likes", "~7 M", 7e6, []string{"likes"}, false, "Σ latest public like counts over the group's posts (reposts excluded)"},
		{"diplomats", "reposts", "1.3 M retweets", 1.3e6, []string{"reposts"}, false, "Σ latest public repost counts over the group's posts"},
		{"diplomats", "replies", "1 M replies", 1e6, []string{"replies"}, false, "Σ latest public reply counts over the group's posts"},
		{"diplomats", "labelled", "14 %", 0.14, []string{"label_share"}, true, "included accounts whose latest label as of the label date is government or state_media"},
		{"diplomats", "top 1 % share of reposts", "nearly half", 0.47, []string{"top_share.1"}, true, "reposts by the ⌈1 % · n⌉ most active reposting accounts ÷ all target reposts (n = reposters, the study's rule)"},
		{"diplomats", "reposts from later-suspended accounts", "more than 1 in 10", 0.10, []string{"suspended_repost_share"}, true, "target reposts by accounts suspended as of the status date ÷ target reposts"},
		{"state_media", "accounts", "176", 176, []string{"watch_accounts"}, false, "watchlist accounts of the group"},
		{"state_media", "posts", "~700 k", 700000, []string{"posts"}, false, "posts by the group's accounts in the window, all kinds"},
		{"state_media", "likes", "355 M", 355e6, []string{"likes"}, false, "Σ latest public like counts over the group's posts (the study's figure includes Facebook)"},
		{"state_media", "comments and shares", "> 27 M", 27e6, []string{"replies", "reposts", "quotes"}, false, "Σ latest public reply + repost + quote counts over the group's posts"},
	},
}

// ReferenceNames lists the presets that Replication knows.
func ReferenceNames() []string { return slices.Sorted(maps.Keys(references)) }

// Replication returns the reference study's published figures beside f's, metric by metric.
// A figure of a group is read from f.ActorGroups (a group the study lacks gives Found false).
func Replication(name string, f Findings) ([]ReplicationRow, error) {
	refs, ok := references[name]
	if !ok {
		return nil, fmt.Errorf("no reference study %q (known: %v)", name, ReferenceNames())
	}
	total := map[string]float64{}
	for _, m := range f.Headline() {
		total[m.Key] = m.Value
	}
	var out []ReplicationRow
	for _, r := range refs {
		figs, found := total, true
		if r.group != "" {
			found = false
			for _, g := range f.ActorGroups {
				if g.Name == r.group {
					figs, found = g.Figures, true
				}
			}
		}
		row := ReplicationRow{Group: r.group, Metric: r.metric, Published: r.text, Reference: r.ref,
			Share: r.share, Found: found, Definition: r.def}
		if found {
			for _, k := range r.keys {
				row.Value += figs[k]
			}
		}
		out = append(out, row)
	}
	return out, nil
}
