package report

import (
	"math"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/surge"
)

// sparkWidth is the width of the text sparklines, in characters.
const sparkWidth = 60

// view is a report made ready to show: every text in the report's
// language, every number written, every string from the input cleaned.
// Text and HTML both render it, so that they say the same.
type view struct {
	Lang  string // "ja" or "en"
	L     labels
	Title string

	Overall     verdictView
	Generated   string
	Period      string
	BouncesSpan string // "" when there were no dated bounces
	LogSpan     string // "" when there was no send log
	// LogZone says which clock the log's times were read by, LogZoneWarn
	// that it is not the zone given; Dates what dates were ignored.
	LogZone, LogZoneWarn, Dates string
	Zone                        string
	Domains                     []string
	About                       []para // r.Lang first, then the other language

	// Nothing is set when nothing could be judged (no bounce read):
	// what was read and what to collect.
	Nothing *nothingView

	Accounts []accountView
	Others   string // "" or how many accounts were left out

	Surge string // of all bounces; "" when none
	Spark spark
	Chart *chart

	Reasons     []reasonRow
	TopDomains  []countRow
	TopSubjects []countRow
	FakeCount   int
	Fake        string
	FakeSamples []fakeRow
	Mail        string
	MailErrors  []string
	SendLog     string
	LogSamples  []string
	LogErrors   []string
}

type para struct{ Lang, Text string }

type verdictView struct {
	Code    string // the verdict's stable word: hijacked, spoofed, ...
	Name    string
	Meaning string
	Class   string
}

// fact is one labelled line of an account.
type fact struct{ Label, Value string }

type accountView struct {
	N          int
	Account    string
	Verdict    verdictView
	Confidence string
	Facts      []fact
	Spark      spark
	Chart      *chart // only with a surge
	Evidence   []string
	Missing    []string
	Plan       []stepView
	Reasons    []reasonRow
}

type stepView struct {
	N          int
	Urgent     bool
	Title      string
	Why, How   string
	WhyC, HowC []segment // the same, with `code` marked
	ID         string
}

// segment is a run of a text, code when it was between backquotes.
type segment struct {
	Text string
	Code bool
}

type reasonRow struct{ Count, Code, Title, Summary string }

type countRow struct{ Count, Value string }

type fakeRow struct{ Subject, From, Source, Reasons string }

// spark is the text picture of a series: two sparklines of the same
// width, so that their columns are the same hours.
type spark struct {
	Empty          bool
	Bounced, Sent  string // Sent is "" without a send log
	NoLog          bool
	Marks          string // ^ under the surge's onset, ~ under the rest of it
	MaxBounced     string
	MaxSent        string
	From, To, Cell string
	Width          int
}

