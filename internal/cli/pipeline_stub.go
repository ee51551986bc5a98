//go:build !beam

package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// newPipelineCmd, in a build without the beam tag, explains how to get the Beam pipeline.
func newPipelineCmd(a *App) *cobra.Command {
	return &cobra.Command{
		Use:   "pipeline --runner direct|prism|flink|spark|dataflow ...",
		Short: "Count co-repost pairs with Apache Beam (needs a build with -tags beam)",
		Long: `pipeline runs co-repost pair counting as an Apache Beam pipeline (direct, prism, flink,
spark, dataflow). Beam is not compiled into the default build, to keep it small and fast to
build. Rebuild with the beam tag:

  go build -tags beam ./cmd/echotrace

See docs/pipeline.md. For one machine, "echotrace coord" computes the same edges.`,
		Example:            `  go build -tags beam -o echotrace ./cmd/echotrace && ./echotrace pipeline --help`,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, x := range args {
				if x == "--help" || x == "-h" {
					return cmd.Help()
				}
			}
			return usageError(errors.New("this echotrace was built without Apache Beam: rebuild with `go build -tags beam ./cmd/echotrace` (docs/pipeline.md), or use `echotrace coord` on one machine"))
		},
	}
}
