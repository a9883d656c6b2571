package trend

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/natsaudit/natsaudit/internal/report"
)

// The HTML trend uses the report's page frame, stylesheet and chart
// template (report.HTMLTemplate): one look, one escaping path.

//go:embed trend.tmpl
var trendContent string

var trendTemplate = template.Must(report.HTMLTemplate(trendContent))

type htmlTrend struct {
	Summary string
	Charts  []report.Chart
	Reports []htmlSnapshot
	Periods []htmlPeriod
	Longest []htmlOpen
	Regress []htmlRegression
}

type htmlSnapshot struct {
	Date, Name, Overall, Version, Advisories string
	Scores                                   []string
	Counts                                   []int
	Total                                    int
}

type htmlPeriod struct {
	Anchor, From, To                 string
	Days, New, Fixed, Esc, StillOpen int
	Changes                          []htmlChange
	Rules                            []RuleChange
}

type htmlChange struct {
	Kind, Severity, OldSeverity, RuleID, Title, Target, Location string
}

type htmlOpen struct {
	htmlChange
	Days   int
	Status string
}

type htmlRegression struct {
	Severity, RuleID, Title string
	Before, Now             int
	Reappeared              bool
}

// knownSeverity keeps a severity from a report file as a class name only
// when it is one of natsaudit's (it is input like anything else).
func knownSeverity(s string) string {
	for _, x := range severities {
		if s == x {
			return s
		}
	}
	return "info"
}

func hc(kind string, c Change) htmlChange {
	h := report.HTMLText
	return htmlChange{Kind: kind, Severity: knownSeverity(c.Severity), OldSeverity: h(c.OldSeverity), RuleID: h(c.RuleID), Title: h(c.Title), Target: h(c.Target), Location: h(c.Location)}
}

func writeHTML(w io.Writer, t *Trend) error {
	h := report.HTMLText
	d := htmlTrend{Summary: h(t.Summary), Charts: []report.Chart{scoreTrendChart(t), severityTrendChart(t)}}
	for _, s := range t.Reports {
		x := htmlSnapshot{Date: h(day(s.Date)), Name: h(s.Name), Overall: h(scoreText(s.Overall, s.Grade)), Version: h(s.ToolVersion), Advisories: h(s.AdvisoriesDate), Total: s.Findings}
		for _, c := range categories {
			x.Scores = append(x.Scores, score(s.Categories[c]))
		}
		for _, sev := range severities {
			x.Counts = append(x.Counts, s.BySeverity[sev])
		}
		d.Reports = append(d.Reports, x)
	}
	for i, p := range t.Periods {
		x := htmlPeriod{Anchor: fmt.Sprintf("period-%d", i+1), From: h(p.From), To: h(p.To), Days: p.Days, New: len(p.New), Fixed: len(p.Fixed), Esc: len(p.Escalated), StillOpen: p.StillOpen}
		for _, c := range p.New {
			x.Changes = append(x.Changes, hc("new", c))
		}
		for _, c := range p.Fixed {
			x.Changes = append(x.Changes, hc("fixed", c))
		}
		for _, c := range p.Escalated {
			x.Changes = append(x.Changes, hc("escalated", c))
		}
		for _, r := range p.Rules {
			x.Rules = append(x.Rules, RuleChange{RuleID: h(r.RuleID), Title: h(r.Title), New: r.New, Fixed: r.Fixed, StillOpen: r.StillOpen})
		}
		d.Periods = append(d.Periods, x)
	}
	for _, o := range t.LongestOpen {
		status := "open since " + o.FirstSeen
		if !o.StillOpen {
			status = "from " + o.FirstSeen + ", fixed in " + o.FixedIn
		}
		d.Longest = append(d.Longest, htmlOpen{htmlChange: hc("", o.Change), Days: o.AgeDays, Status: h(status)})
	}
	for _, g := range t.Regressed {
		d.Regress = append(d.Regress, htmlRegression{Severity: knownSeverity(g.Severity), RuleID: h(g.RuleID), Title: h(g.Title), Before: g.Before, Now: g.Now, Reappeared: g.Reappeared})
	}
	title := "NATS audit trend"
	if len(t.Reports) > 0 {
		last := t.Reports[len(t.Reports)-1]
		if roots := strings.Join(append(append([]string{}, last.Roots...), last.Targets...), ", "); roots != "" {
			title += ": " + h(roots)
		}
	}
	return report.ExecuteHTML(w, trendTemplate, report.HTMLPage{Title: title, Style: template.CSS(report.HTMLStyle), Content: d})
}

const (
	plotLeft   = 48
	plotRight  = 24
	plotTop    = 16
	plotHeight = 200
	plotWidth  = 640
)

// xs spreads n reports over the plot's width.
func xs(n int) []int {
	w := plotWidth - plotLeft - plotRight
	out := make([]int, n)
	for i := range out {
		if n == 1 {
			out[i] = plotLeft + w/2
		} else {
			out[i] = plotLeft + i*w/(n-1)
		}
	}
	return out
}

