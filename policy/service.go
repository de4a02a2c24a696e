package policy

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/store"
	"github.com/prometheus/client_golang/prometheus"
)

// Backend is what the service needs of the store (*store.Store is one).
type Backend interface {
	Holds(ctx context.Context) (map[string]store.Hold, error)
	BlockAccount(ctx context.Context, acct, reason, by string, at time.Time) error
	ReleaseAccount(ctx context.Context, acct, by string, at time.Time) (bool, error)
	NoteDeferrals(ctx context.Context, acct string, n int64, at time.Time) error
	Incidents(ctx context.Context, f store.IncidentFilter) ([]store.Incident, error)
	SaveIncident(ctx context.Context, in *store.Incident, change string, alerts func(*store.Incident) []store.Alert) error
}

// Config tunes the service. The zero value gets the defaults.
type Config struct {
	// Action is what a held account's mail gets: DEFER_IF_PERMIT
	// (default), HOLD or REJECT.
	Action string
	// Lang is the language of the text the user sees (en, ja).
	Lang advice.Lang
	// Budget is how long the store may take to answer (default 100 ms);
	// Refresh how often the holds are read from it (default 1 s); Stale
	// how old the last good read may be before every answer is DUNNO
	// (default 10 s): the service fails open.
	Budget, Refresh, Stale time.Duration
	// Window is the span of the rate windows (default 24 h).
	Window time.Duration
	// MaxMessages is the messages one SASL user or one sender address
	// may send per window (default 1,000); MaxNewRecipients the
	// recipients never seen from it before (default 200, as mox);
	// MaxNetworks the distinct client networks (IPv4 /24, IPv6 /48) one
	// SASL user logs in from (default 10). Negative turns a limit off.
	MaxMessages, MaxNewRecipients, MaxNetworks int
	// AutoRelease releases an account held by an incident (not one an
	// admin blocked) when it sends again from a network it used before
	// the incident: taken as the owner back after changing the password.
	AutoRelease bool
	Log         *slog.Logger
	Now         func() time.Time
	// Registerer takes the service's metrics (nil: none).
	Registerer prometheus.Registerer
	// Alerts renders the alerts of an incident the service opens or
	// strengthens when a rate window trips (queued with the change, as
	// the detector's); OnChange is called after it is stored (serve pokes
	// the alert dispatcher).
	Alerts   func(in *store.Incident, change string) []store.Alert
	OnChange func(in *store.Incident, change string)
}

func (c *Config) defaults() {
	if c.Action == "" {
		c.Action = "DEFER_IF_PERMIT"
	}
	c.Action = strings.ToUpper(c.Action)
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.Budget, 100*time.Millisecond)
	def(&c.Refresh, time.Second)
	def(&c.Stale, 10*time.Second)
	def(&c.Window, 24*time.Hour)
	defInt := func(n *int, v int) {
		if *n == 0 {
			*n = v
		}
	}
	defInt(&c.MaxMessages, 1000)
	defInt(&c.MaxNewRecipients, 200)
	defInt(&c.MaxNetworks, 10)
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// CheckAction tells whether a is an action the service may answer.
func CheckAction(a string) error {
	switch strings.ToUpper(a) {
	case "", "DEFER_IF_PERMIT", "DEFER", "HOLD", "REJECT":
		return nil
	}
	return fmt.Errorf("policy: action %q: want DEFER_IF_PERMIT, DEFER, HOLD or REJECT", a)
}

// snapshot is the holds as last read from the store.
type snapshot struct {
	at    time.Time
	holds map[string]store.Hold
}

// Service decides policy requests.
type Service struct {
	cfg Config
	be  Backend

	snap atomic.Pointer[snapshot]

	mu       sync.Mutex // guards the fields below
	counters map[string]*counter
	tripped  map[string]string // held by a tripped window, until the store shows it
	deferred map[string]int64  // deferrals not yet written to the store
	lastWarn time.Time

	m metrics
}

type metrics struct {
	decisions *prometheus.CounterVec
	failOpen  prometheus.Counter
	trips     *prometheus.CounterVec
	held      prometheus.GaugeFunc
}

