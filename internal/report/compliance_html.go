package report

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/natsaudit/natsaudit/internal/compliance"
)

// complianceContent defines the "compliance" template of the HTML report
// (one section per framework asked for with --compliance).
//
//go:embed compliance_html.tmpl
var complianceContent string

type htmlFramework struct {
	Anchor, Name, Note  string
	Fail, Pass, NotEval int
	Controls            []htmlControl
}

type htmlControl struct {
	ID, Title, Status, StatusText, Rules, Count string
	Findings                                    []string // what fails the control, as text
}

// newHTMLCompliance is the data of the compliance sections; every string
// from the report goes through htmlText, and html/template escapes it.
func newHTMLCompliance(r *Report) []htmlFramework {
	where := complianceFindings(r)
	var out []htmlFramework
	for _, res := range r.Compliance {
		fw := htmlFramework{
			Anchor: "compliance-" + anchorSet{}.add(res.Framework),
			Name:   htmlText(res.Name + " " + res.Version),
			Note:   complianceNote,
			Fail:   res.Summary.Fail, Pass: res.Summary.Pass, NotEval: res.Summary.NotEvaluated,
		}
		for _, c := range res.Controls {
			hc := htmlControl{ID: htmlText(c.ID), Title: htmlText(c.Title), Status: c.Status, Rules: htmlText(rulesText(c)), Count: findingsCount(c)}
			switch c.Status {
			case compliance.Fail:
				hc.StatusText = "fail"
			case compliance.Pass:
				hc.StatusText = "pass"
				if n := len(c.RulesNotEvaluated); n > 0 {
					hc.StatusText = fmt.Sprintf("pass (%d of %d rules ran)", len(c.Rules)-n, len(c.Rules))
				}
			default:
				hc.StatusText = "not evaluated"
			}
			for _, fp := range inReportOrder(c.Findings, where) {
				hc.Findings = append(hc.Findings, htmlFindingRef(where[fp].f, fp))
			}
			fw.Controls = append(fw.Controls, hc)
		}
		out = append(out, fw)
	}
	return out
}

func htmlFindingRef(f *Finding, fp string) string {
	if f == nil {
		return "finding " + fp + " (not in this report: --severity leaves it out)"
	}
	s := f.RuleID + " " + f.Target
	if f.Location != nil {
		s += " (" + locString(f.Location) + ")"
	} else if f.Endpoint != "" {
		s += " (live: " + f.Endpoint + ")"
	}
	return htmlText(strings.TrimSpace(s))
}

// complianceStyle colours the status column; added to the page only when it
// has compliance sections, so that other reports keep their bytes.
const complianceStyle = `tr.ctl-fail td:nth-child(3) { color: var(--poor); font-weight: 700; } tr.ctl-pass td:nth-child(3) { color: var(--good); }
tr.ctl-not_evaluated td:nth-child(3) { color: var(--muted); }
`

// reportStyle is the report page's stylesheet (constants only, never input).
func reportStyle(r *Report) string {
	if len(r.Compliance) == 0 {
		return HTMLStyle
	}
	return HTMLStyle + complianceStyle
}
