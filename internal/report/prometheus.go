package report

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/natsaudit/natsaudit/internal/finding"
)

// The Prometheus text exposition format (version 0.0.4), for a scheduled
// audit whose file node_exporter's textfile collector picks up. Families
// and series are written in a fixed order; label values from input are made
// one visible line (TerminalSafe) and escaped as the format requires (\\,
// \" and \n). No timestamps: the collector stamps the scrape, and a file
// that is rewritten each run must not go stale in Prometheus' eyes.

type promWriter struct {
	b strings.Builder
}

func (p *promWriter) family(name, typ, help string) {
	fmt.Fprintf(&p.b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
}

func (p *promWriter) sample(name string, value float64, labels ...string) {
	p.b.WriteString(name)
	if len(labels) > 0 {
		p.b.WriteByte('{')
		for i := 0; i+1 < len(labels); i += 2 {
			if i > 0 {
				p.b.WriteByte(',')
			}
			fmt.Fprintf(&p.b, "%s=\"%s\"", labels[i], promLabel(labels[i+1]))
		}
		p.b.WriteByte('}')
	}
	p.b.WriteByte(' ')
	p.b.WriteString(strconv.FormatFloat(value, 'f', -1, 64))
	p.b.WriteByte('\n')
}

func promLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(TerminalSafe(s))
}

// WritePrometheus renders the scores and counts as Prometheus metrics.
func WritePrometheus(w io.Writer, r *Report, opt RenderOptions) error {
	p := &promWriter{}
	root := strings.Join(append(append([]string{}, r.Scan.Roots...), r.Scan.Targets...), ",")

	p.family("natsaudit_info", "gauge", "natsaudit run: tool version, advisory data date and what was scanned (always 1).")
	p.sample("natsaudit_info", 1, "version", r.Tool.Version, "advisories_date", r.Tool.AdvisoriesDate, "scanned", root)

	p.family("natsaudit_score", "gauge", "Score from 0 to 10 (higher is better), overall and per category; absent when no rule of the category could be evaluated.")
	if r.Scores.Overall != nil {
		p.sample("natsaudit_score", *r.Scores.Overall, "category", "overall")
	}
	for _, c := range finding.CategoryNames() {
		if s := r.Scores.Categories[c].Score; s != nil {
			p.sample("natsaudit_score", *s, "category", c)
		}
	}

	p.family("natsaudit_findings", "gauge", "Findings by severity (suppressed ones excluded).")
	for _, sev := range finding.SeverityNames() {
		p.sample("natsaudit_findings", float64(r.Summary.Severity[sev]), "severity", sev)
	}

	p.family("natsaudit_rule_findings", "gauge", "Findings per evaluated rule (0 when it found nothing).")
	rules := append([]RuleStatus(nil), r.Rules...)
	sort.SliceStable(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	for _, rs := range rules {
		if rs.Evaluated {
			p.sample("natsaudit_rule_findings", float64(rs.Findings), "rule", rs.ID, "severity", rs.Severity, "category", rs.Category)
		}
	}

	p.family("natsaudit_suppressed_findings", "gauge", "Findings suppressed by ignore comments, exceptions or the baseline.")
	p.sample("natsaudit_suppressed_findings", float64(len(r.Suppressed)))

	evaluated, failed := 0, 0
	for _, rs := range r.Rules {
		switch {
		case rs.Evaluated:
			evaluated++
		case rs.Failed:
			failed++
		}
	}
	p.family("natsaudit_rules", "gauge", "Rules in the catalog: evaluated, failed at evaluation, or not evaluated (no input they judge, or disabled).")
	p.sample("natsaudit_rules", float64(evaluated), "state", "evaluated")
	p.sample("natsaudit_rules", float64(failed), "state", "failed")
	p.sample("natsaudit_rules", float64(len(r.Rules)-evaluated-failed), "state", "not_evaluated")

	p.family("natsaudit_scan_complete", "gauge", "1 when the scan audited what it found with every rule, 0 when the report is incomplete or nothing was audited.")
	complete := 1.0
	if r.Scan.Status != "" {
		complete = 0
	}
	p.sample("natsaudit_scan_complete", complete)

	p.family("natsaudit_read_errors", "gauge", "Inputs that could not be read or parsed.")
	p.sample("natsaudit_read_errors", float64(len(r.Errors)))

	p.family("natsaudit_scan_duration_seconds", "gauge", "How long the audit took.")
	p.sample("natsaudit_scan_duration_seconds", float64(r.Scan.DurationMS)/1000)

	started, err := time.Parse(time.RFC3339, r.Scan.Started)
	if err == nil {
		p.family("natsaudit_scan_timestamp_seconds", "gauge", "When the audit ran (or the --now it was given), Unix time.")
		p.sample("natsaudit_scan_timestamp_seconds", float64(started.Unix()))
		if adv, err := time.Parse("2006-01-02", r.Tool.AdvisoriesDate); err == nil {
			p.family("natsaudit_advisory_data_age_seconds", "gauge", "Age of the advisory data (CVE table) at the time of the audit.")
			p.sample("natsaudit_advisory_data_age_seconds", started.Sub(adv).Seconds())
		}
	}

	if len(r.Scan.Servers) > 0 {
		p.family("natsaudit_server_findings", "gauge", "Findings per server (from its config or, for live probes, what it reported) and severity.")
		counts := map[string]map[string]int{}
		for _, f := range r.Findings {
			if f.TargetKind != "server" {
				continue
			}
			if counts[f.TargetName] == nil {
				counts[f.TargetName] = map[string]int{}
			}
			counts[f.TargetName][string(f.Severity)]++
		}
		seen := map[string]bool{}
		for _, s := range r.Scan.Servers {
			if seen[s] {
				continue
			}
			seen[s] = true
			for _, sev := range finding.SeverityNames() {
				p.sample("natsaudit_server_findings", float64(counts[s][sev]), "server", s, "severity", sev)
			}
		}
	}
	_, err = io.WriteString(w, p.b.String())
	return err
}
