package api

import (
	"net/http"
)

// stats: GET /api/v1/stats: what the store holds (messages, bounces, log
// lines, undecodable messages, incidents, alerts pending).
func (s *Server) stats(w http.ResponseWriter, r *http.Request) {
	st, err := s.Store.Stats(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}
