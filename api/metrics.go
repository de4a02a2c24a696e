package api

import (
	"context"
	"time"

	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/ingest"
	"github.com/bouncewatch/bouncewatch/store"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// NewMetrics returns a registry whose metrics are read at each scrape
// from the store, the detector's latest report and the sources' health:
// bounces by reason, sent mail, incidents open, ingest lag and connection
// state per source, stored messages and log lines.
func NewMetrics(st *store.Store, report func() *diagnose.Report, sources func() []ingest.Health) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(&collector{st: st, report: report, sources: sources}, &containCollector{st: st})
	return reg
}

type collector struct {
	st      *store.Store
	report  func() *diagnose.Report
	sources func() []ingest.Health
}

var (
	descBounces   = prometheus.NewDesc("bouncewatch_bounces", "Bounced recipients in the analysis, by reason.", []string{"reason"}, nil)
	descSent      = prometheus.NewDesc("bouncewatch_sent_messages", "Messages our accounts sent, per the send log in the analysis.", nil, nil)
	descOpen      = prometheus.NewDesc("bouncewatch_incidents_open", "Incidents open now.", nil, nil)
	descStored    = prometheus.NewDesc("bouncewatch_stored", "Items in the store, by kind.", []string{"kind"}, nil)
	descAlerts    = prometheus.NewDesc("bouncewatch_alerts_pending", "Alerts waiting in the outbox.", nil, nil)
	descLag       = prometheus.NewDesc("bouncewatch_source_lag_seconds", "How far a live source is behind.", []string{"source", "kind"}, nil)
	descConnected = prometheus.NewDesc("bouncewatch_source_connected", "1 when a source's connection or listener is up.", []string{"source", "kind"}, nil)
	descItems     = prometheus.NewDesc("bouncewatch_source_items_total", "Items a source stored since start.", []string{"source", "kind"}, nil)
	descUp        = prometheus.NewDesc("bouncewatch_store_up", "1 when the store answered the scrape.", nil, nil)
)

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descBounces, descSent, descOpen, descStored, descAlerts, descLag, descConnected, descItems, descUp} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if st, err := c.st.Stats(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, 1)
		ch <- prometheus.MustNewConstMetric(descOpen, prometheus.GaugeValue, float64(st.OpenIncs))
		ch <- prometheus.MustNewConstMetric(descAlerts, prometheus.GaugeValue, float64(st.AlertsDue))
		for k, v := range map[string]int64{"messages": st.Messages, "bounces": st.Bounces, "undecodable": st.Undecodable, "log_lines": st.LogLines} {
			ch <- prometheus.MustNewConstMetric(descStored, prometheus.GaugeValue, float64(v), k)
		}
	} else {
		ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, 0)
	}
	if c.report != nil {
		if rep := c.report(); rep != nil {
			for _, rc := range rep.Reasons {
				ch <- prometheus.MustNewConstMetric(descBounces, prometheus.GaugeValue, float64(rc.Count), string(rc.Reason))
			}
			sent := 0
			for _, v := range rep.Verdicts {
				sent += v.Sent
			}
			ch <- prometheus.MustNewConstMetric(descSent, prometheus.GaugeValue, float64(sent))
		}
	}
	if c.sources != nil {
		for _, h := range c.sources() {
			up := 0.0
			if h.Connected {
				up = 1
			}
			ch <- prometheus.MustNewConstMetric(descLag, prometheus.GaugeValue, h.Lag.Seconds(), h.Source, h.Kind)
			ch <- prometheus.MustNewConstMetric(descConnected, prometheus.GaugeValue, up, h.Source, h.Kind)
			ch <- prometheus.MustNewConstMetric(descItems, prometheus.CounterValue, float64(h.Items), h.Source, h.Kind)
		}
	}
}
