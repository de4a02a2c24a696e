package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/attrib"
	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/domaincheck"
	"github.com/bouncewatch/bouncewatch/ingest"
	"github.com/bouncewatch/bouncewatch/reason"
	"github.com/bouncewatch/bouncewatch/report"
	"github.com/bouncewatch/bouncewatch/store"
)

func (s *Server) incidentList(w http.ResponseWriter, r *http.Request, q *req) {
	incs, err := s.o.Store.Incidents(r.Context(), store.IncidentFilter{Limit: 200})
	if err != nil {
		s.internal(w, r, q, err)
		return
	}
	s.render(w, r, q, "incidents", incs)
}

type event struct {
	At   time.Time
	What string
}

type stepRow struct {
	advice.Step
	Tick     store.Tick
	Ticked   bool
	Password bool // the step that makes a new password
}

type incidentData struct {
	In       *store.Incident
	Report   *diagnose.AccountReport
	Timeline []event
	Steps    []stepRow
	Done     int
	Evidence []evidenceRow
	Reasons  []reasonLink
}

func (s *Server) incident(w http.ResponseWriter, r *http.Request, q *req) {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r, q)
		return
	}
	in, err := s.o.Store.Incident(ctx, id)
	if err != nil {
		s.internal(w, r, q, err)
		return
	}
	if in == nil {
		s.notFound(w, r, q)
		return
	}
	d := incidentData{In: in}
	var ar diagnose.AccountReport
	if len(in.Detail) > 0 && json.Unmarshal(in.Detail, &ar) == nil {
		d.Report = &ar
	}
	hist, err := s.o.Store.History(ctx, id)
	if err != nil {
		s.internal(w, r, q, err)
		return
	}
	ticks, err := s.o.Store.PlanTicks(ctx, id)
	if err != nil {
		s.internal(w, r, q, err)
		return
	}
	alerts, err := s.o.Store.IncidentAlerts(ctx, id)
	if err != nil {
		s.internal(w, r, q, err)
		return
	}
	L := q.T
	d.Timeline = append(d.Timeline, event{in.Onset, L.Onset})
	for _, a := range alerts {
		switch {
		case !a.Sent.IsZero():
			d.Timeline = append(d.Timeline, event{a.Sent, L.AlertSent + " (" + a.Event + ", " + channelKind(a.Channel) + ")"})
		case !a.Failed.IsZero():
			d.Timeline = append(d.Timeline, event{a.Failed, L.AlertFailed + " (" + a.Event + ", " + channelKind(a.Channel) + ")"})
		}
	}
	for _, h := range hist {
		what := map[string]string{store.ChangeOpened: L.Opened, store.ChangeUpdated: L.Updated, store.ChangeClosed: L.Closed}[h.Change]
		d.Timeline = append(d.Timeline, event{h.At, what + " — " + verdictName(h.Verdict, q.Lang)})
	}
	if d.Report != nil && d.Report.Surge != nil && !d.Report.Surge.Peak.IsZero() {
		d.Timeline = append(d.Timeline, event{d.Report.Surge.Peak, labelsPeak(q.Lang)})
	}
	// The plan in the reader's language: the detector's own when it
	// speaks it, else made again from the verdict (the step IDs are the
	// same, so the ticks stay with their steps).
	var plan []advice.Step
	if d.Report != nil && len(d.Report.Plan) > 0 && planLang(d.Report.Plan) == q.Lang {
		plan = d.Report.Plan
	} else {
		pc := advice.PlanContext{Account: in.Account}
		if d.Report != nil {
			pc.MissingEvidence = d.Report.Missing
			for _, rc := range d.Report.Reasons {
				pc.TopReasons = append(pc.TopReasons, rc.Reason)
			}
		}
		plan = advice.Plan(advice.Verdict(in.Verdict), q.Lang, pc)
	}
	for _, st := range plan {
		t, ok := ticks[st.ID]
		d.Steps = append(d.Steps, stepRow{Step: st, Tick: t, Ticked: ok && t.Done, Password: st.ID == "change-password"})
		if ok {
			what := L.Ticked
			if !t.Done {
				what = L.Unticked
			}
			d.Timeline = append(d.Timeline, event{t.At, what + ": " + st.Title + " (" + t.By + ")"})
		}
		if ok && t.Done {
			d.Done++
		}
	}
	d.Evidence, d.Reasons = evidence(in, d.Report, q.Lang)
	sort.SliceStable(d.Timeline, func(i, j int) bool { return d.Timeline[i].At.Before(d.Timeline[j].At) })
	s.render(w, r, q, "incident", d)
}

// planLang tells the language of a plan from its text.
func planLang(steps []advice.Step) advice.Lang {
	for _, st := range steps {
		for _, c := range st.Title {
			if c >= 0x3040 {
				return advice.Japanese
			}
		}
	}
	return advice.English
}

