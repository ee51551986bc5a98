package lines

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// MaxRecord is the default limit on one line (one record) in bytes: 16 MiB. The largest record
// among the real samples in ../shared/data is a 775 KB twarc2 response page (100 tweets with
// their includes); API pages of 500 tweets run to a few MB. 16 MiB leaves a margin of twenty
// over the largest sample while bounding what one record can make the decoders hold: a record
// is held once as bytes and decoded once into Go values, a few times its size in all.
const MaxRecord = 16 << 20

// MaxDocument is the default limit on a document that is not line-delimited (a pretty-printed
// API response or a JSON array of tweets) and so has to be read whole: 512 MiB. The largest
// such document among the samples is 606 KB; a dump of a hundred thousand tweets as one array
// is about 500 MB. Larger inputs are to be converted to JSON lines (jq -c '.[]').
const MaxDocument = 512 << 20

// headKeep is how much of an over-long line is kept for the caller's reject message.
const headKeep = 4096

// ErrTooLong is wrapped by the Err of a line longer than the reader's limit, and by the error of
// Rest for input longer than its limit.
var ErrTooLong = errors.New("record too long")

// TooLongError describes a line over the limit. Reading went on at the next line; only the
// first bytes of the line were kept.
type TooLongError struct {
	Size int64 // the line's length in bytes, without its newline
	Max  int   // the limit it exceeded
}

func (e *TooLongError) Error() string {
	return fmt.Sprintf("record of %s is longer than the limit of %s; it was skipped", Size(e.Size), Size(int64(e.Max)))
}

// Is makes errors.Is(err, ErrTooLong) true.
func (e *TooLongError) Is(target error) bool { return target == ErrTooLong }

// Size formats a byte count for messages: "1,572,864,000 bytes (1.5 GiB)".
func Size(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%s bytes (%.1f GiB)", s, float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%s bytes (%.1f MiB)", s, float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%s bytes (%.1f KiB)", s, float64(n)/(1<<10))
	}
	return s + " bytes"
}

// Line is one physical line of input.
type Line struct {
	N     int64  // 1-based line number
	Bytes []byte // the line without its "\n"; valid until the next call to Next
	// Err is a *TooLongError when the line is over the limit: Bytes then holds only its first
	// bytes (at most 4 KiB), and the rest was skipped without being held in memory.
	Err error
}

// Reader reads lines with each line bounded. Memory is the buffer plus the longest line within
// the limit, whatever the input.
type Reader struct {
	br  *bufio.Reader
	max int
	n   int64
	buf []byte
	err error // sticky: io.EOF or the underlying reader's error
}

// NewReader reads lines of at most max bytes from r (MaxRecord when max ≤ 0). When r is a
// *bufio.Reader of at least the buffer size wanted, it is used as it is.
func NewReader(r io.Reader, max int) *Reader {
	if max <= 0 {
		max = MaxRecord
	}
	return &Reader{br: bufio.NewReaderSize(r, min(1<<20, max+1)), max: max}
}

// SetMax changes the limit for the lines read from now on (MaxRecord when max ≤ 0). Decoders
// that accept a whole document on one line read their first line with MaxDocument.
func (r *Reader) SetMax(max int) {
	if max <= 0 {
		max = MaxRecord
	}
	r.max = max
}

// Line is the number of lines returned so far: after an error, the last whole line.
func (r *Reader) Line() int64 { return r.n }

// Next returns the next line. It returns io.EOF at the end of input, and the underlying
// reader's error when the input breaks off (a truncated or corrupt compressed file): a line cut
// by the break is not returned, so that every line returned is whole, and Line tells the last
// one. Errors are sticky. A last line without a newline is a whole line.
func (r *Reader) Next() (Line, error) {
	if r.err != nil {
		return Line{}, r.err
	}
	r.buf = r.buf[:0]
	var size int64 // bytes of the line read so far, newline included
	over := false
	for {
		chunk, err := r.br.ReadSlice('\n')
		size += int64(len(chunk))
		content := size
		if err == nil {
			content-- // the newline
		}
		switch {
		case over:
		case content > int64(r.max):
			over = true
			keep := min(headKeep, r.max)
			if len(r.buf) < keep {
				r.buf = append(r.buf, chunk[:min(len(chunk), keep-len(r.buf))]...)
			}
			r.buf = r.buf[:min(len(r.buf), keep)]
		default:
			r.buf = grow(r.buf, len(chunk))
			r.buf = append(r.buf, chunk...)
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == nil:
			r.n++
			if over {
				return Line{N: r.n, Bytes: r.buf, Err: &TooLongError{Size: content, Max: r.max}}, nil
			}
			return Line{N: r.n, Bytes: r.buf[:len(r.buf)-1]}, nil
		case err == io.EOF:
			r.err = io.EOF
			if size == 0 {
				return Line{}, io.EOF
			}
			r.n++
			if over {
				return Line{N: r.n, Bytes: r.buf, Err: &TooLongError{Size: content, Max: r.max}}, nil
			}
			return Line{N: r.n, Bytes: r.buf}, nil
		default:
			r.err = err
			return Line{}, err
		}
	}
}

// grow makes room for n more bytes in b, doubling its capacity: append grows large slices by a
// quarter, which would allocate five times the longest line on the way to it.
func grow(b []byte, n int) []byte {
	if len(b)+n <= cap(b) {
		return b
	}
	nb := make([]byte, len(b), max(2*cap(b), len(b)+n))
	copy(nb, b)
	return nb
}

// Rest returns the rest of the input, up to max bytes, for a document that has to be read
// whole. When the input is longer, it returns what it read (max bytes) and an error wrapping
// ErrTooLong; the rest is not read. When the input breaks off, it returns what it read and the
// underlying error.
func (r *Reader) Rest(max int) ([]byte, error) {
	if r.err != nil && r.err != io.EOF {
		return nil, r.err
	}
	if r.err == io.EOF {
		return nil, nil
	}
	data, err := io.ReadAll(io.LimitReader(r.br, int64(max)+1))
	if err != nil {
		r.err = err
		return data, err
	}
	r.err = io.EOF
	if len(data) > max {
		return data[:max], fmt.Errorf("%w: document longer than the limit of %s", ErrTooLong, Size(int64(max)))
	}
	return data, nil
}
