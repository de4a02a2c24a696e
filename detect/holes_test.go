package detect

import (
	"testing"
	"time"
)

func TestHoles(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	var h holes
	h.skipped(10, 11, now, now) // consecutive: none
	h.skipped(0, 1, now, now)
	if h.pending() {
		t.Fatal("holes without a gap")
	}
	h.skipped(11, 15, now.Add(-time.Hour), now) // an old row after the gap: a rollback
	if h.pending() {
		t.Fatal("a gap before an old row taken for a hole")
	}
	h.skipped(11, 15, now, now)
	h.skipped(15, 2020, now.Add(-time.Minute), now)
	for _, id := range []int64{12, 13, 14, 16, 2019} {
		if !h.has(id) {
			t.Errorf("%d is not a hole", id)
		}
	}
	if h.has(15) || h.has(11) || h.has(2020) {
		t.Error("an ID read taken for a hole")
	}
	sp := h.spans()
	if len(sp) != 3 || sp[0] != [2]int64{12, 1011} || sp[1] != [2]int64{1012, 2011} || sp[2] != [2]int64{2012, 2019} {
		t.Errorf("spans %v", sp)
	}
	h.fill(12)
	if h.has(12) {
		t.Error("12 still a hole after it came")
	}
	h.skipped(3000, 3003, now, now.Add(5*time.Minute))
	h.expire(now.Add(11 * time.Minute))
	if h.has(13) || !h.has(3001) || !h.has(3002) || len(h.ids) != 2 {
		t.Errorf("after expiry: %d holes, 13 %v, 3001 %v", len(h.ids), h.has(13), h.has(3001))
	}
	// Bounded.
	var b holes
	b.skipped(0, 3*maxHoles, now, now)
	if len(b.ids) != maxHoles || !b.has(3*maxHoles-1) || b.has(1) {
		t.Errorf("%d holes kept of a huge gap", len(b.ids))
	}
}
