package observe

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest/ingesttest"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// rej is the part of a reject a test pins down.
type rej struct {
	Line  int64
	Field string
}

func rejects(b event.Batch) []rej {
	var out []rej
	for _, r := range b.Rejects {
		out = append(out, rej{r.Line, r.Field})
	}
	return out
}

func TestConformance(t *testing.T) {
	for _, c := range New() {
		t.Run(c.Name(), func(t *testing.T) {
			good := filepath.Join("testdata", c.Name()+".csv")
			bad := filepath.Join("testdata", c.Name()+"_bad.csv")
			ingesttest.Run(t, c, good, bad)
		})
	}
}

func TestDetect(t *testing.T) {
	w, s, l := NewWatchlist(), NewStatus(), NewLabels()
	tests := []struct {
		head       string
		w, s, l    int
		annotation string
	}{
		{WatchlistHeader + "\n", 100, 0, 0, "exact"},
		{"\ufeff\"Platform\",\"Handle\",id,actor_type,country,outlet,lang,since,until\r\nx,a", 100, 0, 0, "BOM, quotes, case, CRLF"},
		{StatusHeader + "\n", 0, 100, 0, "status"},
		{LabelsHeader + "\n", 0, 0, 100, "labels"},
		{"platform,handle,id,actor_type,country\n", 0, 0, 0, "prefix only"},
		{"platform,id,author_id,created_at,kind,ref_id,ref_author_id,text\n", 0, 0, 0, "posts csv"},
		{"", 0, 0, 0, "empty"},
	}
	for _, tc := range tests {
		t.Run(tc.annotation, func(t *testing.T) {
			got := []int{w.Detect("f.csv", []byte(tc.head)), s.Detect("f.csv", []byte(tc.head)), l.Detect("f.csv", []byte(tc.head))}
			if want := []int{tc.w, tc.s, tc.l}; !reflect.DeepEqual(got, want) {
				t.Errorf("scores %v, want %v", got, want)
			}
		})
	}
}

func TestWatchlist(t *testing.T) {
	src := filepath.Join("testdata", "watchlist.csv")
	b := ingesttest.DecodeFile(t, NewWatchlist(), src)
	p := func(line int64) event.Provenance { return event.Provenance{Source: src, Line: line} }
	want := []event.WatchEntry{
		{Platform: event.X, Handle: "AmbLiuXiaoMing", ActorType: event.ActorAmbassador, Country: "GB", Lang: "en", Since: day("2020-06-09"), Until: day("2021-02-23"), Prov: p(2)},
		{Platform: event.X, Handle: "ChineseEmbinUK", ActorType: event.ActorEmbassy, Country: "GB", Lang: "en", Since: day("2020-06-09"), Until: day("2021-02-23"), Prov: p(3)},
		{Platform: event.X, Handle: "SpokespersonCHN", ActorType: event.ActorMinistry, Country: "CN", Lang: "en", Prov: p(4)},
		{Platform: event.X, Handle: "CGTNOfficial", ActorType: event.ActorStateMedia, Country: "CN", Outlet: "CGTN", Lang: "en", Since: day("2020-06-09"), Prov: p(5)},
		{Platform: event.X, Handle: "globaltimesnews", ActorType: event.ActorStateMedia, Country: "CN", Outlet: "Global Times", Lang: "en", Prov: p(6)},
		{Platform: event.X, ID: "1000000001", ActorType: event.ActorStaff, Country: "CN", Lang: "zh", Prov: p(7)},
		{Platform: event.X, Handle: "XHNews", ActorType: event.ActorStateMedia, Country: "CN", Outlet: "Xinhua News Agency, English service", Lang: "en", Prov: p(8)},
	}
	if !reflect.DeepEqual(b.Watch, want) {
		t.Errorf("got\n%+v\nwant\n%+v", b.Watch, want)
	}
}

