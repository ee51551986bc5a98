package pseudonym

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/store"
)

var key = []byte("0123456789abcdef0123456789abcdef")

func mapper() *Mapper {
	m := New(key, false)
	m.Watch("x", "100", "AmbA")
	m.Known("x", "9001", "priv1")
	return m
}

func TestID(t *testing.T) {
	m := mapper()
	p := m.ID("x", "9001")
	for _, tc := range []struct {
		name, got, want string
	}{
		{"watch id stays", m.ID("x", "100"), "100"},
		{"empty stays", m.ID("x", ""), ""},
		{"stable", m.ID("x", "9001"), p},
		{"handle of known account is its id pseudonym", m.Handle("x", "", "PRIV1"), p},
		{"handle with id", m.Handle("x", "9001", "priv1"), p},
		{"watch handle stays", m.Handle("x", "", "amba"), "amba"},
		{"reveal", New(key, true).ID("x", "9001"), "9001"},
		{"post of watch author stays", m.PostID("x", "100", "P1"), "P1"},
		{"post of unknown author stays", m.PostID("x", "", "P1"), "P1"},
		{"private name dropped", m.Private("x", "9001", "Private One"), ""},
		{"watch name kept", m.Private("x", "100", "Embassy"), "Embassy"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	if !regexp.MustCompile(`^acct_[a-z2-7]{10}$`).MatchString(p) {
		t.Errorf("pseudonym %q: want acct_ + 10 base32 characters", p)
	}
	if q := m.ID("mastodon", "9001"); q == p {
		t.Error("the same id on another platform has the same pseudonym")
	}
	if q := New([]byte("another key, also thirty-two b!!"), false).ID("x", "9001"); q == p {
		t.Error("another key gives the same pseudonym")
	}
	if pp := m.PostID("x", "9001", "R1"); !regexp.MustCompile(`^post_[a-z2-7]{12}$`).MatchString(pp) {
		t.Errorf("post pseudonym %q", pp)
	}
}

func TestText(t *testing.T) {
	m := mapper()
	p := m.ID("x", "9001")
	for _, tc := range []struct{ in, want string }{
		{"@AmbA said so", "@AmbA said so"},
		{"cc @priv1, thanks", "cc @" + p + ", thanks"},
		{"mail me@example.org", "mail me@example.org"},
		{"(@priv1)", "(@" + p + ")"},
		{"no mentions", "no mentions"},
		{"@", "@"},
	} {
		if got := m.Text("x", tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := m.Text("x", "@someone"); !strings.HasPrefix(got, "@acct_") {
		t.Errorf("unknown handle not pseudonymised: %q", got)
	}
}

// FuzzText checks that no @mention survives pseudonymisation except watchlist handles and
// pseudonyms, and that revealing changes nothing.
func FuzzText(f *testing.F) {
	for _, s := range []string{"@priv1 hi", "a@b.c @x_y.bsky.social", "@@@", "@AmbA@mastodon.social", "<script>@priv1</script>", "ünï@cödé @ü"} {
		f.Add(s)
	}
	handle := regexp.MustCompile(`(^|[^\p{L}\p{N}_])@([A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_])?)`)
	f.Fuzz(func(t *testing.T, s string) {
		m := mapper()
		if got := New(key, true).Text("x", s); got != s {
			t.Fatalf("reveal changed %q to %q", s, got)
		}
		out := m.Text("x", s)
		for _, sub := range handle.FindAllStringSubmatch(out, -1) {
			h := sub[2]
			if !strings.EqualFold(h, "AmbA") && !regexp.MustCompile(`^acct_[a-z2-7]{10}$`).MatchString(h) {
				t.Fatalf("Text(%q) = %q keeps the mention @%s", s, out, h)
			}
		}
	})
}

// docs is an in-memory ResultStore.
type docs map[string][]byte

func (d docs) PutDocument(_ context.Context, name string, body []byte) error {
	d[name] = body
	return nil
}

func (d docs) Document(_ context.Context, name string) ([]byte, time.Time, error) {
	b, ok := d[name]
	if !ok {
		return nil, time.Time{}, store.ErrNotFound
	}
	return b, time.Time{}, nil
}

func (d docs) PutTable(context.Context, string, []string, [][]any) error { return nil }

func TestKey(t *testing.T) {
	ctx := context.Background()
	d := docs{}
	now := time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)
	k1, err := Key(ctx, d, strings.NewReader(strings.Repeat("k", 32)), now)
	if err != nil {
		t.Fatal(err)
	}
	if string(k1) != strings.Repeat("k", 32) {
		t.Fatalf("key = %q, want the 32 random bytes", k1)
	}
	// second use reads the stored key and draws no randomness
	k2, err := Key(ctx, d, strings.NewReader(""), now)
	if err != nil || string(k2) != string(k1) {
		t.Fatalf("second Key = %q, %v; want the stored key", k2, err)
	}
	if _, err := Key(ctx, docs{}, strings.NewReader("short"), now); err == nil {
		t.Fatal("a short random source was accepted")
	}
	if _, err := Key(ctx, docs{DocumentName: []byte(`{"key":"AAAA"}`)}, strings.NewReader(""), now); err == nil {
		t.Fatal("a stored key of the wrong length was accepted")
	}
}
