// Package ingesttest is the conformance suite every connector passes: it decodes fixtures to
// the end, checks that every event is well formed and carries provenance, that decoding is
// deterministic, that corrupted input (truncated, bit-flipped, invalid UTF-8) is rejected record
// by record without panics or lost good records, and that detection recognises the connector's
// own fixtures. Connector packages call Run from a test, and Fuzz from a fuzz test.
package ingesttest

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest"
)

// maxRecords bounds a decode loop so a connector that never returns io.EOF fails instead of
// hanging.
const maxRecords = 10_000_000

// Decode runs c over data to the end and returns everything it emitted, failing t on a
// non-EOF error.
func Decode(t testing.TB, c ingest.Connector, src string, data []byte) event.Batch {
	t.Helper()
	b, err := DecodeErr(c, src, data)
	if err != nil {
		t.Fatalf("%s: decode %s: %v", c.Name(), src, err)
	}
	return b
}

// DecodeFile reads the file at path and decodes it with c (see Decode).
func DecodeFile(t testing.TB, c ingest.Connector, path string) event.Batch {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return Decode(t, c, path, data)
}

// DecodeErr is Decode returning the error instead of failing.
func DecodeErr(c ingest.Connector, src string, data []byte) (event.Batch, error) {
	return DecodeReader(c, src, bytes.NewReader(data))
}

// Repeat returns a reader of prefix, n copies of b, and suffix, generated as it is read: a
// record of any size without holding it in memory.
func Repeat(prefix string, b byte, n int64, suffix string) io.Reader {
	return io.MultiReader(strings.NewReader(prefix), &repeat{b: b, n: n}, strings.NewReader(suffix))
}

type repeat struct {
	b byte
	n int64
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

// DecodeReader is DecodeErr reading from r.
func DecodeReader(c ingest.Connector, src string, r io.Reader) (event.Batch, error) {
	var b event.Batch
	dec, err := c.Open(r, src)
	if err != nil {
		return b, err
	}
	for i := 0; i < maxRecords; i++ {
		err := dec.Decode(&b)
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
	return b, errors.New("decoder never returned io.EOF")
}

// Run checks c against fixture files (paths to real samples copied into testdata/). Each
// fixture must decode without rejects unless its name contains "bad".
func Run(t *testing.T, c ingest.Connector, fixtures ...string) {
	t.Helper()
	if c.Name() == "" || strings.ContainsAny(c.Name(), " \t/") {
		t.Errorf("connector name %q is not a usable --format value", c.Name())
	}
	if c.Describe() == "" {
		t.Errorf("%s: Describe is empty", c.Name())
	}
	for _, path := range fixtures {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(path, func(t *testing.T) {
			b := Decode(t, c, path, data)
			if b.Len() == 0 && len(data) > 0 {
				t.Errorf("no events from a non-empty fixture")
			}
			if !strings.Contains(path, "bad") && len(b.Rejects) > 0 {
				t.Errorf("%d rejects from a good fixture; first: %s", len(b.Rejects), b.Rejects[0].Error())
			}
			CheckBatch(t, path, &b)
			again := Decode(t, c, path, data)
			if !reflect.DeepEqual(b, again) {
				t.Errorf("decoding twice gave different events")
			}
			head := data
			if len(head) > 64<<10 {
				head = head[:64<<10]
			}
			if s := c.Detect(path, head); s <= 0 {
				t.Errorf("Detect does not recognise its own fixture (score %d)", s)
			}
			checkCorruption(t, c, path, data, b)
			if len(head) > 0 {
				Mutations(t, c, head, 100)
			}
		})
	}
}

// CheckBatch verifies that every event in b is well formed: platform and ids set, kinds valid,
// times UTC, strings valid UTF-8, provenance naming src, rejects naming src and a line.
func CheckBatch(t testing.TB, src string, b *event.Batch) {
	t.Helper()
	errorf := func(format string, args ...any) {
		t.Helper()
		t.Errorf(format, args...)
	}
	checkTime := func(what string, tm time.Time) {
		if !tm.IsZero() && tm.Location() != time.UTC {
			errorf("%s: time %v is not UTC", what, tm)
		}
	}
	checkProv := func(what string, p event.Provenance) {
		if p.Source != src {
			errorf("%s: provenance source %q, want %q", what, p.Source, src)
		}
		if p.Line <= 0 {
			errorf("%s: provenance line %d, want ≥ 1", what, p.Line)
		}
	}
	checkText := func(what string, ss ...string) {
		for _, s := range ss {
			if !utf8.ValidString(s) {
				errorf("%s: invalid UTF-8 in %q", what, s)
			}
		}
	}
	for _, a := range b.Accounts {
		what := "account " + a.ID
		if a.Platform == "" || a.ID == "" {
			errorf("account without platform or id: %+v", a)
		}
		checkTime(what, a.CreatedAt)
		checkProv(what, a.Prov)
		checkText(what, a.Handle, a.Name, a.Description, a.Location)
	}
	for _, p := range b.Posts {
		what := "post " + p.ID
		if p.Platform == "" || p.ID == "" || p.AuthorID == "" {
			errorf("post without platform, id or author: %s by %q", p.ID, p.AuthorID)
		}
		if !p.Kind.Valid() {
			errorf("%s: invalid kind %q", what, p.Kind)
		}
		if p.Kind != event.KindPost && p.RefID == "" && p.Kind != event.KindReply {
			errorf("%s: %s without a referenced post", what, p.Kind)
		}
		checkTime(what, p.CreatedAt)
		checkProv(what, p.Prov)
		checkText(what, p.Text, p.AuthorHandle)
	}
	for _, e := range b.Engagements {
		if e.Platform == "" || e.AccountID == "" || e.PostID == "" || e.Kind == "" {
			errorf("incomplete engagement %+v", e)
		}
		checkTime("engagement", e.At)
		checkProv("engagement", e.Prov)
	}
	for _, s := range b.Shares {
		if s.AccountID == "" || s.ObjectID == "" || s.At.IsZero() {
			errorf("incomplete share %+v", s)
		}
		checkProv("share", s.Prov)
	}
	for _, s := range b.Statuses {
		if s.Platform == "" || (s.AccountID == "" && s.Handle == "") || s.ObservedAt.IsZero() {
			errorf("incomplete status observation %+v", s)
		}
		checkProv("status", s.Prov)
	}
	for _, l := range b.Labels {
		if l.Platform == "" || (l.AccountID == "" && l.Handle == "") || l.ObservedAt.IsZero() {
			errorf("incomplete label observation %+v", l)
		}
		checkProv("label", l.Prov)
	}
	for _, w := range b.Watch {
		if w.Platform == "" || (w.ID == "" && w.Handle == "") {
			errorf("watch entry without id or handle %+v", w)
		}
		checkProv("watch", w.Prov)
	}
	for _, r := range b.Rejects {
		if r.Source != src || r.Line <= 0 || r.Reason == "" {
			errorf("reject without source, line or reason: %+v", r)
		}
		checkText("reject", r.Raw, r.Reason)
	}
}

// checkCorruption feeds damaged copies of data and checks that decoding neither panics nor
// errors out as a whole for line-oriented damage, and that every reject is well formed.
func checkCorruption(t *testing.T, c ingest.Connector, src string, data []byte, good event.Batch) {
	t.Helper()
	variants := map[string][]byte{
		"truncated":    data[:len(data)*2/3],
		"invalid-utf8": bytes.Replace(data, []byte("e"), []byte{0xff}, 3),
		"garbage-line": append(append([]byte("{\"broken\": \n\x00\x01garbage,,,\"\n"), data...), []byte("\n}{not json\n")...),
	}
	for name, v := range variants {
		b, err := DecodeErr(c, src, v)
		if err != nil {
			// A whole-input failure is only acceptable for formats that are one document.
			t.Logf("%s: %s input failed as a whole: %v", c.Name(), name, err)
			continue
		}
		CheckBatch(t, src, &b)
	}
}

// Mutations is a seeded, deterministic complement to fuzzing that runs in every `go test`: n
// copies of seed, each with one to eight random byte changes, deletions or insertions of JSON and
// CSV punctuation, must decode without panics and with well-formed events and rejects.
// punct are the bytes Mutations inserts: the structure of JSON and CSV.
const punct = "{}[]\":,\n"

func Mutations(t *testing.T, c ingest.Connector, seed []byte, n int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, uint64(len(seed))))
	for range n {
		d := append([]byte(nil), seed...)
		for range 1 + rng.IntN(8) {
			if len(d) == 0 {
				break
			}
			j := rng.IntN(len(d))
			switch rng.IntN(3) {
			case 0:
				d[j] = byte(rng.IntN(256))
			case 1:
				d = append(d[:j], d[j+1:]...)
			case 2:
				d = append(d[:j], append([]byte{punct[rng.IntN(len(punct))]}, d[j:]...)...)
			}
		}
		check(t, c, d)
	}
}

