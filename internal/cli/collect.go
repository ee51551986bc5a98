package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/echotrace/echotrace/internal/collect"
	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest/field"
	"github.com/echotrace/echotrace/internal/ingest/observe"
	"github.com/echotrace/echotrace/internal/ingest/twarc2"
	"github.com/echotrace/echotrace/internal/store"
)

type collectFlags struct {
	apiBase, accounts, since, until, archive, tokenFile, search string
	maxPages                                                    int
	perPost                                                     bool
	follow                                                      bool
	jetstream                                                   string
}

func newCollectCmd(a *App) *cobra.Command {
	var f collectFlags
	cmd := &cobra.Command{
		Use:   "collect x|bluesky|mastodon|status",
		Short: "Collect posts and engagement live from platform APIs (resumable)",
		Long: `collect fetches the watch accounts' posts and the engagement with them from a platform's
API and stores them page by page. A checkpoint is kept in the study after every page: kill
the command and start it again, and it resumes where it stopped without duplicating anything.
Rate limits are honoured from the response headers; 429, 5xx, timeouts and truncated bodies are
retried with backoff.

Tokens come from the environment (or a file readable only by you, --token-file); they are never
logged and never stored in the study:
  x         ECHOTRACE_X_BEARER_TOKEN (required)
  mastodon  ECHOTRACE_MASTODON_TOKEN (optional; public endpoints work without)
  bluesky   none needed (public AppView)

Accounts are the study's watchlist for the platform, or --accounts FILE: one handle per line,
or a watchlist CSV (as for watchlist import; its rows for the platform). Accounts the platform
does not find are skipped; when none is found the command fails (exit 1).
See docs/collect.md for what each endpoint yields, limits, and ethics and terms notes.`,
		Example: `  export ECHOTRACE_X_BEARER_TOKEN=...   # never on the command line
  echotrace collect x --since 2020-06-09 --until 2021-02-23 --archive raw-x.jsonl
  echotrace collect bluesky --accounts handles.txt --since 2024-01-01
  echotrace collect mastodon --api-base https://mastodon.social --since 2024-01-01
  echotrace collect status --platform x      # re-check every amplifier's status later`,
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&f.apiBase, "api-base", "", "API base URL (tests, proxies; mastodon: the instance, e.g. https://mastodon.social)")
	pf.StringVar(&f.accounts, "accounts", "", "file with one handle per line, or a watchlist CSV (default: the study's watchlist for the platform)")
	pf.StringVar(&f.since, "since", "", "start of the window (RFC 3339 or YYYY-MM-DD)")
	pf.StringVar(&f.until, "until", "", "end of the window")
	pf.StringVar(&f.archive, "archive", "", "also append every raw response to this JSON-lines file")
	pf.StringVar(&f.tokenFile, "token-file", "", "read the token from this file (must not be readable by others)")
	pf.IntVar(&f.maxPages, "max-pages", 0, "stop each paginated endpoint after this many pages (0: all)")
	cmd.Flags().BoolVar(&f.perPost, "per-post", false, "x: also call retweeted_by, liking_users, quote_tweets and conversation search per post")
	cmd.Flags().BoolVar(&f.follow, "follow", false, "bluesky: follow the live Jetstream for the watch accounts' posts and all engagement with them, until --until or Ctrl-C (resumable)")
	cmd.Flags().StringVar(&f.jetstream, "jetstream", collect.JetstreamURL, "bluesky --follow: the Jetstream websocket URL")
	cmd.Flags().StringVar(&f.search, "search", "/2/tweets/search/all", "x: search endpoint (/2/tweets/search/recent without full-archive access)")
	cmd.Args = exactArgs(1)
	cmd.ValidArgs = []string{"x", "bluesky", "mastodon"}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return a.runCollect(cmd.Context(), args[0], f)
	}
	var platform string
	status := &cobra.Command{
		Use:   "status",
		Short: "Re-query every amplifier's account status and store the observations",
		Long: `status re-checks the accounts that reposted, quoted, replied to or liked the watch accounts'
posts and records a status observation for each (active, suspended, deleted, protected) with the
platform's raw code (X: 63 suspended, 50 not found), so that the share of amplification from
later-suspended accounts can be measured as the reference study did. Resumable.`,
		Example: "  echotrace collect status --platform x",
		Args:    exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runCollectStatus(cmd.Context(), platform, f)
		},
	}
	status.Flags().StringVar(&platform, "platform", "x", "x, bluesky or mastodon")
	cmd.AddCommand(status)
	return cmd
}