func labelsPeak(l advice.Lang) string {
	if l == advice.Japanese {
		return "ピーク"
	}
	return "peak"
}

func verdictName(v string, l advice.Lang) string {
	return report.VerdictText(advice.Verdict(v), l).Name
}

func contextTimeout(r *http.Request, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), d)
}

// tick stores a plan step as done or not done, with who and when.
func (s *Server) tick(w http.ResponseWriter, r *http.Request, q *req) {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r, q)
		return
	}
	in, err := s.o.Store.Incident(ctx, id)
	if err != nil {
		s.internal(w, r, q, err)
		return
	}
	step := r.PathValue("step")
	if in == nil || !validStep(step) {
		s.notFound(w, r, q)
		return
	}
	t := store.Tick{Step: step, Done: r.PostFormValue("done") == "1", By: q.User, At: s.o.Now()}
	if err := s.o.Store.SetPlanTick(ctx, id, t); err != nil {
		s.internal(w, r, q, err)
		return
	}
	s.o.Log.Info("plan step", "incident", id, "step", step, "done", t.Done, "by", q.User)
	if r.Header.Get("X-CSRF-Token") != "" || q.Bearer {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/incidents/%d#step-%s", id, step), http.StatusSeeOther)
}

// validStep: plan step IDs are short words with dashes.
func validStep(s string) bool {
	if s == "" || len(s) > 80 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

type bounceListData struct {
	F       map[string]string
	Latest  []store.Bounce
	Next    string
	First   string
	Reasons []reason.Reason
	Invalid bool
	// The attribution filter (attrib=ours|not_ours|unknown) and the
	// window (since, until) the incident page's links give.
	Attrib       string
	Since, Until time.Time
}

func (s *Server) bounceList(w http.ResponseWriter, r *http.Request, q *req) {
	v := r.URL.Query()
	f := store.BounceSearch{Text: strings.TrimSpace(v.Get("q")), Domain: strings.TrimSpace(v.Get("domain"))}
	f.Limit = 50
	f.Account, f.Reason = strings.TrimSpace(v.Get("account")), v.Get("reason")
	d := bounceListData{F: map[string]string{}, Reasons: reason.All}
	for _, k := range []string{"q", "account", "reason", "domain", "hard", "from", "to", "since", "until"} {
		d.F[k] = v.Get(k)
	}
	switch v.Get("hard") {
	case "1":
		t := true
		f.Hard = &t
	case "0":
		t := false
		f.Hard = &t
	}
	// Dates come from <input type=date> in the reader's time zone.
	day := func(k string, plus int) time.Time {
		t, err := time.ParseInLocation("2006-01-02", v.Get(k), q.Loc)
		if err != nil {
			if v.Get(k) != "" {
				d.Invalid = true
			}
			return time.Time{}
		}
		return t.AddDate(0, 0, plus)
	}
	f.From, f.To = day("from", 0), day("to", 1)
	// since and until: exact times (RFC 3339), as the incident page's
	// evidence links give the surge window.
	for _, x := range []struct {
		k string
		t *time.Time
	}{{"since", &f.From}, {"until", &f.To}} {
		if v.Get(x.k) == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, v.Get(x.k))
		if err != nil {
			d.Invalid = true
			continue
		}
		if x.t.IsZero() || (x.k == "since" && t.After(*x.t)) || (x.k == "until" && t.Before(*x.t)) {
			*x.t = t
		}
	}
	d.Since, d.Until = f.From, f.To
	want := attrib.Verdict(v.Get("attrib"))
	switch want {
	case attrib.Ours, attrib.NotOurs, attrib.Unknown:
		d.Attrib = string(want)
	case "":
	default:
		d.Invalid, want = true, ""
	}
	if a, err := strconv.ParseInt(v.Get("after"), 10, 64); err == nil && a > 0 {
		f.After = a
	}
	var err error
	next := int64(0)
	if want != "" && s.o.Attribute != nil {
		d.Latest, next, err = s.attribFilter(r.Context(), f, want)
	} else if d.Latest, err = s.o.Store.SearchBounces(r.Context(), f); err == nil && len(d.Latest) == f.Limit {
		next = d.Latest[len(d.Latest)-1].ID
	}
	if err != nil {
		s.internal(w, r, q, err)
		return
	}
	if next > 0 {
		nv := r.URL.Query()
		nv.Set("after", strconv.FormatInt(next, 10))
		d.Next = "/bounces?" + nv.Encode()
	}
	if f.After > 0 {
		nv := r.URL.Query()
		nv.Del("after")
		d.First = "/bounces?" + nv.Encode()
	}
	s.render(w, r, q, "bounces", d)
}

type bounceData struct {
	B        *store.Bounce
	M        *store.MessageDetail
	Result   *bounce.Result
	Returned *bounce.Original
	Record   *bounce.Record
	Attrib   *attribView
}

