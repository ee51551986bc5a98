package web

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/echotrace/echotrace/internal/analysis/amplify"
	"github.com/echotrace/echotrace/internal/analysis/coord"
	"github.com/echotrace/echotrace/internal/report"
)

// Pagination bounds: limit defaults to DefaultLimit and may not exceed MaxLimit.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
	maxIDLen     = 512 // longest account id accepted in a path (at:// URIs and DIDs included)
)

func (s *Server) routes() {
	s.mux.HandleFunc("GET /{$}", s.page(func(w http.ResponseWriter, r *http.Request, sn *snapshot) {
		writeBytes(w, http.StatusOK, "text/html; charset=utf-8", sn.dashboard)
	}))
	s.mux.HandleFunc("GET /report", s.page(func(w http.ResponseWriter, r *http.Request, sn *snapshot) {
		writeBytes(w, http.StatusOK, "text/html; charset=utf-8", sn.report)
	}))
	s.mux.HandleFunc("GET /clusters/{id}", s.page(s.clusterPage))
	s.mux.HandleFunc("GET /api/overview", s.api(func(w http.ResponseWriter, r *http.Request, sn *snapshot) {
		writeBytes(w, http.StatusOK, "application/json; charset=utf-8", sn.overview)
	}))
	s.mux.HandleFunc("GET /api/findings", s.api(func(w http.ResponseWriter, r *http.Request, sn *snapshot) {
		if sn.findings == nil {
			writeError(w, http.StatusNotFound, "no findings stored yet: run `echotrace analyze`")
			return
		}
		writeBytes(w, http.StatusOK, "application/json; charset=utf-8", sn.findings)
	}))
	s.mux.HandleFunc("GET /api/stats", s.api(func(w http.ResponseWriter, r *http.Request, sn *snapshot) {
		writeBytes(w, http.StatusOK, "application/json; charset=utf-8", sn.stats)
	}))
	s.mux.HandleFunc("GET /api/clusters", s.api(s.clusterList))
	s.mux.HandleFunc("GET /api/clusters/{id}", s.api(s.clusterCard))
	s.mux.HandleFunc("GET /api/accounts/{id}", s.api(s.account))
	s.mux.HandleFunc("GET /api/weekly", s.api(s.weeklyRows))
	s.mux.HandleFunc("GET /api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such API endpoint; see /api/overview")
	})
}

type handler func(w http.ResponseWriter, r *http.Request, sn *snapshot)

// api wraps a JSON endpoint: it waits for the loaded results and reports failures as JSON.
func (s *Server) api(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sn, err := s.snapshotFor(r.Context())
		if err != nil {
			writeError(w, loadStatus(err), loadMessage(err))
			return
		}
		h(w, r, sn)
	}
}

// page wraps an HTML page the same way, reporting failures as plain text.
func (s *Server) page(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sn, err := s.snapshotFor(r.Context())
		if err != nil {
			writeBytes(w, loadStatus(err), "text/plain; charset=utf-8", []byte(loadMessage(err)+"\n"))
			return
		}
		h(w, r, sn)
	}
}

func loadStatus(err error) int {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func loadMessage(err error) string {
	if errors.Is(err, ErrNoKey) {
		return err.Error()
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return "the study's results are still loading; try again shortly"
	}
	return "cannot read the study's results: " + err.Error()
}

// page is a window of a list: Limit items from Offset.
type window struct {
	Limit, Offset int
}

// pageOf reads limit (1–MaxLimit, default DefaultLimit) and offset (≥ 0) from the query.
func pageOf(q url.Values) (window, error) {
	p := window{Limit: DefaultLimit}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxLimit {
			return p, fmt.Errorf("limit %q: want a whole number from 1 to %d", clip(v), MaxLimit)
		}
		p.Limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return p, fmt.Errorf("offset %q: want a whole number ≥ 0", clip(v))
		}
		p.Offset = n
	}
	return p, nil
}

// clip shortens user input echoed in an error message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// bounds returns the slice bounds of p over n items.
func (p window) bounds(n int) (int, int) {
	lo := min(p.Offset, n)
	return lo, min(n, lo+p.Limit)
}

type listView[T any] struct {
	Total      int  `json:"total"`
	Offset     int  `json:"offset"`
	Limit      int  `json:"limit"`
	NextOffset *int `json:"next_offset"`
	Items      []T  `json:"items"`
}

func list[T any](items []T, p window) listView[T] {
	lo, hi := p.bounds(len(items))
	out := listView[T]{Total: len(items), Offset: p.Offset, Limit: p.Limit, Items: items[lo:hi]}
	if out.Items == nil {
		out.Items = []T{}
	}
	if hi < len(items) {
		out.NextOffset = &hi
	}
	return out
}

func (s *Server) clusterList(w http.ResponseWriter, r *http.Request, sn *snapshot) {
	p, err := pageOf(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, list(sn.clusters, p))
}

