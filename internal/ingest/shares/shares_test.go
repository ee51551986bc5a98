package shares

import (
	"encoding/csv"
	"github.com/echotrace/echotrace/internal/sharedtest"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest/ingesttest"
)

func TestConformance(t *testing.T) {
	for _, obj := range []string{"", "url", "domain", "hashtag", "phash", "all"} {
		t.Run("object="+obj, func(t *testing.T) {
			ingesttest.Run(t, New(Options{Object: obj}),
				filepath.Join("testdata", "german_elections_head.csv"),
				filepath.Join("testdata", "german_rownames.csv"),
				filepath.Join("testdata", "canonical.csv"),
				filepath.Join("testdata", "shares_bad.csv"))
		})
	}
}

func TestGermanLayout(t *testing.T) {
	// The first data rows of german_elections.csv, with the object each type yields:
	//   line 2: fb_12670 post 129235 url 23678 hashtag NA domain 3498 phash NA  t=1629589836
	//   line 3: fb_5966  post 84441  url NA    hashtag NA domain 6756 phash NA  t=1629589069
	//   line 4: fb_5966  post 84443  url 29871 hashtag NA domain 5534 phash NA  t=1629589050
	//   line 5: fb_5966  post 84445  url NA    hashtag NA domain NA   phash 9280 t=1629589022
	data := `"account_id","post_id","url_id","hashtag_id","domain_id","phash_id","timestamp"
"fb_12670",129235,23678,NA,3498,NA,1629589836
"fb_5966",84441,NA,NA,6756,NA,1629589069
"fb_5966",84443,29871,NA,5534,NA,1629589050
"fb_5966",84445,NA,NA,NA,9280,1629589022
"fb_5966",84443,29871,77,5534,NA,1629589050
`
	sh := func(acct, obj, content string, unix int64, line int64) event.Share {
		return event.Share{Platform: event.Other, AccountID: acct, ObjectID: obj, ContentID: content,
			At: time.Unix(unix, 0).UTC(), Prov: event.Provenance{Source: "ge.csv", Line: line}}
	}
	tests := []struct {
		object string
		want   []event.Share
	}{
		// Line 6 repeats line 4's url share (same post, another hashtag): emitted once.
		{"url", []event.Share{sh("fb_12670", "url_23678", "129235", 1629589836, 2), sh("fb_5966", "url_29871", "84443", 1629589050, 4)}},
		{"", []event.Share{sh("fb_12670", "url_23678", "129235", 1629589836, 2), sh("fb_5966", "url_29871", "84443", 1629589050, 4)}},
		{"domain", []event.Share{sh("fb_12670", "domain_3498", "129235", 1629589836, 2), sh("fb_5966", "domain_6756", "84441", 1629589069, 3),
			sh("fb_5966", "domain_5534", "84443", 1629589050, 4)}},
		{"phash", []event.Share{sh("fb_5966", "phash_9280", "84445", 1629589022, 5)}},
		{"hashtag", []event.Share{sh("fb_5966", "hashtag_77", "84443", 1629589050, 6)}},
		{"all", []event.Share{sh("fb_12670", "url_23678", "129235", 1629589836, 2), sh("fb_12670", "domain_3498", "129235", 1629589836, 2),
			sh("fb_5966", "domain_6756", "84441", 1629589069, 3),
			sh("fb_5966", "url_29871", "84443", 1629589050, 4), sh("fb_5966", "domain_5534", "84443", 1629589050, 4),
			sh("fb_5966", "phash_9280", "84445", 1629589022, 5), sh("fb_5966", "hashtag_77", "84443", 1629589050, 6)}},
	}
	for _, tc := range tests {
		t.Run(tc.object, func(t *testing.T) {
			b := ingesttest.Decode(t, New(Options{Object: tc.object}), "ge.csv", []byte(data))
			if !reflect.DeepEqual(b.Shares, tc.want) {
				t.Errorf("got\n%+v\nwant\n%+v", b.Shares, tc.want)
			}
		})
	}
	if _, err := ingesttest.DecodeErr(New(Options{Object: "emoji"}), "ge.csv", []byte(data)); err == nil {
		t.Error("unknown object type accepted")
	}
}

