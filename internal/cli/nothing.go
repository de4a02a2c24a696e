package cli

import (
	"io"
	"strings"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/report"
)

// readSummary says in one phrase what a scan read.
func readSummary(rep *diagnose.Report, l advice.Lang) string {
	return report.ReadSummary(rep, l)
}

// writeNothingToJudge is scan's text output when no bounce (and no fake
// notice) was read: not a report of zeros that reads as "ordinary", but
// what was read and the plan of what to collect for a verdict (the same
// words as the HTML report's and advice.NothingToJudge).
func writeNothingToJudge(w io.Writer, rep *diagnose.Report, mail, _ []string, l advice.Lang) error {
	where := strings.Join(mail, ", ")
	if where == "-" {
		where = "standard input"
		if l == advice.Japanese {
			where = "標準入力"
		}
	}
	r := *rep
	r.Lang = l
	return report.NothingText(w, &r, where)
}
