package report

import (
	"bytes"
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/net/html"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/reason"
)

const xss = "<script>alert(1)</script>"

var jst = time.FixedZone("JST", 9*3600)

// start is the first hour of the fixtures' series.
func start() time.Time { return time.Date(2026, 11, 1, 0, 0, 0, 0, jst) }

func hour(h int) time.Time { return start().Add(time.Duration(h) * time.Hour) }

// series makes n hours of base, with peak from the hours [from, to).
func series(n int, base, peak float64, from, to int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = base
		if i >= from && i < to {
			v[i] = peak
		}
	}
	return v
}

func accountReport(account string, v advice.Verdict, lang advice.Lang, evidence []string, sr diagnose.Series, sg *diagnose.SurgeSummary) diagnose.AccountReport {
	missing := []string{}
	if sr.Sent == nil {
		missing = []string{advice.EvidenceSendLog}
	}
	sent, inLog := 9000, 300
	if sr.Sent == nil {
		sent, inLog = 0, 0
	}
	return diagnose.AccountReport{
		Account: account, Addresses: []string{account, "info@example.jp"}, Verdict: v, Confidence: 0.87,
		Evidence: evidence, Missing: missing,
		Bounces: 412, BouncesOurs: 380, BouncesNotOurs: 12, BouncesUnknown: 20, BouncesInLog: inLog, Complaints: 2,
		Sent: sent, Surge: sg, LoginIPs: 4, NewLoginIPs: []string{"203.0.113.7", "198.51.100.9"}, NewLoginNetworks: 2,
		FailedLogins: 31, Recipients: 5000, FirstTimeRecipients: 4700,
		Reasons: []diagnose.ReasonCount{{Reason: reason.UserUnknown, Count: 300, Title: "Recipient address does not exist"}},
		Series:  sr,
		Plan: advice.Plan(v, lang, advice.PlanContext{Account: account, Domain: "example.jp", MissingEvidence: missing,
			TopReasons: []reason.Reason{reason.UserUnknown}}),
	}
}

func baseReport(lang advice.Lang, overall advice.Verdict, sr diagnose.Series, sg *diagnose.SurgeSummary, accounts ...diagnose.AccountReport) *diagnose.Report {
	if accounts == nil {
		accounts = []diagnose.AccountReport{}
	}
	n := max(len(sr.Bounced), len(sr.Sent))
	return &diagnose.Report{
		GeneratedAt: time.Date(2026, 11, 4, 9, 30, 0, 0, jst), Lang: lang,
		Period:  diagnose.Period{From: start(), To: hour(n), Hours: n, BouncesFrom: hour(1), BouncesTo: hour(n - 1)},
		Domains: []string{"example.jp"}, Overall: overall, Verdicts: accounts, Surge: sg, Series: sr,
		Reasons: []diagnose.ReasonCount{
			{Reason: reason.UserUnknown, Count: 300, Title: "Recipient address does not exist", Summary: "No such address."},
			{Reason: reason.MailboxFull, Count: 12, Title: "Recipient's mailbox is full"},
		},
		TopDomains:  []diagnose.Count{{Value: "docomo.ne.jp", Count: 120}, {Value: "example.com", Count: 30}},
		TopSubjects: []diagnose.Count{{Value: "Cheap watches " + xss, Count: 390}, {Value: "新茶のご案内", Count: 3}},
		FakeBounces: 2,
		FakeSamples: []diagnose.FakeBounce{{Source: "fake.eml", Subject: "Mail delivery failed " + xss, From: "mailer@phish.example",
			Reasons: []string{"links to a login page"}, ReasonsJa: []string{"ログインページへのリンク"}}},
		Inputs: diagnose.Inputs{Messages: 450, Bounces: 420, Records: 431, NotBounces: 10, Failed: 1,
			Errors: []string{"broken.eml: unexpected EOF"}, AutoReplies: 3,
			Log: diagnose.LogStats{Files: 1, Lines: 20000, Events: 18000, Unknown: 2, Samples: []string{"Nov  1 garbage \x1b[31m line"},
				Format: "postfix", Messages: 9000, Errors: []string{}}},
	}
}

