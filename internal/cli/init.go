package cli

import (
	"github.com/spf13/cobra"
)

func newInitCmd(a *App) *cobra.Command {
	return &cobra.Command{
		Use:   "init [DIR]",
		Short: "Create a study folder with an empty store",
		Long: `init creates DIR (default: the --study folder or the current folder) and an empty
echotrace.duckdb inside it. Running it again on an existing study only migrates its schema.`,
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
			if a.JSON {
				return a.PrintJSON(map[string]string{"study": a.Study, "store": a.StorePath()})
			}
			a.Logf("study ready: %s", a.StorePath())
			return nil
		},
	}
}
