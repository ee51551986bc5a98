package cli

import (
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/echotrace/echotrace/internal/settings"
)

func newInitCmd(a *App) *cobra.Command {
	return &cobra.Command{
		Use:   "init [DIR]",
		Short: "Create a study folder with an empty store",
		Long: `init creates DIR (default: the --study folder or the current folder) and an empty
echotrace.duckdb inside it, and the study's settings file echotrace.toml with every setting
commented out (the defaults, shown: the actor groups of docs/metrics.md). Running it again on
an existing study only migrates its schema; an existing echotrace.toml is left as it is.`,
		Example: "  echotrace init prc-diplomats",
		Args:    maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				a.Study = args[0]
			}
			st, err := a.CreateStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			if _, err := settings.WriteTemplate(a.Study); err != nil {
				return err
			}
			if _, err := a.settings(); err != nil { // an existing file, checked
				return err
			}
			if a.JSON {
				return a.PrintJSON(map[string]string{"study": a.Study, "store": a.StorePath(), "settings": filepath.Join(a.Study, settings.File)})
			}
			a.Logf("study ready: %s", a.StorePath())
			return nil
		},
	}
}
