package coord

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/ingest/all"
	"github.com/echotrace/echotrace/internal/simulate"
	"github.com/echotrace/echotrace/internal/store/duckdb"
)

func TestZZSimEval(t *testing.T) {
	scale := 0.05
	if s := os.Getenv("SIM_SCALE"); s != "" {
		scale, _ = strconv.ParseFloat(s, 64)
	}
	seed := uint64(1)
	if s := os.Getenv("SIM_SEED"); s != "" {
		v, _ := strconv.Atoi(s)
		seed = uint64(v)
	}
	ctx := t.Context()
	dir := t.TempDir()
	t0 := time.Now()
	truth, err := simulate.Run(ctx, simulate.Config{Scale: scale, Seed: seed, Out: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Log("simulate", time.Since(t0))
	db, err := duckdb.Open(ctx, filepath.Join(dir, "study"), duckdb.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	reg, _ := all.New(all.Options{})
	files, _ := filepath.Glob(filepath.Join(dir, "posts-*"))
	files = append(files, filepath.Join(dir, "watchlist.csv"), filepath.Join(dir, "status.csv"))
	t0 = time.Now()
	if _, err := ingest.Run(ctx, reg, db, files, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	t.Log("import", time.Since(t0))
	t0 = time.Now()
	in, err := Load(ctx, db, Params{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range in.Actions {
		t.Logf("%s: %d actions", a.Signal, a.Len())
	}
	t.Log("load", time.Since(t0))
	for _, p := range []Params{{}, {Signals: []Signal{CoRepost}}, {Signals: []Signal{CoRepost}, Window: 10 * time.Second}} {
		t0 = time.Now()
		res, err := Detect(ctx, in, p, nil)
		if err != nil {
			t.Fatal(err)
		}
		planted := map[string]string{}
		for _, n := range truth.Networks {
			for _, m := range n.Members {
				planted[m] = n.Name
			}
		}
		hard := map[string]bool{}
		for _, g := range truth.HardNegatives.Groups {
			for _, m := range g.Members {
				hard[m] = true
			}
		}
		flagged := map[string]bool{}
		for _, a := range res.Accounts {
			flagged[a.ID] = true
		}
		tp, fp, hardFlagged := 0, 0, 0
		for id := range flagged {
			if planted[id] != "" {
				tp++
			} else {
				fp++
			}
			if hard[id] {
				hardFlagged++
			}
		}
		t.Logf("params %v window %v: %v; edges %d clusters %d flagged %d; planted %d; precision %.3f recall %.3f; hard negatives %d of %d flagged; null %+v",
			p.Signals, p.Window, time.Since(t0), len(res.Edges), len(res.Clusters), len(flagged), len(planted),
			float64(tp)/float64(max(1, tp+fp)), float64(tp)/float64(max(1, len(planted))), hardFlagged, len(hard), res.Null)
		for i, c := range res.Clusters {
			if i > 8 {
				break
			}
			names := map[string]int{}
			for _, m := range c.Members {
				names[planted[m]]++
			}
			t.Logf("  cluster %d size %d score %.1f gap %.0f susp %.2f targets %v names %v", c.ID, c.Size, c.Score, c.MedianGap, c.SuspendedShare, c.Targets[:min(2, len(c.Targets))], names)
		}
	}
	for _, n := range truth.Networks {
		t.Logf("network %s style %s members %d targets %v", n.Name, n.Style, len(n.Members), n.TargetsH)
	}
	for _, n := range truth.HardNegatives.Groups {
		t.Logf("hard negative %s style %s members %d", n.Name, n.Style, len(n.Members))
	}
}
