package csvpost

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/echotrace/echotrace/internal/event"
)

// Mapping names, for each of our post fields, the file's column that holds it ("" = absent).
// Platform may instead be a constant (ConstPlatform) for files that carry none.
type Mapping struct {
	Platform      string
	ConstPlatform event.Platform
	ID            string
	AuthorID      string
	AuthorHandle  string
	CreatedAt     string
	Kind          string
	RefID         string
	RefAuthorID   string
	Text          string
	Lang          string
	URLs          string
	Hashtags      string
	Likes         string
	Reposts       string
	Replies       string
	Quotes        string
}

// DefaultHeader is the default layout: the posts view's first eight columns.
const DefaultHeader = "platform,id,author_id,created_at,kind,ref_id,ref_author_id,text"

// DefaultMapping maps the default header, plus the optional columns of the posts view.
func DefaultMapping() Mapping {
	return Mapping{Platform: "platform", ID: "id", AuthorID: "author_id", AuthorHandle: "author_handle",
		CreatedAt: "created_at", Kind: "kind", RefID: "ref_id", RefAuthorID: "ref_author_id", Text: "text",
		Lang: "lang", URLs: "urls", Hashtags: "hashtags", Likes: "likes", Reposts: "reposts", Replies: "replies",
		Quotes: "quotes"}
}

// fields lists the mapping's fields by their names in mapping strings, for ParseMapping and
// for iteration.
func (m *Mapping) fields() map[string]*string {
	return map[string]*string{
		"platform": &m.Platform, "id": &m.ID, "author_id": &m.AuthorID, "author_handle": &m.AuthorHandle,
		"created_at": &m.CreatedAt, "kind": &m.Kind, "ref_id": &m.RefID, "ref_author_id": &m.RefAuthorID,
		"text": &m.Text, "lang": &m.Lang, "urls": &m.URLs, "hashtags": &m.Hashtags, "likes": &m.Likes,
		"reposts": &m.Reposts, "replies": &m.Replies, "quotes": &m.Quotes,
	}
}

// FieldNames lists the field names a mapping may set, sorted.
func FieldNames() []string {
	var m Mapping
	var names []string
	for n := range m.fields() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// String writes the mapping canonically: its field=column pairs sorted by field, the constant
// platform as platform=const:NAME. Equal mappings give equal strings, however they were written.
func (m Mapping) String() string {
	var pairs []string
	for name, col := range m.fields() {
		if *col != "" {
			pairs = append(pairs, name+"="+*col)
		}
	}
	if m.ConstPlatform != "" {
		pairs = append(pairs, "platform=const:"+string(m.ConstPlatform))
	}
	sort.Strings(pairs)
	return strings.Join(pairs, ",")
}

// Validate checks that the fields every post needs are mapped: id, author_id, created_at, and
// platform (a column or a constant); and kind whenever ref_id is mapped.
func (m Mapping) Validate() error {
	var missing []string
	if m.Platform == "" && m.ConstPlatform == "" {
		missing = append(missing, "platform")
	}
	for _, f := range []struct{ name, col string }{{"id", m.ID}, {"author_id", m.AuthorID}, {"created_at", m.CreatedAt}} {
		if f.col == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("column mapping lacks %s", strings.Join(missing, ", "))
	}
	if m.RefID != "" && m.Kind == "" {
		return fmt.Errorf("column mapping maps ref_id but not kind; map kind too")
	}
	return nil
}

// ParseMapping parses a column mapping: either one line of comma-separated field=column pairs
// ("id=tweet_id,author_id=user,created_at=time,platform=const:x") or the text of a mapping file
// with one field=column pair per line, blank lines and # comments allowed. Field names are
// those of FieldNames; "platform=const:NAME" sets a constant platform. Column names are matched
// case-insensitively against the file's header. The result is validated.
func ParseMapping(s string) (Mapping, error) {
	var m Mapping
	fields := m.fields()
	var pairs []string
	if strings.ContainsAny(s, "\n") {
		sc := bufio.NewScanner(strings.NewReader(s))
		for sc.Scan() {
			pairs = append(pairs, sc.Text())
		}
		if err := sc.Err(); err != nil {
			return m, fmt.Errorf("column mapping: %w", err)
		}
	} else {
		pairs = strings.Split(s, ",")
	}
	seen := map[string]int{}
	for i, p := range pairs {
		where := fmt.Sprintf("column mapping item %d", i+1)
		if len(pairs) > 1 && strings.Contains(s, "\n") {
			where = fmt.Sprintf("column mapping line %d", i+1)
		}
		if j := strings.IndexByte(p, '#'); j >= 0 && strings.Contains(s, "\n") {
			p = p[:j]
		}
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		name, col, ok := strings.Cut(p, "=")
		name, col = strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(col)
		if !ok || col == "" {
			return m, fmt.Errorf("%s: %q is not field=column", where, p)
		}
		dst, known := fields[name]
		if !known {
			return m, fmt.Errorf("%s: unknown field %q; expected one of %s", where, name, strings.Join(FieldNames(), ", "))
		}
		if prev, dup := seen[name]; dup {
			return m, fmt.Errorf("%s: field %q is already mapped (item %d)", where, name, prev)
		}
		seen[name] = i + 1
		if name == "platform" {
			if c, isConst := strings.CutPrefix(col, "const:"); isConst {
				pl, err := event.ParsePlatform(c)
				if err != nil {
					return m, fmt.Errorf("%s: %w", where, err)
				}
				m.ConstPlatform = pl
				continue
			}
		}
		*dst = col
	}
	return m, m.Validate()
}

// LoadMapping turns a --mapping argument into a Mapping: "" is the default layout (the zero
// Mapping), an argument containing "=" is parsed inline by ParseMapping, and anything else is
// the path of a mapping file.
func LoadMapping(arg string) (Mapping, error) {
	switch {
	case strings.TrimSpace(arg) == "":
		return Mapping{}, nil
	case strings.Contains(arg, "="):
		return ParseMapping(arg)
	}
	data, err := os.ReadFile(arg)
	if err != nil {
		return Mapping{}, fmt.Errorf("read column mapping: %w", err)
	}
	m, err := ParseMapping(string(data))
	if err != nil {
		return Mapping{}, fmt.Errorf("%s: %w", arg, err)
	}
	return m, nil
}