// newView prepares r for showing.
func newView(r *diagnose.Report) *view {
	lang := r.Lang
	if lang != advice.Japanese {
		lang = advice.English
	}
	ja := lang == advice.Japanese
	p := phrases{ja: ja}
	l := labelsFor(lang)
	clk := zoneOf(r.Period.From, r.Series.Start, r.GeneratedAt)
	v := &view{Lang: string(lang), L: l, Title: l.Title}
	v.Overall = verdictOf(r.Overall, lang)
	v.Generated = clk.full(r.GeneratedAt)
	if !r.Period.From.IsZero() {
		v.Period = p.span(clk.full(r.Period.From), clk.full(r.Period.To)) + l.Open + p.hours(r.Period.Hours) + l.Close
	} else {
		v.Period = "-"
	}
	if !r.Period.BouncesFrom.IsZero() {
		v.BouncesSpan = p.span(clk.full(r.Period.BouncesFrom), clk.full(r.Period.BouncesTo))
	}
	if !r.Period.LogFrom.IsZero() {
		v.LogSpan = p.span(clk.full(r.Period.LogFrom), clk.full(r.Period.LogTo))
	}
	v.LogZone, v.LogZoneWarn = p.logZone(r.LogZone, clean(r.TimeZone))
	v.Zone = clk.name(r.Period.From)
	v.Domains = cleanAll(r.Domains)
	v.About = []para{{string(lang), about(lang, v.Zone)}}
	if ja {
		v.About = append(v.About, para{string(advice.English), about(advice.English, v.Zone)})
	} else {
		v.About = append(v.About, para{string(advice.Japanese), about(advice.Japanese, v.Zone)})
	}
	dateFmt := "Jan 2"
	if ja {
		dateFmt = "1/2"
	}

	for i, a := range r.Verdicts {
		av := accountView{
			N: i + 1, Account: clean(a.Account), Verdict: verdictOf(a.Verdict, lang),
			Confidence: p.confidence(a.Confidence),
			Evidence:   cleanAll(a.Evidence),
			Reasons:    reasonRows(a.Reasons),
		}
		if others := otherAddresses(a); len(others) > 0 {
			av.Facts = append(av.Facts, fact{l.Addresses, joinComma(cleanAll(others))})
		}
		b := p.bounces(a.Bounces, a.BouncesOurs, a.BouncesNotOurs, a.BouncesUnknown)
		if a.BouncesInLog > 0 {
			b += l.Comma + p.inLog(a.BouncesInLog)
		}
		if a.Complaints > 0 {
			b += l.Comma + p.complaints(a.Complaints)
		}
		av.Facts = append(av.Facts, fact{l.Bounces, b})
		if a.Series.Sent == nil && a.Sent == 0 {
			av.Facts = append(av.Facts, fact{l.Sent, l.NoLog})
		} else {
			av.Facts = append(av.Facts, fact{l.Sent, p.sent(a.Sent)})
		}
		av.Facts = append(av.Facts, fact{l.Surge, surgeLine(a.Surge, p, l, clk)})
		if w := a.SentDuringSurge; w != nil {
			av.Facts = append(av.Facts, fact{l.SentInSurge, p.span(clk.span(w.From, w.To)) + l.Colon +
				p.sentInSurge(w.Observed, w.Expected, w.Ratio, w.Jump)})
		}
		if c := a.Campaign; c != nil {
			var earlier []string
			for _, t := range c.Earlier {
				earlier = append(earlier, clk.full(t))
			}
			av.Facts = append(av.Facts, fact{l.Campaign, p.campaign(clk.full(c.Start), clean(c.Subject), c.Sent, c.Bounced, c.HardBounces, c.BounceRate, earlier)})
		}
		if a.LoginIPs > 0 || a.FailedLogins > 0 || len(a.NewLoginIPs) > 0 {
			av.Facts = append(av.Facts, fact{l.Logins, p.logins(a.LoginIPs, cleanAll(a.NewLoginIPs), a.NewLoginNetworks, a.FailedLogins)})
		}
		if a.Recipients > 0 {
			av.Facts = append(av.Facts, fact{l.Recipients, p.recipients(a.Recipients, a.FirstTimeRecipients)})
		}
		for _, m := range a.Missing {
			av.Missing = append(av.Missing, clean(missingWords(m, lang)))
		}
		for k, s := range a.Plan {
			av.Plan = append(av.Plan, stepView{
				N: k + 1, Urgent: s.Urgent, ID: clean(s.ID), Title: clean(s.Title),
				Why: clean(s.Why), How: clean(s.How), WhyC: codeSegments(clean(s.Why)), HowC: codeSegments(clean(s.How)),
			})
		}
		av.Spark = newSpark(a.Series, a.Surge, clk, p)
		if a.Surge != nil {
			av.Chart = withZoom(chartInput{title: l.Chart + " — " + av.Account, series: a.Series, surge: a.Surge,
				clk: clk, l: l, p: p, dateFmt: dateFmt})
		}
		v.Accounts = append(v.Accounts, av)
	}
	if r.OtherAccounts > 0 {
		v.Others = p.others(r.OtherAccounts)
	}

	if r.Surge != nil {
		v.Surge = surgeLine(r.Surge, p, l, clk)
	}
	v.Spark = newSpark(r.Series, r.Surge, clk, p)
	v.Chart = withZoom(chartInput{title: l.OverallChart, series: r.Series, surge: r.Surge, clk: clk, l: l, p: p, dateFmt: dateFmt})

	v.Reasons = reasonRows(r.Reasons)
	v.TopDomains = countRows(r.TopDomains)
	v.TopSubjects = countRows(r.TopSubjects)
	v.FakeCount = r.FakeBounces
	if r.NothingToJudge() {
		v.Nothing = newNothingView(r, lang, "")
	}
	if r.FakeBounces > 0 {
		v.Fake = p.fake(r.FakeBounces)
	}
	for _, f := range r.FakeSamples {
		why := f.Reasons
		if ja && len(f.ReasonsJa) > 0 {
			why = f.ReasonsJa
		}
		v.FakeSamples = append(v.FakeSamples, fakeRow{Subject: clean(f.Subject), From: clean(f.From), Source: clean(f.Source),
			Reasons: joinReasons(cleanAll(why), ja)})
	}
	in := r.Inputs
	v.Mail = p.mail(inputCounts{messages: in.Messages, bounces: in.Bounces, records: in.Records, notBounces: in.NotBounces,
		delivered: in.Delivered, autoReplies: in.AutoReplies, feedback: in.Feedback, undated: in.Undated,
		outside: in.Outside, failed: in.Failed})
	v.MailErrors = cleanAll(in.Errors)
	v.Dates = p.ignoredDates(in.Times)
	if v.Dates != "" {
		v.MailErrors = append(v.MailErrors, cleanAll(in.Times.Samples)...)
	}
	lg := in.Log
	if lg.Files > 0 || lg.Lines > 0 || lg.Messages > 0 || lg.Events > 0 {
		v.SendLog = p.sendLog(lg.Files, lg.Lines, lg.Events, lg.Messages, lg.Ignored, lg.Unknown, clean(lg.Format))
	} else {
		v.SendLog = p.noLogGiven()
	}
	v.LogSamples = cleanAll(lg.Samples)
	v.LogErrors = cleanAll(lg.Errors)
	return v
}

