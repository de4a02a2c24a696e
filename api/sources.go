package api

import (
	"net/http"

	"github.com/bouncewatch/bouncewatch/ingest"
)

// sources: GET /api/v1/sources: each live source's health (connected,
// last item, last error, lag).
func (s *Server) sources(w http.ResponseWriter, r *http.Request) {
	out := []ingest.Health{}
	if s.Sources != nil {
		out = append(out, s.Sources()...)
	}
	writeJSON(w, http.StatusOK, map[string]any{"sources": out})
}