// axes draws the y grid with labels and the x labels (report dates; every
// k-th when there are many).
func axes(c *report.Chart, t *Trend, max int, step int) {
	for v := 0; v <= max; v += step {
		y := plotTop + plotHeight - v*plotHeight/max
		c.Lines = append(c.Lines, report.Line{X1: plotLeft, Y1: y, X2: plotWidth - plotRight, Y2: y, Class: "grid"})
		c.Texts = append(c.Texts, report.Text{X: plotLeft - 6, Y: y + 4, Anchor: "end", Class: "axis", Text: fmt.Sprint(v)})
	}
	c.Lines = append(c.Lines, report.Line{X1: plotLeft, Y1: plotTop, X2: plotLeft, Y2: plotTop + plotHeight, Class: "axis"})
	x := xs(len(t.Reports))
	every := (len(t.Reports) + 5) / 6
	for i, s := range t.Reports {
		if i%every == 0 || i == len(t.Reports)-1 {
			anchor := "middle"
			switch {
			case len(t.Reports) == 1:
			case i == 0:
				anchor = "start"
			case i == len(t.Reports)-1:
				anchor = "end"
			}
			c.Texts = append(c.Texts, report.Text{X: x[i], Y: plotTop + plotHeight + 18, Anchor: anchor, Class: "axis", Text: report.HTMLText(day(s.Date))})
		}
	}
}

var shapes = []string{"circle", "square", "diamond", "triangle", "cross"}

func legend(c *report.Chart, names, classes []string) {
	y := plotTop + plotHeight + 42
	for i, n := range names {
		c.Legend = append(c.Legend, report.LegendItem{X: plotLeft + i*118, Y: y, Class: "series " + classes[i], Shape: shapes[i%len(shapes)], Text: n})
	}
	c.Height = y + 16
}

// scoreTrendChart draws the overall and category scores of each report.
func scoreTrendChart(t *Trend) report.Chart {
	c := report.Chart{ID: "chart-score-trend", Title: "Scores per report (0 to 10, higher is better)", Width: plotWidth}
	axes(&c, t, 10, 2)
	x := xs(len(t.Reports))
	names := []string{"Overall"}
	classes := []string{"overall"}
	for _, cat := range categories {
		names = append(names, report.Title(cat))
		classes = append(classes, cat)
	}
	var desc []string
	for i, name := range names {
		s := report.Series{Class: classes[i], Shape: shapes[i%len(shapes)], Name: name}
		var pts, vals []string
		for j, r := range t.Reports {
			v := r.Overall
			if i > 0 {
				v = r.Categories[categories[i-1]]
			}
			if v == nil {
				continue
			}
			y := plotTop + plotHeight - int(*v*plotHeight/10+0.5)
			pts = append(pts, fmt.Sprintf("%d,%d", x[j], y))
			s.Marks = append(s.Marks, report.Mark{X: x[j], Y: y, Tip: fmt.Sprintf("%s %.1f on %s", name, *v, report.HTMLText(day(r.Date)))})
			vals = append(vals, fmt.Sprintf("%.1f", *v))
		}
		s.Points = strings.Join(pts, " ")
		c.Series = append(c.Series, s)
		desc = append(desc, name+": "+nonEmpty(strings.Join(vals, ", "), "n/a"))
	}
	legend(&c, names, classes)
	c.Desc = "From the oldest report to the newest. " + strings.Join(desc, "; ") + "."
	return c
}

// severityTrendChart draws the findings of each severity in each report.
func severityTrendChart(t *Trend) report.Chart {
	c := report.Chart{ID: "chart-severity-trend", Title: "Findings per report, by severity", Width: plotWidth}
	most := 1
	for _, r := range t.Reports {
		for _, sev := range severities {
			most = max(most, r.BySeverity[sev])
		}
	}
	step := max(1, (most+4)/5)
	top := step * ((most + step - 1) / step)
	axes(&c, t, top, step)
	x := xs(len(t.Reports))
	var names, classes, desc []string
	for i, sev := range severities {
		name := report.Title(sev)
		names, classes = append(names, name), append(classes, "sev-"+sev)
		s := report.Series{Class: "sev-" + sev, Shape: shapes[i%len(shapes)], Name: name}
		var pts, vals []string
		for j, r := range t.Reports {
			n := r.BySeverity[sev]
			y := plotTop + plotHeight - n*plotHeight/top
			pts = append(pts, fmt.Sprintf("%d,%d", x[j], y))
			s.Marks = append(s.Marks, report.Mark{X: x[j], Y: y, Tip: fmt.Sprintf("%d %s on %s", n, sev, report.HTMLText(day(r.Date)))})
			vals = append(vals, fmt.Sprint(n))
		}
		s.Points = strings.Join(pts, " ")
		c.Series = append(c.Series, s)
		desc = append(desc, name+": "+strings.Join(vals, ", "))
	}
	legend(&c, names, classes)
	c.Desc = "From the oldest report to the newest. " + strings.Join(desc, "; ") + "."
	return c
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Section is the trend as the scan's own HTML report shows it (scan
// --history): the same two charts as `natsaudit trend`, and per rule what
// changed between the last two reports (the scan being the last). Nil when
// there is no earlier report.
func Section(t *Trend) *report.History {
	if len(t.Reports) < 2 || len(t.Periods) == 0 {
		return nil
	}
	last := t.Periods[len(t.Periods)-1]
	prev := t.Reports[len(t.Reports)-2]
	h := &report.History{Summary: t.Summary, From: prev.Name + ", " + day(prev.Date), Charts: []report.Chart{scoreTrendChart(t), severityTrendChart(t)}}
	for _, r := range last.Rules {
		h.Rules = append(h.Rules, report.HistoryRule{RuleID: r.RuleID, Title: r.Title, New: r.New, Fixed: r.Fixed, StillOpen: r.StillOpen})
	}
	return h
}
