package amplify

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"testing"
)

// headlineSQL computes the headline figures independently, in plain SQL over the documented
// views, from the definitions of DESIGN §4 (Gini by its pairwise definition, medians by
// DuckDB's quantile_cont). Placeholders: since, until (unix seconds), status as-of (unix
// seconds); {coord} is replaced by the quoted list of coordinated ids.
const headlineSQL = `
WITH wl AS (SELECT DISTINCT platform, account_id FROM watchlist WHERE account_id IS NOT NULL),
t AS (
  SELECT p.* FROM posts p JOIN wl ON p.platform = wl.platform AND p.author_id = wl.account_id
  WHERE epoch(p.created_at) BETWEEN $1 AND $2),
inc AS (SELECT DISTINCT author_id FROM t),
e AS (
  SELECT e.account_id, e.kind, e.post_id, epoch(e."at") AS at_s, epoch(t.created_at) AS post_s, t.author_id
  FROM engagements e JOIN t ON e.platform = t.platform AND e.post_id = t.id
  WHERE e.kind IN ('repost', 'quote', 'reply')
    AND e.account_id NOT IN (SELECT account_id FROM wl)),
r AS (SELECT * FROM e WHERE kind = 'repost'),
per AS (SELECT account_id, count(*) FILTER (WHERE kind = 'repost') AS c FROM e GROUP BY account_id), -- every amplifier, zeros included
rp AS (SELECT * FROM per WHERE c > 0), -- the concentration base: reposting accounts (the reference study's rule)
ranked AS (SELECT c, row_number() OVER (ORDER BY c DESC) AS rk, count(*) OVER () AS n FROM rp),
st AS (
  SELECT account_id, arg_max(status, observed_at) AS status FROM status_observations
  WHERE epoch(observed_at) <= $3 GROUP BY account_id),
lab AS (
  SELECT account_id, arg_max(class, observed_at) AS class FROM label_observations
  WHERE epoch(observed_at) <= $3 GROUP BY account_id),
gaps AS (
  SELECT account_id, at_s - lag(at_s) OVER (PARTITION BY account_id ORDER BY at_s) AS gap
  FROM r WHERE at_s IS NOT NULL),
med AS (SELECT account_id, quantile_cont(gap, 0.5) AS m FROM gaps WHERE gap IS NOT NULL GROUP BY account_id),
heavy AS (SELECT per.account_id, med.m FROM per LEFT JOIN med USING (account_id) WHERE per.c > 100)
SELECT
  (SELECT count(*) FROM t) AS posts,
  (SELECT coalesce(sum(likes) FILTER (WHERE kind <> 'repost'), 0) FROM t) AS likes,
  (SELECT coalesce(sum(reposts) FILTER (WHERE kind <> 'repost'), 0) FROM t) AS reposts,
  (SELECT coalesce(sum(replies) FILTER (WHERE kind <> 'repost'), 0) FROM t) AS replies,
  (SELECT coalesce(sum(quotes) FILTER (WHERE kind <> 'repost'), 0) FROM t) AS quotes,
  (SELECT count(*) FROM inc) AS included_accounts,
  (SELECT count(DISTINCT w.country) FROM watchlist w JOIN inc ON w.account_id = inc.author_id) AS countries,
  (SELECT count(*) FILTER (WHERE lab.class IN ('government', 'state_media')) / count(*)
     FROM inc LEFT JOIN lab ON lab.account_id = inc.author_id) AS label_share,
  (SELECT count(DISTINCT account_id) FROM e) AS amplifiers,
  (SELECT count(*) FROM r) AS target_reposts,
  (SELECT sum(c) FILTER (WHERE rk <= (n * 1 + 999) // 1000) / sum(c) FROM ranked) AS top_01,
  (SELECT sum(c) FILTER (WHERE rk <= (n * 10 + 999) // 1000) / sum(c) FROM ranked) AS top_1,
  (SELECT sum(c) FILTER (WHERE rk <= (n * 50 + 999) // 1000) / sum(c) FROM ranked) AS top_5,
  (SELECT sum(c) FILTER (WHERE rk <= (n * 100 + 999) // 1000) / sum(c) FROM ranked) AS top_10,
  (SELECT sum(abs(a.c - b.c)) / (2 * sum(b.c)) -- Σ|xi−xj| / (2·n·Σx): sum(b.c) over n² pairs = n·Σx
     FROM rp a, rp b) AS gini,
  (SELECT count(*) FILTER (WHERE st.status = 'suspended') / count(*) FROM r LEFT JOIN st USING (account_id)) AS suspended,
  (SELECT count(*) FILTER (WHERE st.status = 'deleted') / count(*) FROM r LEFT JOIN st USING (account_id)) AS deleted,
  (SELECT count(*) FILTER (WHERE m <= 10) / count(*) FROM heavy) AS fast10,
  (SELECT count(*) FILTER (WHERE m <= 60) / count(*) FROM heavy) AS fast60,
  (SELECT count(DISTINCT account_id) FROM e WHERE account_id IN ({coord})) AS coordinated_accounts,
  (SELECT count(*) FILTER (WHERE account_id IN ({coord})) / count(*) FROM r) AS coordinated_share,
  (SELECT quantile_cont(at_s - post_s, 0.5) FROM r WHERE at_s >= post_s) AS median_latency`

