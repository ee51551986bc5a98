package coord

import (
	"fmt"
	"github.com/echotrace/echotrace/internal/store/storetest"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/analysis/text"
	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/store"
	"github.com/echotrace/echotrace/internal/store/duckdb"
)

func TestParseSignalPhrase(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want Signal
		ok   bool
	}{
		{"co-phrase", CoPhrase, true},
		{"co_phrase", CoPhrase, true},
		{"phrase", CoPhrase, true},
		{"co-phrases", "", false},
		{"Phrase", "", false},
	} {
		got, err := ParseSignal(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseSignal(%q) = %q, %v; want %q, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	if !slices.Contains(AllSignals, CoPhrase) {
		t.Error("AllSignals lacks co-phrase")
	}
}

// phraseHashes is the set of hashPhrase over the n-token windows of s, sorted, deduplicated.
func phraseHashes(s string, n int) []uint64 {
	toks := phraseTokens(s, nil)
	var hs []uint64
	for j := 0; j+n <= len(toks); j++ {
		hs = append(hs, hashPhrase(toks[j:j+n]))
	}
	slices.Sort(hs)
	return slices.Compact(hs)
}

// checkTokens compares phraseTokens/hashPhrase with text.Shingles on a text of at least n
// tokens (Shingles treats shorter texts specially).
func checkTokens(t *testing.T, s string, n int) {
	t.Helper()
	if len(phraseTokens(s, nil)) < n {
		return
	}
	if got, want := phraseHashes(s, n), text.Shingles(s, n); !slices.Equal(got, want) {
		t.Errorf("%q, n=%d: phrase hashes %x, text.Shingles %x", s, n, got, want)
	}
}

func TestPhraseTokensMatchShingles(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		s    string
		want []string
	}{
		{"we firmly oppose interference", []string{"we", "firmly", "oppose", "interference"}},
		{"  two   spaces ", []string{"two", "spaces"}},
		// every Han/Hiragana/Katakana character is a token; Latin runs stay words
		{"中国外交部abc发言", []string{"中", "国", "外", "交", "部", "abc", "发", "言"}},
		{"ひらがなカタカナ", []string{"ひ", "ら", "が", "な", "カ", "タ", "カ", "ナ"}},
		{"", nil},
	} {
		if got := phraseTokens(tc.s, nil); !slices.Equal(got, tc.want) {
			t.Errorf("phraseTokens(%q) = %q, want %q", tc.s, got, tc.want)
		}
		for n := 1; n <= 6; n++ {
			checkTokens(t, tc.s, n)
		}
	}
}

func FuzzPhraseTokens(f *testing.F) {
	for _, s := range []string{"we firmly oppose interference in our internal affairs",
		"中国外交部abc发言 人 x", "ひらがな カタカナ 한국어 text", "a\u00a0b\tc\nd", "\xff\xfe bad utf8 \xc3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		norm := text.Normalize(s)
		for _, n := range []int{1, 2, 6} {
			checkTokens(t, norm, n)
		}
	})
}

func TestPhraseActions(t *testing.T) {
	t.Parallel()
	long := make([]string, 60)
	for i := range long {
		long[i] = fmt.Sprintf("w%d", i)
	}
	longText := strings.Join(long, " ")
	type act struct {
		text   int32
		phrase string
		first  int64
	}
	for _, tc := range []struct {
		name  string
		texts []phraseText
		n     int
		max   int
		all   bool
		want  []act
	}{
		{
			// Target "a b c d" has 3-grams "a b c", "b c d". Text 1 contains "a b c" twice
			// (one action) and "x a b" (not a target phrase); text 2 "b c d"; text 3 is a
			// watchlist post: never an action, and it adds no target time beyond text 0's 5.
			name: "dedupe within a post, watchlist never acts",
			texts: []phraseText{
				{norm: "a b c d", account: 0, t: 5, target: true, watched: true},
				{norm: "x a b c a b c", account: 1, t: 7},
				{norm: "b c d", account: 2, t: 9},
				{norm: "a b c d", account: 0, t: 1, target: true, watched: true},
			},
			n: 3, max: 50,
			want: []act{{1, "a b c", 1}, {2, "b c d", 1}},
		},
		{
			// "a b" is used by accounts 1, 2, 3 (3 > max 2): excluded; "b c" by 1 and 2 only
			// (account 1 twice counts once): kept.
			name: "max accounts",
			texts: []phraseText{
				{norm: "a b c", account: 0, t: 10, target: true, watched: true},
				{norm: "a b c", account: 1, t: 11},
				{norm: "b c", account: 1, t: 12},
				{norm: "a b c", account: 2, t: 13},
				{norm: "a b", account: 3, t: 14},
			},
			n: 2, max: 2,
			want: []act{{1, "b c", 10}, {2, "b c", 10}, {3, "b c", 10}},
		},
		{
			// No target post uses "p q": nothing.
			name:  "no target phrase",
			texts: []phraseText{{norm: "a b", target: true, watched: true}, {norm: "p q", account: 1}, {norm: "p q", account: 2}},
			n:     2, max: 50,
		},
		{
			// Every post a target (no watchlist): "p q" of two accounts is an object; "r s"
			// too (one account: it co-acts with no one, but it is an action); first is 0.
			name:  "all targets",
			texts: []phraseText{{norm: "p q", account: 1, t: 3, target: true}, {norm: "p q r s", account: 2, t: 4, target: true}},
			n:     2, max: 50, all: true,
			want: []act{{0, "p q", 0}, {1, "p q", 0}, {1, "q r", 0}, {1, "r s", 0}},
		},
		{
			// A copy of a 60-token target gives 58 distinct 3-grams: only the first 50 count.
			name:  "cap per post",
			texts: []phraseText{{norm: longText, target: true, watched: true}, {norm: longText, account: 1, t: 2}},
			n:     3, max: 50,
			want: func() []act {
				var w []act
				for j := 0; j < phrasesPerPost; j++ {
					w = append(w, act{1, strings.Join(long[j:j+3], " "), 0})
				}
				return w
			}(),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []act
			for _, a := range phraseActions(tc.texts, tc.n, tc.max, tc.all) {
				got = append(got, act{a.text, a.phrase, a.first})
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v\nwant %v", got, tc.want)
			}
		})
	}
}

