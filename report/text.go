package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/bouncewatch/bouncewatch/internal/termtext"
)

// textColumns is the width the text report is wrapped to.
const textColumns = 100

// textWriter writes lines, keeping the first error.
type textWriter struct {
	w   io.Writer
	err error
}

func (t *textWriter) line(s string) {
	if t.err != nil {
		return
	}
	_, t.err = io.WriteString(t.w, strings.TrimRight(s, " ")+"\n")
}

// para writes s wrapped to textColumns: the first line after first, the
// others after rest (both usually spaces).
func (t *textWriter) para(first, rest, s string) {
	lines := wrap(s, textColumns-max(textWidth(first), textWidth(rest)))
	for i, l := range lines {
		if i == 0 {
			t.line(strings.TrimRight(first+l, " "))
		} else {
			t.line(strings.TrimRight(rest+l, " "))
		}
	}
}

// heading writes s underlined.
func (t *textWriter) heading(s string, under string) {
	t.line(s)
	t.line(strings.Repeat(under, min(textColumns, max(1, textWidth(s)))))
}

// list writes items as "- item" lines under indent.
func (t *textWriter) list(indent string, items []string) {
	for _, it := range items {
		t.para(indent+"- ", indent+"  ", it)
	}
}

// renderText writes v for a terminal.
func renderText(w io.Writer, v *view) error {
	t := &textWriter{w: w}
	L := v.L
	t.heading(fmt.Sprintf("%s%s%s [%s]", v.Title, L.Colon, v.Overall.Name, v.Overall.Code), "=")
	t.para("", "", v.Overall.Meaning)
	t.line("")
	t.para(L.Period+L.Colon, "   ", v.Period)
	if v.BouncesSpan != "" {
		t.para("   "+L.Bounces+L.Colon, "      ", v.BouncesSpan)
	}
	if v.LogSpan != "" {
		t.para("   "+L.SendLog+L.Colon, "      ", v.LogSpan)
	}
	if v.LogZone != "" {
		t.para("      ", "      ", v.LogZone)
	}
	if v.LogZoneWarn != "" {
		t.para("      ", "      ", v.LogZoneWarn)
	}
	domains := L.NoDomains
	if len(v.Domains) > 0 {
		domains = joinComma(v.Domains)
	}
	t.para(L.Domains+L.Colon, "   ", domains)
	t.para(L.Generated+L.Colon, "   ", v.Generated)
	t.line("")

	t.heading(fmt.Sprintf("%s%s%d%s", L.Accounts, L.Open, len(v.Accounts), L.Close), "-")
	if len(v.Accounts) == 0 {
		t.para("", "", L.NoAccounts)
	}
	for _, a := range v.Accounts {
		t.line("")
		t.para(fmt.Sprintf("%d. ", a.N), "   ", fmt.Sprintf("%s — %s [%s]%s%s",
			a.Account, a.Verdict.Name, a.Verdict.Code, L.Comma, a.Confidence))
		for _, f := range a.Facts {
			t.para("   "+f.Label+L.Colon, "      ", f.Value)
		}
		textSpark(t, "   ", a.Spark, L)
		if len(a.Evidence) > 0 {
			t.line("   " + L.Evidence + L.Colon)
			t.list("   ", a.Evidence)
		}
		if len(a.Missing) > 0 {
			t.line("   " + L.Missing + L.Colon)
			t.list("   ", a.Missing)
		}
		if len(a.Reasons) > 0 {
			t.line("   " + L.Reasons + L.Colon)
			textReasons(t, "   ", a.Reasons)
		}
		if len(a.Plan) > 0 {
			t.line("   " + L.Plan + L.Colon)
			for _, s := range a.Plan {
				num := fmt.Sprintf("   %d. ", s.N)
				hang := strings.Repeat(" ", len(num))
				title := s.Title
				if s.Urgent {
					title = "[" + L.Urgent + "] " + title
				}
				t.para(num, hang, title)
				if s.Why != "" {
					t.para(hang+L.Why+L.Colon, hang+"  ", s.Why)
				}
				if s.How != "" {
					t.para(hang+L.How+L.Colon, hang+"  ", s.How)
				}
			}
		}
	}
	if v.Others != "" {
		t.line("")
		t.para("", "", v.Others)
	}

	t.line("")
	t.heading(L.OverallChart, "-")
	surge := v.Surge
	if surge == "" {
		surge = L.NoSurge
	}
	t.para(L.Surge+L.Colon, "   ", surge)
	textSpark(t, "", v.Spark, L)
	if len(v.Reasons) > 0 {
		t.line("")
		t.line(L.Reasons + L.Colon)
		textReasons(t, "", v.Reasons)
	}
	if len(v.TopDomains) > 0 {
		t.line("")
		t.line(L.TopDomains + L.Colon)
		textCounts(t, v.TopDomains)
	}
	if len(v.TopSubjects) > 0 {
		t.line("")
		t.line(L.TopSubjects + L.Colon)
		textCounts(t, v.TopSubjects)
	}
	if v.FakeCount > 0 {
		t.line("")
		t.line(L.Fake + L.Colon)
		t.para("   ", "   ", v.Fake)
		for _, f := range v.FakeSamples {
			s := L.Subject + L.Colon + "«" + f.Subject + "»" + L.Comma + L.From + L.Colon + f.From
			if f.Source != "" {
				s += L.Open + f.Source + L.Close
			}
			if f.Reasons != "" {
				s += " — " + f.Reasons
			}
			t.para("   - ", "     ", s)
		}
	}
	t.line("")
	t.line(L.Inputs + L.Colon)
	t.para("   "+L.Mail+L.Colon, "      ", v.Mail)
	if v.Dates != "" {
		t.para("      ", "      ", v.Dates)
	}
	if len(v.MailErrors) > 0 {
		t.line("   " + L.Errors + L.Colon)
		t.list("   ", v.MailErrors)
	}
	t.para("   "+L.SendLog+L.Colon, "      ", v.SendLog)
	if len(v.LogErrors) > 0 {
		t.line("   " + L.Errors + L.Colon)
		t.list("   ", v.LogErrors)
	}
	if len(v.LogSamples) > 0 {
		t.line("   " + L.NotUnderstood + L.Colon)
		t.list("   ", v.LogSamples)
	}
	return t.err
}

