package report

import (
	"fmt"
	"html/template"
	"strings"
)

// IsBidiControl reports whether r is a bidirectional formatting character: the embeddings
// and overrides U+202A–U+202E, the isolates U+2066–U+2069, and the marks U+200E, U+200F and
// U+061C. In an untrusted value they make text read otherwise than it is written — after
// U+202E, "moc.elgoog" reads "google.com" — and an unterminated one reorders what follows.
func IsBidiControl(r rune) bool {
	switch {
	case r == '\u061c', r == '\u200e', r == '\u200f':
		return true
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// StripBidi returns the text of v (a string, or any value printed with fmt) without bidi
// controls. The report and the dashboard print every untrusted value through it: the
// template functions "plain" (StripBidi) and "bdi" (Isolate).
func StripBidi(v any) string {
	s, ok := v.(string)
	if !ok {
		s = fmt.Sprint(v)
	}
	if !strings.ContainsFunc(s, IsBidiControl) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if IsBidiControl(r) {
			return -1
		}
		return r
	}, s)
}

// Isolate returns the text of v, without bidi controls and HTML-escaped, in a <bdi> element:
// a right-to-left handle or text cannot then reorder the words around it ("@name (3
// co-actions)"). It is for an untrusted value printed inline among other text, in HTML
// element content only; a value that is the whole content of a block (a table cell, a
// heading), an attribute, SVG text or a <title> goes through StripBidi ("plain") instead —
// the block or the attribute isolates it already, and <bdi> has no meaning there.
func Isolate(v any) template.HTML {
	return template.HTML("<bdi>" + template.HTMLEscapeString(StripBidi(v)) + "</bdi>")
}
