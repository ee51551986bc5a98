package crowdtangle

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest/ingesttest"
)

func TestConformance(t *testing.T) {
	ingesttest.Run(t, New(), "testdata/ct_api_40.csv", "testdata/dashboard_bad.csv")
}

func TestAPILayout(t *testing.T) {
	data, err := os.ReadFile("testdata/ct_api_40.csv")
	if err != nil {
		t.Fatal(err)
	}
	b := ingesttest.Decode(t, New(), "ct", data)
	if len(b.Posts) != 40 || len(b.Rejects) != 0 {
		t.Fatalf("%d posts, %d rejects; want 40, 0", len(b.Posts), len(b.Rejects))
	}
	p := b.Posts[0]
	// Row 1: platformId 145547835465271_2100804073272961, group 145547835465271, 2 likes and
	// no other reaction (sum 2), 0 shares, 0 comments, updated 2020-12-17 08:44:26.
	if p.ID != "145547835465271_2100804073272961" || p.AuthorID != "145547835465271" || p.Platform != event.Facebook ||
		p.Likes != 2 || p.Reposts != 0 || p.Replies != 0 || p.CountsAt.Format("2006-01-02 15:04:05") != "2020-12-17 08:44:26" {
		t.Errorf("post = %+v", p)
	}
	if len(p.URLs) != 1 || p.URLs[0] != "https://telesurenglish.net/news/UNGA-Overwhelmingly-Votes-Against-Cuba-Blockade-All-US-Amendments-Defeated-20181101-0027.html" {
		t.Errorf("urls = %v", p.URLs)
	}
	// Independent check of the reaction sum over all rows.
	f, _ := os.Open("testdata/ct_api_40.csv")
	defer f.Close()
	rows, _ := csv.NewReader(f).ReadAll()
	idx := map[string]int{}
	for i, h := range rows[0] {
		idx[h] = i
	}
	for i, r := range rows[1:] {
		var want int64
		for _, c := range []string{"likeCount", "loveCount", "wowCount", "hahaCount", "sadCount", "angryCount", "thankfulCount", "careCount"} {
			var n int64
			for _, ch := range r[idx["statistics_actual_"+c]] {
				n = n*10 + int64(ch-'0')
			}
			want += n
		}
		if b.Posts[i].Likes != want {
			t.Errorf("row %d likes %d, want %d", i+1, b.Posts[i].Likes, want)
		}
	}
}

func TestDashboardLayout(t *testing.T) {
	data, _ := os.ReadFile("testdata/dashboard_bad.csv")
	b := ingesttest.Decode(t, New(), "d", data)
	if len(b.Posts) != 1 || len(b.Rejects) != 1 {
		t.Fatalf("%d posts %d rejects, want 1 and 1", len(b.Posts), len(b.Rejects))
	}
	p := b.Posts[0]
	// 09:30 EST is 14:30 UTC; likes = 100 + 5 + 1 + 1 + 1 + 1 + 1 = 110 (Thankful is empty).
	if p.CreatedAt.Format("15:04") != "14:30" || p.Likes != 110 || p.Reposts != 10 || p.Replies != 20 || p.AuthorID != "1234567890" {
		t.Errorf("post = %+v", p)
	}
	if r := b.Rejects[0]; r.Line != 3 || r.Field != "Post Created" {
		t.Errorf("reject = %+v", r)
	}
}

func TestSharedSample(t *testing.T) {
	path := filepath.Join("..", "..", "..", "..", "shared", "data", "crowdtangle-pycoornet-telesur", "ct_output.csv")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skip("shared data not present:", err)
	}
	b := ingesttest.Decode(t, New(), path, data)
	// README: 160 posts from 155 distinct accounts, 159 of them linking to telesurenglish.net.
	accounts, tele := map[string]bool{}, 0
	for _, p := range b.Posts {
		accounts[p.AuthorID] = true
		if len(p.URLs) == 1 && strings.Contains(p.URLs[0], "telesurenglish.net") {
			tele++
		}
	}
	if len(b.Posts) != 160 || len(accounts) != 155 || tele != 159 || len(b.Rejects) != 0 {
		t.Errorf("posts %d accounts %d telesur %d rejects %d; want 160 155 159 0", len(b.Posts), len(accounts), tele, len(b.Rejects))
	}
}

func FuzzDecode(f *testing.F) {
	data, _ := os.ReadFile("testdata/dashboard_bad.csv")
	f.Add(data)
	f.Fuzz(func(t *testing.T, data []byte) { ingesttest.Fuzz(t, New(), data) })
}
