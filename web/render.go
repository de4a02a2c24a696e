package web

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/reason"
	"github.com/bouncewatch/bouncewatch/report"
)

// pageNames are the templates/NAME.html files, each rendered inside
// layout.html.
var pageNames = []string{"login", "error", "overview", "incidents", "incident", "bounces", "bounce", "domain", "sources", "suppressions"}

var funcs = template.FuncMap{
	"num": func(n int) string { return report.Number(n) },
	"num64": func(n int64) string {
		return report.Number(int(n))
	},
	"pct": func(x float64) string {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "-"
		}
		return strconv.Itoa(int(math.Round(100*x))) + "%"
	},
	"when": when,
	"verdict": func(v advice.Verdict, l advice.Lang) report.Verdict {
		return report.VerdictText(v, l)
	},
	"verdictS": func(v string, l advice.Lang) report.Verdict {
		return report.VerdictText(advice.Verdict(v), l)
	},
	"explain": func(r string, l advice.Lang) advice.Entry { return advice.For(reason.Reason(r), l) },
	"missing": func(code string, l advice.Lang) string { return report.MissingText(code, l) },
	"dur": func(d time.Duration) string {
		if d <= 0 {
			return "-"
		}
		return d.Round(time.Second).String()
	},
	"add": func(a, b int) int { return a + b },
	// day is the date of t in loc, as <input type=date> and the bounce
	// list's filters take it.
	"day": func(t time.Time, loc *time.Location) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format("2006-01-02")
	},
}

// page is what every template gets.
type page struct {
	Q     *req
	L     report.Labels
	Path  string // the request's path and query, for the language switch
	Nav   string // the current section
	Title string
	D     any
}

func parsePages() (map[string]*template.Template, error) {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("web: parsing the layout: %w", err)
	}
	out := map[string]*template.Template{}
	for _, n := range pageNames {
		t, err := template.Must(base.Clone()).ParseFS(templateFS, "templates/"+n+".html")
		if err != nil {
			return nil, fmt.Errorf("web: parsing %s: %w", n, err)
		}
		out[n] = t
	}
	return out, nil
}

// render writes page name; a template error is logged, and the person
// gets a plain message.
func (s *Server) render(w http.ResponseWriter, r *http.Request, q *req, name string, d any) {
	var b bytes.Buffer
	p := page{Q: q, L: report.LabelsFor(q.Lang), Path: r.URL.RequestURI(), Nav: name, D: d}
	if err := s.pages[name].ExecuteTemplate(&b, "layout.html", p); err != nil {
		s.o.Log.Error("dashboard template", "page", name, "err", err)
		http.Error(w, q.T.InternalError, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = b.WriteTo(w)
}
