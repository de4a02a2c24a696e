package web

import (
	"net/http"
	"strings"

	"github.com/bouncewatch/bouncewatch/store"
)

// holdView is an account's state at the policy service, for the box on
// the incident page and the overview's cards: held or not, why, and the
// forms that release or block it.
type holdView struct {
	Account  string
	Held     bool
	Block    *store.Block
	Incident bool // an open hijacked (or mixed) incident holds it
	Q        *req
	Next     string // the page to come back to
}

func (s *Server) holdOf(holds map[string]store.Hold, acct string, q *req, next string) holdView {
	h, ok := holds[strings.ToLower(strings.TrimSpace(acct))]
	return holdView{Account: acct, Held: ok, Block: h.Block, Incident: h.Incident != nil, Q: q, Next: next}
}

// validAccount: an account is a login or an address, one short token.
func validAccount(a string) bool {
	return a != "" && len(a) <= 320 && !strings.ContainsAny(a, " \t\r\n\x00")
}

// release: POST /accounts/release (account=) lets a held account send
// again, recorded with who and when (the incident's timeline shows it).
func (s *Server) release(w http.ResponseWriter, r *http.Request, q *req) {
	acct := strings.TrimSpace(r.PostFormValue("account"))
	if !validAccount(acct) {
		http.Error(w, "name the account to release", http.StatusBadRequest)
		return
	}
	held, err := s.o.Store.ReleaseAccount(r.Context(), acct, q.User, s.o.Now())
	if err != nil {
		s.internal(w, r, q, err)
		return
	}
	s.o.Log.Info("account released", "account", acct, "held", held, "by", q.User)
	s.back(w, r, q)
}

// block: POST /accounts/block (account=, reason=) holds an account at the
// policy service until it is released.
func (s *Server) block(w http.ResponseWriter, r *http.Request, q *req) {
	acct := strings.TrimSpace(r.PostFormValue("account"))
	if !validAccount(acct) {
		http.Error(w, "name the account to block", http.StatusBadRequest)
		return
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" {
		reason = "blocked in the dashboard"
	}
	if err := s.o.Store.BlockAccount(r.Context(), acct, reason, q.User, s.o.Now()); err != nil {
		s.internal(w, r, q, err)
		return
	}
	s.o.Log.Info("account blocked", "account", acct, "by", q.User)
	s.back(w, r, q)
}

// back answers a state change: 204 to a script or the API token, else
// the page the form came from.
func (s *Server) back(w http.ResponseWriter, r *http.Request, q *req) {
	if r.Header.Get("X-CSRF-Token") != "" || q.Bearer {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}
