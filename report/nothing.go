package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/diagnose"
)

// ReadSummary says in one phrase, in l, what r was made from: the
// messages, those that were not bounces or could not be read, and the
// send log.
func ReadSummary(r *diagnose.Report, l advice.Lang) string {
	in := r.Inputs
	ja := l == advice.Japanese
	var parts []string
	add := func(n int, en, jp string) {
		if n > 0 {
			if ja {
				parts = append(parts, fmt.Sprintf(jp, n))
			} else {
				parts = append(parts, fmt.Sprintf(en, n))
			}
		}
	}
	if ja {
		parts = append(parts, fmt.Sprintf("メッセージ %d 件", in.Messages))
	} else {
		parts = append(parts, fmt.Sprintf("%d messages", in.Messages))
	}
	add(in.NotBounces, "%d not bounces", "バウンス以外 %d 件")
	add(in.Failed, "%d unreadable", "読めないもの %d 件")
	add(in.Outside, "%d outside --since/--until", "--since/--until の範囲外 %d 件")
	add(in.Log.Lines, "%d send-log lines", "送信ログ %d 行")
	add(in.Log.Messages, "%d messages in the send log", "送信ログのメッセージ %d 件")
	if ja {
		return strings.Join(parts, "、")
	}
	return strings.Join(parts, ", ")
}

// nothingView is the "nothing to judge" part of a report: what was read
// and what to collect (advice.NothingToJudge).
type nothingView struct {
	Title, Found, Need string
	Steps              []string
	Then, Command      string
}

func newNothingView(r *diagnose.Report, l advice.Lang, where string) *nothingView {
	c := advice.NothingToJudge(l)
	read := ReadSummary(r, l)
	if where != "" {
		read = where + ": " + read
	}
	return &nothingView{
		Title: c.Title, Found: fmt.Sprintf(c.Found, read), Need: c.Need,
		Steps: c.Steps, Then: c.Then, Command: advice.CollectCommand,
	}
}

// NothingText writes, for a terminal, that r holds nothing to judge
// (see diagnose.Report.NothingToJudge) and what to collect; where names
// what was read ("" to leave it out).
func NothingText(w io.Writer, r *diagnose.Report, where string) error {
	if r == nil {
		return errNoReport
	}
	l := r.Lang
	if l != advice.Japanese {
		l = advice.English
	}
	v := newNothingView(r, l, clean(where))
	t := &textWriter{w: w}
	t.heading(v.Title, "=")
	t.line(v.Found) // unwrapped: a path is not cut
	t.para("", "", v.Need)
	t.line("")
	for i, s := range v.Steps {
		t.para(fmt.Sprintf("  %d. ", i+1), "     ", s)
	}
	t.line("")
	t.line(v.Then)
	t.line("  " + v.Command)
	return t.err
}