func TestWatchlistRejects(t *testing.T) {
	src := filepath.Join("testdata", "watchlist_bad.csv")
	b := ingesttest.DecodeFile(t, NewWatchlist(), src)
	// Line by line (see the fixture): 2 good; 3 empty platform; 4 unknown platform; 5 no id
	// nor handle; 6 actor type "spy"; 7 country "GBR"; 8 since "yesterday"; 9 until < since;
	// 10 seven fields; 11–12 one good record whose quoted outlet spans two lines; 13 "XX1".
	want := []rej{{3, "platform"}, {4, "platform"}, {5, "id"}, {6, "actor_type"}, {7, "country"},
		{8, "since"}, {9, "until"}, {10, ""}, {13, "country"}}
	if got := rejects(b); !reflect.DeepEqual(got, want) {
		t.Errorf("rejects %v, want %v", got, want)
	}
	if len(b.Watch) != 2 || b.Watch[1].Outlet != "multi\nline outlet" || b.Watch[1].Prov.Line != 11 {
		t.Errorf("good entries %+v", b.Watch)
	}
	if got, want := b.Rejects[7].Reason, "record has 7 fields; the header has 9"; got != want {
		t.Errorf("reason %q, want %q", got, want)
	}
}

func TestStatus(t *testing.T) {
	src := filepath.Join("testdata", "status.csv")
	b := ingesttest.DecodeFile(t, NewStatus(), src)
	march1 := day("2021-03-01")
	p := func(line int64) event.Provenance { return event.Provenance{Source: src, Line: line} }
	want := []event.StatusObservation{
		{Platform: event.X, Handle: "AmbLiuXiaoMing", ObservedAt: march1, Status: event.StatusActive, Prov: p(2)},
		{Platform: event.X, AccountID: "2000000001", ObservedAt: march1, Status: event.StatusSuspended, RawCode: "63", Prov: p(3)},
		{Platform: event.X, AccountID: "2000000002", ObservedAt: march1.Add(12 * time.Hour), Status: event.StatusDeleted, RawCode: "50", Prov: p(4)},
		{Platform: event.X, AccountID: "2000000003", Handle: "amplifier_3", ObservedAt: march1, Status: event.StatusSuspended, Prov: p(5)},
		// 1614556800 = 2021-03-01T00:00:00Z.
		{Platform: event.X, AccountID: "2000000004", ObservedAt: march1, Status: event.StatusProtected, RawCode: "179", Prov: p(6)},
		{Platform: event.X, AccountID: "2000000005", ObservedAt: march1, Status: event.StatusSuspended, RawCode: "Forbidden: User has been suspended: [2000000005].", Prov: p(7)},
		{Platform: event.X, AccountID: "2000000006", ObservedAt: march1, Status: event.StatusDeleted, RawCode: "Not Found Error", Prov: p(8)},
		{Platform: event.X, AccountID: "2000000007", ObservedAt: march1, Status: event.StatusUnknown, RawCode: "418", Prov: p(9)},
	}
	if !reflect.DeepEqual(b.Statuses, want) {
		t.Errorf("got\n%+v\nwant\n%+v", b.Statuses, want)
	}
	bad := ingesttest.DecodeFile(t, NewStatus(), filepath.Join("testdata", "status_bad.csv"))
	wantRej := []rej{{3, "account_id"}, {4, "observed_at"}, {5, "observed_at"}, {6, "status"}, {7, "status"}}
	if got := rejects(bad); !reflect.DeepEqual(got, wantRej) {
		t.Errorf("rejects %v, want %v", got, wantRej)
	}
}

func TestStatusFromCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code string
		want event.Status
	}{
		{"63", event.StatusSuspended}, {"64", event.StatusSuspended}, {"50", event.StatusDeleted},
		{"17", event.StatusDeleted}, {"34", event.StatusDeleted}, {"179", event.StatusProtected},
		{"protected", event.StatusProtected}, {"200", event.StatusActive}, {" OK ", event.StatusActive},
		{"Not Found Error", event.StatusDeleted}, {"Could not find user with id: [1].", event.StatusUnknown},
		{"Forbidden", event.StatusProtected}, {"Forbidden: User has been suspended", event.StatusSuspended},
		{"Authorization Error: Sorry, you are not authorized to see the Tweet", event.StatusProtected},
		{"88", event.StatusUnknown}, {"", event.StatusUnknown},
	}
	for _, tc := range tests {
		if got := StatusFromCode(tc.code); got != tc.want {
			t.Errorf("StatusFromCode(%q) = %s, want %s", tc.code, got, tc.want)
		}
	}
}

