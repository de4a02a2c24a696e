package detect_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/attrib"
	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/detect"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/internal/scenario"
	"github.com/bouncewatch/bouncewatch/store"
)

// TestAttribution: the detector judges one stored bounce on demand, as
// its pass judges them all — nothing before the first pass; after it, a
// hijack's bounce is found in the send log, with the items' sentences in
// both languages.
func TestAttribution(t *testing.T) {
	ctx := context.Background()
	sc, err := scenario.Hijack(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "bw.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	importScenario(t, st, sc)
	det := detect.New(st, detect.Config{Analyzer: diagnose.Config{Location: sc.Location, Now: sc.Now, Lang: advice.English},
		Now: func() time.Time { return sc.Now }})
	bs, err := st.SearchBounces(ctx, store.BounceSearch{BounceFilter: store.BounceFilter{Account: "shop@example.jp", Limit: 20}})
	if err != nil || len(bs) == 0 {
		t.Fatalf("no bounces: %v", err)
	}
	_, m, err := st.BounceDetail(ctx, bs[0].ID)
	if err != nil || m == nil || m.Raw == nil {
		t.Fatalf("bounce %d: %v", bs[0].ID, err)
	}
	res, err := bounce.DecodeBytes(m.Raw)
	if err != nil {
		t.Fatal(err)
	}
	if a := det.Attribution(res); a != nil {
		t.Errorf("before the first pass: %+v", a)
	}
	if det.Attribution(nil) != nil {
		t.Errorf("nil result judged")
	}
	if _, err := det.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	ours := 0
	for _, b := range bs {
		_, m, err := st.BounceDetail(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		res, err := bounce.DecodeBytes(m.Raw)
		if err != nil {
			t.Fatal(err)
		}
		a := det.Attribution(res)
		if a == nil {
			t.Fatalf("bounce %d: no attribution after a pass", b.ID)
		}
		if a.Verdict != attrib.Ours {
			continue
		}
		ours++
		found := false
		for _, it := range a.Items {
			if it.En == "" || it.Ja == "" {
				t.Errorf("bounce %d: item %s without its sentences", b.ID, it.Code)
			}
			found = found || it.Code == attrib.CodeMessageIDInLog && it.Weight > 0
		}
		if !found || !a.InLog {
			t.Errorf("bounce %d judged ours without the send log: %+v", b.ID, a)
		}
	}
	if ours == 0 {
		t.Errorf("no bounce of the hijack judged ours")
	}
}