// New returns a service over be. Start its refresh with Run.
func New(be Backend, cfg Config) *Service {
	cfg.defaults()
	s := &Service{cfg: cfg, be: be, counters: map[string]*counter{}, tripped: map[string]string{}, deferred: map[string]int64{}}
	s.m.decisions = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "bouncewatch_policy_decisions_total",
		Help: "Policy delegation answers, by action (dunno, or the configured hold action)."}, []string{"action"})
	s.m.failOpen = prometheus.NewCounter(prometheus.CounterOpts{Name: "bouncewatch_policy_fail_open_total",
		Help: "Answers that were DUNNO because the store's holds were stale or an internal error occurred."})
	s.m.trips = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "bouncewatch_policy_rate_trips_total",
		Help: "Rate windows exceeded, by window (messages, new_recipients, networks)."}, []string{"window"})
	s.m.held = prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "bouncewatch_policy_held_accounts",
		Help: "Accounts the policy service holds now."}, func() float64 {
		if sn := s.snap.Load(); sn != nil {
			return float64(len(sn.holds))
		}
		return 0
	})
	if cfg.Registerer != nil {
		cfg.Registerer.MustRegister(s.m.decisions, s.m.failOpen, s.m.trips, s.m.held)
	}
	return s
}

// Run reads the holds from the store every Refresh and writes the
// deferral counts, until ctx is done.
func (s *Service) Run(ctx context.Context) {
	s.Refresh(ctx)
	t := time.NewTicker(s.cfg.Refresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			s.flush(context.WithoutCancel(ctx))
			return
		case <-t.C:
			s.Refresh(ctx)
		}
	}
}

// Refresh reads the holds once (within the budget) and writes the
// pending deferral counts.
func (s *Service) Refresh(ctx context.Context) {
	rctx, cancel := context.WithTimeout(ctx, s.cfg.Budget)
	holds, err := s.be.Holds(rctx)
	cancel()
	if err != nil {
		s.cfg.Log.Warn("policy: reading the holds from the store failed; the last ones stay in force until they are stale, then every answer is DUNNO",
			"err", err, "budget", s.cfg.Budget)
	} else {
		s.snap.Store(&snapshot{at: s.cfg.Now(), holds: holds})
		s.mu.Lock()
		for a := range s.tripped {
			if _, ok := holds[a]; ok {
				delete(s.tripped, a)
			}
		}
		s.mu.Unlock()
	}
	s.flush(ctx)
}

func (s *Service) flush(ctx context.Context) {
	s.mu.Lock()
	pending := s.deferred
	s.deferred = map[string]int64{}
	s.mu.Unlock()
	now := s.cfg.Now()
	for a, n := range pending {
		wctx, cancel := context.WithTimeout(ctx, 5*s.cfg.Budget)
		err := s.be.NoteDeferrals(wctx, a, n, now)
		cancel()
		if err != nil {
			s.cfg.Log.Warn("policy: counting deferrals", "account", a, "n", n, "err", err)
			s.mu.Lock()
			s.deferred[a] += n
			s.mu.Unlock()
		}
	}
}

// Decide answers one request. It never fails: an internal error or stale
// holds give DUNNO and a log line.
func (s *Service) Decide(req Request) (resp Response) {
	defer func() {
		if p := recover(); p != nil {
			s.failOpen("internal error", "panic", fmt.Sprint(p))
			resp = Dunno
		}
		act := "dunno"
		if resp.Action != "DUNNO" {
			act = strings.ToLower(resp.Action)
		}
		s.m.decisions.WithLabelValues(act).Inc()
	}()
	if req["request"] != "smtpd_access_policy" {
		return Dunno
	}
	now := s.cfg.Now()
	user := account(req["sasl_username"])
	sender := account(req["sender"])
	sn := s.snap.Load()
	if sn == nil || now.Sub(sn.at) > s.cfg.Stale {
		s.failOpen("the store's holds are stale")
		return Dunno
	}
	held, why, fromIncident := s.heldBy(sn, user, sender)
	if user == "" {
		// Not authenticated: mail to us, or from a trusted network.
		// Only a held sender address is answered.
		if held != "" && sender != "" && why != "" {
			return s.defer_(held, fromIncident == nil)
		}
		return Dunno
	}
	client, _ := netip.ParseAddr(req["client_address"])
	s.mu.Lock()
	c := s.counter("u:" + user)
	net := network(client)
	known := net.IsValid() && c.knowsNetwork(net, onsetOf(fromIncident))
	if net.IsValid() {
		c.sawNetwork(net, now)
	}
	s.mu.Unlock()
	if held != "" {
		if fromIncident != nil && s.cfg.AutoRelease && known {
			s.release(held, now)
			return Dunno
		}
		return s.defer_(held, fromIncident == nil && strings.HasPrefix(why, "rate"))
	}
	// Rate windows, counted where each recipient is given (RCPT).
	if st := strings.ToUpper(req["protocol_state"]); st != "" && st != "RCPT" {
		return Dunno
	}
	if acct, why := s.count(user, sender, req, now); why != "" {
		s.trip(acct, why, now)
		return s.defer_(acct, true)
	}
	return Dunno
}

