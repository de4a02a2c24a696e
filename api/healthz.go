package api

import (
	"net/http"
)

// healthz answers 200 when the store answers, 503 otherwise; no token is
// needed and nothing internal is told.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if err := s.Store.DB().PingContext(r.Context()); err != nil {
		if s.Log != nil {
			s.Log.Error("healthz: store", "err", err)
		}
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "store unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