// token reads a secret from the environment or a private file.
func token(env, file string, required bool) (string, error) {
	if file != "" {
		fi, err := os.Stat(file)
		if err != nil {
			return "", usageError(err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			return "", usageError(fmt.Errorf("%s is readable by others (mode %v); chmod 600 it", file, fi.Mode().Perm()))
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		return strings.TrimSpace(string(b)), nil
	}
	t := strings.TrimSpace(os.Getenv(env))
	if t == "" && required {
		return "", usageError(fmt.Errorf("%w: set %s (or use --token-file)", collect.ErrNoToken, env))
	}
	return t, nil
}

func (a *App) collectClient(base, def, tok string) *collect.Client {
	if base == "" {
		base = def
	}
	return &collect.Client{Base: base, Token: tok, Logf: func(format string, args ...any) { a.Logf("  "+format, args...) }}
}

func parseWindow(f collectFlags) (since, until time.Time, err error) {
	if since, err = field.Time(f.since); err != nil {
		return since, until, usageError(fmt.Errorf("--since: %w", err))
	}
	if until, err = field.Time(f.until); err != nil {
		return since, until, usageError(fmt.Errorf("--until: %w", err))
	}
	return since, until, nil
}

// collectAccounts returns the handles to collect: from --accounts FILE (see accountsFile),
// else the study's watchlist for the platform.
func (a *App) collectAccounts(ctx context.Context, q store.Querier, platform event.Platform, file string) ([]string, error) {
	if file != "" {
		return a.accountsFile(file, platform)
	}
	rows, err := q.Query(ctx, `SELECT coalesce(handle, account_id) FROM watchlist WHERE platform = ? AND coalesce(handle, account_id) IS NOT NULL ORDER BY 1`, string(platform))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	if len(out) == 0 {
		return nil, usageError(fmt.Errorf("no %s accounts on the watchlist; import one or pass --accounts FILE", platform))
	}
	return out, rows.Err()
}

// maxAccountsFile bounds the --accounts file (a watchlist of a million accounts fits).
const maxAccountsFile = 64 << 20

// accountsFile reads --accounts FILE: one handle per line (blank lines and # comments
// skipped, a leading @ dropped), or a watchlist CSV — told by a comma in its first line, since
// no handle holds one — read as `echotrace watchlist import` reads it, whose rows for the
// platform give their handle, or their id when the handle is empty. A line that cannot be a
// handle, or a CSV that is not a watchlist, is refused as a usage error.
func (a *App) accountsFile(file string, platform event.Platform) ([]string, error) {
	fh, err := os.Open(file)
	if err != nil {
		return nil, usageError(err)
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxAccountsFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxAccountsFile {
		return nil, usageError(fmt.Errorf("--accounts %s: larger than %d MiB", file, maxAccountsFile>>20))
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		lines = append(lines, strings.TrimSpace(l))
	}
	for _, l := range lines {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if strings.Contains(l, ",") {
			return a.watchlistAccounts(file, data, platform)
		}
		break
	}
	var out []string
	seen := map[string]bool{}
	for i, l := range lines {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		h := strings.TrimPrefix(l, "@")
		if h == "" || strings.ContainsFunc(h, notInHandle) {
			return nil, usageError(fmt.Errorf("--accounts %s:%d: %s is not a handle; expected one handle per line, or a watchlist CSV with the header %s",
				file, i+1, strconv.Quote(l), observe.WatchlistHeader))
		}
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	if len(out) == 0 {
		return nil, usageError(fmt.Errorf("--accounts %s: no handles in the file", file))
	}
	return out, nil
}

// notInHandle reports whether r cannot be part of a handle, DID or acct name on any platform.
func notInHandle(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(",;\"'", r)
}

// watchlistAccounts reads the --accounts file as a watchlist CSV with the watchlist
// connector, and returns the handle (or id) of each of its rows for the platform.
func (a *App) watchlistAccounts(file string, data []byte, platform event.Platform) ([]string, error) {
	refuse := func(err error) error {
		return usageError(fmt.Errorf("--accounts %s is CSV but not a watchlist (%w); give one handle per line, or a watchlist CSV with the header %s",
			file, err, observe.WatchlistHeader))
	}
	dec, err := observe.NewWatchlist().Open(bytes.NewReader(data), file)
	if err != nil {
		return nil, refuse(err)
	}
	var b event.Batch
	for {
		err := dec.Decode(&b)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, refuse(err)
		}
	}
	for _, r := range b.Rejects {
		a.Logf("--accounts %s:%d: %s; row skipped", file, r.Line, r.Reason)
	}
	var out []string
	seen := map[string]bool{}
	other := 0
	for _, w := range b.Watch {
		if w.Platform != platform {
			other++
			continue
		}
		h, col := w.Handle, "handle"
		if h == "" {
			h, col = w.ID, "id"
		}
		if strings.ContainsFunc(h, notInHandle) {
			return nil, usageError(fmt.Errorf("--accounts %s:%d: %s %s is not a handle or id (it holds a space, a control, or one of , ; \" ')",
				file, w.Prov.Line, col, strconv.Quote(h)))
		}
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	if len(out) == 0 {
		return nil, usageError(fmt.Errorf("--accounts %s: the watchlist has no %s rows (%d rows for other platforms, %d rejected)",
			file, platform, other, len(b.Rejects)))
	}
	if other > 0 {
		a.Logf("--accounts %s: %d watchlist rows for other platforms skipped", file, other)
	}
	return out, nil
}

func (a *App) runCollect(ctx context.Context, platform string, f collectFlags) error {
	since, until, err := parseWindow(f)
	if err != nil {
		return err
	}
	st, err := a.OpenStore(ctx, false)
	if err != nil {
		return err
	}
	defer st.Close()
	sink := &collect.Sink{Store: st}
	if f.archive != "" {
		fh, err := os.OpenFile(f.archive, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		defer fh.Close()
		sink.Archive = fh
	}
	logf := func(format string, args ...any) { a.Logf(format, args...) }
	// run collects for the accounts and returns those the platform did not find.
	var run func([]string) ([]string, error)
	var p event.Platform
	switch platform {
	case "x":
		p = event.X
		tok, err := token("ECHOTRACE_X_BEARER_TOKEN", f.tokenFile, true)
		if err != nil {
			return err
		}
		c := &collect.X{Client: a.collectClient(f.apiBase, collect.XBase, tok), Sink: sink, Twarc2: twarc2.New(),
			Since: since, Until: until, MaxPages: f.maxPages, Search: f.search, PerPost: f.perPost, Logf: logf}
		run = func(acc []string) ([]string, error) { err := c.Run(ctx, acc); return c.Missing, err }
	case "bluesky":
		p = event.Bluesky
		if f.follow {
			run = func(acc []string) ([]string, error) {
				var dids []string
				for _, h := range acc {
					if strings.HasPrefix(h, "did:") {
						dids = append(dids, h)
					}
				}
				resolved, err := watchDIDs(ctx, st)
				if err != nil {
					return nil, err
				}
				dids = append(dids, resolved...)
				if len(dids) == 0 {
					return nil, usageError(fmt.Errorf("--follow needs the watch accounts' DIDs: list them in --accounts, or run `echotrace collect bluesky` once so that their handles resolve"))
				}
				j := &collect.Jetstream{URL: f.jetstream, Sink: sink, Watch: dids, Until: until, Logf: logf}
				a.Logf("following %s for %d accounts (Ctrl-C to stop; run again to resume)", f.jetstream, len(dids))
				err = j.Run(ctx)
				a.Logf("jetstream: %d events read, %d kept", j.Seen, j.Kept)
				return nil, err
			}
			break
		}
		c := &collect.Bluesky{Client: a.collectClient(f.apiBase, collect.BlueskyBase, ""), Sink: sink,
			Since: since, Until: until, MaxPages: f.maxPages, Logf: logf}
		run = func(acc []string) ([]string, error) { err := c.Run(ctx, acc); return c.Missing, err }
	case "mastodon":
		p = event.Mastodon
		if f.apiBase == "" {
			return usageError(fmt.Errorf("mastodon needs the instance: --api-base https://mastodon.social"))
		}
		tok, err := token("ECHOTRACE_MASTODON_TOKEN", f.tokenFile, false)
		if err != nil {
			return err
		}
		c := &collect.Mastodon{Client: a.collectClient(f.apiBase, "", tok), Sink: sink,
			Since: since, Until: until, MaxPages: f.maxPages, Logf: logf}
		run = func(acc []string) ([]string, error) { err := c.Run(ctx, acc); return c.Missing, err }
	default:
		return usageError(fmt.Errorf("unknown platform %q (want x, bluesky or mastodon)", platform))
	}
	accounts, err := a.collectAccounts(ctx, st, p, f.accounts)
	if err != nil {
		return err
	}
	a.Logf("collecting %s for %d accounts", platform, len(accounts))
	missing, err := run(accounts)
	if missing == nil {
		missing = []string{}
	}
	res := map[string]any{"platform": platform, "accounts": len(accounts), "not_found": missing, "pages": sink.Pages, "stored": sink.Stored}
	if a.JSON {
		if perr := a.PrintJSON(res); perr != nil {
			return perr
		}
	} else {
		a.Logf("%d pages; stored %d posts, %d accounts, %d engagements", sink.Pages, sink.Stored.Posts, sink.Stored.Accounts, sink.Stored.Engagements)
		if len(missing) > 0 {
			a.Logf("%d of %d accounts not found (skipped)", len(missing), len(accounts))
		}
	}
	switch {
	case errors.Is(err, collect.ErrNoAccounts):
		// Nothing to resume: exit 1 (a runtime failure), not 0 having collected nothing.
		return fmt.Errorf("collect %s: %w", platform, err)
	case err != nil:
		return fmt.Errorf("collect %s (run it again to resume): %w", platform, err)
	}
	return nil
}

func (a *App) runCollectStatus(ctx context.Context, platform string, f collectFlags) error {
	st, err := a.OpenStore(ctx, false)
	if err != nil {
		return err
	}
	defer st.Close()
	p, err := event.ParsePlatform(platform)
	if err != nil {
		return usageError(err)
	}
	targets, err := collect.Amplifiers(ctx, st, p)
	if err != nil {
		return err
	}
	sink := &collect.Sink{Store: st}
	key := fmt.Sprintf("status:%s:%s", p, a.Now().UTC().Format("2006-01-02"))
	var n int
	switch p {
	case event.X:
		tok, err := token("ECHOTRACE_X_BEARER_TOKEN", f.tokenFile, true)
		if err != nil {
			return err
		}
		cl := a.collectClient(f.apiBase, collect.XBase, tok)
		n, err = collect.StatusRun(ctx, sink, key, targets, 100, func(ctx context.Context, ts []collect.StatusTarget, now time.Time) ([]event.StatusObservation, error) {
			ids := make([]string, len(ts))
			for i, t := range ts {
				ids[i] = t.ID
			}
			return collect.XStatus(ctx, cl, ids, now)
		})
		if err != nil {
			return err
		}
	case event.Bluesky:
		cl := a.collectClient(f.apiBase, collect.BlueskyBase, "")
		n, err = collect.StatusRun(ctx, sink, key, targets, 1, func(ctx context.Context, ts []collect.StatusTarget, now time.Time) ([]event.StatusObservation, error) {
			o, err := collect.BlueskyStatus(ctx, cl, ts[0].ID, now)
			return []event.StatusObservation{o}, err
		})
		if err != nil {
			return err
		}
	case event.Mastodon:
		if f.apiBase == "" {
			return usageError(fmt.Errorf("mastodon needs the instance: --api-base https://mastodon.social"))
		}
		tok, err := token("ECHOTRACE_MASTODON_TOKEN", f.tokenFile, false)
		if err != nil {
			return err
		}
		cl := a.collectClient(f.apiBase, "", tok)
		n, err = collect.StatusRun(ctx, sink, key, targets, 1, func(ctx context.Context, ts []collect.StatusTarget, now time.Time) ([]event.StatusObservation, error) {
			o, err := collect.MastodonStatus(ctx, cl, ts[0].ID, ts[0].Handle, now)
			return []event.StatusObservation{o}, err
		})
		if err != nil {
			return err
		}
	default:
		return usageError(fmt.Errorf("status checks support x, bluesky and mastodon"))
	}
	if a.JSON {
		return a.PrintJSON(map[string]any{"platform": p, "amplifiers": len(targets), "observations": n})
	}
	a.Logf("%d amplifiers; %d status observations stored", len(targets), n)
	return nil
}

// watchDIDs lists the Bluesky watch accounts whose DID is known (given, or resolved from a
// handle through the accounts collected so far).
func watchDIDs(ctx context.Context, q store.Querier) ([]string, error) {
	rows, err := q.Query(ctx, `SELECT DISTINCT account_id FROM watchlist WHERE platform = 'bluesky' AND account_id LIKE 'did:%' ORDER BY 1`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
