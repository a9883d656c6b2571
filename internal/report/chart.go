package report

import (
	"fmt"
	"strings"

	"github.com/natsaudit/natsaudit/internal/finding"
)

// Chart is an inline SVG chart as plain geometry: the template draws it,
// escaping every label. Each chart has a title and a description (read by
// screen readers, shown as a tooltip), and every bar or point a title of
// its own with its value in words, so that neither colour nor shape is the
// only carrier of meaning; the page has the same numbers as text too.
type Chart struct {
	ID, Title, Desc string
	Width, Height   int
	Bars            []Bar
	Texts           []Text
	Lines           []Line
	Series          []Series
	Legend          []LegendItem
}

// Bar is one rectangle (a bar or a stacked segment).
type Bar struct {
	X, Y, W, H int
	Class, Tip string
}

// Text is a label.
type Text struct {
	X, Y          int
	Anchor, Class string
	Text          string
}

// Line is an axis or grid line.
type Line struct {
	X1, Y1, X2, Y2 int
	Class          string
}

// Series is one line of a line chart, with a marker shape of its own.
type Series struct {
	Class, Shape, Name string
	Points             string // "x,y x,y ..." for the polyline
	Marks              []Mark
}

// Mark is one data point of a series.
type Mark struct {
	X, Y int
	Tip  string
}

// LegendItem names a series or a colour, with its marker shape.
type LegendItem struct {
	X, Y               int
	Class, Shape, Text string
}

const (
	chartWidth = 640
	labelWidth = 130
	barArea    = 420
	rowHeight  = 34
)

// scoreChart draws the overall and category scores as bars on a 0–10 scale.
func scoreChart(s Scores) Chart {
	c := Chart{ID: "chart-scores", Title: "Scores (0 to 10, higher is better)", Width: chartWidth}
	type row struct {
		name  string
		score *float64
		class string
	}
	rows := []row{{"Overall", s.Overall, "overall"}}
	for _, cat := range finding.CategoryNames() {
		rows = append(rows, row{Title(cat), s.Categories[cat].Score, ""})
	}
	var desc []string
	top := 24
	for i := 0; i <= 10; i += 2 {
		x := labelWidth + i*barArea/10
		c.Lines = append(c.Lines, Line{X1: x, Y1: top - 6, X2: x, Y2: top + len(rows)*rowHeight, Class: "grid"})
		c.Texts = append(c.Texts, Text{X: x, Y: top - 10, Anchor: "middle", Class: "axis", Text: fmt.Sprint(i)})
	}
	for i, r := range rows {
		y := top + i*rowHeight
		c.Texts = append(c.Texts, Text{X: labelWidth - 8, Y: y + 21, Anchor: "end", Class: "label " + r.class, Text: r.name})
		if r.score == nil {
			c.Texts = append(c.Texts, Text{X: labelWidth + 6, Y: y + 21, Anchor: "start", Class: "value", Text: "n/a (no rule could be evaluated)"})
			desc = append(desc, r.name+" n/a")
			continue
		}
		w := int(*r.score*float64(barArea)/10 + 0.5)
		v := fmt.Sprintf("%.1f", *r.score)
		c.Bars = append(c.Bars, Bar{X: labelWidth, Y: y + 6, W: w, H: rowHeight - 12, Class: "bar score-" + scoreClass(*r.score) + " " + r.class, Tip: r.name + ": " + v + " of 10"})
		c.Texts = append(c.Texts, Text{X: labelWidth + w + 6, Y: y + 21, Anchor: "start", Class: "value", Text: v})
		desc = append(desc, r.name+" "+v)
	}
	c.Height = top + len(rows)*rowHeight + 8
	c.Desc = strings.Join(desc, ", ") + "."
	return c
}

// severityChart draws the findings per severity.
func severityChart(s Summary) Chart {
	c := Chart{ID: "chart-severity", Title: "Findings by severity", Width: chartWidth}
	most := 1
	for _, sev := range finding.SeverityNames() {
		most = max(most, s.Severity[sev])
	}
	var desc []string
	top := 8
	for i, sev := range finding.SeverityNames() {
		y := top + i*rowHeight
		n := s.Severity[sev]
		c.Texts = append(c.Texts, Text{X: labelWidth - 8, Y: y + 21, Anchor: "end", Class: "label", Text: Title(sev)})
		w := n * barArea / most
		if n > 0 {
			c.Bars = append(c.Bars, Bar{X: labelWidth, Y: y + 6, W: max(w, 2), H: rowHeight - 12, Class: "bar sev-" + sev, Tip: fmt.Sprintf("%s: %d", Title(sev), n)})
		}
		c.Texts = append(c.Texts, Text{X: labelWidth + max(w, 2) + 6, Y: y + 21, Anchor: "start", Class: "value", Text: fmt.Sprint(n)})
		desc = append(desc, fmt.Sprintf("%d %s", n, sev))
	}
	c.Height = top + len(finding.SeverityNames())*rowHeight + 8
	c.Desc = strings.Join(desc, ", ") + "."
	return c
}

// categoryChart draws the findings per category, each bar stacked by
// severity (one segment per severity that has findings).
func categoryChart(fs []Finding) Chart {
	c := Chart{ID: "chart-category", Title: "Findings by category and severity", Width: chartWidth}
	t := newBreakdown(fs)
	most := 1
	for _, r := range t.Rows {
		most = max(most, r.Total)
	}
	var desc []string
	top := 8
	for i, r := range t.Rows {
		y := top + i*rowHeight
		c.Texts = append(c.Texts, Text{X: labelWidth - 8, Y: y + 21, Anchor: "end", Class: "label", Text: r.Category})
		x := labelWidth
		var parts []string
		for j, n := range r.Counts {
			if n == 0 {
				continue
			}
			w := max(n*barArea/most, 2)
			sev := t.Severities[j]
			c.Bars = append(c.Bars, Bar{X: x, Y: y + 6, W: w, H: rowHeight - 12, Class: "bar sev-" + sev, Tip: fmt.Sprintf("%s: %d %s", r.Category, n, sev)})
			x += w
			parts = append(parts, fmt.Sprintf("%d %s", n, sev))
		}
		c.Texts = append(c.Texts, Text{X: x + 6, Y: y + 21, Anchor: "start", Class: "value", Text: fmt.Sprint(r.Total)})
		if len(parts) == 0 {
			parts = []string{"none"}
		}
		desc = append(desc, fmt.Sprintf("%s: %d (%s)", r.Category, r.Total, strings.Join(parts, ", ")))
	}
	y := top + len(t.Rows)*rowHeight + 10
	for i, sev := range finding.SeverityNames() {
		c.Legend = append(c.Legend, LegendItem{X: labelWidth + i*100, Y: y, Class: "sev-" + sev, Shape: "square", Text: Title(sev)})
	}
	c.Height = y + 24
	c.Desc = strings.Join(desc, "; ") + "."
	return c
}
