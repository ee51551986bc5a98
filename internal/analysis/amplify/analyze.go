package amplify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/echotrace/echotrace/internal/store"
)

// DocumentName is the name of the stored findings document (store.ResultStore).
const DocumentName = "findings"

// CoordDocument is the name of the coordination step's stored document, read for the
// coordinated accounts when Params.Coordinated is empty.
const CoordDocument = "coord"

// Analyze loads the study, computes the findings and stores them as the "findings" document.
// When p.Coordinated is empty, the members of the clusters of the stored "coord" document (if
// any) are taken as the coordinated accounts.
func Analyze(ctx context.Context, st store.Store, p Params) (Findings, error) {
	in, err := Load(ctx, st, p)
	if err != nil {
		return Findings{}, err
	}
	return Finish(ctx, st, in, p)
}

// Finish computes the findings from a loaded Input and stores them as the "findings" document.
// When p.Coordinated is empty, the members of the stored "coord" document's clusters are taken as
// the coordinated accounts. Load does not depend on the coordination result, so a caller may
// Load while coordination detection runs and Finish after it (as `echotrace analyze` does).
func Finish(ctx context.Context, st store.Store, in Input, p Params) (Findings, error) {
	if len(p.Coordinated) == 0 {
		ids, err := CoordinatedFromStore(ctx, st)
		if err != nil {
			return Findings{}, err
		}
		p.Coordinated = ids
	}
	f, err := Compute(in, p)
	if err != nil {
		return Findings{}, err
	}
	body, err := json.Marshal(f)
	if err != nil {
		return Findings{}, fmt.Errorf("encode findings: %w", err)
	}
	if err := st.PutDocument(ctx, DocumentName, body); err != nil {
		return Findings{}, fmt.Errorf("store findings: %w", err)
	}
	return f, nil
}

// CoordinatedFromStore returns the sorted, distinct member ids of the clusters of the stored
// "coord" document (DESIGN §5: {"clusters": [{"id", "members": [ids]}]}), or nil when there is
// none.
func CoordinatedFromStore(ctx context.Context, rs store.ResultStore) ([]string, error) {
	body, _, err := rs.Document(ctx, CoordDocument)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read coord document: %w", err)
	}
	var doc struct {
		Clusters []struct {
			Members []string `json:"members"`
		} `json:"clusters"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("read coord document: clusters: %w", err)
	}
	var ids []string
	for _, c := range doc.Clusters {
		ids = append(ids, c.Members...)
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// Stored returns the stored findings document, or an error wrapping store.ErrNotFound.
func Stored(ctx context.Context, rs store.ResultStore) (Findings, error) {
	body, _, err := rs.Document(ctx, DocumentName)
	if err != nil {
		return Findings{}, err
	}
	var f Findings
	if err := json.Unmarshal(body, &f); err != nil {
		return Findings{}, fmt.Errorf("read stored findings: %w", err)
	}
	if f.ConcentrationBase == "" {
		// Stored before the base was recorded: concentration then counted every amplifier.
		f.ConcentrationBase = BaseAmplifiers
	}
	return f, nil
}
