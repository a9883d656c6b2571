// Package audit runs the pipeline: discover → sources → inventory → rules →
// findings with locations → scores → report. The CLI calls it; it does no
// rendering.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime/metrics"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/natsaudit/natsaudit/internal/assemble"
	"github.com/natsaudit/natsaudit/internal/discover"
	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/report"
	"github.com/natsaudit/natsaudit/internal/score"
	"github.com/natsaudit/natsaudit/internal/secret"
	"github.com/natsaudit/natsaudit/internal/source"
	"github.com/natsaudit/natsaudit/internal/source/helm"
	"github.com/natsaudit/natsaudit/internal/source/jwtclaims"
	"github.com/natsaudit/natsaudit/internal/subject"
	"github.com/natsaudit/natsaudit/internal/suppress"
)

// Options configure a run.
type Options struct {
	Paths   []string // files and directories to scan (none for a live-only audit)
	Base    string   // directory report paths are relative to
	Now     time.Time
	Version string
	MaxSize int64
	// SkipDirs and SkipFiles leave paths out of the scan (discover.Options).
	SkipDirs, SkipFiles []string
	// Ignore holds the project's .natsauditignore patterns.
	Ignore *discover.Ignore
	// SeverityOverrides (.natsaudit.yaml) set the severity of rules'
	// findings before anything uses it (sorting, scores, --fail-on).
	SeverityOverrides []suppress.SeverityOverride
	// Debug, when set, receives one line per phase (what it did and how
	// long it took) and the files each source took (--debug). Lines are
	// terminal-safe: paths are redacted and escaped here.
	Debug func(line string)
	// Progress, when set, is told each phase as it ends ("discover: 15
	// inputs, ..."): counts only, never a name from the tree.
	Progress func(phase, what string)
	// Live, when set, adds live documents to the inventory (see package probe).
	Live func(ctx context.Context, inv *model.Inventory) error
	// Secrets is the run's secret analyzer; New creates one when nil.
	Secrets *secret.Analyzer
	// Suppress holds the exceptions and the baseline; Run adds the scanned
	// files (for inline ignore comments), the time and the rule catalog.
	Suppress suppress.Options
	// Disabled rules are not evaluated: no findings, no part in the scores.
	Disabled map[string]bool
	// ComposeProjects are the compose projects .natsaudit.yaml declares
	// (report paths, base file first).
	ComposeProjects [][]string
	// Helm names Helm releases and their values files (.natsaudit.yaml
	// helm: releases:); without it values are layered per directory.
	Helm []helm.Spec
}

// Result is a finished audit.
type Result struct {
	Report    *report.Report
	Inventory *model.Inventory
	Secrets   *secret.Analyzer
	Discover  *discover.Result
	// Warnings about suppressions (malformed or expired ignore comments and
	// exceptions), for stderr; they are in the report's notes too.
	Warnings []string
}

// NewAnalyzer builds the secret analyzer from the engine's credential
// parameters.
func NewAnalyzer(eng *engine.Engine) (*secret.Analyzer, error) {
	var p secret.Params
	if c, ok := eng.Params()["credentials"]; ok {
		b, _ := json.Marshal(c)
		if err := json.Unmarshal(b, &p); err != nil {
			return nil, fmt.Errorf("credential parameters: %w", err)
		}
	}
	return secret.NewAnalyzer(p)
}