// TestComputeMatchesSQL compares Compute (through Load) with headlineSQL on generated worlds.
func TestComputeMatchesSQL(t *testing.T) {
	for _, seed := range []uint64{1, 2} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			g := generate(seed, 12, 150, 400)
			db := openStore(t, g.main, g.later)
			ctx := context.Background()
			p := Params{Since: g.since, Until: g.until, AsOf: g.asOf, Coordinated: g.coordinated}
			in, err := Load(ctx, db, p)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Compute(in, p)
			if err != nil {
				t.Fatal(err)
			}
			quoted := make([]string, len(g.coordinated))
			for i, id := range g.coordinated {
				quoted[i] = "'" + id + "'"
			}
			q := strings.ReplaceAll(headlineSQL, "{coord}", strings.Join(quoted, ", "))
			rows, err := db.Query(ctx, q, float64(g.since.Unix()), float64(g.until.Unix()), float64(g.asOf.Unix()))
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			cols, _ := rows.Columns()
			if !rows.Next() {
				t.Fatalf("no row: %v", rows.Err())
			}
			vals := make([]sql.NullFloat64, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			got := map[string]float64{
				"posts": float64(f.Posts), "likes": float64(f.Likes), "reposts": float64(f.Reposts),
				"replies": float64(f.Replies), "quotes": float64(f.Quotes), "included_accounts": float64(f.IncludedAccounts),
				"countries": float64(f.Countries), "label_share": f.LabelShare, "amplifiers": float64(f.Amplifiers),
				"target_reposts": float64(f.TargetReposts), "top_01": f.TopShare["0.1"], "top_1": f.TopShare["1"],
				"top_5": f.TopShare["5"], "top_10": f.TopShare["10"], "gini": f.Gini,
				"suspended": f.SuspendedRepostShare, "deleted": f.DeletedRepostShare,
				"fast10": f.FastAmplifiers10s, "fast60": f.FastAmplifiers60s,
				"coordinated_accounts": float64(f.CoordinatedAccounts), "coordinated_share": f.CoordinatedRepostShare,
				"median_latency": f.MedianLatency,
			}
			for i, c := range cols {
				if !vals[i].Valid {
					t.Errorf("%s: SQL gave NULL", c)
				}
				want := vals[i].Float64
				if math.Abs(got[c]-want) > 1e-9*math.Max(1, math.Abs(want)) {
					t.Errorf("%s: Compute %v, SQL %v", c, got[c], want)
				}
			}
			// The world is not degenerate: every figure is exercised.
			if f.TargetReposts < 5000 || f.HeavyAmplifiers < 5 || f.FastAmplifiers10s == 0 || f.FastAmplifiers10s == 1 ||
				f.SuspendedRepostShare == 0 || f.DeletedRepostShare == 0 || f.WatchReposts == 0 || f.LabelShare == 0 ||
				f.CoordinatedRepostShare == 0 || len(f.CreationBursts) == 0 {
				t.Errorf("degenerate world: reposts %d heavy %d fast10 %v susp %v del %v watch %d label %v coord %v bursts %d",
					f.TargetReposts, f.HeavyAmplifiers, f.FastAmplifiers10s, f.SuspendedRepostShare, f.DeletedRepostShare,
					f.WatchReposts, f.LabelShare, f.CoordinatedRepostShare, len(f.CreationBursts))
			}
			t.Logf("posts %d reposts %d amplifiers %d heavy %d top1 %.3f gini %.3f susp %.3f fast10 %.2f",
				f.Posts, f.TargetReposts, f.Amplifiers, f.HeavyAmplifiers, f.TopShare["1"], f.Gini,
				f.SuspendedRepostShare, f.FastAmplifiers10s)
		})
	}
}
