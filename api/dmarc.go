package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/dmarcrpt"
)

// dmarc: GET /api/v1/dmarc?domain=&from=&to= — what the receivers' DMARC
// aggregate reports say of a domain, per day: each sending address with
// its messages, SPF/DKIM alignment and disposition, classed ours (one of
// the configured relays), forgery (foreign, failing both) or third party;
// the forgeries per reporter; the reports themselves (malformed ones with
// their error). Without from/to: the last 30 days.
func (s *Server) dmarc(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	domain := strings.ToLower(strings.TrimSpace(q.Get("domain")))
	if domain == "" {
		writeError(w, http.StatusBadRequest, "domain is required (GET /api/v1/dmarc?domain=example.jp)")
		return
	}
	from, ok := parseTime(q.Get("from"))
	if !ok {
		writeError(w, http.StatusBadRequest, "from must be RFC 3339 or Unix seconds")
		return
	}
	to, ok := parseTime(q.Get("to"))
	if !ok {
		writeError(w, http.StatusBadRequest, "to must be RFC 3339 or Unix seconds")
		return
	}
	if to.IsZero() {
		to = time.Now().Add(24 * time.Hour)
	}
	if from.IsZero() {
		from = to.Add(-31 * 24 * time.Hour)
	}
	ours := dmarcrpt.OurSources(s.Relays)
	days, err := s.Store.DMARCDays(r.Context(), domain, from, to, ours)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	forg, err := s.Store.DMARCForgeries(r.Context(), domain, from, to, ours)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	reps, err := s.Store.DMARCReports(r.Context(), domain, from, to, 1000)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"domain": domain, "from": from, "to": to, "days": days, "forgeries": forg, "reports": reps})
}
