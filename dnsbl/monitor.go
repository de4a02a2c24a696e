package dnsbl

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/bouncewatch/bouncewatch/store"
)

// Monitor checks our outbound IPs and domains for every open incident:
// when it opens and then every Every (default 24 h) while it stays open,
// storing each check in the incident's timeline.
type Monitor struct {
	Store   *store.Store
	Checker *Checker
	IPs     []netip.Addr
	Domains []string
	// Every is the time between checks of one incident (default 24 h);
	// Poll how often open incidents are looked for (default 1 min).
	Every, Poll time.Duration
	Log         *slog.Logger
	Now         func() time.Time
	// Alerts, when set, renders the alerts of the new listings a check
	// found (listed now, not listed by the incident's previous check);
	// they are queued in the store's outbox, deduplicated by their keys.
	// Serve sets it to the alert renderer's Blocklisted.
	Alerts func(in *store.Incident, fresh []Result) []store.Alert
	// Queued, when set, is called after alerts were queued (serve pokes
	// the dispatcher).
	Queued func()

	pokeOnce sync.Once
	poke     chan struct{}
}

func (m *Monitor) pokes() chan struct{} {
	m.pokeOnce.Do(func() { m.poke = make(chan struct{}, 1) })
	return m.poke
}

// Poke asks for a pass now (serve calls it when an incident opens).
func (m *Monitor) Poke() {
	select {
	case m.pokes() <- struct{}{}:
	default:
	}
}

// Run checks until ctx is done.
func (m *Monitor) Run(ctx context.Context) error {
	poll := m.Poll
	if poll <= 0 {
		poll = time.Minute
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if err := m.Pass(ctx); err != nil && ctx.Err() == nil && m.Log != nil {
			m.Log.Warn("blocklists", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-m.pokes():
		}
	}
}

// Pass checks the open incidents that are due.
func (m *Monitor) Pass(ctx context.Context) error {
	if len(m.IPs) == 0 && len(m.Domains) == 0 {
		return nil
	}
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	every := m.Every
	if every <= 0 {
		every = 24 * time.Hour
	}
	open, err := m.Store.Incidents(ctx, store.IncidentFilter{OpenOnly: true, Limit: 1000})
	if err != nil {
		return err
	}
	var results []Result // one check serves every incident due in this pass
	for _, in := range open {
		last, err := m.Store.BlocklistChecks(ctx, in.ID, 1)
		if err != nil {
			return err
		}
		if len(last) == 1 && now().Sub(last[0].CheckedAt) < every {
			continue
		}
		if results == nil {
			results = m.Checker.Check(ctx, m.IPs, m.Domains)
		}
		listed := Listed(results)
		if m.Alerts != nil {
			if fresh := NewListings(previous(last), listed); len(fresh) > 0 {
				// Queued before the check is saved: should saving fail, the
				// next pass finds the same listings new and the keys keep
				// them from being queued twice.
				for _, a := range m.Alerts(&in, fresh) {
					if a.IncidentID == 0 {
						a.IncidentID = in.ID
					}
					if err := m.Store.Enqueue(ctx, a); err != nil {
						return err
					}
				}
				if m.Queued != nil {
					m.Queued()
				}
			}
		}
		if err := m.Store.SaveBlocklistCheck(ctx, in.ID, now(), len(listed), results, Summary(results)); err != nil {
			return err
		}
		if m.Log != nil {
			m.Log.Info("blocklists checked", "incident", in.ID, "listed", len(listed))
		}
	}
	return nil
}

// previous is the results of the incident's last check (none: nil).
func previous(last []store.BlocklistCheck) []Result {
	if len(last) == 0 {
		return nil
	}
	var rs []Result
	if err := json.Unmarshal(last[0].Results, &rs); err != nil {
		return nil
	}
	return rs
}

// NewListings is the listings of now that before does not have (same
// target on the same zone).
func NewListings(before, now []Result) []Result {
	seen := map[[2]string]bool{}
	for _, r := range before {
		if r.Listed {
			seen[[2]string{r.Target, r.Zone}] = true
		}
	}
	var out []Result
	for _, r := range now {
		if r.Listed && !seen[[2]string{r.Target, r.Zone}] {
			out = append(out, r)
		}
	}
	return out
}

// Summary is the plan's lines for a check: each listing with its
// delisting page, the lists that could not be asked, or that none lists
// us.
func Summary(rs []Result) []string {
	var out []string
	errs := 0
	for _, r := range rs {
		switch {
		case r.Listed:
			line := fmt.Sprintf("%s is listed on %s (%v)", r.Target, r.Zone, r.Codes)
			if r.Delist != "" {
				line += "; once the spam has stopped, ask for removal at " + r.Delist
			}
			out = append(out, line)
		case r.Err != "":
			errs++
		}
	}
	if len(out) == 0 {
		out = append(out, fmt.Sprintf("none of the %d blocklist lookups lists our addresses or domains", len(rs)-errs))
	}
	if errs > 0 {
		out = append(out, fmt.Sprintf("%d blocklist lookups got no answer (see the check's results)", errs))
	}
	return out
}