// Run audits the paths (and live targets) with eng.
func Run(ctx context.Context, eng *engine.Engine, opt Options) (*Result, error) {
	start := time.Now()
	// A given time (--now) asks for a reproducible report: no wall clock in
	// it, so no duration either.
	reproducible := !opt.Now.IsZero()
	if !reproducible {
		opt.Now = start
	}
	if opt.Secrets == nil {
		a, err := NewAnalyzer(eng)
		if err != nil {
			return nil, err
		}
		opt.Secrets = a
	}
	if opt.Base == "" {
		opt.Base = "."
	}
	lap := newStopwatch(opt.Debug, opt.Progress)
	d := &discover.Result{All: map[string]string{}}
	if len(opt.Paths) > 0 {
		var err error
		d, err = discover.Walk(ctx, opt.Base, opt.Paths, discover.Options{MaxSize: opt.MaxSize, SkipDirs: opt.SkipDirs, SkipFiles: opt.SkipFiles, Ignore: opt.Ignore})
		if err != nil {
			return nil, err
		}
	}
	lap.done("discover", fmt.Sprintf("%d inputs, %d skipped, %d left out", len(d.Files), len(d.Skipped), d.Excluded))
	inv := assemble.Build(d, opt.Base, assemble.Options{Secrets: opt.Secrets, Now: opt.Now, MaxSize: opt.MaxSize, Helm: opt.Helm, ComposeProjects: opt.ComposeProjects})
	for _, p := range opt.Paths {
		inv.Scan.Roots = append(inv.Scan.Roots, rootName(opt.Base, p))
	}
	if opt.Live != nil {
		if err := opt.Live(ctx, inv); err != nil {
			return nil, err
		}
	}
	for i := range inv.Errors {
		inv.Errors[i].Ref = model.RefTo(model.RefError, i)
	}
	lap.done("parse and assemble", fmt.Sprintf("%d servers, %d streams, %d consumers, %d parse errors", len(inv.Servers), len(inv.Streams), len(inv.Consumers), len(inv.Errors)))
	if opt.Debug != nil {
		debugSources(opt.Debug, inv, opt.Secrets)
	}
	derive(inv)
	b, err := json.Marshal(inv)
	if err != nil {
		return nil, fmt.Errorf("encode inventory: %w", err)
	}
	// The inventory carries facts, not secrets; a value that still holds
	// one (a server named like a password) is masked where messages quote
	// it, and only there (secret.Analyzer.RedactText).
	if err := opt.Secrets.TaintJSON(b); err != nil {
		return nil, fmt.Errorf("scan inventory for secrets: %w", err)
	}
	input, err := jsonValue(b)
	if err != nil {
		return nil, fmt.Errorf("convert inventory: %w", err)
	}
	lap.done("facts and input", fmt.Sprintf("%d bytes of input", len(b)))
	ev, err := eng.EvalIsolated(ctx, input)
	if err != nil {
		return nil, err
	}
	lap.done("evaluate rules", fmt.Sprintf("%d raw findings, %d rule packages failed", len(ev.Findings), len(ev.Failed)))
	raws := ev.Findings
	lines := newLineCache(d)
	refs := inv.Refs()
	findings := make([]report.Finding, 0, len(raws))
	for _, r := range raws {
		if opt.Disabled[r.RuleID] {
			continue
		}
		findings = append(findings, resolve(eng, inv, refs, r, lines, opt.Secrets))
	}
	setDefinedAt(inv, lines, findings)
	overrideNotes := suppress.ApplyOverrides(findings, opt.SeverityOverrides)
	sortFindings(findings)
	findings = dropDuplicates(findings)
	findings = mergeShared(findings)
	lap.done("resolve findings", fmt.Sprintf("%d findings", len(findings)))
	sup := suppressFindings(eng, d, findings, opt)
	lap.done("suppress", fmt.Sprintf("%d suppressed", len(sup.Suppressed)))
	rep := Build(eng, inv, sup.Findings, opt.Version, opt.Disabled, ev.Failed)
	rep.Suppressed = sup.Suppressed
	fileDigests(rep, inv, d, opt.MaxSize)
	rep.Notes = append(rep.Notes, sup.Notes...)
	rep.Notes = append(rep.Notes, overrideNotes...)
	setStatus(rep, inv, ev.Failed)
	rep.Scan.Started = opt.Now.UTC().Format(time.RFC3339) // --now makes reports reproducible
	if !reproducible {
		rep.Scan.DurationMS = time.Since(start).Milliseconds()
	}
	return &Result{Report: rep, Inventory: inv, Secrets: opt.Secrets, Discover: d, Warnings: sup.Warnings}, nil
}

