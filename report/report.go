// Package report renders a diagnose.Report for a person: text for the
// terminal, one self-contained HTML file to open or mail to a provider.
package report

import (
	"fmt"
	"io"

	"github.com/bouncewatch/bouncewatch/diagnose"
)

// Text writes r for a terminal.
func Text(w io.Writer, r *diagnose.Report) error {
	for _, v := range r.Verdicts {
		fmt.Fprintf(w, "%s: %s (%.2f)\n", v.Account, v.Verdict, v.Confidence)
		for _, e := range v.Evidence {
			fmt.Fprintf(w, "  - %s\n", e)
		}
	}
	return nil
}

// HTML writes r as one self-contained HTML file.
func HTML(w io.Writer, r *diagnose.Report) error {
	return fmt.Errorf("not yet")
}
