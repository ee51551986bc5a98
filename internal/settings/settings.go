package settings

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/BurntSushi/toml"

	"github.com/echotrace/echotrace/internal/analysis/amplify"
	"github.com/echotrace/echotrace/internal/event"
)

// File is the settings file's name inside a study folder.
const File = "echotrace.toml"

// MaxSize bounds the settings file: it holds a few lines of settings, not data.
const MaxSize = 1 << 20

// MaxNameLen bounds an actor group's name (in characters).
const MaxNameLen = 64

// ErrInvalid is what every *Error unwraps to: the settings file is not valid.
var ErrInvalid = errors.New("invalid study settings")

// Settings are a study's settings.
type Settings struct {
	// Path is the file read, "" when the study has none.
	Path string
	// ActorGroups are the actor groups the file defines, in its order: nil when it defines
	// none (the defaults apply), empty and non-nil for `actor_groups = []` (no groups). Actor
	// types are lower case.
	ActorGroups []amplify.ActorGroup
}

// Error is a mistake in a settings file: the file, the line (0 when unknown), the key (e.g.
// actor_groups[2].actor_types) and what is wrong.
type Error struct {
	Path string
	Line int
	Key  string
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Path)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

func (e *Error) Unwrap() error { return ErrInvalid }

// Read reads the settings of the study in dir: dir/echotrace.toml, or the zero Settings when
// there is no such file.
func Read(dir string) (Settings, error) {
	path := filepath.Join(dir, File)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Settings{}, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("read study settings: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return Settings{}, fmt.Errorf("read study settings %s: %w", path, err)
	}
	if len(data) > MaxSize {
		return Settings{}, &Error{Path: path, Msg: fmt.Sprintf("larger than %d KiB; a settings file holds a few settings", MaxSize>>10)}
	}
	return Parse(path, data)
}

var typeErrRE = regexp.MustCompile(`^toml: line (\d+) \(last key "(.*?)"\): (.*)$`)

// file is the schema of echotrace.toml.
type file struct {
	ActorGroups []group `toml:"actor_groups"`
}

type group struct {
	Name       string   `toml:"name"`
	ActorTypes []string `toml:"actor_types"`
}

// Parse reads settings from data, the text of the file at path (path names it in errors).
func Parse(path string, data []byte) (Settings, error) {
	s := Settings{Path: path}
	if !utf8.Valid(data) {
		return s, &Error{Path: path, Msg: "not UTF-8 text"}
	}
	var v file
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&v)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			line := pe.Position.Line
			if st := pe.Position.Start; st > 0 && st < len(data) {
				// The line of the offending byte: the decoder counts an unexpected end of
				// line on the next one.
				line = 1 + bytes.Count(data[:st], []byte("\n"))
			}
			return s, &Error{Path: path, Line: line, Key: pe.LastKey, Msg: pe.Message}
		}
		// A type mismatch: "toml: line 3 (last key "…"): incompatible types …".
		e := &Error{Path: path, Msg: strings.TrimPrefix(err.Error(), "toml: ")}
		if m := typeErrRE.FindStringSubmatch(err.Error()); m != nil {
			e.Line, _ = strconv.Atoi(m[1])
			e.Key, e.Msg = m[2], m[3]
		}
		return s, e
	}
	loc := newLocator(data)
	if undec := md.Undecoded(); len(undec) > 0 {
		k := undec[0]
		return s, &Error{Path: path, Line: loc.key(k), Key: k.String(),
			Msg: "unknown setting (known: actor_groups, with name and actor_types; see docs/metrics.md)"}
	}
	if !md.IsDefined("actor_groups") {
		return s, nil
	}
	s.ActorGroups = []amplify.ActorGroup{}
	for i, g := range v.ActorGroups {
		at := func(field string) *Error {
			return &Error{Path: path, Line: loc.field(i, field), Key: fmt.Sprintf("actor_groups[%d].%s", i+1, field)}
		}
		name := strings.TrimSpace(g.Name)
		switch {
		case name == "":
			e := at("name")
			if !md.IsDefined("actor_groups", "name") && e.Line == 0 {
				e.Line = loc.table(i)
			}
			e.Msg = "a group needs a name"
			return s, e
		case utf8.RuneCountInString(name) > MaxNameLen:
			e := at("name")
			e.Msg = fmt.Sprintf("name longer than %d characters", MaxNameLen)
			return s, e
		case strings.ContainsFunc(name, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }):
			e := at("name")
			e.Msg = "name holds control or formatting characters"
			return s, e
		}
		if j := slices.IndexFunc(s.ActorGroups, func(x amplify.ActorGroup) bool { return x.Name == name }); j >= 0 {
			e := at("name")
			e.Msg = fmt.Sprintf("%q is the name of group %d too; names must differ", name, j+1)
			return s, e
		}
		if len(g.ActorTypes) == 0 {
			e := at("actor_types")
			if e.Line == 0 {
				e.Line = loc.table(i)
			}
			e.Msg = fmt.Sprintf("group %q needs at least one actor type (known: %s)", name, known())
			return s, e
		}
		var types []string
		for _, t := range g.ActorTypes {
			lt := strings.ToLower(strings.TrimSpace(t))
			if !slices.Contains(event.ActorTypes, event.ActorType(lt)) {
				e := at("actor_types")
				e.Line = loc.value(i, "actor_types", t)
				e.Msg = fmt.Sprintf("unknown actor type %q (known: %s)", t, known())
				return s, e
			}
			if slices.Contains(types, lt) {
				e := at("actor_types")
				e.Line = loc.value(i, "actor_types", t)
				e.Msg = fmt.Sprintf("actor type %q is listed twice in group %q", t, name)
				return s, e
			}
			types = append(types, lt)
		}
		s.ActorGroups = append(s.ActorGroups, amplify.ActorGroup{Name: name, ActorTypes: types})
	}
	return s, nil
}

// known lists the watchlist's actor types.
func known() string {
	s := make([]string, len(event.ActorTypes))
	for i, a := range event.ActorTypes {
		s[i] = string(a)
	}
	return strings.Join(s, ", ")
}
