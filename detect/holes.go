package detect

import (
	"slices"
	"time"
)

// Late commits. The detector reads what was stored after the last ID it
// read. On PostgreSQL with several ingest nodes, IDs are handed out when
// a row is inserted but become visible when its transaction commits, so
// a row can appear under an ID below one already read: node A takes ID
// 100, node B takes 101 and commits, the detector reads 101, A commits.
// Read by "ID above the last" alone, 100 would never be analysed. So an
// ID skipped while reading recent rows is a hole: the detector reads it
// again at each pass until it appears or holeTTL goes by (an ID can also
// be skipped for good, by a transaction rolled back). With one node (and
// on SQLite, which has one writer) rows commit in ID order and there are
// no holes.
const (
	holeTTL = 10 * time.Minute
	// maxHoles bounds the IDs waited for; past it the oldest are dropped.
	maxHoles = 100_000
	// holeSpan is the widest run of IDs read in one query to fill holes
	// that lie apart.
	holeSpan = 1000
)

// holes are the IDs skipped while reading one table, with when each was
// found missing.
type holes struct {
	ids map[int64]time.Time
}

// skipped notes the IDs between prev and id, read in that order, as
// holes — when the row after them was stored recently (storedAt):
// reading old rows at start, gaps are rollbacks, not late commits.
func (h *holes) skipped(prev, id int64, storedAt, now time.Time) {
	if id <= prev+1 || now.Sub(storedAt) > holeTTL {
		return
	}
	if h.ids == nil {
		h.ids = make(map[int64]time.Time)
	}
	for k := max(prev+1, id-maxHoles); k < id; k++ {
		h.ids[k] = now
	}
	if len(h.ids) > maxHoles {
		ks := h.sorted()
		for _, k := range ks[:len(ks)-maxHoles] {
			delete(h.ids, k)
		}
	}
}

// restore takes the holes a checkpoint kept, found missing now.
func (h *holes) restore(ids []int64, now time.Time) {
	for _, id := range ids[max(0, len(ids)-maxHoles):] {
		if h.ids == nil {
			h.ids = make(map[int64]time.Time)
		}
		h.ids[id] = now
	}
}

// expire forgets the holes waited for longer than holeTTL.
func (h *holes) expire(now time.Time) {
	for k, t := range h.ids {
		if now.Sub(t) > holeTTL {
			delete(h.ids, k)
		}
	}
}

func (h *holes) pending() bool { return len(h.ids) > 0 }

// has reports whether id is a hole.
func (h *holes) has(id int64) bool {
	_, ok := h.ids[id]
	return ok
}

// fill forgets id: its row came.
func (h *holes) fill(id int64) { delete(h.ids, id) }

func (h *holes) sorted() []int64 {
	ks := make([]int64, 0, len(h.ids))
	for k := range h.ids {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// spans groups the holes into ID ranges to read, [lo, hi], none wider
// than holeSpan.
func (h *holes) spans() [][2]int64 {
	var out [][2]int64
	for _, k := range h.sorted() {
		if n := len(out); n > 0 && k-out[n-1][0] < holeSpan {
			out[n-1][1] = k
			continue
		}
		out = append(out, [2]int64{k, k})
	}
	return out
}
