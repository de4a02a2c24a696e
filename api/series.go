package api

import (
	"net/http"
	"time"

	"github.com/bouncewatch/bouncewatch/diagnose"
)

type point struct {
	Time    time.Time `json:"t"`
	Bounced float64   `json:"bounced"`
	Sent    *float64  `json:"sent"` // null without a send log
}

// series: GET /api/v1/series?account=&from=&to=&step= gives the sent and
// bounced counts over time, for one account or (no account) for all,
// from the detector's latest pass. The analysis counts per hour, so step
// is a whole number of hours (default 1h); from and to are RFC 3339 or
// Unix seconds.
func (s *Server) series(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, ok1 := parseTime(q.Get("from"))
	to, ok2 := parseTime(q.Get("to"))
	if !ok1 || !ok2 {
		writeError(w, http.StatusBadRequest, "from and to must be RFC 3339 or Unix seconds")
		return
	}
	step := time.Hour
	if v := q.Get("step"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Hour || d%time.Hour != 0 || d > 31*24*time.Hour {
			writeError(w, http.StatusBadRequest, "step must be a whole number of hours, e.g. 1h or 24h")
			return
		}
		step = d
	}
	rep := s.latest()
	account := q.Get("account")
	var ser *diagnose.Series
	if rep != nil {
		if account == "" {
			ser = &rep.Series
		}
		for i := range rep.Verdicts {
			if rep.Verdicts[i].Account == account {
				ser = &rep.Verdicts[i].Series
			}
		}
	}
	if account != "" && ser == nil {
		writeError(w, http.StatusNotFound, "no such account in the analysis")
		return
	}
	points := []point{}
	if ser != nil {
		per := int(step / time.Hour)
		for i := 0; i < len(ser.Bounced); i += per {
			t := ser.Start.Add(time.Duration(i) * time.Hour)
			if (!from.IsZero() && t.Before(from)) || (!to.IsZero() && !t.Before(to)) {
				continue
			}
			p := point{Time: t}
			var sent float64
			for k := i; k < i+per && k < len(ser.Bounced); k++ {
				p.Bounced += ser.Bounced[k]
				if ser.Sent != nil && k < len(ser.Sent) {
					sent += ser.Sent[k]
				}
			}
			if ser.Sent != nil {
				p.Sent = &sent
			}
			points = append(points, p)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"account": account, "step": step.String(), "points": points})
}

func (s *Server) latest() *diagnose.Report {
	if s.Report == nil {
		return nil
	}
	return s.Report()
}
