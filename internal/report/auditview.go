package report

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/natsaudit/natsaudit/internal/finding"
)

// The audit view is what the Markdown and HTML reports share beyond the
// findings themselves: the executive summary, the deadlines, the most
// urgent actions, the remediation plan and the controls table. It holds
// plain text only; every renderer escapes all of it for where it lands
// (the rule's own Markdown remediation is taken from the catalog by the
// renderer, as before). It is computed from the report alone (and the
// catalog), with the report's scan date as "today": no wall clock.

// action is one line of the remediation plan: the findings of one rule
// (the lead of their root-cause groups) and what they close.
type action struct {
	RuleID, Title, Severity, Category string
	Leads                             []Finding // the rule's own findings
	Also                              []Finding // findings of other rules with the same root cause
	Deadline                          *deadline // the nearest deadline among its findings
	Urgency                           float64
	Effort, Prereq, Verify            string
}

// Closes is every finding the action closes: its own and those that share
// their root cause.
func (a action) Closes() []Finding { return append(append([]Finding{}, a.Leads...), a.Also...) }

// ClosedRules are the rule IDs the action closes, its own first.
func (a action) ClosedRules() []string {
	out := []string{a.RuleID}
	seen := map[string]bool{a.RuleID: true}
	for _, f := range a.Also {
		if !seen[f.RuleID] {
			seen[f.RuleID] = true
			out = append(out, f.RuleID)
		}
	}
	return out
}

// deadline is a date by which something breaks or is already broken.
type deadline struct {
	Date  string // YYYY-MM-DD, "" when only "now" is known
	Days  int    // from the scan date; negative: passed
	Known bool   // Date/Days are meaningful
	Kind  string // "certificate expiry", "end of life", ... (finding.DeadlineKinds)
	What  string // plain text
	Where string // file:line or target
	Rule  string
}

// When is the deadline in words: "2026-12-10 (in 3 days)", "passed on
// 2026-11-01 (36 days ago)", "now".
func (d deadline) When() string {
	switch {
	case !d.Known:
		return "now"
	case d.Days < 0:
		return fmt.Sprintf("passed on %s (%s ago)", d.Date, plural(-d.Days, "day"))
	case d.Days == 0:
		return d.Date + " (today)"
	default:
		return fmt.Sprintf("%s (in %s)", d.Date, plural(d.Days, "day"))
	}
}

type auditView struct {
	Exec      []string // executive summary sentences
	Deadlines []deadline
	Actions   []action // by urgency, most urgent first
	// AlsoOf maps a lead finding's fingerprint+rule to the findings of other
	// rules with the same root cause, shown with it.
	AlsoOf map[string][]Finding
	// Hidden are the findings shown with their lead instead of under their
	// own rule.
	Hidden   map[string]bool
	Controls []control
	Good     []string // "what is in good shape"
	Scope    []string
}

type control struct {
	ID, Title, Category, Severity, Status, Detail string
}

func findingKey(f Finding) string {
	loc := ""
	if f.Location != nil {
		loc = locString(f.Location)
	}
	return f.RuleID + "\x00" + f.Fingerprint + "\x00" + loc + "\x00" + f.Message
}

