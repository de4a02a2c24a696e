// Package report renders a [diagnose.Report] for a person: text for the
// terminal, and one self-contained HTML file to open in a browser, print,
// or mail to the mail provider.
//
// Both say the same, in the report's language (Japanese or English): the
// overall verdict; for each account its verdict, confidence, bounces,
// sent mail, surge, a picture of the hours, the evidence, the missing
// evidence and the response plan; then the bounce reasons, the destination
// domains and subjects, the fake bounces and what was read.
//
// The HTML file needs nothing from the network: the style sheet is in it,
// the charts are inline SVG drawn here, and there is no script. Every
// string from the input (subjects, addresses, log lines, the evidence) is
// escaped by html/template; only coordinates and path data computed here
// reach the SVG's geometry.
package report

import (
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"io"

	"github.com/bouncewatch/bouncewatch/diagnose"
)

// errNoReport is returned for a nil report.
var errNoReport = errors.New("report: no report to render")

// Text writes r for a terminal, wrapped to 100 columns.
func Text(w io.Writer, r *diagnose.Report) error {
	if r == nil {
		return errNoReport
	}
	if err := renderText(w, newView(r)); err != nil {
		return fmt.Errorf("report: writing text: %w", err)
	}
	return nil
}

// htmlTemplate is the HTML page (report.html.tmpl); it is never written.
//
//go:embed templates/report.html.tmpl
var htmlTemplate string

// HTML writes r as one self-contained HTML file.
func HTML(w io.Writer, r *diagnose.Report) error {
	if r == nil {
		return errNoReport
	}
	t, err := template.New("report").Funcs(template.FuncMap{
		"sparkArgs":  func(s spark, l labels) sparkArg { return sparkArg{s, l} },
		"reasonArgs": func(rows []reasonRow, l labels) reasonArg { return reasonArg{rows, l} },
	}).Parse(htmlTemplate)
	if err != nil {
		return fmt.Errorf("report: parsing the HTML template: %w", err)
	}
	if err := t.Execute(w, newView(r)); err != nil {
		return fmt.Errorf("report: writing HTML: %w", err)
	}
	return nil
}

// sparkArg and reasonArg hand a sub-template its data with the labels.
type (
	sparkArg struct {
		Spark spark
		L     labels
	}
	reasonArg struct {
		Rows []reasonRow
		L    labels
	}
)
