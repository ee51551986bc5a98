package cli

import (
	"context"
	crand "crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	duck "github.com/duckdb/duckdb-go/v2"
	"github.com/spf13/cobra"

	"github.com/echotrace/echotrace/internal/report/pseudonym"
	"github.com/echotrace/echotrace/internal/store"
	"github.com/echotrace/echotrace/internal/store/duckdb"
	"github.com/echotrace/echotrace/internal/web"
)

// serveTokenEnv names the environment variable holding the serve token.
const serveTokenEnv = "ECHOTRACE_SERVE_TOKEN"

func newServeCmd(a *App) *cobra.Command {
	var (
		listen, token, tokenFile string
		reveal, strict           bool
	)
	cmd := &cobra.Command{
		Use:   "serve [--listen 127.0.0.1:8080] [--token-file FILE] [--reveal]",
		Short: "Serve the study's findings and clusters as a read-only dashboard and JSON API",
		Long: `serve opens the study read-only and serves what ` + "`echotrace analyze`" + ` stored: a dashboard
page with the headline findings, weekly composition and coordinated clusters (each with its
evidence card), the full HTML report at /report, and a JSON API:

  /api/overview            headline findings and counts
  /api/findings            the full findings document
  /api/clusters            clusters (?limit= up to 1000, ?offset=)
  /api/clusters/ID         a cluster's evidence card
  /api/accounts/ID         profile, status history, coordination score
  /api/weekly?account=ID   weekly composition of reposts (all watch accounts without ?account)
  /api/stats               rows per table, platform and import

Accounts outside the watchlist are pseudonymised as in the report (acct_…; the study's key is
created on first use); --reveal shows them, for internal use only.

By default the server listens on 127.0.0.1 only and answers only to loopback host names. Any
other address needs a token of at least 16 characters, taken from --token-file (a file only
you can read, mode 0600), $` + serveTokenEnv + ` or --token (visible to other users in the
process list: prefer the file). Clients send "Authorization: Bearer TOKEN", or open
/?token=TOKEN once in a browser, which sets a session cookie and drops the token from the
address. The server speaks plain HTTP: across a network, put it behind a TLS proxy.

The study cannot be served while another process writes to it — an import, collect or
analyze still running — nor can those run while it is served: DuckDB lets a study be read by
many processes or written by one. serve says so; wait for the other to finish, then start it.

Findings and clusters stored by different runs, or before the latest import, are served under
a warning banner (and listed in /api/overview's "warnings"); --strict refuses to serve them.

Stop it with Ctrl-C (SIGINT) or SIGTERM; requests in flight finish first.`,
		Example: `  echotrace serve                                   # http://127.0.0.1:8080/
  echotrace serve --listen 127.0.0.1:9000 --reveal
  openssl rand -hex 24 > ~/.echotrace-token && chmod 600 ~/.echotrace-token
  echotrace serve --listen 0.0.0.0:8080 --token-file ~/.echotrace-token
  curl -H "Authorization: Bearer $(cat ~/.echotrace-token)" http://HOST:8080/api/overview`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			tok, err := serveToken(cmd.Flags().Changed("token"), token, tokenFile)
			if err != nil {
				return err
			}
			if err := web.CheckListen(listen, tok); err != nil {
				return usageError(err)
			}
			return a.runServe(cmd.Context(), listen, tok, reveal, strict)
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:8080", "address to listen on (host:port); a non-loopback host needs a token")
	f.StringVar(&token, "token", "", "access token (at least 16 characters); prefer --token-file or $"+serveTokenEnv)
	f.StringVar(&tokenFile, "token-file", "", "file holding the access token (mode 0600)")
	f.BoolVar(&reveal, "reveal", false, "show handles, names and bios of non-watchlist accounts (internal use only)")
	f.BoolVar(&strict, "strict", false, "refuse to serve when the stored findings and clusters come from different runs or predate the latest import")
	return cmd
}

// serveToken picks the token from --token, --token-file or the environment (one source only).
func serveToken(flagSet bool, flagTok, file string) (string, error) {
	env := os.Getenv(serveTokenEnv)
	n := 0
	for _, set := range []bool{flagSet, file != "", env != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		return "", usageError(fmt.Errorf("give the token one way only: --token, --token-file or $%s", serveTokenEnv))
	}
	switch {
	case flagSet:
		if flagTok == "" {
			return "", usageError(errors.New("--token is empty"))
		}
		return flagTok, nil
	case env != "":
		return env, nil
	case file == "":
		return "", nil
	}
	tok, err := web.TokenFile(file)
	if err != nil {
		return "", usageError(fmt.Errorf("--token-file: %w", err))
	}
	return tok, nil
}

func (a *App) runServe(ctx context.Context, listen, token string, reveal, strict bool) error {
	var key []byte
	if !reveal {
		k, err := a.ensurePseudonymKey(ctx)
		if err != nil {
			return studyBusy(a.Study, err)
		}
		key = k
	}
	// DuckDB's share of --memory; no temp_directory, which a sandboxed database refuses.
	opt := duckdb.Options{ReadOnly: true, Sandbox: true}
	if a.Memory > 0 {
		opt.MemoryLimit = a.Memory.Split().DuckDBSetting()
	}
	db, err := duckdb.Open(ctx, a.Study, opt)
	if err != nil {
		if errors.Is(err, store.ErrNoStudy) {
			return fmt.Errorf("%s: %w", a.Study, err)
		}
		return studyBusy(a.Study, err)
	}
	defer db.Close()
	// Findings and clusters of different runs are served under a banner (and named in
	// /api/overview's warnings), or refused with --strict.
	state, err := store.CheckResults(ctx, db, resultNames...)
	if err != nil {
		return err
	}
	// So are stored actor groups that the study's settings no longer define.
	groupsWarnings, err := a.storedGroupsWarnings(ctx, db)
	if err != nil {
		return err
	}
	if err := a.refuseResults(append(state.Warnings, groupsWarnings...), strict); err != nil {
		return err
	}
	name := filepath.Base(a.Study)
	if abs, err := filepath.Abs(a.Study); err == nil {
		name = filepath.Base(abs)
	}
	h := web.New(db, db, web.Options{Token: token, Reveal: reveal, Key: key, Name: name, Now: a.Now, Warnings: groupsWarnings})
	a.Logf("loading the study's results …")
	start := time.Now()
	if err := h.Warm(ctx); err != nil {
		return err
	}
	a.Logf("loaded in %.1fs", time.Since(start).Seconds())
	ln, err := web.Listen(ctx, listen, token)
	if err != nil {
		if errors.Is(err, web.ErrNeedToken) {
			return usageError(err)
		}
		return err
	}
	addr := ln.Addr().String()
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && tcp.IP.IsUnspecified() {
		addr = net.JoinHostPort("localhost", fmt.Sprint(tcp.Port))
	}
	url := "http://" + addr + "/"
	if a.JSON {
		if err := a.PrintJSON(map[string]any{"url": url, "token_required": token != "", "pseudonymised": !reveal}); err != nil {
			ln.Close()
			return err
		}
	} else {
		fmt.Fprintf(a.Out, "echotrace dashboard: %s\n", url)
		if token != "" {
			fmt.Fprintf(a.Out, "a token is required: open %s?token=YOUR-TOKEN once, or send \"Authorization: Bearer YOUR-TOKEN\"\n", url)
		}
		if reveal {
			fmt.Fprintln(a.Out, "NOT pseudonymised (--reveal): internal use only")
		}
		a.Logf("press Ctrl-C to stop")
	}
	err = web.Serve(ctx, ln, web.NewHTTPServer(h, nil), 10*time.Second)
	a.Logf("stopped")
	return err
}

// errStudyBusy is the cause of a study that cannot be opened because another process writes
// to it.
var errStudyBusy = errors.New("study in use")

// studyBusy returns err, or, when err is DuckDB's refusal to open the study because another
// process holds its lock ("IO Error: Could not set lock on file …: Conflicting lock is held in
// PROGRAM (PID n)"), an errStudyBusy error naming that process and what to do.
func studyBusy(study string, err error) error {
	var de *duck.Error
	if !errors.As(err, &de) || de.Type != duck.ErrorTypeIO || !strings.Contains(de.Msg, "Could not set lock") {
		return err
	}
	holder := "another process"
	if _, rest, ok := strings.Cut(de.Msg, "Conflicting lock is held in "); ok {
		if h, _, _ := strings.Cut(rest, ". See also"); h != "" {
			holder += " (" + strings.TrimSuffix(h, ".") + ")"
		}
	}
	return fmt.Errorf("%w: %s is writing to the study %s — an import, collect or analyze still running. "+
		"serve opens the study read-only, which DuckDB allows only while no process writes to it: "+
		"wait for it to finish (or stop it: imports and collections resume where they stopped), then start serve again",
		errStudyBusy, holder, study)
}

// ensurePseudonymKey returns the study's pseudonym key, creating it first if the study has
// none (the only write serve makes, before the read-only store is opened for serving).
func (a *App) ensurePseudonymKey(ctx context.Context) ([]byte, error) {
	st, err := a.OpenStore(ctx, true)
	if err != nil {
		return nil, err
	}
	_, _, err = st.Document(ctx, pseudonym.DocumentName)
	if err == nil {
		defer st.Close()
		return pseudonym.Key(ctx, st, crand.Reader, a.Now())
	}
	st.Close()
	if !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("read pseudonym key: %w", err)
	}
	rw, err := a.OpenStore(ctx, false)
	if err != nil {
		return nil, fmt.Errorf("create the pseudonym key: %w", err)
	}
	defer rw.Close()
	return pseudonym.Key(ctx, rw, crand.Reader, a.Now())
}
