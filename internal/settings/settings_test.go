package settings

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/echotrace/echotrace/internal/analysis/amplify"
)

func TestParse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		want     []amplify.ActorGroup
	}{
		{"empty file", "", nil},
		{"comments only", "# nothing\n\n", nil},
		{"no groups", "actor_groups = []\n", []amplify.ActorGroup{}},
		{"two groups", `
[[actor_groups]]
name = "uk"
actor_types = ["Ambassador", "embassy"]   # case-insensitive

[[actor_groups]]
name = " media "
actor_types = [
  "state_media",
]
`, []amplify.ActorGroup{{Name: "uk", ActorTypes: []string{"ambassador", "embassy"}}, {Name: "media", ActorTypes: []string{"state_media"}}}},
		{"inline", `actor_groups = [{name = "all", actor_types = ["other", "ministry"]}]`,
			[]amplify.ActorGroup{{Name: "all", ActorTypes: []string{"other", "ministry"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := Parse("s/echotrace.toml", []byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(s.ActorGroups, tc.want) || (s.ActorGroups == nil) != (tc.want == nil) {
				t.Errorf("groups = %#v, want %#v", s.ActorGroups, tc.want)
			}
		})
	}
}

// TestParseErrors: every mistake names the file, the line and the key.
func TestParseErrors(t *testing.T) {
	t.Parallel()
	const ok = "[[actor_groups]]\nname = \"diplomats\"\nactor_types = [\"embassy\"]\n"
	for _, tc := range []struct {
		name, in string
		line     int
		key, msg string
	}{
		{"syntax", "actor_groups = [\n[[actor_groups]]\n", 2, "", ""},
		{"header not closed", "# c\n[[actor_groups]\nname = \"x\"\n", 2, "", "expected end of table array name"},
		{"unterminated string", ok + "[[actor_groups]]\nname = \"x\n", 5, "", ""},
		{"unknown top-level key", "colour = \"red\"\n" + ok, 1, "colour", "unknown setting"},
		{"unknown table", ok + "\n[report]\ntitle = \"x\"\n", 5, "report", "unknown setting"},
		{"unknown key in a group", ok + "[[actor_groups]]\nname = \"m\"\nactor_type = [\"state_media\"]\n", 6, "actor_groups.actor_type", "unknown setting"},
		{"misspelt in the first group", "[[actor_groups]]\nnmae = \"d\"\nactor_types = [\"embassy\"]\n" + ok, 2, "actor_groups.nmae", "unknown setting"},
		{"wrong type", "actor_groups = \"diplomats\"\n", 1, "", "incompatible types"},
		{"types not a list", "[[actor_groups]]\nname = \"d\"\nactor_types = \"embassy\"\n", 3, "", "incompatible types"},
		{"duplicate name", ok + "\n[[actor_groups]]\nname = \"diplomats\"\nactor_types = [\"staff\"]\n", 6, "actor_groups[2].name", `"diplomats" is the name of group 1 too`},
		{"no name", ok + "[[actor_groups]]\nactor_types = [\"staff\"]\n", 4, "actor_groups[2].name", "needs a name"},
		{"blank name", "[[actor_groups]]\nname = \"  \"\nactor_types = [\"staff\"]\n", 2, "actor_groups[1].name", "needs a name"},
		{"control in name", "[[actor_groups]]\nname = \"a\\u202eb\"\nactor_types = [\"staff\"]\n", 2, "actor_groups[1].name", "control or formatting"},
		{"long name", "[[actor_groups]]\nname = \"" + strings.Repeat("x", 65) + "\"\nactor_types = [\"staff\"]\n", 2, "actor_groups[1].name", "longer than 64"},
		{"empty type list", ok + "[[actor_groups]]\nname = \"m\"\nactor_types = []\n", 6, "actor_groups[2].actor_types", "at least one actor type"},
		{"no type list", ok + "[[actor_groups]]\nname = \"m\"\n", 4, "actor_groups[2].actor_types", "at least one actor type"},
		{"unknown type", ok + "[[actor_groups]]\nname = \"m\"\nactor_types = [\n  \"state_media\",\n  \"journalist\",\n]\n", 8, "actor_groups[2].actor_types", `unknown actor type "journalist" (known: ambassador, embassy, consulate, staff, ministry, state_media, media_personality, other)`},
		{"type twice", "[[actor_groups]]\nname = \"d\"\nactor_types = [\"staff\", \"STAFF\"]\n", 3, "actor_groups[1].actor_types", "listed twice"},
		{"not UTF-8", "name = \"\xff\"\n", 0, "", "not UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("study/echotrace.toml", []byte(tc.in))
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v (%T), want *Error", err, err)
			}
			if e.Path != "study/echotrace.toml" || !strings.HasPrefix(err.Error(), "study/echotrace.toml") {
				t.Errorf("error %q does not name the file", err)
			}
			if tc.line > 0 && (e.Line != tc.line || !strings.HasPrefix(err.Error(), "study/echotrace.toml:"+strconv.Itoa(tc.line)+": ")) {
				t.Errorf("error %q: line %d, want %d", err, e.Line, tc.line)
			}
			if tc.key != "" && e.Key != tc.key {
				t.Errorf("error %q: key %q, want %q", err, e.Key, tc.key)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not say %q", err, tc.msg)
			}
		})
	}
}