func buildView(r *Report, cat map[string]*finding.Rule) *auditView {
	v := &auditView{AlsoOf: map[string][]Finding{}, Hidden: map[string]bool{}}
	today, _ := time.Parse(time.RFC3339, r.Scan.Started)

	// Root-cause groups: the lead stands for the group.
	byRuleLeads := map[string]*action{}
	var order []string
	for _, g := range CauseGroups(r.Findings) {
		lead := g.Lead()
		// The group is shown once, at its lead, with the other rules and
		// places it covers (alsoLines).
		for _, f := range g.Findings[1:] {
			v.AlsoOf[findingKey(lead)] = append(v.AlsoOf[findingKey(lead)], f)
			v.Hidden[findingKey(f)] = true
		}
		a := byRuleLeads[lead.RuleID]
		if a == nil {
			a = &action{RuleID: lead.RuleID, Title: lead.Title, Severity: string(lead.Severity), Category: string(lead.Category)}
			byRuleLeads[lead.RuleID] = a
			order = append(order, lead.RuleID)
		}
		for _, f := range g.Findings {
			if f.RuleID == lead.RuleID {
				a.Leads = append(a.Leads, f)
			} else {
				a.Also = append(a.Also, f)
			}
		}
	}
	// A rule whose every finding is shown with another rule's lead has no
	// action of its own: the other action closes it.
	for _, id := range order {
		a := byRuleLeads[id]
		for _, f := range a.Leads {
			if finding.SeverityRank(f.Severity) > finding.SeverityRank(a.Severity) {
				a.Severity = string(f.Severity)
			}
		}
		for _, f := range a.Closes() {
			if d, ok := findingDeadline(f, today); ok {
				v.Deadlines = append(v.Deadlines, d)
				if a.Deadline == nil || d.before(*a.Deadline) {
					dd := d
					a.Deadline = &dd
				}
			}
		}
		a.Urgency = urgency(*a)
		a.Effort, a.Prereq, a.Verify = planFacts(*a, r)
		v.Actions = append(v.Actions, *a)
	}
	sort.SliceStable(v.Actions, func(i, j int) bool {
		x, y := v.Actions[i], v.Actions[j]
		if x.Urgency != y.Urgency {
			return x.Urgency > y.Urgency
		}
		if rx, ry := finding.SeverityRank(x.Severity), finding.SeverityRank(y.Severity); rx != ry {
			return rx > ry
		}
		return x.RuleID < y.RuleID
	})
	sort.SliceStable(v.Deadlines, func(i, j int) bool { return v.Deadlines[i].before(v.Deadlines[j]) })

	v.Controls, v.Good = controls(r, cat)
	v.Exec = execSummary(r, v)
	v.Scope = scope(r)
	return v
}

// alsoLines say, under a root-cause group's lead, what else the group
// covers (plain text, one line per rule in the order of the group): the
// lead's rule at other places that use the same definition, then each
// other rule with its places when they are not the lead's own, and its
// first message ("Same root cause, also NATS-CRED-003 (Weak secret,
// medium) at 3 places: .env:2, conf/n4.conf:3, docker-compose.yml:19:
// .env: NATS_PASSWORD is weak.").
func alsoLines(lead Finding, also []Finding) []string {
	if len(also) == 0 {
		return nil
	}
	var order []string
	byRule := map[string][]Finding{}
	for _, f := range also {
		if _, ok := byRule[f.RuleID]; !ok {
			order = append(order, f.RuleID)
		}
		byRule[f.RuleID] = append(byRule[f.RuleID], f)
	}
	here := whereOf(lead)
	places := func(fs []Finding) string {
		var ws []string
		seen := map[string]bool{}
		for _, f := range fs {
			if w := whereOf(f); !seen[w] {
				seen[w] = true
				ws = append(ws, w)
			}
		}
		if len(ws) == 1 {
			if ws[0] == here {
				return ""
			}
			return " at " + ws[0]
		}
		return fmt.Sprintf(" at %d places: %s", len(ws), strings.Join(ws, ", "))
	}
	def := ""
	for _, f := range append([]Finding{lead}, also...) {
		if d := f.DefinedAt; d != nil && d.File != "" {
			def = " (the value defined at " + locString(d) + ")"
			break
		}
	}
	var out []string
	for _, id := range order {
		fs := byRule[id]
		if id == lead.RuleID {
			out = append(out, fmt.Sprintf("Same root cause%s, also%s.", def, places(fs)))
			continue
		}
		o := fs[0]
		out = append(out, fmt.Sprintf("Same root cause, also %s (%s, %s)%s: %s", o.RuleID, o.Title, o.Severity, places(fs), sentence(resultMessage(o))))
	}
	return out
}