// cardOf finds a cluster by the id in the path: a whole number, as coord numbers clusters.
func cardOf(r *http.Request, sn *snapshot) (*clusterCard, bool) {
	id := r.PathValue("id")
	n, err := strconv.Atoi(id)
	if err != nil || n < 0 || strconv.Itoa(n) != id {
		return nil, false
	}
	c, ok := sn.cards[id]
	return c, ok
}

func (s *Server) clusterCard(w http.ResponseWriter, r *http.Request, sn *snapshot) {
	p, err := pageOf(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	c, ok := cardOf(r, sn)
	if !ok {
		writeError(w, http.StatusNotFound, "no such cluster; see /api/clusters")
		return
	}
	out := *c
	lo, hi := p.bounds(len(out.Members))
	out.Members = out.Members[lo:hi]
	lo, hi = p.bounds(len(out.InnerEdges))
	out.InnerEdges = out.InnerEdges[lo:hi]
	writeJSON(w, http.StatusOK, struct {
		clusterCard
		Offset int `json:"offset"`
		Limit  int `json:"limit"`
	}{out, p.Offset, p.Limit})
}

type statusView struct {
	ObservedAt *time.Time `json:"observed_at"`
	Status     string     `json:"status"`
	RawCode    string     `json:"raw_code,omitempty"`
}

type labelView struct {
	ObservedAt *time.Time `json:"observed_at"`
	Label      string     `json:"label"`
	Class      string     `json:"class"`
}

type watchView struct {
	ActorType string `json:"actor_type"`
	Country   string `json:"country"`
	Outlet    string `json:"outlet,omitempty"`
}

type profileView struct {
	accountView
	Following   *int64                `json:"following,omitempty"`
	Verified    bool                  `json:"verified"`
	Description string                `json:"description,omitempty"`
	Location    string                `json:"location,omitempty"`
	Known       bool                  `json:"profile_known"` // the store holds a profile
	WatchEntry  *watchView            `json:"watch_entry,omitempty"`
	Statuses    []statusView          `json:"status_history"`
	Labels      []labelView           `json:"label_history"`
	Coord       *coord.AccountScore   `json:"coordination,omitempty"`
	Amplifier   *amplify.AmplifierRow `json:"amplifier,omitempty"`
}

// resolve maps the id in an account path to an account of the store. Pseudonymised: the
// pseudonym of a shown account, or the id or "@handle" of a watchlist account. With reveal
// also any account id of the store (platform from ?platform= when ids collide).
func (s *Server) resolve(ctx context.Context, sn *snapshot, id, platform string) (accountRef, int, error) {
	if id == "" || len(id) > maxIDLen {
		return accountRef{}, http.StatusNotFound, errors.New("no such account")
	}
	if ref, ok := sn.accounts[id]; ok && (platform == "" || ref.Platform == platform) {
		return ref, 0, nil
	}
	if strings.HasPrefix(id, "@") {
		if ref, ok := sn.accounts["@"+strings.ToLower(id[1:])]; ok && (platform == "" || ref.Platform == platform) {
			return ref, 0, nil
		}
	}
	if !sn.reveal {
		return accountRef{}, http.StatusNotFound, errors.New("no such account among the watchlist, the amplifiers and the coordinated accounts (non-watchlist accounts are named by their pseudonym)")
	}
	rows, err := s.q.Query(ctx, `SELECT DISTINCT platform FROM accounts WHERE id = ? AND (? = '' OR platform = ?) ORDER BY platform LIMIT 2`, id, platform, platform)
	if err != nil {
		return accountRef{}, http.StatusInternalServerError, fmt.Errorf("look up account: %w", err)
	}
	defer rows.Close()
	var found []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return accountRef{}, http.StatusInternalServerError, fmt.Errorf("look up account: %w", err)
		}
		found = append(found, p)
	}
	if err := rows.Err(); err != nil {
		return accountRef{}, http.StatusInternalServerError, fmt.Errorf("look up account: %w", err)
	}
	switch len(found) {
	case 0:
		return accountRef{}, http.StatusNotFound, errors.New("no such account")
	case 1:
		return accountRef{found[0], id}, 0, nil
	}
	return accountRef{}, http.StatusBadRequest, errors.New("this id exists on several platforms: add ?platform=")
}