// inputCounts are the mail counts of Inputs, for the phrase.
type inputCounts struct {
	messages, bounces, records, notBounces, delivered, autoReplies, feedback, undated, outside, failed int
}

func verdictOf(v advice.Verdict, l advice.Lang) verdictView {
	w := verdictWords(v, l)
	return verdictView{Code: clean(string(v)), Name: clean(w.Name), Meaning: w.Meaning, Class: verdictClass(v)}
}

// otherAddresses lists the account's sender addresses other than the
// account's own name.
func otherAddresses(a diagnose.AccountReport) []string {
	var out []string
	for _, x := range a.Addresses {
		if !strings.EqualFold(x, a.Account) {
			out = append(out, x)
		}
	}
	return out
}

func surgeLine(s *diagnose.SurgeSummary, p phrases, l labels, clk clock) string {
	if s == nil {
		return l.NoSurge
	}
	onset, end := clk.span(s.Onset, s.End)
	_, peak := clk.span(s.Onset, s.Peak)
	return p.surge(onset, end, peak, s.PeakPerHour, s.BaselinePerHour)
}

func reasonRows(rs []diagnose.ReasonCount) []reasonRow {
	var out []reasonRow
	for _, rc := range rs {
		out = append(out, reasonRow{Count: num(rc.Count), Code: clean(string(rc.Reason)), Title: clean(rc.Title), Summary: clean(rc.Summary)})
	}
	return out
}

func countRows(cs []diagnose.Count) []countRow {
	var out []countRow
	for _, c := range cs {
		out = append(out, countRow{Count: num(c.Count), Value: clean(c.Value)})
	}
	return out
}

// codeSegments cuts s at its backquotes: `bouncewatch passgen` is code.
// An unpaired backquote stays as it is.
func codeSegments(s string) []segment {
	parts := strings.Split(s, "`")
	if len(parts)%2 == 0 { // an odd number of backquotes: no markup
		return []segment{{Text: s}}
	}
	var out []segment
	for i, t := range parts {
		if t != "" {
			out = append(out, segment{Text: t, Code: i%2 == 1})
		}
	}
	return out
}

// newSpark draws s as two sparklines of at most sparkWidth characters,
// with the surge marked under them.
func newSpark(s diagnose.Series, sg *diagnose.SurgeSummary, clk clock, p phrases) spark {
	n := max(len(s.Bounced), len(s.Sent))
	if n == 0 {
		return spark{Empty: true}
	}
	// Each mark covers about the same whole number of hours.
	per := (n + sparkWidth - 1) / sparkWidth
	w := (n + per - 1) / per
	sp := spark{Width: w, NoLog: s.Sent == nil}
	bounced := padded(s.Bounced, n)
	sp.Bounced = sparkline(bounced, w)
	sp.MaxBounced = p.maxPerHour(maxOf(bounced), false)
	if s.Sent != nil {
		sent := padded(s.Sent, n)
		sp.Sent = sparkline(sent, w)
		sp.MaxSent = p.maxPerHour(maxOf(sent), true)
	}
	sp.From = clk.full(s.Start)
	sp.To = clk.full(s.Start.Add(hours(n)))
	sp.Cell = p.cell(per, n%per == 0)
	if sg != nil && !sg.Onset.IsZero() && !s.Start.IsZero() {
		on := sg.Onset.Sub(s.Start).Hours()
		end := sg.End.Sub(s.Start).Hours()
		if end <= on {
			end = on + 1
		}
		marks := []byte(strings.Repeat(" ", w))
		first := -1
		for c := range w {
			lo, hi := c*n/w, (c+1)*n/w // the hours of cell c, as in surge.Sparkline
			if hi <= lo {
				hi = lo + 1
			}
			if float64(lo) < end && on < float64(hi) {
				marks[c] = '~'
				if first < 0 {
					first = c
				}
			}
		}
		if first >= 0 {
			marks[first] = '^'
			sp.Marks = strings.TrimRight(string(marks), " ")
		}
	}
	return sp
}

// sparkline is surge.Sparkline.
func sparkline(v []float64, w int) string { return surge.Sparkline(v, w) }

func hours(n int) time.Duration { return time.Duration(n) * time.Hour }

// padded is v as n finite counts.
func padded(v []float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = at(v, i)
	}
	return out
}

func maxOf(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, x)
	}
	return m
}

// joinReasons writes the reasons a fake notice was judged fake as one
// text: "; " between English ones, as sentences (。) in Japanese.
func joinReasons(rs []string, ja bool) string {
	if !ja {
		return strings.Join(rs, "; ")
	}
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(strings.TrimSuffix(r, "。"))
		b.WriteString("。")
	}
	return b.String()
}