func TestRowNamesAndCanonical(t *testing.T) {
	// german_rownames.csv is german_elections_head.csv's first 50 rows as write.csv writes them
	// with row names (a leading "" column, every value quoted): the same shares must come out.
	a := decodeFile(t, New(Options{}), filepath.Join("testdata", "german_rownames.csv"))
	b := decodeFile(t, New(Options{}), filepath.Join("testdata", "german_elections_head.csv"))
	n := len(a.Shares)
	if n == 0 || !sameShares(a.Shares, b.Shares[:n]) {
		t.Errorf("row-names layout differs: %d shares", n)
	}
	// canonical.csv holds the first 300 distinct url shares of the same rows.
	c := decodeFile(t, New(Options{Object: "phash"}), filepath.Join("testdata", "canonical.csv"))
	if len(c.Shares) != 300 || !sameShares(c.Shares, b.Shares[:300]) {
		t.Errorf("canonical layout: %d shares, or different from the german layout's", len(c.Shares))
	}
}

// sameShares compares shares ignoring provenance.
func sameShares(a, b []event.Share) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		x.Prov, y.Prov = event.Provenance{}, event.Provenance{}
		if x != y {
			return false
		}
	}
	return true
}

func decodeFile(t *testing.T, c interface {
	Name() string
}, path string) event.Batch {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return ingesttest.Decode(t, New(Options{Object: objectOf(c)}), path, data)
}

func objectOf(c interface{ Name() string }) string { return c.(*connector).opt.Object }

func TestRejects(t *testing.T) {
	b := decodeFile(t, New(Options{}), filepath.Join("testdata", "shares_bad.csv"))
	type rej struct {
		Line  int64
		Field string
	}
	var got []rej
	for _, r := range b.Rejects {
		got = append(got, rej{r.Line, r.Field})
	}
	// shares_bad.csv: 2 good; 3 NA account; 4 empty post id; 5 timestamp "yesterday";
	// 6 NA timestamp; 7 six fields; 8 good.
	want := []rej{{3, "account_id"}, {4, "post_id"}, {5, "timestamp"}, {6, "timestamp"}, {7, ""}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rejects %v, want %v", got, want)
	}
	if len(b.Shares) != 2 {
		t.Errorf("%d shares, want 2", len(b.Shares))
	}
}

// TestFullGermanElections checks the whole CooRTweet data set against CooRTweet's reference
// run: 41,100 distinct url shares (reference/README.md), and every share that appears in the
// reference detect_groups output is among those emitted.
func TestFullGermanElections(t *testing.T) {
	dir := sharedtest.Data(t, "coortweet-german-elections-2021")
	data, err := os.ReadFile(filepath.Join(dir, "german_elections.csv"))
	if err != nil {
		t.Skipf("german_elections.csv not available: %v", err)
	}
	b := ingesttest.Decode(t, New(Options{Object: "url"}), "german_elections.csv", data)
	if len(b.Rejects) != 0 {
		t.Fatalf("%d rejects; first %s", len(b.Rejects), b.Rejects[0].Error())
	}
	if got, want := len(b.Shares), 41100; got != want {
		t.Errorf("%d url shares, want %d (CooRTweet reference README)", got, want)
	}
	type key struct{ object, account, content string }
	have := map[key]bool{}
	for _, s := range b.Shares {
		have[key{s.ObjectID, s.AccountID, s.ContentID}] = true
	}
	for _, tw := range []string{"30", "60"} {
		f, err := os.Open(filepath.Join(dir, "reference", "detect_groups_url_tw"+tw+"_mp2.csv"))
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(f)
		hdr, _ := r.Read() // object_id,content_id,content_id_y,time_delta,account_id,account_id_y
		if strings.Join(hdr, ",") != "object_id,content_id,content_id_y,time_delta,account_id,account_id_y" {
			t.Fatalf("unexpected reference header %v", hdr)
		}
		missing := 0
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if !have[key{rec[0], rec[4], rec[1]}] || !have[key{rec[0], rec[5], rec[2]}] {
				missing++
			}
		}
		f.Close()
		if missing > 0 {
			t.Errorf("tw=%s: %d reference pair rows name a share we did not emit", tw, missing)
		}
	}
}

func FuzzShares(f *testing.F) {
	for _, name := range []string{"german_rownames.csv", "shares_bad.csv"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	cs := []*connector{{Options{Object: "all"}}, {Options{}}}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, c := range cs {
			ingesttest.Fuzz(t, c, data)
		}
	})
}