// textSpark writes the two sparklines one above the other, the surge
// marked under them. The sparklines come first on their lines so that
// their columns line up whatever the language of the labels after them.
func textSpark(t *textWriter, indent string, s spark, L labels) {
	if s.Empty {
		t.line(indent + L.PerHour + L.Colon + L.NoData)
		return
	}
	t.para(indent+L.PerHour+L.Comma, indent+"   ", s.From+" — "+s.To+L.Open+s.Cell+L.Close)
	t.line(indent + s.Bounced + "  " + L.BouncesPerHour + L.Comma + s.MaxBounced)
	if s.NoLog {
		t.line(indent + strings.Repeat(" ", s.Width) + "  " + L.SentPerHour + L.Colon + L.NoLog)
	} else {
		t.line(indent + s.Sent + "  " + L.SentPerHour + L.Comma + s.MaxSent)
	}
	if s.Marks != "" {
		t.line(indent + s.Marks + strings.Repeat(" ", s.Width-len(s.Marks)) + "  " + L.SurgeWindow)
	}
}

func textReasons(t *textWriter, indent string, rows []reasonRow) {
	cw, rw := 0, 0
	for _, r := range rows {
		cw, rw = max(cw, len(r.Count)), max(rw, textWidth(r.Code))
	}
	for _, r := range rows {
		lead := fmt.Sprintf("%s  %*s  %s", indent, cw, r.Count, r.Code)
		lead += strings.Repeat(" ", rw-textWidth(r.Code)) + "  "
		t.para(lead, strings.Repeat(" ", textWidth(lead)), r.Title)
	}
}

func textCounts(t *textWriter, rows []countRow) {
	cw := 0
	for _, r := range rows {
		cw = max(cw, len(r.Count))
	}
	for _, r := range rows {
		lead := fmt.Sprintf("   %*s  ", cw, r.Count)
		t.para(lead, strings.Repeat(" ", len(lead)), r.Value)
	}
}

func runeWidth(r rune) int { return termtext.RuneWidth(r) }

func textWidth(s string) int { return termtext.Width(s) }

// wrap cuts s into lines of at most limit columns. Lines break at spaces,
// and between wide (Japanese) characters except before closing
// punctuation or after opening brackets (kinsoku, JIS X 4051). A word
// longer than a line is cut where it must be.
func wrap(s string, limit int) []string {
	limit = max(limit, 20)
	var out []string
	for _, para := range strings.Split(s, "\n") {
		var line []rune
		w, bp := 0, -1 // bp: line may break before line[bp]
		for _, r := range para {
			rw := runeWidth(r)
			if len(line) > 0 && breakable(line[len(line)-1], r) {
				bp = len(line)
			}
			if w+rw > limit && len(line) > 0 {
				if r == ' ' { // break at this space
					out = append(out, strings.TrimRight(string(line), " "))
					line, w, bp = line[:0], 0, -1
					continue
				}
				cut := bp
				if cut <= 0 {
					cut = len(line)
				}
				out = append(out, strings.TrimRight(string(line[:cut]), " "))
				rest := []rune(strings.TrimLeft(string(line[cut:]), " "))
				line = append(line[:0], rest...)
				w, bp = 0, -1
				for i, x := range line {
					if i > 0 && breakable(line[i-1], x) {
						bp = i
					}
					w += runeWidth(x)
				}
				if len(line) > 0 && breakable(line[len(line)-1], r) {
					bp = len(line)
				}
			}
			if r == ' ' && len(line) == 0 && len(out) > 0 {
				continue // no space at the start of a wrapped line
			}
			line = append(line, r)
			w += rw
		}
		out = append(out, strings.TrimRight(string(line), " "))
	}
	return out
}

// breakable tells whether a line may break between a and b.
func breakable(a, b rune) bool {
	switch {
	case b == ' ':
		return false
	case a == ' ':
		return true
	case noLineStart(b) || noLineEnd(a):
		return false
	}
	return runeWidth(a) == 2 || runeWidth(b) == 2
}

// noLineStart: closing brackets and punctuation that must not begin a
// line.
func noLineStart(r rune) bool {
	return strings.ContainsRune("、。，．・：；？！）」』】〕〉》’”ー…‥ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々〜»,.:;?!)]}%", r)
}

// noLineEnd: opening brackets that must not end a line.
func noLineEnd(r rune) bool {
	return strings.ContainsRune("（「『【〔〈《‘“([{«", r)
}
