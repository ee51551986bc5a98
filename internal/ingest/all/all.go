// Package all builds the registry of every connector echotrace ships: one line per connector,
// no init() side effects, so tests can build partial registries with ingest.NewRegistry.
package all

import (
	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/ingest/bluesky"
	"github.com/echotrace/echotrace/internal/ingest/crowdtangle"
	"github.com/echotrace/echotrace/internal/ingest/csvpost"
	"github.com/echotrace/echotrace/internal/ingest/ioarchive"
	"github.com/echotrace/echotrace/internal/ingest/ira"
	"github.com/echotrace/echotrace/internal/ingest/mastodon"
	"github.com/echotrace/echotrace/internal/ingest/observe"
	"github.com/echotrace/echotrace/internal/ingest/qut"
	"github.com/echotrace/echotrace/internal/ingest/shares"
	"github.com/echotrace/echotrace/internal/ingest/telegram"
	"github.com/echotrace/echotrace/internal/ingest/twarc2"
	"github.com/echotrace/echotrace/internal/ingest/twitterv1"
)

// Options configure connectors that take settings from the command line.
type Options struct {
	CSVMapping   string // --mapping for the generic CSV connector
	SharesObject string // --object for CooRTweet layouts
}

// New returns the registry of all connectors.
func New(opt Options) (*ingest.Registry, error) {
	mapping, err := csvpost.LoadMapping(opt.CSVMapping)
	if err != nil {
		return nil, err
	}
	return ingest.NewRegistry(
		twarc2.New(),
		twitterv1.New(),
		ioarchive.New(),
		ira.New(),
		shares.New(shares.Options{Object: opt.SharesObject}),
		qut.New(),
		csvpost.New(mapping),
		observe.NewWatchlist(),
		observe.NewStatus(),
		observe.NewLabels(),
		crowdtangle.New(),
		bluesky.New(),
		mastodon.New(),
		telegram.New(),
	), nil
}