func surgeAt(from, to int, peak, base float64) *diagnose.SurgeSummary {
	return &diagnose.SurgeSummary{Onset: hour(from), End: hour(to), Peak: hour(from + 1), PeakPerHour: peak,
		BaselinePerHour: base, Total: peak * float64(to-from), Excess: (peak - base) * float64(to-from), Method: "baseline", PValue: 1e-9}
}

// fixtures are the named reports the tests render.
func fixtures() map[string]*diagnose.Report {
	hijackSeries := diagnose.Series{Start: start(), Bounced: series(72, 1, 300, 50, 56), Sent: series(72, 20, 1200, 48, 56)}
	hijackSurge := surgeAt(50, 56, 300, 1)
	hijacked := baseReport(advice.English, advice.Hijacked, hijackSeries, hijackSurge,
		accountReport("shop@example.jp", advice.Hijacked, advice.English, []string{
			"Bounces surged from 2026-11-03 02:00 JST to 2026-11-03 08:00 JST: peak 300/hour",
			"380 of 412 bounced messages were sent by our server",
			"2 bounces refuse the account itself for its volume or for spam: «" + xss + "»",
		}, hijackSeries, hijackSurge))
	hijacked.Verdicts[0].SentDuringSurge = &diagnose.WindowSummary{From: hour(48), To: hour(56), Observed: 9600, Expected: 160, Ratio: 60, Jump: true, Method: "baseline"}
	hijacked.Verdicts = append(hijacked.Verdicts, accountReport("news@example.jp", advice.Ordinary, advice.English,
		[]string{"No surge: the bounces arrive at a normal rate"},
		diagnose.Series{Start: start(), Bounced: series(72, 0, 2, 10, 12), Sent: series(72, 5, 5, 0, 0)}, nil))
	hijacked.OtherAccounts = 3

	spoofSeries := diagnose.Series{Start: start(), Bounced: series(200, 0, 150, 150, 160), Sent: series(200, 10, 10, 0, 0)}
	spoofSurge := surgeAt(150, 160, 150, 0)
	spoofed := baseReport(advice.English, advice.Spoofed, spoofSeries, spoofSurge,
		accountReport("info@example.jp", advice.Spoofed, advice.English, []string{
			"400 of 412 bounced messages were not sent by us: backscatter for forged mail",
			"Our sent volume for this account stayed normal",
		}, spoofSeries, spoofSurge))

	noLog := diagnose.Series{Start: start(), Bounced: series(30, 0, 40, 20, 25)}
	noLogSurge := surgeAt(20, 25, 40, 0)
	insufficient := baseReport(advice.English, advice.InsufficientEvidence, noLog, noLogSurge,
		accountReport("owner@example.jp", advice.InsufficientEvidence, advice.English, []string{
			"No send log was given: whether these messages left our server cannot be checked",
		}, noLog, noLogSurge))
	insufficient.Inputs.Log = diagnose.LogStats{Samples: []string{}, Errors: []string{}}

	empty := &diagnose.Report{GeneratedAt: time.Date(2026, 11, 4, 9, 30, 0, 0, time.UTC), Lang: advice.English,
		Overall: advice.InsufficientEvidence, Verdicts: []diagnose.AccountReport{}}

	jaSeries := diagnose.Series{Start: start(), Bounced: series(100, 1, 500, 60, 70), Sent: series(100, 30, 2000, 58, 70)}
	jaSurge := surgeAt(60, 70, 500, 1)
	japanese := baseReport(advice.Japanese, advice.Mixed, jaSeries, jaSurge,
		accountReport("shop@example.jp", advice.Mixed, advice.Japanese, []string{
			"2026-11-03 12:00 JST から 2026-11-03 22:00 JST にかけてバウンスが急増しました。ピークは 1 時間あたり 500 件です",
			"shop@example.jp への SASL ログインが、これまでに使われたことのない IP アドレス 2 件からありました",
			"急増の前日から期間中にかけてログイン失敗が 31 回あります" + xss,
		}, jaSeries, jaSurge))

	oneHour := diagnose.Series{Start: start(), Bounced: []float64{7}, Sent: []float64{3}}
	single := baseReport(advice.English, advice.Hijacked, oneHour, surgeAt(0, 1, 7, 0),
		accountReport("one@example.jp", advice.Hijacked, advice.English, []string{"One hour of bounces"}, oneHour, surgeAt(0, 1, 7, 0)))

	zeros := diagnose.Series{Start: start(), Bounced: make([]float64, 48), Sent: make([]float64, 48)}
	allZero := baseReport(advice.English, advice.Ordinary, zeros, surgeAt(10, 12, 0, 0),
		accountReport("zero@example.jp", advice.Ordinary, advice.English, []string{"Nothing happened"}, zeros, surgeAt(10, 12, 0, 0)))

	// A surge on an account whose series is empty, another outside its
	// series, and counts that are not finite: none may break the output.
	odd := diagnose.Series{Start: start(), Bounced: []float64{1, math.NaN(), math.Inf(1), -4, 2}, Sent: []float64{math.NaN(), 1}}
	broken := baseReport(advice.English, advice.Mixed, diagnose.Series{}, surgeAt(3, 5, math.NaN(), math.Inf(1)),
		accountReport("empty@example.jp", advice.Mixed, advice.English, []string{"empty series"}, diagnose.Series{}, surgeAt(3, 5, 10, 1)),
		accountReport("outside@example.jp", advice.Spoofed, advice.English, []string{"surge after the series"}, odd, surgeAt(500, 510, 10, 1)))
	broken.Verdicts[1].Confidence = math.NaN()

	return map[string]*diagnose.Report{
		"hijacked": hijacked, "spoofed": spoofed, "insufficient_no_log": insufficient, "empty": empty,
		"japanese": japanese, "single_hour": single, "all_zero": allZero, "broken_series": broken,
	}
}

