package text

import (
	"encoding/csv"
	"github.com/echotrace/echotrace/internal/sharedtest"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"lower and punctuation", "Hello, World!!", "hello world"},
		{"collapse spaces", "  a \t b\n\nc  ", "a b c"},
		{"retweet prefix", "RT @user: Hello World", "hello world"},
		{"retweet prefix lower, no colon", "rt @user_1 Hello", "hello"},
		{"nested retweet prefixes", "RT @a: RT @b: text", "text"},
		{"RT not at start is a word", "I say RT @a: yes", "i say rt yes"},
		{"url", "Check https://t.co/abc123 now", "check now"},
		{"url http upper case", "see HTTP://EXAMPLE.com/x now", "see now"},
		{"url in parentheses", "link (https://x.com/a?b=c) here", "link here"},
		{"url glued to word", "news:https://t.co/x", "news"},
		{"www", "visit www.example.com/page. today", "visit today"},
		{"mention", "Hello @user, how are you?", "hello how are you"},
		{"mention mid-word is not a mention", "mail a@b.com", "mail a b com"},
		{"mastodon mention", "@alice@mastodon.social hi", "hi"},
		{"bluesky mention", "thanks @bob.bsky.social!", "thanks"},
		{"lone at sign", "meet @ 5", "meet 5"},
		{"html entities", "Fish &amp; Chips &lt;3 &#39;quoted&#39;", "fish chips 3 quoted"},
		{"double-escaped entity", "a &amp;amp; b", "a amp b"},
		{"hashtag", "#StopAsianHate now", "stopasianhate now"},
		{"apostrophes inside words", "Don't stop, it’s fine", "dont stop its fine"},
		{"apostrophes as quotes", "'rock' ’n’ roll", "rock n roll"},
		{"numbers", "COVID-19 in 2020", "covid 19 in 2020"},
		{"chinese with full-width punctuation", "中国外交部：坚决反对！", "中国外交部 坚决反对"},
		{"cyrillic", "Привет, МИР!", "привет мир"},
		{"cyrillic composition", "и\u0306ё", "йё"},
		{"emoji kept", "Great 👍🏽 job 🇨🇳", "great 👍🏽 job 🇨🇳"},
		{"emoji variation selector and zwj", "❤\uFE0F love 👨\u200D👩", "❤ love 👨👩"},
		{"combining acute composed", "Cafe\u0301 CAFÉ", "café café"},
		{"full-width ascii", "ＨＥＬＬＯ　ｗｏｒｌｄ", "hello world"},
		{"zero-width space", "he\u200Bllo", "hello"},
		{"soft hyphen", "co\u00ADoperate", "cooperate"},
		{"invalid utf-8", "a\xffb", "a b"},
		{"only noise", "RT @x: https://t.co/a @y #", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// fnvShingle hashes tokens independently of the package: hash/fnv's FNV-1a with 0xFF after
// every token.
func fnvShingle(toks ...string) uint64 {
	h := fnv.New64a()
	for _, t := range toks {
		h.Write([]byte(t))
		h.Write([]byte{0xFF})
	}
	return h.Sum64()
}

func sorted(xs ...uint64) []uint64 {
	slices.Sort(xs)
	return slices.Compact(xs)
}

func TestShingles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		k    int
		want []uint64
	}{
		{"bigrams", "a b c d", 2, sorted(fnvShingle("a", "b"), fnvShingle("b", "c"), fnvShingle("c", "d"))},
		{"unigrams", "x y", 1, sorted(fnvShingle("x"), fnvShingle("y"))},
		{"k below 1 means 1", "x y", 0, sorted(fnvShingle("x"), fnvShingle("y"))},
		{"short text is one shingle", "a b", 5, []uint64{fnvShingle("a", "b")}},
		{"duplicates removed", "a b a b a", 2, sorted(fnvShingle("a", "b"), fnvShingle("b", "a"))},
		// Token boundaries matter: "ab c" and "a bc" differ.
		{"boundaries", "ab c", 2, []uint64{fnvShingle("ab", "c")}},
		{"han characters are tokens", "中国外交", 2, sorted(fnvShingle("中", "国"), fnvShingle("国", "外"), fnvShingle("外", "交"))},
		{"mixed scripts", "xi近平 said", 2, sorted(fnvShingle("xi", "近"), fnvShingle("近", "平"), fnvShingle("平", "said"))},
		{"kana", "ひら カタ", 1, sorted(fnvShingle("ひ"), fnvShingle("ら"), fnvShingle("カ"), fnvShingle("タ"))},
		{"empty", "", 3, []uint64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Shingles(tt.in, tt.k); !slices.Equal(got, tt.want) {
				t.Errorf("Shingles(%q, %d) = %x, want %x", tt.in, tt.k, got, tt.want)
			}
		})
	}
	if a, b := fnvShingle("ab", "c"), fnvShingle("a", "bc"); a == b {
		t.Errorf("token boundary not hashed")
	}
}

