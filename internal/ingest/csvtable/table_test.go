package csvtable

import (
	"bytes"
	"encoding/csv"
	"io"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/echotrace/echotrace/internal/event"
)

// row is what a test sees of one Next call.
type row struct {
	Line   int64
	Fields string // fields joined by "|", or "REJECT field: reason"
}

func readAll(t testing.TB, in string) ([]row, *Reader) {
	t.Helper()
	r, err := Open(strings.NewReader(in), "t.csv")
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	var out []row
	for i := 0; i < 1000; i++ {
		var b event.Batch
		ok, err := r.Next(&b)
		if err == io.EOF {
			return out, r
		}
		if err != nil {
			t.Fatalf("next: %v", err)
		}
		if ok {
			var fs []string
			for j := range r.Header() {
				fs = append(fs, r.Field(j))
			}
			out = append(out, row{r.Line(), strings.Join(fs, "|")})
			continue
		}
		if len(b.Rejects) != 1 {
			t.Fatalf("not ok but %d rejects", len(b.Rejects))
		}
		rj := b.Rejects[0]
		out = append(out, row{rj.Line, "REJECT " + rj.Field + ": " + rj.Reason})
	}
	t.Fatal("no EOF")
	return nil, nil
}

func TestNext(t *testing.T) {
	tests := []struct {
		name, in string
		want     []row
	}{
		{"plain", "a,b\n1,2\n3,4\n", []row{{2, "1|2"}, {3, "3|4"}}},
		{"crlf and no final newline", "a,b\r\n1,2\r\n3,4", []row{{2, "1|2"}, {3, "3|4"}}},
		{"quoted newline keeps physical lines", "a,b\n\"x\ny\",2\n3,4\n", []row{{2, "x\ny|2"}, {4, "3|4"}}},
		{"blank lines skipped", "a,b\n\n1,2\n\n3,4\n", []row{{3, "1|2"}, {5, "3|4"}}},
		{"field count", "a,b\n1\n1,2,3\n5,6\n", []row{{2, "REJECT : record has 1 fields; the header has 2"},
			{3, "REJECT : record has 3 fields; the header has 2"}, {4, "5|6"}}},
		{"bare quote is a reject and reading goes on", "a,b\n1,x\"y\n3,4\n", []row{
			{2, "REJECT : malformed CSV: bare \" in non-quoted-field (at line 2, column 4)"}, {3, "3|4"}}},
		{"invalid UTF-8 names the column", "a,b\n1,\xff\n3,4\n", []row{{2, "REJECT b: not valid UTF-8"}, {3, "3|4"}}},
		{"unterminated quote costs its own line only", "a,b\n1,2\n\"3,4\n5,6\n", []row{{2, "1|2"},
			{3, "REJECT : malformed CSV: the quoted field opened at line 3, column 1 is not closed before the end of the input; reading resumes at line 4"},
			{4, "5|6"}}},
		{"stray quote resynchronises at the next good line", "a,b\n1,\"x\n2,y\n3,\"z\"\n4,5\n", []row{
			{2, "REJECT : malformed CSV: extraneous or missing \" in quoted-field (at line 4, column 3); reading resumes at line 3"},
			{3, "2|y"}, {4, "3|z"}, {5, "4|5"}}},
		{"a multi-line record with the wrong field count is retried line by line", "a,b,c\n1,\"x\n2\",3,4\n5,6,7\n", []row{
			{2, "REJECT : record has 4 fields; the header has 3; reading resumes at line 3"},
			{3, "REJECT : malformed CSV: bare \" in non-quoted-field (at line 3, column 2)"}, {4, "5|6|7"}}},
		{"escaped quotes and CRLF inside a quoted field", "a,b\r\n\"say \"\"hi\"\"\r\nthere\",2\r\n", []row{{2, "say \"hi\"\nthere|2"}}},
		{"quoted field at the end of input without a newline", "a,b\n1,\"x\"", []row{{2, "1|x"}}},
		{"empty fields", "a,b,c\n,,\n\"\",,\"\"\n", []row{{2, "||"}, {3, "||"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := readAll(t, tc.in)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestHeader(t *testing.T) {
	_, r := readAll(t, "\ufeff Tweet_ID ,\"User\",tweet_id\n1,2,3\n")
	if got, want := r.Header(), []string{"Tweet_ID", "User", "tweet_id"}; !reflect.DeepEqual(got, want) {
		t.Errorf("header %q, want %q", got, want)
	}
	// Case-insensitive; the first of duplicate names wins.
	if r.Col("tweet_id") != 0 || r.Col("USER") != 1 || r.Col("nope") != -1 {
		t.Errorf("Col: %d %d %d", r.Col("tweet_id"), r.Col("USER"), r.Col("nope"))
	}
	if _, err := r.Require("user", "time", "text"); err == nil || !strings.Contains(err.Error(), "time, text") {
		t.Errorf("Require: %v", err)
	}
	if r.Field(-1) != "" || r.Field(7) != "" {
		t.Error("Field out of range is not empty")
	}
	// Empty input: no header, Next says EOF at once.
	got, _ := readAll(t, "")
	if len(got) != 0 {
		t.Errorf("empty input gave %v", got)
	}
	if _, err := Open(strings.NewReader("a,\"b\n"), "t.csv"); err == nil {
		t.Error("unreadable header accepted")
	}
}

func TestRaw(t *testing.T) {
	r, err := Open(strings.NewReader("a,b,c\n1,\"x,y\",\"q\"\"\"\n"), "t.csv")
	if err != nil {
		t.Fatal(err)
	}
	var b event.Batch
	if ok, err := r.Next(&b); !ok || err != nil {
		t.Fatal(ok, err)
	}
	r.Reject(&b, "c", "because")
	want := event.Reject{Source: "t.csv", Line: 2, Field: "c", Reason: "because", Raw: `1,"x,y","q"""`}
	if !reflect.DeepEqual(b.Rejects, []event.Reject{want}) {
		t.Errorf("got %+v, want %+v", b.Rejects, want)
	}
}

func TestHeaderMatch(t *testing.T) {
	t.Parallel()
	head := []byte("\ufeff\"Platform\", Handle ,id\r\nx,y,z\n")
	if NormHeader(head) != "platform,handle,id" {
		t.Errorf("NormHeader = %q", NormHeader(head))
	}
	if !HeaderIs(head, "platform,handle,id") || HeaderIs(head, "platform,handle") {
		t.Error("HeaderIs")
	}
	if !HeaderHas(head, "id", "platform") || HeaderHas(head, "id", "lang") {
		t.Error("HeaderHas")
	}
}

// FuzzTable feeds arbitrary input to the reader: it never fails, every record is valid UTF-8
// and every reject has a line; and wherever encoding/csv reads the input without an error into
// records of the header's width, the reader returns exactly those records on the same lines.
func FuzzTable(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "\ufeffa,b\n\"x\ny\",2\n1\n", "a\n\"\n", "a,b\n1,x\"y\n3,\xff\n",
		"a,b\r\n\"x\"\"\r\ny\",\r\n\n\n3,4\r", "a,b\n1,\"x\n2,y\n3,\"z\"\n4,5\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, wantLines, comparable := csvRecords(data)
		r, err := Open(strings.NewReader(string(data)), "fuzz")
		if err != nil {
			if comparable {
				t.Fatalf("Open: %v; encoding/csv reads the header", err)
			}
			return
		}
		var got [][]string
		var gotLines []int
		rejected := false
		for i := 0; i < 1_000_000; i++ {
			var b event.Batch
			ok, err := r.Next(&b)
			if err == io.EOF {
				if comparable && !rejected && (!reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotLines, wantLines)) {
					t.Fatalf("records %q on lines %v; encoding/csv reads %q on lines %v", got, gotLines, want, wantLines)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				rec := make([]string, len(r.Header()))
				for j := range r.Header() {
					rec[j] = r.Field(j)
					if !utf8.ValidString(r.Field(j)) {
						t.Fatalf("field %d is invalid UTF-8", j)
					}
				}
				got, gotLines = append(got, rec), append(gotLines, int(r.Line()))
				if r.Line() < 2 {
					t.Fatalf("record on line %d", r.Line())
				}
			} else if len(b.Rejects) != 1 || b.Rejects[0].Line < 1 || !utf8.ValidString(b.Rejects[0].Raw) {
				t.Fatalf("bad reject %+v", b.Rejects)
			} else {
				rejected = true
				if comparable && !strings.Contains(b.Rejects[0].Reason, "UTF-8") {
					t.Fatalf("reject %+v; encoding/csv reads the input", b.Rejects[0])
				}
			}
		}
		t.Fatal("no EOF")
	})
}

// csvRecords reads data with encoding/csv. comparable is true when it reads every record without
// an error and each has the header's number of fields, and data is valid UTF-8 without a BOM; records and their lines follow the header.
func csvRecords(data []byte) (recs [][]string, lines []int, comparable bool) {
	if !utf8.Valid(data) || bytes.HasPrefix(data, []byte(bom)) {
		// The reader rejects invalid UTF-8 that encoding/csv passes through, and drops a BOM
		// before parsing where encoding/csv keeps it as content.
		return nil, nil, false
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	hdr, err := cr.Read()
	if err != nil {
		return nil, nil, false
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return recs, lines, true
		}
		if err != nil || len(rec) != len(hdr) {
			return nil, nil, false
		}
		ln, _ := cr.FieldPos(0)
		recs, lines = append(recs, rec), append(lines, ln)
	}
}
