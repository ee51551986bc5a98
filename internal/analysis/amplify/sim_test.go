package amplify

import (
	"context"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/ingest/all"
	"github.com/echotrace/echotrace/internal/simulate"
)

// TestSimulatedWorld: a prc-2021 world at scale 0.01, written by the simulator, imported by
// the connectors into a store, analysed: every headline figure of truth.json (computed by the
// simulator's own, independent implementation) must match within 2 % (relative; absolute
// 0.002 for shares), for the whole watchlist and the diplomat and state-media subsets.
func TestSimulatedWorld(t *testing.T) {
	if testing.Short() {
		t.Skip("simulate + import + analyze: skipped with -short")
	}
	ctx := context.Background()
	out := t.TempDir()
	truth, err := simulate.Run(ctx, simulate.Config{Scale: 0.01, Seed: 11, Out: out})
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
	in, err := Load(ctx, db, base)
	if err != nil {
		t.Fatal(err)
	}
	diplomats := []string{"ministry", "ambassador", "embassy", "consulate", "staff"}
	for _, tc := range []struct {
		name   string
		filter []string
		want   simulate.Figures
	}{
		{"all", nil, truth.Expected},
		{"diplomats", diplomats, truth.Subsets["diplomats"]},
		{"state_media", []string{"state_media"}, truth.Subsets["state_media"]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := base
			p.Filter.ActorTypes = tc.filter
			f, err := Compute(in, p)
			if err != nil {
				t.Fatal(err)
			}
			got, want := asMap(t, f), asMap(t, tc.want)
			got["fast_amplifier_base"] = float64(f.HeavyAmplifiers)
			if len(want) < 15 {
				t.Fatalf("truth has only %d figures: %v", len(want), want)
			}
			for k, w := range want {
				g, ok := got[k]
				if !ok {
					t.Errorf("%s: not in the findings", k)
					continue
				}
				tol := math.Max(0.02*math.Abs(w), 1e-9)
				if w <= 1 && k != "watch_accounts" {
					tol = math.Max(tol, 0.002) // shares
				}
				if math.Abs(g-w) > tol {
					t.Errorf("%s: findings %v, truth %v", k, g, w)
				}
			}
		})
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
