package coord

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/echotrace/echotrace/internal/store"
)

// WriteEdgesCSV writes the edges as CSV: source,target,weight,count, one column per signal
// (co-action count), expected,p_value,score,median_gap_seconds,cluster. Account ids are
// undirected with source < target.
func WriteEdgesCSV(w io.Writer, r Result) error {
	cw := csv.NewWriter(w)
	head := []string{"source", "target", "weight", "count"}
	for _, s := range r.Params.Signals {
		head = append(head, string(s))
	}
	head = append(head, "expected", "p_value", "score", "median_gap_seconds", "cluster")
	if err := cw.Write(head); err != nil {
		return fmt.Errorf("write edges: %w", err)
	}
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	for _, e := range r.Edges {
		row := []string{e.Source, e.Target, f(e.Weight), strconv.Itoa(e.Count)}
		for _, s := range r.Params.Signals {
			row = append(row, strconv.Itoa(e.Signals[s]))
		}
		row = append(row, f(e.Expected), f(e.PValue), f(e.Score), f(e.MedianGap), strconv.Itoa(e.Cluster))
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write edges: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write edges: %w", err)
	}
	return nil
}

// WriteJSON writes the result as one JSON object:
// {"params", "null", "signals", "clusters", "accounts", "edges"}.
func WriteJSON(w io.Writer, r Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("write coord json: %w", err)
	}
	return nil
}

// Analyze loads the study's actions, detects coordination and stores the result: the JSON
// document "coord" and the tables result_coord_edges, result_coord_clusters and
// result_coord_accounts.
func Analyze(ctx context.Context, st store.Store, p Params, rng *rand.Rand) (Result, error) {
	in, err := Load(ctx, st, p)
	if err != nil {
		return Result{}, err
	}
	res, err := Detect(ctx, in, p, rng)
	if err != nil {
		return Result{}, err
	}
	return res, Store(ctx, st, res)
}

// Store writes a result into the study (see Analyze).
func Store(ctx context.Context, st store.ResultStore, res Result) error {
	body, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("store coord: %w", err)
	}
	if err := st.PutDocument(ctx, "coord", body); err != nil {
		return fmt.Errorf("store coord: %w", err)
	}
	var rows [][]any
	for _, e := range res.Edges {
		sig := make([]string, 0, len(e.Signals))
		for _, s := range res.Params.Signals {
			if n := e.Signals[s]; n > 0 {
				sig = append(sig, string(s)+"="+strconv.Itoa(n))
			}
		}
		rows = append(rows, []any{e.Source, e.Target, e.Weight, int64(e.Count), strings.Join(sig, ";"),
			e.Expected, e.PValue, e.Score, e.MedianGap, int64(e.Cluster)})
	}
	if err := putTable(ctx, st, "result_coord_edges", []string{"source", "target", "weight", "count", "signals",
		"expected", "p_value", "score", "median_gap_seconds", "cluster"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, c := range res.Clusters {
		for _, m := range c.Members {
			rows = append(rows, []any{int64(c.ID), m, int64(c.Size), c.Density, c.Score, c.PValue, c.MedianGap,
				c.SuspendedShare, c.DeletedShare, int64(c.OrganicEngagement)})
		}
	}
	if err := putTable(ctx, st, "result_coord_clusters", []string{"cluster", "account_id", "size", "density", "score",
		"p_value", "median_gap_seconds", "suspended_share", "deleted_share", "organic_engagement"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, a := range res.Accounts {
		rows = append(rows, []any{a.ID, int64(a.Cluster), a.Score, a.Strength, a.Speed, a.Focus, a.Youth,
			int64(a.Degree), int64(a.CoActions), a.MedianGap})
	}
	return putTable(ctx, st, "result_coord_accounts", []string{"account_id", "cluster", "score", "strength", "speed",
		"focus", "youth", "degree", "co_actions", "median_gap_seconds"}, rows)
}

func putTable(ctx context.Context, st store.ResultStore, name string, cols []string, rows [][]any) error {
	if err := st.PutTable(ctx, name, cols, rows); err != nil {
		return fmt.Errorf("store %s: %w", name, err)
	}
	return nil
}
