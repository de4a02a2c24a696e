package api

import (
	"net/http"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
)

// account is one entry of /api/v1/accounts.
type account struct {
	Account    string         `json:"account"`
	Verdict    advice.Verdict `json:"verdict"`
	Confidence float64        `json:"confidence"`
	Bounces    int            `json:"bounces"`
	Sent       int            `json:"sent"`
	Onset      *time.Time     `json:"onset"` // of the surge, if any
	Evidence   []string       `json:"evidence"`
	Missing    []string       `json:"missing_evidence"`
}

// accounts: GET /api/v1/accounts: the current verdict per account, from
// the detector's latest pass.
func (s *Server) accounts(w http.ResponseWriter, r *http.Request) {
	var rep = s.latest()
	out := []account{}
	var at *time.Time
	if rep != nil {
		at = &rep.GeneratedAt
		for _, v := range rep.Verdicts {
			a := account{Account: v.Account, Verdict: v.Verdict, Confidence: v.Confidence, Bounces: v.Bounces, Sent: v.Sent,
				Evidence: v.Evidence, Missing: v.Missing}
			if v.Surge != nil {
				t := v.Surge.Onset
				a.Onset = &t
			}
			out = append(out, a)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"as_of": at, "accounts": out})
}
