package api

import (
	"context"
	"time"

	"github.com/bouncewatch/bouncewatch/store"
	"github.com/prometheus/client_golang/prometheus"
)

// containCollector exposes what the containment tables hold: the accounts
// held now and the policy service's deferrals per account (today, UTC),
// and the DMARC reports stored — read from the store at each scrape, so
// every node and the policy process show the same figures.
type containCollector struct{ st *store.Store }

var (
	descHeld     = prometheus.NewDesc("bouncewatch_accounts_held", "Accounts the policy service holds now (blocked or named by an open hijacked incident).", nil, nil)
	descDeferred = prometheus.NewDesc("bouncewatch_policy_deferred_today", "Messages the policy service deferred today (UTC), per account.", []string{"account"}, nil)
	descDMARC    = prometheus.NewDesc("bouncewatch_dmarc_reports", "DMARC aggregate reports stored (malformed ones included).", nil, nil)
)

func (c *containCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descHeld
	ch <- descDeferred
	ch <- descDMARC
}

func (c *containCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if h, err := c.st.Holds(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(descHeld, prometheus.GaugeValue, float64(len(h)))
	}
	if defs, err := c.st.Deferrals(ctx, "", time.Now()); err == nil {
		for _, d := range defs {
			ch <- prometheus.MustNewConstMetric(descDeferred, prometheus.GaugeValue, float64(d.Count), d.Account)
		}
	}
	if n, err := c.st.DMARCCount(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(descDMARC, prometheus.GaugeValue, float64(n))
	}
}