// suppressFindings moves the findings accepted by inline comments, the
// exceptions file or the baseline aside (package suppress).
func suppressFindings(eng *engine.Engine, d *discover.Result, findings []report.Finding, opt Options) suppress.Result {
	so := opt.Suppress
	so.Now = opt.Now
	so.Known = func(id string) bool { _, ok := eng.Rule(id); return ok }
	for _, f := range d.Files {
		// Each file's source says how its comments look (none: JSON,
		// PEM, scripts; # or //: nats.conf).
		switch f.Comments() {
		case source.HashSlash:
			so.Files = append(so.Files, suppress.File{Path: f.Rel, Data: f.Data, SlashComments: true})
		case source.Hash:
			so.Files = append(so.Files, suppress.File{Path: f.Rel, Data: f.Data})
		}
	}
	return suppress.Apply(findings, so)
}

// derive adds the facts computed in Go (subject overlaps, advisory capture,
// JWTs in configs, each server's listeners and feature gates) once, before
// the inventory becomes the Rego input.
func derive(inv *model.Inventory) {
	if inv.Facts == nil {
		inv.Facts = subject.Facts(inv)
		inv.Facts.ConfigJWTs = jwtclaims.FromConfigs(inv.Servers)
	}
	// Recomputed each time: never taken from whatever built the inventory.
	for _, s := range inv.Servers {
		s.Derived = serverFacts(s)
	}
}

// Input converts the inventory into the Rego input value, once.
func Input(inv *model.Inventory) (ast.Value, error) {
	derive(inv)
	b, err := json.Marshal(inv)
	if err != nil {
		return nil, fmt.Errorf("encode inventory: %w", err)
	}
	v, err := jsonValue(b)
	if err != nil {
		return nil, fmt.Errorf("convert inventory: %w", err)
	}
	return v, nil
}

