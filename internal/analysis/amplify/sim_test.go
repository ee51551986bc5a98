package amplify

import (
	"context"
	"encoding/json"
	"maps"
	"math"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/ingest/all"
	"github.com/echotrace/echotrace/internal/simulate"
)

// TestSimulatedWorld: a prc-2021 world at scale 0.01, written by the simulator, imported by
// the connectors into a store, analysed: every headline figure of truth.json (computed by the
// simulator's own, independent implementation) must match exactly (to 1e-9, relative: the
// two sum in different orders), for the whole watchlist and the diplomat and state-media subsets, both
// computed with an actor-type filter and as the default actor groups of the whole run.
//
// With ECHOTRACE_SEED_SCALE=1 (minutes: simulate, import and analyse 4 M tweets) it runs at
// that scale and also checks the per-group findings against the reference study's published
// figures (seedChecks).
func TestSimulatedWorld(t *testing.T) {
	if testing.Short() {
		t.Skip("simulate + import + analyze: skipped with -short")
	}
	scale := 0.01
	if v := os.Getenv("ECHOTRACE_SEED_SCALE"); v != "" {
		var err error
		if scale, err = strconv.ParseFloat(v, 64); err != nil {
			t.Fatalf("ECHOTRACE_SEED_SCALE %q: %v", v, err)
		}
	}
	ctx := context.Background()
	out := t.TempDir()
	truth, err := simulate.Run(ctx, simulate.Config{Scale: scale, Seed: 11, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	db := openStore(t)
	reg, err := all.New(all.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Run(ctx, reg, db, []string{out}, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	// truth's window is half-open [since, until): the last second inside is until − 1 s.
	base := Params{Since: truth.Window.Since, Until: truth.Window.Until.Add(-time.Second),
		AsOf: truth.AsOf.Status, LabelAsOf: truth.AsOf.Label}
	loadBoth(t, db, base) // the snapshot's input is the views'
	in, err := Load(ctx, db, base)
	if err != nil {
		t.Fatal(err)
	}
	diplomats := []string{"ministry", "ambassador", "embassy", "consulate", "staff"}
	whole, err := Compute(in, base)
	if err != nil {
		t.Fatal(err)
	}
	groups := map[string]map[string]float64{}
	for _, g := range whole.ActorGroups {
		groups[g.Name] = g.Figures
	}
	for _, tc := range []struct {
		name   string
		filter []string
		group  string // compare the whole run's actor group of this name instead
		want   simulate.Figures
	}{
		{"all", nil, "", truth.Expected},
		{"diplomats", diplomats, "", truth.Subsets["diplomats"]},
		{"state_media", []string{"state_media"}, "", truth.Subsets["state_media"]},
		{"group diplomats", nil, "diplomats", truth.Subsets["diplomats"]},
		{"group state_media", nil, "state_media", truth.Subsets["state_media"]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got map[string]float64
			if tc.group != "" {
				got = groups[tc.group]
				if got == nil {
					t.Fatalf("no actor group %q in %v", tc.group, whole.ActorGroups)
				}
				got = maps.Clone(got) // keys already as asMap gives them ("top_share.1")
				got["fast_amplifier_base"] = got["heavy_amplifiers"]
			} else {
				p := base
				p.Filter.ActorTypes = tc.filter
				f, err := Compute(in, p)
				if err != nil {
					t.Fatal(err)
				}
				got = asMap(t, f)
				got["fast_amplifier_base"] = float64(f.HeavyAmplifiers)
			}
			want := asMap(t, tc.want)
			if len(want) < 15 {
				t.Fatalf("truth has only %d figures: %v", len(want), want)
			}
			for k, w := range want {
				g, ok := got[k]
				if !ok {
					t.Errorf("%s: not in the findings", k)
					continue
				}
				tol := math.Max(1e-9*math.Abs(w), 1e-12)
				if math.Abs(g-w) > tol {
					t.Errorf("%s: findings %v, truth %v", k, g, w)
				}
			}
		})
	}
	if scale >= 1 {
		seedChecks(t, groups)
	}
}

// seedChecks compares the per-group findings of a scale-1 world with the reference study's
// published figures (docs/simulate.md states the tolerances: post counts ±1 %, engagement
// ±(5 % + 1.5 %) and likes ±(10 % + 1.5 %), the label share ±5 % relative, the top 1 % share of
// reposting accounts 45–50 %, the suspended share > 10 %).
func seedChecks(t *testing.T, g map[string]map[string]float64) {
	t.Helper()
	d, s := g["diplomats"], g["state_media"]
	if d == nil || s == nil {
		t.Fatalf("groups %v", g)
	}
	near := func(name string, got, want, rel float64) {
		if math.Abs(got-want) > rel*want {
			t.Errorf("%s: %.4g, published %.4g (± %.1f %%)", name, got, want, rel*100)
		}
	}
	if d["watch_accounts"] != 189 || d["countries"] < 126 || s["watch_accounts"] != 176 {
		t.Errorf("diplomats %v in %v countries, state media %v: want 189 in ≥ 126, 176", d["watch_accounts"], d["countries"], s["watch_accounts"])
	}
	t.Logf("diplomats: %v accounts, %v countries, %v posts, %.3g likes, %.3g reposts, %.3g replies, labelled %.3f, top 1 %% %.3f, suspended %.3f; state media: %v accounts, %v posts, %.4g likes, %.4g comments and shares",
		d["watch_accounts"], d["countries"], d["posts"], d["likes"], d["reposts"], d["replies"], d["label_share"], d["top_share.1"],
		d["suspended_repost_share"], s["watch_accounts"], s["posts"], s["likes"], s["replies"]+s["reposts"]+s["quotes"])
	near("diplomat posts", d["posts"], 201382, 0.01)
	near("diplomat likes", d["likes"], 7e6, 0.115)
	near("diplomat reposts", d["reposts"], 1.3e6, 0.065)
	near("diplomat replies", d["replies"], 1e6, 0.065)
	near("diplomat label share", d["label_share"], 0.14, 0.05)
	if top := d["top_share.1"]; top < 0.45 || top > 0.50 {
		t.Errorf("diplomats' top 1 %% share %.3f, published nearly half (45–50 %%)", top)
	}
	if d["suspended_repost_share"] <= 0.10 {
		t.Errorf("diplomats' suspended repost share %.3f, published more than 1 in 10", d["suspended_repost_share"])
	}
	near("state-media posts", s["posts"], 700000, 0.01)
	near("state-media likes", s["likes"], 355e6, 0.115)
	if cs := s["replies"] + s["reposts"] + s["quotes"]; cs < 27e6 {
		t.Errorf("state-media comments and shares %.4g, published more than 27 M", cs)
	}
}

// asMap flattens a JSON object of numbers (top_share keys become "top_share.p").
func asMap(t *testing.T, v any) map[string]float64 {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for k, x := range m {
		switch x := x.(type) {
		case float64:
			out[k] = x
		case map[string]any:
			if k == "top_share" {
				for p, y := range x {
					out["top_share."+p], _ = y.(float64)
				}
			}
		}
	}
	return out
}