// before orders deadlines: "now" and passed ones first, then by date.
func (d deadline) before(e deadline) bool {
	dk, ek := d.sortDays(), e.sortDays()
	if dk != ek {
		return dk < ek
	}
	return d.Rule+d.Where < e.Rule+e.Where
}

func (d deadline) sortDays() int {
	if !d.Known {
		return -1 << 20
	}
	return d.Days
}

// findingDeadline is the deadline a finding's rule gives (its Deadline
// field: a certificate or JWT expiry date, an end-of-life series, an
// advisory with a fixed release), counted in days from the scan date.
func findingDeadline(f Finding, today time.Time) (deadline, bool) {
	fd := f.Deadline
	if fd == nil {
		return deadline{}, false
	}
	d := deadline{Rule: f.RuleID, Where: whereOf(f), Kind: finding.DeadlineKinds[fd.Kind], What: strings.TrimSuffix(fd.What, ".")}
	if d.Kind == "" {
		d.Kind = fd.Kind
	}
	switch fd.Kind {
	case finding.DeadlineAdvisoryFix:
		if fd.Version != "" {
			d.What += "; fixed in " + fd.Version
		}
	}
	if fd.Date != "" {
		t, err := time.Parse("2006-01-02", fd.Date)
		if err != nil {
			return d, true // a report written by hand: the date is shown as "now"
		}
		d.Date, d.Known = fd.Date, true
		if !today.IsZero() {
			d.Days = int(t.Sub(today.UTC().Truncate(24*time.Hour)).Hours() / 24)
		}
	}
	return d, true
}

func whereOf(f Finding) string {
	if f.Location != nil {
		return locString(f.Location)
	}
	return nonEmpty(f.Target, "deployment")
}

// exploitable are rules whose findings an attacker can use as they stand,
// without another weakness: a published advisory, a guessable or leaked
// secret, a server that accepts anyone.
var exploitable = map[string]float64{
	"NATS-VER-001": 2, "NATS-CRED-002": 2, "NATS-TLS-016": 1.5, "NATS-CRED-001": 1.5, "NATS-CRED-005": 1.5,
	"NATS-AUTH-001": 2, "NATS-AUTH-002": 2, "NATS-NET-001": 1.5, "NATS-NET-003": 1.5, "NATS-K8S-008": 1.5,
}

// urgentMin is the urgency from which an action is "most urgent": a high
// finding (3), or a medium one with a deadline within 30 days (2 × 2).
const urgentMin = 3

