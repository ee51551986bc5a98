package text

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Normalize reduces a post's text to a canonical sequence of lower-case words separated by
// single spaces. The rules, applied in this order:
//
//  1. HTML entities are decoded (&amp; → &, &#39; → ', &lt; → <), as platform APIs and
//     archives often deliver escaped text.
//  2. The text is split at white space. Leading retweet prefixes "RT @user:" (also without
//     the colon, and repeated: "RT @a: RT @b: …") are removed.
//  3. URLs are removed: from "http://" or "https://" (any case, anywhere in a word) to the end
//     of the word, and words starting with "www." (after leading punctuation).
//  4. Mentions are removed: "@" at the start of a word or after a character that is not a
//     letter, digit or "_", with the handle that follows (letters, digits, "_", "." and "-",
//     and an optional second "@domain" as in Mastodon's @user@instance).
//  5. Each remaining rune is mapped: letters are lower-cased (unicode.ToLower); full-width
//     ASCII forms (U+FF01–U+FF5E) become ASCII and the ideographic space a space; format
//     characters (zero-width space and joiners, BOM, soft hyphen, direction marks) and
//     variation selectors are dropped; an apostrophe (' ’ ʼ) between two letters is dropped
//     ("don't" → "dont"); letters, combining marks, digits and other symbols (So: emoji,
//     pictographs) are kept, and so are emoji skin-tone modifiers; everything else
//     (punctuation, including "#" — so "#Tag" becomes "tag" —, math and currency signs,
//     control characters, spaces) separates words.
//  6. NFC-ish: a Latin or Cyrillic base letter followed by a common combining diacritic
//     (acute, grave, circumflex, tilde, diaeresis, ring, cedilla, caron, breve) is composed into
//     the precomposed letter, so "é" typed as e + U+0301 equals U+00E9. Other sequences are left
//     as they are (this is not full Unicode NFC).
//  7. Runs of separators collapse to one space; leading and trailing space is trimmed.
//
// Scripts without spaces between words (Chinese, Japanese) pass through as one word per run;
// Shingles splits them into characters.
func Normalize(s string) string {
	return string(AppendNormalize(make([]byte, 0, len(s)), s))
}

// AppendNormalize appends Normalize(s) to dst and returns the extended buffer; with a reused
// buffer it allocates nothing for ASCII or entity-free text.
func AppendNormalize(dst []byte, s string) []byte {
	if strings.IndexByte(s, '&') >= 0 {
		s = html.UnescapeString(s)
	}
	start := len(dst)
	// Leading "RT @user:" pairs of words are skipped.
	i := 0
	for {
		a, b := nextWord(s, i)
		if a < 0 {
			return dst
		}
		c, d := nextWord(s, b)
		if c < 0 || !strings.EqualFold(s[a:b], "rt") || s[c] != '@' {
			break
		}
		i = d
	}
	for {
		a, b := nextWord(s, i)
		if a < 0 {
			return dst
		}
		i = b
		if w := stripURL(s[a:b]); w != "" {
			dst = appendWord(dst, start, w)
		}
	}
}