func (s *Server) bounceDetail(w http.ResponseWriter, r *http.Request, q *req) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r, q)
		return
	}
	b, m, err := s.o.Store.BounceDetail(r.Context(), id)
	if err != nil {
		s.internal(w, r, q, err)
		return
	}
	if b == nil {
		s.notFound(w, r, q)
		return
	}
	d := bounceData{B: b, M: m}
	if m.Facts != "" {
		var res bounce.Result
		if json.Unmarshal([]byte(m.Facts), &res) == nil {
			d.Result = &res
			d.Returned = res.Returned()
			for i := range res.Records {
				if strings.EqualFold(res.Records[i].Recipient, b.Recipient) {
					d.Record = &res.Records[i]
					break
				}
			}
		}
	}
	d.Attrib = s.attribution(m.Raw, d.Result, q.Lang)
	s.render(w, r, q, "bounce", d)
}

// bounceRaw sends the stored message as a download, never as a page.
func (s *Server) bounceRaw(w http.ResponseWriter, r *http.Request, q *req) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	b, m, err := s.o.Store.BounceDetail(r.Context(), id)
	if err != nil {
		s.internal(w, r, q, err)
		return
	}
	if b == nil || m.Raw == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="bounce-%d.eml"`, b.ID))
	_, _ = w.Write(m.Raw)
}

type domainData struct {
	Domains []string
	Domain  string
	Report  *domaincheck.Report
	Failed  bool
}

// domain shows the last check of each of our domains; ?d=DOMAIN checks
// one now (DNS queries, at most 15 seconds).
func (s *Server) domain(w http.ResponseWriter, r *http.Request, q *req) {
	d := domainData{Domains: s.domainList()}
	d.Domain = strings.ToLower(strings.TrimSpace(r.URL.Query().Get("d")))
	if d.Domain == "" && len(d.Domains) > 0 {
		d.Domain = d.Domains[0]
	}
	if d.Domain != "" {
		s.mu.Lock()
		d.Report = s.domains[d.Domain]
		s.mu.Unlock()
		if d.Report == nil || r.URL.Query().Get("check") == "1" {
			ctx, cancel := contextTimeout(r, 15*time.Second)
			rep, err := s.o.CheckDomain(ctx, d.Domain)
			cancel()
			if err != nil {
				if !errors.Is(err, domaincheck.ErrInvalidDomain) {
					s.o.Log.Warn("dashboard domain check", "domain", d.Domain, "err", err)
				}
				d.Failed = true
			} else {
				d.Report = rep
				s.mu.Lock()
				if len(s.domains) < 100 {
					s.domains[d.Domain] = rep
				}
				s.mu.Unlock()
			}
		}
	}
	s.render(w, r, q, "domain", d)
}

func (s *Server) domainList() []string {
	seen := map[string]bool{}
	var out []string
	add := func(d string) {
		if d != "" && !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	for _, d := range s.o.Domains {
		add(strings.ToLower(d))
	}
	if s.o.Report != nil {
		if rep := s.o.Report(); rep != nil {
			for _, d := range rep.Domains {
				add(strings.ToLower(d))
			}
		}
	}
	return out
}

func (s *Server) sources(w http.ResponseWriter, r *http.Request, q *req) {
	var hs []ingest.Health
	if s.o.Sources != nil {
		hs = s.o.Sources()
	}
	s.render(w, r, q, "sources", hs)
}

func (s *Server) suppressions(w http.ResponseWriter, r *http.Request, q *req) {
	acct := strings.TrimSpace(r.URL.Query().Get("account"))
	sup, err := s.o.Store.Suppressions(r.Context(), acct)
	if err != nil {
		s.internal(w, r, q, err)
		return
	}
	s.render(w, r, q, "suppressions", map[string]any{"Account": acct, "List": sup})
}

// suppressionsCSV: the same list as bouncewatch suppressions --format csv.
// A cell that a spreadsheet would run as a formula gets a leading quote.
func (s *Server) suppressionsCSV(w http.ResponseWriter, r *http.Request, q *req) {
	sup, err := s.o.Store.Suppressions(r.Context(), strings.TrimSpace(r.URL.Query().Get("account")))
	if err != nil {
		s.internal(w, r, q, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="suppressions.csv"`)
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"account", "recipient", "reason", "first_bounce", "last_bounce", "count"})
	for _, x := range sup {
		_ = cw.Write([]string{cell(x.Account), cell(x.Recipient), cell(x.Reason), x.First.UTC().Format(time.RFC3339),
			x.Last.UTC().Format(time.RFC3339), strconv.Itoa(x.Count)})
	}
	cw.Flush()
}

func cell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// channelKind names an alert channel without its address ("webhook:0"
// stays, an e-mail address or URL is never shown).
func channelKind(c string) string {
	k, _, _ := strings.Cut(c, ":")
	return k
}
