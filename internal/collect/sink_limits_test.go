package collect

import (
	"strings"
	"testing"

	"github.com/echotrace/echotrace/internal/ingest/mastodon"
	"github.com/echotrace/echotrace/internal/store/duckdb"
)

// TestSinkAppliesImportLimits: a collected page goes through the same field limits and time
// window as an imported file — a status dated 1999 on Mastodon and one with a 300 KiB text are
// rejected, the plausible one is stored.
func TestSinkAppliesImportLimits(t *testing.T) {
	ctx := t.Context()
	st, err := duckdb.Open(ctx, t.TempDir(), duckdb.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	status := func(id, at, text string) string {
		return `{"id":"` + id + `","created_at":"` + at + `","content":"` + text + `","uri":"https://m.example/s/` + id +
			`","account":{"id":"9","username":"u","acct":"u@m.example","url":"https://m.example/@u","created_at":"2020-01-01T00:00:00Z"}}`
	}
	body := "[" + status("1", "2021-01-05T10:00:00Z", "fine") + "," + status("2", "1999-01-05T10:00:00Z", "too early") + "," +
		status("3", "2021-01-05T11:00:00Z", strings.Repeat("x", 300<<10)) + "]"
	sum, err := (&Sink{Store: st}).Page(ctx, mastodon.New(), "https://m.example/api/v1/timelines", []byte(body), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rows, err := st.Query(ctx, "SELECT reason FROM rejects"); err == nil {
		for rows.Next() {
			var r string
			rows.Scan(&r)
			t.Log(r)
		}
		rows.Close()
	}
	if sum.Stored.Posts != 1 || sum.Rejected < 2 {
		t.Errorf("stored %d posts, rejected %d; want 1 post stored, the 1999 and the 300 KiB ones rejected", sum.Stored.Posts, sum.Rejected)
	}
}
