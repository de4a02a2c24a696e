package api

import (
	"net/http"
	"strconv"

	"github.com/bouncewatch/bouncewatch/store"
)

// bounces: GET /api/v1/bounces?account=&reason=&from=&to=&limit=&after=
// lists bounced recipients, newest first; next_after, when present, is
// the after= of the next page.
func (s *Server) bounces(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.BounceFilter{Account: q.Get("account"), Reason: q.Get("reason"), Limit: 100}
	var ok bool
	if f.From, ok = parseTime(q.Get("from")); !ok {
		writeError(w, http.StatusBadRequest, "from must be RFC 3339 or Unix seconds")
		return
	}
	if f.To, ok = parseTime(q.Get("to")); !ok {
		writeError(w, http.StatusBadRequest, "to must be RFC 3339 or Unix seconds")
		return
	}
	if f.Limit, ok = limitParam(w, q, f.Limit); !ok {
		return
	}
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "after must be a bounce ID")
			return
		}
		f.After = n
	}
	list, err := s.Store.Bounces(r.Context(), f)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	body := map[string]any{"bounces": list}
	if len(list) == f.Limit {
		body["next_after"] = list[len(list)-1].ID
	}
	writeJSON(w, http.StatusOK, body)
}
