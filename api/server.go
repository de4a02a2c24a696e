// Package api is bouncewatch serve's HTTP interface: the JSON API under
// /api/v1/ behind a bearer token, /healthz and /metrics. One handler per
// file. A handler's internal error is logged with a request ID and the
// client gets only a generic message with that ID.
package api

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/ingest"
	"github.com/bouncewatch/bouncewatch/store"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Server serves the API over a store.
type Server struct {
	Store *store.Store
	// Report gives the detector's latest report (nil before its first
	// pass): accounts and series come from it.
	Report func() *diagnose.Report
	// Sources tells the live sources' health.
	Sources func() []ingest.Health
	// Token is the bearer token the API asks for; empty refuses every
	// API request (serve always sets one).
	Token string
	Log   *slog.Logger
	// Relays are our relays' addresses and prefixes: the DMARC view
	// tells our own sources from others.
	Relays []string
	// Registry holds the metrics /metrics shows (see NewMetrics).
	Registry *prometheus.Registry
}

// Handler returns the HTTP handler of the whole interface.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	if s.Registry != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{}))
	}
	mux.Handle("GET /api/v1/incidents", s.auth(s.incidents))
	mux.Handle("GET /api/v1/incidents/{id}", s.auth(s.incident))
	mux.Handle("GET /api/v1/accounts", s.auth(s.accounts))
	mux.Handle("GET /api/v1/bounces", s.auth(s.bounces))
	mux.Handle("GET /api/v1/series", s.auth(s.series))
	mux.Handle("GET /api/v1/stats", s.auth(s.stats))
	mux.Handle("GET /api/v1/sources", s.auth(s.sources))
	mux.Handle("GET /api/v1/dmarc", s.auth(s.dmarc))
	mux.Handle("GET /api/v1/holds", s.auth(s.holds))
	mux.Handle("GET /api/v1/incidents/{id}/blocklists", s.auth(s.blocklists))
	mux.Handle("POST /api/v1/accounts/{account}/release", s.auth(s.release))
	mux.Handle("POST /api/v1/accounts/{account}/block", s.auth(s.block))
	return mux
}

// auth lets a request through when it carries the token.
func (s *Server) auth(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || s.Token == "" || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(s.Token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="bouncewatch"`)
			writeError(w, http.StatusUnauthorized, "a valid bearer token is required (Authorization: Bearer TOKEN)")
			return
		}
		h(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

type errorBody struct {
	Error     string `json:"error"`
	RequestID string `json:"request_id,omitempty"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

// internal logs err and answers 500 with a request ID only: the error's
// text (paths, SQL, hosts) never reaches the client.
func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	var b [6]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	if s.Log != nil {
		s.Log.Error("api", "request_id", id, "path", r.URL.Path, "err", err)
	}
	writeJSON(w, http.StatusInternalServerError, errorBody{Error: "internal error; the server log has the details", RequestID: id})
}

// maxLimit is the most items a page may ask for.
const maxLimit = 1000

// limitParam reads a list's limit= (1 to [maxLimit]); without one it is
// def. A bad one is answered 400 and ok is false.
func limitParam(w http.ResponseWriter, q url.Values, def int) (n int, ok bool) {
	v := q.Get("limit")
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxLimit {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("limit must be a number from 1 to %d", maxLimit))
		return 0, false
	}
	return n, true
}

// parseTime reads an RFC 3339 time or Unix seconds; "" is zero.
func parseTime(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, true
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, true
	}
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return time.Time{}, false
		}
		n = n*10 + int64(c-'0')
	}
	return time.Unix(n, 0).UTC(), true
}