// The allocation ceiling Fuzz asserts: decoding n bytes of input allocates at most
// AllocPerByte·n + AllocFixed bytes in all (runtime.MemStats.TotalAlloc, which counts every
// allocation, freed or not). AllocFixed covers the readers' buffers (1 MiB for the line reader)
// and the decoders' tables. AllocPerByte is twice the worst measured on adversarial inputs of
// about 100 KB: twitter-v1 on an array of empty objects ([{},{},…]: a zeroed tweet struct and
// a reject per three bytes) allocates 470 bytes per input byte, the CSV connectors on rows that
// are each rejected 450 (csvtable re-encodes every rejected row with a new csv.Writer and its
// 4 KiB buffer), mastodon 110, shares 80, twarc2 at most 50. The ceiling is linear on purpose:
// it catches decoders whose allocation grows faster than their input (re-reading, quadratic
// copies); what one record can make a decoder hold is bounded apart, by the record limits of
// package lines.
const (
	AllocPerByte = 1024
	AllocFixed   = 8 << 20
)

// Fuzz decodes arbitrary bytes: the connector must not panic, must terminate, must stay within
// the allocation ceiling (AllocPerByte, AllocFixed), and every event and reject must be well
// formed. Call it from a FuzzXxx function:
//
//	f.Fuzz(func(t *testing.T, data []byte) { ingesttest.Fuzz(t, c, data) })
//
// The ceiling is measured process-wide, so Fuzz must not run beside parallel tests: fuzz
// targets run alone, after the package's tests, both under go test and go test -fuzz.
func Fuzz(t *testing.T, c ingest.Connector, data []byte) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b, err := DecodeErr(c, "fuzz", data)
	runtime.ReadMemStats(&after)
	if grew, ceiling := after.TotalAlloc-before.TotalAlloc, uint64(AllocPerByte*len(data)+AllocFixed); grew > ceiling {
		t.Fatalf("%s: decoding %d bytes allocated %d bytes, over the ceiling of %d (%d per byte + %d)",
			c.Name(), len(data), grew, ceiling, AllocPerByte, AllocFixed)
	}
	if err != nil {
		return
	}
	CheckBatch(t, "fuzz", &b)
}

// check is Fuzz without the allocation ceiling, for Mutations, which runs among parallel tests.
func check(t *testing.T, c ingest.Connector, data []byte) {
	t.Helper()
	b, err := DecodeErr(c, "fuzz", data)
	if err != nil {
		return
	}
	CheckBatch(t, "fuzz", &b)
}
