package ingest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"testing"

	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/ingest/all"
	"github.com/echotrace/echotrace/internal/store/duckdb"
)

func openStore(t *testing.T) *duckdb.DB {
	t.Helper()
	db, err := duckdb.Open(context.Background(), t.TempDir(), duckdb.Options{Create: true, MemoryLimit: "512MB", Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func registry(t *testing.T) *ingest.Registry {
	t.Helper()
	reg, err := all.New(all.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func queryInt(t *testing.T, db *duckdb.DB, q string, args ...any) int64 {
	t.Helper()
	rows, err := db.Query(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var n int64
	if !rows.Next() {
		t.Fatalf("%s: no row", q)
	}
	if err := rows.Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// lastImport returns the status and error of the latest import.
func lastImport(t *testing.T, db *duckdb.DB) (status, msg string) {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT status, coalesce(error, '') FROM imports ORDER BY id DESC LIMIT 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if !rows.Next() {
		t.Fatal("no import logged")
	}
	if err := rows.Scan(&status, &msg); err != nil {
		t.Fatal(err)
	}
	return status, msg
}

func gzipBytes(p []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(p)
	w.Close()
	return b.Bytes()
}