func TestJaccard(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b []uint64
		want float64
	}{
		{[]uint64{1, 2, 3}, []uint64{2, 3, 4}, 2.0 / 4}, // |{2,3}| / |{1,2,3,4}|
		{[]uint64{1, 2}, []uint64{1, 2}, 1},
		{[]uint64{1}, []uint64{2}, 0},
		{[]uint64{1, 5, 9}, nil, 0},
		{nil, nil, 0}, // empty texts are nobody's duplicates
		{[]uint64{1, 2, 3, 4, 5, 6}, []uint64{4, 5, 6, 7}, 3.0 / 7},
	}
	for _, tt := range tests {
		if got := Jaccard(tt.a, tt.b); got != tt.want {
			t.Errorf("Jaccard(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestMinHashEstimatesJaccard(t *testing.T) {
	t.Parallel()
	// A = {0..199}, B = {100..299} (hashed): J = 100/300. With 1024 hashes the standard error
	// is √(J(1−J)/1024) = 0.0147; allow 4 standard errors.
	var a, b []uint64
	for i := range 300 {
		h := mix(uint64(i) + 12345)
		if i < 200 {
			a = append(a, h)
		}
		if i >= 100 {
			b = append(b, h)
		}
	}
	slices.Sort(a)
	slices.Sort(b)
	want := Jaccard(a, b)
	if math.Abs(want-1.0/3) > 1e-12 {
		t.Fatalf("exact J = %v, want 1/3", want)
	}
	for seed := range uint64(5) {
		m := NewMinHasher(1024, seed)
		got := m.Signature(a).Similarity(m.Signature(b))
		if math.Abs(got-want) > 4*0.0147 {
			t.Errorf("seed %d: estimate %.4f, want %.4f ± 0.059", seed, got, want)
		}
		if s := m.Signature(a).Similarity(m.Signature(a)); s != 1 {
			t.Errorf("seed %d: self-similarity %v", seed, s)
		}
	}
	if m := NewMinHasher(4, 1); !slices.Equal(m.Signature(a), m.Signature(a)) || m.Len() != 4 {
		t.Error("signature not deterministic")
	}
	if sig := NewMinHasher(2, 1).Signature(nil); sig[0] != math.MaxUint64 || sig[1] != math.MaxUint64 {
		t.Errorf("empty-set signature = %x", sig)
	}
}

func TestMinHasherStable(t *testing.T) {
	t.Parallel()
	// The hash family must not change between versions (stored groups would shift). SplitMix64
	// seeded with 0 outputs 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4 (reference vectors of
	// Vigna's splitmix64.c); a_0 is the first (already odd), b_0 the second.
	m := NewMinHasher(1, 0)
	if m.a[0] != 0xe220a8397b1dcdaf || m.b[0] != 0x6e789e6aa1b965f4 {
		t.Errorf("a_0, b_0 = %#x, %#x", m.a[0], m.b[0])
	}
}

func TestCandidateProbability(t *testing.T) {
	t.Parallel()
	// 1 − (1 − 0.5⁴)³² = 1 − 0.9375³² = 1 − 0.12679 = 0.87321.
	if got := CandidateProbability(0.5, 4, 32); math.Abs(got-0.87321) > 1e-5 {
		t.Errorf("P(0.5; r=4, b=32) = %.5f, want 0.87321", got)
	}
	// 1 − (1 − 0.7⁴)³² = 1 − 0.7599³² = 0.99985.
	if got := CandidateProbability(0.7, 4, 32); math.Abs(got-0.99985) > 1e-5 {
		t.Errorf("P(0.7; r=4, b=32) = %.5f, want 0.99985", got)
	}
	// Empirical check of the formula and of the hash family: 3000 pairs of sets with J = 1/3
	// (|A| = |B| = 20, 10 shared), r = 4, b = 32: P = 1 − (1 − 1/81)³² = 0.3280. The standard
	// error of the observed rate is √(P(1−P)/3000) = 0.0086; allow 4 of them.
	const pairs = 3000
	m := NewMinHasher(128, 7)
	ka, kb := make([]uint32, 32), make([]uint32, 32)
	hits := 0
	rng := rand.New(rand.NewPCG(1, 2))
	for range pairs {
		var a, b []uint64
		for i := range 30 {
			h := rng.Uint64()
			if i < 20 {
				a = append(a, h)
			}
			if i >= 10 {
				b = append(b, h)
			}
		}
		slices.Sort(a)
		slices.Sort(b)
		bandKeys(ka, m.Signature(a), 4)
		bandKeys(kb, m.Signature(b), 4)
		for j := range ka {
			if ka[j] == kb[j] {
				hits++
				break
			}
		}
	}
	want := CandidateProbability(1.0/3, 4, 32)
	if got := float64(hits) / pairs; math.Abs(got-want) > 4*0.0086 {
		t.Errorf("candidate rate %.4f, want %.4f ± 0.034", got, want)
	}
}

// words draws n words from a vocabulary of 2000 synthetic words.
func words(rng *rand.Rand, n int) []string {
	w := make([]string, n)
	for i := range w {
		w[i] = "w" + strings.Repeat(string(rune('a'+rng.IntN(26))), 1) + string(rune('a'+rng.IntN(26))) + string(rune('a'+rng.IntN(26)))
	}
	return w
}

func TestNearDuplicateGroups(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	base := words(rng, 30)
	changed := slices.Clone(base)
	changed[15] = "zzzz" // one word changed in the middle: J = 25/31 ≈ 0.81 for K = 3
	other := words(rng, 30)
	third := words(rng, 30)
	half := append(slices.Clone(base[:15]), third[15:]...) // J = 13/43 ≈ 0.30 with base
	texts := []string{
		strings.Join(base, " "),                                    // 0
		strings.Join(other, " "),                                   // 1
		strings.Join(changed, " "),                                 // 2: near-duplicate of 0
		"RT @someone: " + strings.ToUpper(strings.Join(base, " ")), // 3: same words as 0
		strings.Join(half, " "),                                    // 4: shares half of 0
		"",                                                         // 5: empty
		"https://t.co/x",                                           // 6: normalises to nothing
		strings.Join(other, ", ") + " https://t.co/y",              // 7: same words as 1
	}
	if j := Jaccard(Shingles(texts[0], 3), Shingles(texts[2], 3)); math.Abs(j-25.0/31) > 1e-12 {
		t.Fatalf("J(base, changed) = %v, want 25/31", j)
	}
	want := []int32{0, 1, 0, 0, 2, 3, 4, 1}
	for seed := range uint64(10) {
		got := NearDuplicateGroups(texts, LSHParams{Seed: seed})
		if !slices.Equal(got, want) {
			t.Errorf("seed %d: groups = %v, want %v", seed, got, want)
		}
	}
	// Lowering the threshold joins the half-shared text (J ≈ 0.30); r = 2 rows make it a
	// candidate with probability 1 − (1 − 0.3²)⁶⁴ > 0.99.
	got := NearDuplicateGroups(texts, LSHParams{Threshold: 0.25, Hashes: 128, Bands: 64})
	if want := []int32{0, 1, 0, 0, 0, 2, 3, 1}; !slices.Equal(got, want) {
		t.Errorf("threshold 0.25: groups = %v, want %v", got, want)
	}
	if got := NearDuplicateGroups(nil, LSHParams{}); len(got) != 0 {
		t.Errorf("no texts: %v", got)
	}
}

func readSample(t testing.TB) (authors, texts []string) {
	f, err := os.Open("testdata/ira_2016-10-06_sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows[1:] {
		authors = append(authors, r[0])
		texts = append(texts, r[2])
	}
	return authors, texts
}

// TestNearDuplicateGroupsIRA compares LSH groups with exact all-pairs Jaccard on 320 IRA
// tweets (FiveThirtyEight / Linvill & Warren, one day, see testdata): every group must lie
// inside one connected component of the graph of pairs with J ≥ 0.7 (no false joins), and
// LSH must find at least 99% of those pairs.
func TestNearDuplicateGroupsIRA(t *testing.T) {
	t.Parallel()
	_, texts := readSample(t)
	p := LSHParams{}.withDefaults()
	sh := make([][]uint64, len(texts))
	for i, s := range texts {
		sh[i] = Shingles(Normalize(s), p.K)
	}
	// Exact components by union-find over all pairs.
	comp := make([]int, len(texts))
	for i := range comp {
		comp[i] = i
	}
	var root func(int) int
	root = func(x int) int {
		for comp[x] != x {
			x = comp[x]
		}
		return x
	}
	var similar [][2]int
	for i := range texts {
		for j := i + 1; j < len(texts); j++ {
			if Jaccard(sh[i], sh[j]) >= p.Threshold {
				similar = append(similar, [2]int{i, j})
				comp[root(j)] = root(i)
			}
		}
	}
	if len(similar) < 100 {
		t.Fatalf("fixture has only %d similar pairs", len(similar))
	}
	groups := NearDuplicateGroups(texts, LSHParams{Seed: 1})
	compOf := map[int32]int{}
	for i, g := range groups {
		if c, ok := compOf[g]; ok && c != root(i) {
			t.Fatalf("text %d grouped with a text it is not similar to", i)
		}
		compOf[g] = root(i)
	}
	found := 0
	for _, pr := range similar {
		if groups[pr[0]] == groups[pr[1]] {
			found++
		}
	}
	if recall := float64(found) / float64(len(similar)); recall < 0.99 {
		t.Errorf("recall %.3f of %d similar pairs, want ≥ 0.99", recall, len(similar))
	}
}

// TestNearDuplicateGroupsIRADay runs on the full one-day IRA sample (13,764 tweets): texts that
// normalise to the same non-empty string must share a group (identical shingle sets collide
// in every band and have J = 1), and every member of a group of two or more must have
// J ≥ 0.7 with at least one other member (a necessary condition of joining only verified
// pairs).
func TestNearDuplicateGroupsIRADay(t *testing.T) {
	t.Parallel()
	f, err := os.Open(sharedtest.Data(t, "ira-troll-tweets-2016-election-window/ira_tweets_2016-10-06_one_day.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(header, "content")
	if col < 0 {
		t.Fatalf("no content column in %v", header)
	}
	var texts []string
	for {
		rec, err := r.Read()
		if err != nil {
			break
		}
		texts = append(texts, rec[col])
	}
	if len(texts) < 10000 {
		t.Fatalf("read %d tweets, want 13764", len(texts))
	}
	groups := NearDuplicateGroups(texts, LSHParams{Seed: 1})
	first := map[string]int32{}
	joined := 0
	for i, s := range texts {
		n := Normalize(s)
		if n == "" {
			continue
		}
		if g, ok := first[n]; ok {
			joined++
			if groups[i] != g {
				t.Fatalf("identical normalised texts in groups %d and %d: %q", g, groups[i], n)
			}
		} else {
			first[n] = groups[i]
		}
	}
	// Sanity: the day has many copies (README: strong real coordination).
	if joined < 500 {
		t.Errorf("only %d tweets repeat an earlier normalised text", joined)
	}
	members := map[int32][]int{}
	for i, g := range groups {
		members[g] = append(members[g], i)
	}
	for g, ms := range members {
		if len(ms) < 2 {
			continue
		}
		sh := make([][]uint64, len(ms))
		for k, i := range ms {
			sh[k] = Shingles(Normalize(texts[i]), DefaultK)
		}
		for k := range ms {
			ok := false
			for l := range ms {
				if l != k && Jaccard(sh[k], sh[l]) >= DefaultThreshold {
					ok = true
					break
				}
			}
			if !ok {
				t.Fatalf("group %d: text %d has no member with J ≥ %v", g, ms[k], DefaultThreshold)
			}
		}
	}
}

func TestNearDuplicateGroupsDeterministic(t *testing.T) {
	// Not parallel: compares different worker counts.
	rng := rand.New(rand.NewPCG(9, 9))
	texts := make([]string, 6000)
	templates := make([][]string, 50)
	for i := range templates {
		templates[i] = words(rng, 20)
	}
	tmpl := make([]int, len(texts))
	for i := range texts {
		tmpl[i] = rng.IntN(len(templates))
		w := slices.Clone(templates[tmpl[i]])
		w[rng.IntN(len(w))] = "x" + string(rune('a'+rng.IntN(26)))
		texts[i] = strings.Join(w, " ")
	}
	a := NearDuplicateGroups(texts, LSHParams{Seed: 5})
	b := NearDuplicateGroups(texts, LSHParams{Seed: 5})
	if !slices.Equal(a, b) {
		t.Fatal("two runs differ")
	}
	// One worker instead of GOMAXPROCS (≥ 2 workers for 6000 texts when GOMAXPROCS ≥ 2).
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	if c := NearDuplicateGroups(texts, LSHParams{Seed: 5}); !slices.Equal(a, c) {
		t.Fatal("result depends on the number of workers")
	}
	// Copies of different (random, unrelated) templates never share a group.
	of := map[int32]int{}
	for i, g := range a {
		if tm, ok := of[g]; ok && tm != tmpl[i] {
			t.Fatalf("group %d mixes templates %d and %d", g, tm, tmpl[i])
		}
		of[g] = tmpl[i]
	}
	// Group ids are numbered by first text.
	var next int32
	for _, g := range a {
		if g > next {
			t.Fatalf("group id %d before %d", g, next)
		}
		if g == next {
			next++
		}
	}
}

func TestPhrases(t *testing.T) {
	t.Parallel()
	texts := []string{
		"Stop the lies about Xinjiang now",     // account 1
		"stop the LIES about xinjiang!",        // account 2
		"RT @x: Stop the lies, about Xinjiang", // account 2 again: still 2 accounts
		"the lies about something else",        // account 3
		"short",                                // account 4: fewer than n tokens
	}
	accounts := []int32{1, 2, 2, 3, 4}
	// 3-grams used by ≥ 2 and ≤ 2 accounts: "stop the lies" (1, 2), "lies about xinjiang"
	// (1, 2). "the lies about" is used by 1, 2 and 3 (too many); "about xinjiang now" by 1 only.
	got := Phrases(texts, accounts, 3, 2)
	want := []Phrase{
		{Text: "lies about xinjiang", Hash: fnvShingle("lies", "about", "xinjiang"), Accounts: []int32{1, 2}, Texts: []int32{0, 1, 2}},
		{Text: "stop the lies", Hash: fnvShingle("stop", "the", "lies"), Accounts: []int32{1, 2}, Texts: []int32{0, 1, 2}},
	}
	if !slices.EqualFunc(got, want, func(a, b Phrase) bool {
		return a.Text == b.Text && a.Hash == b.Hash && slices.Equal(a.Accounts, b.Accounts) && slices.Equal(a.Texts, b.Texts)
	}) {
		t.Errorf("Phrases = %+v\nwant %+v", got, want)
	}
	// With maxAccounts 3, "the lies about" (3 accounts) comes first.
	if got := Phrases(texts, accounts, 3, 3); len(got) != 3 || got[0].Text != "the lies about" || len(got[0].Accounts) != 3 {
		t.Errorf("maxAccounts 3: %+v", got)
	}
}

func TestRadixSortKeys(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(4, 4))
	for _, n := range []int{0, 1, 7, 5000} {
		entries := make([]uint64, n)
		for i := range entries {
			// Few distinct keys so that ties (ordered by index) are common.
			entries[i] = uint64(rng.Uint32()%97*0x01010101)<<32 | uint64(i)
		}
		want := slices.Clone(entries)
		slices.Sort(want)
		var scratch []uint64
		radixSortKeys(entries, &scratch)
		if !slices.Equal(entries, want) {
			t.Errorf("n=%d: radix sort differs from slices.Sort", n)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"RT @a: Hello https://t.co/x &amp; #tag", "Cafe\u0301 中国！", "a\xffb", "@a@b.c", "don't"} {
		f.Add(s)
	}
	if _, texts := readSampleFuzz(); texts != nil {
		for _, s := range texts[:40] {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if !utf8.ValidString(n) {
			t.Fatalf("invalid UTF-8 from %q: %q", s, n)
		}
		if strings.Contains(n, "  ") || strings.TrimSpace(n) != n {
			t.Fatalf("spaces not collapsed in %q", n)
		}
		if strings.ContainsAny(n, "@#&:/!?.,") {
			t.Fatalf("punctuation left in %q", n)
		}
		if n2 := Normalize(n); n2 != n {
			t.Fatalf("not idempotent: %q → %q → %q", s, n, n2)
		}
	})
}

func FuzzShingles(f *testing.F) {
	f.Add("a b c d e", 3)
	f.Add("中国外交部 坚决反对", 2)
	f.Add("", 0)
	f.Fuzz(func(t *testing.T, s string, k int) {
		k = k % 16
		sh := Shingles(s, k)
		for i := 1; i < len(sh); i++ {
			if sh[i-1] >= sh[i] {
				t.Fatalf("not strictly ascending: %x", sh)
			}
		}
		if ntok := len(tokens(s, nil)); len(sh) > max(ntok, 1) || (ntok > 0) != (len(sh) > 0) {
			t.Fatalf("%d shingles from %d tokens", len(sh), ntok)
		}
		if !slices.Equal(sh, Shingles(s, k)) {
			t.Fatal("not deterministic")
		}
	})
}

func readSampleFuzz() (authors, texts []string) {
	f, err := os.Open("testdata/ira_2016-10-06_sample.csv")
	if err != nil {
		return nil, nil
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, nil
	}
	for _, r := range rows[1:] {
		authors = append(authors, r[0])
		texts = append(texts, r[2])
	}
	return authors, texts
}
