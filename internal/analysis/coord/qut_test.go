package coord

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReadQUTErrors(t *testing.T) {
	t.Parallel()
	head := "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n"
	for _, tc := range []struct {
		name, in, want string
	}{
		{"wrong header", "id,user\n", "line 1: header has 2 columns"},
		{"renamed column", strings.Replace(head, "repost_id", "retweet_id", 1), `column 4 is "retweet_id"`},
		{"bad time", head + "1,u,n,,,hi,yesterday,\n", `line 2: field timestamp: "yesterday" is not unix seconds`},
		{"short row", head + "1,u,n,,,hi,3\n", "line 2: 7 fields; expected 8"},
		{"no user", head + "1,,n,,,hi,3,\n", "line 2: field user_id is empty"},
		{"bad quote", head + "1,u,n,,,\"hi,3,\n", "x.csv"},
	} {
		_, err := ReadQUT(strings.NewReader(tc.in), "x.csv")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}

// TestReadQUT checks the object rules on hand-made rows: row 2 is a repost (its text and URLs
// are ignored), row 3 replies and carries two URLs and a mention, row 4 repeats message id 3
// (ignored), times keep microseconds.
func TestReadQUT(t *testing.T) {
	t.Parallel()
	in, err := ReadQUT(strings.NewReader("\ufeffmessage_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n"+
		"1,u1,a,,,Hello  @bob World,10.5,\n"+
		"2,u2,b,1,,Hello World,11,http://x\n"+
		"3,u3,c,,1,hello world,12.000001,http://x http://y\n"+
		"3,u4,d,,,dup,13,\n"), "t.csv")
	if err != nil {
		t.Fatal(err)
	}
	objs := func(s Signal) []string {
		var out []string
		if a := in.actionsOf(s); a != nil {
			for _, o := range a.Object {
				out = append(out, in.Objects.ID[o])
			}
		}
		return out
	}
	if got := strings.Join(objs(CoText), "|"); got != "hello world|hello world" {
		t.Errorf("co-text objects %q", got)
	}
	if got := strings.Join(objs(CoRepost), "|"); got != "1" {
		t.Errorf("co-repost objects %q", got)
	}
	if got := strings.Join(objs(CoLink), "|"); got != "http://x|http://y" {
		t.Errorf("co-link objects %q", got)
	}
	if got := strings.Join(objs(CoReply), "|"); got != "1" {
		t.Errorf("co-reply objects %q", got)
	}
	if a := in.actionsOf(CoText); a.Time[0] != 10_500_000 || a.Time[1] != 12_000_001 || in.TimeUnit != time.Microsecond {
		t.Errorf("times %v unit %v", a.Time, in.TimeUnit)
	}
	if in.Accounts.Len() != 3 {
		t.Errorf("%d accounts, want 3 (the duplicate message id is ignored)", in.Accounts.Len())
	}
}

func TestParseMicros(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"59", 59_000_000, true}, {"1606451170.518101", 1606451170_518101, true},
		{"1.5", 1_500_000, true}, {"-2.25", -2_250_000, true}, {".5", 500_000, true},
		{"1.1234567", 1_123_456, true}, {"", 0, false}, {"1e9", 0, false}, {"+3", 0, false}, {"1.2.3", 0, false}, {"-", 0, false},
	} {
		got, err := parseMicros(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseMicros(%q) = %d, %v; want %d ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// FuzzReadQUT: any input either fails with an error naming the source, or yields a valid Input
// on which QUT and Detect run.
func FuzzReadQUT(f *testing.F) {
	for _, name := range []string{"coretweet_test_input.csv", "sample_data.csv"} {
		b, err := os.ReadFile(filepath.Join("testdata", "qut", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b[:min(len(b), 2000)])
	}
	f.Add([]byte("message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n1,u,n,,,\"a\"\"b\",1.5,\"x y\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := ReadQUT(bytes.NewReader(data), "fuzz.csv")
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.csv") {
				t.Fatalf("error without source: %v", err)
			}
			return
		}
		if err := in.Validate(); err != nil {
			t.Fatal(err)
		}
		for _, s := range []Signal{CoRepost, CoText, CoLink, CoReply} {
			if _, err := QUT(&in, s, time.Minute); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := Detect(t.Context(), in, Params{MinWeight: 1, Workers: 1}, nil); err != nil {
			t.Fatal(err)
		}
	})
}