// squash removes all white space: the text report wraps long lines.
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

func TestText(t *testing.T) {
	fx := fixtures()
	tests := []struct {
		name     string
		contains []string
		absent   []string
	}{
		{"hijacked", []string{"Bounce report: Hijacked account [hijacked]", "1. shop@example.jp — Hijacked account [hijacked], confidence 87%",
			"Bounces: 412 (ours 380 / not ours 12 / unknown 20), 300 found in the send log, 2 spam complaints",
			"Sent: 9,000", "Surge: 2026-11-03 02:00 JST to 08:00 JST, peak 300/h at 03:00 JST, baseline 1/h",
			"Sent in the surge: 2026-11-03 00:00 JST to 08:00 JST: 9,600 against 160 expected (60×), a jump",
			"Evidence:", "- 380 of 412 bounced messages were sent by our server", "1. [URGENT] Change the password of shop@example.jp now",
			"Surge: no surge", "news@example.jp — Ordinary bounces [ordinary]", "3 more accounts are not shown",
			"300  userunknown  Recipient address does not exist", "120  docomo.ne.jp", "Cheap watches " + xss,
			"2 messages posing as bounces", "Mail delivery failed", "broken.eml: unexpected EOF",
			"Lines not understood:", "1 file, 20,000 lines [postfix]", "^~~  surge", "max 1,200/h", "one mark = 2 hours"},
			[]string{"\x1b"}},
		{"spoofed", []string{"Forged sender (backscatter) [spoofed]", "info@example.jp", "backscatter for forged mail", "max 10/h"}, nil},
		{"insufficient_no_log", []string{"Not enough evidence [insufficient_evidence]", "owner@example.jp",
			"sent/h: no send log", "Missing evidence:", "the send log (the mail server's log", "Sent: no send log",
			"No send log was given."}, []string{"max 0/h"}},
		{"empty", []string{"Bounce report: Not enough evidence [insufficient_evidence]", "Verdicts by account (0)",
			"No account had bounces to judge.", "Per hour: no data", "Period: -"}, []string{"1. "}},
		{"japanese", []string{"バウンス調査レポート：乗っ取りとなりすまし [mixed]", "shop@example.jp — 乗っ取りとなりすまし [mixed]、確信度 87%",
			"バウンス：412 件（当方送信 380 / 当方以外 12 / 判定不能 20）", "根拠：", "対応手順：", "[至急]", "件名：«Mail delivery failed",
			"ログインページへのリンク", "バウンスの多い宛先ドメイン：", "送信/時、最大 2,000 通/時", "^~~~~  急増期間"}, []string{"Evidence", "links to a login page"}},
		{"single_hour", []string{"one mark = 1 hour", "one@example.jp"}, nil},
		{"all_zero", []string{"max 0/h", "zero@example.jp"}, nil},
		{"broken_series", []string{"empty@example.jp", "outside@example.jp", "Per hour: no data", "confidence -"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := fx[tc.name]
			var b bytes.Buffer
			if err := Text(&b, r); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			flat := squash(out)
			for _, want := range tc.contains {
				if !strings.Contains(flat, squash(want)) {
					t.Errorf("text lacks %q:\n%s", want, out)
				}
			}
			for _, bad := range tc.absent {
				if strings.Contains(out, bad) {
					t.Errorf("text has %q:\n%s", bad, out)
				}
			}
			for _, a := range r.Verdicts {
				for _, want := range []string{string(a.Verdict), verdictWords(a.Verdict, r.Lang).Name, a.Account} {
					if !strings.Contains(out, want) {
						t.Errorf("text lacks %q", want)
					}
				}
				for _, e := range a.Evidence {
					if !strings.Contains(flat, squash(e)) {
						t.Errorf("text lacks the evidence %q", e)
					}
				}
				for _, s := range a.Plan {
					if !strings.Contains(flat, squash(s.Title)) {
						t.Errorf("text lacks the plan step %q", s.Title)
					}
				}
				if len(a.Series.Bounced) > 0 && !strings.ContainsAny(out, "▁▂▃▄▅▆▇█") {
					t.Errorf("text has no sparkline")
				}
			}
			for i, line := range strings.Split(out, "\n") {
				if w := textWidth(line); w > textColumns {
					t.Errorf("line %d is %d columns wide: %q", i+1, w, line)
				}
				if strings.Contains(line, "NaN") {
					t.Errorf("line %d has NaN: %q", i+1, line)
				}
			}
		})
	}
}

