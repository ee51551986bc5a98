package text

import (
	"html"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// refNormalize is Normalize as first written (words from strings.FieldsFunc, every rune
// decoded): the reference that the allocation-free AppendNormalize must equal.
func refNormalize(s string) string {
	if strings.IndexByte(s, '&') >= 0 {
		s = html.UnescapeString(s)
	}
	words := strings.FieldsFunc(s, unicode.IsSpace)
	words = refStripRetweetPrefix(words)
	buf := make([]byte, 0, len(s))
	for _, w := range words {
		if w = stripURL(w); w != "" {
			buf = refAppendWord(buf, w)
		}
	}
	return string(buf)
}

func refStripRetweetPrefix(words []string) []string {
	for len(words) >= 2 && strings.EqualFold(words[0], "rt") && strings.HasPrefix(words[1], "@") {
		words = words[2:]
	}
	return words
}

func refAppendWord(buf []byte, w string) []byte {
	sep := len(buf) > 0
	var prev rune   // last rune written in the current word, 0 after a separator
	var prevLen int // its length in bytes
	for i := 0; i < len(w); {
		r, size := utf8.DecodeRuneInString(w[i:])
		// Mentions: "@" not preceded by a word character.
		if r == '@' && !isWordRune(prev) {
			if j := skipHandle(w, i+size); j > i+size {
				i = j
				sep, prev = sep || len(buf) > 0, 0
				continue
			}
		}
		i += size
		if r == utf8.RuneError && size == 1 {
			r = ' ' // invalid UTF-8 separates words
		}
		r = mapRune(r)
		switch {
		case r == drop:
			continue
		case isApostrophe(r):
			// Dropped between two letters, a separator otherwise.
			if unicode.IsLetter(prev) && i < len(w) {
				if next, _ := utf8.DecodeRuneInString(w[i:]); unicode.IsLetter(mapRune(next)) {
					continue
				}
			}
			sep, prev = sep || len(buf) > 0, 0
			continue
		case !keep(r):
			sep, prev = sep || len(buf) > 0, 0
			continue
		}
		if prev != 0 && unicode.Is(unicode.Mn, r) {
			if c, ok := compose(prev, r); ok {
				buf = utf8.AppendRune(buf[:len(buf)-prevLen], c)
				prev, prevLen = c, utf8.RuneLen(c)
				continue
			}
		}
		if sep {
			buf = append(buf, ' ')
			sep = false
		}
		buf = utf8.AppendRune(buf, r)
		prev, prevLen = r, utf8.RuneLen(r)
	}
	return buf
}

func FuzzNormalizeReference(f *testing.F) {
	for _, s := range []string{"RT @a: Hello https://t.co/x &amp; #tag", "RT", "RT @a", " rt @b: rt @c x", "Cafe\u0301 中国！",
		"a\xffb", "@a@b.c", "don't", "x\u00a0y\u2003z\u0085", "ÀB www.x.org Ünïcode"} {
		f.Add(s)
	}
	if _, texts := readSampleFuzz(); texts != nil {
		for _, s := range texts[:40] {
			f.Add(s)
		}
	}
	buf := []byte("prefix ")
	f.Fuzz(func(t *testing.T, s string) {
		want := refNormalize(s)
		if got := Normalize(s); got != want {
			t.Fatalf("Normalize(%q) = %q, reference %q", s, got, want)
		}
		// Appending to a buffer that already holds output changes nothing in what is appended.
		if got := string(AppendNormalize(buf[:7], s)); got != "prefix "+want {
			t.Fatalf("AppendNormalize(%q) = %q, want %q", s, got, "prefix "+want)
		}
	})
}
