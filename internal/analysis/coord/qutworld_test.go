package coord

import (
	"bufio"
	"os"
	"strconv"
	"testing"
)

// TestWriteQUTWorld writes the planted world (plantedWorld, PLANTED_N reposts, default 10 M)
// as the QUT coordination-network-toolkit's CSV to $ECHOTRACE_WRITE_QUT, for the end-to-end
// measurement of issue 12 (`import` of the CSV, then `coord --signals co-repost`; the same file
// feeds the toolkit). Skipped unless the variable names a file.
func TestWriteQUTWorld(t *testing.T) {
	path := os.Getenv("ECHOTRACE_WRITE_QUT")
	if path == "" {
		t.Skip("set ECHOTRACE_WRITE_QUT=file.csv to write the planted world as QUT CSV")
	}
	n := 10_000_000
	if s := os.Getenv("PLANTED_N"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("PLANTED_N=%q: %v", s, err)
		}
		n = v
	}
	in, _ := plantedWorld(n, 1)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n")
	var buf []byte
	a := in.Actions[0]
	for i := range a.Account {
		buf = append(buf[:0], 'r')
		buf = strconv.AppendInt(buf, int64(i), 10)
		id := in.Accounts.ID[a.Account[i]]
		buf = append(buf, ',')
		buf = append(buf, id...)
		buf = append(buf, ',')
		buf = append(buf, id...)
		buf = append(buf, ',')
		buf = append(buf, in.Objects.ID[a.Object[i]]...)
		buf = append(buf, ",,,"...)
		buf = strconv.AppendInt(buf, a.Time[i], 10)
		buf = append(buf, ",[]\n"...)
		w.Write(buf)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d reposts of %d posts by %d accounts → %s", len(a.Account), len(in.Objects.ID), len(in.Accounts.ID), path)
}