// phraseWorld stores a co-phrase study. Watch account emb posts, at t0:
//
//	tgt1 "We firmly oppose interference in our internal affairs" — 8 tokens, 6-grams g1..g3:
//	     "we firmly oppose interference in our", "firmly oppose interference in our internal",
//	     "oppose interference in our internal affairs"
//	tgt2 "Happy new year to all our friends!" — 7 tokens, 6-grams h1, h2
//
// and again tgt1's text at t0+130 (a watchlist post: never an action). Non-watchlist posts:
//
//	n1 t0+100 "I agree: we firmly oppose …affairs"        g1..g3 (+ 2 non-target 6-grams)
//	n2 t0+160 "We firmly oppose …affairs. Shame! We firmly oppose …affairs"   g1..g3 once each
//	n3 t0+221 "we firmly oppose …affairs"                  g1..g3
//	o1 t0+100 "I agree we firmly oppose interference"      a non-target 6-gram shared with n1
//	o1 t0+110 "in our internal affairs"                    4 tokens: no 6-gram
//	n4 t0+100 a repost of tgt1 carrying its text           reposts are not actions
//	n1 t0+1000, n2 +1005, n3 +1010, o1 +1015 "happy new year to all our friends"  h1, h2
//
// So g1..g3 are used by 3 non-watchlist accounts (n1, n2, n3), h1, h2 by 4.
func phraseWorld(t *testing.T) store.Store {
	t.Helper()
	ctx := t.Context()
	db, err := duckdb.Open(ctx, t.TempDir(), duckdb.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	t0 := time.Date(2021, 3, 1, 9, 0, 0, 0, time.UTC)
	var b event.Batch
	b.Watch = append(b.Watch, event.WatchEntry{Platform: event.X, ID: "emb", Handle: "embassy", ActorType: event.ActorEmbassy, Country: "GB"})
	for _, id := range []string{"emb", "n1", "n2", "n3", "n4", "o1"} {
		b.Accounts = append(b.Accounts, event.Account{Platform: event.X, ID: id, Handle: id, CreatedAt: t0.AddDate(0, -1, 0),
			Followers: 7, Following: -1, Posts: -1})
	}
	const g = "We firmly oppose interference in our internal affairs"
	post := func(id, author, txt string, sec int) {
		b.Posts = append(b.Posts, event.Post{Platform: event.X, ID: id, AuthorID: author, Kind: event.KindPost, Text: txt,
			CreatedAt: t0.Add(time.Duration(sec) * time.Second), Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Views: -1})
	}
	post("tgt1", "emb", g, 0)
	post("tgt2", "emb", "Happy new year to all our friends!", 0)
	post("tgt3", "emb", g, 130)
	post("c-n1", "n1", "I agree: "+g, 100)
	post("c-n2", "n2", g+". Shame! "+g, 160)
	post("c-n3", "n3", strings.ToLower(g), 221)
	post("o-1", "o1", "I agree we firmly oppose interference", 100)
	post("o-2", "o1", "in our internal affairs", 110)
	b.Posts = append(b.Posts, event.Post{Platform: event.X, ID: "rt-n4", AuthorID: "n4", Kind: event.KindRepost, RefID: "tgt1",
		RefAuthorID: "emb", Text: g, CreatedAt: t0.Add(100 * time.Second), Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Views: -1})
	for i, id := range []string{"n1", "n2", "n3", "o1"} {
		post("ny-"+id, id, "happy new year to all our friends", 1000+5*i)
	}
	storetest.Commit(t, db, store.ImportRun{Source: "test", Format: "test", Started: t0}, &b)
	return db
}

func TestLoadCoPhrase(t *testing.T) {
	t.Parallel()
	st := phraseWorld(t)
	ctx := t.Context()
	for _, tc := range []struct {
		name       string
		p          Params
		actions    int
		want       map[string]float64
		signalsAll bool
	}{
		{
			// max 3: g1..g3 (3 accounts) are objects, h1, h2 (4 accounts) are not. Actions:
			// n1, n2, n3 × g1..g3 = 9. n1@100–n2@160 are 60 s apart (inclusive: co-act on 3
			// phrases); n2@160–n3@221 61 s, n1–n3 121 s: no co-action. o1 shares only a
			// non-target 6-gram with n1; n4's repost and emb's own posts do not act.
			name: "max 3", p: Params{PhraseMaxAccounts: 3}, actions: 9,
			want: map[string]float64{"n1-n2": 3},
		},
		{
			// default max 50: h1, h2 too. Their actions n1@1000, n2@1005, n3@1010, o1@1015 are
			// all within 15 s: each pair co-acts on 2 phrases. 9 + 4×2 = 17 actions.
			// n1–n2 = 3 + 2 = 5; every other pair of n1, n2, n3, o1 = 2.
			name: "default", p: Params{}, actions: 17,
			want: map[string]float64{"n1-n2": 5, "n1-n3": 2, "n1-o1": 2, "n2-n3": 2, "n2-o1": 2, "n3-o1": 2},
		},
		{
			// n = 8: tgt1 is one 8-gram, in n1, n2, n3; tgt2 has 7 tokens, no 8-gram.
			name: "n 8", p: Params{PhraseN: 8}, actions: 3,
			want: map[string]float64{"n1-n2": 1},
		},
		{
			// window 59 s: n1–n2 (60 s) no longer co-act; h pairs (≤ 15 s) still do.
			name: "window 59s", p: Params{Window: 59 * time.Second}, actions: 17,
			want: map[string]float64{"n1-n2": 2, "n1-n3": 2, "n1-o1": 2, "n2-n3": 2, "n2-o1": 2, "n3-o1": 2},
		},
		{
			// every signal: the co-phrase actions are the same 17 (co-text pairs add nothing
			// here: no two non-watchlist texts are identical within 60 s except the new-year
			// ones, which add 1 to each of their 6 pairs).
			name: "named with other signals", p: Params{Signals: []Signal{CoRepost, CoText, CoLink, CoHashtag, CoPhrase}}, actions: 17, signalsAll: true,
			want: map[string]float64{"n1-n2": 6, "n1-n3": 3, "n1-o1": 3, "n2-n3": 3, "n2-o1": 3, "n3-o1": 3},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.p
			if !tc.signalsAll {
				p.Signals = []Signal{CoPhrase}
			}
			in, err := Load(ctx, st, p)
			if err != nil {
				t.Fatal(err)
			}
			a := in.actionsOf(CoPhrase)
			if a == nil || a.Len() != tc.actions {
				t.Fatalf("co-phrase actions %v, want %d", a, tc.actions)
			}
			if !tc.signalsAll && in.actionsOf(CoText) != nil {
				t.Error("co-text loaded although not requested")
			}
			for i := range a.Account {
				id := in.Accounts.ID[a.Account[i]]
				if id == "emb" || id == "n4" {
					t.Errorf("action %d by %s", i, id)
				}
				obj := in.Objects.ID[a.Object[i]]
				if !strings.HasPrefix(obj, "phrase:") {
					t.Errorf("action %d object %q", i, obj)
				}
				// every object occurs in a target posted at t0: that is its creation time
				if c := in.Objects.Created[a.Object[i]]; c != time.Date(2021, 3, 1, 9, 0, 0, 0, time.UTC).Unix() {
					t.Errorf("object %q created %d", obj, c)
				}
			}
			q := p
			q.MinWeight, q.Alpha, q.Algorithm = 1, -1, Components
			res, err := Detect(ctx, in, q, rand.New(rand.NewPCG(1, 1)))
			if err != nil {
				t.Fatal(err)
			}
			got := edgeMap(res)
			if len(got) != len(tc.want) {
				t.Errorf("edges %v, want %v", got, tc.want)
			}
			for k, w := range tc.want {
				if got[k] != w {
					t.Errorf("edge %s = %v, want %v (all %v)", k, got[k], w, got)
				}
			}
		})
	}
}

// TestCoPhraseOptIn: with no signals named, Load computes every signal with data except
// co-phrase, which is slow on large studies and computed only when named.
func TestCoPhraseOptIn(t *testing.T) {
	st := phraseWorld(t)
	in, err := Load(t.Context(), st, Params{})
	if err != nil {
		t.Fatal(err)
	}
	if a := in.actionsOf(CoPhrase); a != nil {
		t.Errorf("co-phrase loaded by default: %d actions", a.Len())
	}
	if in.actionsOf(CoText) == nil {
		t.Error("co-text not loaded by default")
	}
}
