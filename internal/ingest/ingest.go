package ingest

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/echotrace/echotrace/internal/event"
)

// Sentinel errors of the ingest contract.
var (
	// ErrUnknownFormat is returned when no registered connector has the requested name or
	// recognises an input under --format auto.
	ErrUnknownFormat = errors.New("unknown input format")
	// ErrRejected wraps the first rejected record when an import runs with Strict.
	ErrRejected = errors.New("input rejected")
	// ErrIncomplete wraps the error of an input that broke off before its end (a truncated or
	// corrupt compressed file, a read error). The whole records before the break are stored and
	// the import is logged as partial, with the error, in the imports table.
	ErrIncomplete = errors.New("input incomplete")
	// ErrBomb is wrapped by the read error of a compressed input whose output outgrows
	// MaxRatio or MaxDecompressed.
	ErrBomb = errors.New("decompression bomb")
)

// Connector reads one input format.
type Connector interface {
	// Name is the --format name, e.g. "twarc2".
	Name() string
	// Describe is one line for --help: what the format is and where it comes from.
	Describe() string
	// Detect reports how confident the connector is (0 = not mine, 100 = certain) that an input
	// whose name is name and whose first bytes (decompressed, up to 64 KiB) are head is in its
	// format. Auto-detection picks the highest score above zero.
	Detect(name string, head []byte) int
	// Open starts decoding r. src names the input for provenance and rejects.
	Open(r io.Reader, src string) (Decoder, error)
}

// Decoder decodes an input record by record.
type Decoder interface {
	// Decode reads the next record and appends the events it yields to b: one record may yield
	// many events (an API page, a tweet with its embedded retweeted status and users). A record
	// that cannot be read is appended to b.Rejects with its line and reason, and Decode returns
	// nil so that the input goes on. Decode returns io.EOF at the end of input, and any other
	// error only when the input as a whole cannot be read further.
	Decode(b *event.Batch) error
}

// Registry maps format names to connectors. Build it explicitly (see internal/ingest/all);
// there are no init() side effects.
type Registry struct {
	byName map[string]Connector
}

// NewRegistry returns a registry holding cs. It panics on a duplicate name: that is a
// programming error at registration time.
func NewRegistry(cs ...Connector) *Registry {
	r := &Registry{byName: make(map[string]Connector)}
	for _, c := range cs {
		if _, dup := r.byName[c.Name()]; dup {
			panic("ingest: duplicate connector " + c.Name())
		}
		r.byName[c.Name()] = c
	}
	return r
}

// Lookup returns the connector named name.
func (r *Registry) Lookup(name string) (Connector, error) {
	c, ok := r.byName[name]
	if !ok {
		return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownFormat, name, strings.Join(r.Names(), ", "))
	}
	return c, nil
}

// Names lists the registered format names, sorted.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.byName))
	for n := range r.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Connectors lists the registered connectors sorted by name.
func (r *Registry) Connectors() []Connector {
	var cs []Connector
	for _, n := range r.Names() {
		cs = append(cs, r.byName[n])
	}
	return cs
}

// Detect picks the connector most confident about an input, or ErrUnknownFormat. Ties go to
// the connector whose name sorts first, so detection is deterministic.
func (r *Registry) Detect(name string, head []byte) (Connector, error) {
	var best Connector
	bestScore := 0
	for _, c := range r.Connectors() {
		if s := c.Detect(name, head); s > bestScore {
			best, bestScore = c, s
		}
	}
	if best == nil {
		return nil, fmt.Errorf("%w: %s (name the format with --format; known: %s)", ErrUnknownFormat, name, strings.Join(r.Names(), ", "))
	}
	return best, nil
}