// urgency is exploitability × deadline × severity (docs/reports.md, "Most
// urgent"). A finding that depends on an unset variable (a fallback
// default) is less directly exploitable than a literal value.
func urgency(a action) float64 {
	sev := map[string]float64{"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0.5}[a.Severity]
	expl := 1.0
	if e, ok := exploitable[a.RuleID]; ok {
		expl = e
		literal := false
		for _, f := range a.Leads {
			if !strings.Contains(f.Message, "when the variable is not set") {
				literal = true
			}
		}
		if !literal {
			expl = 0.75
		}
	}
	dl := 1.0
	if d := a.Deadline; d != nil {
		switch {
		case !d.Known:
			dl = 2 // a published advisory or an unsupported release: now
		case d.Days >= 0 && d.Days <= 14:
			dl = 2.5 // an outage that can still be prevented
		case d.Days >= 0 && d.Days <= 30:
			dl = 2
		case d.Days < 0:
			dl = 1.5 // already broken: what it breaks has broken already
		case d.Days <= 90:
			dl = 1.2
		}
	}
	return sev * expl * dl
}

// effort, prerequisites and verification per rule family: what the
// engineer needs to plan the work. The verification commands are exact;
// they use the finding's own file where it has one.
func planFacts(a action, r *Report) (effort, prereq, verify string) {
	rescan := "rescan: no " + a.RuleID
	file := ""
	if len(a.Leads) > 0 && a.Leads[0].Location != nil {
		file = a.Leads[0].Location.File
	}
	effort, verify = "hours", rescan
	switch {
	case strings.HasPrefix(a.RuleID, "NATS-VER-"):
		effort = "hours for a patch release of the current series now; days for the series upgrade (this quarter)"
		prereq = "Read the release notes of each minor version in between; upgrade a staging copy first."
		verify = "nats server check --server <url> (or: docker compose config | grep image:); " + rescan
	case a.RuleID == "NATS-TLS-014":
		effort = "hours"
		prereq = "Access to the CA that signs the server certificate."
		if file != "" {
			verify = "openssl x509 -in <cert_file> -noout -enddate -ext subjectAltName; " + rescan
		}
	case a.RuleID == "NATS-TLS-002":
		prereq = "First give every client that still connects with plain nats:// a TLS URL (and a client certificate when verify is on), or it is cut off."
	case a.RuleID == "NATS-TLS-011" || a.RuleID == "NATS-TLS-012":
		prereq = "Every client library must support it (nats.go 1.31+ and other recent clients)."
	case a.RuleID == "NATS-TLS-016" || strings.HasPrefix(a.RuleID, "NATS-CRED-"):
		effort = "hours (plus a history rewrite if the repository is shared)"
		prereq = "Coordinate the rotation with every client that uses the credential."
	case a.RuleID == "NATS-CLU-001" || a.RuleID == "NATS-STR-001" || a.RuleID == "NATS-KV-001":
		effort = "days to weeks (new servers, then replicas)"
		prereq = "Two more servers in other failure domains, with routes between them."
	case a.RuleID == "NATS-AUTH-005" || a.RuleID == "NATS-ACC-002" || a.RuleID == "NATS-ACC-003":
		effort = "days"
		prereq = "List the subjects each client really uses (nats server report connections, or the application code)."
	case a.RuleID == "NATS-STR-004" || a.RuleID == "NATS-KV-003":
		prereq = "The bound must fit in what max_file_store leaves free after the other streams' reservations."
	}
	if file != "" && strings.HasSuffix(file, ".conf") && verify == rescan {
		verify = fmt.Sprintf("nats-server -t -c %s; %s", shellWord(file), rescan)
	}
	if own := ownPrereqs(a.Leads); own != "" && !customRule(r, a.RuleID) {
		prereq = own
	}
	return effort, prereq, verify
}

// customRule: a custom rule's remediation is its author's text, shown
// only escaped as its rule's; it does not speak for the plan.
func customRule(r *Report, id string) bool {
	for _, st := range r.Rules {
		if st.ID == id {
			return st.Custom
		}
	}
	return false
}

// ownPrereqs are the prerequisites and conflicts the findings' own
// remediations computed from the deployment (a first paragraph that opens
// with "Prerequisite:" or "Conflict:", as NATS-TLS-002 and NATS-STR-004
// write them), each once, in finding order; "" when none has one, and the
// rule family's generic line stands.
func ownPrereqs(leads []Finding) string {
	var out []string
	seen := map[string]bool{}
	for _, f := range leads {
		p := strings.TrimSpace(f.Remediation)
		if !strings.HasPrefix(p, "Prerequisite:") && !strings.HasPrefix(p, "Conflict:") {
			continue
		}
		if i := strings.Index(p, "\n\n"); i >= 0 {
			p = p[:i]
		}
		p = strings.Join(strings.Fields(p), " ")
		// A closing sentence that announces a command ("...: ") belongs
		// with the command, which the plan does not show.
		if strings.HasSuffix(p, ":") {
			if i := strings.LastIndex(p, ". "); i >= 0 {
				p = p[:i+1]
			}
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

// shellWord quotes s for a POSIX shell unless it is plain.
func shellWord(s string) string {
	plain := s != ""
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_./:", c)) {
			plain = false
		}
	}
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func controls(r *Report, cat map[string]*finding.Rule) ([]control, []string) {
	sup := map[string][]string{}
	seen := map[string]bool{}
	for _, f := range r.Suppressed {
		if s := f.Suppression; s != nil {
			x := s.Kind + ": " + nonEmpty(s.Reason, "no reason given")
			if s.Until != "" {
				x += " (until " + s.Until
				if s.Expired {
					x += ", expired"
				}
				x += ")"
			}
			// Thousands of baselined findings share a few reasons: each
			// reason once per rule, found in a set (not a scan of the list).
			if k := f.RuleID + "\x00" + x; !seen[k] {
				seen[k] = true
				sup[f.RuleID] = append(sup[f.RuleID], x)
			}
		}
	}
	var out []control
	goodByCat := map[string][]string{}
	for _, rs := range r.Rules {
		c := control{ID: rs.ID, Title: rs.Title, Category: rs.Category, Severity: rs.Severity}
		switch {
		case rs.Failed:
			c.Status, c.Detail = "not evaluated", "its rule package failed at evaluation (see Scope and confidence)"
		case rs.Disabled:
			c.Status, c.Detail = "not evaluated", "disabled in the settings file"
		case !rs.Evaluated:
			needs := "—"
			if rule := cat[rs.ID]; rule != nil && len(rule.Facets) > 0 {
				needs = strings.Join(rule.Facets, ", ")
			}
			c.Status, c.Detail = "not evaluated", "needs "+needs
		case rs.Findings > 0:
			c.Status, c.Detail = "fail", plural(rs.Findings, "finding")
		case len(sup[rs.ID]) > 0:
			c.Status, c.Detail = "suppressed", strings.Join(sup[rs.ID], "; ")
		default:
			c.Status = "pass"
			if finding.SeverityRank(rs.Severity) >= finding.SeverityRank("high") {
				goodByCat[rs.Category] = append(goodByCat[rs.Category], rs.Title)
			}
		}
		if c.Status == "fail" && len(sup[rs.ID]) > 0 {
			c.Detail += "; also suppressed: " + strings.Join(sup[rs.ID], "; ")
		}
		out = append(out, c)
	}
	var good []string
	for _, c := range finding.CategoryNames() {
		if xs := goodByCat[c]; len(xs) > 0 {
			good = append(good, fmt.Sprintf("%s: checked and not found (%s): %s.", Title(c), plural(len(xs), "high or critical rule"), strings.Join(xs, "; ")))
		}
	}
	return out, good
}

// execSummary is 3–5 plain sentences for the platform lead: what could
// happen, the verdict, and what to do first.
func execSummary(r *Report, v *auditView) []string {
	if NotEvaluated(r) {
		return []string{StatusMessage(r) + "."}
	}
	var out []string
	risks := riskSentences(r)
	if len(risks) == 0 {
		out = append(out, "The audit found nothing an attacker or an outage could use in what it examined.")
	} else {
		out = append(out, "What could happen: "+strings.Join(risks, "; ")+".")
	}
	crit, high := r.Summary.Severity["critical"], r.Summary.Severity["high"]
	switch {
	case r.Scores.Overall == nil && r.Scores.GradeWithheld != "":
		out = append(out, "Verdict: no grade, because "+r.Scores.GradeWithheld+".")
	case crit > 0:
		out = append(out, fmt.Sprintf("Verdict: not fit for production as configured (grade %s): %s and %s need action this week.", r.Scores.Grade, plural(crit, "critical finding"), plural(high, "high finding")))
	case high > 0:
		out = append(out, fmt.Sprintf("Verdict: needs work before it can be relied on (grade %s): %s need action this week.", r.Scores.Grade, plural(high, "high finding")))
	case r.Scores.Overall != nil:
		out = append(out, fmt.Sprintf("Verdict: in reasonable shape (grade %s); the remaining findings are hardening.", r.Scores.Grade))
	}
	if len(v.Deadlines) > 0 {
		d := v.Deadlines[0]
		for _, x := range v.Deadlines {
			if x.Known && x.Days >= 0 {
				d = x
				break
			}
		}
		if d.Known {
			out = append(out, fmt.Sprintf("The nearest deadline is %s: %s.", d.When(), strings.TrimSuffix(d.What, ".")))
		}
	}
	if len(v.Actions) > 0 {
		n := min(3, len(v.Actions))
		var first []string
		for _, a := range v.Actions[:n] {
			first = append(first, a.Title+" ("+a.RuleID+")")
		}
		out = append(out, fmt.Sprintf("Do first: %s.", strings.Join(first, "; ")))
	}
	if low := lowCoverage(r); len(low) > 0 {
		out = append(out, fmt.Sprintf("Not judged with confidence: %s (too few of their checks could run on these inputs).", strings.Join(low, ", ")))
	}
	return out
}

func lowCoverage(r *Report) []string {
	var out []string
	for _, c := range finding.CategoryNames() {
		if r.Scores.Categories[c].LowConfidence {
			out = append(out, Title(c))
		}
	}
	return out
}

// riskSentences say, in business words, what the most severe findings make
// possible. One phrase per kind of consequence, most severe first.
func riskSentences(r *Report) []string {
	type risk struct {
		match func(Finding) bool
		text  string
	}
	has := func(prefixes ...string) func(Finding) bool {
		return func(f Finding) bool {
			for _, p := range prefixes {
				if strings.HasPrefix(f.RuleID, p) {
					return true
				}
			}
			return false
		}
	}
	risks := []risk{
		{has("NATS-VER-001"), "an attacker can exploit published nats-server vulnerabilities"},
		{has("NATS-CRED-", "NATS-TLS-016", "NATS-AUTH-001", "NATS-AUTH-002", "NATS-K8S-007", "NATS-K8S-008"), "anyone with the repository or a guessable password can connect as a legitimate user and read or forge messages"},
		{has("NATS-TLS-014", "NATS-CRED-006"), "clients will be locked out when certificates or credentials expire"},
		{has("NATS-STR-006", "NATS-STR-007", "NATS-JS-005", "NATS-JS-007", "NATS-CLU-001", "NATS-STR-001", "NATS-JS-001"), "messages can be lost, or the server stop, on a crash, a full stream or memory pressure"},
	}
	var out []string
	for _, x := range risks {
		for _, f := range r.Findings {
			if finding.SeverityRank(f.Severity) >= finding.SeverityRank("high") && x.match(f) {
				out = append(out, x.text)
				break
			}
		}
	}
	return out
}

func scope(r *Report) []string {
	var out []string
	if len(r.Scan.Roots) > 0 {
		// The paths are in the header (as code); here only what was read.
		out = append(out, fmt.Sprintf("Examined: %s of the scanned paths, read as %s.", plural(len(r.Scan.Files), "file"), strings.Join(sourceNames(r.Scan.Sources), ", ")))
	}
	if len(r.Scan.Targets) > 0 {
		out = append(out, "Live servers examined: "+strings.Join(r.Scan.Targets, ", ")+".")
	} else {
		out = append(out, "Not examined: running servers (versions actually deployed, health, stream state, consumer lag, slow consumers); audit them with natsaudit probe or scan --server.")
	}
	out = append(out, "Never examined: client application code, backups and their restore, network firewalls outside the repository, and the history of the repository (.git is not read).")
	if n := len(r.Errors) - RuleErrors(r); n > 0 {
		out = append(out, fmt.Sprintf("%s could not be read or parsed; what they configure was not checked.", plural(n, "input")))
	}
	if low := lowCoverage(r); len(low) > 0 {
		out = append(out, fmt.Sprintf("Low confidence (coverage below %d%%): %s.", int(CoverageThreshold*100), strings.Join(low, ", ")))
	}
	return out
}
