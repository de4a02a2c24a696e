// Package web is bouncewatch serve's dashboard: server-rendered pages
// (html/template, every asset embedded in the binary, nothing from a
// CDN) over the store and the detector's latest report, mounted beside
// the JSON API on the same listener.
//
// Pages: the overview (the state in one sentence, one card per account,
// bounces and sent mail per hour on the report's chart, reasons, top
// domains and subjects, live through Server-Sent Events), an incident
// (timeline, evidence, the plan as a checklist kept in the store), the
// bounces (search, filters, pages; a detail with the decoded facts, the
// explanation, the original headers and the raw message), the domain
// check, the sources' health and the suppression list (CSV).
//
// Security: every page asks for a session (login with a password whose
// bcrypt hash is in the config, or with the API token) or the API token
// as "Authorization: Bearer"; the session cookie is HttpOnly,
// SameSite=Strict and Secure on TLS; every state change carries a CSRF
// token; logins are rate-limited per client address. Every decoded field
// is attacker-controlled text: html/template escapes it in its context,
// the Content-Security-Policy allows no inline script, no decoded value
// becomes a link, and an internal error reaches the log only.
package web

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/attrib"
	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/domaincheck"
	"github.com/bouncewatch/bouncewatch/ingest"
	"github.com/bouncewatch/bouncewatch/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configure the dashboard.
type Options struct {
	Store *store.Store
	// Report gives the detector's latest report (nil before its first
	// pass).
	Report func() *diagnose.Report
	// Attribute judges whether the message behind a bounce was sent by
	// us, against the send log known now (detect.Detector.Attribution;
	// nil: the bounce page shows no attribution).
	Attribute func(*bounce.Result) *attrib.Attribution
	// Sources tells the live sources' health (nil: none).
	Sources func() []ingest.Health
	// Token is the API token: accepted at login and as a bearer token.
	Token string
	// Users maps a login name to its password's bcrypt hash.
	Users map[string]string
	// Lang is the language when the browser asks for neither ja nor en.
	Lang advice.Lang
	// Location is the time zone when the browser has not told its own.
	Location *time.Location
	// TLS: the server runs on TLS (the session cookie is then Secure).
	TLS bool
	// API serves /api/, /healthz and /metrics (package api).
	API http.Handler
	// Domains are ours, for the domain page.
	Domains []string
	// CheckDomain checks a domain's SPF, DKIM, DMARC and MX (default
	// domaincheck.Check with the system's resolver).
	CheckDomain func(ctx context.Context, domain string) (*domaincheck.Report, error)
	Log         *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Poll is how often the live stream looks for changes (default 1s).
	Poll time.Duration
}

// Server is the dashboard.
type Server struct {
	o     Options
	pages map[string]*template.Template
	key   []byte // signs sessions and CSRF tokens
	login *limiter

	stop     chan struct{}
	stopOnce sync.Once

	mu      sync.Mutex
	domains map[string]*domaincheck.Report // the last check of each domain
}

// New makes the dashboard. The signing key of sessions is kept in the
// store (so sessions survive a restart); when the store cannot give one
// a random key is used for this process.
func New(o Options) (*Server, error) {
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.CheckDomain == nil {
		o.CheckDomain = func(ctx context.Context, d string) (*domaincheck.Report, error) {
			return domaincheck.Check(ctx, d, domaincheck.Options{})
		}
	}
	s := &Server{o: o, login: newLimiter(5, time.Minute), domains: map[string]*domaincheck.Report{}, stop: make(chan struct{})}
	var err error
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	if s.key, err = sessionKey(context.Background(), o.Store); err != nil {
		return nil, err
	}
	return s, nil
}

// sessionKey reads the key from the store's settings, making it once.
func sessionKey(ctx context.Context, st *store.Store) ([]byte, error) {
	const name = "web.session_key"
	if st != nil {
		if v, err := st.Setting(ctx, name); err == nil && len(v) == 64 {
			if k, err := hex.DecodeString(v); err == nil {
				return k, nil
			}
		}
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	if st != nil {
		_ = st.SetSetting(ctx, name, hex.EncodeToString(k)) // else: this process's key only
	}
	return k, nil
}

// Handler returns the dashboard, with the API beside it.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	if s.o.API != nil {
		mux.Handle("/api/", s.o.API)
		mux.Handle("/healthz", s.o.API)
		mux.Handle("/metrics", s.o.API)
	}
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.loginPost)
	mux.HandleFunc("GET /lang", s.setLang)
	page := func(pattern string, h func(http.ResponseWriter, *http.Request, *req)) {
		mux.Handle(pattern, s.authed(h))
	}
	page("GET /{$}", s.overview)
	page("POST /logout", s.logout)
	page("GET /events", s.events)
	page("GET /incidents", s.incidentList)
	page("GET /incidents/{id}", s.incident)
	page("POST /incidents/{id}/steps/{step}", s.tick)
	page("GET /bounces", s.bounceList)
	page("GET /bounces/{id}", s.bounceDetail)
	page("GET /bounces/{id}/raw", s.bounceRaw)
	page("GET /domain", s.domain)
	page("GET /sources", s.sources)
	page("GET /suppressions", s.suppressions)
	page("GET /suppressions.csv", s.suppressionsCSV)
	return securityHeaders(mux)
}

// csp allows scripts, styles and connections to this origin only: no
// inline script, no eval, no frame, no plugin.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		if !strings.HasPrefix(r.URL.Path, "/api/") {
			hd.Set("Content-Security-Policy", csp)
		}
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		h.ServeHTTP(w, r)
	})
}

func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		h.ServeHTTP(w, r)
	})
}

// internal logs err with a request ID and shows the person only the ID:
// paths, SQL and host names stay in the log.
func (s *Server) internal(w http.ResponseWriter, r *http.Request, q *req, err error) {
	var b [6]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	s.o.Log.Error("dashboard", "request_id", id, "path", r.URL.Path, "err", err)
	w.WriteHeader(http.StatusInternalServerError)
	s.render(w, r, q, "error", map[string]any{"Message": q.T.InternalError, "RequestID": id})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request, q *req) {
	w.WriteHeader(http.StatusNotFound)
	s.render(w, r, q, "error", map[string]any{"Message": q.T.NotFound})
}

// Ticked returns the plan steps ticked off for an incident, for the alert
// that closes it (alert.Renderer.Ticked): "Title (who, when)" in lang,
// times in loc, in the plan's order.
func Ticked(ctx context.Context, st *store.Store, in *store.Incident, lang advice.Lang, loc *time.Location) []string {
	ticks, err := st.PlanTicks(ctx, in.ID)
	if err != nil || len(ticks) == 0 {
		return nil
	}
	var ar diagnose.AccountReport
	plan := advice.Plan(advice.Verdict(in.Verdict), lang, advice.PlanContext{Account: in.Account})
	if len(in.Detail) > 0 && json.Unmarshal(in.Detail, &ar) == nil && len(ar.Plan) > 0 && planLang(ar.Plan) == lang {
		plan = ar.Plan
	}
	var out []string
	for _, step := range plan {
		if t, ok := ticks[step.ID]; ok && t.Done {
			out = append(out, fmt.Sprintf("%s (%s, %s)", step.Title, t.By, when(t.At, loc)))
		}
	}
	return out
}