func TestLabels(t *testing.T) {
	src := filepath.Join("testdata", "labels.csv")
	b := ingesttest.DecodeFile(t, NewLabels(), src)
	d := day("2021-02-23")
	p := func(line int64) event.Provenance { return event.Provenance{Source: src, Line: line} }
	want := []event.LabelObservation{
		{Platform: event.X, Handle: "AmbLiuXiaoMing", ObservedAt: d, Label: "China government official", Class: event.LabelGovernment, Prov: p(2)},
		{Platform: event.X, Handle: "CGTNOfficial", ObservedAt: d, Label: "China state-affiliated media", Class: event.LabelStateMedia, Prov: p(3)},
		{Platform: event.X, Handle: "XHNews", ObservedAt: d, Label: "China State Affiliated Media", Class: event.LabelStateMedia, Prov: p(4)},
		{Platform: event.X, Handle: "ChineseEmbinUK", ObservedAt: d, Class: event.LabelNone, Prov: p(5)},
		{Platform: event.X, Handle: "SpokespersonCHN", ObservedAt: d, Label: "China government official", Class: event.LabelGovernment, Prov: p(6)},
		{Platform: event.Facebook, Handle: "CGTN", ObservedAt: d, Label: "Chinese state-controlled media", Class: event.LabelStateMedia, Prov: p(7)},
		{Platform: event.X, AccountID: "1000000001", ObservedAt: d, Label: "none", Class: event.LabelNone, Prov: p(8)},
		{Platform: event.X, AccountID: "1000000002", ObservedAt: d, Label: "Labelled by hand", Class: event.LabelStateMedia, Prov: p(9)},
	}
	if !reflect.DeepEqual(b.Labels, want) {
		t.Errorf("got\n%+v\nwant\n%+v", b.Labels, want)
	}
	bad := ingesttest.DecodeFile(t, NewLabels(), filepath.Join("testdata", "labels_bad.csv"))
	wantRej := []rej{{3, "account_id"}, {4, "observed_at"}, {5, "class"}}
	if got := rejects(bad); !reflect.DeepEqual(got, wantRej) {
		t.Errorf("rejects %v, want %v", got, wantRej)
	}
}

func TestClassOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		label string
		want  event.LabelClass
	}{
		{"China government official", event.LabelGovernment},
		{"Government organization", event.LabelGovernment},
		{"China state-affiliated media", event.LabelStateMedia},
		{"Russia state affiliated media", event.LabelStateMedia},
		{"State-controlled media", event.LabelStateMedia},
		{"Government-funded state media", event.LabelStateMedia}, // state media wins over government
		{"", event.LabelNone}, {"none", event.LabelNone}, {"Verified", event.LabelNone},
	}
	for _, tc := range tests {
		if got := ClassOf(tc.label); got != tc.want {
			t.Errorf("ClassOf(%q) = %s, want %s", tc.label, got, tc.want)
		}
	}
}

func TestInvalidUTF8AndHeader(t *testing.T) {
	data := []byte(StatusHeader + "\nx,1,h\xff,2021-03-01,active,\nx,2,h,2021-03-01,active,\n")
	b := ingesttest.Decode(t, NewStatus(), "s.csv", data)
	if got, want := rejects(b), []rej{{2, "handle"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("rejects %v, want %v", got, want)
	}
	if len(b.Statuses) != 1 || b.Statuses[0].AccountID != "2" || b.Statuses[0].Prov.Line != 3 {
		t.Errorf("statuses %+v", b.Statuses)
	}
	// Columns in another order are matched by name.
	data = []byte("handle,platform,observed_at,account_id,raw_code,status\n@a,x,2021-03-01,,63,\n")
	b = ingesttest.Decode(t, NewStatus(), "s.csv", data)
	if len(b.Statuses) != 1 || b.Statuses[0].Handle != "a" || b.Statuses[0].Status != event.StatusSuspended {
		t.Errorf("reordered columns: %+v", b.Statuses)
	}
	// A header lacking a column fails the input as a whole, naming the column.
	if _, err := ingesttest.DecodeErr(NewStatus(), "s.csv", []byte("platform,account_id\nx,1\n")); err == nil {
		t.Error("missing columns accepted")
	}
	// An empty input is simply empty.
	if b := ingesttest.Decode(t, NewLabels(), "e.csv", nil); b.Len() != 0 {
		t.Errorf("empty input gave %d events", b.Len())
	}
}

func FuzzObserve(f *testing.F) {
	for _, name := range []string{"watchlist", "status", "labels"} {
		for _, suffix := range []string{".csv", "_bad.csv"} {
			data, err := os.ReadFile(filepath.Join("testdata", name+suffix))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	cs := New()
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, c := range cs {
			ingesttest.Fuzz(t, c, data)
		}
	})
}