// Evaluated returns the rules that judge a facet the scan's model has (a
// rule about deployments runs on compose services, Kubernetes workloads
// and Helm releases alike: model.Deployment is one shape for all), less the
// disabled ones and those of rule packages that failed at evaluation.
func Evaluated(eng *engine.Engine, inv *model.Inventory, disabled map[string]bool, failed []engine.RuleError) []*engine.Rule {
	broken := failedRules(failed)
	var out []*engine.Rule
	for _, r := range eng.Rules() {
		if disabled[r.ID] || broken[r.ID] {
			continue
		}
		for _, f := range r.Facets {
			if inv.HasFacet(f) {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// Build assembles the report from findings (already resolved and filtered).
// The rule packages that failed at evaluation become errors of kind "rule",
// and their rules count as not evaluated.
func Build(eng *engine.Engine, inv *model.Inventory, findings []report.Finding, version string, disabled map[string]bool, failed []engine.RuleError) *report.Report {
	evaluated := Evaluated(eng, inv, disabled, failed)
	isEval := map[string]bool{}
	for _, r := range evaluated {
		isEval[r.ID] = true
	}
	count := map[string]int{}
	sum := report.Summary{Severity: map[string]int{}}
	for _, s := range finding.SeverityNames() {
		sum.Severity[s] = 0
	}
	for _, f := range findings {
		count[f.RuleID]++
		sum.Severity[string(f.Severity)]++
		sum.Total++
	}
	rep := &report.Report{
		Schema:     report.Schema,
		Tool:       report.Tool{Name: "natsaudit", Version: version, InformationURI: "https://github.com/natsaudit/natsaudit", AdvisoriesDate: advisoriesDate(eng)},
		Summary:    sum,
		Scores:     score.ComputeCatalog(findings, evaluated, eng.Rules()),
		Findings:   findings,
		Suppressed: []report.Finding{},
		Errors:     append(append([]model.ParseError{}, inv.Errors...), ruleErrors(failed)...),
		Notes:      append(append([]string{}, inv.Notes...), ruleNotes(failed)...),
	}
	broken := failedRules(failed)
	for _, r := range eng.Rules() {
		rep.Rules = append(rep.Rules, report.RuleStatus{ID: r.ID, Title: r.Title, Severity: string(r.Severity), Category: string(r.Category),
			Evaluated: isEval[r.ID], Findings: count[r.ID], Custom: r.Custom, Disabled: disabled[r.ID], Failed: broken[r.ID]})
	}
	rep.Scan.Sources = append([]string{}, inv.Scan.Sources...)
	rep.Scan.Roots = append([]string{}, inv.Scan.Roots...)
	rep.Scan.Targets = []string{}
	rep.Scan.Files = []string{}
	for _, f := range inv.Files {
		rep.Scan.Files = append(rep.Scan.Files, f.Path)
	}
	sort.Strings(rep.Scan.Files)
	rep.Scan.Servers = []string{}
	for _, s := range inv.Servers {
		rep.Scan.Servers = append(rep.Scan.Servers, s.Name)
		// One $SYS connection or archive serves several servers: list it once.
		if s.Live != nil && s.Live.Endpoint != "" && !slices.Contains(rep.Scan.Targets, s.Live.Endpoint) {
			rep.Scan.Targets = append(rep.Scan.Targets, s.Live.Endpoint)
		}
	}
	rep.Scan.Streams, rep.Scan.Consumers = len(inv.Streams), len(inv.Consumers)
	return rep
}

// AdvisoriesDate is the date of the advisory data bundled with the rules.
func AdvisoriesDate(eng *engine.Engine) string { return advisoriesDate(eng) }

func advisoriesDate(eng *engine.Engine) string {
	if a, ok := eng.Data["advisories"].(map[string]any); ok {
		if d, ok := a["updated"].(string); ok {
			return d
		}
	}
	return ""
}

// sortFindings orders by severity, then file, line, rule. The keys are
// computed once per finding: the comparison used to format two location
// keys and copy two findings for each of the n·log n comparisons.
func sortFindings(fs []report.Finding) {
	type key struct {
		rank          int
		loc, rule, fp string
	}
	keys := make([]key, len(fs))
	idx := make([]int, len(fs))
	for i := range fs {
		keys[i] = key{finding.SeverityRank(fs[i].Severity), locKey(fs[i]), fs[i].RuleID, fs[i].Fingerprint}
		idx[i] = i
	}
	sort.SliceStable(idx, func(i, j int) bool {
		a, b := &keys[idx[i]], &keys[idx[j]]
		if a.rank != b.rank {
			return a.rank > b.rank
		}
		if a.loc != b.loc {
			return a.loc < b.loc
		}
		if a.rule != b.rule {
			return a.rule < b.rule
		}
		return a.fp < b.fp
	})
	sorted := make([]report.Finding, len(fs))
	for i, k := range idx {
		sorted[i] = fs[k]
	}
	copy(fs, sorted)
}

// dropDuplicates removes a finding identical to an earlier one. Two deployments that run one config file (two
// compose projects mounting ./nats.conf) give the same finding at the same
// line for the same server name: one thing to fix, reported once.
func dropDuplicates(fs []report.Finding) []report.Finding {
	type key struct{ fp, sev, msg, loc string }
	seen := make(map[key]bool, len(fs))
	out := fs[:0]
	for _, f := range fs {
		k := key{f.Fingerprint, string(f.Severity), f.Message, locKey(f)}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, f)
	}
	return out
}

// mergeShared makes one finding per rule and place: servers that share an
// included file or a compose base each get the rule's finding at the same
// line, which is one thing to fix. The findings of a rule at one file, line
// and logical path about different servers become one: the most severe (fs is sorted by
// severity), of those the server first by name, naming every server in
// Servers. Its fingerprint is the one the
// server first by name has on its own, so a server that starts sharing the
// file later keeps the finding's fingerprint unless it sorts first. When
// the servers' severities differ, the severity depends on the server: the
// finding counts once per server in the scores (ScoreCount).
func mergeShared(fs []report.Finding) []report.Finding {
	type key struct {
		rule, file, path string
		line             int
	}
	type group struct {
		at      int // index in out
		first   string
		fp      string
		servers []string
		mixed   bool
	}
	groups := map[key]*group{}
	out := fs[:0]
	for _, f := range fs {
		if f.Location == nil || f.TargetKind != "server" || f.Location.File == "" {
			out = append(out, f)
			continue
		}
		k := key{f.RuleID, f.Location.File, f.Path, f.Location.Line}
		g := groups[k]
		if g != nil && slices.Contains(g.servers, f.TargetName) {
			// A second finding of one server at this place says something
			// else (another message): not the shared one.
			out = append(out, f)
			continue
		}
		if g == nil {
			groups[k] = &group{at: len(out), first: f.TargetName, fp: f.Fingerprint, servers: []string{f.TargetName}}
			out = append(out, f)
			continue
		}
		if out[g.at].Severity != f.Severity {
			g.mixed = true
		} else if f.TargetName < out[g.at].TargetName {
			out[g.at] = f // of the most severe, the server first by name speaks
		}
		g.servers = append(g.servers, f.TargetName)
		if f.TargetName < g.first {
			g.first, g.fp = f.TargetName, f.Fingerprint
		}
	}
	for _, g := range groups {
		if len(g.servers) < 2 {
			continue
		}
		f := &out[g.at]
		sort.Strings(g.servers)
		f.Servers = g.servers
		f.Fingerprint = g.fp
		if g.mixed {
			f.ScoreCount = len(g.servers)
		}
	}
	return out
}

func locKey(f report.Finding) string {
	if f.Location == nil {
		return "\xff" + f.Target
	}
	return fmt.Sprintf("%s:%08d", f.Location.File, f.Location.Line)
}

// Fingerprint identifies a finding across runs: rule, file, target and the
// logical path of the value, never the line, so moving lines keeps it.
func Fingerprint(ruleID, file, target, path string) string {
	h := sha256.Sum256([]byte(strings.Join([]string{ruleID, file, target, path}, "\x00")))
	return hex.EncodeToString(h[:16])
}

// rootName is a scanned path as reports name it: as typed when relative;
// an absolute one relative to base (the project root), so that no absolute
// path of the machine that ran the scan ends up in a report.
func rootName(base, p string) string {
	if !filepath.IsAbs(p) {
		return filepath.ToSlash(p) // as typed: names no more than the user gave
	}
	absBase, err := filepath.Abs(base)
	if err != nil {
		return filepath.ToSlash(p)
	}
	r, err := filepath.Rel(absBase, p)
	switch {
	case err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)):
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(r)
}

// stopwatch reports the time of each phase to a --debug sink, and the
// phase to a progress display. With --debug each line also gives the
// process's CPU time (both cores, the background compile included) and the
// heap allocations of the phase: on a loaded machine wall time says little,
// and allocation counts do not depend on the load at all.
type stopwatch struct {
	out      func(string)
	progress func(phase, what string)
	last     time.Time
	lastCPU  time.Duration
	lastObj  uint64
	lastB    uint64
}

func newStopwatch(out func(string), progress func(phase, what string)) *stopwatch {
	s := &stopwatch{out: out, progress: progress, last: time.Now()}
	if out != nil {
		s.lastCPU = processCPU()
		s.lastObj, s.lastB = heapAllocs()
	}
	return s
}

func (s *stopwatch) done(phase, what string) {
	if s.progress != nil {
		s.progress(phase, what)
	}
	if s.out == nil {
		return
	}
	now, cpu := time.Now(), processCPU()
	obj, b := heapAllocs()
	s.out(fmt.Sprintf("%-20s %8s  %s  (cpu %s, %d allocs, %d MB allocated)", phase, now.Sub(s.last).Round(time.Microsecond), what,
		(cpu - s.lastCPU).Round(time.Millisecond), obj-s.lastObj, (b-s.lastB)>>20))
	s.last, s.lastCPU, s.lastObj, s.lastB = now, cpu, obj, b
}

// heapAllocs: objects and bytes allocated on the heap since the start.
func heapAllocs() (objects, bytes uint64) {
	m := []metrics.Sample{{Name: "/gc/heap/allocs:objects"}, {Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(m)
	if m[0].Value.Kind() != metrics.KindUint64 || m[1].Value.Kind() != metrics.KindUint64 {
		return 0, 0
	}
	return m[0].Value.Uint64(), m[1].Value.Uint64()
}

// debugSources lists the files each source took (inputs and the files
// they included), by kind, in path order; names are redacted like report
// paths and escaped for the terminal: they are the tree's.
func debugSources(out func(string), inv *model.Inventory, x *secret.Analyzer) {
	byKind := map[string][]string{}
	for _, f := range inv.Files {
		byKind[f.Kind] = append(byKind[f.Kind], report.TerminalSafe(x.RedactPath(f.Path)))
	}
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		files := byKind[k]
		sort.Strings(files)
		out(fmt.Sprintf("source %s: %d file(s): %s", report.TerminalSafe(k), len(files), strings.Join(files, ", ")))
	}
}
