package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/echotrace/echotrace/internal/analysis/amplify"
	"github.com/echotrace/echotrace/internal/settings"
	"github.com/echotrace/echotrace/internal/store"
)

// settings reads the study's echotrace.toml (none: the zero Settings). A mistake in it is the
// user's to fix: a usage error (exit 2) naming the file, line and key.
func (a *App) settings() (settings.Settings, error) {
	s, err := settings.Read(a.Study)
	if errors.Is(err, settings.ErrInvalid) {
		return s, usageError(err)
	}
	return s, err
}

// actorGroups resolves a run's actor groups by precedence: the --actor-group values, else the
// study's echotrace.toml, else the built-in groups (nil, which amplify reads as
// amplify.DefaultActorGroups); source says which (amplify.GroupsFrom…). The settings file is
// read, and refused when wrong, even when flags override it.
func (a *App) actorGroups(flags []string) (groups []amplify.ActorGroup, source string, err error) {
	s, err := a.settings()
	if err != nil {
		return nil, "", err
	}
	switch {
	case len(flags) > 0:
		groups, err = parseActorGroups(flags)
		return groups, amplify.GroupsFromFlags, err
	case s.ActorGroups != nil:
		return s.ActorGroups, amplify.GroupsFromSettings, nil
	}
	return nil, amplify.GroupsFromDefaults, nil
}

// groupsWarning says when stored findings hold other actor groups than the study's settings
// define now (echotrace.toml edited after `echotrace analyze`); "" when they agree, or when
// the run chose its groups with --actor-group.
func (a *App) groupsWarning(f amplify.Findings) (string, error) {
	cur, source, err := a.actorGroups(nil)
	if err != nil {
		return "", err
	}
	if cur == nil {
		cur = amplify.DefaultActorGroups
	}
	now := "the built-in groups (" + groupNames(cur) + ")"
	if source == amplify.GroupsFromSettings {
		now = "those echotrace.toml defines now (" + groupNames(cur) + ")"
	}
	switch f.ActorGroupsSource {
	case amplify.GroupsFromFlags:
		return "", nil
	case "":
		// Stored before the definition was recorded: then the groups were the built-in ones
		// unless --actor-group said otherwise.
		if amplify.SameActorGroups(cur, amplify.DefaultActorGroups) {
			return "", nil
		}
		return fmt.Sprintf("the stored findings were computed before echotrace recorded their actor groups, which are not %s: run `echotrace analyze` to recompute them", now), nil
	}
	if amplify.SameActorGroups(f.ActorGroupsDefined, cur) {
		return "", nil
	}
	was := "the built-in groups"
	if f.ActorGroupsSource == amplify.GroupsFromSettings {
		was = "echotrace.toml's at the time"
	}
	return fmt.Sprintf("the stored findings' actor groups (%s: %s) are not %s: run `echotrace analyze` to recompute them",
		was, groupNames(f.ActorGroupsDefined), now), nil
}

// storedGroupsWarnings is groupsWarning for the study's stored findings (none: no warning),
// for the commands that show them: report, export, serve.
func (a *App) storedGroupsWarnings(ctx context.Context, docs store.ResultStore) ([]string, error) {
	f, err := amplify.Stored(ctx, docs)
	if errors.Is(err, store.ErrNotFound) {
		_, _, err := a.actorGroups(nil) // a wrong settings file is refused all the same
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	w, err := a.groupsWarning(f)
	if w == "" || err != nil {
		return nil, err
	}
	return []string{w}, nil
}

func groupNames(g []amplify.ActorGroup) string {
	if len(g) == 0 {
		return "none"
	}
	names := make([]string, len(g))
	for i, x := range g {
		names[i] = x.Name
	}
	return strings.Join(names, ", ")
}
