package api

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/store"
)

// holds: GET /api/v1/holds — the accounts the policy service holds now
// (blocked, or named by an open hijacked incident) with their deferrals
// per day over the last 7 days.
func (s *Server) holds(w http.ResponseWriter, r *http.Request) {
	holds, err := s.Store.Holds(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	defs, err := s.Store.Deferrals(r.Context(), "", time.Now().Add(-7*24*time.Hour))
	if err != nil {
		s.internal(w, r, err)
		return
	}
	type entry struct {
		store.Hold
		Deferrals []store.Deferral `json:"deferrals"`
	}
	by := map[string][]store.Deferral{}
	for _, d := range defs {
		by[d.Account] = append(by[d.Account], d)
	}
	out := []entry{}
	for k, h := range holds {
		e := entry{Hold: h, Deferrals: by[k]}
		if e.Deferrals == nil {
			e.Deferrals = []store.Deferral{}
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Account < out[j].Account })
	writeJSON(w, http.StatusOK, map[string]any{"holds": out, "deferrals": defs})
}

// release: POST /api/v1/accounts/{account}/release — lets a held account
// send again (as bouncewatch release).
func (s *Server) release(w http.ResponseWriter, r *http.Request) {
	acct := strings.TrimSpace(r.PathValue("account"))
	if acct == "" || strings.ContainsAny(acct, " \t\r\n") {
		writeError(w, http.StatusBadRequest, "name the account: POST /api/v1/accounts/ACCOUNT/release")
		return
	}
	held, err := s.Store.ReleaseAccount(r.Context(), acct, "api", time.Now())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"account": strings.ToLower(acct), "released": held})
}

// block: POST /api/v1/accounts/{account}/block?reason= — holds an account
// (as bouncewatch block).
func (s *Server) block(w http.ResponseWriter, r *http.Request) {
	acct := strings.TrimSpace(r.PathValue("account"))
	if acct == "" || strings.ContainsAny(acct, " \t\r\n") {
		writeError(w, http.StatusBadRequest, "name the account: POST /api/v1/accounts/ACCOUNT/block")
		return
	}
	reason := r.URL.Query().Get("reason")
	if reason == "" {
		reason = "blocked through the API"
	}
	if err := s.Store.BlockAccount(r.Context(), acct, reason, "api", time.Now()); err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"account": strings.ToLower(acct), "blocked": true})
}

// blocklists: GET /api/v1/incidents/{id}/blocklists — the DNS blocklist
// checks of our IPs and domains made while the incident was open, newest
// first, each with its results (listings with their delisting pages).
func (s *Server) blocklists(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		writeError(w, http.StatusBadRequest, "the incident ID is a number")
		return
	}
	checks, err := s.Store.BlocklistChecks(r.Context(), id, 0)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"incident_id": id, "checks": checks})
}
