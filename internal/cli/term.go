package cli

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/echotrace/echotrace/internal/report"
)

// Human output (tables, summaries, log lines on stderr) is read on a terminal, where the data
// must not act: an escape sequence in a post's text would retitle the window or clear the
// screen, a carriage return overwrite the line, a bidi control reorder it, and a tab or a
// newline break a table's columns. Every string from the data printed for people goes
// through termCell (a table cell, a field of a line) or termText (a message); JSON and CSV
// outputs are written as they are.

// termCell returns s fit to print as one cell of a table or one field of a line: C0 controls
// (tab and newline included), DEL, C1 controls, bidi controls, the Unicode line and paragraph
// separators and invalid UTF-8 bytes are shown escaped, as Go writes them in a string literal
// (\t, \n, \r, \x1b, \u009b, \u202e, \xff). Backslashes are left alone: a table stays
// readable, and no escape it shows can act.
func termCell(s string) string { return termEscape(s, false) }

// termText is termCell for a message of one or more lines: tabs and newlines are kept (a
// DuckDB error shows its statement and a caret on lines of their own).
func termText(s string) string { return termEscape(s, true) }

func termEscape(s string, keepLines bool) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return termUnsafe(r, keepLines) }) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case !termUnsafe(r, keepLines):
			b.WriteString(s[i : i+size])
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += size
	}
	return b.String()
}

// termUnsafe reports whether r must be escaped on a terminal (see termCell); with keepLines,
// tab and newline are safe.
func termUnsafe(r rune, keepLines bool) bool {
	switch {
	case keepLines && (r == '\t' || r == '\n'):
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	case r == '\u2028', r == '\u2029':
		return true
	}
	return report.IsBidiControl(r)
}