// numeric matches what the SVG's geometry attributes may hold.
var (
	numeric  = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
	pathData = regexp.MustCompile(`^[MVHZ0-9. -]*$`)
)

func TestHTML(t *testing.T) {
	for name, r := range fixtures() {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := HTML(&b, r); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if strings.Contains(out, xss) {
				t.Errorf("the HTML holds %q unescaped", xss)
			}
			for _, bad := range []string{"NaN", "Inf", "\x1b"} {
				if strings.Contains(out, bad) {
					t.Errorf("the HTML holds %q", bad)
				}
			}
			doc, err := html.Parse(strings.NewReader(out))
			if err != nil {
				t.Fatalf("the HTML does not parse: %v", err)
			}
			c := inspect(t, doc)
			wantLang := string(r.Lang)
			if c.lang != wantLang {
				t.Errorf("lang = %q, want %q", c.lang, wantLang)
			}
			if c.svgs == 0 || (len(r.Series.Bounced) > 0 && c.paths == 0) {
				t.Errorf("%d <svg>, %d <path> with data: want a chart", c.svgs, c.paths)
			}
			// The overall chart and one per account with a surge, each with
			// a close-up when the surge is short beside the period.
			charts := map[string]int{"hijacked": 4, "spoofed": 4, "insufficient_no_log": 2, "empty": 1,
				"japanese": 4, "single_hour": 2, "all_zero": 4, "broken_series": 3}[name]
			if c.svgs != charts {
				t.Errorf("%d charts, want %d", c.svgs, charts)
			}
			if c.styles != 1 {
				t.Errorf("%d <style> elements, want 1 (inline CSS)", c.styles)
			}
			if name != "empty" && !strings.Contains(c.text, xss) {
				t.Errorf("the escaped subject %q is not shown as text", xss)
			}
			for _, a := range r.Verdicts {
				for _, want := range append([]string{a.Account, string(a.Verdict)}, a.Evidence...) {
					if !strings.Contains(c.text, clean(want)) {
						t.Errorf("the HTML does not show %q", want)
					}
				}
				for _, s := range a.Plan {
					if !strings.Contains(c.text, s.Title) {
						t.Errorf("the HTML lacks the plan step %q", s.Title)
					}
				}
			}
			for _, want := range []string{verdictWords(r.Overall, r.Lang).Name, string([]rune(about(r.Lang, ""))[:15])} {
				if !strings.Contains(c.text, want) {
					t.Errorf("the HTML does not show %q", want)
				}
			}
		})
	}
}

