package api

import (
	"net/http"
	"strconv"

	"github.com/bouncewatch/bouncewatch/store"
)

// incidents: GET /api/v1/incidents[?account=A][&open=true][&limit=N]
// lists incidents, the most recently opened first.
func (s *Server) incidents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.IncidentFilter{Account: q.Get("account"), OpenOnly: q.Get("open") == "true" || q.Get("open") == "1"}
	var ok bool
	if f.Limit, ok = limitParam(w, q, f.Limit); !ok {
		return
	}
	list, err := s.Store.Incidents(r.Context(), f)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	for i := range list {
		list[i].Detail = nil // in /api/v1/incidents/{id}
	}
	writeJSON(w, http.StatusOK, map[string]any{"incidents": list})
}

// incident: GET /api/v1/incidents/{id}: one incident with its detail (the
// account's report at the last change, with the plan) and its history.
func (s *Server) incident(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeError(w, http.StatusBadRequest, "the incident ID is a number")
		return
	}
	in, err := s.Store.Incident(r.Context(), id)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if in == nil {
		writeError(w, http.StatusNotFound, "no such incident")
		return
	}
	h, err := s.Store.History(r.Context(), id)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		*store.Incident
		History []store.Change `json:"history"`
	}{in, h})
}
