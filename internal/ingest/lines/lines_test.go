package lines

import (
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
)

type got struct {
	n    int64
	text string
	long bool
}

func readAll(t *testing.T, r *Reader) ([]got, error) {
	t.Helper()
	var out []got
	for i := 0; i < 1<<20; i++ {
		l, err := r.Next()
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return out, err
		}
		out = append(out, got{l.N, string(l.Bytes), l.Err != nil})
	}
	t.Fatal("no end")
	return nil, nil
}

func TestNext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		max  int
		want []got
	}{
		{"lines", "a\nbc\n", 10, []got{{1, "a", false}, {2, "bc", false}}},
		{"last line without newline", "a\nbc", 10, []got{{1, "a", false}, {2, "bc", false}}},
		{"blank lines and CRLF kept", "\r\n\nx\r\n", 10, []got{{1, "\r", false}, {2, "", false}, {3, "x\r", false}}},
		{"line of exactly max", "abcd\nx\n", 4, []got{{1, "abcd", false}, {2, "x", false}}},
		{"over-long line skipped, reading resumes", "abcde\nx\n", 4, []got{{1, "abcd", true}, {2, "x", false}}},
		{"over-long last line", "x\nabcdefgh", 4, []got{{1, "x", false}, {2, "abcd", true}}},
		{"empty", "", 4, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := readAll(t, NewReader(strings.NewReader(tt.in), tt.max))
			if err != nil {
				t.Fatal(err)
			}
			if len(out) != len(tt.want) {
				t.Fatalf("got %+v, want %+v", out, tt.want)
			}
			for i := range out {
				if out[i] != tt.want[i] {
					t.Errorf("line %d: got %+v, want %+v", i, out[i], tt.want[i])
				}
			}
		})
	}
}

// TestNextSkipsOverLongLineAcrossBuffers checks the skip when the line spans many buffer
// fills: the reject names the size, and the next line is read whole.
func TestNextSkipsOverLongLineAcrossBuffers(t *testing.T) {
	t.Parallel()
	in := "first\n" + strings.Repeat("x", 5<<20) + "\nlast\n"
	r := NewReader(strings.NewReader(in), 1<<20)
	var lines []Line
	for {
		l, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		l.Bytes = append([]byte(nil), l.Bytes...)
		lines = append(lines, l)
	}
	if len(lines) != 3 || string(lines[0].Bytes) != "first" || string(lines[2].Bytes) != "last" || lines[2].N != 3 {
		t.Fatalf("lines %+v", lines)
	}
	var tl *TooLongError
	if !errors.As(lines[1].Err, &tl) || tl.Size != 5<<20 || !errors.Is(lines[1].Err, ErrTooLong) || len(lines[1].Bytes) != headKeep {
		t.Fatalf("line 2: err %v, %d bytes kept", lines[1].Err, len(lines[1].Bytes))
	}
	if msg := lines[1].Err.Error(); !strings.Contains(msg, "5,242,880 bytes (5.0 MiB)") || !strings.Contains(msg, "1.0 MiB") {
		t.Errorf("message %q does not give the size and the limit", msg)
	}
}

// repeat is an endless reader of one byte: a line of any length without allocating it.
type repeat struct {
	b byte
	n int64 // bytes left
}

func (r *repeat) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), r.n)]
	for i := range p {
		p[i] = r.b
	}
	r.n -= int64(len(p))
	return len(p), nil
}

// TestNextHoldsBoundedMemoryOnHugeLine reads a 1 GiB line (generated, never held) followed by
// a short one: the reader must allocate about its buffer and limit, not the line.
func TestNextHoldsBoundedMemoryOnHugeLine(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 1 GiB")
	}
	const size = 1 << 30
	in := io.MultiReader(&repeat{'a', size}, strings.NewReader("\nnext\n"))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r := NewReader(in, MaxRecord)
	l, err := r.Next()
	if err != nil || !errors.Is(l.Err, ErrTooLong) || l.N != 1 {
		t.Fatalf("line 1: %v, %v", l.Err, err)
	}
	l, err = r.Next()
	if err != nil || string(l.Bytes) != "next" || l.N != 2 {
		t.Fatalf("line 2: %q, %v", l.Bytes, err)
	}
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 3*MaxRecord {
		t.Errorf("reading a %d-byte line allocated %d bytes; want at most %d", size, grew, 3*MaxRecord)
	}
}

type failAfter struct {
	r   io.Reader
	err error
}

func (f *failAfter) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, f.err
	}
	return n, err
}

// TestNextDropsLineCutByReadError: when the input breaks off mid-line (a truncated gzip), the
// cut line is not returned as a record, the error comes through, and Line is the last whole one.
func TestNextDropsLineCutByReadError(t *testing.T) {
	t.Parallel()
	r := NewReader(&failAfter{strings.NewReader("{\"a\":1}\n{\"b\":2}\n{\"c\":"), io.ErrUnexpectedEOF}, 0)
	out, err := readAll(t, r)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("error %v, want unexpected EOF", err)
	}
	if len(out) != 2 || r.Line() != 2 {
		t.Fatalf("got %+v, last whole line %d; want the two whole lines", out, r.Line())
	}
	if _, err := r.Next(); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("error not sticky: %v", err)
	}
}

func TestRest(t *testing.T) {
	t.Parallel()
	r := NewReader(strings.NewReader("{\n\"a\": 1}\n"), 0)
	l, _ := r.Next()
	rest, err := r.Rest(100)
	if err != nil || string(l.Bytes)+"\n"+string(rest) != "{\n\"a\": 1}\n" {
		t.Fatalf("%q + %q, %v", l.Bytes, rest, err)
	}
	r = NewReader(strings.NewReader("[\n"+strings.Repeat("1,", 100)+"1]"), 0)
	r.Next()
	rest, err = r.Rest(50)
	if !errors.Is(err, ErrTooLong) || len(rest) != 50 {
		t.Fatalf("over-long document: %d bytes, %v", len(rest), err)
	}
	r = NewReader(&failAfter{strings.NewReader("[\n1,2,"), io.ErrUnexpectedEOF}, 0)
	r.Next()
	rest, err = r.Rest(50)
	if !errors.Is(err, io.ErrUnexpectedEOF) || string(rest) != "1,2," {
		t.Fatalf("cut document: %q, %v", rest, err)
	}
}

func TestSize(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{0: "0 bytes", 999: "999 bytes", 1536: "1,536 bytes (1.5 KiB)",
		16 << 20: "16,777,216 bytes (16.0 MiB)", 1572864000: "1,572,864,000 bytes (1.5 GiB)"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}