func TestRead(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := Read(dir)
	if err != nil || s.ActorGroups != nil || s.Path != "" {
		t.Fatalf("missing file: %+v, %v; want the zero Settings", s, err)
	}
	path := filepath.Join(dir, File)
	if err := os.WriteFile(path, []byte("[[actor_groups]]\nname = \"x\"\nactor_types = [\"embassy\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if s, err = Read(dir); err != nil || s.Path != path || len(s.ActorGroups) != 1 {
		t.Fatalf("Read = %+v, %v", s, err)
	}
	if err := os.WriteFile(path, make([]byte, MaxSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err = Read(dir); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), path) {
		t.Fatalf("oversized file: %v", err)
	}
}

// TestTemplate: the file init writes means the defaults, and uncommenting its example groups
// gives exactly the defaults too (the comment cannot drift from amplify.DefaultActorGroups).
func TestTemplate(t *testing.T) {
	t.Parallel()
	s, err := Parse(File, Template())
	if err != nil {
		t.Fatal(err)
	}
	if s.ActorGroups != nil {
		t.Fatalf("template defines groups %v; want none set (the defaults)", s.ActorGroups)
	}
	var un []string
	for _, l := range strings.Split(string(Template()), "\n") {
		if r, ok := strings.CutPrefix(l, "# "); ok && (strings.HasPrefix(r, "[[") || strings.HasPrefix(r, "name =") || strings.HasPrefix(r, "actor_types =")) {
			l = r
		}
		un = append(un, l)
	}
	s, err = Parse(File, []byte(strings.Join(un, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.ActorGroups, amplify.DefaultActorGroups) {
		t.Fatalf("uncommented template = %v, want %v", s.ActorGroups, amplify.DefaultActorGroups)
	}

	dir := t.TempDir()
	if wrote, err := WriteTemplate(dir); err != nil || !wrote {
		t.Fatalf("WriteTemplate = %v, %v", wrote, err)
	}
	mine := []byte("actor_groups = []\n")
	if err := os.WriteFile(filepath.Join(dir, File), mine, 0o644); err != nil {
		t.Fatal(err)
	}
	if wrote, err := WriteTemplate(dir); err != nil || wrote {
		t.Fatalf("WriteTemplate over an existing file = %v, %v; want it left alone", wrote, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, File)); string(b) != string(mine) {
		t.Fatalf("existing settings overwritten: %q", b)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(Template())
	f.Add([]byte("[[actor_groups]]\nname = \"d\"\nactor_types = [\"embassy\"]\n"))
	f.Add([]byte("actor_groups = [{name = \"all\", actor_types = [\"other\"]}]\n[x]\ny = 1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("f.toml", data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
			return
		}
		for _, g := range s.ActorGroups {
			if g.Name == "" || len(g.ActorTypes) == 0 {
				t.Fatalf("accepted group %+v", g)
			}
		}
	})
}
