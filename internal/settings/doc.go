// Package settings reads a study's settings file, echotrace.toml in the study folder (DESIGN
// §2), and writes the commented file `echotrace init` starts a study with.
//
// The file is TOML. It holds the actor groups whose findings are reported beside the total
// (docs/metrics.md, "Actor groups"):
//
//	[[actor_groups]]
//	name = "diplomats"
//	actor_types = ["ambassador", "embassy", "consulate", "staff", "ministry"]
//
// A missing file, or one without actor_groups, means the built-in defaults
// (amplify.DefaultActorGroups); `actor_groups = []` means no groups. Anything else is
// checked: an unknown key, a group without a name or actor types, a name given twice, an
// actor type outside the watchlist's vocabulary (event.ActorTypes) is an *Error naming the
// file, the line and the key. Nothing read here becomes SQL or a path: the actor types are
// matched in Go against the watchlist entries' types.
package settings
