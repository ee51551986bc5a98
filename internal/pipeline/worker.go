//go:build beam

package pipeline

import (
	"context"
	"flag"
	"reflect"
	"strings"
	"sync"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
)

var registerOnce sync.Once

// registerAll registers the pipeline's DoFns, element types, emitters and iterators with Beam,
// once. Remote workers decode the pipeline by these registered names, and the registered
// wrappers avoid reflection on the hot path. It is called explicitly (no init()).
func registerAll() {
	registerOnce.Do(func() {
		beam.RegisterType(reflect.TypeOf((*Item)(nil)).Elem())
		beam.RegisterType(reflect.TypeOf((*Edge)(nil)).Elem())
		register.DoFn4x1[context.Context, string, func(string, Item), func(string), error](&decodeFn{})
		register.DoFn5x0[context.Context, string, func(*Item) bool, func(*string) bool, func(string)](&objectFn{})
		register.DoFn4x0[context.Context, string, int, func(Edge)](&filterFn{})
		register.DoFn3x1[context.Context, []byte, func(*Edge) bool, error](&writeFn{})
		register.Emitter2[string, Item]()
		register.Emitter1[string]()
		register.Emitter1[Edge]()
		register.Iter1[Item]()
		register.Iter1[string]()
		register.Iter1[Edge]()
	})
}

// IsWorker reports whether args (os.Args) start a Beam worker: remote runners (flink, spark,
// dataflow) launch the staged echotrace binary with --worker and harness flags.
func IsWorker(args []string) bool {
	for _, a := range args[1:] {
		if a == "--worker" || a == "-worker" || strings.HasPrefix(a, "--worker=") || strings.HasPrefix(a, "-worker=") {
			return !strings.HasSuffix(a, "=false")
		}
	}
	return false
}

// Worker runs the Beam worker harness for args (os.Args) and does not return: call it at the
// very start of main when IsWorker(os.Args), before the command line is parsed.
func Worker(args []string) {
	registerAll()
	_ = flag.CommandLine.Parse(args[1:])
	beam.Init() // runs the harness and exits in worker mode
}