// heldBy tells which of the request's accounts is held and why.
func (s *Service) heldBy(sn *snapshot, keys ...string) (string, string, *store.Incident) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		if k == "" {
			continue
		}
		if why, ok := s.tripped[k]; ok {
			return k, why, nil
		}
		if h, ok := sn.holds[k]; ok {
			if h.Block != nil {
				return k, h.Block.Reason, nil
			}
			return k, "incident", h.Incident
		}
	}
	return "", "", nil
}

func onsetOf(in *store.Incident) time.Time {
	if in == nil {
		return time.Time{}
	}
	return in.Onset
}

func (s *Service) defer_(acct string, rate bool) Response {
	s.mu.Lock()
	s.deferred[acct]++
	s.mu.Unlock()
	code := "4.7.1 "
	if s.cfg.Action == "REJECT" {
		code = "5.7.1 "
	}
	return Response{Action: s.cfg.Action, Text: code + heldText(s.cfg.Lang, rate)}
}

func (s *Service) failOpen(msg string, args ...any) {
	s.m.failOpen.Inc()
	s.mu.Lock()
	now := s.cfg.Now()
	quiet := now.Sub(s.lastWarn) < 10*time.Second
	if !quiet {
		s.lastWarn = now
	}
	s.mu.Unlock()
	if !quiet {
		s.cfg.Log.Warn("policy: answering DUNNO (fail open): "+msg, args...)
	}
}

// release lifts an incident's hold in the background (auto-release).
func (s *Service) release(acct string, now time.Time) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*s.cfg.Budget)
		defer cancel()
		if _, err := s.be.ReleaseAccount(ctx, acct, "policy: login from a known network after the incident", now); err != nil {
			s.cfg.Log.Warn("policy: auto-release", "account", acct, "err", err)
			return
		}
		s.cfg.Log.Info("policy: account released (login from a network it used before the incident)", "account", acct)
		s.Refresh(context.Background())
	}()
}

// trip holds an account whose window overflowed: at once here, and in
// the store (a block, and an incident opened or strengthened) in the
// background.
func (s *Service) trip(acct, why string, now time.Time) {
	s.mu.Lock()
	if _, ok := s.tripped[acct]; ok {
		s.mu.Unlock()
		return
	}
	s.tripped[acct] = why
	s.mu.Unlock()
	s.cfg.Log.Warn("policy: rate window exceeded; account held", "account", acct, "why", why)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*s.cfg.Budget)
		defer cancel()
		if err := s.be.BlockAccount(ctx, acct, why, "policy", now); err != nil {
			s.cfg.Log.Warn("policy: storing the block", "account", acct, "err", err)
		}
		ev := "policy service: " + why
		open, err := s.be.Incidents(ctx, store.IncidentFilter{Account: acct, OpenOnly: true, Limit: 1})
		if err != nil {
			s.cfg.Log.Warn("policy: incident", "account", acct, "err", err)
			return
		}
		var in *store.Incident
		change := store.ChangeUpdated
		if len(open) == 1 {
			in = &open[0]
			in.Evidence = append(in.Evidence, ev)
			in.UpdatedAt = now
			if in.Verdict == string(advice.Spoofed) {
				in.Verdict = string(advice.Mixed)
			}
			if in.Confidence < 0.6 {
				in.Confidence = 0.6
			}
		} else {
			in = &store.Incident{Account: acct, Verdict: string(advice.Hijacked), Confidence: 0.6, Onset: now, OpenedAt: now, UpdatedAt: now,
				Evidence: []string{ev}}
			change = store.ChangeOpened
		}
		var render func(*store.Incident) []store.Alert
		if s.cfg.Alerts != nil {
			render = func(in *store.Incident) []store.Alert { return s.cfg.Alerts(in, change) }
		}
		if err := s.be.SaveIncident(ctx, in, change, render); err != nil {
			s.cfg.Log.Warn("policy: incident", "account", acct, "err", err)
			return
		}
		if s.cfg.OnChange != nil {
			s.cfg.OnChange(in, change)
		}
	}()
}

func account(a string) string {
	return strings.ToLower(strings.Trim(strings.TrimSpace(a), "<>"))
}

// network is the client's network as counted: an IPv4 /24, an IPv6 /48.
func network(a netip.Addr) netip.Prefix {
	if !a.IsValid() {
		return netip.Prefix{}
	}
	a = a.Unmap()
	bits := 24
	if a.Is6() {
		bits = 48
	}
	p, _ := a.Prefix(bits)
	return p
}
