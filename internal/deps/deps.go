//go:build deps

// Package deps pins the module's dependencies before their users exist.
package deps

import (
	_ "github.com/apache/arrow-go/v18/arrow"
	_ "github.com/chromedp/chromedp"
	_ "github.com/duckdb/duckdb-go/v2"
	_ "github.com/klauspost/compress/zstd"
	_ "github.com/parquet-go/parquet-go"
	_ "github.com/spf13/cobra"
	_ "github.com/vbauerster/mpb/v8"
	_ "golang.org/x/term"
)