func (s *Server) account(w http.ResponseWriter, r *http.Request, sn *snapshot) {
	q := r.URL.Query()
	p, err := pageOf(q)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	ref, status, err := s.resolve(r.Context(), sn, r.PathValue("id"), q.Get("platform"))
	if err != nil {
		writeError(w, status, err.Error())
		return
	}
	v, err := s.profile(r.Context(), sn, ref, p.Limit)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// profile reads an account's profile, status and label history (at most limit rows each) and
// joins its coordination score and amplifier figures, pseudonymised unless revealing.
func (s *Server) profile(ctx context.Context, sn *snapshot, ref accountRef, limit int) (profileView, error) {
	m := sn.m
	v := profileView{Statuses: []statusView{}, Labels: []labelView{}}
	var handle, name, desc, location string
	var created *time.Time
	var followers, following sql.NullInt64
	var verified sql.NullBool
	err := s.queryRow(ctx, `SELECT coalesce(handle, ''), coalesce(name, ''), created_at, followers, following, verified,
		coalesce(description, ''), coalesce(location, '') FROM accounts WHERE platform = ? AND id = ? LIMIT 1`,
		[]any{ref.Platform, ref.ID}, &handle, &name, &created, &followers, &following, &verified, &desc, &location)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return v, fmt.Errorf("read profile: %w", err)
	default:
		v.Known = true
	}
	w, watched := sn.watch[ref.Platform+"\x00"+ref.ID]
	if watched && handle == "" {
		handle = w.Handle
	}
	a := report.Account{Platform: ref.Platform, ID: ref.ID, Handle: handle, Name: name, Followers: -1}
	if created != nil {
		a.CreatedAt = *created
	}
	if followers.Valid && followers.Int64 >= 0 {
		a.Followers = followers.Int64
	}
	v.accountView = sn.view(report.Account{Platform: a.Platform, ID: m.ID(a.Platform, a.ID), Handle: m.Handle(a.Platform, a.ID, a.Handle),
		Name: m.Private(a.Platform, a.ID, a.Name), CreatedAt: a.CreatedAt, Followers: a.Followers})
	v.Watch = watched
	if following.Valid && following.Int64 >= 0 {
		n := following.Int64
		v.Following = &n
	}
	v.Verified = verified.Valid && verified.Bool
	v.Description = m.Private(a.Platform, a.ID, desc)
	v.Location = m.Private(a.Platform, a.ID, location)
	if watched {
		v.WatchEntry = &watchView{ActorType: w.ActorType, Country: w.Country, Outlet: w.Outlet}
	}
	err = s.each(ctx, `SELECT observed_at, status, coalesce(raw_code, '') FROM status_observations
		WHERE platform = ? AND account_id = ? ORDER BY observed_at, status LIMIT ?`, []any{ref.Platform, ref.ID, limit},
		func(rows *sql.Rows) error {
			var sv statusView
			var at *time.Time
			if err := rows.Scan(&at, &sv.Status, &sv.RawCode); err != nil {
				return err
			}
			sv.ObservedAt = utcPtr(at)
			v.Statuses = append(v.Statuses, sv)
			return nil
		})
	if err != nil {
		return v, fmt.Errorf("read status history: %w", err)
	}
	if n := len(v.Statuses); n > 0 {
		v.Status = v.Statuses[n-1].Status
	}
	err = s.each(ctx, `SELECT observed_at, coalesce(label, ''), coalesce(class, '') FROM label_observations
		WHERE platform = ? AND account_id = ? ORDER BY observed_at, label LIMIT ?`, []any{ref.Platform, ref.ID, limit},
		func(rows *sql.Rows) error {
			var lv labelView
			var at *time.Time
			if err := rows.Scan(&at, &lv.Label, &lv.Class); err != nil {
				return err
			}
			lv.ObservedAt = utcPtr(at)
			v.Labels = append(v.Labels, lv)
			return nil
		})
	if err != nil {
		return v, fmt.Errorf("read label history: %w", err)
	}
	if sc, ok := sn.scores[ref.ID]; ok {
		sc.ID = v.ID
		v.Coord = &sc
	}
	if row, ok := sn.amps[ref.ID]; ok {
		v.Amplifier = &row
	}
	return v, nil
}

// queryRow runs a query with bound arguments and scans its first row into dest, or returns
// sql.ErrNoRows.
func (s *Server) queryRow(ctx context.Context, query string, args []any, dest ...any) error {
	rows, err := s.q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	return rows.Scan(dest...)
}

// each runs a query with bound arguments and calls fn per row.
func (s *Server) each(ctx context.Context, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := s.q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (s *Server) weeklyRows(w http.ResponseWriter, r *http.Request, sn *snapshot) {
	q := r.URL.Query()
	p, err := pageOf(q)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	acct := q.Get("account")
	id := acct
	if acct != "" {
		ref, ok := sn.accounts[acct]
		if !ok && strings.HasPrefix(acct, "@") {
			ref, ok = sn.accounts["@"+strings.ToLower(acct[1:])]
		}
		if !ok {
			ref, ok = sn.accounts["@"+strings.ToLower(acct)]
		}
		if _, watched := sn.watch[ref.Platform+"\x00"+ref.ID]; !ok || !watched {
			writeError(w, http.StatusNotFound, "account: not a watchlist account (give its id or handle; leave it out for all accounts)")
			return
		}
		id = ref.ID
	}
	rows, ok := sn.weekly[id]
	if !ok && sn.findings == nil {
		writeError(w, http.StatusNotFound, "no findings stored yet: run `echotrace analyze`")
		return
	}
	lv := list(rows, p)
	writeJSON(w, http.StatusOK, struct {
		Account string `json:"account"`
		listView[weekView]
	}{id, lv})
}