// found is what inspect saw in a document.
type found struct {
	lang                string
	svgs, paths, styles int
	text                string
}

// inspect walks doc, failing t on anything that would fetch from the
// network or run a script, and on SVG geometry that is not a number.
func inspect(t *testing.T, doc *html.Node) found {
	t.Helper()
	var f found
	var text strings.Builder
	var walk func(n *html.Node, inSVG bool)
	walk = func(n *html.Node, inSVG bool) {
		if n.Type == html.TextNode {
			text.WriteString(n.Data)
		}
		if n.Type == html.ElementNode {
			switch n.Data {
			case "html":
				f.lang = attr(n, "lang")
			case "svg":
				f.svgs++
				inSVG = true
			case "path":
				d := attr(n, "d")
				if d != "" {
					f.paths++
				}
				if !pathData.MatchString(d) {
					t.Errorf("path data %q", d)
				}
			case "style":
				f.styles++
				if n.FirstChild != nil && strings.Contains(n.FirstChild.Data, "url(") {
					t.Errorf("the style sheet loads something: %q", n.FirstChild.Data)
				}
			case "script", "link", "iframe", "object", "embed", "img", "base":
				t.Errorf("<%s> in a self-contained report", n.Data)
			}
			for _, a := range n.Attr {
				v := strings.ToLower(strings.TrimSpace(a.Val))
				switch {
				case a.Key == "src" || a.Key == "href" || a.Key == "xlink:href" || a.Key == "action":
					if strings.HasPrefix(v, "http:") || strings.HasPrefix(v, "https:") || strings.HasPrefix(v, "//") {
						t.Errorf("external reference %s=%q", a.Key, a.Val)
					}
				case strings.HasPrefix(a.Key, "on"):
					t.Errorf("event handler %s=%q", a.Key, a.Val)
				case a.Key == "style":
					t.Errorf("style attribute %q: the CSS belongs in the style sheet", a.Val)
				case inSVG && isGeometry(a.Key):
					if !numeric.MatchString(a.Val) {
						t.Errorf("<%s %s=%q>: not a number", n.Data, a.Key, a.Val)
					} else if x, _ := strconv.ParseFloat(a.Val, 64); x < -1 || x > chartW+1 {
						t.Errorf("<%s %s=%q>: outside the picture", n.Data, a.Key, a.Val)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inSVG)
		}
	}
	walk(doc, false)
	f.text = text.String()
	return f
}

func isGeometry(k string) bool {
	switch k {
	case "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "width", "height", "dy":
		return true
	}
	return false
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func TestNilReport(t *testing.T) {
	var b bytes.Buffer
	for name, f := range map[string]func() error{
		"text": func() error { return Text(&b, nil) },
		"html": func() error { return HTML(&b, nil) },
	} {
		if err := f(); err == nil {
			t.Errorf("%s: no error for a nil report", name)
		}
	}
}

// failWriter fails after n bytes.
type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		return 0, errShort
	}
	w.n -= len(p)
	return len(p), nil
}

var errShort = errors.New("short write")

func TestWriteError(t *testing.T) {
	r := fixtures()["hijacked"]
	for name, f := range map[string]func(w *failWriter) error{
		"text": func(w *failWriter) error { return Text(w, r) },
		"html": func(w *failWriter) error { return HTML(w, r) },
	} {
		if err := f(&failWriter{n: 200}); err == nil || !strings.Contains(err.Error(), "short write") {
			t.Errorf("%s: error %v, want the writer's", name, err)
		}
	}
}