// nextWord returns the bounds of the first word of s at or after i (words are separated by
// unicode.IsSpace runes), or -1, -1 when there is none.
func nextWord(s string, i int) (int, int) {
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf {
			if !asciiSpace[c] {
				break
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsSpace(r) {
			break
		}
		i += size
	}
	if i >= len(s) {
		return -1, -1
	}
	j := i
	for j < len(s) {
		if c := s[j]; c < utf8.RuneSelf {
			if asciiSpace[c] {
				break
			}
			j++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[j:])
		if unicode.IsSpace(r) {
			break
		}
		j += size
	}
	return i, j
}

var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// stripURL removes a URL from the word: everything from an http(s) scheme to the end, or the
// whole word if it starts with "www." after leading punctuation.
func stripURL(w string) string {
	if i := indexFold(w, "http://"); i >= 0 {
		w = w[:i]
	}
	if i := indexFold(w, "https://"); i >= 0 {
		w = w[:i]
	}
	trimmed := strings.TrimLeftFunc(w, func(r rune) bool { return unicode.IsPunct(r) })
	if len(trimmed) >= 4 && strings.EqualFold(trimmed[:4], "www.") {
		return w[:len(w)-len(trimmed)]
	}
	return w
}

// indexFold is strings.Index for an ASCII lower-case needle, ignoring ASCII case in s.
func indexFold(s, needle string) int {
	n := len(needle)
	for i := 0; i+n <= len(s); i++ {
		if s[i] != needle[0] && s[i] != needle[0]-('a'-'A') {
			continue
		}
		if strings.EqualFold(s[i:i+n], needle) {
			return i
		}
	}
	return -1
}

// appendWord appends the normalised runes of w to buf, preceded by a space if buf holds
// output (beyond start) and something is written.
func appendWord(buf []byte, start int, w string) []byte {
	sep := len(buf) > start
	var prev rune   // last rune written in the current word, 0 after a separator
	var prevLen int // its length in bytes
	for i := 0; i < len(w); {
		// ASCII letters and digits, the common case, are written directly.
		if c := w[i]; c < utf8.RuneSelf && asciiWord[c] != 0 {
			if sep {
				buf = append(buf, ' ')
				sep = false
			}
			buf = append(buf, asciiWord[c])
			prev, prevLen = rune(asciiWord[c]), 1
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(w[i:])
		// Mentions: "@" not preceded by a word character.
		if r == '@' && !isWordRune(prev) {
			if j := skipHandle(w, i+size); j > i+size {
				i = j
				sep, prev = sep || len(buf) > start, 0
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
			sep, prev = sep || len(buf) > start, 0
			continue
		case !keep(r):
			sep, prev = sep || len(buf) > start, 0
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

// asciiWord maps an ASCII letter or digit to its lower-case form, and every other byte to 0.
var asciiWord = func() (t [utf8.RuneSelf]byte) {
	for c := byte('0'); c <= '9'; c++ {
		t[c] = c
	}
	for c := byte('a'); c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = c, c
	}
	return t
}()

// drop marks a rune that vanishes without separating words.
const drop = -1

// mapRune lower-cases r, folds full-width ASCII and returns drop for invisible format runes.
func mapRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	}
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		r -= 0xFF01 - 0x21
	case r == 0x3000:
		return ' '
	case r >= 0xFE00 && r <= 0xFE0F, r >= 0xE0100 && r <= 0xE01EF: // variation selectors
		return drop
	case unicode.Is(unicode.Cf, r) && !(r >= 0xE0020 && r <= 0xE007F):
		// Format characters: ZWSP, ZWNJ, ZWJ, BOM, soft hyphen, LRM/RLM… (tag characters of
		// emoji flag sequences are kept as part of the pictograph).
		return drop
	}
	return unicode.ToLower(r)
}

func isApostrophe(r rune) bool { return r == '\'' || r == '\u2019' || r == '\u02BC' }

// keep reports whether r is part of a word.
func keep(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || 'A' <= r && r <= 'Z'
	}
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r) ||
		unicode.Is(unicode.So, r) ||
		(r >= 0x1F3FB && r <= 0x1F3FF) || // emoji skin-tone modifiers (Sk)
		(r >= 0xE0020 && r <= 0xE007F) // emoji tag sequence characters
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || 'A' <= r && r <= 'Z' || r == '_'
	}
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
}

// skipHandle returns the index after a handle starting at i (letters, digits, "_", ".", "-",
// with one optional "@domain").
func skipHandle(w string, i int) int {
	j := i
	at := false
	for j < len(w) {
		r, size := utf8.DecodeRuneInString(w[j:])
		switch {
		case isWordRune(r) || r == '.' || r == '-':
		case r == '@' && !at && j > i:
			at = true
		default:
			return j
		}
		j += size
	}
	return j
}

// compose returns the precomposed form of base followed by the combining mark, for the common
// Latin and Cyrillic lower-case letters.
func compose(base, mark rune) (rune, bool) {
	c, ok := composition[[2]rune{base, mark}]
	return c, ok
}

var composition = func() map[[2]rune]rune {
	const (
		grave      = 0x0300
		acute      = 0x0301
		circumflex = 0x0302
		tilde      = 0x0303
		breve      = 0x0306
		diaeresis  = 0x0308
		ring       = 0x030A
		caron      = 0x030C
		cedilla    = 0x0327
	)
	table := map[rune]string{
		grave:      "aàeèiìoòuù",
		acute:      "aáeéiíoóuúyýcćnńsśzźlĺrŕgǵ",
		circumflex: "aâeêiîoôuûcĉgĝhĥjĵsŝwŵyŷ",
		tilde:      "aãnñoõiĩuũ",
		breve:      "aăgğuŭийуў",
		diaeresis:  "aäeëiïoöuüyÿеёіїоӧ",
		ring:       "aåuů",
		caron:      "cčdďeěnňrřsšzžtť",
		cedilla:    "cçsştţ",
	}
	m := make(map[[2]rune]rune)
	for mark, pairs := range table {
		rs := []rune(pairs)
		for i := 0; i+1 < len(rs); i += 2 {
			m[[2]rune{rs[i], mark}] = rs[i+1]
		}
	}
	return m
}()
