package amplify

import (
	"context"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/store/duckdb"
)

func TestZZQ(t *testing.T) {
	ctx := context.Background()
	db, err := duckdb.Open(ctx, "/tmp/amp_s1/study", duckdb.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c0, t0 := cpuSeconds(), time.Now()
	in, err := Load(ctx, db, Params{Since: time.Date(2020, 6, 9, 0, 0, 0, 0, time.UTC), Until: time.Date(2021, 2, 22, 23, 59, 59, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("load %v cpu %.1f, %d engagements", time.Since(t0), cpuSeconds()-c0, in.Engagements.Len())
}
