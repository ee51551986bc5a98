package settings

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/echotrace/echotrace/internal/analysis/amplify"
)

// Template is the settings file `echotrace init` writes: every setting commented out, so it
// means the defaults, with the default actor groups (amplify.DefaultActorGroups) written out
// as they would be set.
func Template() []byte {
	var b strings.Builder
	b.WriteString(`# echotrace study settings (TOML). See docs/metrics.md, "Actor groups".
#
# Actor groups: findings, report and dashboard give the headline figures of each group
# beside the total. Without actor_groups in this file the built-in groups below apply.
# To define your own, uncomment and edit them (yours replace the built-in ones), or write
#   actor_groups = []
# for no groups. --actor-group NAME=type,... on the command line overrides this file.
# Actor types are the watchlist's actor_type values:
#   ` + known() + `.
# Run ` + "`echotrace analyze`" + ` after a change: the stored findings keep the groups they were
# computed with.
`)
	for _, g := range amplify.DefaultActorGroups {
		q := make([]string, len(g.ActorTypes))
		for i, t := range g.ActorTypes {
			q[i] = strconv.Quote(t)
		}
		fmt.Fprintf(&b, "#\n# [[actor_groups]]\n# name = %s\n# actor_types = [%s]\n", strconv.Quote(g.Name), strings.Join(q, ", "))
	}
	return []byte(b.String())
}

// WriteTemplate writes Template to dir/echotrace.toml unless the study has that file already;
// it reports whether it wrote it.
func WriteTemplate(dir string) (bool, error) {
	path := filepath.Join(dir, File)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("write study settings: %w", err)
	}
	_, err = f.Write(Template())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return false, fmt.Errorf("write study settings %s: %w", path, err)
	}
	return true, nil
}
