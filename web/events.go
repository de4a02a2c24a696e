package web

import (
	"fmt"
	"net/http"
	"time"
)

// events is the live stream (Server-Sent Events): an "update" event
// whenever a message, a log line or the detector's report is new, so the
// page fetches itself again without a reload. A stream ends after ten
// minutes or when the server shuts down; the browser reconnects.
func (s *Server) events(w http.ResponseWriter, r *http.Request, q *req) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 3000\n\n")
	fl.Flush()
	last := s.version(r)
	tick := time.NewTicker(s.o.Poll)
	defer tick.Stop()
	end := time.NewTimer(10 * time.Minute)
	defer end.Stop()
	idle := 0
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.stop:
			return
		case <-end.C:
			return
		case <-tick.C:
		}
		v := s.version(r)
		if v != last && v != "" {
			last = v
			idle = 0
			fmt.Fprintf(w, "event: update\ndata: %s\n\n", v)
		} else if idle++; time.Duration(idle)*s.o.Poll >= 15*time.Second {
			idle = 0
			fmt.Fprint(w, ": keep-alive\n\n")
		}
		fl.Flush()
	}
}

// version changes whenever something the pages show may have: the
// newest stored IDs and the report's time.
func (s *Server) version(r *http.Request) string {
	m, l, err := s.o.Store.MaxIDs(r.Context())
	if err != nil {
		return ""
	}
	var gen int64
	if s.o.Report != nil {
		if rep := s.o.Report(); rep != nil {
			gen = rep.GeneratedAt.UnixNano()
		}
	}
	return fmt.Sprintf("%d-%d-%d", m, l, gen)
}

// Stop ends the live streams, so that a graceful shutdown need not wait
// for them (pass it to http.Server.RegisterOnShutdown).
func (s *Server) Stop() {
	s.stopOnce.Do(func() { close(s.stop) })
}
