package web

import (
	"html/template"
	"net/http"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/report"
	"github.com/bouncewatch/bouncewatch/store"
)

// ranges are the overview chart's periods.
var ranges = []struct {
	Key   string
	Hours int
}{{"24h", 24}, {"7d", 7 * 24}, {"30d", 30 * 24}}

type card struct {
	Account    string
	Verdict    advice.Verdict
	Confidence float64
	Bounces    int
	Sent       int
	NoLog      bool
	Onset      time.Time
	Incident   int64
	Hold       holdView
}

type rangeLink struct {
	Key, Label string
	Current    bool
}

type pointRow struct {
	Time    time.Time
	Bounced int
	Sent    int
	NoSent  bool
}

type reasonRow struct {
	Reason string
	Count  int
}

type overviewData struct {
	HasReport   bool
	AsOf        time.Time
	Banner      string
	BannerClass string
	BannerLink  string
	Cards       []card
	Ranges      []rangeLink
	Chart       template.HTML
	Points      []pointRow
	Reasons     []reasonRow
	TopDomains  []diagnose.Count
	TopSubjects []diagnose.Count
	Latest      []store.Bounce
}

func (s *Server) overview(w http.ResponseWriter, r *http.Request, q *req) {
	ctx := r.Context()
	d := overviewData{}
	rng := r.URL.Query().Get("range")
	hours := 0
	for _, x := range ranges {
		label := map[string]string{"24h": q.T.Range24h, "7d": q.T.Range7d, "30d": q.T.Range30d}[x.Key]
		cur := x.Key == rng || (rng == "" && x.Key == "7d")
		if cur {
			hours = x.Hours
		}
		d.Ranges = append(d.Ranges, rangeLink{Key: x.Key, Label: label, Current: cur})
	}
	if hours == 0 {
		hours = 7 * 24
		d.Ranges[1].Current = true
	}
	var err error
	if d.Latest, err = s.o.Store.Bounces(ctx, store.BounceFilter{Limit: 10}); err != nil {
		s.internal(w, r, q, err)
		return
	}
	// Each account's card links its latest incident, open or closed.
	incs, err := s.o.Store.Incidents(ctx, store.IncidentFilter{Limit: 500})
	if err != nil {
		s.internal(w, r, q, err)
		return
	}
	incOf := map[string]int64{}
	for _, in := range incs {
		if _, ok := incOf[in.Account]; !ok {
			incOf[in.Account] = in.ID
		}
	}
	var rep *diagnose.Report
	if s.o.Report != nil {
		rep = s.o.Report()
	}
	d.BannerClass = "ordinary"
	d.Banner = q.T.NoReport
	if rep != nil {
		d.HasReport, d.AsOf = true, rep.GeneratedAt
		d.Banner = q.T.AllClear
		holds, err := s.o.Store.Holds(ctx)
		if err != nil {
			s.internal(w, r, q, err)
			return
		}
		for _, v := range rep.Verdicts {
			c := card{Account: v.Account, Verdict: v.Verdict, Confidence: v.Confidence, Bounces: v.Bounces, Sent: v.Sent,
				NoLog: v.Series.Sent == nil, Incident: incOf[v.Account], Hold: s.holdOf(holds, v.Account, q, "/")}
			if v.Surge != nil {
				c.Onset = v.Surge.Onset
			}
			d.Cards = append(d.Cards, c)
		}
		// The verdicts come most serious first: the banner speaks of
		// the first one that needs action.
		for _, c := range d.Cards {
			if c.Verdict == advice.Hijacked || c.Verdict == advice.Mixed || c.Verdict == advice.Spoofed ||
				(c.Verdict == advice.InsufficientEvidence && !c.Onset.IsZero()) {
				d.Banner = banner(q.Lang, c.Verdict, c.Account, short(c.Onset, rep.GeneratedAt, q.Loc))
				d.BannerClass = report.VerdictText(c.Verdict, q.Lang).Class
				if c.Incident != 0 {
					d.BannerLink = "/incidents/" + itoa(c.Incident)
				}
				break
			}
		}
		ser := lastHours(rep.Series, hours)
		if d.Chart, err = report.ChartSVG(report.LabelsFor(q.Lang).OverallChart, ser, rep.Surge, q.Lang, q.Loc); err != nil {
			s.internal(w, r, q, err)
			return
		}
		for i := range max(len(ser.Bounced), len(ser.Sent)) {
			p := pointRow{Time: ser.Start.Add(time.Duration(i) * time.Hour), Bounced: int(at(ser.Bounced, i)),
				Sent: int(at(ser.Sent, i)), NoSent: ser.Sent == nil}
			if p.Bounced > 0 || p.Sent > 0 {
				d.Points = append(d.Points, p)
			}
		}
		for _, rc := range rep.Reasons {
			d.Reasons = append(d.Reasons, reasonRow{Reason: string(rc.Reason), Count: rc.Count})
		}
		d.TopDomains, d.TopSubjects = rep.TopDomains, rep.TopSubjects
	}
	s.render(w, r, q, "overview", d)
}

// short writes the onset as the clock time when it is within a day of
// now, else with its date.
func short(t, now time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "-"
	}
	if now.Sub(t) < 24*time.Hour && now.Sub(t) > -time.Hour {
		return t.In(loc).Format("15:04")
	}
	return t.In(loc).Format("2006-01-02 15:04")
}

// lastHours is the end of s: its last n hours.
func lastHours(s diagnose.Series, n int) diagnose.Series {
	total := max(len(s.Bounced), len(s.Sent))
	if total <= n {
		return s
	}
	lo := total - n
	out := diagnose.Series{Start: s.Start.Add(time.Duration(lo) * time.Hour), Bounced: cut(s.Bounced, lo, total)}
	if s.Sent != nil {
		out.Sent = cut(s.Sent, lo, total)
	}
	return out
}

func cut(v []float64, lo, hi int) []float64 {
	out := make([]float64, hi-lo)
	for i := range out {
		out[i] = at(v, lo+i)
	}
	return out
}

func at(v []float64, i int) float64 {
	if i < 0 || i >= len(v) {
		return 0
	}
	return v[i]
}
