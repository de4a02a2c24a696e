package report

import (
	"bytes"
	"fmt"
	"html/template"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/diagnose"
)

// This file is what the dashboard (package web) shares with the text and
// HTML reports: the same words, the same verdict explanations and the
// same SVG chart, so that a report and the dashboard say one thing.

// Labels are the fixed words of a report in one language (the fields of
// [labels]); the dashboard's templates read them as the report's do.
type Labels = labels

// LabelsFor returns the report's words in language l.
func LabelsFor(l advice.Lang) Labels { return labelsFor(l) }

// Verdict is a verdict's name, its meaning in a sentence and the CSS
// class of its badge (one of a fixed set, never the verdict string).
type Verdict struct{ Name, Meaning, Class string }

// VerdictText returns the words the report uses for v in language l.
func VerdictText(v advice.Verdict, l advice.Lang) Verdict {
	w := verdictWords(v, l)
	return Verdict{Name: w.Name, Meaning: w.Meaning, Class: verdictClass(v)}
}

// MissingText names a missing-evidence code (advice.Evidence*) as the
// report does.
func MissingText(code string, l advice.Lang) string { return missingWords(code, l) }

// Number writes n with thousands separators, as the report does.
func Number(n int) string { return num(n) }

// ChartSVG draws the chart of the HTML report — bounces and sent mail per
// hour, the surge shaded and its onset marked — over series s, titled
// title, in language l with times in loc. The result is inline SVG made
// by html/template: every text in it is escaped.
func ChartSVG(title string, s diagnose.Series, sg *diagnose.SurgeSummary, l advice.Lang, loc *time.Location) (template.HTML, error) {
	if loc == nil {
		loc = time.UTC
	}
	dateFmt := "Jan 2"
	if l == advice.Japanese {
		dateFmt = "1/2"
	}
	c := buildChart(chartInput{title: title, series: s, surge: sg, clk: clock{loc}, l: labelsFor(l),
		p: phrases{ja: l == advice.Japanese}, dateFmt: dateFmt})
	t, err := template.New("report").Funcs(template.FuncMap{
		"sparkArgs":  func(s spark, l labels) sparkArg { return sparkArg{s, l} },
		"reasonArgs": func(rows []reasonRow, l labels) reasonArg { return reasonArg{rows, l} },
	}).Parse(htmlTemplate)
	if err != nil {
		return "", fmt.Errorf("report: parsing the HTML template: %w", err)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "chart", c); err != nil {
		return "", fmt.Errorf("report: drawing the chart: %w", err)
	}
	return template.HTML(b.String()), nil
}
