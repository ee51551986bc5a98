package settings

import (
	"regexp"
	"strings"

	"github.com/BurntSushi/toml"
)

// locator finds the line of a key in a settings file, for error messages: the TOML decoder
// reports the line of syntax errors only. It knows the file's tables by their headers; a key
// it cannot place gets line 0 (the message still names the key).
type locator struct {
	lines   []string
	headers []header
}

type header struct {
	line  int // 1-based
	name  string
	array bool // [[name]]
}

var headerRE = regexp.MustCompile(`^\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$`)

func newLocator(data []byte) *locator {
	l := &locator{lines: strings.Split(string(data), "\n")}
	for i, s := range l.lines {
		if m := headerRE.FindStringSubmatch(s); m != nil {
			l.headers = append(l.headers, header{line: i + 1, name: unquote(m[2]), array: m[1] == "[["})
		}
	}
	return l
}

// unquote turns a header's dotted name into the decoder's spelling (quotes dropped).
func unquote(name string) string {
	parts := strings.Split(name, ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"'`)
	}
	return strings.Join(parts, ".")
}

// block is the range of lines [from, to) of table header h, or of the top level (h < 0).
func (l *locator) block(h int) (from, to int) {
	from, to = 1, len(l.lines)+1
	if h >= 0 {
		from = l.headers[h].line + 1
	}
	if h+1 < len(l.headers) {
		to = l.headers[h+1].line
	}
	return from, to
}

// keyLine is the first line in [from, to) that assigns key.
func (l *locator) keyLine(key string, from, to int) int {
	re := keyRE(key)
	for n := from; n < to && n <= len(l.lines); n++ {
		if re.MatchString(l.lines[n-1]) {
			return n
		}
	}
	return 0
}

func keyRE(key string) *regexp.Regexp {
	q := regexp.QuoteMeta(key)
	return regexp.MustCompile(`(^|[\s{,])("` + q + `"|'` + q + `'|` + q + `)\s*=`)
}

// table is the line of the i-th (0-based) [[actor_groups]] header, 0 if there is none.
func (l *locator) table(i int) int {
	if h := l.arrayHeader("actor_groups", i); h >= 0 {
		return l.headers[h].line
	}
	return 0
}

func (l *locator) arrayHeader(name string, i int) int {
	for h, hd := range l.headers {
		if hd.array && hd.name == name {
			if i == 0 {
				return h
			}
			i--
		}
	}
	return -1
}

// field is the line of key field in the i-th actor group.
func (l *locator) field(i int, field string) int {
	h := l.arrayHeader("actor_groups", i)
	if h < 0 {
		return 0
	}
	from, to := l.block(h)
	return l.keyLine(field, from, to)
}

// value is the line where the i-th actor group's field lists v (a multi-line array), else
// the field's line.
func (l *locator) value(i int, field, v string) int {
	n := l.field(i, field)
	if n == 0 {
		return 0
	}
	_, to := l.block(l.arrayHeader("actor_groups", i))
	for m := n; m < to && m <= len(l.lines); m++ {
		if m > n && regexp.MustCompile(`^\s*[\w"'.-]+\s*=`).MatchString(l.lines[m-1]) {
			break // the next key
		}
		if s := l.lines[m-1]; strings.Contains(s, `"`+v+`"`) || strings.Contains(s, `'`+v+`'`) {
			return m
		}
	}
	return n
}

// key is the line of an undecoded key: a table's header, or the key's assignment inside the
// table that holds it (the first such table of an array of tables); else the first line
// anywhere that assigns its last part.
func (l *locator) key(k toml.Key) int {
	if len(k) == 0 {
		return 0
	}
	full := strings.Join(k, ".")
	for _, hd := range l.headers {
		if hd.name == full {
			return hd.line
		}
	}
	parent, last := strings.Join(k[:len(k)-1], "."), k[len(k)-1]
	if parent == "" {
		from, to := l.block(-1)
		if len(l.headers) > 0 {
			to = l.headers[0].line
		}
		if n := l.keyLine(last, from, to); n > 0 {
			return n
		}
	}
	for h, hd := range l.headers {
		if hd.name == parent {
			from, to := l.block(h)
			if n := l.keyLine(last, from, to); n > 0 {
				return n
			}
		}
	}
	return l.keyLine(last, 1, len(l.lines)+1)
}
